"""The kiosk's offline sync (Tempus Nu) and a department-day's exceptions.

A kiosk acts for its own department; staff act on the children they see, and events about
any other child are refused as for an unknown child. The exceptions list shows staff only
the children they see, and the kiosk its own department's.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter

from api import access_log
from api.http.deps import Attendance, GallraDep
from api.http.reading_policy import seen_children
from api.http.routes.attendance import kiosk_may_use
from api.http.schemas_kiosk import (
    DayExceptionPublic,
    KioskEventOutcome,
    KioskSyncAnswer,
    KioskSyncBatch,
)
from api.kiosk_sync_commands import KioskEvent
from api.tokens import Role

router = APIRouter(tags=["attendance"])


@router.post("/departments/{department_id}/kiosk-sync", response_model=KioskSyncAnswer)
def kiosk_sync(
    department_id: UUID, body: KioskSyncBatch, gallra: GallraDep, principal: Attendance
) -> KioskSyncAnswer:
    """Record a batch of check-ins and check-outs in one transaction; one outcome per event,
    in the order sent: recorded, duplicate, conflict (recorded, ignored by presence; the rule
    says why) or refused (not recorded; the field says why)."""
    kiosk_may_use(principal, department_id)
    may_act = None
    if principal.role == Role.STAFF:
        seen = seen_children(gallra, principal.subject)
        may_act = seen.__contains__
    kiosk_id = principal.device if principal.role == Role.KIOSK else None
    events = [KioskEvent(e.submission_id, e.type, e.child_id, e.at, e.by) for e in body.events]
    outcomes = gallra.app.sync_kiosk_batch(department_id, kiosk_id, events, may_act=may_act)
    return KioskSyncAnswer(
        outcomes=[
            KioskEventOutcome(
                submission_id=o.submission_id,
                status=o.status,
                field=o.field,
                message=o.message,
                rule=o.rule,
                minutes=o.minutes,
            )
            for o in outcomes
        ]
    )


@router.get(
    "/departments/{department_id}/days/{day}/exceptions",
    response_model=list[DayExceptionPublic],
)
def day_exceptions(
    department_id: UUID, day: date, gallra: GallraDep, principal: Attendance
) -> list[DayExceptionPublic]:
    """A department-day's conflicting facts and check-ins the night closed, in time order."""
    kiosk_may_use(principal, department_id)
    found = gallra.app.day_exceptions(department_id, day)
    if principal.role == Role.STAFF:
        seen = seen_children(gallra, principal.subject)
        found = [e for e in found if e.child_id in seen]
    access_log.note_subjects(*{e.child_id: None for e in found})
    return [
        DayExceptionPublic(
            submission_id=e.submission_id,
            child_id=e.child_id,
            kind=e.kind,
            at=e.at,
            rule=str(e.rule),
        )
        for e in found
    ]
