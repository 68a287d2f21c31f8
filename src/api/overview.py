"""The live overview of a unit (Tempus Admin's "översikt över den faktiska närvaron").

Counts per department for one day, from the department-day itself (who is in, who has been,
who is reported absent), the children placed there and their schedules, and the roster. It is
for the unit's own staff, who see these children anyway, so the counts are exact and not
suppressed; it names nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from api.bootstrap import Gallra
from domain.attendance import DepartmentDay
from domain.schedule_state import State


@dataclass(frozen=True)
class DepartmentNow:
    department_id: UUID
    name: str
    placed: int
    scheduled: int  # placed children whose schedule plans time today
    present_now: int
    arrived: int  # checked in at some time today
    gone_home: int  # arrived, and not in now
    absent: dict[str, int] = field(default_factory=dict)  # by kind
    expected_not_arrived: int = 0  # scheduled, not arrived, not reported absent
    unscheduled_present: int = 0  # in now without a schedule for today
    staff_on_shift: int = 0
    open_exceptions: int = 0  # conflicts and night-closed check-ins to look at


def unit_overview(gallra: Gallra, unit_id: UUID, day: date) -> list[DepartmentNow]:
    """One row per department of the unit, in the order of their names."""
    unit = gallra.app.get_unit(unit_id)
    departments = sorted(unit.departments.items(), key=lambda kv: kv[1])
    days = gallra.app.department_days_on([d for d, _ in departments], day)
    staff = {
        row.department_id: row.staff_present
        for row in gallra.roster.staff_minutes([d for d, _ in departments], day, day)
    }
    return [
        _department(
            gallra,
            department_id,
            name,
            day,
            days.get(department_id),
            staff.get(department_id, 0),
        )
        for department_id, name in departments
    ]


def _department(
    gallra: Gallra,
    department_id: UUID,
    name: str,
    day: date,
    dd: DepartmentDay | None,
    staff: int,
) -> DepartmentNow:
    children = gallra.access.members_of(department_id, day)
    scheduled = {c for c, m in gallra.app.scheduled_minutes_of(children, day).items() if m}
    present = set(dd.present) if dd is not None else set()
    arrived = (
        {c for c in dd.facts if dd.derived(c).totals.present_children > 0}
        if dd is not None
        else set()
    )
    absent: dict[str, int] = {}
    absent_children: set[UUID] = set()
    if dd is not None:
        for child, absence in dd.absences.items():
            absent[absence.kind] = absent.get(absence.kind, 0) + 1
            if isinstance(child, UUID):
                absent_children.add(child)
    exceptions = 0
    if dd is not None:
        for child in dd.facts:
            derived = dd.derived(child)
            exceptions += len(derived.conflicts) + len(derived.flagged)
    return DepartmentNow(
        department_id=department_id,
        name=name,
        placed=len(children),
        scheduled=len(scheduled),
        present_now=len(present),
        arrived=len(arrived),
        gone_home=len(arrived - present),
        absent=absent,
        expected_not_arrived=len(scheduled - arrived - absent_children),
        unscheduled_present=len(present - scheduled),
        staff_on_shift=staff,
        open_exceptions=exceptions,
    )


@dataclass(frozen=True)
class ScheduleRequest:
    """A schedule a guardian asked for and nobody has decided yet."""

    child_id: UUID
    schedule_id: UUID
    placement_id: UUID
    start_date: date
    end_date: date | None
    temporary: bool
    laid_at: datetime


def schedule_requests(gallra: Gallra, unit_id: UUID, day: date) -> list[ScheduleRequest]:
    """Requested schedules of the children placed at the unit, oldest first: the staff's
    list of what waits for a decision."""
    children = gallra.access.members_of(unit_id, day)
    found = [
        ScheduleRequest(
            child_id,
            s.schedule_id,
            s.terms.placement_id,
            s.terms.start_date,
            s.terms.end_date,
            s.terms.temporary,
            s.laid_at,
        )
        for child_id, book in gallra.app.schedule_books(children).items()
        for s in book.schedules.values()
        if s.state == State.REQUESTED and s.terms is not None
    ]
    return sorted(found, key=lambda r: r.laid_at)
