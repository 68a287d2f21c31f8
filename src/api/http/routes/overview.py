"""The live overview of a unit's departments: counts only, for the unit's own staff."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter

from api import access_log
from api.bootstrap import Gallra, today
from api.http.deps import AdminOrStaff, GallraDep
from api.http.reading_policy import hidden
from api.http.schemas_overview import DepartmentNowPublic, ScheduleRequestPublic
from api.overview import schedule_requests as unit_schedule_requests
from api.overview import unit_overview
from api.tokens import Principal, Role

router = APIRouter(tags=["overview"])


def _on_duty(gallra: Gallra, principal: Principal, unit_id: UUID, day: date) -> None:
    """Staff may ask about a unit where they hold a duty; to others it is an unknown one."""
    if principal.role == Role.STAFF and (
        principal.subject is None or principal.subject not in gallra.access.staff_of(unit_id, day)
    ):
        raise hidden("unit", unit_id)


@router.get("/units/{unit_id}/overview", response_model=list[DepartmentNowPublic])
def overview(
    unit_id: UUID, gallra: GallraDep, principal: AdminOrStaff, day: date | None = None
) -> list[DepartmentNowPublic]:
    """Per department: placed, scheduled, in now, arrived, gone home, absent by kind, expected
    but not arrived, staff on shift. Staff see it for units where they hold a duty; to anyone
    else the unit answers as an unknown one."""
    on = day or today(gallra)
    _on_duty(gallra, principal, unit_id, on)
    return [
        DepartmentNowPublic.model_validate(row, from_attributes=True)
        for row in unit_overview(gallra, unit_id, on)
    ]


@router.get("/units/{unit_id}/schedule-requests", response_model=list[ScheduleRequestPublic])
def schedule_requests(
    unit_id: UUID, gallra: GallraDep, principal: AdminOrStaff
) -> list[ScheduleRequestPublic]:
    """Stay schedules guardians asked for at this unit and nobody has decided, oldest first;
    each is approved or rejected at ``/children/{child_id}/schedules/{schedule_id}/...``."""
    on = today(gallra)
    _on_duty(gallra, principal, unit_id, on)
    requests = unit_schedule_requests(gallra, unit_id, on)
    access_log.note_subjects(*(r.child_id for r in requests))
    return [ScheduleRequestPublic.model_validate(r, from_attributes=True) for r in requests]
