"""Request and response models for lessons and per-lesson attendance (SS 12000 CalendarEvent,
Attendance, AggregatedAttendance) and the read side's answers. Rules beyond shape (the sum of
minutes, group membership, thresholds that fit their window) are the application's, so every
caller gets the same rule and the same ``field``."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from api.http.schemas import Model, shown
from api.lesson_commands import LessonView
from domain.lessons import MINUTE_FIELDS
from domain.term_summary import THRESHOLD_LIMITS, AbsenceFlag, AbsenceThresholds
from projections.lessons import StudentLesson, minutes_of

_MINUTES = Field(default=0, ge=0, le=480)


class LessonCreate(Model):
    unit_id: UUID
    group_id: UUID
    school_form: str = Field(max_length=40, description="one of the unit's and the group's")
    title: str = Field(
        min_length=1, max_length=200, description="the course or subject; never a person's name"
    )
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="after the start, at most 8 hours later")


class AttendanceReportRow(Model):
    student_id: UUID
    attendance_minutes: int = _MINUTES
    valid_absence_minutes: int = _MINUTES
    invalid_absence_minutes: int = _MINUTES
    other_attendance_minutes: int = _MINUTES
    absence_reason: str | None = Field(default=None, max_length=2000)


class AttendanceReport(Model):
    reports: list[AttendanceReportRow] = Field(min_length=1, max_length=500)


class ReportRowOutcome(Model):
    student_id: UUID
    duplicate: bool = Field(description="the same as the current report: nothing recorded")


class ReportOutcomePublic(Model):
    reports: list[ReportRowOutcome]
    notices_queued: int = Field(description="invalid-absence notices to guardians now owed")


class ReportPublic(Model):
    entry_id: UUID
    student_id: UUID | None
    reporter_id: UUID | None
    attendance_minutes: int
    valid_absence_minutes: int
    invalid_absence_minutes: int
    other_attendance_minutes: int
    absence_reason: str | None
    corrections: int
    culled: list[str] = Field(default_factory=list)


class LessonPublic(Model):
    id: UUID
    unit_id: UUID
    group_id: UUID
    school_form: str
    title: str
    starts_at: datetime
    ends_at: datetime
    day: date
    cancelled: bool
    reports: list[ReportPublic]


# -- the read side: a student's attendance, absence follow-up, term summaries ---------------


class StudentLessonPublic(Model):
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


class AggregatedAttendancePublic(Model):
    """SS 12000 AggregatedAttendance: the sums of one unit and school form over the period."""

    unit_id: UUID
    school_form: str
    start_date: date
    end_date: date
    lessons: int
    scheduled_minutes: int = Field(description="offered instruction time")
    attendance_minutes: int
    valid_absence_minutes: int
    invalid_absence_minutes: int
    other_attendance_minutes: int


class StudentAttendancePublic(Model):
    student_id: UUID
    since: date
    until: date
    lessons: list[StudentLessonPublic]
    aggregated: list[AggregatedAttendancePublic]


def _threshold(name: str, description: str) -> Any:
    low, high = THRESHOLD_LIMITS[name]
    default = getattr(AbsenceThresholds(), name)
    return Field(default=default, ge=low, le=high, description=description)


class AbsenceThresholdsBody(Model):
    """Omitted fields take the default (ADR 0014)."""

    absence_percent: int = _threshold("absence_percent", "valid + invalid, % of scheduled")
    percent_window_days: int = _threshold("percent_window_days", "days the share counts over")
    percent_min_lessons: int = _threshold("percent_min_lessons", "lessons before it counts")
    invalid_days: int = _threshold("invalid_days", "days with invalid absence in window_days")
    window_days: int = _threshold("window_days", "days the next two rules look back")
    consecutive_days: int = _threshold("consecutive_days", "school days absent in a row")


class AbsenceThresholdsPublic(AbsenceThresholdsBody):
    defaults: bool = Field(description="true: the unit has set none, these are the defaults")


class AbsenceFlagPublic(Model):
    rule: str = Field(description="absence-share, invalid-days or consecutive-days")
    since: date
    until: date
    figures: dict[str, int]


class StudentFlagsPublic(Model):
    student_id: UUID
    flags: list[AbsenceFlagPublic]


class AbsenceFlagsPublic(Model):
    unit_id: UUID
    as_of: date
    thresholds: AbsenceThresholdsPublic
    students: list[StudentFlagsPublic]


class TermSummaryCreate(Model):
    term: str = Field(max_length=6, description="HT2026 (1 Aug-31 Dec) or VT2027 (1 Jan-31 Jul)")


class TermSummaryPublic(Model):
    term: str
    compiled_on: date
    invalid_absence_minutes: int
    invalid_absence_lessons: int
    corrections: int


# -- building responses ----------------------------------------------------------------------


def lesson_public(view: LessonView) -> LessonPublic:
    reports = []
    for entry in view.reports:
        # not asdict: it would turn a Shredded marker into a dict
        values, culled = shown({f.name: getattr(entry, f.name) for f in fields(entry)})
        reports.append(ReportPublic(culled=culled, **values))
    return LessonPublic(
        id=view.id,
        unit_id=view.unit_id,
        group_id=view.group_id,
        school_form=view.school_form,
        title=view.title,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        day=view.day,
        cancelled=view.cancelled,
        reports=reports,
    )


def attendance_public(
    student_id: UUID, since: date, until: date, rows: list[StudentLesson]
) -> StudentAttendancePublic:
    lessons = [
        StudentLessonPublic(**{k: v for k, v in asdict(r).items() if k != "student_id"})
        for r in rows
    ]
    sums: dict[tuple[UUID, str], list[int]] = {}
    for r in rows:  # SS 12000 AggregatedAttendance: per unit and school form
        s = sums.setdefault((r.unit_id, r.school_form), [0] * 6)
        for i, v in enumerate((1, r.scheduled_minutes, *minutes_of(r))):
            s[i] += v
    counts = ("lessons", "scheduled_minutes", *MINUTE_FIELDS)
    aggregated = [
        AggregatedAttendancePublic(
            unit_id=unit,
            school_form=form,
            start_date=since,
            end_date=until,
            **dict(zip(counts, s, strict=True)),
        )
        for (unit, form), s in sums.items()
    ]
    return StudentAttendancePublic(
        student_id=student_id, since=since, until=until, lessons=lessons, aggregated=aggregated
    )


def thresholds_public(thresholds: AbsenceThresholds, defaults: bool) -> AbsenceThresholdsPublic:
    return AbsenceThresholdsPublic(defaults=defaults, **thresholds.as_dict())


def flags_public(
    unit_id: UUID,
    as_of: date,
    thresholds: AbsenceThresholdsPublic,
    found: dict[UUID, list[AbsenceFlag]],
) -> AbsenceFlagsPublic:
    students = [
        StudentFlagsPublic(student_id=s, flags=[AbsenceFlagPublic(**asdict(f)) for f in found[s]])
        for s in sorted(found)
    ]
    return AbsenceFlagsPublic(
        unit_id=unit_id, as_of=as_of, thresholds=thresholds, students=students
    )
