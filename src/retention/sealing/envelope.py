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
A binary layout (rather than JSON with base64) keeps replay close to the unsealed speed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple
from uuid import UUID

MAGIC = b"G\x01"
_U32 = struct.Struct(">I")
_VERSION = struct.Struct(">q")


class EnvelopeError(ValueError):
    """The stored bytes are not a well-formed envelope."""


class SealedPart(NamedTuple):
    key_id: bytes  # 16 bytes
    nonce: bytes
    ciphertext: bytes


Part = tuple[bytes, bytes, bytes]  # (key id, nonce, ciphertext): a SealedPart, or a plain tuple


def pack(plaintext: bytes, parts: Sequence[Part]) -> bytes:
    if len(parts) > 255:
        raise EnvelopeError("an event may have at most 255 sealed parts")
    chunks = [MAGIC, _U32.pack(len(plaintext)), plaintext, bytes((len(parts),))]
    for key_id, nonce, ciphertext in parts:
        chunks += [key_id, nonce, _U32.pack(len(ciphertext)), ciphertext]
    return b"".join(chunks)


def unpack(data: bytes) -> tuple[bytes, list[Part]]:
    """Split an envelope. On the replay path, so: struct offsets and plain tuples."""
    if data[:2] != MAGIC:
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
    """The key ids of an envelope's sealed parts (nothing for bytes that are no envelope)."""
    if data[:2] != MAGIC:
        return iter(())
    return iter([part[0] for part in unpack(data)[1]])


def associated_data(originator_id: UUID | str, version: int, topic: str, key_id: bytes) -> bytes:
    """Binds a sealed part to its event and key. Every field but the topic has a fixed
    length (a text originator id is length-prefixed), so no two inputs give the same bytes."""
    return b"".join(
        (origin_bytes(originator_id), _VERSION.pack(version), topic_bytes(topic), key_id)
    )


def origin_bytes(originator_id: UUID | str) -> bytes:
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    text = str(originator_id).encode()
    return b"\xff" + len(text).to_bytes(4, "big") + text  # never 16 bytes of a UUID alone


@lru_cache(maxsize=1024)
def topic_bytes(topic: str) -> bytes:
    return topic.encode()
