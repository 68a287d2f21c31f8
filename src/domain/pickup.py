"""Pick-up persons (hämtare): who a child's guardians (or staff) say may fetch or bring it.

One stream per child (``ChildPickups``), its id derived from the child's random id. A pick-up
person is a data subject of their own: name, phone, photo, the days they were added and
removed and who did it are sealed under the person's pickup scope, so culling a removed
person forgets them without touching the child. The child's id is sealed under the child's
pickup scope. Only the person ids stay readable: they name nobody without the sealed fields.

Person ids are chosen by the client: adding the same person again is a no-op, adding the same
id with other content is refused, and a removed person's id is never used again.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.personal import Category, OwnStreamEvent, Personal, Shredded, ValueOf
from domain.photo import check_photo

PICKUPS_NAMESPACE = UUID("6f1c0d38-54a4-4f0e-9a43-2a8d1b7f9c15")
_CHILD = Personal(Category.PICKUP, subject="child_id")
# Each person's tie to the child under a scope of its own: when a child's pick-up persons are
# culled (no longer current) and the child comes back, new persons can be tied to it again.
_TIE = Personal(Category.PICKUP, subject="child_id", epoch=ValueOf("person_id"))
_PERSON = Personal(Category.PICKUP, subject="person_id")  # a fixed epoch: culled at once

MAX_NAME = 200
_PHONE = re.compile(r"\+?[0-9][0-9 \-]*")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS, MAX_PHONE = 6, 20, 32


def child_pickups_id(child_id: UUID) -> UUID:
    """The child's pick-up stream, found from the child's id without an index."""
    return uuid5(PICKUPS_NAMESPACE, str(child_id))


def checked_phone(phone: str) -> str:
    """A phone number, loosely: digits, spaces, hyphens and a leading +; 6 to 20 digits."""
    value = phone.strip()
    digits = sum(c.isascii() and c.isdigit() for c in value)
    if not (
        len(value) <= MAX_PHONE
        and MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS
        and _PHONE.fullmatch(value)
    ):
        raise RuleViolationError(
            f"phone must be {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits, with spaces, "
            "hyphens and a leading + allowed",
            field="phone",
        )
    return value


def checked_name(name: str) -> str:
    value = name.strip()
    if not value:
        raise RuleViolationError("name must not be empty", field="name")
    if len(value) > MAX_NAME:
        raise RuleViolationError(f"name is longer than {MAX_NAME} characters", field="name")
    return value


@dataclass(frozen=True, slots=True)
class PickupDetails:
    """What a guardian says about a pick-up person."""

    name: str
    phone: str
    photo_type: str | None = None
    photo: bytes | None = None

    def checked(self) -> PickupDetails:
        if (self.photo is None) != (self.photo_type is None):
            raise RuleViolationError("a photo needs its media type", field="photo_type")
        if self.photo is not None and self.photo_type is not None:
            check_photo(self.photo_type, self.photo, field="photo", type_field="photo_type")
        return PickupDetails(
            checked_name(self.name), checked_phone(self.phone), self.photo_type, self.photo
        )

    @property
    def photo_text(self) -> str | None:
        """The photo as stored: base64 text."""
        return None if self.photo is None else base64.b64encode(self.photo).decode()


@dataclass(frozen=True, slots=True)
class PickupPerson:
    person_id: UUID
    name: str | Shredded
    phone: str | Shredded
    photo_type: str | Shredded | None
    photo: str | Shredded | None  # base64
    added_on: date | Shredded
    removed_on: date | Shredded | None = None
    removed: bool = False

    @property
    def culled(self) -> bool:
        return isinstance(self.name, Shredded)

    def may_fetch_on(self, day: date) -> bool:
        """Added on or before ``day`` and not removed by then; a culled date allows nothing."""
        if not isinstance(self.added_on, date) or self.added_on > day:
            return False
        if not self.removed:
            return True
        return isinstance(self.removed_on, date) and self.removed_on > day

    def same_as(self, details: PickupDetails) -> bool:
        return (self.name, self.phone, self.photo_type, self.photo) == (
            details.name,
            details.phone,
            details.photo_type,
            details.photo_text,
        )

    def photo_bytes(self) -> bytes | None:
        """The photo's bytes; None if there is none or it is culled."""
        return base64.b64decode(self.photo) if isinstance(self.photo, str) else None


class ChildPickups(Aggregate):
    """A child's pick-up persons, current and removed."""

    Event = OwnStreamEvent  # one person's own stream: no readable record time (ADR 0023)

    class Opened(Aggregate.Created):
        child_id: Annotated[UUID | Shredded, _CHILD]

    class PersonAdded(Aggregate.Event):
        """Names the child as well, so the currency index can tie the person to the child."""

        person_id: UUID
        child_id: Annotated[UUID | Shredded, _TIE]
        name: Annotated[str | Shredded, _PERSON]
        phone: Annotated[str | Shredded, _PERSON]
        photo_type: Annotated[str | Shredded | None, _PERSON]
        photo: Annotated[str | Shredded | None, _PERSON]  # base64: the store's JSON has no bytes
        added_on: Annotated[date | Shredded, _PERSON]
        added_by: Annotated[UUID | Shredded | None, _PERSON]

    class PersonChanged(Aggregate.Event):
        person_id: UUID
        name: Annotated[str | Shredded, _PERSON]
        phone: Annotated[str | Shredded, _PERSON]
        photo_type: Annotated[str | Shredded | None, _PERSON]
        photo: Annotated[str | Shredded | None, _PERSON]
        changed_by: Annotated[UUID | Shredded | None, _PERSON]

    class PersonRemoved(Aggregate.Event):
        person_id: UUID
        removed_on: Annotated[date | Shredded, _PERSON]
        removed_by: Annotated[UUID | Shredded | None, _PERSON]

    @classmethod
    def open(cls, child_id: UUID) -> ChildPickups:
        return cls._create(cls.Opened, id=child_pickups_id(child_id), child_id=child_id)

    @event(Opened)
    def __init__(self, child_id: UUID | Shredded) -> None:
        self.child_id = child_id
        self.persons: dict[UUID, PickupPerson] = {}

    def data_subjects(self) -> list[UUID]:
        """The child and every pick-up person named here, for the access log."""
        child = [self.child_id] if isinstance(self.child_id, UUID) else []
        return [*child, *self.persons]

    def current(self) -> list[PickupPerson]:
        """The persons not removed, in the order they were added."""
        return [p for p in self.persons.values() if not p.removed]

    def _existing(self, person_id: UUID) -> PickupPerson:
        person = self.persons.get(person_id)
        if person is None or person.removed:
            raise NotFoundError(f"no pick-up person with id {person_id}", field="person_id")
        if person.culled:
            raise ConflictError(f"pick-up person {person_id} is culled", field="person_id")
        return person

    # -- commands --------------------------------------------------------------------------

    def add(
        self,
        person_id: UUID,
        details: PickupDetails,
        added_on: date,
        added_by: UUID | None,
        *,
        child_id: UUID | None = None,
    ) -> bool:
        """Name a pick-up person; False (nothing recorded) if this very person is named.
        ``child_id``: the child, when the record's own reference to it may be culled."""
        details = details.checked()
        known = self.persons.get(person_id)
        if known is not None:
            if known.removed or known.culled:
                raise ConflictError(
                    f"pick-up person {person_id} was removed; choose a new id", field="person_id"
                )
            if known.same_as(details):
                return False
            raise SubmissionMismatchError(
                f"pick-up person {person_id} was added with other details", field="person_id"
            )
        child = child_id or self.child_id
        if not isinstance(child, UUID):
            raise ConflictError("this child's pick-up record is culled", field="child_id")
        self._added(
            person_id=person_id,
            child_id=child,
            name=details.name,
            phone=details.phone,
            photo_type=details.photo_type,
            photo=details.photo_text,
            added_on=added_on,
            added_by=added_by,
        )
        return True

    def change(self, person_id: UUID, details: PickupDetails, changed_by: UUID | None) -> bool:
        """Replace a current person's details; False if nothing changed."""
        details = details.checked()
        if self._existing(person_id).same_as(details):
            return False
        self._changed(
            person_id=person_id,
            name=details.name,
            phone=details.phone,
            photo_type=details.photo_type,
            photo=details.photo_text,
            changed_by=changed_by,
        )
        return True

    def remove(self, person_id: UUID, removed_on: date, removed_by: UUID | None) -> bool:
        """Remove a person; removing a removed one again is a no-op (False)."""
        known = self.persons.get(person_id)
        if known is None:
            raise NotFoundError(f"no pick-up person with id {person_id}", field="person_id")
        if known.removed:
            return False
        if known.culled:  # its scope is gone and is never written again
            raise ConflictError(f"pick-up person {person_id} is culled", field="person_id")
        self._removed(person_id=person_id, removed_on=removed_on, removed_by=removed_by)
        return True

    # -- events ----------------------------------------------------------------------------

    @event(PersonAdded)
    def _added(
        self,
        person_id: UUID,
        child_id: UUID | Shredded,
        name: str | Shredded,
        phone: str | Shredded,
        photo_type: str | Shredded | None,
        photo: str | Shredded | None,
        added_on: date | Shredded,
        added_by: UUID | Shredded | None,
    ) -> None:
        self.persons[person_id] = PickupPerson(person_id, name, phone, photo_type, photo, added_on)

    @event(PersonChanged)
    def _changed(
        self,
        person_id: UUID,
        name: str | Shredded,
        phone: str | Shredded,
        photo_type: str | Shredded | None,
        photo: str | Shredded | None,
        changed_by: UUID | Shredded | None,
    ) -> None:
        before = self.persons[person_id]
        self.persons[person_id] = PickupPerson(
            person_id, name, phone, photo_type, photo, before.added_on
        )

    @event(PersonRemoved)
    def _removed(
        self, person_id: UUID, removed_on: date | Shredded, removed_by: UUID | Shredded | None
    ) -> None:
        before = self.persons[person_id]
        self.persons[person_id] = PickupPerson(
            person_id,
            before.name,
            before.phone,
            before.photo_type,
            before.photo,
            before.added_on,
            removed_on,
            removed=True,
        )
