"""Whether a person's data is still current: the index behind "inaktualitet".

The retention plan's ``no-longer-current`` trigger culls a child's schedules, pick-up persons,
diet and calendar notes once the child's last preschool or fritids placement has been over for
the rule's period, and a pick-up person's data once that period has passed since a guardian
removed them. A guardian's account goes with their children's (every child they are guardian
of has lapsed), a staff member's with their duties (the last one ended), and either one known
to no child or duty lapses the period after they were registered. This index answers which
subjects that is, from placements, guardianships, duties and pick-up persons.

Rows hold ids, a school form and an end date. When a placement's own scope is culled its dates
are forgotten but the row stays, marked culled: a placement culled long ago has certainly
ended, and forgetting it entirely would keep the child's Tempus data for ever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.gallring import GallringRun
from domain.people import Child, Guardian
from domain.personal import Category, Shredded
from domain.pickup import ChildPickups
from domain.staff import Staff
from projections.access import ShreddedBy

if TYPE_CHECKING:
    from projections.runner import ProjectionRunner
    from projections.views.currency import CurrencyViewSQL

PLACEMENT = str(Category.PLACEMENT)
IDENTITY = str(Category.IDENTITY)


@dataclass(frozen=True, slots=True)
class PlacementOpened:
    child_id: UUID
    placement_id: UUID
    school_form: str | None  # None: placed before placements named one (issue 2: preschool)


@dataclass(frozen=True, slots=True)
class PlacementClosed:
    placement_id: UUID
    end: date


@dataclass(frozen=True, slots=True)
class PlacementsCulled:
    """Placements whose scope is gone: ended, at a time nobody can know any more."""

    child_id: UUID
    placement_ids: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class PersonForgotten:
    """The person's identity is culled, the last of them: nothing of theirs is current or
    culled any more, and their rows would only tie ids together (ADR 0020)."""

    person_id: UUID


@dataclass(frozen=True, slots=True)
class PersonRegistered:
    """A guardian or staff member, and the day they were registered: one known to no child
    or duty lapses the rule's period after it."""

    person_id: UUID
    kind: str  # "guardian" or "staff"
    on: date


@dataclass(frozen=True, slots=True)
class GuardianshipNamed:
    guardian_id: UUID
    child_id: UUID


@dataclass(frozen=True, slots=True)
class DutyOpened:
    staff_id: UUID
    duty_id: UUID


@dataclass(frozen=True, slots=True)
class DutyClosed:
    duty_id: UUID
    end: date


@dataclass(frozen=True, slots=True)
class PickupNamed:
    person_id: UUID
    child_id: UUID


@dataclass(frozen=True, slots=True)
class PickupRemoved:
    person_id: UUID
    on: date


CurrencyChange = (
    PlacementOpened
    | PlacementClosed
    | PlacementsCulled
    | PersonForgotten
    | PersonRegistered
    | GuardianshipNamed
    | DutyOpened
    | DutyClosed
    | PickupNamed
    | PickupRemoved
)


Forgotten = Callable[[Iterable[UUID]], frozenset[UUID]]
_PEOPLE_FIELDS = ("child_id", "person_id", "guardian_id", "staff_id")


class CurrencyProjection:
    name = "currency"

    def __init__(self, shredded_by: ShreddedBy, forgotten: Forgotten | None = None) -> None:
        self.shredded_by = shredded_by
        # Which of some people the key store has forgotten (ADR 0020): a rebuild must not
        # bring back rows of people whose every trace the key store has given up.
        self.forgotten = forgotten

    def reload(self) -> None:
        """Nothing cached between events."""

    def changes(self, domain_event: Any) -> list[CurrencyChange]:
        found = self._changes(domain_event)
        if not found or self.forgotten is None or isinstance(domain_event, GallringRun.Executed):
            return found
        gone = self.forgotten({p for change in found for p in _people(change)})
        return [c for c in found if not gone & _people(c)] if gone else found

    @singledispatchmethod
    def _changes(self, domain_event: Any) -> list[CurrencyChange]:
        return []

    @_changes.register
    def _(self, e: Child.Placed) -> list[CurrencyChange]:
        form = e.school_form
        if isinstance(form, Shredded):
            return [PlacementsCulled(e.originator_id, (e.placement_id,))]
        return [PlacementOpened(e.originator_id, e.placement_id, form)]

    @_changes.register
    def _(self, e: Child.PlacementEnded) -> list[CurrencyChange]:
        if isinstance(e.end, Shredded):
            return [PlacementsCulled(e.originator_id, (e.placement_id,))]
        return [PlacementClosed(e.placement_id, e.end)]

    @_changes.register
    def _(self, e: Guardian.Registered) -> list[CurrencyChange]:
        return [PersonRegistered(e.originator_id, "guardian", e.timestamp.date())]

    @_changes.register
    def _(self, e: Staff.Registered) -> list[CurrencyChange]:
        return [PersonRegistered(e.originator_id, "staff", e.timestamp.date())]

    @_changes.register
    def _(self, e: Child.GuardianLinked) -> list[CurrencyChange]:
        if not isinstance(e.guardian_id, UUID):
            return []  # the child's identity is culled: the link with it
        return [GuardianshipNamed(e.guardian_id, e.originator_id)]

    @_changes.register
    def _(self, e: Staff.DutyAssigned) -> list[CurrencyChange]:
        return [DutyOpened(e.originator_id, e.duty_id)]

    @_changes.register
    def _(self, e: Staff.DutyEnded) -> list[CurrencyChange]:
        if isinstance(e.end, Shredded):
            return [PlacementsCulled(e.originator_id, (e.duty_id,))]
        return [DutyClosed(e.duty_id, e.end)]

    @_changes.register
    def _(self, e: ChildPickups.PersonAdded) -> list[CurrencyChange]:
        return [PickupNamed(e.person_id, e.child_id)] if isinstance(e.child_id, UUID) else []

    @_changes.register
    def _(self, e: ChildPickups.PersonRemoved) -> list[CurrencyChange]:
        if not isinstance(e.removed_on, date):
            return []  # culled: the person's data is gone already
        return [PickupRemoved(e.person_id, e.removed_on)]

    @_changes.register
    def _(self, e: GallringRun.Executed) -> list[CurrencyChange]:
        culled: dict[UUID, list[UUID]] = {}
        forgotten: list[CurrencyChange] = []
        for scope in self.shredded_by(e.originator_id):
            if scope.category == IDENTITY:
                forgotten.append(PersonForgotten(scope.subject))
            elif scope.category == PLACEMENT:
                try:
                    culled.setdefault(scope.subject, []).append(UUID(scope.epoch))
                except ValueError:
                    continue  # not a placement's or a duty's id: nothing of ours
        return [
            *(PlacementsCulled(person, tuple(ids)) for person, ids in culled.items()),
            *forgotten,
        ]


def _people(change: CurrencyChange) -> set[UUID]:
    return {v for name in _PEOPLE_FIELDS if isinstance(v := getattr(change, name, None), UUID)}


class Currency:
    """Which subjects' Tempus data is no longer current; every answer first catches up."""

    def __init__(self, view: CurrencyViewSQL, runner: ProjectionRunner) -> None:
        self.view = view
        self.runner = runner

    def lapsed_children(self, school_forms: Sequence[str], before: date) -> set[UUID]:
        """Children with no open placement in ``school_forms`` whose last one ended before
        ``before`` (culled placements count as ended long ago)."""
        self.runner.catch_up()
        return self.view.lapsed_children(school_forms, before)

    def lapsed_pickups(self, children: set[UUID], before: date) -> set[UUID]:
        """Pick-up persons removed before ``before``, and every one of ``children``."""
        self.runner.catch_up()
        return self.view.lapsed_pickups(children, before)

    def lapsed_guardians(self, school_forms: Sequence[str], before: date) -> set[UUID]:
        """Guardians registered before ``before`` none of whose known children is current:
        each has lapsed under ``school_forms``, or been forgotten."""
        self.runner.catch_up()
        lapsed = self.view.lapsed_children(school_forms, before)
        return self.view.lapsed_guardians(lapsed, before)

    def lapsed_staff(self, before: date) -> set[UUID]:
        """Staff registered before ``before`` with no open duty, the last one ended before
        ``before`` (culled duties count as ended long ago)."""
        self.runner.catch_up()
        return self.view.lapsed_staff(before)
