"""Units and departments."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.http.deps import Admin, AdminOrStaff, GallraDep
from api.http.schemas import Created, DepartmentCreate, UnitCreate, UnitPublic
from domain.errors import RuleViolationError
from domain.organisation import SchoolForm

router = APIRouter(prefix="/units", tags=["organisation"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
def create_unit(body: UnitCreate, gallra: GallraDep, _: Admin) -> Created:
    """Create a unit (förskola, skola, fritidshem) of one school form."""
    if body.school_form not in {str(s) for s in SchoolForm}:
        raise RuleViolationError(
            f"school_form must be one of {', '.join(SchoolForm)}", field="school_form"
        )
    return Created(id=gallra.app.create_unit(body.name, body.school_form))


@router.get("/{unit_id}", response_model=UnitPublic)
def get_unit(unit_id: UUID, gallra: GallraDep, _: AdminOrStaff) -> UnitPublic:
    """A unit and its departments."""
    unit = gallra.app.get_unit(unit_id)
    return UnitPublic(
        id=unit.id, name=unit.name, school_form=unit.school_form, departments=unit.departments
    )


@router.post("/{unit_id}/departments", status_code=status.HTTP_201_CREATED, response_model=Created)
def add_department(unit_id: UUID, body: DepartmentCreate, gallra: GallraDep, _: Admin) -> Created:
    """Add a department (avdelning) to a unit."""
    return Created(id=gallra.app.add_department(unit_id, body.name))
