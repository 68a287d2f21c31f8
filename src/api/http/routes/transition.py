"""Guardians' consent in preschool, and the transfer of transition documentation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import Field

from api.http.deps import GallraDep, require
from api.http.reading_policy import sees_child
from api.http.schemas import Model, shown
from api.tokens import Principal, Role
from api.transition_commands import ConsentView
from domain.errors import NotFoundError

router = APIRouter(tags=["transition"])

Guardian = Annotated[Principal, Depends(require(Role.GUARDIAN))]
ConsentReaders = Annotated[
    Principal, Depends(require(Role.GUARDIAN, Role.ADMIN, Role.STAFF, Role.AUDITOR))
]


class ConsentUpdate(Model):
    given: bool = Field(description="true to give consent, false to withdraw it")


class ConsentPublic(Model):
    child_id: UUID
    needed_from: list[UUID] = Field(description="every guardian with custody")
    given: dict[UUID, bool]
    valid: bool = Field(description="whether transition documentation may follow the child")


class ConsentChangePublic(Model):
    guardian_id: UUID | None
    given: bool
    at: datetime
    culled: list[str] = Field(default_factory=list)


class TransferCreate(Model):
    placement_id: UUID = Field(description="the receiving placement")


class TransferPublic(Model):
    placement_id: UUID
    from_unit: UUID | None
    to_unit: UUID | None
    on: date | None
    consented_by: list[UUID] | None
    culled: list[str] = Field(default_factory=list)


def _public(view: ConsentView) -> ConsentPublic:
    return ConsentPublic(
        child_id=view.child_id, needed_from=view.needed_from, given=view.given, valid=view.valid
    )


@router.get("/children/{child_id}/consent", response_model=ConsentPublic)
def get_consent(child_id: UUID, gallra: GallraDep, principal: ConsentReaders) -> ConsentPublic:
    """Whether the child's transition documentation may follow it, and whose consent counts.
    Guardians read their own children's, staff the children they see (ADR 0012)."""
    if principal.role == Role.STAFF and not sees_child(gallra, principal.subject, child_id):
        raise NotFoundError(f"no child with id {child_id}")
    view = gallra.app.get_consent(child_id)
    if principal.role == Role.GUARDIAN and principal.subject not in view.guardians_of:
        raise NotFoundError(f"no child with id {child_id}")
    return _public(view)


@router.put("/children/{child_id}/consent", response_model=ConsentPublic)
def set_consent(
    child_id: UUID, body: ConsentUpdate, gallra: GallraDep, principal: Guardian
) -> ConsentPublic:
    """A guardian gives or withdraws their own consent, at any time."""
    if (
        principal.subject is None
        or principal.subject not in gallra.app.get_consent(child_id).guardians_of
    ):
        raise NotFoundError(f"no child with id {child_id}")
    change = gallra.app.give_consent if body.given else gallra.app.withdraw_consent
    return _public(change(child_id, principal.subject))


@router.get("/children/{child_id}/consent/history", response_model=list[ConsentChangePublic])
def consent_history(
    child_id: UUID,
    gallra: GallraDep,
    _: Annotated[Principal, Depends(require(Role.AUDITOR))],
) -> list[ConsentChangePublic]:
    """Every consent given and withdrawn, for auditors."""
    out = []
    for change in gallra.app.consent_history(child_id):
        values, culled = shown({"guardian_id": change.guardian_id})
        out.append(ConsentChangePublic(given=change.given, at=change.at, culled=culled, **values))
    return out


@router.post(
    "/children/{child_id}/transition-documentation/transfer", response_model=TransferPublic
)
def transfer(
    child_id: UUID,
    body: TransferCreate,
    gallra: GallraDep,
    _: Annotated[Principal, Depends(require(Role.ADMIN))],
) -> TransferPublic:
    """Let the receiving unit see the transition documentation of the child's previous unit.
    From preschool it is refused (409, field ``consent``) without valid consent now."""
    done = gallra.app.transfer_documentation(child_id, body.placement_id)
    values, culled = shown(
        {
            "from_unit": done.from_unit,
            "to_unit": done.to_unit,
            "on": done.on,
            "consented_by": done.consented_by,
        }
    )
    return TransferPublic(placement_id=done.placement_id, culled=culled, **values)
