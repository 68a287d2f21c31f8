"""The stored form of an event: a readable part and one sealed part per key scope.

Layout (all integers big-endian):

    b"G" 0x01                    magic and envelope version
    u32 n, n bytes               plaintext part: JSON of the non-personal fields
    u8  k                        number of sealed parts
    k x ( 16 bytes key id,       which data key sealed it (random; says nothing of the subject)
          12 bytes nonce,        fresh for every seal
          u32 m, m bytes )       AES-256-GCM ciphertext and tag of the JSON of the part's fields

Each part's associated data binds it to (originator id, version, topic, key id), so a sealed
part copied into another event, another position or another scope fails to open.

A *veiled* envelope (``b"G" 0x02``, ADR 0022) has the same layout, but its first part is the
veil: sealed under a scope many subjects share, its plaintext is ``u8 n, n x 16 bytes`` (the
key ids of the parts after it, in order) and then the JSON of its own fields. Those parts
store 16 zero bytes where their key id would be, and their associated data names the real
one, so only the veil's key tells whose parts they are.

Envelope version 2 (``b"G" 0x03``, veiled ``b"G" 0x04``, ADR 0024) is the same body followed
by 32 bytes: the event's link in its stream's hash chain (``retention.integrity.chain``).
Events stored before the chain read as before; the verifier computes the link they would
carry (the upcast), so one formula covers the whole log.
A binary layout (rather than JSON with base64) keeps replay close to the unsealed speed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple
from uuid import UUID

MAGIC = b"G\x01"
VEILED_MAGIC = b"G\x02"
CHAINED_MAGIC = b"G\x03"  # version 2: MAGIC's body, then the chain link
CHAINED_VEILED_MAGIC = b"G\x04"  # version 2: VEILED_MAGIC's body, then the chain link
LINK_BYTES = 32
_MAGICS = {MAGIC, VEILED_MAGIC}
_CHAINED_BODY = {CHAINED_MAGIC: MAGIC, CHAINED_VEILED_MAGIC: VEILED_MAGIC}
NO_KEY = bytes(16)  # where a veiled part's key id would be
_U32 = struct.Struct(">I")
_VERSION = struct.Struct(">q")


class EnvelopeError(ValueError):
    """The stored bytes are not a well-formed envelope."""


class SealedPart(NamedTuple):
    key_id: bytes  # 16 bytes
    nonce: bytes
    ciphertext: bytes


Part = tuple[bytes, bytes, bytes]  # (key id, nonce, ciphertext): a SealedPart, or a plain tuple


def pack(
    plaintext: bytes, parts: Sequence[Part], *, veiled: bool = False, chained: bool = False
) -> bytes:
    """The body of an envelope; a chained one (version 2) is complete once its link follows."""
    if len(parts) > 255:
        raise EnvelopeError("an event may have at most 255 sealed parts")
    if chained:
        magic = CHAINED_VEILED_MAGIC if veiled else CHAINED_MAGIC
    else:
        magic = VEILED_MAGIC if veiled else MAGIC
    chunks = [magic, _U32.pack(len(plaintext)), plaintext, bytes((len(parts),))]
    for key_id, nonce, ciphertext in parts:
        chunks += [key_id, nonce, _U32.pack(len(ciphertext)), ciphertext]
    return b"".join(chunks)


def split_link(data: bytes) -> tuple[bytes, bytes | None]:
    """An envelope's body, with version 1's magic, and its chain link (None for version 1,
    stored before the chain existed). Bytes that are no envelope are returned as they are."""
    body_magic = _CHAINED_BODY.get(data[:2])
    if body_magic is None:
        return data, None
    if len(data) < 2 + LINK_BYTES:
        raise EnvelopeError("truncated envelope")
    return body_magic + data[2:-LINK_BYTES], data[-LINK_BYTES:]


def is_chained(data: bytes) -> bool:
    """Whether the bytes are a version 2 envelope, ending in their chain link."""
    return data[:2] == CHAINED_MAGIC or data[:2] == CHAINED_VEILED_MAGIC


def is_envelope(data: bytes) -> bool:
    return data[:2] in _MAGICS or data[:2] in _CHAINED_BODY


def unpack(data: bytes) -> tuple[bytes, list[Part]]:
    """Split an envelope of either version. On the replay path, so: struct offsets and
    plain tuples."""
    data = split_link(data)[0]
    if data[:2] != MAGIC and data[:2] != VEILED_MAGIC:
        raise EnvelopeError("not a Gallra envelope (bad magic)")
    try:
        (length,) = _U32.unpack_from(data, 2)
        offset = 6 + length
        plaintext = data[6:offset]
        count = data[offset]
        offset += 1
        parts: list[Part] = []
        for _ in range(count):
            (size,) = _U32.unpack_from(data, offset + 28)
            start = offset + 32
            parts.append(
                (
                    data[offset : offset + 16],
                    data[offset + 16 : start - 4],
                    data[start : start + size],
                )
            )
            offset = start + size
    except (IndexError, struct.error) as e:
        raise EnvelopeError("truncated envelope") from e
    if offset != len(data) or len(plaintext) != length:
        raise EnvelopeError("envelope length does not match its contents")
    return plaintext, parts


def key_ids(data: bytes) -> Iterator[bytes]:
    """The key ids an envelope shows: of its sealed parts, or of its veil alone (nothing for
    bytes that are no envelope)."""
    if not is_envelope(data):
        return iter(())
    return iter([part[0] for part in unpack(data)[1] if part[0] != NO_KEY])


def is_veiled(data: bytes) -> bool:
    return data[:2] == VEILED_MAGIC or data[:2] == CHAINED_VEILED_MAGIC


def veil_plaintext(hidden: Sequence[bytes], fields: bytes) -> bytes:
    """What a veil seals: the key ids it hides, then its own fields' JSON."""
    if len(hidden) > 255 or any(len(key_id) != 16 for key_id in hidden):
        raise EnvelopeError("a veil hides at most 255 key ids of 16 bytes")
    return bytes((len(hidden),)) + b"".join(hidden) + fields


def open_veil(clear: bytes) -> tuple[list[bytes], bytes]:
    """The key ids a veil hides, and its own fields' JSON."""
    if not clear:
        raise EnvelopeError("an empty veil")
    count = clear[0]
    end = 1 + 16 * count
    if len(clear) < end:
        raise EnvelopeError("a veil shorter than the key ids it names")
    return [clear[1 + 16 * i : 17 + 16 * i] for i in range(count)], clear[end:]


def associated_data(originator_id: UUID | str, version: int, topic: str, key_id: bytes) -> bytes:
    """Binds a sealed part to its event and key. Every field but the topic has a fixed
    length (a text originator id is length-prefixed), so no two inputs give the same bytes."""
    return associated_head(originator_id, version, topic) + key_id


def associated_head(originator_id: UUID | str, version: int, topic: str) -> bytes:
    """The associated data of an event's parts, but their key id: made once per event when
    it has more than one part to open (a veil and what it hides)."""
    origin = originator_id.bytes if isinstance(originator_id, UUID) else origin_bytes(originator_id)
    return b"".join((origin, _VERSION.pack(version), topic_bytes(topic)))


def origin_bytes(originator_id: UUID | str) -> bytes:
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    text = str(originator_id).encode()
    return b"\xff" + len(text).to_bytes(4, "big") + text  # never 16 bytes of a UUID alone


@lru_cache(maxsize=1024)
def topic_bytes(topic: str) -> bytes:
    return topic.encode()
