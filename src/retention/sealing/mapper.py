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
from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic, resolve_topic

from domain.personal import Shredded, personal_fields
from retention.errors import SealingError
from retention.keys.scope import Scope
from retention.keys.store import DataKey, KeyStore, KeyUse
from retention.sealing import envelope
from retention.sealing.envelope import SealedPart

NONCE_BYTES = 12

_Split = tuple[str, UUID, int, dict[str, Any], dict[Scope, dict[str, Any]]]


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
        scopes = {scope for split in splits for scope in split[4]}
        keys = self.keystore.keys_for_write(scopes) if scopes else {}
        return [self._seal(split, keys) for split in splits]

    def seal(
        self, domain_events: Sequence[DomainEventProtocol[UUID]]
    ) -> tuple[list[StoredEvent], KeyUse]:
        """Seal a batch; the returned key use must be recorded with the events (see
        ``SealedEventStore.put``). Costs at most one key query, for scopes not cached."""
        splits = [self._split(event) for event in domain_events]
        use = self.keystore.keys_for(scope for split in splits for scope in split[4])
        return [self._seal(split, use.keys) for split in splits], use

    def _split(self, domain_event: DomainEventProtocol[UUID]) -> _Split:
        cls = type(domain_event)
        if isinstance(domain_event, Snapshot):
            raise SealingError(
                f"{cls.__qualname__}: snapshots are off for aggregates holding personal data"
            )
        topic = get_topic(cls)
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        groups: dict[Scope, dict[str, Any]] = {}
        fields = personal_fields(cls)
        if fields:
            context = {**state, "originator_id": originator_id}
            for field in fields:
                decl = field.declaration
                subject = context.get(decl.subject)
                if not isinstance(subject, UUID):
                    raise SealingError(
                        f"{cls.__qualname__}.{field.name}: subject field {decl.subject!r} "
                        "must hold a UUID"
                    )
                value = state.pop(field.name)
                if isinstance(value, Shredded):
                    raise SealingError(
                        f"{cls.__qualname__}.{field.name}: a culled value cannot be written again"
                    )
                scope = Scope(subject, str(decl.category), decl.epoch.of(context))
                groups.setdefault(scope, {})[field.name] = value
        return topic, originator_id, version, state, groups

    def _seal(self, split: _Split, keys: dict[Scope, DataKey]) -> StoredEvent:
        topic, originator_id, version, state, groups = split
        parts = []
        for scope, values in groups.items():
            key = keys[scope]
            nonce = os.urandom(NONCE_BYTES)
            ad = envelope.associated_data(originator_id, version, topic, key.key_id)
            ciphertext = key.aead.encrypt(nonce, self.transcoder.encode(values), ad)
            parts.append(SealedPart(key.key_id, nonce, ciphertext))
        return StoredEvent(
            originator_id=originator_id,
            originator_version=version,
            topic=topic,
            state=envelope.pack(self.transcoder.encode(state), parts),
        )

    # -- reading ---------------------------------------------------------------------------

    def prefetch(self, stored_events: Iterable[StoredEvent]) -> None:
        """Fetch the keys a page of events needs in one query, before decoding it."""
        key_ids = [k for stored in stored_events for k in envelope.key_ids(stored.state)]
        if key_ids:
            self.keystore.prefetch(key_ids)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        try:
            plaintext, parts = envelope.unpack(stored_event.state)
            event_state: dict[str, Any] = self.transcoder.decode(plaintext)
            for part in parts:
                aead = self.keystore.aead(part.key_id)
                if aead is None:
                    continue  # culled: its fields become Shredded below
                ad = envelope.associated_data(
                    stored_event.originator_id,
                    stored_event.originator_version,
                    stored_event.topic,
                    part.key_id,
                )
                event_state.update(
                    self.transcoder.decode(aead.decrypt(part.nonce, part.ciphertext, ad))
                )
        except (envelope.EnvelopeError, InvalidTag, ValueError) as e:
            reason = "a sealed part failed to authenticate" if isinstance(e, InvalidTag) else str(e)
            raise MapperDeserialisationError(
                f"stored event {stored_event.originator_id} v{stored_event.originator_version} "
                f"({stored_event.topic}) cannot be opened: {reason}"
            ) from None
        for field in personal_fields(cls):
            if field.name not in event_state:
                event_state[field.name] = Shredded(str(field.declaration.category))
        event_state["originator_id"] = stored_event.originator_id
        event_state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event
