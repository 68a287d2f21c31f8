"""Whom a staff member may see: identity, contact, profile and attendance (ADR 0012).

- A child: connected (a shared group or department), or any active duty at the child's unit.
- A guardian: at least one of their children is seen so.
- Another staff member: both hold an active duty at one unit.
- Oneself, always. A staff token without a subject names nobody, so it sees nobody.

The routes refuse with the very error an unknown id gets, decided before anything is loaded,
so a refusal neither reveals that a record exists nor decrypts it for nothing.
"""

from __future__ import annotations

from uuid import UUID

from api import access_log
from api.bootstrap import Gallra, today
from api.tokens import Principal, Role
from domain.errors import NotFoundError


def hidden(what: str, ident: UUID) -> NotFoundError:
    """The very error an unknown id gets, so a refusal tells nothing."""
    return NotFoundError(f"no {what} with id {ident}")


def sees_child(gallra: Gallra, staff_id: UUID | None, child_id: UUID) -> bool:
    if staff_id is None:
        return False
    return gallra.access.may_see(staff_id, child_id, today(gallra))


def reaches_child(
    gallra: Gallra, principal: Principal, child_id: UUID, *, admin: bool = False
) -> None:
    """Admit a guardian of the child, staff who see it, and (``admin``) an administrator;
    anyone else gets the answer an unknown child gets. Decided from the views before the
    child is loaded; the attempt is on the access log either way."""
    access_log.note_subjects(child_id)
    who, role = principal.subject, principal.role
    if role == Role.ADMIN and admin:
        return
    if role == Role.GUARDIAN and who is not None and child_id in gallra.access.children_of(who):
        return
    if role == Role.STAFF and sees_child(gallra, who, child_id):
        return
    raise hidden("child", child_id)


def sees_guardian(gallra: Gallra, staff_id: UUID | None, guardian_id: UUID) -> bool:
    if staff_id is None:
        return False
    return gallra.access.may_see_guardian(staff_id, guardian_id, today(gallra))


def sees_person(gallra: Gallra, staff_id: UUID | None, person_id: UUID) -> bool:
    """Any kind of person. An id names one aggregate only, so each rule is asked in turn
    without loading the person to learn what they are."""
    if staff_id is None:
        return False
    if staff_id == person_id:
        return True
    day, access = today(gallra), gallra.access
    return (
        access.may_see(staff_id, person_id, day)
        or access.may_see_guardian(staff_id, person_id, day)
        or access.share_unit(staff_id, person_id, day)
    )


def seen_children(gallra: Gallra, staff_id: UUID | None) -> frozenset[UUID]:
    """Every child the staff member sees today, for filtering lists in one query."""
    if staff_id is None:
        return frozenset()
    return frozenset(gallra.access.seen_by(staff_id, today(gallra)))
