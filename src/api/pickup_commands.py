"""Pick-up persons (hämtare) a guardian names for a child (issue 4).

Who may name or read them (the child's guardians, staff who see the child, the department's
kiosk) is decided by the caller (the HTTP layer); these commands keep the rules of the list
itself: client-chosen person ids, retries as no-ops, removal for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from api import access_log
from api.app_base import GallraBase
from domain.errors import NotFoundError
from domain.people import Child, Guardian
from domain.photo import check_photo_type, decode_base64
from domain.pickup import ChildPickups, PickupDetails, PickupPerson, child_pickups_id


@dataclass(frozen=True)
class Handover:
    """What a department's check-in screen needs, read in one go: the children, their
    current pick-up persons and their guardians (culled ones read ``Shredded``)."""

    children: dict[UUID, Child]
    pickups: dict[UUID, list[PickupPerson]]  # by child
    guardians: dict[UUID, Guardian]


class PutOutcome(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


def pickup_details(
    name: str, phone: str, photo_type: str | None, photo_base64: str | None
) -> PickupDetails:
    """Details as a client sends them: the photo as base64 text (checked, never echoed)."""
    if photo_base64 is None:
        return PickupDetails(name, phone, photo_type, None)
    if photo_type is not None:
        check_photo_type(photo_type, field="photo_type")
    return PickupDetails(name, phone, photo_type, decode_base64(photo_base64, field="photo"))


class PickupCommands(GallraBase):
    """Pick-up persons a guardian names for a child."""

    def _pickups(self, child_id: UUID) -> ChildPickups | None:
        """The child's pick-up stream, or None before anyone was named."""
        try:
            aggregate: Aggregate = self.repository.get(child_pickups_id(child_id))
        except AggregateNotFoundError:
            access_log.note_subjects(child_id)
            return None
        access_log.note(aggregate)
        assert isinstance(aggregate, ChildPickups)
        return aggregate

    def _pickups_for_write(self, child_id: UUID) -> ChildPickups:
        pickups = self._pickups(child_id)
        if pickups is None:
            self._get(Child, child_id, "child")  # only a child gets a pick-up list
            pickups = ChildPickups.open(child_id)
        return pickups

    def put_pickup_person(
        self, child_id: UUID, person_id: UUID, details: PickupDetails, by: UUID | None
    ) -> PutOutcome:
        """Name a pick-up person, or replace the details of one named before; the same
        details again record nothing. A removed person's id is refused."""

        def command() -> PutOutcome:
            pickups = self._pickups_for_write(child_id)
            known = pickups.persons.get(person_id)
            if known is None or known.removed:
                pickups.add(person_id, details, self._today(), by, child_id=child_id)
                self.save(pickups)
                return PutOutcome.ADDED
            if not pickups.change(person_id, details, by):
                return PutOutcome.UNCHANGED
            self.save(pickups)
            return PutOutcome.CHANGED

        outcome: PutOutcome = self._retrying(command)
        return outcome

    def add_pickup_person(
        self, child_id: UUID, person_id: UUID, details: PickupDetails, by: UUID | None
    ) -> bool:
        """Name a pick-up person; False if this very person was named before (a retry)."""

        def command() -> bool:
            pickups = self._pickups_for_write(child_id)
            if not pickups.add(person_id, details, self._today(), by, child_id=child_id):
                return False
            self.save(pickups)
            return True

        added: bool = self._retrying(command)
        return added

    def change_pickup_person(
        self, child_id: UUID, person_id: UUID, details: PickupDetails, by: UUID | None
    ) -> bool:
        """Replace a current pick-up person's details; False if nothing changed."""

        def command() -> bool:
            pickups = self._pickups(child_id)
            if pickups is None:
                raise NotFoundError(f"no pick-up person with id {person_id}", field="person_id")
            if not pickups.change(person_id, details, by):
                return False
            self.save(pickups)
            return True

        changed: bool = self._retrying(command)
        return changed

    def remove_pickup_person(self, child_id: UUID, person_id: UUID, by: UUID | None) -> bool:
        """Remove a pick-up person from today; False if they were removed before."""

        def command() -> bool:
            pickups = self._pickups(child_id)
            if pickups is None:
                raise NotFoundError(f"no pick-up person with id {person_id}", field="person_id")
            if not pickups.remove(person_id, self._today(), by):
                return False
            self.save(pickups)
            return True

        removed: bool = self._retrying(command)
        return removed

    def handover(self, child_ids: list[UUID]) -> Handover:
        """The children, their pick-up lists and their guardians, each kind in one read: the
        kiosk asks for a whole department at every refresh of its screen."""
        children = self._get_many(Child, child_ids)
        lists = self._get_many(ChildPickups, [child_pickups_id(c) for c in children])
        by_child = {child_pickups_id(c): c for c in children}
        guardians = self._get_many(Guardian, [g for c in children.values() for g in c.guardians])
        pickups = {by_child[i]: p.current() for i, p in lists.items()}
        return Handover(children, pickups, guardians)

    def pickup_persons(self, child_id: UUID) -> list[PickupPerson]:
        """The child's current pick-up persons (culled fields read ``Shredded``)."""
        pickups = self._pickups(child_id)
        return [] if pickups is None else pickups.current()

    def pickup_person(self, child_id: UUID, person_id: UUID) -> PickupPerson:
        """One current pick-up person of the child; a removed or unknown one is not found."""
        for person in self.pickup_persons(child_id):
            if person.person_id == person_id:
                return person
        raise NotFoundError(f"no pick-up person with id {person_id}", field="person_id")

    def pickup_person_ids(self, child_id: UUID, day: date) -> frozenset[UUID]:
        """The pick-up persons who may fetch the child on ``day`` (the kiosk's ``by``):
        added on or before the day and not removed by then."""
        pickups = self._pickups(child_id)
        if pickups is None:
            return frozenset()
        return frozenset(p.person_id for p in pickups.persons.values() if p.may_fetch_on(day))

    def _today(self) -> date:
        return self.local_day(self.clock())
