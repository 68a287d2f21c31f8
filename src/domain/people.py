"""People: children and their guardians. A person's own stream holds sealed data only.

Identity (names, civic number, guardianship) is sealed under the person's identity scope;
a placement is sealed under a placement scope whose epoch is the placement itself, so each
placement can be culled on its own once it is no longer current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.personal import Category, Personal, Shredded, ValueOf

_ID = Personal(Category.IDENTITY)
_PLACEMENT = Personal(Category.PLACEMENT, epoch=ValueOf("placement_id"))


class RelationType:
    """SS 12000 responsible-adult relation types."""

    GUARDIAN = "Vårdnadshavare"
    OTHER_RESPONSIBLE = "Annan ansvarig"
    ALL = (GUARDIAN, OTHER_RESPONSIBLE, "God man", "Utsedd behörig")


@dataclass(frozen=True, slots=True)
class Placement:
    placement_id: UUID
    unit_id: UUID | Shredded
    department_id: UUID | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        if isinstance(self.start, Shredded) or isinstance(self.end, Shredded):
            return False
        return self.start <= day and (self.end is None or day <= self.end)


class Guardian(Aggregate):
    class Registered(Aggregate.Created):
        given_name: Annotated[str | Shredded, _ID]
        family_name: Annotated[str | Shredded, _ID]
        civic_number: Annotated[str | Shredded, _ID]
        civic_kind: Annotated[str | Shredded, _ID]

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self.given_name = given_name
        self.family_name = family_name
        self.civic_number = civic_number
        self.civic_kind = civic_kind


class Child(Aggregate):
    """A child in preschool or fritids (barn), with guardians and placements."""

    class Registered(Aggregate.Created):
        given_name: Annotated[str | Shredded, _ID]
        family_name: Annotated[str | Shredded, _ID]
        civic_number: Annotated[str | Shredded, _ID]
        civic_kind: Annotated[str | Shredded, _ID]

    class GuardianLinked(Aggregate.Event):
        guardian_id: Annotated[UUID | Shredded, _ID]
        relation: Annotated[str | Shredded, _ID]

    class Placed(Aggregate.Event):
        placement_id: UUID
        unit_id: Annotated[UUID | Shredded, _PLACEMENT]
        department_id: Annotated[UUID | Shredded, _PLACEMENT]
        start: Annotated[date | Shredded, _PLACEMENT]

    class PlacementEnded(Aggregate.Event):
        placement_id: UUID
        end: Annotated[date | Shredded, _PLACEMENT]

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self.given_name = given_name
        self.family_name = family_name
        self.civic_number = civic_number
        self.civic_kind = civic_kind
        self.guardians: dict[UUID, str | Shredded] = {}
        self.culled_guardian_links = 0
        self.placements: dict[UUID, Placement] = {}

    # -- guardians -------------------------------------------------------------------------

    def link_guardian(self, guardian_id: UUID, relation: str = RelationType.GUARDIAN) -> None:
        if relation not in RelationType.ALL:
            raise RuleViolationError(
                f"relation must be one of {', '.join(RelationType.ALL)}", field="relation"
            )
        if guardian_id in self.guardians:
            return  # linking twice changes nothing: retries are safe
        self._link_guardian(guardian_id=guardian_id, relation=relation)

    @event(GuardianLinked)
    def _link_guardian(self, guardian_id: UUID | Shredded, relation: str | Shredded) -> None:
        if isinstance(guardian_id, Shredded):
            self.culled_guardian_links += 1
        else:
            self.guardians[guardian_id] = relation

    def is_responsible_adult(self, person_id: UUID) -> bool:
        return person_id in self.guardians

    # -- placements ------------------------------------------------------------------------

    def place(self, unit_id: UUID, department_id: UUID, start: date) -> UUID:
        """Place the child at a department from ``start``; one open placement at a time."""
        for placement in self.placements.values():
            if placement.end is None and not isinstance(placement.start, Shredded):
                raise ConflictError(
                    f"child {self.id} already has open placement {placement.placement_id}; "
                    "end it first",
                    field="start",
                )
        placement_id = uuid4()
        self._place(
            placement_id=placement_id, unit_id=unit_id, department_id=department_id, start=start
        )
        return placement_id

    @event(Placed)
    def _place(
        self,
        placement_id: UUID,
        unit_id: UUID | Shredded,
        department_id: UUID | Shredded,
        start: date | Shredded,
    ) -> None:
        self.placements[placement_id] = Placement(placement_id, unit_id, department_id, start, None)

    def end_placement(self, placement_id: UUID, end: date) -> None:
        placement = self.placements.get(placement_id)
        if placement is None:
            raise NotFoundError(f"child {self.id} has no placement {placement_id}")
        if placement.end is not None:
            raise ConflictError(f"placement {placement_id} has already ended")
        if not isinstance(placement.start, Shredded) and end < placement.start:
            raise RuleViolationError("a placement cannot end before it starts", field="end")
        self._end_placement(placement_id=placement_id, end=end)

    @event(PlacementEnded)
    def _end_placement(self, placement_id: UUID, end: date | Shredded) -> None:
        placement = self.placements[placement_id]
        self.placements[placement_id] = Placement(
            placement.placement_id, placement.unit_id, placement.department_id, placement.start, end
        )

    def placement_at(self, department_id: UUID, day: date) -> Placement | None:
        for placement in self.placements.values():
            if placement.department_id == department_id and placement.active_on(day):
                return placement
        return None
