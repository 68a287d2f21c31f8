"""The read side of school attendance: each student's current report per lesson, anonymous
counters per unit, school form and day, and the index of term summaries.

A student's rows name the scope their values were sealed under (student, attendance, month;
student, placement, term for a summary) and go when it is culled, as the acl_ rows do: on
``GallringRun.Executed`` by asking the key store which scopes the run destroyed, and already on
``Decided`` for the periods the run closes. The counters are built from readable fields only
(the lesson's unit, form, day and length; each report's random entry id and minutes), so they
are never purged and a rebuild after culling gives the same numbers. A correction carries the
entry id of the report it replaces, so the latest report wins in both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.gallring import GallringRun
from domain.lessons import Lesson
from domain.personal import Category
from domain.term_summary import AbsenceFlag, AbsenceThresholds, Term, TermSummary, absence_flags
from projections.access import PeriodsPurged, ScopesPurged, ShreddedBy
from retention.keys.scope import Scope

if TYPE_CHECKING:
    from projections.runner import ProjectionRunner
    from projections.views.lessons import LessonViewSQL

ATTENDANCE, PLACEMENT = str(Category.ATTENDANCE), str(Category.PLACEMENT)
_CATEGORIES = (ATTENDANCE, PLACEMENT)


@dataclass(frozen=True, slots=True)
class Scheduled:
    lesson_id: UUID
    unit_id: UUID
    group_id: UUID
    school_form: str
    title: str
    starts_at: datetime
    day: date
    minutes: int


@dataclass(frozen=True, slots=True)
class Cancelled:
    lesson_id: UUID


@dataclass(frozen=True, slots=True)
class Reported:
    """A report or its correction; ``student_id`` None when it reads as culled."""

    entry_id: UUID
    lesson_id: UUID
    minutes: tuple[int, int, int, int]  # attendance, valid, invalid, other
    student_id: UUID | None
    scope: Scope | None


@dataclass(frozen=True, slots=True)
class Summarised:
    summary_id: UUID
    student_id: UUID
    term: str
    compiled_on: date
    invalid_absence_minutes: int
    invalid_absence_lessons: int
    scope: Scope


LessonChange = Scheduled | Cancelled | Reported | Summarised | ScopesPurged | PeriodsPurged


@dataclass(frozen=True, slots=True)
class StudentLesson:
    """One student's current report at one lesson."""

    student_id: UUID
    lesson_id: UUID
    unit_id: UUID
    group_id: UUID
    school_form: str
    title: str
    starts_at: datetime
    day: date
    scheduled_minutes: int
    attendance_minutes: int
    valid_absence_minutes: int
    invalid_absence_minutes: int
    other_attendance_minutes: int


@dataclass(frozen=True, slots=True)
class UnitDay:
    """Anonymous counters of one unit, school form and day."""

    unit_id: UUID
    school_form: str
    day: date
    lessons: int
    scheduled_minutes: int
    reports: int
    attendance_minutes: int
    valid_absence_minutes: int
    invalid_absence_minutes: int
    other_attendance_minutes: int


@dataclass(frozen=True, slots=True)
class SummaryRow:
    term: str
    compiled_on: date
    invalid_absence_minutes: int
    invalid_absence_lessons: int
    corrections: int


def minutes_of(r: StudentLesson | Lesson.AttendanceReported) -> tuple[int, int, int, int]:
    return (
        r.attendance_minutes,
        r.valid_absence_minutes,
        r.invalid_absence_minutes,
        r.other_attendance_minutes,
    )


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class LessonProjection:
    """Events in, changes out; a lesson's unit, form and day are read from its row in the
    view, in the transaction that applies a report."""

    name = "lessons"

    def __init__(self, shredded_by: ShreddedBy) -> None:
        self.shredded_by = shredded_by

    def reload(self) -> None:
        """Nothing is cached between pages."""

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[LessonChange]:
        return []

    @changes.register
    def _(self, e: Lesson.Created) -> list[LessonChange]:
        minutes = int((e.ends_at - e.starts_at).total_seconds() // 60)
        lesson = (e.originator_id, e.unit_id, e.group_id, e.school_form, e.course)
        return [Scheduled(*lesson, e.starts_at, e.day, minutes)]

    @changes.register
    def _(self, e: Lesson.Cancelled) -> list[LessonChange]:
        return [Cancelled(e.originator_id)]

    @changes.register
    def _(self, e: Lesson.AttendanceReported) -> list[LessonChange]:
        minutes = minutes_of(e)
        if not isinstance(e.student_id, UUID):  # culled: the counters only
            return [Reported(e.entry_id, e.originator_id, minutes, None, None)]
        scope = Scope(e.student_id, ATTENDANCE, _month(e.day))
        return [Reported(e.entry_id, e.originator_id, minutes, e.student_id, scope)]

    @changes.register
    def _(self, e: TermSummary.Compiled | TermSummary.Corrected) -> list[LessonChange]:
        student, minutes, lessons = (
            e.student_id,
            e.invalid_absence_minutes,
            e.invalid_absence_lessons,
        )
        if not (isinstance(student, UUID) and isinstance(minutes, int)):
            return []
        if not isinstance(lessons, int):
            return []
        scope = Scope(student, PLACEMENT, e.term)
        summary = (e.originator_id, student, e.term, e.compiled_on, minutes, lessons)
        return [Summarised(*summary, scope)]

    @changes.register
    def _(self, e: GallringRun.Decided) -> list[LessonChange]:
        if e.category not in _CATEGORIES or not e.epochs:
            return []
        return [PeriodsPurged(e.category, tuple(e.epochs))]

    @changes.register
    def _(self, e: GallringRun.Executed) -> list[LessonChange]:
        scopes = tuple(s for s in self.shredded_by(e.originator_id) if s.category in _CATEGORIES)
        return [ScopesPurged(scopes)] if scopes else []


class LessonRecords:
    """Questions about school attendance; every answer first catches the view up."""

    def __init__(self, view: LessonViewSQL, runner: ProjectionRunner) -> None:
        self.view = view
        self.runner = runner

    def place(self, lesson_id: UUID) -> tuple[UUID, UUID, date] | None:
        """A lesson's unit, group and day, or None for no such lesson."""
        self.runner.catch_up()
        return self.view.lesson_place(lesson_id)

    def attendance(
        self, student_id: UUID, since: date, until: date, units: frozenset[UUID] | None = None
    ) -> list[StudentLesson]:
        """The student's reports from ``since`` to ``until`` (both inclusive), in time order;
        with ``units``, only lessons at those units."""
        self.runner.catch_up()
        rows = self.view.lessons_of("student_id", student_id, since, until)
        return [r for r in rows if units is None or r.unit_id in units]

    def flags(
        self, unit_id: UUID, students: Iterable[UUID], as_of: date, thresholds: AbsenceThresholds
    ) -> dict[UUID, list[AbsenceFlag]]:
        """Which of ``students`` break a threshold, counting their lessons at the unit."""
        self.runner.catch_up()
        since = date.fromordinal(as_of.toordinal() - thresholds.look_back_days + 1)
        by_student: dict[UUID, list[StudentLesson]] = {s: [] for s in students}
        for row in self.view.lessons_of("unit_id", unit_id, since, as_of):
            if row.student_id in by_student:
                by_student[row.student_id].append(row)
        found = {s: absence_flags(rows, as_of, thresholds) for s, rows in by_student.items()}
        return {s: f for s, f in found.items() if f}

    def invalid_absence(self, student_id: UUID, term: Term) -> tuple[int, int]:
        """The term's invalid absence: minutes, and lessons with any."""
        rows = self.attendance(student_id, term.first, term.last)
        invalid = [r.invalid_absence_minutes for r in rows if r.invalid_absence_minutes > 0]
        return sum(invalid), len(invalid)

    def term_summaries(self, student_id: UUID) -> list[SummaryRow]:
        self.runner.catch_up()
        return self.view.summaries(student_id)

    def unit_days(self, unit_id: UUID, first: date, last: date) -> list[UnitDay]:
        """The anonymous counters of a unit, per school form and day."""
        self.runner.catch_up()
        return self.view.unit_days(unit_id, first, last)
