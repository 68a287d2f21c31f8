"""Which departments have children placed on a day: the night close's work list.

Read from the access view's ``acl_belongs``: a placement writes a unit row and a department
row under the placement's id, so a department row is a group row sharing its source with a
unit row (a group membership has its own id). Kept beside the access view, whose table it
reads, and outside it, as only the night close asks.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from projections.access import STUDENT
from projections.views.access import AccessViewSQL


def placed_departments(view: AccessViewSQL, day: date) -> dict[UUID, UUID]:
    """Departments (-> their unit) where some child has a placement active on ``day``."""
    t = view._t("acl_belongs")
    with view.datastore.transaction(commit=False) as c:
        c.execute(
            view._q(
                f"SELECT DISTINCT g.container_id, g.unit_id FROM {t} g JOIN {t} u "
                "ON u.source_id = g.source_id AND u.kind = 'unit' "
                f"WHERE g.kind = 'group' AND g.role = '{STUDENT}' AND g.start_on <= ? "
                "AND (g.end_on IS NULL OR g.end_on >= ?)"
            ),
            [day.isoformat(), day.isoformat()],
        )
        return {view._uuid(r["container_id"]): view._uuid(r["unit_id"]) for r in c.fetchall()}
