"""Pick-up persons (hämtare) of a child: named by its guardians, or by staff who see it.

Guardians of the child and staff who see the child (``reading_policy``) write and read; anyone
else, and any unknown child, gets the very 404 an unknown id gets. Other roles (the kiosk,
the kitchen, ...) are refused with 403: the kiosk sees pick-up persons' names and photos
only through its check-in list (``routes.kiosks``), never their phone numbers.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from api.http.deps import Carers, GallraDep
from api.http.reading_policy import reaches_child
from api.http.schemas import shown
from api.http.schemas_pickup import PickupPersonPublic, PickupPersonPut, PickupPutAnswer
from api.pickup_commands import PutOutcome, pickup_details
from domain.errors import NotFoundError
from domain.pickup import PickupPerson

router = APIRouter(prefix="/children/{child_id}/pickup-persons", tags=["pickup"])


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
    principal: Carers,
) -> PickupPutAnswer:
    """Name a pick-up person (201), or replace their details (200); the same details again
    answer 200 ``unchanged``. ``person_id`` is the client's: a retry is safe, and a removed
    person's id is refused (409)."""
    reaches_child(gallra, principal, child_id)
    details = pickup_details(body.name, body.phone, body.photo_type, body.photo)
    outcome = gallra.app.put_pickup_person(child_id, person_id, details, principal.subject)
    response.status_code = 201 if outcome == PutOutcome.ADDED else 200
    return PickupPutAnswer(person_id=person_id, outcome=str(outcome))


@router.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_pickup_person(
    child_id: UUID, person_id: UUID, gallra: GallraDep, principal: Carers
) -> None:
    """Remove a pick-up person from today on; removing them again is a no-op."""
    reaches_child(gallra, principal, child_id)
    gallra.app.remove_pickup_person(child_id, person_id, principal.subject)


@router.get("", response_model=list[PickupPersonPublic])
def list_pickup_persons(
    child_id: UUID, gallra: GallraDep, principal: Carers
) -> list[PickupPersonPublic]:
    """The child's current pick-up persons: name, phone, whether there is a photo."""
    reaches_child(gallra, principal, child_id)
    return [person_public(p) for p in gallra.app.pickup_persons(child_id)]


@router.get(
    "/{person_id}/photo",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def pickup_person_photo(
    child_id: UUID, person_id: UUID, gallra: GallraDep, principal: Carers
) -> Response:
    """The person's photo as image bytes; 404 when there is none (or it is culled)."""
    reaches_child(gallra, principal, child_id)
    return photo_response(gallra.app.pickup_person(child_id, person_id))


def photo_response(person: PickupPerson) -> Response:
    data = person.photo_bytes()
    if data is None or not isinstance(person.photo_type, str):
        raise NotFoundError(f"pick-up person {person.person_id} has no photo", field="person_id")
    return Response(content=data, media_type=person.photo_type, headers=_PRIVATE)


_PRIVATE = {"Cache-Control": "private, no-store"}
