"""Commands and queries about lessons and per-lesson attendance in school, and what the law
asks of them: thresholds for following up absence, and term summaries of invalid absence.

A report of invalid absence in a compulsory school form owes the student's guardians a notice
the same day (skollagen 7 kap 17 §). The notice is queued in the transaction that records the
report, under an id derived from the student and the day, so it is owed once per day however
often the report is corrected and however many lessons the student missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from api.app_base import A, GallraBase
from domain.errors import NotFoundError, RuleViolationError
from domain.lessons import AttendanceEntry, AttendanceRow, Lesson
from domain.notices import Notice, NoticeKind
from domain.organisation import Group, SchoolForm, Unit, parse_school_forms
from domain.people import Child, Staff
from domain.personal import Category
from domain.term_summary import THRESHOLD_LIMITS, AbsenceThresholds, Term, TermSummary


@dataclass(frozen=True)
class LessonView:
    id: UUID
    unit_id: UUID
    group_id: UUID
    school_form: str
    title: str
    starts_at: datetime
    ends_at: datetime
    day: date
    cancelled: bool
    reports: list[AttendanceEntry]  # the current report per student, in first-report order


@dataclass(frozen=True)
class ReportOutcome:
    student_id: UUID
    duplicate: bool  # the same values as the current report: nothing recorded


@dataclass(frozen=True)
class SummaryOutcome:
    summary_id: UUID
    recorded: bool  # False: the same figures as on record
    corrections: int
    compiled_on: date  # of the figures on record


@dataclass(frozen=True)
class ReportResult:
    outcomes: list[ReportOutcome]
    notices: list[UUID]  # notices queued by this report


class LessonCommands(GallraBase):
    """Lessons (SS 12000 CalendarEvent) and per-student attendance (SS 12000 Attendance)."""

    def _named(self, cls: type[A], aggregate_id: UUID, what: str, field: str) -> A:
        """Like ``_get``, pointing at the input that named the missing aggregate."""
        try:
            return self._get(cls, aggregate_id, what)
        except NotFoundError as e:
            raise NotFoundError(str(e), field=field) from None

    def create_lesson(
        self,
        unit_id: UUID,
        group_id: UUID,
        school_form: str,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
    ) -> UUID:
        """Schedule a lesson for a group of a school unit that offers the school form."""
        form = parse_school_forms([school_form], field="school_form")[0]
        if starts_at.tzinfo is None:
            raise RuleViolationError("time must include a UTC offset", field="starts_at")
        day = self.local_day(starts_at)
        unit = self._named(Unit, unit_id, "unit", "unit_id")
        if not unit.holds_children:
            raise RuleViolationError(f"unit {unit_id} is not a school unit", field="unit_id")
        if form not in unit.school_forms:
            raise RuleViolationError(
                f"unit {unit_id} does not have that school form", field="school_form"
            )
        group = self._named(Group, group_id, "group", "group_id")
        if group.unit_id != unit_id:
            raise RuleViolationError(f"group {group_id} is not at unit {unit_id}", field="group_id")
        if form not in group.school_forms:
            raise RuleViolationError(
                f"group {group_id} does not have that school form", field="school_form"
            )
        if not group.active_on(day):
            raise RuleViolationError(f"group {group_id} is not active on {day}", field="group_id")
        lesson = Lesson.schedule(unit_id, group_id, str(form), title, starts_at, ends_at, day)
        self.save(lesson)
        return lesson.id

    def get_lesson(self, lesson_id: UUID) -> LessonView:
        lesson = self._get(Lesson, lesson_id, "lesson")
        return LessonView(
            id=lesson.id,
            unit_id=lesson.unit_id,
            group_id=lesson.group_id,
            school_form=lesson.school_form,
            title=lesson.course,
            starts_at=lesson.starts_at,
            ends_at=lesson.ends_at,
            day=lesson.day,
            cancelled=lesson.cancelled,
            reports=list(lesson.entries.values()),
        )

    def cancel_lesson(self, lesson_id: UUID) -> None:
        """Cancel a lesson before anyone reports on it; a retry changes nothing."""

        def command() -> None:
            lesson = self._get(Lesson, lesson_id, "lesson")
            if lesson.cancel():
                self.save(lesson)

        self._retrying(command)

    def report_attendance(
        self, lesson_id: UUID, reporter_id: UUID, reports: list[AttendanceRow]
    ) -> ReportResult:
        """Record every row, and the notices they owe, in one transaction, or nothing."""

        def command() -> ReportResult:
            lesson = self._get(Lesson, lesson_id, "lesson")
            lesson.check_rows(reports)
            self._refuse_culled(lesson.day)
            self._named(Staff, reporter_id, "staff member", "reporter_id")
            students = {
                row.student_id: self._student_in(lesson, row.student_id, i)
                for i, row in enumerate(reports)
            }
            recorded = lesson.report(reporter_id, reports)
            notices = [
                n
                for row in recorded
                if (n := self._invalid_absence_notice(lesson, students[row.student_id], row))
            ]
            if recorded:
                self.save(lesson, *notices)
            done = {row.student_id for row in recorded}
            return ReportResult(
                [ReportOutcome(r.student_id, r.student_id not in done) for r in reports],
                [n.id for n in notices],
            )

        return self._retrying(command)  # type: ignore[no-any-return]

    def _student_in(self, lesson: Lesson, student_id: UUID, row: int) -> Child:
        field = f"reports.{row}.student_id"
        child = self._named(Child, student_id, "student", field)
        if not any(
            m.group_id == lesson.group_id and m.active_on(lesson.day)
            for m in child.memberships.values()
        ):
            raise RuleViolationError(
                f"student {student_id} is not in group {lesson.group_id} on {lesson.day}",
                field=field,
            )
        return child

    def _invalid_absence_notice(
        self, lesson: Lesson, child: Child, row: AttendanceRow
    ) -> Notice | None:
        """The guardians' notice this row owes, unless it is owed by an earlier report."""
        if row.invalid_absence_minutes <= 0 or not SchoolForm(lesson.school_form).compulsory:
            return None
        notice_id = self.keystore.derived_id(NoticeKind.INVALID_ABSENCE, child.id, lesson.day)
        if self._exists(notice_id):
            return None
        return Notice(
            id=notice_id,
            kind=str(NoticeKind.INVALID_ABSENCE),
            category=str(Category.ATTENDANCE),
            subject_id=child.id,
            day=lesson.day,
            recipients=child.custodians() or list(child.guardians),
            details={"lessons": [str(lesson.id)], "invalid_minutes": row.invalid_absence_minutes},
        )

    # -- what the law asks of the records ------------------------------------------------

    def absence_thresholds(self, unit_id: UUID) -> tuple[AbsenceThresholds, bool]:
        """A school unit's thresholds, and whether they are the defaults (none set)."""
        unit = self._named(Unit, unit_id, "unit", "unit_id")
        if unit.absence_thresholds is None:
            return AbsenceThresholds(), True
        known = {k: v for k, v in unit.absence_thresholds.items() if k in THRESHOLD_LIMITS}
        return AbsenceThresholds(**known), False

    def set_absence_thresholds(self, unit_id: UUID, thresholds: AbsenceThresholds) -> None:
        """Set a school unit's thresholds; the same ones again record nothing."""

        def command() -> None:
            unit = self._named(Unit, unit_id, "unit", "unit_id")
            if unit.set_absence_thresholds(thresholds):
                self.save(unit)

        self._retrying(command)

    def record_term_summary(
        self, student_id: UUID, term: Term, minutes: int, lessons: int
    ) -> SummaryOutcome:
        """Record a term's compiled invalid absence once; other figures are a correction.
        Refused for a term not begun, and for one whose attendance is already culled."""
        today = self.local_day(self.clock())
        if term.first > today:
            raise RuleViolationError(f"term {term.code} has not begun", field="term")
        for month in term.months():
            self._refuse_culled(month)
        summary_id = self.keystore.derived_id("term-summary", student_id, term.code)

        def command() -> SummaryOutcome:
            self._named(Child, student_id, "student", "student_id")
            if not self._exists(summary_id):
                summary = TermSummary(
                    id=summary_id,
                    term=term.code,
                    compiled_on=today,
                    student_id=student_id,
                    invalid_absence_minutes=minutes,
                    invalid_absence_lessons=lessons,
                )
                self.save(summary)
                return SummaryOutcome(summary_id, True, 0, today)
            summary = self._get(TermSummary, summary_id, "term summary")
            recorded = summary.recompile(today, minutes, lessons)
            if recorded:
                self.save(summary)
            return SummaryOutcome(summary_id, recorded, summary.corrections, summary.compiled_on)

        return self._retrying(command)  # type: ignore[no-any-return]
