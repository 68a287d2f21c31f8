"""What every person has: contact, security marking, profile and settings, at /people/{id}.

The person themself and admin write; admin alone sets the security marking. Staff read the
people they see (``reading_policy``), a guardian their children. Reads of other people's
records that are not allowed answer exactly as an unknown id does, so nobody learns whether a
person exists. A protected person's contact details are withheld from everyone but admin and
the person themself.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status

from api.bootstrap import Gallra
from api.http.deps import Admin, GallraDep, require
from api.http.reading_policy import sees_person
from api.http.schemas import (
    ContactPublic,
    ContactUpdate,
    ProfilePublic,
    ProfileUpdate,
    SecurityMarkingUpdate,
    SettingsPublic,
    SettingsUpdate,
    shown,
)
from api.tokens import Principal, Role
from api.views import PersonDetailsView
from domain.errors import NotFoundError

router = APIRouter(prefix="/people/{person_id}", tags=["people"])
Person = Annotated[Principal, Depends(require(Role.ADMIN, Role.STAFF, Role.GUARDIAN, Role.STUDENT))]
_SELF_ROLES = (Role.GUARDIAN, Role.STUDENT, Role.STAFF)


def _is_self_or_admin(principal: Principal, person_id: UUID) -> bool:
    if principal.role == Role.ADMIN:
        return True
    return principal.role in _SELF_ROLES and principal.subject == person_id


def _unknown(person_id: UUID) -> NotFoundError:
    """The very error an unknown id gives, so a refused read reveals nothing."""
    return NotFoundError(f"no person with id {person_id}")


def _writer(person_id: UUID, principal: Person) -> Principal:
    """The person themself or admin. Decided before the body is read and before any lookup,
    so the answer says nothing about whether the person exists."""
    if not _is_self_or_admin(principal, person_id):
        raise HTTPException(403, "only the person themself or an administrator may change this")
    return principal


Writer = Annotated[Principal, Depends(_writer)]


def readable(gallra: Gallra, principal: Principal, person_id: UUID) -> PersonDetailsView:
    """The details as this reader may see them: admin and the person see all; staff who see
    the person and a child's guardians see them with a protected person's contact withheld.
    Staff are refused before the person is loaded."""
    if principal.role == Role.STAFF and not sees_person(gallra, principal.subject, person_id):
        raise _unknown(person_id)
    view = gallra.app.get_person_details(person_id)
    if _is_self_or_admin(principal, view.id):
        return view
    if principal.role == Role.STAFF or (
        principal.role == Role.GUARDIAN and principal.subject in view.responsible_adults
    ):
        return view.contact_withheld() if view.protected else view
    raise _unknown(view.id)


def contact_public(view: PersonDetailsView) -> ContactPublic:
    values, culled = shown({"mobile": view.mobile, "email": view.email})
    return ContactPublic(id=view.id, protected=view.protected, culled=culled, **values)


@router.get("/contact", response_model=ContactPublic)
def get_contact(person_id: UUID, gallra: GallraDep, principal: Person) -> ContactPublic:
    """Mobile and e-mail; null with ``protected: true`` where the reader may not see them."""
    return contact_public(readable(gallra, principal, person_id))


@router.put("/contact", status_code=status.HTTP_204_NO_CONTENT)
def put_contact(person_id: UUID, body: ContactUpdate, gallra: GallraDep, _: Writer) -> None:
    """Replace the contact details (null or blank clears one)."""
    gallra.app.change_contact(person_id, body.mobile, body.email)


@router.put("/security-marking", status_code=status.HTTP_204_NO_CONTENT)
def put_security_marking(
    person_id: UUID, body: SecurityMarkingUpdate, gallra: GallraDep, _: Admin
) -> None:
    """Set the SS 12000 security marking (skyddad identitet); administrators only."""
    gallra.app.mark_security(person_id, body.marking)


@router.get("/profile", response_model=ProfilePublic)
def get_profile(person_id: UUID, gallra: GallraDep, principal: Person) -> ProfilePublic:
    """The optional picture and profile text, to those who may read the person's record."""
    view = readable(gallra, principal, person_id)
    values, culled = shown(
        {
            "picture_type": view.picture_type,
            "picture": view.picture,
            "profile_text": view.profile_text,
        }
    )
    return ProfilePublic(id=view.id, culled=culled, **values)


@router.put("/profile", status_code=status.HTTP_204_NO_CONTENT)
def put_profile(person_id: UUID, body: ProfileUpdate, gallra: GallraDep, _: Writer) -> None:
    """Replace the profile: a picture (base64 JPEG or PNG, at most 256 KiB) and a text."""
    gallra.app.change_profile(person_id, body.picture_type, body.picture, body.profile_text)


@router.get("/settings", response_model=SettingsPublic)
def get_settings(person_id: UUID, gallra: GallraDep, principal: Person) -> SettingsPublic:
    """Notification choices and consents: the person's own, so only they and admin read them."""
    if not _is_self_or_admin(principal, person_id):
        raise _unknown(person_id)
    view = gallra.app.get_person_details(person_id)
    values, culled = shown({"settings": view.settings})
    return SettingsPublic(id=view.id, culled=culled, **values)


@router.put("/settings", status_code=status.HTTP_204_NO_CONTENT)
def put_settings(person_id: UUID, body: SettingsUpdate, gallra: GallraDep, _: Writer) -> None:
    """Replace the settings: names to true or false."""
    gallra.app.change_settings(person_id, dict(body.settings))
