"""The gallring record: a kept, readable account of every culling decision and its execution.

The decision is recorded before any key is destroyed, so a crash between the two leaves a
record that says what was about to happen; execution is recorded after. Scopes are named by
their random key ids, which link the record to the sealed parts it culled and to no person.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError


class GallringRun(Aggregate):
    class Decided(Aggregate.Created):
        rule_id: str
        plan_version: str
        category: str
        as_of: date
        epochs: list[str]
        key_ids: list[UUID]
        subjects: int
        decided_by: str

    class Executed(Aggregate.Event):
        keys_destroyed: int
        finished_at: datetime

    @event(Decided)
    def __init__(
        self,
        rule_id: str,
        plan_version: str,
        category: str,
        as_of: date,
        epochs: list[str],
        key_ids: list[UUID],
        subjects: int,
        decided_by: str,
    ) -> None:
        self.rule_id = rule_id
        self.plan_version = plan_version
        self.category = category
        self.as_of = as_of
        self.epochs = epochs
        self.key_ids = key_ids
        self.subjects = subjects
        self.decided_by = decided_by
        self.keys_destroyed: int | None = None
        self.finished_at: datetime | None = None

    def record_execution(self, keys_destroyed: int, finished_at: datetime) -> None:
        if self.finished_at is not None:
            raise ConflictError(f"gallring run {self.id} was already executed")
        self._executed(keys_destroyed=keys_destroyed, finished_at=finished_at)

    @event(Executed)
    def _executed(self, keys_destroyed: int, finished_at: datetime) -> None:
        self.keys_destroyed = keys_destroyed
        self.finished_at = finished_at
