"""Children, guardians, placements and group memberships. Civic numbers travel only in
request bodies. What every person has (contact, profile, ...) is in ``person_details``, whose
routes are included here. Staff read only the people they see (``reading_policy``); every
refusal is the answer an unknown id or number gets."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, status

from api.application import ChildView, PersonView
from api.bootstrap import Gallra
from api.http.deps import Admin, AdminOrStaff, GallraDep, People
from api.http.reading_policy import sees_child, sees_guardian, sees_person
from api.http.routes import person_details
from api.http.schemas import (
    ChildCreate,
    ChildPublic,
    CivicLookup,
    Created,
    GroupJoin,
    GroupLeave,
    MembershipPublic,
    PersonCreate,
    PersonPublic,
    PlacementCreate,
    PlacementEnd,
    PlacementMove,
    PlacementPublic,
    shown,
)
from api.tokens import Principal, Role
from domain.errors import NotFoundError

router = APIRouter(tags=["people"])
router.include_router(person_details.router)


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
            {
                "unit_id": p.unit_id,
                "department_id": p.department_id,
                "start": p.start,
                "end": p.end,
                "school_form": p.school_form,
            }
        )
        placements.append(PlacementPublic(placement_id=p.placement_id, culled=p_culled, **fields))
    groups = []
    for m in view.memberships:
        fields, m_culled = shown({"group_id": m.group_id, "start": m.start, "end": m.end})
        groups.append(
            MembershipPublic(
                membership_id=m.membership_id,
                placement_id=m.placement_id,
                culled=m_culled,
                **fields,
            )
        )
    guardians = {gid: shown({"r": rel})[0]["r"] for gid, rel in view.guardians.items()}
    return ChildPublic(
        id=view.id,
        culled=culled,
        guardians=guardians,
        placements=placements,
        groups=groups,
        **values,
    )


def _readable_child(gallra: Gallra, principal: Principal, child_id: UUID) -> ChildView:
    """The child, if this reader may see it; else the very error an unknown id gets."""
    unknown = NotFoundError(f"no child with id {child_id}")
    if principal.role == Role.STAFF and not sees_child(gallra, principal.subject, child_id):
        raise unknown
    view = gallra.app.get_child(child_id)
    if principal.role == Role.GUARDIAN and principal.subject not in view.guardians:
        raise unknown
    return view


@router.post("/guardians", status_code=status.HTTP_201_CREATED, response_model=Created)
def register_guardian(body: PersonCreate, gallra: GallraDep, _: Admin) -> Created:
    """Register a guardian (vårdnadshavare) by name and civic number."""
    return Created(
        id=gallra.app.register_guardian(body.given_name, body.family_name, body.civic_number)
    )


@router.get("/guardians/{guardian_id}", response_model=PersonPublic)
def get_guardian(guardian_id: UUID, gallra: GallraDep, principal: People) -> PersonPublic:
    """A guardian's identity (to staff who see one of their children, or to themself)."""
    refused = (principal.role == Role.GUARDIAN and principal.subject != guardian_id) or (
        principal.role == Role.STAFF and not sees_guardian(gallra, principal.subject, guardian_id)
    )
    if refused:
        raise NotFoundError(f"no guardian with id {guardian_id}")  # as for an unknown id
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
def lookup(body: CivicLookup, gallra: GallraDep, principal: AdminOrStaff) -> Created:
    """Find a person's id by civic number (POST, so the number is never in a URL or log);
    staff find only the people they see."""
    found = gallra.app.find_person(body.civic_number)
    if found is None or (
        principal.role == Role.STAFF and not sees_person(gallra, principal.subject, found)
    ):
        raise HTTPException(404, "no person with that civic number")
    return Created(id=found)


@router.get("/children/{child_id}", response_model=ChildPublic)
def get_child(child_id: UUID, gallra: GallraDep, principal: People) -> ChildPublic:
    """A child's identity, guardians and placements; culled fields answer null."""
    return child_public(_readable_child(gallra, principal, child_id))


@router.post(
    "/children/{child_id}/placements", status_code=status.HTTP_201_CREATED, response_model=Created
)
def place_child(child_id: UUID, body: PlacementCreate, gallra: GallraDep, _: Admin) -> Created:
    """Place a child at a unit (and department) from a start date, in one of the unit's school
    forms: one open placement per school form."""
    return Created(
        id=gallra.app.place_child(
            child_id, body.unit_id, body.department_id, body.start, body.school_form
        )
    )


@router.post(
    "/children/{child_id}/placements/{placement_id}/end", status_code=status.HTTP_204_NO_CONTENT
)
def end_placement(
    child_id: UUID, placement_id: UUID, body: PlacementEnd, gallra: GallraDep, _: AdminOrStaff
) -> None:
    """End a placement on a date."""
    gallra.app.end_placement(child_id, placement_id, body.end)


@router.post(
    "/children/{child_id}/placements/{placement_id}/move",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
)
def move_placement(
    child_id: UUID, placement_id: UUID, body: PlacementMove, gallra: GallraDep, _: Admin
) -> Created:
    """Move a placement: it ends the day before ``on`` and a new one, in the same school form,
    starts at the new unit or department; answers the new placement's id."""
    return Created(
        id=gallra.app.move_placement(
            child_id, placement_id, body.unit_id, body.department_id, body.on
        )
    )


@router.post("/children/{child_id}/groups", status_code=status.HTTP_201_CREATED)
def join_group(child_id: UUID, body: GroupJoin, gallra: GallraDep, _: Admin) -> Created:
    """Add the child to a group of its placement's unit; a retry answers the same id."""
    return Created(id=gallra.app.join_group(child_id, body.placement_id, body.group_id, body.start))


@router.post("/children/{child_id}/groups/{group_id}/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave_group(
    child_id: UUID, group_id: UUID, body: GroupLeave, gallra: GallraDep, _: Admin
) -> None:
    """End the child's membership of a group on a date."""
    gallra.app.leave_group(child_id, group_id, body.end)
