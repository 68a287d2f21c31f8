"""The access log for auditors: who read or changed whose records, when, through which route.

Auditors only, not administrators: administrators register people and so are themselves
actors in the log, and the log says who is connected to whom (a guardian's reads name their
children), which is personal data in its own right. Separating who acts from who checks the
trail is the safer default; an administrator who must audit gets an auditor token.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.http.deps import AuditorOnly, GallraDep
from domain.errors import RuleViolationError
from projections.access_log import MAX_LIMIT, AccessRow

router = APIRouter(prefix="/audit", tags=["audit"])


class AccessRecordPublic(BaseModel):
    id: UUID
    subject_id: UUID
    actor_id: UUID | None
    actor_role: str
    action: str
    resource: str
    purpose: str
    status: int
    day: date
    recorded_at: datetime


class AccessLogPage(BaseModel):
    records: list[AccessRecordPublic]
    next_page_token: str | None


def _public(row: AccessRow) -> AccessRecordPublic:
    return AccessRecordPublic(
        id=row.record_id,
        subject_id=row.subject_id,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        action=row.action,
        resource=row.resource,
        purpose=row.purpose,
        status=row.status,
        day=row.day,
        recorded_at=row.recorded_at,
    )


@router.get("/access-log", response_model=AccessLogPage)
def access_log(
    gallra: GallraDep,
    _: AuditorOnly,
    subject_id: Annotated[UUID | None, Query(description="whose records were accessed")] = None,
    actor_id: Annotated[UUID | None, Query(description="who accessed them")] = None,
    since: Annotated[date | None, Query(description="first day, inclusive")] = None,
    until: Annotated[date | None, Query(description="last day, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    page_token: Annotated[str | None, Query(max_length=200)] = None,
) -> AccessLogPage:
    """Access records oldest first; ``next_page_token`` continues the listing. Records of a
    culled month are gone, as the retention plan's access-log rule says."""
    if since is not None and until is not None and until < since:
        raise RuleViolationError("until is before since", field="until")
    page = gallra.audit.records(
        subject_id=subject_id,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        after=page_token,
    )
    return AccessLogPage(records=[_public(r) for r in page.rows], next_page_token=page.next_token)


class VerifyFailure(BaseModel):
    finding: str
    detail: str
    notification_id: int | None
    stream_id: UUID | None
    version: int | None
    checkpoint: int | None


class VerifyReport(BaseModel):
    ok: bool
    events: int
    streams: int
    before_chain: int
    checkpoints: int
    signed_through: int
    signed_at: datetime | None
    unsigned: int
    last_position: int
    failure: VerifyFailure | None


@router.get("/verify", response_model=VerifyReport)
def verify(gallra: GallraDep, _: AuditorOnly) -> VerifyReport:
    """Walk the whole log: every stream's hash chain and every signed checkpoint (ADR 0024).
    ``failure`` names the first event or checkpoint that fails; ``signed_through`` is how far
    the log is covered by a signature, ``unsigned`` how many events after it are chained
    only. Reads stored bytes, never a key: culled events verify like the rest."""
    report = gallra.integrity.verify()
    failure = report.failure
    return VerifyReport(
        ok=report.ok,
        events=report.events,
        streams=report.streams,
        before_chain=report.before_chain,
        checkpoints=report.checkpoints,
        signed_through=report.signed_through,
        signed_at=report.signed_at,
        unsigned=report.unsigned,
        last_position=report.last_position,
        failure=None
        if failure is None
        else VerifyFailure(
            finding=str(failure.finding),
            detail=failure.detail,
            notification_id=failure.notification_id,
            stream_id=failure.originator_id,
            version=failure.version,
            checkpoint=failure.checkpoint,
        ),
    )
