"""A month's statistics, compiled before the month's sheet is culled (ADR 0022).

Why: kiosk facts, absence reports and staff shifts seal their share of the day's counters in
the month's sheet (``day-sheet``, ``roster-sheet``), so that once the month is culled a quiet
day shows no minutes, absence kind or working time of its own. The statistics must survive
that, and be rebuildable from the events: so gallring first records the month's figures as
they stood, one event per sheet and month, and only then destroys the sheet. A rebuild takes
the month's figures from this event, whatever the culled records still say.

Nothing here is personal: every figure counts children, staff or minutes of a department or a
unit on a day.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/compiled-month")


def compiled_month_id(sheet: str, month: str) -> UUID:
    """One record per sheet and month ("day-sheet", "2023-01"): compiling twice finds it."""
    return uuid5(_NAMESPACE, f"{sheet}/{month}")


class CompiledMonth(Aggregate):
    """The figures one sheet's month held when the sheet was about to be culled."""

    class Compiled(Aggregate.Created):
        sheet: str  # the sheet's category
        month: str
        # Per department-day: department_id, unit_id, day and the day's counters.
        days: list[dict[str, Any]]
        # Per unit-day (day sheets): unit_id, day and the unit's counters.
        unit_days: list[dict[str, Any]]

    @classmethod
    def compile(
        cls, sheet: str, month: str, days: list[dict[str, Any]], unit_days: list[dict[str, Any]]
    ) -> CompiledMonth:
        return cls._create(
            cls.Compiled,
            id=compiled_month_id(sheet, month),
            sheet=sheet,
            month=month,
            days=days,
            unit_days=unit_days,
        )

    @event(Compiled)
    def __init__(
        self, sheet: str, month: str, days: list[dict[str, Any]], unit_days: list[dict[str, Any]]
    ) -> None:
        self.sheet = sheet
        self.month = month
        self.days = days
        self.unit_days = unit_days
