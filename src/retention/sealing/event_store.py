"""An event store that seals batches together, records new keys in the events' own
transaction, prefetches keys per page on reads, and chains each stream's events (ADR 0024)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, EventStore, Notification, Recording

from retention.integrity.chain import StreamHeads
from retention.keys.store import KeyConflictError
from retention.sealing.mapper import SealingMapper, first_versions

_ATTEMPTS = 5


class SealedEventStore(EventStore[UUID]):
    mapper: SealingMapper

    def __init__(self, mapper: SealingMapper, recorder: ApplicationRecorder) -> None:
        super().__init__(mapper, recorder)
        self.heads = StreamHeads(recorder)
        mapper.previous_links = self.heads.previous

    def put(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        """Seal, chain and insert in one transaction; seal again if a key changed meanwhile.
        The links a batch chains to are read before its transaction: a stored event's link
        never changes, and a stream raced by another writer fails on its version anyway."""
        keystore = self.mapper.keystore
        previous = self.heads.previous(first_versions(domain_events))
        for _attempt in range(_ATTEMPTS):
            stored_events, use = self.mapper.seal(domain_events, previous)
            try:
                notification_ids = self.recorder.insert_events(stored_events, key_use=use, **kwargs)
            except KeyConflictError as conflict:
                keystore.forget(conflict.scopes)
                continue
            keystore.remember(use)
            self.heads.saw(stored_events)
            break
        else:
            raise KeyConflictError([])
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
        if stored and not desc:  # the last is where the stream's next write chains from
            self.heads.saw(stored[-1:])
        return iter(self.mapper.to_domain_events(stored))

    def get_streams(
        self, originator_ids: Sequence[UUID]
    ) -> dict[UUID, list[DomainEventProtocol[UUID]]]:
        """Many streams' events in one query and one key lookup, by stream."""
        stored = self.recorder.select_streams(originator_ids)  # type: ignore[attr-defined]
        self.heads.saw(stored)
        streams: dict[UUID, list[DomainEventProtocol[UUID]]] = {}
        for event in self.mapper.to_domain_events(stored):
            streams.setdefault(event.originator_id, []).append(event)
        return streams
