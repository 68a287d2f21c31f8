"""The children a kiosk batch names, read once for the whole batch: each child's record, and
the pick-up lists of those someone other than a guardian brings or fetches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from domain.errors import NotFoundError
from domain.people import Child
from domain.pickup import ChildPickups, child_pickups_id

if TYPE_CHECKING:
    from api.kiosk_sync_commands import KioskEvent


class BatchChildren:
    """Each child loaded once per batch; an unknown one remembered as such."""

    def __init__(
        self, load: Callable[[UUID], Child], preloaded: dict[UUID, Child] | None = None
    ) -> None:
        self._load = load
        self._found: dict[UUID, Child | NotFoundError] = dict(preloaded or {})
        self._pickups: dict[UUID, ChildPickups | None] = {}  # None: nobody named
        self._units: dict[tuple[UUID, date], UUID | None] = {}
        self.now: datetime | None = None  # the batch's one reading of the clock
        self.open_days: set[date] = set()  # days found not culled

    def placed_unit(self, child: Child, department_id: UUID, day: date) -> UUID | None:
        """The unit of the child's placement at the department on the day, asked once."""
        key = (child.id, day)
        if key not in self._units:
            placement = child.placement_at(department_id, day)
            unit = placement.unit_id if placement is not None else None
            self._units[key] = unit if isinstance(unit, UUID) else None
        return self._units[key]

    def get(self, child_id: UUID) -> Child:
        found = self._found.get(child_id)
        if found is None:
            try:
                found = self._load(child_id)
            except NotFoundError as e:
                found = e
            self._found[child_id] = found
        if isinstance(found, NotFoundError):
            raise NotFoundError(str(found), field="child_id")
        return found

    def prefetch_pickups(
        self,
        get_many: Callable[[type[ChildPickups], list[UUID]], dict[UUID, ChildPickups]],
        events: Sequence[KioskEvent],
    ) -> None:
        """The pick-up lists of the children someone other than a guardian brings or
        fetches in this batch, in one read."""
        wanted = {
            child_pickups_id(e.child_id): e.child_id
            for e in events
            if e.by is not None
            and isinstance(child := self._found.get(e.child_id), Child)
            and e.by not in child.guardians
        }
        found = get_many(ChildPickups, list(wanted))
        self._pickups = {child: found.get(stream) for stream, child in wanted.items()}

    def may_bring(
        self, child: Child, person_id: UUID, day: date, ask: Callable[[Child, UUID, date], bool]
    ) -> bool:
        """A guardian, or a pick-up person of the child that day (from the batch's read)."""
        if person_id in child.guardians:
            return True
        if child.id not in self._pickups:
            return ask(child, person_id, day)
        pickups = self._pickups[child.id]
        person = pickups.persons.get(person_id) if pickups is not None else None
        return person is not None and person.may_fetch_on(day)
