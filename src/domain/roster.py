"""Staff shifts (schemauppgifter) per department and month: start, end, breaks, type of shift.

One ``DepartmentRoster`` stream per department and month, its id derived from both, so the
month's roster is found without an index and nothing readable in it links one person over
more than a month. Readable: the day, the client-chosen shift id, the working minutes and the
department's unit (the statistic "children per staff member present" needs them); who works
and when is sealed under the staff member's staff-schedule scope for the month of the day.

Each event also carries, readable, what it did to the day's anonymous head count
(``first_of_day``: the staff member had no other shift there that day; ``last_of_day``: the
cancelled shift was their only one), so the counters are sums of readable facts and a rebuild
after culling gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from typing import Annotated, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.personal import Category, MonthOf, Personal, Shredded, Veil
from domain.shift_times import MAX_BREAKS, MAX_SHIFT_MINUTES, Break, ShiftTimes, ShiftType

_SHIFT = Personal(Category.STAFF_SCHEDULE, subject="staff_id", epoch=MonthOf("day"))
# Whose keys a month's shifts use, and each shift's share of the day's staff counters, are
# sealed under the month's roster sheet (ADR 0022); gallring compiles the month's staff
# figures before it culls the sheet.
_PLANNED_SHEET = Veil(
    Category.ROSTER_SHEET, MonthOf("day"), fields=("working_minutes", "first_of_day")
)
_CHANGED_SHEET = Veil(Category.ROSTER_SHEET, MonthOf("day"), fields=("working_minutes",))
_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/department-roster")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def roster_id(department_id: UUID, month: str) -> UUID:
    """Derived from non-personal values only (department and "YYYY-MM")."""
    return uuid5(_NAMESPACE, f"{department_id}/{month}")


def _decoded_breaks(value: Any) -> tuple[Break, ...] | Shredded:
    if isinstance(value, Shredded):
        return value
    return tuple((s, e) for s, e in value)


@dataclass(frozen=True, slots=True)
class Shift:
    shift_id: UUID
    day: date
    working_minutes: int | Shredded
    staff_id: UUID | Shredded
    start: time | Shredded
    end: time | Shredded
    breaks: tuple[Break, ...] | Shredded
    shift_type: str | Shredded
    cancelled: bool = False

    @property
    def culled(self) -> bool:
        return isinstance(self.staff_id, Shredded)

    def times(self) -> ShiftTimes | None:
        """The shift's times, or None if any part reads as culled."""
        s, e, b, t = self.start, self.end, self.breaks, self.shift_type
        if isinstance(s, Shredded) or isinstance(e, Shredded):
            return None
        if isinstance(b, Shredded) or isinstance(t, Shredded):
            return None
        return ShiftTimes(s, e, b, ShiftType(t))


class DepartmentRoster(Aggregate):
    """The staff shifts of one department in one month."""

    class Opened(Aggregate.Created):
        department_id: UUID
        unit_id: UUID
        month: str

    class ShiftPlanned(Aggregate.Event):
        veil: ClassVar[Veil] = _PLANNED_SHEET
        shift_id: UUID
        day: date
        working_minutes: int | Shredded
        first_of_day: bool | Shredded
        staff_id: Annotated[UUID | Shredded, _SHIFT]
        start: Annotated[time | Shredded, _SHIFT]
        end: Annotated[time | Shredded, _SHIFT]
        breaks: Annotated[list[list[time]] | Shredded, _SHIFT]
        shift_type: Annotated[str | Shredded, _SHIFT]

    class ShiftChanged(Aggregate.Event):
        """New times, breaks or type; the staff member and the day stay the shift's own."""

        veil: ClassVar[Veil] = _CHANGED_SHEET
        shift_id: UUID
        day: date
        working_minutes: int | Shredded
        staff_id: Annotated[UUID | Shredded, _SHIFT]
        start: Annotated[time | Shredded, _SHIFT]
        end: Annotated[time | Shredded, _SHIFT]
        breaks: Annotated[list[list[time]] | Shredded, _SHIFT]
        shift_type: Annotated[str | Shredded, _SHIFT]

    class ShiftCancelled(Aggregate.Event):
        shift_id: UUID
        day: date
        last_of_day: bool

    @classmethod
    def open(cls, department_id: UUID, unit_id: UUID, month: str) -> DepartmentRoster:
        return cls._create(
            cls.Opened,
            id=roster_id(department_id, month),
            department_id=department_id,
            unit_id=unit_id,
            month=month,
        )

    @event(Opened)
    def __init__(self, department_id: UUID, unit_id: UUID, month: str) -> None:
        self.department_id = department_id
        self.unit_id = unit_id
        self.month = month
        self.shifts: dict[UUID, Shift] = {}

    # -- reading ---------------------------------------------------------------------------

    def live_shifts(self) -> list[Shift]:
        """Shifts not cancelled, by day and start (culled ones last on their day)."""
        live = [s for s in self.shifts.values() if not s.cancelled]
        return sorted(
            live, key=lambda s: (s.day, s.start if isinstance(s.start, time) else time.max)
        )

    def _others_on(self, staff_id: UUID, day: date, but: UUID) -> list[Shift]:
        return [
            s
            for s in self.shifts.values()
            if s.staff_id == staff_id and s.day == day and not s.cancelled and s.shift_id != but
        ]

    # -- commands --------------------------------------------------------------------------

    def plan(self, shift_id: UUID, staff_id: UUID, day: date, times: ShiftTimes) -> bool:
        """Plan a shift; returns False for a retry (same id and content), which records
        nothing. The same id with other content is refused."""
        existing = self.shifts.get(shift_id)
        if existing is not None:
            same = (existing.staff_id, existing.day, existing.times()) == (staff_id, day, times)
            if same and not existing.cancelled:
                return False
            raise SubmissionMismatchError(
                f"shift {shift_id} was already planned with other content", field="shift_id"
            )
        if month_of(day) != self.month:
            raise RuleViolationError(f"day is not in the roster's month {self.month}", field="day")
        others = self._others_on(staff_id, day, shift_id)
        self._check_overlap(others, times)
        self._planned(
            shift_id=shift_id,
            day=day,
            working_minutes=times.working_minutes,
            first_of_day=not others,
            staff_id=staff_id,
            start=times.start,
            end=times.end,
            breaks=times.encoded_breaks(),
            shift_type=str(times.shift_type),
        )
        return True

    def change(self, shift_id: UUID, staff_id: UUID, day: date, times: ShiftTimes) -> bool:
        """New times, breaks or type for a planned shift; False if nothing changed."""
        shift = self._live(shift_id)
        if (shift.staff_id, shift.day) != (staff_id, day):
            raise SubmissionMismatchError(
                f"shift {shift_id} belongs to another staff member or day; cancel it and plan "
                "a new one",
                field="shift_id",
            )
        if shift.times() == times:
            return False
        self._check_overlap(self._others_on(staff_id, day, shift_id), times)
        self._changed(
            shift_id=shift_id,
            day=day,
            working_minutes=times.working_minutes,
            staff_id=staff_id,
            start=times.start,
            end=times.end,
            breaks=times.encoded_breaks(),
            shift_type=str(times.shift_type),
        )
        return True

    def cancel(self, shift_id: UUID) -> bool:
        """Cancel a shift; False if it already was (a retry)."""
        shift = self.shifts.get(shift_id)
        if shift is None:
            raise NotFoundError(f"no shift with id {shift_id}", field="shift_id")
        if shift.cancelled:
            return False
        if shift.culled:
            raise ConflictError(f"shift {shift_id} has been culled", field="shift_id")
        assert isinstance(shift.staff_id, UUID)
        others = self._others_on(shift.staff_id, shift.day, shift_id)
        self._cancelled(shift_id=shift_id, day=shift.day, last_of_day=not others)
        return True

    def _live(self, shift_id: UUID) -> Shift:
        shift = self.shifts.get(shift_id)
        if shift is None:
            raise NotFoundError(f"no shift with id {shift_id}", field="shift_id")
        if shift.cancelled:
            raise ConflictError(f"shift {shift_id} was cancelled", field="shift_id")
        if shift.culled:
            raise ConflictError(f"shift {shift_id} has been culled", field="shift_id")
        return shift

    @staticmethod
    def _check_overlap(others: list[Shift], times: ShiftTimes) -> None:
        for other in others:
            s, e = other.start, other.end
            if isinstance(s, time) and isinstance(e, time) and times.overlaps(s, e):
                raise ConflictError(
                    f"the staff member already has shift {other.shift_id} at that time",
                    field="start",
                )

    # -- events ----------------------------------------------------------------------------

    @event(ShiftPlanned)
    def _planned(
        self,
        shift_id: UUID,
        day: date,
        working_minutes: int | Shredded,
        first_of_day: bool | Shredded,
        staff_id: UUID | Shredded,
        start: time | Shredded,
        end: time | Shredded,
        breaks: list[list[time]] | Shredded,
        shift_type: str | Shredded,
    ) -> None:
        self.shifts[shift_id] = Shift(
            shift_id,
            day,
            working_minutes,
            staff_id,
            start,
            end,
            _decoded_breaks(breaks),
            shift_type,
        )

    @event(ShiftChanged)
    def _changed(
        self,
        shift_id: UUID,
        day: date,
        working_minutes: int | Shredded,
        staff_id: UUID | Shredded,
        start: time | Shredded,
        end: time | Shredded,
        breaks: list[list[time]] | Shredded,
        shift_type: str | Shredded,
    ) -> None:
        self.shifts[shift_id] = Shift(
            shift_id,
            day,
            working_minutes,
            staff_id,
            start,
            end,
            _decoded_breaks(breaks),
            shift_type,
        )

    @event(ShiftCancelled)
    def _cancelled(self, shift_id: UUID, day: date, last_of_day: bool) -> None:
        self.shifts[shift_id] = replace(self.shifts[shift_id], cancelled=True)


__all__ = [
    "MAX_BREAKS",
    "MAX_SHIFT_MINUTES",
    "Break",
    "DepartmentRoster",
    "Shift",
    "ShiftTimes",
    "ShiftType",
    "month_of",
    "roster_id",
]
