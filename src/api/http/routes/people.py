"""Children, guardians and placements. Civic numbers travel only in request bodies."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, status

from api.application import ChildView, PersonView
from api.http.deps import Admin, AdminOrStaff, GallraDep, People
from api.http.schemas import (
    ChildCreate,
    ChildPublic,
    CivicLookup,
    Created,
    PersonCreate,
    PersonPublic,
    PlacementCreate,
    PlacementEnd,
    PlacementPublic,
    shown,
)
from api.tokens import Principal, Role

router = APIRouter(tags=["people"])


def person_public(view: PersonView) -> PersonPublic:
    values, culled = shown(
        {
            "given_name": view.given_name,
            "family_name": view.family_name,
            "civic_kind": view.civic_kind,
        }
    )
    return PersonPublic(id=view.id, culled=culled, **values)


def child_public(view: ChildView) -> ChildPublic:
    values, culled = shown(
        {
            "given_name": view.given_name,
            "family_name": view.family_name,
            "civic_kind": view.civic_kind,
        }
    )
    placements = []
    for p in view.placements:
        fields, p_culled = shown(
            {"unit_id": p.unit_id, "department_id": p.department_id, "start": p.start, "end": p.end}
        )
        placements.append(PlacementPublic(placement_id=p.placement_id, culled=p_culled, **fields))
    guardians = {gid: shown({"r": rel})[0]["r"] for gid, rel in view.guardians.items()}
    return ChildPublic(
        id=view.id, culled=culled, guardians=guardians, placements=placements, **values
    )


def _may_read_child(principal: Principal, view: ChildView) -> None:
    if principal.role == Role.GUARDIAN and principal.subject not in view.guardians:
        # Same answer as for an unknown id: a guardian learns nothing of other children.
        raise HTTPException(404, f"no child with id {view.id}")


@router.post("/guardians", status_code=status.HTTP_201_CREATED, response_model=Created)
def register_guardian(body: PersonCreate, gallra: GallraDep, _: Admin) -> Created:
    """Register a guardian (vårdnadshavare) by name and civic number."""
    return Created(
        id=gallra.app.register_guardian(body.given_name, body.family_name, body.civic_number)
    )


@router.get("/guardians/{guardian_id}", response_model=PersonPublic)
def get_guardian(guardian_id: UUID, gallra: GallraDep, principal: People) -> PersonPublic:
    """A guardian's identity (to staff, or to the guardian themself)."""
    if principal.role == Role.GUARDIAN and principal.subject != guardian_id:
        raise HTTPException(404, f"no guardian with id {guardian_id}")
    return person_public(gallra.app.get_guardian(guardian_id))


@router.post("/children", status_code=status.HTTP_201_CREATED, response_model=Created)
def register_child(body: ChildCreate, gallra: GallraDep, _: Admin) -> Created:
    """Register a child with identity and guardians; the civic number must be new."""
    return Created(
        id=gallra.app.register_child(
            body.given_name,
            body.family_name,
            body.civic_number,
            [(g.guardian_id, g.relation) for g in body.guardians],
        )
    )


@router.post("/people/lookup", response_model=Created)
def lookup(body: CivicLookup, gallra: GallraDep, _: AdminOrStaff) -> Created:
    """Find a person's id by civic number (POST, so the number is never in a URL or log)."""
    found = gallra.app.find_person(body.civic_number)
    if found is None:
        raise HTTPException(404, "no person with that civic number")
    return Created(id=found)


@router.get("/children/{child_id}", response_model=ChildPublic)
def get_child(child_id: UUID, gallra: GallraDep, principal: People) -> ChildPublic:
    """A child's identity, guardians and placements; culled fields answer null."""
    view = gallra.app.get_child(child_id)
    _may_read_child(principal, view)
    return child_public(view)


@router.post(
    "/children/{child_id}/placements", status_code=status.HTTP_201_CREATED, response_model=Created
)
def place_child(child_id: UUID, body: PlacementCreate, gallra: GallraDep, _: Admin) -> Created:
    """Place a child at a department from a start date (one open placement at a time)."""
    return Created(
        id=gallra.app.place_child(child_id, body.unit_id, body.department_id, body.start)
    )


@router.post(
    "/children/{child_id}/placements/{placement_id}/end", status_code=status.HTTP_204_NO_CONTENT
)
def end_placement(
    child_id: UUID, placement_id: UUID, body: PlacementEnd, gallra: GallraDep, _: AdminOrStaff
) -> None:
    """End a placement on a date."""
    gallra.app.end_placement(child_id, placement_id, body.end)
