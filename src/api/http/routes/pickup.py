"""Pick-up persons (hämtare) of a child: named by its guardians, or by staff who see it.

Guardians of the child and staff who see the child (``reading_policy``) write and read; anyone
else, and any unknown child, gets the very 404 an unknown id gets. Other roles (the kiosk,
the kitchen, ...) are refused with 403: the kiosk sees pick-up persons' names and photos
only through its check-in list (``routes.kiosks``), never their phone numbers.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api import access_log
from api.bootstrap import Gallra
from api.http.deps import GallraDep, require
from api.http.reading_policy import hidden, sees_child
from api.http.schemas import shown
from api.http.schemas_pickup import PickupPersonPublic, PickupPersonPut, PickupPutAnswer
from api.pickup_commands import PutOutcome, pickup_details
from api.tokens import Principal, Role
from domain.errors import NotFoundError
from domain.pickup import PickupPerson

router = APIRouter(prefix="/children/{child_id}/pickup-persons", tags=["pickup"])
Namers = Annotated[Principal, Depends(require(Role.GUARDIAN, Role.STAFF))]


def _may_name(gallra: Gallra, principal: Principal, child_id: UUID) -> None:
    """A guardian of the child, or staff who see it; staff are refused before the child is
    loaded, everyone as if the child did not exist."""
    if principal.role == Role.STAFF:
        if not sees_child(gallra, principal.subject, child_id):
            access_log.note_subjects(child_id)
            raise hidden("child", child_id)
        return
    if principal.subject not in gallra.app.get_child(child_id).guardians:
        raise hidden("child", child_id)


def person_public(person: PickupPerson) -> PickupPersonPublic:
    values, culled = shown(
        {
            "name": person.name,
            "phone": person.phone,
            "photo_type": person.photo_type,
            "photo": person.photo,
        }
    )
    return PickupPersonPublic(
        person_id=person.person_id,
        name=values["name"],
        phone=values["phone"],
        photo_type=values["photo_type"],
        has_photo=values["photo"] is not None,
        culled=culled,
    )


@router.put("/{person_id}", response_model=PickupPutAnswer)
def put_pickup_person(
    child_id: UUID,
    person_id: UUID,
    body: PickupPersonPut,
    response: Response,
    gallra: GallraDep,
    principal: Namers,
) -> PickupPutAnswer:
    """Name a pick-up person (201), or replace their details (200); the same details again
    answer 200 ``unchanged``. ``person_id`` is the client's: a retry is safe, and a removed
    person's id is refused (409)."""
    _may_name(gallra, principal, child_id)
    details = pickup_details(body.name, body.phone, body.photo_type, body.photo)
    outcome = gallra.app.put_pickup_person(child_id, person_id, details, principal.subject)
    response.status_code = 201 if outcome == PutOutcome.ADDED else 200
    return PickupPutAnswer(person_id=person_id, outcome=str(outcome))


@router.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_pickup_person(
    child_id: UUID, person_id: UUID, gallra: GallraDep, principal: Namers
) -> None:
    """Remove a pick-up person from today on; removing them again is a no-op."""
    _may_name(gallra, principal, child_id)
    gallra.app.remove_pickup_person(child_id, person_id, principal.subject)


@router.get("", response_model=list[PickupPersonPublic])
def list_pickup_persons(
    child_id: UUID, gallra: GallraDep, principal: Namers
) -> list[PickupPersonPublic]:
    """The child's current pick-up persons: name, phone, whether there is a photo."""
    _may_name(gallra, principal, child_id)
    return [person_public(p) for p in gallra.app.pickup_persons(child_id)]


@router.get(
    "/{person_id}/photo",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def pickup_person_photo(
    child_id: UUID, person_id: UUID, gallra: GallraDep, principal: Namers
) -> Response:
    """The person's photo as image bytes; 404 when there is none (or it is culled)."""
    _may_name(gallra, principal, child_id)
    return photo_response(gallra.app.pickup_person(child_id, person_id))


def photo_response(person: PickupPerson) -> Response:
    data = person.photo_bytes()
    if data is None or not isinstance(person.photo_type, str):
        raise NotFoundError(f"pick-up person {person.person_id} has no photo", field="person_id")
    return Response(content=data, media_type=person.photo_type, headers=_PRIVATE)


_PRIVATE = {"Cache-Control": "private, no-store"}
