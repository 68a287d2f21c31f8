"""Each stream's hash chain: the link an event stores is a hash of the link before it in its
stream and of the event's own stored bytes.

    link(v) = SHA-256( link(v-1) | stream id | u64 version | u16 len(topic) | topic | body )
    link(0) = 32 zero bytes

``body`` is the stored envelope without its link: the readable part and the ciphertexts as
written. Gallring destroys keys, never bytes, so a culled event keeps its link true. An event
stored before the chain (envelope version 1) stores no link: its link is computed by the same
formula from its bytes (the upcast), so the chain runs through it unbroken.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, StoredEvent

from retention.errors import SealingError
from retention.keys.cache import LRU
from retention.sealing import envelope

GENESIS = bytes(envelope.LINK_BYTES)
_VERSION_TOPIC = struct.Struct(">qH")


def link_head(originator_id: UUID | str, version: int, topic: str) -> bytes:
    """What the link hashes before the body: the event's place and kind, so an event moved to
    another stream or version, or given another topic, no longer matches its link."""
    topic_bytes = envelope.topic_bytes(topic)
    return (
        envelope.origin_bytes(originator_id)
        + _VERSION_TOPIC.pack(version, len(topic_bytes))
        + topic_bytes
    )


def link(previous: bytes, head: bytes, body: bytes) -> bytes:
    return hashlib.sha256(previous + head + body).digest()


def stored_link(stored: StoredEvent, previous: bytes) -> tuple[bytes, bytes | None]:
    """The link an event's contents give, chained from ``previous``, and the link it stores
    (None for an event stored before the chain)."""
    state = stored.state
    head = link_head(stored.originator_id, stored.originator_version, stored.topic)
    if envelope.is_chained(state):  # the body as written, with version 2's magic
        return link(previous, head, state[: -envelope.LINK_BYTES]), state[-envelope.LINK_BYTES :]
    return link(previous, head, state), None


def fold(events: Iterable[StoredEvent]) -> bytes:
    """The link of a stream's last event, from its first: what a write after an event stored
    before the chain must chain to (its link was never stored)."""
    current = GENESIS
    for stored in events:
        made, kept = stored_link(stored, current)
        current = kept if kept is not None else made
    return current


class StreamHeads:
    """The link of each stream's latest event as this process last saw it, so a write
    usually chains without a query. A stream's link at a version never changes, so an entry
    is never wrong, only old; an old one is passed over for a query."""

    def __init__(self, recorder: AggregateRecorder, maxsize: int = 65536) -> None:
        self._recorder = recorder
        self._heads: LRU[UUID, tuple[int, bytes]] = LRU(maxsize)

    def saw(self, stored_events: Iterable[StoredEvent]) -> None:
        """Remember the last stored event of each stream among these (a page read or written
        in stream order)."""
        last: dict[UUID | str, StoredEvent] = {}
        for stored in stored_events:
            last[stored.originator_id] = stored
        for stream, stored in last.items():
            if isinstance(stream, UUID) and envelope.is_chained(stored.state):
                link_ = stored.state[-envelope.LINK_BYTES :]
                self._heads.put(stream, (stored.originator_version, link_))

    def previous(
        self, first_versions: dict[UUID, int], *, unstored_from_genesis: bool = False
    ) -> dict[UUID, bytes]:
        """The link each stream's new events chain to, given the version of its first new
        one: the genesis for a new stream, else its latest stored event's link. A tool that
        seals events of a stream never stored (``unstored_from_genesis``) chains them from
        the genesis; the event store never does, as its predecessor must be there."""
        found: dict[UUID, bytes] = {}
        for stream, version in first_versions.items():
            if version <= 1:
                found[stream] = GENESIS
                continue
            head = self._heads.get(stream)
            if head is not None and head[0] == version - 1:
                found[stream] = head[1]
            else:
                found[stream] = self._fetch(stream, version - 1, unstored_from_genesis)
        return found

    def _fetch(self, stream: UUID, version: int, unstored_from_genesis: bool) -> bytes:
        select = self._recorder.select_events
        last = list(select(stream, lte=version, desc=True, limit=1))
        if not last and unstored_from_genesis:
            return GENESIS
        if not last or last[0].originator_version != version:
            raise SealingError(f"stream {stream} has no version {version} to chain to")
        state = last[0].state
        if envelope.is_chained(state):
            kept = state[-envelope.LINK_BYTES :]
        else:  # stored before the chain: its link is its stream's fold
            kept = fold(select(stream, lte=version))
        self._heads.put(stream, (version, kept))
        return kept
