"""Kiosks as paired devices, and what the check-in screen needs (issue 4).

An administrator, or staff with a duty at the department's unit, pairs a kiosk (its device
token is in the answer, once), lists a department's kiosks and unpairs one; unpairing revokes
its token at once (``deps.get_principal``). Other staff are refused with 403: a department is
not personal, so there is nothing to hide about it.

The check-in list answers the department's kiosk, and staff for the children they see: each
child placed there today with its given name, whether it is present and since when, and who
may hand it over (guardians' given names, pick-up persons' names and whether a photo exists).
Never a civic number, a family name, a phone number or documentation.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status

from api.bootstrap import Gallra, today
from api.http.deps import AdminOrStaff, Attendance, GallraDep
from api.http.reading_policy import seen_children
from api.http.routes.pickup import photo_response
from api.http.schemas import shown
from api.http.schemas_pickup import (
    HandoverGuardian,
    HandoverPickupPerson,
    KioskChild,
    KioskPair,
    KioskPaired,
    KioskPublic,
)
from api.kiosk_device_commands import KioskView
from api.kiosk_pairing import pair_kiosk
from api.pickup_commands import Handover
from api.tokens import Principal, Role
from domain.errors import NotFoundError
from domain.people import Child, Guardian
from domain.personal import Shredded

router = APIRouter(tags=["kiosks"])


def _may_manage(gallra: Gallra, principal: Principal, unit_id: UUID) -> None:
    if principal.role == Role.ADMIN:
        return
    if principal.subject is None or principal.subject not in gallra.access.staff_of(
        unit_id, today(gallra)
    ):
        raise HTTPException(403, "only staff with a duty at the unit manage its kiosks")


def _public(kiosk: KioskView) -> KioskPublic:
    return KioskPublic(
        kiosk_id=kiosk.kiosk_id,
        department_id=kiosk.department_id,
        unit_id=kiosk.unit_id,
        label=kiosk.label,
        paired=kiosk.paired,
    )


@router.post(
    "/departments/{department_id}/kiosks",
    response_model=KioskPaired,
    status_code=status.HTTP_201_CREATED,
)
def pair(
    department_id: UUID, body: KioskPair, gallra: GallraDep, principal: AdminOrStaff
) -> KioskPaired:
    """Pair a new kiosk at the department; the answer holds its device token (valid
    ``kiosk_token_ttl_days``, 90 by default). Re-pairing a device means pairing a new kiosk."""
    _may_manage(gallra, principal, gallra.app.department_unit(department_id))
    paired = pair_kiosk(gallra, department_id, body.label, principal.subject)
    return KioskPaired(kiosk_id=paired.kiosk_id, token=paired.token)


@router.get("/departments/{department_id}/kiosks", response_model=list[KioskPublic])
def list_kiosks(
    department_id: UUID, gallra: GallraDep, principal: AdminOrStaff
) -> list[KioskPublic]:
    """Every kiosk ever paired at the department, oldest first, paired or not."""
    _may_manage(gallra, principal, gallra.app.department_unit(department_id))
    return [_public(k) for k in gallra.app.department_kiosks(department_id)]


@router.delete("/kiosks/{kiosk_id}", status_code=status.HTTP_204_NO_CONTENT)
def unpair(kiosk_id: UUID, gallra: GallraDep, principal: AdminOrStaff) -> None:
    """Unpair a kiosk for good: its token stops working at once. Again: a no-op."""
    _may_manage(gallra, principal, gallra.app.get_kiosk(kiosk_id).unit_id)
    gallra.app.unpair_kiosk(kiosk_id, principal.subject)


# -- what check-in needs ---------------------------------------------------------------------


def _children_for(gallra: Gallra, principal: Principal, department_id: UUID) -> list[UUID]:
    """The children placed at the department today that this reader may list."""
    if principal.role == Role.KIOSK and principal.department != department_id:
        raise HTTPException(403, "this kiosk belongs to another department")
    children = gallra.access.members_of(department_id, today(gallra))
    if principal.role == Role.STAFF:
        seen = seen_children(gallra, principal.subject)
        children = [c for c in children if c in seen]
    return children


def _handover_guardian(guardian_id: UUID, guardian: Guardian | None) -> HandoverGuardian:
    name = guardian.given_name if guardian is not None else Shredded("identity")
    values, culled = shown({"given_name": name})
    return HandoverGuardian(guardian_id=guardian_id, culled=culled, **values)


def _kiosk_child(
    child: Child, handover: Handover, day: date, present_since: dict[UUID, datetime]
) -> KioskChild:
    values, culled = shown({"given_name": child.given_name})
    persons = []
    for person in handover.pickups.get(child.id, []):
        if person.may_fetch_on(day):
            name, person_culled = shown({"name": person.name})
            persons.append(
                HandoverPickupPerson(
                    person_id=person.person_id,
                    has_photo=isinstance(person.photo, str),
                    culled=person_culled,
                    **name,
                )
            )
    since = present_since.get(child.id)
    return KioskChild(
        child_id=child.id,
        present=since is not None,
        present_since=since,
        guardians=[_handover_guardian(g, handover.guardians.get(g)) for g in child.guardians],
        pickup_persons=persons,
        culled=culled,
        **values,
    )


@router.get("/departments/{department_id}/kiosk/children", response_model=list[KioskChild])
def kiosk_children(
    department_id: UUID, gallra: GallraDep, principal: Attendance
) -> list[KioskChild]:
    """The check-in screen: children placed here today, present or not, and who may hand
    them over. To staff, only the children they see."""
    children = _children_for(gallra, principal, department_id)
    gallra.runner.catch_up()
    present: dict[UUID, datetime] = {
        row.child_id: row.checked_in_at for row in gallra.view.present(department_id)
    }
    handover = gallra.app.handover(children)  # every child, list and guardian in one read each
    day = today(gallra)
    return [
        _kiosk_child(handover.children[c], handover, day, present)
        for c in children
        if c in handover.children
    ]


@router.get(
    "/departments/{department_id}/kiosk/pickup-persons/{person_id}/photo",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def kiosk_pickup_photo(
    department_id: UUID, person_id: UUID, gallra: GallraDep, principal: Attendance
) -> Response:
    """The photo of a pick-up person of a child placed here today, for the kiosk to show at
    hand-over; 404 for anyone else's."""
    day = today(gallra)
    handover = gallra.app.handover(_children_for(gallra, principal, department_id))
    for persons in handover.pickups.values():
        for person in persons:
            if person.person_id == person_id and person.may_fetch_on(day):
                return photo_response(person)
    raise NotFoundError(f"no pick-up person with id {person_id}", field="person_id")
