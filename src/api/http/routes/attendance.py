"""The department kiosk (check-in/out), absence reports and the present-now list.

A kiosk acts for its own department. Staff act on and list only the children they see (a duty
at the child's unit, an assignment to its group or department: ``reading_policy``); a guardian
only on their own children. A refused child answers as an unknown one; a department's list
shows a staff member only the children they see, so an unrelated department lists nobody, as
an unknown one does.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status

from api.bootstrap import Gallra
from api.http.deps import Attendance, GallraDep, People
from api.http.reading_policy import seen_children, sees_child
from api.http.schemas import (
    AbsenceCreate,
    AbsenceOutcome,
    KioskOutcome,
    KioskSubmission,
    PresentChild,
)
from api.http.schemas_kiosk import AbsenceCancel, AbsenceCancelAnswer, AbsenceCancelDay
from api.tokens import Principal, Role
from domain.attendance_facts import Outcome
from domain.errors import NotFoundError
from domain.personal import Shredded

router = APIRouter(tags=["attendance"])


def kiosk_may_use(principal: Principal, department_id: UUID) -> None:
    """A kiosk acts for its own department only."""
    if principal.role == Role.KIOSK and principal.department != department_id:
        raise HTTPException(403, "this kiosk belongs to another department")


def _staff_may_act(gallra: Gallra, principal: Principal, child_id: UUID) -> None:
    if principal.role == Role.STAFF and not sees_child(gallra, principal.subject, child_id):
        raise NotFoundError(f"no child with id {child_id}")  # as for an unknown child


def _answer(outcome: Outcome, response: Response) -> KioskOutcome:
    response.status_code = status.HTTP_200_OK if outcome.duplicate else status.HTTP_201_CREATED
    return KioskOutcome(
        submission_id=outcome.submission_id, duplicate=outcome.duplicate, minutes=outcome.minutes
    )


@router.post(
    "/departments/{department_id}/check-ins",
    response_model=KioskOutcome,
    status_code=status.HTTP_201_CREATED,
)
def check_in(
    department_id: UUID,
    body: KioskSubmission,
    response: Response,
    gallra: GallraDep,
    principal: Attendance,
) -> KioskOutcome:
    """Check a child in. 201 when recorded; 200 when this submission id was recorded before."""
    kiosk_may_use(principal, department_id)
    _staff_may_act(gallra, principal, body.child_id)
    return _answer(
        gallra.app.check_in(body.submission_id, department_id, body.child_id, body.at, body.by),
        response,
    )


@router.post(
    "/departments/{department_id}/check-outs",
    response_model=KioskOutcome,
    status_code=status.HTTP_201_CREATED,
)
def check_out(
    department_id: UUID,
    body: KioskSubmission,
    response: Response,
    gallra: GallraDep,
    principal: Attendance,
) -> KioskOutcome:
    """Check a child out; answers the minutes present since the check-in."""
    kiosk_may_use(principal, department_id)
    _staff_may_act(gallra, principal, body.child_id)
    return _answer(
        gallra.app.check_out(body.submission_id, department_id, body.child_id, body.at, body.by),
        response,
    )


@router.get("/departments/{department_id}/present", response_model=list[PresentChild])
def present(department_id: UUID, gallra: GallraDep, principal: Attendance) -> list[PresentChild]:
    """Children checked in now at a department, with given names for the kiosk screen; to
    staff, only the children they see."""
    kiosk_may_use(principal, department_id)
    gallra.runner.catch_up()
    rows = gallra.view.present(department_id)
    if principal.role == Role.STAFF:
        seen = seen_children(gallra, principal.subject)
        rows = [row for row in rows if row.child_id in seen]
    answer = []
    for row in rows:
        child = gallra.app.get_child(row.child_id)
        name = child.given_name
        answer.append(
            PresentChild(
                child_id=row.child_id,
                given_name=None if isinstance(name, Shredded) else name,
                checked_in_at=row.checked_in_at,
                culled=["given_name"] if isinstance(name, Shredded) else [],
            )
        )
    return answer


def _reporter(gallra: Gallra, principal: Principal, child_id: UUID) -> UUID:
    """Who reports or cancels: a guardian of the child, or staff who see it."""
    reporter = principal.subject
    if reporter is None:  # decided before the child is looked at, so it reveals nothing
        raise HTTPException(403, "this token does not name a reporting person")
    _staff_may_act(gallra, principal, child_id)
    if principal.role == Role.GUARDIAN and reporter not in gallra.app.get_child(child_id).guardians:
        raise NotFoundError(f"no child with id {child_id}")  # as for an unknown child
    return reporter


@router.post(
    "/children/{child_id}/absences",
    response_model=AbsenceOutcome,
    status_code=status.HTTP_201_CREATED,
)
def report_absence(
    child_id: UUID, body: AbsenceCreate, response: Response, gallra: GallraDep, principal: People
) -> AbsenceOutcome:
    """Report a child absent for a day or a range of days, with a kind and optional reason."""
    reporter = _reporter(gallra, principal, child_id)
    outcomes = gallra.app.report_absence(
        body.submission_id,
        child_id,
        reporter,
        body.first_day,
        body.last_day or body.first_day,
        body.kind,
        body.reason,
    )
    if all(o.duplicate for o in outcomes):
        response.status_code = status.HTTP_200_OK
    return AbsenceOutcome(
        days=[KioskOutcome(submission_id=o.submission_id, duplicate=o.duplicate) for o in outcomes]
    )


@router.post("/children/{child_id}/absences/cancel", response_model=AbsenceCancelAnswer)
def cancel_absence(
    child_id: UUID, body: AbsenceCancel, gallra: GallraDep, principal: People
) -> AbsenceCancelAnswer:
    """Cancel a child's absence for a day or a range of days (only the absence one report
    made, with its ``submission_id``), in one transaction; each day answers whether there
    was an absence to cancel, so a repeated cancel answers ``cancelled: false``."""
    canceller = _reporter(gallra, principal, child_id)
    outcomes = gallra.app.cancel_absence(
        child_id, canceller, body.first_day, body.last_day or body.first_day, body.submission_id
    )
    return AbsenceCancelAnswer(
        days=[AbsenceCancelDay(day=o.day, cancelled=o.cancelled) for o in outcomes]
    )
