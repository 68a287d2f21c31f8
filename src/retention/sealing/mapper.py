"""The sealing mapper: turns events into envelopes and back, per their personal-field declarations.

Writing: each personal field is grouped under its scope (subject, category, epoch); every
scope's data key is fetched or created in one key-store round trip per batch of events; each
group is sealed with AES-256-GCM under a fresh nonce. Reading: each sealed part is opened with
its key if the key still exists; every declared field left unopened reads as ``Shredded``.
Reading never raises because of culling; it raises only on tampering (a part that fails to
authenticate under a key that exists).

An event with a sealed part keeps only its record time's month readable; the exact time is
sealed with its first part (ADR 0019), so a culled record is not told apart by when it was
written.

Every envelope written ends with its link in its stream's hash chain (ADR 0024); the links a
batch starts from are passed in by the event store, which knows the streams' heads.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol
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

from retention.errors import SealingError
from retention.integrity import chain
from retention.keys.scope import Scope
from retention.keys.store import DataKey, KeyStore, KeyUse
from retention.sealing import actor, envelope
from retention.sealing.plan import Interned, SealPlan, seal_plan

NONCE_BYTES = 12
_U32 = struct.Struct(">I")
_VERSION = struct.Struct(">q")

# (plan, stream, version, readable fields, sealed groups, opening, veil): the opening is the
# readable JSON's start with the month's record time, or b"" when the time stays exact; the
# veil is the scope that hides the groups' key ids and the fields it seals itself, if the
# event has one (ADR 0022).
_Veil = tuple[Scope, dict[str, Any]]
_Split = tuple[
    SealPlan, UUID, int, dict[str, Any], list[tuple[Scope, dict[str, Any]]], bytes, _Veil | None
]
# A page's event as the first pass found it: where its readable part ends, the key id of its
# one sealed part (the common case), else its parts, and whether the first part is a veil.
# Once ``_unveil`` has opened a veil, the second place holds the associated data's head, and
# the fifth the JSON of the fields the veil sealed itself (b"" for none).
_Layout = tuple[int, bytes | None, list[envelope.Part] | None, bool, bytes]


# The link each stream's first event of a batch chains to, by the version of that event.
class PreviousLinks(Protocol):
    def __call__(
        self, first_versions: dict[UUID, int], *, unstored_from_genesis: bool = False
    ) -> dict[UUID, bytes]: ...


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
        self._month_openings: dict[int, bytes] = {}  # by year * 12 + month, of UTC times
        # where a batch sealed outside the event store finds its streams' heads
        self.previous_links: PreviousLinks | None = None

    # -- writing ---------------------------------------------------------------------------

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self.to_stored_events([domain_event])[0]

    def to_stored_events(
        self, domain_events: Sequence[DomainEventProtocol[UUID]]
    ) -> list[StoredEvent]:
        """Seal a batch, creating any missing keys in a transaction of their own (for tools
        and tests; the event store records new keys with the events instead)."""
        interned: Interned = {}
        splits = [self._split(event, interned) for event in domain_events]
        scopes = {scope for split in splits for scope in _scopes(split)}
        keys = self.keystore.keys_for_write(scopes) if scopes else {}
        firsts = first_versions(domain_events)
        if self.previous_links is not None:
            previous = self.previous_links(firsts, unstored_from_genesis=True)
        else:  # a mapper on its own chains new streams only
            previous = {stream: chain.GENESIS for stream, v in firsts.items() if v <= 1}
        return self._seal_all(splits, keys, previous)

    def seal(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], previous: dict[UUID, bytes]
    ) -> tuple[list[StoredEvent], KeyUse]:
        """Seal a batch, each stream chained from its link in ``previous``; the returned key
        use must be recorded with the events (see ``SealedEventStore.put``). Costs at most
        one key query, for scopes not cached."""
        interned: Interned = {}
        splits = [self._split(event, interned) for event in domain_events]
        use = self.keystore.keys_for(scope for split in splits for scope in _scopes(split))
        return self._seal_all(splits, use.keys, previous), use

    def _split(self, domain_event: DomainEventProtocol[UUID], interned: Interned) -> _Split:
        plan = seal_plan(type(domain_event))
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        if plan.class_version > 1:
            state["class_version"] = plan.class_version
        acting = actor.current()
        who = None if acting is None else acting.who()
        if not plan.groups:  # nothing personal: the exact time stays readable ...
            if not plan.keeps_time and isinstance(state.get("timestamp"), datetime):
                state["timestamp"] = NO_TIME  # ... but not in a person's own stream
            elif who is not None:  # and the actor's role, never their id
                state[actor.RECORDED_BY] = {"role": who["role"], "id": None}
            return plan, originator_id, version, state, [], b"", None
        veil = plan.veil_scope(state, originator_id, interned)
        parts = plan.split(state, originator_id, interned)
        if who is not None:  # who did it goes with what they did (the first part's key)
            parts[0][1][actor.RECORDED_BY] = who
        exact = state.pop("timestamp", None)
        if not isinstance(exact, datetime):  # not an eventsourcing event: left as it was
            if exact is not None:
                state["timestamp"] = exact
            return plan, originator_id, version, state, parts, b"", veil
        # Sealed with the first part, so it opens, and goes, with that scope's key; the
        # readable part keeps the month. On reading, the part's copy wins (``_splice``).
        parts[0][1]["timestamp"] = exact
        opening = None
        if not plan.keeps_time:  # a person's own stream: no month either (ADR 0023)
            opening = self._month_openings.get(0) or self._month_opening(NO_TIME)
        elif exact.tzinfo is UTC:  # as eventsourcing makes them: no conversion needed
            opening = self._month_openings.get(exact.year * 12 + exact.month)
        opening = opening or self._month_opening(exact)
        return plan, originator_id, version, state, parts, opening, veil

    def _month_opening(self, at: datetime) -> bytes:
        """``{"timestamp":<month start>,`` as the transcoder writes it, made once per month
        of UTC times: the readable part opens with it (for an event made by its class, the
        record time is the first field after stream and version, so these are the bytes of
        encoding it in place). Encoding a datetime is among the dearest steps of the write
        path (about 2 us), so the month's copy is not encoded again for every event."""
        start = month_start(at)
        opening = self.transcoder.encode({"timestamp": start})[:-1] + b","
        if at is NO_TIME:
            self._month_openings[0] = opening
        elif at.tzinfo is UTC:
            self._month_openings[start.year * 12 + start.month] = opening
        return opening

    def _seal_all(
        self, splits: list[_Split], keys: dict[Scope, DataKey], previous: dict[UUID, bytes]
    ) -> list[StoredEvent]:
        # One system call for every nonce of the batch; each is still fresh and random.
        sealings = sum(len(split[4]) + (split[6] is not None) for split in splits)
        nonces = os.urandom(NONCE_BYTES * sealings)
        offset = 0
        stored = []
        encode = self.transcoder.encode
        sealers = {scope: (key.key_id.bytes, key.aead.encrypt) for scope, key in keys.items()}
        origin: tuple[UUID | None, bytes] = (None, b"")  # a batch's events come per stream
        heads = dict(previous)  # each stream's link so far
        for plan, originator_id, version, state, groups, opening, veil in splits:
            parts: list[envelope.Part] = []
            if groups:
                if origin[0] != originator_id:
                    origin = (originator_id, envelope.origin_bytes(originator_id))
                head = origin[1] + _VERSION.pack(version) + envelope.topic_bytes(plan.topic)
                hidden: list[bytes] = []
                for scope, values in groups:
                    key_id, encrypt = sealers[scope]
                    nonce = nonces[offset : offset + NONCE_BYTES]
                    offset += NONCE_BYTES
                    ciphertext = encrypt(nonce, encode(values), head + key_id)
                    if veil is None:
                        parts.append((key_id, nonce, ciphertext))
                    else:  # the real key id is in the associated data and under the veil
                        parts.append((envelope.NO_KEY, nonce, ciphertext))
                        hidden.append(key_id)
                if veil is not None:
                    key_id, encrypt = sealers[veil[0]]
                    nonce = nonces[offset : offset + NONCE_BYTES]
                    offset += NONCE_BYTES
                    sheet = envelope.veil_plaintext(hidden, encode(veil[1]) if veil[1] else b"")
                    parts.insert(0, (key_id, nonce, encrypt(nonce, sheet, head + key_id)))
            readable = encode(state)
            if opening:  # the month's record time, then the other readable fields
                readable = opening + readable[1:] if len(readable) > 2 else opening[:-1] + b"}"
            body = envelope.pack(readable, parts, veiled=veil is not None, chained=True)
            before = chain.GENESIS if version <= 1 else heads.get(originator_id)
            if before is None:
                raise SealingError(
                    f"stream {originator_id} v{version}: the link before it is not known"
                )
            link = chain.link(before, chain.link_head(originator_id, version, plan.topic), body)
            heads[originator_id] = link
            stored.append(
                StoredEvent(
                    originator_id=originator_id,
                    originator_version=version,
                    topic=plan.topic,
                    state=body + link,
                )
            )
        return stored

    # -- reading ---------------------------------------------------------------------------

    def to_domain_events(
        self, stored_events: Sequence[StoredEvent]
    ) -> list[DomainEventProtocol[UUID]]:
        """Open a page of events: one key query for the page, each envelope parsed once.

        This is the replay path, so it is written for speed: two flat loops over locals, and
        the common envelope (one sealed part) and event (nothing culled, first class
        version) inline; everything else goes through ``_layout`` and ``_event``.
        """
        unpack_u32 = _U32.unpack_from
        magic, veiled_magic, no_key = envelope.MAGIC, envelope.VEILED_MAGIC, envelope.NO_KEY
        chained, chained_veiled = envelope.CHAINED_MAGIC, envelope.CHAINED_VEILED_MAGIC
        layouts: list[_Layout] = []
        bodies: list[bytes] = []  # each envelope without its chain link, version 1's magic
        key_ids: set[bytes] = set()
        veiled = False
        for stored in stored_events:
            data = stored.state
            kind = data[:2]
            if kind == chained:  # the link is the verifier's business, not the reader's
                data, kind = data[:-32], magic
            elif kind == chained_veiled:
                data, kind = data[:-32], veiled_magic
            bodies.append(data)
            try:
                if kind == magic:
                    end = 6 + unpack_u32(data, 2)[0]
                    if data[end] == 1 and end + 33 + unpack_u32(data, end + 29)[0] == len(data):
                        single = data[end + 1 : end + 17]
                        key_ids.add(single)
                        layouts.append((end, single, None, False, b""))
                        continue
                elif kind == veiled_magic and data[end := 6 + unpack_u32(data, 2)[0]] == 2:
                    # the common veiled envelope: the month's sheet and one part under it
                    stop = end + 33 + unpack_u32(data, end + 29)[0]
                    size = unpack_u32(data, stop + 28)[0]
                    if data[stop : stop + 16] == no_key and stop + 32 + size == len(data):
                        sheet = data[end + 1 : end + 17]
                        key_ids.add(sheet)
                        sealed = [
                            (sheet, data[end + 17 : end + 29], data[end + 33 : stop]),
                            (no_key, data[stop + 16 : stop + 28], data[stop + 32 :]),
                        ]
                        layouts.append((end, None, sealed, True, b""))
                        veiled = True
                        continue
            except (IndexError, struct.error):
                pass  # malformed: _layout names the event at fault
            # no part, several, or malformed: checked in full, as version 1's layout
            end, all_parts, veil = self._layout(stored, kind + data[2:])
            layouts.append((end, None, all_parts, veil, b""))
            if veil:
                veiled = True
                key_ids.add(all_parts[0][0])  # the others' ids are under the veil
            else:
                key_ids.update(part[0] for part in all_parts)
        keys = self.keystore.prefetch(key_ids) if key_ids else {}
        if veiled:
            layouts, keys = self._unveil(stored_events, layouts, keys)
        decode = self.transcoder.decode
        associated_head = envelope.associated_head
        new = object.__new__
        set_attribute = object.__setattr__
        opened: list[DomainEventProtocol[UUID]] = []
        for stored, data, (end, key_id, parts, veil, sheet) in zip(
            stored_events, bodies, layouts, strict=True
        ):
            readable = data[6:end] if not sheet else _splice(data[6:end], sheet)
            culled = False
            clear = b""  # the single part opened inline: only its event may fall back below
            inline: envelope.Part | None = None  # the one part to open inline, if so
            head = None  # the associated data's head, when the veil's pass made it
            if veil:
                if parts is None:  # its veil is culled: whose parts they were is gone
                    document, culled = readable, True
                elif len(parts) == 1:  # the common veiled event: one part under the sheet
                    inline, head = parts[0], key_id
                else:
                    document, culled = self._open_parts(stored, readable, parts, keys)
            elif key_id is None:
                document, culled = self._open_parts(stored, readable, parts or [], keys)
            else:
                inline = (key_id, data[end + 17 : end + 29], data[end + 33 :])
            if inline is not None:
                if (aead := keys[inline[0]]) is None:
                    document, culled = readable, True  # its fields become Shredded below
                else:
                    if head is None:
                        head = associated_head(
                            stored.originator_id, stored.originator_version, stored.topic
                        )
                    ad = head + inline[0]
                    try:
                        clear = aead.decrypt(inline[1], inline[2], ad)
                    except InvalidTag:
                        raise self._unreadable(
                            stored, "a sealed part failed to authenticate"
                        ) from None
                    document = _splice(_drop_month_time(readable), clear)
            try:
                state: dict[str, Any] = decode(document)
                if clear and "timestamp" not in state:  # an old event written at a month's start
                    state = decode(_splice(readable, clear))
            except ValueError as e:
                raise self._unreadable(stored, str(e)) from None
            cls = resolve_topic(stored.topic)
            if culled or "class_version" in state or getattr(cls, "class_version", 1) > 1:
                opened.append(self._event(cls, stored, state, culled))
                continue
            state["originator_id"] = stored.originator_id
            state["originator_version"] = stored.originator_version
            event = new(cls)
            set_attribute(event, "__dict__", state)
            opened.append(event)
        return opened

    def _open_parts(
        self,
        stored: StoredEvent,
        document: bytes,
        parts: list[envelope.Part],
        keys: dict[bytes, AESGCM | None],
    ) -> tuple[bytes, bool]:
        """Open an envelope's parts in general (none, or several): the readable document
        with every openable part spliced in, and whether any part was culled."""
        culled = False
        for key_id, nonce, ciphertext in parts:
            aead = keys[key_id]
            if aead is None:
                culled = True
                continue
            ad = envelope.associated_data(
                stored.originator_id, stored.originator_version, stored.topic, key_id
            )
            try:
                clear = aead.decrypt(nonce, ciphertext, ad)
            except InvalidTag:
                raise self._unreadable(stored, "a sealed part failed to authenticate") from None
            document = _splice(document, clear)
        return document, culled

    def _layout(self, stored: StoredEvent, data: bytes) -> tuple[int, list[envelope.Part], bool]:
        """Where the readable part ends in an envelope's body (``data``), the sealed parts,
        checked in full, and whether the first of them is a veil over the others."""
        try:
            veil = envelope.is_veiled(data)
            if data[:2] != envelope.MAGIC and not veil:
                raise envelope.EnvelopeError("not a Gallra envelope (bad magic)")
            end = 6 + _U32.unpack_from(data, 2)[0]
            count = data[end]
            if veil and count < 2:
                raise envelope.EnvelopeError("a veil over no sealed part")
            if count == 0 and end + 1 == len(data):
                return end, [], False
            if count == 1:
                start = end + 33
                stop = start + _U32.unpack_from(data, end + 29)[0]
                if stop == len(data):
                    part = (data[end + 1 : end + 17], data[end + 17 : end + 29], data[start:stop])
                    return end, [part], False
            _, parts = envelope.unpack(data)  # several parts, or malformed: the full check
            return end, parts, veil
        except (envelope.EnvelopeError, IndexError, struct.error) as e:
            raise self._unreadable(stored, str(e) or "truncated envelope") from None

    def _unveil(
        self,
        stored_events: Sequence[StoredEvent],
        layouts: list[_Layout],
        keys: dict[bytes, AESGCM | None],
    ) -> tuple[list[_Layout], dict[bytes, AESGCM | None]]:
        """Open the page's veils, in place: each veiled event's parts get their real key ids
        back (None when the veil is culled), its layout keeps the associated data's head
        (stream, version, topic) where a plain one keeps its key id, and the parts' keys are
        fetched in one more query."""
        hidden: set[bytes] = set()
        no_key = envelope.NO_KEY
        for index, (end, _, parts, veil, _sheet) in enumerate(layouts):
            if not veil or parts is None:
                continue
            stored = stored_events[index]
            veil_id, nonce, ciphertext = parts[0]
            aead = keys[veil_id]
            if aead is None:
                layouts[index] = (end, None, None, True, b"")
                continue
            # kept in the layout for the part under the veil: made once per event
            head = envelope.associated_head(
                stored.originator_id, stored.originator_version, stored.topic
            )
            try:
                clear = aead.decrypt(nonce, ciphertext, head + veil_id)
            except InvalidTag:
                raise self._unreadable(stored, "a veil failed to authenticate") from None
            if len(parts) == 2:  # the common case, without the general parse
                if clear[:1] != b"\x01" or len(clear) < 17 or parts[1][0] != no_key:
                    raise self._unreadable(stored, "a veil does not match the parts it hides")
                key_id, (_, nonce, ciphertext) = clear[1:17], parts[1]
                hidden.add(key_id)
                layouts[index] = (end, head, [(key_id, nonce, ciphertext)], True, clear[17:])
                continue
            try:
                ids, fields = envelope.open_veil(clear)
            except envelope.EnvelopeError as e:
                raise self._unreadable(stored, str(e)) from None
            if len(ids) != len(parts) - 1 or any(p[0] != no_key for p in parts[1:]):
                raise self._unreadable(stored, "a veil does not match the parts it hides")
            hidden.update(ids)
            inner = [(key_id, n, c) for key_id, (_, n, c) in zip(ids, parts[1:], strict=True)]
            layouts[index] = (end, head, inner, True, fields)
        missing = hidden - keys.keys()
        if missing:
            keys = {**keys, **self.keystore.prefetch(missing)}
        return layouts, keys

    def _event(
        self, cls: type[Any], stored: StoredEvent, state: dict[str, Any], culled: bool
    ) -> DomainEventProtocol[UUID]:
        """The general case: culled fields become Shredded, older versions are upcast."""
        if culled:
            seal_plan(cls).mark_culled(state)  # type: ignore[arg-type]
        state["originator_id"] = stored.originator_id
        state["originator_version"] = stored.originator_version
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            from_version = state.pop("class_version", 1)
            while from_version < class_version:
                getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
                from_version += 1
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event

    def key_ids_of_page(self, stored_events: Sequence[StoredEvent]) -> list[list[bytes]]:
        """The key ids each event's parts were sealed under: those it shows, and those under
        its veil while the veil's key lives; one key query for the page's veils. For
        auditors: they name the gallring run that culled a part, and whose an event is."""
        layouts: list[tuple[list[envelope.Part], bool]] = []
        veil_ids: set[bytes] = set()
        for stored in stored_events:
            try:
                _, parts = envelope.unpack(stored.state)
            except envelope.EnvelopeError as e:
                raise self._unreadable(stored, str(e)) from None
            veiled = envelope.is_veiled(stored.state)
            layouts.append((parts, veiled))
            if veiled:
                veil_ids.add(parts[0][0])
        keys = self.keystore.prefetch(veil_ids) if veil_ids else {}
        found: list[list[bytes]] = []
        for stored, (parts, veiled) in zip(stored_events, layouts, strict=True):
            shown = [part[0] for part in parts if part[0] != envelope.NO_KEY]
            veil_id, nonce, ciphertext = parts[0] if veiled else (b"", b"", b"")
            aead = keys.get(veil_id) if veiled else None
            if aead is None:
                found.append(shown)
                continue
            ad = envelope.associated_data(
                stored.originator_id, stored.originator_version, stored.topic, veil_id
            )
            try:
                hidden, _ = envelope.open_veil(aead.decrypt(nonce, ciphertext, ad))
            except (InvalidTag, envelope.EnvelopeError):
                raise self._unreadable(stored, "a veil failed to authenticate") from None
            found.append([veil_id, *hidden])
        return found

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return self.to_domain_events([stored_event])[0]

    @staticmethod
    def _unreadable(stored: StoredEvent, reason: str) -> MapperDeserialisationError:
        return MapperDeserialisationError(
            f"stored event {stored.originator_id} v{stored.originator_version} "
            f"({stored.topic}) cannot be opened: {reason}"
        )


def first_versions(domain_events: Sequence[DomainEventProtocol[UUID]]) -> dict[UUID, int]:
    """The version of each stream's first event in a batch: where its chain resumes."""
    firsts: dict[UUID, int] = {}
    for event in domain_events:
        firsts.setdefault(event.originator_id, event.originator_version)
    return firsts


def _scopes(split: _Split) -> list[Scope]:
    """Every scope an event's sealing needs a key of: its groups', and its veil's."""
    scopes = [scope for scope, _ in split[4]]
    veil = split[6]
    return scopes if veil is None else [*scopes, veil[0]]


NO_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The readable record time of an event in a person's own stream (ADR 0023): none. The real
one is sealed with its first part, or, for an event with nothing personal, not kept."""

_MONTH_STARTS: dict[int, datetime] = {}


def month_start(at: datetime) -> datetime:
    """The first instant of ``at``'s calendar month in UTC: what a sealed event's readable
    part keeps of its record time. Cached per month, as the write path asks once per event.
    A naive time (never made by ``eventsourcing``) is taken as UTC and stays naive, so
    times read back can still be compared with each other."""
    tz = at.tzinfo
    if tz is not UTC and tz is not None:
        at = at.astimezone(UTC)
    key = (at.year * 12 + at.month) * 2 + (tz is None)
    start = _MONTH_STARTS.get(key)
    if start is None:
        start = datetime(at.year, at.month, 1, tzinfo=None if tz is None else UTC)
        _MONTH_STARTS[key] = start
    return start


_TIME_HEAD = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
_MONTH_TAIL = b'-01T00:00:00+00:00"},'
_AFTER_TIME = len(_TIME_HEAD) + 7 + len(_MONTH_TAIL)  # 7: "YYYY-MM"


def _drop_month_time(readable: bytes) -> bytes:
    """The readable part without the month's record time the mapper writes first, when the
    one sealed part about to be spliced in brings the exact time: one datetime decoded per
    event on the replay path instead of two (decoding one costs about 2 us)."""
    if readable[_AFTER_TIME - len(_MONTH_TAIL) : _AFTER_TIME] == _MONTH_TAIL and (
        readable.startswith(_TIME_HEAD)
    ):
        return b"{" + readable[_AFTER_TIME:]
    return readable


def _splice(document: bytes, part: bytes) -> bytes:
    """Merge two JSON objects into one, so the event decodes once. A key in both (only the
    record time, ADR 0019) reads as the part's: the decoder keeps the last duplicate, and
    the part comes last (tested in ``test_exact_times``)."""
    if len(document) <= 2:  # "{}": nothing readable to merge into
        return part
    return b"".join((document[:-1], b",", part[1:]))
