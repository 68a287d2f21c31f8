"""The organisation tree: units (Huvudman down to Skolenhet) and their departments."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.http.deps import Admin, AdminOrStaff, GallraDep
from api.http.schemas import Created, DepartmentCreate
from api.http.schemas_organisation import UnitCreate, UnitPublic

router = APIRouter(prefix="/units", tags=["organisation"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_unit(body: UnitCreate, gallra: GallraDep, _: Admin) -> Created:
    """Create a node of the tree. A Skolenhet (the default) has school forms; the nodes
    above it (Huvudman, Förvaltning, ...) have none. ``{"name", "school_form"}`` still works."""
    return Created(
        id=gallra.app.create_unit(
            body.name,
            body.school_form,
            organisation_type=body.organisation_type,
            school_forms=body.school_forms,
            parent_id=body.parent_id,
            school_unit_code=body.school_unit_code,
        )
    )


@router.get("/{unit_id}", response_model=UnitPublic)
def get_unit(unit_id: UUID, gallra: GallraDep, _: AdminOrStaff) -> UnitPublic:
    """A unit: its type and parent, school forms, departments, child units and groups."""
    unit = gallra.app.get_unit(unit_id)
    return UnitPublic(
        id=unit.id,
        name=unit.name,
        organisation_type=unit.organisation_type,
        parent_id=unit.parent_id,
        school_form=unit.school_form,
        school_forms=unit.school_forms,
        school_unit_code=unit.school_unit_code,
        departments=unit.departments,
        units=unit.subunits,
        groups=unit.groups,
    )


@router.post("/{unit_id}/departments", status_code=status.HTTP_201_CREATED, response_model=Created)
def add_department(unit_id: UUID, body: DepartmentCreate, gallra: GallraDep, _: Admin) -> Created:
    """Add a department (avdelning) to a Skolenhet."""
    return Created(id=gallra.app.add_department(unit_id, body.name))
