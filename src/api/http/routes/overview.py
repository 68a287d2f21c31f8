"""The live overview of a unit's departments: counts only, for the unit's own staff."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter

from api.bootstrap import today
from api.http.deps import AdminOrStaff, GallraDep
from api.http.reading_policy import hidden
from api.http.schemas_overview import DepartmentNowPublic
from api.overview import unit_overview
from api.tokens import Role

router = APIRouter(tags=["overview"])


@router.get("/units/{unit_id}/overview", response_model=list[DepartmentNowPublic])
def overview(
    unit_id: UUID, gallra: GallraDep, principal: AdminOrStaff, day: date | None = None
) -> list[DepartmentNowPublic]:
    """Per department: placed, scheduled, in now, arrived, gone home, absent by kind, expected
    but not arrived, staff on shift. Staff see it for units where they hold a duty; to anyone
    else the unit answers as an unknown one."""
    on = day or today(gallra)
    if principal.role == Role.STAFF and (
        principal.subject is None or principal.subject not in gallra.access.staff_of(unit_id, on)
    ):
        raise hidden("unit", unit_id)
    return [
        DepartmentNowPublic.model_validate(row, from_attributes=True)
        for row in unit_overview(gallra, unit_id, on)
    ]
