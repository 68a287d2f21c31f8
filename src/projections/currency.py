"""Whether a child's Tempus data is still current: the index behind "inaktualitet".

The retention plan's ``no-longer-current`` trigger culls a child's schedules, pick-up persons,
diet and calendar notes once the child's last preschool or fritids placement has been over for
the rule's period, and a pick-up person's data once that period has passed since a guardian
removed them. This index answers which subjects that is, from placements and pick-up
persons' additions and removals.

Rows hold ids, a school form and an end date. When a placement's own scope is culled its dates
are forgotten but the row stays, marked culled: a placement culled long ago has certainly
ended, and forgetting it entirely would keep the child's Tempus data for ever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.gallring import GallringRun
from domain.people import Child
from domain.personal import Category, Shredded
from domain.pickup import ChildPickups
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
class ChildForgotten:
    """The child's identity is culled, the last of them: nothing of theirs is current or
    culled any more, and their rows would only tie ids together (ADR 0020)."""

    child_id: UUID


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
    | ChildForgotten
    | PickupNamed
    | PickupRemoved
)


class CurrencyProjection:
    name = "currency"

    def __init__(self, shredded_by: ShreddedBy) -> None:
        self.shredded_by = shredded_by

    def reload(self) -> None:
        """Nothing cached between events."""

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[CurrencyChange]:
        return []

    @changes.register
    def _(self, e: Child.Placed) -> list[CurrencyChange]:
        form = e.school_form
        if isinstance(form, Shredded):
            return [PlacementsCulled(e.originator_id, (e.placement_id,))]
        return [PlacementOpened(e.originator_id, e.placement_id, form)]

    @changes.register
    def _(self, e: Child.PlacementEnded) -> list[CurrencyChange]:
        if isinstance(e.end, Shredded):
            return [PlacementsCulled(e.originator_id, (e.placement_id,))]
        return [PlacementClosed(e.placement_id, e.end)]

    @changes.register
    def _(self, e: ChildPickups.PersonAdded) -> list[CurrencyChange]:
        return [PickupNamed(e.person_id, e.child_id)] if isinstance(e.child_id, UUID) else []

    @changes.register
    def _(self, e: ChildPickups.PersonRemoved) -> list[CurrencyChange]:
        if not isinstance(e.removed_on, date):
            return []  # culled: the person's data is gone already
        return [PickupRemoved(e.person_id, e.removed_on)]

    @changes.register
    def _(self, e: GallringRun.Executed) -> list[CurrencyChange]:
        culled: dict[UUID, list[UUID]] = {}
        forgotten: list[CurrencyChange] = []
        for scope in self.shredded_by(e.originator_id):
            if scope.category == IDENTITY:
                forgotten.append(ChildForgotten(scope.subject))
            elif scope.category == PLACEMENT:
                try:
                    culled.setdefault(scope.subject, []).append(UUID(scope.epoch))
                except ValueError:
                    continue  # a staff duty or another placement-like epoch: not ours
        return [
            *(PlacementsCulled(child, tuple(ids)) for child, ids in culled.items()),
            *forgotten,
        ]


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
