"""Staff shifts per department: planned by admins and head teachers, read on the unit.

- Plan, change, cancel: an admin, or staff with a Rektor duty at the department's unit.
- A department's roster: an admin, or staff with a duty at its unit (today).
- A staff member's own shifts: themself, or an admin.

Refusals answer 404 like an unknown department or staff member, decided from the read models
before anything is loaded. Reads and writes note the staff members whose shifts they touch.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api import access_log
from api.bootstrap import Gallra, today
from api.http.deps import AdminOrStaff, GallraDep
from api.http.reading_policy import hidden
from api.http.schemas_roster import ShiftOutcome, ShiftPublic, ShiftPut, shift_public
from api.roster_commands import PLANNED, ShiftView
from api.tokens import Principal, Role
from domain.errors import RuleViolationError, SubmissionMismatchError
from domain.roster import month_of

router = APIRouter(tags=["roster"])
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


def _unit(gallra: Gallra, department_id: UUID) -> UUID:
    unit_id = gallra.roster.unit_of(department_id)
    if unit_id is None:
        raise hidden("department", department_id)
    return unit_id


def _may_plan(gallra: Gallra, principal: Principal, department_id: UUID) -> UUID:
    """The department's unit, if the principal plans its shifts; else 404."""
    unit_id = _unit(gallra, department_id)
    if principal.role == Role.ADMIN:
        return unit_id
    staff = principal.subject
    if staff is None or unit_id not in gallra.access.rektor_units(staff, today(gallra)):
        raise hidden("department", department_id)
    return unit_id


def _may_read(gallra: Gallra, principal: Principal, department_id: UUID) -> None:
    unit_id = _unit(gallra, department_id)
    if principal.role == Role.ADMIN:
        return
    staff = principal.subject
    if staff is None or staff not in gallra.access.staff_of(unit_id, today(gallra)):
        raise hidden("department", department_id)


def _noted(views: list[ShiftView]) -> list[ShiftPublic]:
    access_log.note_subjects(*(v.staff_id for v in views if isinstance(v.staff_id, UUID)))
    return [shift_public(v) for v in views]


def _month_days(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@router.put(
    "/departments/{department_id}/shifts/{shift_id}",
    response_model=ShiftOutcome,
    responses={201: {"model": ShiftOutcome, "description": "planned"}},
)
def put_shift(
    department_id: UUID,
    shift_id: UUID,
    body: ShiftPut,
    response: Response,
    gallra: GallraDep,
    principal: AdminOrStaff,
) -> ShiftOutcome:
    """Plan a shift under a client-chosen id (201), or change its times, breaks or type
    (200). The same again records nothing; the id with another staff member, day or
    department is refused (409)."""
    unit_id = _may_plan(gallra, principal, department_id)
    access_log.note_subjects(body.staff_id)
    place = gallra.roster.shift_place(shift_id)
    if place is not None and (place.department_id, place.month) != (
        department_id,
        month_of(body.day),
    ):
        raise SubmissionMismatchError(
            f"shift {shift_id} is kept at another department or month", field="shift_id"
        )
    outcome = gallra.app.put_shift(
        department_id=department_id,
        unit_id=unit_id,
        shift_id=shift_id,
        staff_id=body.staff_id,
        day=body.day,
        start=body.start,
        end=body.end,
        breaks=[(b.start, b.end) for b in body.breaks],
        shift_type=body.shift_type,
    )
    if outcome == PLANNED:
        response.status_code = status.HTTP_201_CREATED
    return ShiftOutcome(shift_id=shift_id, outcome=outcome)


@router.delete(
    "/departments/{department_id}/shifts/{shift_id}", status_code=status.HTTP_204_NO_CONTENT
)
def cancel_shift(
    department_id: UUID, shift_id: UUID, gallra: GallraDep, principal: AdminOrStaff
) -> None:
    """Cancel a shift; cancelling it again changes nothing."""
    _may_plan(gallra, principal, department_id)
    place = gallra.roster.shift_place(shift_id)
    if place is None or place.department_id != department_id:
        raise hidden("shift", shift_id)
    for view in gallra.app.roster_shifts(department_id, place.month):
        if view.shift_id == shift_id and isinstance(view.staff_id, UUID):
            access_log.note_subjects(view.staff_id)
    gallra.app.cancel_shift(department_id, place.month, shift_id)


@router.get("/departments/{department_id}/shifts", response_model=list[ShiftPublic])
def department_shifts(
    department_id: UUID,
    gallra: GallraDep,
    principal: AdminOrStaff,
    day: Annotated[date | None, Query(description="one day")] = None,
    month: Month = None,
) -> list[ShiftPublic]:
    """The department's shifts of a day or a month (exactly one), by day and start."""
    if (day is None) == (month is None):
        raise RuleViolationError("give either day or month", field="day")
    _may_read(gallra, principal, department_id)
    views = gallra.app.roster_shifts(department_id, month or month_of(day or date.min))
    return _noted([v for v in views if day is None or v.day == day])


@router.get("/staff/{staff_id}/shifts", response_model=list[ShiftPublic])
def staff_shifts(
    staff_id: UUID,
    gallra: GallraDep,
    principal: AdminOrStaff,
    month: Month = None,
) -> list[ShiftPublic]:
    """A staff member's own shifts of a month (default: this month), at every department."""
    if principal.role == Role.STAFF and principal.subject != staff_id:
        raise hidden("staff member", staff_id)
    month = month or month_of(today(gallra))
    first, last = _month_days(month)
    places = gallra.roster.shifts_of(staff_id, first, last)
    access_log.note_subjects(staff_id)
    wanted = {p.shift_id for p in places}
    views: list[ShiftView] = []
    for department_id in dict.fromkeys(p.department_id for p in places):
        shifts = gallra.app.roster_shifts(department_id, month)
        views.extend(v for v in shifts if v.shift_id in wanted and v.staff_id == staff_id)
    views.sort(key=lambda v: (v.day, str(v.start)))
    return [shift_public(v) for v in views]
