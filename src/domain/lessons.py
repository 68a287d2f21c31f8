"""Lessons in school (SS 12000 CalendarEvent) and each student's attendance at them (SS 12000
Attendance), one stream per lesson.

Why per lesson: like a department-day, a lesson's stream links nobody over time. Its plaintext
(unit, group, school form, times, course, day, minutes, a random entry id per student) says
nothing about who; the student reference and the reporter are sealed under the student's
attendance scope for the lesson's month, the absence reason under the health scope. So the
minutes survive culling as anonymous statistics, and a correction, recorded as a new event
under the same random entry id, still replaces the earlier minutes once the student is culled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, RuleViolationError
from domain.personal import Category, MonthOf, Personal, Shredded

_ATT = Personal(Category.ATTENDANCE, subject="student_id", epoch=MonthOf("day"))
_HEALTH = Personal(Category.HEALTH, subject="student_id", epoch=MonthOf("day"))

MAX_LENGTH = timedelta(hours=8)
MAX_COURSE = 200
MAX_REASON = 2000
MINUTE_FIELDS = (
    "attendance_minutes",
    "valid_absence_minutes",
    "invalid_absence_minutes",
    "other_attendance_minutes",
)


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    """One student's attendance at one lesson as a teacher reports it."""

    student_id: UUID
    attendance_minutes: int = 0
    valid_absence_minutes: int = 0
    invalid_absence_minutes: int = 0
    other_attendance_minutes: int = 0
    absence_reason: str | None = None

    @property
    def minutes(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in MINUTE_FIELDS)


@dataclass(frozen=True, slots=True)
class AttendanceEntry:
    """A student's current report at a lesson (the latest wins); culled fields are Shredded."""

    entry_id: UUID
    student_id: UUID | Shredded
    reporter_id: UUID | Shredded
    attendance_minutes: int
    valid_absence_minutes: int
    invalid_absence_minutes: int
    other_attendance_minutes: int
    absence_reason: str | Shredded | None
    corrections: int = 0  # how many earlier reports this one replaced

    @property
    def minutes(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in MINUTE_FIELDS)


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise RuleViolationError("time must include a UTC offset", field=name)
    if ends_at <= starts_at:
        raise RuleViolationError("a lesson must end after it starts", field="ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise RuleViolationError("a lesson lasts at most 8 hours", field="ends_at")


class Lesson(Aggregate):
    class Created(Aggregate.Created):
        unit_id: UUID
        group_id: UUID
        school_form: str
        course: str  # what is taught (Matematik): public schedule data, not a person's
        starts_at: datetime
        ends_at: datetime
        day: date  # the local date of the start

    class AttendanceReported(Aggregate.Event):
        entry_id: UUID  # random per student and lesson: links a correction to its report only
        day: date
        attendance_minutes: int
        valid_absence_minutes: int
        invalid_absence_minutes: int
        other_attendance_minutes: int
        student_id: Annotated[UUID | Shredded, _ATT]
        reporter_id: Annotated[UUID | Shredded, _ATT]
        absence_reason: Annotated[str | Shredded | None, _HEALTH]

    class Cancelled(Aggregate.Event):
        pass

    @classmethod
    def schedule(
        cls,
        unit_id: UUID,
        group_id: UUID,
        school_form: str,
        course: str,
        starts_at: datetime,
        ends_at: datetime,
        day: date,
    ) -> Lesson:
        """A new lesson; ``day`` is the start's local date (the caller knows the time zone)."""
        _check_times(starts_at, ends_at)
        course = course.strip()
        if not course or len(course) > MAX_COURSE:
            raise RuleViolationError(f"a title has 1 to {MAX_COURSE} characters", field="title")
        return cls._create(
            cls.Created,
            id=uuid4(),
            unit_id=unit_id,
            group_id=group_id,
            school_form=school_form,
            course=course,
            starts_at=starts_at.astimezone(UTC),
            ends_at=ends_at.astimezone(UTC),
            day=day,
        )

    @event(Created)
    def __init__(
        self,
        unit_id: UUID,
        group_id: UUID,
        school_form: str,
        course: str,
        starts_at: datetime,
        ends_at: datetime,
        day: date,
    ) -> None:
        self.unit_id = unit_id
        self.group_id = group_id
        self.school_form = school_form
        self.course = course
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.day = day
        self.cancelled = False
        self.entries: dict[UUID, AttendanceEntry] = {}
        self._entry_of: dict[UUID, UUID] = {}  # student -> entry, for students not culled

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def entry_for(self, student_id: UUID) -> AttendanceEntry | None:
        entry_id = self._entry_of.get(student_id)
        return None if entry_id is None else self.entries[entry_id]

    # -- commands --------------------------------------------------------------------------

    def check_rows(self, rows: list[AttendanceRow]) -> None:
        """Refuse the whole report if any row is wrong, before anything is recorded."""
        if self.cancelled:
            raise ConflictError(f"lesson {self.id} is cancelled", field="lesson_id")
        if not rows:
            raise RuleViolationError("a report needs at least one student", field="reports")
        seen: set[UUID] = set()
        for i, row in enumerate(rows):
            if row.student_id in seen:
                raise RuleViolationError(
                    f"student {row.student_id} appears twice", field=f"reports.{i}.student_id"
                )
            seen.add(row.student_id)
            for name, value in zip(MINUTE_FIELDS, row.minutes, strict=True):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise RuleViolationError(
                        "minutes are whole non-negative numbers", field=f"reports.{i}.{name}"
                    )
            if sum(row.minutes) > self.length_minutes:
                raise RuleViolationError(
                    f"the minutes add up to more than the lesson's {self.length_minutes}",
                    field=f"reports.{i}",
                )
            if row.absence_reason is not None and len(row.absence_reason) > MAX_REASON:
                raise RuleViolationError(
                    f"an absence reason has at most {MAX_REASON} characters",
                    field=f"reports.{i}.absence_reason",
                )

    def report(self, reporter_id: UUID, rows: list[AttendanceRow]) -> list[AttendanceRow]:
        """Record each row unless it repeats the student's current report; returns the rows
        recorded. A row for a student already reported is a correction: a new event."""
        self.check_rows(rows)
        recorded: list[AttendanceRow] = []
        for row in rows:
            reason = (row.absence_reason or "").strip() or None
            current = self.entry_for(row.student_id)
            if current is not None and (current.minutes, current.absence_reason) == (
                row.minutes,
                reason,
            ):
                continue  # a retry, or the same values again: nothing new to record
            self._reported(
                entry_id=current.entry_id if current is not None else uuid4(),
                day=self.day,
                attendance_minutes=row.attendance_minutes,
                valid_absence_minutes=row.valid_absence_minutes,
                invalid_absence_minutes=row.invalid_absence_minutes,
                other_attendance_minutes=row.other_attendance_minutes,
                student_id=row.student_id,
                reporter_id=reporter_id,
                absence_reason=reason,
            )
            recorded.append(row)
        return recorded

    @event(AttendanceReported)
    def _reported(
        self,
        entry_id: UUID,
        day: date,
        attendance_minutes: int,
        valid_absence_minutes: int,
        invalid_absence_minutes: int,
        other_attendance_minutes: int,
        student_id: UUID | Shredded,
        reporter_id: UUID | Shredded,
        absence_reason: str | Shredded | None,
    ) -> None:
        previous = self.entries.get(entry_id)
        self.entries[entry_id] = AttendanceEntry(
            entry_id,
            student_id,
            reporter_id,
            attendance_minutes,
            valid_absence_minutes,
            invalid_absence_minutes,
            other_attendance_minutes,
            absence_reason,
            0 if previous is None else previous.corrections + 1,
        )
        if isinstance(student_id, UUID):
            self._entry_of[student_id] = entry_id

    def cancel(self) -> bool:
        """Cancel a lesson nobody has reported on; cancelling again changes nothing."""
        if self.cancelled:
            return False
        if self.entries:
            raise ConflictError(
                f"lesson {self.id} has attendance reported; correct it instead",
                field="lesson_id",
            )
        self._cancelled()
        return True

    @event(Cancelled)
    def _cancelled(self) -> None:
        self.cancelled = True
