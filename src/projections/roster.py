"""The read side of staff shifts: anonymous staff counters per department and day, which
department belongs to which unit, and where each staff member's shifts are.

The counters (staff present, working minutes, shifts) are built from readable fields only:
each shift event's day, working minutes and its first-of-day or last-of-day flag, which the
roster computed when it still knew who was working. They are never purged, so a rebuild after
culling gives the same numbers. A staff member's own rows (shift id, department, day) name the
scope their shift was sealed under and go when it is culled, as the acl_ rows do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.compiled_month import CompiledMonth
from domain.gallring import GallringRun
from domain.organisation import Unit
from domain.personal import Category, counted
from domain.roster import DepartmentRoster, month_of
from projections.access import PeriodsPurged, ScopesPurged, ShreddedBy
from retention.keys.scope import Scope

if TYPE_CHECKING:
    from projections.runner import ProjectionRunner
    from projections.views.roster import RosterViewSQL

STAFF_SCHEDULE = str(Category.STAFF_SCHEDULE)


@dataclass(frozen=True, slots=True)
class DepartmentKnown:
    department_id: UUID
    unit_id: UUID


@dataclass(frozen=True, slots=True)
class RosterOpened:
    roster_id: UUID
    department_id: UUID
    unit_id: UUID


@dataclass(frozen=True, slots=True)
class ShiftCounted:
    """A planned shift; ``staff_id`` None when it reads as culled (the counters only)."""

    shift_id: UUID
    roster_id: UUID
    day: date
    minutes: int
    first_of_day: bool
    staff_id: UUID | None
    scope: Scope | None


@dataclass(frozen=True, slots=True)
class ShiftRecounted:
    shift_id: UUID
    minutes: int


@dataclass(frozen=True, slots=True)
class ShiftUncounted:
    shift_id: UUID
    last_of_day: bool


@dataclass(frozen=True, slots=True)
class StaffMonthFigures:
    """A month's staff counters as gallring compiled them before culling its roster sheet:
    they replace what the month's shifts still add up to."""

    days: tuple[dict[str, Any], ...]


RosterChange = (
    DepartmentKnown
    | RosterOpened
    | ShiftCounted
    | ShiftRecounted
    | ShiftUncounted
    | ScopesPurged
    | PeriodsPurged
    | StaffMonthFigures
)


@dataclass(frozen=True, slots=True)
class StaffMinutes:
    """Anonymous counters of one department and day."""

    department_id: UUID
    unit_id: UUID
    day: date
    staff_present: int
    working_minutes: int
    shifts: int


@dataclass(frozen=True, slots=True)
class ShiftPlace:
    """Where a shift is kept: its department's roster of the day's month."""

    shift_id: UUID
    department_id: UUID
    day: date

    @property
    def month(self) -> str:
        return month_of(self.day)


class RosterProjection:
    """Events in, changes out; a shift's department is read from its roster's row."""

    name = "roster"

    def __init__(self, shredded_by: ShreddedBy) -> None:
        self.shredded_by = shredded_by

    def reload(self) -> None:
        """Nothing is cached between pages."""

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[RosterChange]:
        return []

    @changes.register
    def _(self, e: Unit.DepartmentAdded) -> list[RosterChange]:
        return [DepartmentKnown(e.department_id, e.originator_id)]

    @changes.register
    def _(self, e: DepartmentRoster.Opened) -> list[RosterChange]:
        return [RosterOpened(e.originator_id, e.department_id, e.unit_id)]

    @changes.register
    def _(self, e: DepartmentRoster.ShiftPlanned) -> list[RosterChange]:
        staff = e.staff_id if isinstance(e.staff_id, UUID) else None
        scope = None if staff is None else Scope(staff, STAFF_SCHEDULE, month_of(e.day))
        minutes, first = counted(e.working_minutes), bool(counted(e.first_of_day))  # 0 once culled
        return [ShiftCounted(e.shift_id, e.originator_id, e.day, minutes, first, staff, scope)]

    @changes.register
    def _(self, e: DepartmentRoster.ShiftChanged) -> list[RosterChange]:
        return [ShiftRecounted(e.shift_id, counted(e.working_minutes))]

    @changes.register
    def _(self, e: DepartmentRoster.ShiftCancelled) -> list[RosterChange]:
        return [ShiftUncounted(e.shift_id, e.last_of_day)]

    @changes.register
    def _(self, e: CompiledMonth.Compiled) -> list[RosterChange]:
        if e.sheet != Category.ROSTER_SHEET:
            return []
        return [StaffMonthFigures(tuple(e.days))]

    @changes.register
    def _(self, e: GallringRun.Decided) -> list[RosterChange]:
        if e.category != STAFF_SCHEDULE or not e.epochs:
            return []
        return [PeriodsPurged(e.category, tuple(e.epochs))]

    @changes.register
    def _(self, e: GallringRun.Executed) -> list[RosterChange]:
        scopes = tuple(s for s in self.shredded_by(e.originator_id) if s.category == STAFF_SCHEDULE)
        return [ScopesPurged(scopes)] if scopes else []


class RosterRecords:
    """Questions about staff shifts; every answer first catches the view up."""

    def __init__(self, view: RosterViewSQL, runner: ProjectionRunner) -> None:
        self.view = view
        self.runner = runner

    def unit_of(self, department_id: UUID) -> UUID | None:
        """The unit a department belongs to, or None for no such department."""
        self.runner.catch_up()
        return self.view.unit_of(department_id)

    def staff_minutes(
        self, department_ids: Iterable[UUID], first: date, last: date
    ) -> list[StaffMinutes]:
        """Staff present and working minutes per department and day, from ``first`` to
        ``last`` (both inclusive), by day; days without a shift have no row."""
        self.runner.catch_up()
        return self.view.staff_minutes(list(department_ids), first, last)

    def shift_place(self, shift_id: UUID) -> ShiftPlace | None:
        self.runner.catch_up()
        return self.view.shift_place(shift_id)

    def shifts_of(self, staff_id: UUID, first: date, last: date) -> list[ShiftPlace]:
        """Where the staff member's shifts (not cancelled, not culled) are, by day."""
        self.runner.catch_up()
        return self.view.shifts_of(staff_id, first, last)
