"""An event store that seals batches together and prefetches keys per page on reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import EventStore, Notification, Recording

from retention.sealing.mapper import SealingMapper


class SealedEventStore(EventStore[UUID]):
    mapper: SealingMapper

    def put(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        stored_events = self.mapper.to_stored_events(domain_events)
        notification_ids = self.recorder.insert_events(stored_events, **kwargs)
        if not notification_ids:
            return []
        return [
            Recording(
                d,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n_id,
                ),
            )
            for d, s, n_id in zip(domain_events, stored_events, notification_ids, strict=True)
        ]

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[DomainEventProtocol[UUID]]:
        stored = self.recorder.select_events(
            originator_id=originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        self.mapper.prefetch(stored)
        return map(self.mapper.to_domain_event, stored)
