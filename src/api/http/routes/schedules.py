"""Stay schedules: guardians lay them, staff who see the child lay and decide them, and a
placement's maximum hours a week is set by an administrator or staff at its unit. Anyone else
is answered as for an unknown child; every request notes the child on the access log."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status

from api import access_log
from api.bootstrap import Gallra, today
from api.http.deps import AdminOrStaff, GallraDep, People, require
from api.http.reading_policy import hidden, reaches_child, sees_child
from api.http.schemas import shown
from api.http.schemas_schedules import (
    DayPublic,
    DecisionPublic,
    EntryPublic,
    HoursPublic,
    HoursSet,
    LaidPublic,
    PlanPublic,
    ScheduleCreate,
    SchedulePublic,
    ScheduleReject,
    StatePublic,
    StretchPublic,
)
from api.schedule_commands import ScheduleView
from api.tokens import Principal, Role
from domain.errors import RuleViolationError
from domain.schedule_state import State
from domain.schedule_terms import Entry, ScheduleTerms

router = APIRouter(tags=["schedules"])

Layers = Annotated[Principal, Depends(require(Role.GUARDIAN, Role.STAFF))]
Guardians = Annotated[Principal, Depends(require(Role.GUARDIAN))]
_SCHEDULE = "/children/{child_id}/schedules/{schedule_id}"
_HOURS = "/children/{child_id}/placements/{placement_id}/hours"


def _schedule_public(view: ScheduleView) -> SchedulePublic:
    history = []
    for d in view.history:
        values, culled = shown({"by": d.by, "reason": d.reason})
        state = State(d.state)
        history.append(
            DecisionPublic(
                state=str(state), ss12000_state=state.ss12000, at=d.at, culled=culled, **values
            )
        )
    terms = view.terms
    laid_by, culled = shown({"laid_by": view.laid_by})
    if terms is None:
        culled += ["placement_id", "start_date", "end_date", "number_of_weeks"]
        culled += ["temporary", "entries"]
    return SchedulePublic(
        id=view.schedule_id,
        state=view.state,
        ss12000_state=State(view.state).ss12000,
        placement_id=terms.placement_id if terms else None,
        start_date=terms.start_date if terms else None,
        end_date=terms.end_date if terms else None,
        number_of_weeks=terms.number_of_weeks if terms else None,
        temporary=terms.temporary if terms else None,
        entries=[
            EntryPublic(
                day_of_week=e.day_of_week,
                start_time=e.start_time,
                end_time=e.end_time,
                week_offset=e.week_offset,
            )
            for e in terms.entries
        ]
        if terms
        else None,
        laid_at=view.laid_at,
        in_force_until=view.in_force_until,
        history=history,
        culled=culled,
        **laid_by,
    )


@router.post("/children/{child_id}/schedules", response_model=LaidPublic)
def lay_schedule(
    child_id: UUID,
    body: ScheduleCreate,
    response: Response,
    gallra: GallraDep,
    principal: Layers,
) -> LaidPublic:
    """Lay a stay schedule for a placement: 201 when recorded, 200 with ``duplicate`` when
    this id was laid before with the same content. A guardian's is requested and bound by
    the change deadline; staff may lay one approved, from any day."""
    reaches_child(gallra, principal, child_id, admin=True)
    by_guardian = principal.role == Role.GUARDIAN
    if by_guardian and body.approved:
        raise RuleViolationError("only staff may lay a schedule approved", field="approved")
    terms = ScheduleTerms.checked(
        body.placement_id,
        body.start_date,
        body.end_date,
        body.number_of_weeks,
        body.temporary,
        [Entry(e.week_offset, e.day_of_week, e.start_time, e.end_time) for e in body.entries],
    )
    deadline = gallra.settings.schedule_change_deadline_days if by_guardian else None
    laid = gallra.app.lay_schedule(
        child_id,
        body.schedule_id,
        terms,
        principal.subject,
        guardian_deadline_days=deadline,
        approve=body.approved,
    )
    response.status_code = status.HTTP_200_OK if laid.duplicate else status.HTTP_201_CREATED
    return LaidPublic(id=laid.schedule_id, state=laid.state, duplicate=laid.duplicate)


@router.post(_SCHEDULE + "/approve", response_model=StatePublic)
def approve_schedule(
    child_id: UUID, schedule_id: UUID, gallra: GallraDep, principal: AdminOrStaff
) -> StatePublic:
    """Approve a requested schedule (Godkänt); approving it again changes nothing."""
    reaches_child(gallra, principal, child_id, admin=True)
    state = gallra.app.approve_schedule(child_id, schedule_id, principal.subject)
    return StatePublic(id=schedule_id, state=state)


@router.post(_SCHEDULE + "/reject", response_model=StatePublic)
def reject_schedule(
    child_id: UUID,
    schedule_id: UUID,
    body: ScheduleReject,
    gallra: GallraDep,
    principal: AdminOrStaff,
) -> StatePublic:
    """Reject a requested schedule (Nekat), with an optional reason for the guardians."""
    reaches_child(gallra, principal, child_id, admin=True)
    state = gallra.app.reject_schedule(child_id, schedule_id, principal.subject, body.reason)
    return StatePublic(id=schedule_id, state=state)


@router.post(_SCHEDULE + "/withdraw", response_model=StatePublic)
def withdraw_schedule(
    child_id: UUID, schedule_id: UUID, gallra: GallraDep, principal: Guardians
) -> StatePublic:
    """A guardian withdraws a schedule not yet decided."""
    reaches_child(gallra, principal, child_id, admin=True)
    state = gallra.app.withdraw_schedule(child_id, schedule_id, principal.subject)
    return StatePublic(id=schedule_id, state=state)


@router.get("/children/{child_id}/schedules", response_model=list[SchedulePublic])
def schedules(child_id: UUID, gallra: GallraDep, principal: People) -> list[SchedulePublic]:
    """Every schedule of the child with its history, newest first; culled ones included."""
    reaches_child(gallra, principal, child_id, admin=True)
    return [_schedule_public(v) for v in gallra.app.schedules_of(child_id)]


@router.get("/children/{child_id}/schedule", response_model=PlanPublic)
def plan(
    child_id: UUID,
    gallra: GallraDep,
    principal: People,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
) -> PlanPublic:
    """Day by day, what the approved schedules in force plan (at most 93 days)."""
    reaches_child(gallra, principal, child_id, admin=True)
    days = [
        DayPublic(
            day=d.day,
            minutes=d.minutes,
            times=[StretchPublic(start_time=s, end_time=e) for s, e in d.times],
            schedule_ids=list(d.schedule_ids),
        )
        for d in gallra.app.schedule_plan(child_id, first, last)
    ]
    return PlanPublic(child_id=child_id, days=days)


def _hours_setter(gallra: Gallra, principal: Principal, child_id: UUID, placement: UUID) -> None:
    """An administrator, or staff with a duty at the placement's unit."""
    access_log.note_subjects(child_id)
    if principal.role == Role.ADMIN:
        return
    staff = principal.subject
    if staff is not None and sees_child(gallra, staff, child_id):
        units = [
            p.unit_id
            for p in gallra.app.get_child(child_id).placements
            if p.placement_id == placement
        ]
        unit = units[0] if units else None
        if isinstance(unit, UUID) and staff in gallra.access.staff_of(unit, today(gallra)):
            return
    raise hidden("child", child_id)


@router.put(_HOURS, status_code=status.HTTP_204_NO_CONTENT)
def set_hours(
    child_id: UUID, placement_id: UUID, body: HoursSet, gallra: GallraDep, principal: AdminOrStaff
) -> None:
    """Set the placement's maximum hours a week (null: none); later schedules must keep it."""
    _hours_setter(gallra, principal, child_id, placement_id)
    gallra.app.set_placement_hours(child_id, placement_id, body.weekly_hours)


@router.get(_HOURS, response_model=HoursPublic)
def get_hours(
    child_id: UUID, placement_id: UUID, gallra: GallraDep, principal: People
) -> HoursPublic:
    reaches_child(gallra, principal, child_id, admin=True)
    values, culled = shown({"weekly_hours": gallra.app.placement_hours(child_id, placement_id)})
    return HoursPublic(placement_id=placement_id, culled=culled, **values)
