"""Groups of a Skolenhet (SS 12000 Group): classes, teaching groups, mentor groups.

Groups hold nothing personal (who is in one is sealed on the people), so staff may read them.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.http.deps import Admin, AdminOrStaff, GallraDep
from api.http.schemas import Created
from api.http.schemas_organisation import EndOn, GroupCreate, GroupPublic
from api.org_views import GroupView

router = APIRouter(tags=["groups"])


def group_public(view: GroupView) -> GroupPublic:
    return GroupPublic(
        id=view.id,
        unit_id=view.unit_id,
        name=view.name,
        group_type=view.group_type,
        school_forms=view.school_forms,
        start=view.start,
        end=view.end,
    )


@router.post("/groups", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_group(body: GroupCreate, gallra: GallraDep, _: Admin) -> Created:
    """Create a group at a Skolenhet, of some of the unit's school forms."""
    return Created(
        id=gallra.app.create_group(
            body.unit_id, body.name, body.group_type, body.school_forms, body.start, body.end
        )
    )


@router.get("/groups/{group_id}", response_model=GroupPublic)
def get_group(group_id: UUID, gallra: GallraDep, _: AdminOrStaff) -> GroupPublic:
    """A group."""
    return group_public(gallra.app.get_group(group_id))


@router.post("/groups/{group_id}/end", status_code=status.HTTP_204_NO_CONTENT)
def end_group(group_id: UUID, body: EndOn, gallra: GallraDep, _: Admin) -> None:
    """End a group on a date (once)."""
    gallra.app.end_group(group_id, body.end)


@router.get("/units/{unit_id}/groups", response_model=list[GroupPublic])
def unit_groups(unit_id: UUID, gallra: GallraDep, _: AdminOrStaff) -> list[GroupPublic]:
    """The groups of a unit, in the order they were created."""
    return [group_public(g) for g in gallra.app.list_groups(unit_id)]
