"""The sealing mapper: turns events into envelopes and back, per their personal-field declarations.

Writing: each personal field is grouped under its scope (subject, category, epoch); every
scope's data key is fetched or created in one key-store round trip per batch of events; each
group is sealed with AES-256-GCM under a fresh nonce. Reading: each sealed part is opened with
its key if the key still exists; every declared field left unopened reads as ``Shredded``.
Reading never raises because of culling; it raises only on tampering (a part that fails to
authenticate under a key that exists).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import resolve_topic

from domain.personal import Shredded
from retention.errors import SealingError
from retention.keys.scope import Scope
from retention.keys.store import DataKey, KeyStore, KeyUse
from retention.sealing import envelope
from retention.sealing.envelope import SealedPart
from retention.sealing.plan import SealPlan, seal_plan

NONCE_BYTES = 12

_Split = tuple[SealPlan, UUID, int, dict[str, Any], list[tuple[Scope, dict[str, Any]]]]


class SealingMapper(Mapper[UUID]):
    """A Mapper whose cipher is per scope, not per application."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        *,
        keystore: KeyStore | None = None,
    ) -> None:
        if cipher is not None or compressor is not None:
            raise SealingError(
                "the sealing mapper encrypts per scope; do not configure CIPHER_TOPIC "
                "or COMPRESSOR_TOPIC as well"
            )
        if keystore is None:
            raise SealingError("the sealing mapper needs a key store")
        super().__init__(transcoder)
        self.keystore = keystore

    # -- writing ---------------------------------------------------------------------------

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self.to_stored_events([domain_event])[0]

    def to_stored_events(
        self, domain_events: Sequence[DomainEventProtocol[UUID]]
    ) -> list[StoredEvent]:
        """Seal a batch, creating any missing keys in a transaction of their own (for tools
        and tests; the event store records new keys with the events instead)."""
        splits = [self._split(event) for event in domain_events]
        scopes = {scope for split in splits for scope, _ in split[4]}
        keys = self.keystore.keys_for_write(scopes) if scopes else {}
        return self._seal_all(splits, keys)

    def seal(
        self, domain_events: Sequence[DomainEventProtocol[UUID]]
    ) -> tuple[list[StoredEvent], KeyUse]:
        """Seal a batch; the returned key use must be recorded with the events (see
        ``SealedEventStore.put``). Costs at most one key query, for scopes not cached."""
        splits = [self._split(event) for event in domain_events]
        use = self.keystore.keys_for(scope for split in splits for scope, _ in split[4])
        return self._seal_all(splits, use.keys), use

    def _split(self, domain_event: DomainEventProtocol[UUID]) -> _Split:
        plan = seal_plan(type(domain_event))
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        if plan.class_version > 1:
            state["class_version"] = plan.class_version
        parts = plan.split(state, {**state, "originator_id": originator_id}) if plan.groups else []
        return plan, originator_id, version, state, parts

    def _seal_all(self, splits: list[_Split], keys: dict[Scope, DataKey]) -> list[StoredEvent]:
        # One system call for every nonce of the batch; each is still fresh and random.
        nonces = os.urandom(NONCE_BYTES * sum(len(split[4]) for split in splits))
        offset = 0
        stored = []
        encode = self.transcoder.encode
        for plan, originator_id, version, state, groups in splits:
            parts = []
            for scope, values in groups:
                key = keys[scope]
                key_id = key.key_id.bytes
                nonce = nonces[offset : offset + NONCE_BYTES]
                offset += NONCE_BYTES
                ad = envelope.associated_data(originator_id, version, plan.topic, key_id)
                parts.append(SealedPart(key_id, nonce, key.aead.encrypt(nonce, encode(values), ad)))
            stored.append(
                StoredEvent(
                    originator_id=originator_id,
                    originator_version=version,
                    topic=plan.topic,
                    state=envelope.pack(encode(state), parts),
                )
            )
        return stored

    # -- reading ---------------------------------------------------------------------------

    def prefetch(self, stored_events: Iterable[StoredEvent]) -> None:
        """Fetch the keys a page of events needs in one query, before decoding it."""
        key_ids = [k for stored in stored_events for k in envelope.key_ids(stored.state)]
        if key_ids:
            self.keystore.prefetch(key_ids)

    def to_domain_events(
        self, stored_events: Sequence[StoredEvent]
    ) -> list[DomainEventProtocol[UUID]]:
        """Open a page of events: one key query for the page, each envelope parsed once.

        This is the replay path, so it is written for speed: one loop, locals, no helpers.
        """
        unpack = envelope.unpack
        try:
            unpacked = [unpack(stored.state) for stored in stored_events]
        except envelope.EnvelopeError:
            for stored in stored_events:
                self._unpack(stored)  # names the event at fault
            raise
        key_ids = {part[0] for _, parts in unpacked for part in parts}
        keys = self.keystore.prefetch(key_ids) if key_ids else {}
        return [
            self._open(stored, plaintext, parts, keys)
            for stored, (plaintext, parts) in zip(stored_events, unpacked, strict=True)
        ]

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        plaintext, parts = self._unpack(stored_event)
        keys = {part[0]: self.keystore.aead(part[0]) for part in parts}
        return self._open(stored_event, plaintext, parts, keys)

    def _unpack(self, stored: StoredEvent) -> tuple[bytes, list[envelope.Part]]:
        try:
            return envelope.unpack(stored.state)
        except envelope.EnvelopeError as e:
            raise self._unreadable(stored, str(e)) from None

    @staticmethod
    def _unreadable(stored: StoredEvent, reason: str) -> MapperDeserialisationError:
        return MapperDeserialisationError(
            f"stored event {stored.originator_id} v{stored.originator_version} "
            f"({stored.topic}) cannot be opened: {reason}"
        )

    def _open(
        self,
        stored: StoredEvent,
        plaintext: bytes,
        parts: list[envelope.Part],
        keys: dict[bytes, AESGCM | None],
    ) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored.topic)
        document = plaintext
        culled = False
        for key_id, nonce, ciphertext in parts:
            aead = keys[key_id]
            if aead is None:
                culled = True  # its fields become Shredded below
                continue
            ad = envelope.associated_data(
                stored.originator_id, stored.originator_version, stored.topic, key_id
            )
            try:
                opened = aead.decrypt(nonce, ciphertext, ad)
            except InvalidTag:
                raise self._unreadable(stored, "a sealed part failed to authenticate") from None
            # Both are JSON objects with disjoint keys: splice them and decode once.
            document = b"".join((document[:-1], b",", opened[1:]))
        try:
            event_state: dict[str, Any] = self.transcoder.decode(document)
        except ValueError as e:
            raise self._unreadable(stored, str(e)) from None
        if culled:
            for name, category in seal_plan(cls).declared:
                if name not in event_state:
                    event_state[name] = Shredded(category)
        event_state["originator_id"] = stored.originator_id
        event_state["originator_version"] = stored.originator_version
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            from_version = event_state.pop("class_version", 1)
            while from_version < class_version:
                getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
                from_version += 1
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event
