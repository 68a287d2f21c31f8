"""Staff members, their duties at school units and assignments to groups.

Admins write; a staff member may read their own record, and is told of no other (404, the
answer for an unknown id). Civic numbers travel only in request bodies.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.http.deps import Admin, AdminOrStaff, GallraDep
from api.http.reading_policy import hidden
from api.http.schemas import Created, PersonCreate, shown
from api.http.schemas_organisation import (
    AssignmentCreate,
    AssignmentPublic,
    DutyCreate,
    DutyPublic,
    EndOn,
    StaffPublic,
)
from api.org_views import StaffView
from api.tokens import Principal, Role

router = APIRouter(prefix="/staff", tags=["staff"])


def staff_public(view: StaffView) -> StaffPublic:
    values, culled = shown(
        {
            "given_name": view.given_name,
            "family_name": view.family_name,
            "civic_kind": view.civic_kind,
        }
    )
    duties = []
    for d in view.duties:
        fields, d_culled = shown(
            {"unit_id": d.unit_id, "role": d.role, "start": d.start, "end": d.end}
        )
        duties.append(DutyPublic(duty_id=d.duty_id, culled=d_culled, **fields))
    assignments = []
    for a in view.assignments:
        fields, a_culled = shown(
            {"group_id": a.group_id, "role": a.role, "start": a.start, "end": a.end}
        )
        assignments.append(
            AssignmentPublic(
                assignment_id=a.assignment_id, duty_id=a.duty_id, culled=a_culled, **fields
            )
        )
    return StaffPublic(id=view.id, culled=culled, duties=duties, assignments=assignments, **values)


def _may_read(principal: Principal, staff_id: UUID) -> None:
    if principal.role == Role.STAFF and principal.subject != staff_id:
        # Same answer as for an unknown id: staff learn nothing of their colleagues here.
        raise hidden("staff member", staff_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
def register_staff(body: PersonCreate, gallra: GallraDep, _: Admin) -> Created:
    """Register a staff member by name and civic number; the number must be new."""
    return Created(
        id=gallra.app.register_staff(body.given_name, body.family_name, body.civic_number)
    )


@router.get("/{staff_id}", response_model=StaffPublic)
def get_staff(staff_id: UUID, gallra: GallraDep, principal: AdminOrStaff) -> StaffPublic:
    """A staff member's identity, duties and assignments; culled fields answer null."""
    _may_read(principal, staff_id)
    return staff_public(gallra.app.get_staff(staff_id))


@router.post("/{staff_id}/duties", status_code=status.HTTP_201_CREATED, response_model=Created)
def assign_duty(staff_id: UUID, body: DutyCreate, gallra: GallraDep, _: Admin) -> Created:
    """Give a duty at a Skolenhet; the same open duty again answers its id."""
    return Created(id=gallra.app.assign_duty(staff_id, body.unit_id, body.role, body.start))


@router.post("/{staff_id}/duties/{duty_id}/end", status_code=status.HTTP_204_NO_CONTENT)
def end_duty(staff_id: UUID, duty_id: UUID, body: EndOn, gallra: GallraDep, _: Admin) -> None:
    """End a duty, and every assignment still open under it."""
    gallra.app.end_duty(staff_id, duty_id, body.end)


@router.post("/{staff_id}/assignments", status_code=status.HTTP_201_CREATED, response_model=Created)
def assign_to_group(staff_id: UUID, body: AssignmentCreate, gallra: GallraDep, _: Admin) -> Created:
    """Assign to a group or department of the duty's unit; the same again answers its id."""
    return Created(
        id=gallra.app.assign_to_group(staff_id, body.duty_id, body.group_id, body.role, body.start)
    )


@router.post("/{staff_id}/assignments/{assignment_id}/end", status_code=status.HTTP_204_NO_CONTENT)
def end_assignment(
    staff_id: UUID, assignment_id: UUID, body: EndOn, gallra: GallraDep, _: Admin
) -> None:
    """End an assignment."""
    gallra.app.end_assignment(staff_id, assignment_id, body.end)
