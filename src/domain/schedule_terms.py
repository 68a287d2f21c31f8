"""What a stay schedule (vistelseschema, SS 12000 AttendanceSchedule) says, and its rules.

A schedule is a cycle of ``number_of_weeks`` weeks from ``start_date``; each entry is one
stretch of a day of the week (1 = Monday) in one week of the cycle. Errors name the field at
fault and numbers only, never a time a guardian typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise
from uuid import UUID

from domain.errors import RuleViolationError
from domain.organisation import SchoolForm

MAX_WEEKS = 4
MAX_WEEKLY_HOURS = 7 * 24
SCHEDULED_FORMS = frozenset({str(SchoolForm.FORSKOLA), str(SchoolForm.FRITIDSHEM)})
"""School forms whose placements have stay schedules (SS 12000 FS and FTH; Gallra has no
pedagogisk omsorg school form)."""
MAX_ENTRIES = 7 * MAX_WEEKS * 4  # four stretches a day is plenty

Times = list[tuple[time, time]]


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, slots=True, order=True)
class Entry:
    """One stretch of stay: a day of the week in one week of the cycle."""

    week_offset: int
    day_of_week: int  # 1 = Monday ... 7 = Sunday (ISO)
    start_time: time
    end_time: time

    @property
    def minutes(self) -> int:
        return _minutes(self.end_time) - _minutes(self.start_time)

    def stored(self) -> list[int | str]:
        """The form an event carries: plain JSON values."""
        return [
            self.week_offset,
            self.day_of_week,
            self.start_time.strftime("%H:%M"),
            self.end_time.strftime("%H:%M"),
        ]

    @classmethod
    def from_stored(cls, value: list[int | str]) -> Entry:
        week, day, start, end = value
        return cls(
            int(week), int(day), time.fromisoformat(str(start)), time.fromisoformat(str(end))
        )


@dataclass(frozen=True, slots=True)
class ScheduleTerms:
    """Everything a client lays: compared whole when a schedule id is sent again."""

    placement_id: UUID
    start_date: date
    end_date: date | None
    number_of_weeks: int
    temporary: bool
    entries: tuple[Entry, ...]

    @classmethod
    def checked(
        cls,
        placement_id: UUID,
        start_date: date,
        end_date: date | None,
        number_of_weeks: int,
        temporary: bool,
        entries: list[Entry],
    ) -> ScheduleTerms:
        """Validated terms, entries in a canonical order (so a retry compares equal)."""
        if not 1 <= number_of_weeks <= MAX_WEEKS:
            raise RuleViolationError(
                f"number_of_weeks must be 1 to {MAX_WEEKS}", field="number_of_weeks"
            )
        if temporary and end_date is None:
            raise RuleViolationError("a temporary schedule needs an end date", field="end_date")
        if end_date is not None and end_date < start_date:
            raise RuleViolationError("a schedule cannot end before it starts", field="end_date")
        _check_entries(entries, number_of_weeks)
        return cls(
            placement_id,
            start_date,
            end_date,
            number_of_weeks,
            temporary,
            tuple(sorted(entries)),
        )

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def week_index(self, day: date) -> int:
        return ((day - self.start_date).days // 7) % self.number_of_weeks

    def times_on(self, day: date) -> Times:
        """The stretches planned on ``day`` (assumed covered); empty means scheduled off."""
        week, weekday = self.week_index(day), day.isoweekday()
        return [
            (e.start_time, e.end_time)
            for e in self.entries
            if e.week_offset == week and e.day_of_week == weekday
        ]

    def week_minutes(self) -> list[int]:
        """Planned minutes per week of the cycle, week 0 first."""
        totals = [0] * self.number_of_weeks
        for entry in self.entries:
            totals[entry.week_offset] += entry.minutes
        return totals

    def check_weekly_hours(self, weekly_hours: int | None) -> None:
        """Refuse a cycle any week of which plans more than the placement's maximum."""
        if weekly_hours is None:
            return
        limit = weekly_hours * 60
        for week, minutes in enumerate(self.week_minutes()):
            if minutes > limit:
                raise RuleViolationError(
                    f"week {week + 1} of the cycle plans {minutes} minutes, "
                    f"{minutes - limit} over the placement's maximum of {weekly_hours} hours",
                    field="entries",
                )


def check_weekly_hours_value(weekly_hours: int | None) -> None:
    if weekly_hours is not None and not 1 <= weekly_hours <= MAX_WEEKLY_HOURS:
        raise RuleViolationError(
            f"weekly_hours must be 1 to {MAX_WEEKLY_HOURS}, or none", field="weekly_hours"
        )


def check_deadline(start_date: date, today: date, deadline_days: int) -> None:
    """A guardian lays or changes a schedule only from ``deadline_days`` ahead (staff may
    lay one from any day)."""
    earliest = today + timedelta(days=deadline_days)
    if start_date < earliest:
        raise RuleViolationError(
            f"a guardian's schedule may take effect {deadline_days} days ahead at the "
            f"earliest, on {earliest.isoformat()}",
            field="start_date",
        )


def _check_entries(entries: list[Entry], number_of_weeks: int) -> None:
    if len(entries) > MAX_ENTRIES:
        raise RuleViolationError(f"at most {MAX_ENTRIES} entries", field="entries")
    by_slot: dict[tuple[int, int], list[Entry]] = {}
    for n, entry in enumerate(entries):
        if not 1 <= entry.day_of_week <= 7:
            raise RuleViolationError(f"entry {n}: day_of_week must be 1 to 7", field="entries")
        if not 0 <= entry.week_offset < number_of_weeks:
            raise RuleViolationError(
                f"entry {n}: week_offset must be 0 to {number_of_weeks - 1}", field="entries"
            )
        for t in (entry.start_time, entry.end_time):
            if t.second or t.microsecond or t.tzinfo is not None:
                raise RuleViolationError(
                    f"entry {n}: times are whole minutes, without a zone", field="entries"
                )
        if entry.start_time >= entry.end_time:
            raise RuleViolationError(
                f"entry {n}: start_time must come before end_time", field="entries"
            )
        by_slot.setdefault((entry.week_offset, entry.day_of_week), []).append(entry)
    for (week, day), slot in by_slot.items():
        slot.sort()
        for before, after in pairwise(slot):
            if after.start_time < before.end_time:
                raise RuleViolationError(
                    f"entries overlap on day {day} of week offset {week}", field="entries"
                )
