"""Children and students, and their guardians. A person's own stream holds sealed data only.

Identity (names, civic number, guardianship) is sealed under the person's identity scope (see
``domain.person``); each placement, with its group memberships and transfers, under a
placement scope whose epoch is the placement itself, so each can be culled once it is no
longer current. Staff live in ``domain.staff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import SchoolForm
from domain.person import PersonRecord, PersonRegistered, RelationType, SecurityMarking, within
from domain.personal import Category, Personal, Shredded, ValueOf
from domain.staff import AssignmentRole, DutyRole, Staff
from domain.transition import TransitionArchive

_ID = Personal(Category.IDENTITY)
_PLACEMENT = Personal(Category.PLACEMENT, epoch=ValueOf("placement_id"))

__all__ = [
    "AssignmentRole",
    "Child",
    "DutyRole",
    "Guardian",
    "Membership",
    "PersonRecord",
    "Placement",
    "RelationType",
    "SecurityMarking",
    "Staff",
]


class Guardian(PersonRecord):
    """A guardian or other responsible adult (vårdnadshavare / annan ansvarig vuxen)."""

    class Registered(PersonRegistered):
        pass

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self._identify(given_name, family_name, civic_number, civic_kind)
        self._person_init()


@dataclass(frozen=True, slots=True)
class Placement:
    placement_id: UUID
    unit_id: UUID | Shredded
    department_id: UUID | Shredded | None
    start: date | Shredded
    end: date | Shredded | None
    school_form: str | Shredded | None = None  # None: placed before placements had one

    def active_on(self, day: date) -> bool:
        return within(self.start, self.end, day)

    @property
    def open(self) -> bool:
        return self.end is None and not isinstance(self.start, Shredded)


@dataclass(frozen=True, slots=True)
class Membership:
    membership_id: UUID
    placement_id: UUID
    group_id: UUID | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        return within(self.start, self.end, day)


class Child(PersonRecord, TransitionArchive):
    """A child or student (barn/elev): the person placements, attendance and documentation
    are about, with guardians and placements, group memberships within a placement, and the
    consents and transfers of its transition documentation."""

    class Registered(PersonRegistered):
        pass

    class GuardianLinked(Aggregate.Event):
        guardian_id: Annotated[UUID | Shredded, _ID]
        relation: Annotated[str | Shredded, _ID]

    class Placed(Aggregate.Event):
        """Version 2 adds the school form and allows a placement without a department."""

        class_version = 2
        placement_id: UUID
        unit_id: Annotated[UUID | Shredded, _PLACEMENT]
        department_id: Annotated[UUID | Shredded | None, _PLACEMENT]
        start: Annotated[date | Shredded, _PLACEMENT]
        school_form: Annotated[str | Shredded | None, _PLACEMENT]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("school_form", None)

    class PlacementEnded(Aggregate.Event):
        placement_id: UUID
        end: Annotated[date | Shredded, _PLACEMENT]

    class JoinedGroup(Aggregate.Event):
        membership_id: UUID
        placement_id: UUID
        group_id: Annotated[UUID | Shredded, _PLACEMENT]
        start: Annotated[date | Shredded, _PLACEMENT]

    class LeftGroup(Aggregate.Event):
        membership_id: UUID
        placement_id: UUID
        end: Annotated[date | Shredded, _PLACEMENT]

    class PlacementHoursSet(Aggregate.Event):
        """A placement's maximum stay a week (e.g. allmän förskola, 15 h); None: no maximum."""

        placement_id: UUID
        weekly_hours: Annotated[int | Shredded | None, _PLACEMENT]

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self._identify(given_name, family_name, civic_number, civic_kind)
        self.guardians: dict[UUID, str | Shredded] = {}
        self.culled_guardian_links = 0
        self.placements: dict[UUID, Placement] = {}
        self.memberships: dict[UUID, Membership] = {}
        self.placement_hours: dict[UUID, int | Shredded | None] = {}
        self._person_init()
        self._archive_init()

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

    def custodians(self) -> list[UUID]:
        """Guardians with custody (vårdnadshavare), as opposed to other responsible adults."""
        return [g for g, r in self.guardians.items() if r == RelationType.GUARDIAN]

    # -- placements ------------------------------------------------------------------------

    def place(
        self,
        unit_id: UUID,
        department_id: UUID | None,
        start: date,
        school_form: str | None = None,
    ) -> UUID:
        """Place the child at a unit (and department) from ``start``: one open placement per
        school form, so a pupil can be in grundskola and fritidshem at once."""
        for placement in self.placements.values():
            if placement.open and placement.school_form == school_form:
                raise ConflictError(
                    f"child {self.id} already has open placement {placement.placement_id} "
                    "in this school form; end or move it instead",
                    field="start",
                )
        placement_id = uuid4()
        self._place(
            placement_id=placement_id,
            unit_id=unit_id,
            department_id=department_id,
            start=start,
            school_form=school_form,
        )
        return placement_id

    @event(Placed)
    def _place(
        self,
        placement_id: UUID,
        unit_id: UUID | Shredded,
        department_id: UUID | Shredded | None,
        start: date | Shredded,
        school_form: str | Shredded | None,
    ) -> None:
        self.placements[placement_id] = Placement(
            placement_id, unit_id, department_id, start, None, school_form
        )

    def end_placement(self, placement_id: UUID, end: date) -> None:
        placement = self._placement(placement_id)
        if placement.end is not None:
            raise ConflictError(f"placement {placement_id} has already ended")
        if not isinstance(placement.start, Shredded) and end < placement.start:
            raise RuleViolationError("a placement cannot end before it starts", field="end")
        for membership in self.memberships.values():
            if membership.placement_id == placement_id and membership.end is None:
                self._left_group(
                    membership_id=membership.membership_id, placement_id=placement_id, end=end
                )
        self._end_placement(placement_id=placement_id, end=end)

    def move(self, placement_id: UUID, unit_id: UUID, department_id: UUID | None, on: date) -> UUID:
        """End a placement the day before ``on`` and start one in the same school form at
        another unit or department from ``on``; both events are saved together. From school
        age the transition documentation follows the student to the new unit; from preschool
        it needs consent, so it is transferred by its own command."""
        placement = self._placement(placement_id)
        if not placement.open:
            raise ConflictError(f"placement {placement_id} is not open", field="placement_id")
        if isinstance(placement.start, date) and on <= placement.start:
            raise RuleViolationError("a move must come after the placement starts", field="on")
        if placement.unit_id == unit_id and placement.department_id == department_id:
            raise ConflictError("the child is already placed there", field="unit_id")
        form = None if isinstance(placement.school_form, Shredded) else placement.school_form
        self.end_placement(placement_id, date.fromordinal(on.toordinal() - 1))
        new_id = self.place(unit_id, department_id, on, form)
        from_unit = placement.unit_id
        school_age = form not in (None, SchoolForm.FORSKOLA)
        if school_age and isinstance(from_unit, UUID) and from_unit != unit_id:
            self.transfer_documentation(from_unit, form, new_id, unit_id, on)
        return new_id

    @event(PlacementEnded)
    def _end_placement(self, placement_id: UUID, end: date | Shredded) -> None:
        placement = self.placements[placement_id]
        self.placements[placement_id] = Placement(
            placement.placement_id,
            placement.unit_id,
            placement.department_id,
            placement.start,
            end,
            placement.school_form,
        )

    def _placement(self, placement_id: UUID) -> Placement:
        placement = self.placements.get(placement_id)
        if placement is None:
            raise NotFoundError(f"child {self.id} has no placement {placement_id}")
        return placement

    def set_placement_hours(self, placement_id: UUID, weekly_hours: int | None) -> bool:
        """Set the placement's maximum hours a week (checked in ``domain.schedule_terms``);
        False if it already is that."""
        self._placement(placement_id)
        if self.placement_hours.get(placement_id) == weekly_hours:
            return False
        self._set_placement_hours(placement_id=placement_id, weekly_hours=weekly_hours)
        return True

    @event(PlacementHoursSet)
    def _set_placement_hours(self, placement_id: UUID, weekly_hours: int | Shredded | None) -> None:
        self.placement_hours[placement_id] = weekly_hours

    def placement_at(self, department_id: UUID, day: date) -> Placement | None:
        for placement in self.placements.values():
            if placement.department_id == department_id and placement.active_on(day):
                return placement
        return None

    def active_placements(self, day: date) -> list[Placement]:
        return [p for p in self.placements.values() if p.active_on(day)]

    # -- groups ----------------------------------------------------------------------------

    def join_group(self, placement_id: UUID, group_id: UUID, start: date) -> UUID:
        """Join a group of the placement's unit; joining a group one is in changes nothing."""
        placement = self._placement(placement_id)
        if not placement.open and not (isinstance(placement.end, date) and start <= placement.end):
            raise ConflictError(f"placement {placement_id} has ended", field="placement_id")
        if isinstance(placement.start, date) and start < placement.start:
            raise RuleViolationError(
                "group membership cannot start before the placement", field="start"
            )
        for membership in self.memberships.values():
            if membership.group_id == group_id and membership.end is None:
                return membership.membership_id
        membership_id = uuid4()
        self._joined_group(
            membership_id=membership_id, placement_id=placement_id, group_id=group_id, start=start
        )
        return membership_id

    @event(JoinedGroup)
    def _joined_group(
        self,
        membership_id: UUID,
        placement_id: UUID,
        group_id: UUID | Shredded,
        start: date | Shredded,
    ) -> None:
        self.memberships[membership_id] = Membership(
            membership_id, placement_id, group_id, start, None
        )

    def leave_group(self, group_id: UUID, end: date) -> None:
        for membership in self.memberships.values():
            if membership.group_id == group_id and membership.end is None:
                if isinstance(membership.start, date) and end < membership.start:
                    raise RuleViolationError(
                        "a membership cannot end before it starts", field="end"
                    )
                self._left_group(
                    membership_id=membership.membership_id,
                    placement_id=membership.placement_id,
                    end=end,
                )
                return
        raise NotFoundError(f"child {self.id} is not in group {group_id}", field="group_id")

    @event(LeftGroup)
    def _left_group(self, membership_id: UUID, placement_id: UUID, end: date | Shredded) -> None:
        m = self.memberships[membership_id]
        self.memberships[membership_id] = Membership(
            m.membership_id, m.placement_id, m.group_id, m.start, end
        )
