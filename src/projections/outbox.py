"""The outbox index: which notices are still owed. Ids and times only, nothing personal.

Notice ids are derived under a secret key (``BlindIndex.derived_id``), so this table names
no subject; it needs no purging when keys are culled. A notice leaves it when delivered or
abandoned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from domain.notices import Notice


@dataclass(frozen=True, slots=True)
class Owed:
    notice_id: UUID
    kind: str
    queued_at: datetime


@dataclass(frozen=True, slots=True)
class Settled:
    notice_id: UUID


OutboxChange = Owed | Settled


class OutboxProjection:
    name = "outbox"

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[OutboxChange]:
        return []

    @changes.register
    def _(self, e: Notice.Queued) -> list[OutboxChange]:
        return [Owed(e.originator_id, e.kind, e.timestamp)]

    @changes.register
    def _(self, e: Notice.Delivered) -> list[OutboxChange]:
        return [Settled(e.originator_id)]

    @changes.register
    def _(self, e: Notice.Abandoned) -> list[OutboxChange]:
        return [Settled(e.originator_id)]

    def reload(self) -> None:
        """Nothing is cached between pages."""
