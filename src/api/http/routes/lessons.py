"""HTTP routes: lessons, per-lesson attendance, and its read side.

Staff and admin schedule lessons; staff report attendance, the reporter being the token's
subject. Who among staff may report on (and read) a lesson is decided in ``_may_report``; who
may read a student's attendance and term summaries in ``_student_units``. Refusals of a
person's records answer 404 like an unknown id (ADR 0012), decided from the read models before
anything is loaded.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Response, status

from api import access_log
from api.bootstrap import Gallra, today
from api.http.deps import Admin, AdminOrStaff, GallraDep, require
from api.http.reading_policy import hidden
from api.http.schemas import Created
from api.http.schemas_lessons import (
    AbsenceFlagsPublic,
    AbsenceThresholdsBody,
    AbsenceThresholdsPublic,
    AttendanceReport,
    LessonCreate,
    LessonPublic,
    ReportOutcomePublic,
    ReportRowOutcome,
    StudentAttendancePublic,
    TermSummaryCreate,
    TermSummaryPublic,
    attendance_public,
    flags_public,
    lesson_public,
    thresholds_public,
)
from api.tokens import Principal, Role
from domain.errors import RuleViolationError
from domain.lessons import AttendanceRow
from domain.term_summary import AbsenceThresholds, Term

router = APIRouter(tags=["lessons"])

Readers = Annotated[Principal, Depends(require(Role.ADMIN, Role.AUDITOR, Role.STAFF))]
Reporter = Annotated[Principal, Depends(require(Role.STAFF))]
Family = Annotated[
    Principal, Depends(require(Role.STAFF, Role.GUARDIAN, Role.STUDENT, Role.AUDITOR))
]
MAX_PERIOD = timedelta(days=366)


def _may_report(gallra: Gallra, principal: Principal, lesson_id: UUID) -> bool:
    """Staff assigned to the lesson's group on its day, or holding a Rektor duty at its unit
    on that day; decided from the read models, an unknown lesson being refused alike."""
    staff, place = principal.subject, gallra.lessons.place(lesson_id)
    if principal.role != Role.STAFF or staff is None or place is None:
        return False
    unit_id, group_id, day = place
    if staff in gallra.access.staff_of(group_id, day):
        return True
    return unit_id in gallra.access.rektor_units(staff, day)


def _student_units(
    gallra: Gallra, principal: Principal, student_id: UUID
) -> frozenset[UUID] | None:
    """Whose attendance a principal reads: the student, their guardians and auditors all of
    it (None), connected staff the lessons at the units they are connected through; anyone
    else is answered as for an unknown student."""
    access_log.note_subjects(student_id)
    who, role = principal.subject, principal.role
    if role == Role.AUDITOR or (role == Role.STUDENT and who == student_id):
        return None
    if role == Role.GUARDIAN and who is not None and student_id in gallra.access.children_of(who):
        return None
    if role == Role.STAFF and who is not None:
        units = gallra.access.connected_units(who, student_id, today(gallra))
        if units:
            return units
    raise hidden("student", student_id)


def _rektor_or_admin(gallra: Gallra, principal: Principal, unit_id: UUID) -> None:
    if principal.role == Role.ADMIN:
        return
    staff = principal.subject
    if staff is None or unit_id not in gallra.access.rektor_units(staff, today(gallra)):
        raise hidden("unit", unit_id)


@router.post("/lessons", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_lesson(body: LessonCreate, gallra: GallraDep, _: AdminOrStaff) -> Created:
    """Schedule a lesson for a group of a school unit."""
    return Created(
        id=gallra.app.create_lesson(
            body.unit_id, body.group_id, body.school_form, body.title, body.starts_at, body.ends_at
        )
    )


@router.get("/lessons/{lesson_id}", response_model=LessonPublic)
def get_lesson(lesson_id: UUID, gallra: GallraDep, principal: Readers) -> LessonPublic:
    """A lesson with the current attendance report of each student; staff read the lessons
    they may report on."""
    if principal.role == Role.STAFF and not _may_report(gallra, principal, lesson_id):
        raise hidden("lesson", lesson_id)
    view = gallra.app.get_lesson(lesson_id)
    access_log.note_subjects(
        *(r.student_id for r in view.reports if isinstance(r.student_id, UUID))
    )
    return lesson_public(view)


@router.post(
    "/lessons/{lesson_id}/attendance",
    response_model=ReportOutcomePublic,
    status_code=status.HTTP_201_CREATED,
)
def report_attendance(
    lesson_id: UUID,
    body: AttendanceReport,
    response: Response,
    gallra: GallraDep,
    principal: Reporter,
) -> ReportOutcomePublic:
    """Report attendance for students of the lesson's group, all rows or none. 201 when
    something was recorded; 200 when every row repeats the current report."""
    if principal.subject is None:
        raise HTTPException(403, "this token does not name a reporting person")
    if not _may_report(gallra, principal, lesson_id):
        raise hidden("lesson", lesson_id)
    rows = [AttendanceRow(**row.model_dump()) for row in body.reports]
    result = gallra.app.report_attendance(lesson_id, principal.subject, rows)
    if all(o.duplicate for o in result.outcomes):
        response.status_code = status.HTTP_200_OK
    return ReportOutcomePublic(
        reports=[
            ReportRowOutcome(student_id=o.student_id, duplicate=o.duplicate)
            for o in result.outcomes
        ],
        notices_queued=len(result.notices),
    )


@router.post("/lessons/{lesson_id}/cancel", status_code=status.HTTP_204_NO_CONTENT)
def cancel_lesson(lesson_id: UUID, gallra: GallraDep, principal: AdminOrStaff) -> None:
    """Cancel a lesson nobody has reported on yet; cancelling again changes nothing. Staff
    cancel the lessons they may report on."""
    if principal.role == Role.STAFF and not _may_report(gallra, principal, lesson_id):
        raise hidden("lesson", lesson_id)
    gallra.app.cancel_lesson(lesson_id)


# -- the read side ---------------------------------------------------------------------------


@router.get("/students/{student_id}/attendance", response_model=StudentAttendancePublic)
def student_attendance(
    student_id: UUID,
    gallra: GallraDep,
    principal: Family,
    since: date | None = None,
    until: date | None = None,
) -> StudentAttendancePublic:
    """The student's attendance per lesson from ``since`` (default: the term's first day) to
    ``until`` (default: today), at most 366 days, with its sums (AggregatedAttendance)."""
    units = _student_units(gallra, principal, student_id)
    until = until or today(gallra)
    since = since or Term.of(until).first
    if since > until:
        raise RuleViolationError("since must not be after until", field="since")
    if until - since >= MAX_PERIOD:
        raise RuleViolationError("a period is at most 366 days", field="until")
    rows = gallra.lessons.attendance(student_id, since, until, units)
    return attendance_public(student_id, since, until, rows)


@router.get("/units/{unit_id}/absence-thresholds", response_model=AbsenceThresholdsPublic)
def get_thresholds(
    unit_id: UUID, gallra: GallraDep, principal: AdminOrStaff
) -> AbsenceThresholdsPublic:
    """The unit's thresholds for following up absence, or the defaults."""
    _rektor_or_admin(gallra, principal, unit_id)
    return thresholds_public(*gallra.app.absence_thresholds(unit_id))


@router.put("/units/{unit_id}/absence-thresholds", response_model=AbsenceThresholdsPublic)
def set_thresholds(
    unit_id: UUID, body: AbsenceThresholdsBody, gallra: GallraDep, _: Admin
) -> AbsenceThresholdsPublic:
    """Set the unit's thresholds; omitted fields take the default."""
    gallra.app.set_absence_thresholds(unit_id, AbsenceThresholds(**body.model_dump()))
    return thresholds_public(*gallra.app.absence_thresholds(unit_id))


@router.get("/units/{unit_id}/absence-flags", response_model=AbsenceFlagsPublic)
def absence_flags(
    unit_id: UUID, gallra: GallraDep, principal: AdminOrStaff, as_of: date | None = None
) -> AbsenceFlagsPublic:
    """Students placed at the unit whose absence there breaks a threshold (skollagen 7 kap
    19 a §), with the rule and its figures: for the unit's Rektor and admin."""
    _rektor_or_admin(gallra, principal, unit_id)
    thresholds, defaults = gallra.app.absence_thresholds(unit_id)
    as_of = as_of or today(gallra)
    students = gallra.access.members_of(unit_id, as_of)
    found = gallra.lessons.flags(unit_id, students, as_of, thresholds)
    access_log.note_subjects(*found)
    return flags_public(unit_id, as_of, thresholds_public(thresholds, defaults), found)


@router.get("/students/{student_id}/term-summaries", response_model=list[TermSummaryPublic])
def term_summaries(
    student_id: UUID, gallra: GallraDep, principal: Family
) -> list[TermSummaryPublic]:
    """The student's term summaries of invalid absence, oldest term first."""
    _student_units(gallra, principal, student_id)
    return [TermSummaryPublic(**asdict(s)) for s in gallra.lessons.term_summaries(student_id)]


@router.post(
    "/students/{student_id}/term-summaries",
    response_model=TermSummaryPublic,
    status_code=status.HTTP_201_CREATED,
)
def compile_term_summary(
    student_id: UUID,
    body: TermSummaryCreate,
    response: Response,
    gallra: GallraDep,
    principal: AdminOrStaff,
) -> TermSummaryPublic:
    """Compile the term's invalid absence from the lessons and record it: 201 when recorded
    (first, or corrected), 200 when the figures are those on record. Admin, or the Rektor of
    a unit where the student is placed."""
    if principal.role == Role.STAFF:
        staff, day = principal.subject, today(gallra)
        rektor = frozenset() if staff is None else gallra.access.rektor_units(staff, day)
        if staff is None or not rektor & gallra.access.connected_units(staff, student_id, day):
            access_log.note_subjects(student_id)
            raise hidden("student", student_id)
    term = Term.parse(body.term)
    minutes, lessons = gallra.lessons.invalid_absence(student_id, term)
    outcome = gallra.app.record_term_summary(student_id, term, minutes, lessons)
    if not outcome.recorded:
        response.status_code = status.HTTP_200_OK
    return TermSummaryPublic(
        term=term.code,
        compiled_on=outcome.compiled_on,
        invalid_absence_minutes=minutes,
        invalid_absence_lessons=lessons,
        corrections=outcome.corrections,
    )
