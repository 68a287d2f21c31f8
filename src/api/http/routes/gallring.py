"""Gallring: the records of what was culled, the dry run, and legal holds.

Auditors and administrators read the records and the dry run (counts, months and rules; never
a subject). Administrators place and lift legal holds; a hold's reason is sealed free text
and only administrators see it.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Response, status

from api.bootstrap import today
from api.http.deps import Admin, Auditor, GallraDep
from api.http.schemas import (
    GallringDue,
    GallringHeldBack,
    GallringRunPublic,
    GallringSurvey,
    LegalHoldPlace,
    LegalHoldPublic,
    PlanAdoptionPublic,
)
from api.tokens import Principal, Role
from domain.legal_hold import Hold
from domain.personal import Shredded

router = APIRouter(prefix="/gallring", tags=["gallring"])


@router.get("/runs", response_model=list[GallringRunPublic])
def runs(gallra: GallraDep, _: Auditor) -> list[GallringRunPublic]:
    """Every gallring run on record, oldest first. Records are kept for ever."""
    return [
        GallringRunPublic(
            id=run.id,
            rule_id=run.rule_id,
            plan_version=run.plan_version,
            category=run.category,
            as_of=run.as_of,
            months=list(run.epochs),
            scopes=len(run.key_ids),
            subjects=run.subjects,
            decided_by=run.decided_by,
            decided_at=run.created_on,
            keys_destroyed=run.keys_destroyed,
            finished_at=run.finished_at,
        )
        for run in gallra.gallring.records()
    ]


@router.get("/plan", response_model=GallringSurvey)
def plan(gallra: GallraDep, _: Auditor, as_of: date | None = None) -> GallringSurvey:
    """The dry run: what a run on ``as_of`` (default today) would cull, and what is due but
    held back and why. Changes nothing."""
    day = as_of or today(gallra)
    survey = gallra.gallring.survey(day)
    return GallringSurvey(
        as_of=day,
        plan_version=gallra.plan.version,
        due=[
            GallringDue(
                rule_id=c.rule_id,
                category=c.category,
                months=list(c.months),
                scopes=len(c.key_ids),
                subjects=c.subjects,
                events=c.events,
                resumes_run=c.resumes,
            )
            for c in survey.culls
        ],
        held_back=[
            GallringHeldBack(
                rule_id=h.rule_id,
                category=h.category,
                reason=h.reason,
                months=list(h.months),
                scopes=h.scopes,
                subjects=h.subjects,
            )
            for h in survey.held_back
        ],
    )


def who(principal: Principal) -> str:
    """For the record: the administrator's person id, or the token's name, or its role."""
    if principal.subject is not None:
        return str(principal.subject)
    return principal.name or str(principal.role)


def _public(hold: Hold, with_reason: bool) -> LegalHoldPublic:
    culled = isinstance(hold.reason, Shredded)
    subject = hold.subject_id
    return LegalHoldPublic(
        hold_id=hold.hold_id,
        subject_id=subject if isinstance(subject, UUID) else None,
        placed_on=hold.placed_on,
        placed_by=hold.placed_by,
        until=hold.until,
        lifted_on=hold.lifted_on,
        lifted_by=hold.lifted_by,
        reason=None if culled or not with_reason else str(hold.reason),
        culled=[
            name for name, value in (("subject_id", subject), ("reason", hold.reason))
            if isinstance(value, Shredded)
        ],
    )  # fmt: skip


def _hold(gallra: GallraDep, hold_id: UUID) -> Hold:
    return next(h for h in gallra.app.legal_holds() if h.hold_id == hold_id)


@router.post("/holds", response_model=LegalHoldPublic, status_code=status.HTTP_201_CREATED)
def place_hold(
    body: LegalHoldPlace, gallra: GallraDep, principal: Admin, response: Response
) -> LegalHoldPublic:
    """Place a legal hold: nothing of the subject is culled while it stands. Placing the same
    hold again answers 200 and records nothing; the same id with other content is 409."""
    placed = gallra.app.place_hold(
        body.hold_id, body.subject_id, body.reason, who(principal), until=body.until
    )
    if not placed:
        response.status_code = status.HTTP_200_OK
    return _public(_hold(gallra, body.hold_id), with_reason=True)


@router.post("/holds/{hold_id}/lift", response_model=LegalHoldPublic)
def lift_hold(hold_id: UUID, gallra: GallraDep, principal: Admin) -> LegalHoldPublic:
    """Lift a hold from today; the subject's culling resumes at the next run. Idempotent."""
    gallra.app.lift_hold(hold_id, who(principal))
    return _public(_hold(gallra, hold_id), with_reason=True)


@router.get("/holds", response_model=list[LegalHoldPublic])
def holds(gallra: GallraDep, principal: Auditor) -> list[LegalHoldPublic]:
    """Every hold ever placed, lifted ones too; auditors see them without their reasons."""
    admin = principal.role == Role.ADMIN
    return [_public(h, with_reason=admin) for h in gallra.app.legal_holds()]


@router.get("/plans", response_model=list[PlanAdoptionPublic])
def plans(gallra: GallraDep, _: Auditor) -> list[PlanAdoptionPublic]:
    """Every retention plan version in force so far, oldest first, with the digest of its
    rules: a gallring record's plan version names one of these."""
    return [
        PlanAdoptionPublic(version=a.version, sha256=a.sha256, adopted_at=a.adopted_at)
        for a in gallra.app.plan_adoptions()
    ]
