"""Signed checkpoints over the notification log: how far the log is known to be as written.

A checkpoint signs, with an Ed25519 key held outside the database, the position it reaches
in the log, how many events lie up to there, and a digest of every event's place and link:

    digest(k) = SHA-256( digest(k-1) | SHA-256( for each event after checkpoint k-1, up to
                         and including position(k): u64 notification id | link ) )

Per-stream chains catch an event altered, dropped or moved within its stream; the digest
catches what they cannot: the last event of a stream removed, an event inserted in the log,
events of different streams reordered. Whoever can write the database can rewrite links,
but not sign: only the checkpoints make the log tamper-evident against a writer, up to the
last one signed.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from retention.errors import RetentionError
from retention.keys.store import KeyStore

_HEAD = b"gallra-checkpoint/1"
_NUMBERS = struct.Struct(">qqq")
_ID = struct.Struct(">q")
START = bytes(32)  # the digest before the first checkpoint


class CheckpointError(RetentionError):
    """A checkpoint cannot be signed (no key, or the log does not verify)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int  # 1, 2, ...: a gap says one was removed
    position: int  # the notification id it reaches
    events: int  # how many events lie up to there
    digest: bytes
    signed_at: datetime
    key_id: str
    signature: bytes

    def message(self) -> bytes:
        """What is signed: everything above but the signature."""
        return b"".join(
            (
                _HEAD,
                _NUMBERS.pack(self.seq, self.position, self.events),
                self.digest,
                self.signed_at.isoformat().encode(),
                self.key_id.encode(),
            )
        )


def public_key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_from(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != 32:
        raise CheckpointError("a checkpoint public key is 32 bytes (Ed25519)")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_bytes(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


class Signer:
    """Signs checkpoints with the key from the secrets."""

    def __init__(self, seed: bytes) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = self._private.public_key()
        self.key_id = public_key_id(self.public)

    def sign(self, seq: int, position: int, events: int, digest: bytes, at: datetime) -> Checkpoint:
        unsigned = Checkpoint(seq, position, events, digest, at, self.key_id, b"")
        return Checkpoint(
            seq, position, events, digest, at, self.key_id, self._private.sign(unsigned.message())
        )


def signature_holds(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> bool | None:
    """True if signed by a key we know, False if not validly, None if by a key not known."""
    public = keys.get(checkpoint.key_id)
    if public is None:
        return None
    try:
        public.verify(checkpoint.signature, checkpoint.message())
    except InvalidSignature:
        return False
    return True


class RangeDigest:
    """The running digest of the events since the last checkpoint."""

    def __init__(self, previous: bytes = START) -> None:
        self.previous = previous
        self._range = hashlib.sha256()

    def add(self, notification_id: int, link: bytes) -> None:
        self._range.update(_ID.pack(notification_id) + link)

    def peek(self) -> bytes:
        """The digest a checkpoint here would sign, leaving the range open."""
        return hashlib.sha256(self.previous + self._range.digest()).digest()

    def close(self) -> bytes:
        """The digest of a checkpoint at this point; the next range starts from it."""
        digest = hashlib.sha256(self.previous + self._range.digest()).digest()
        self.previous = digest
        self._range = hashlib.sha256()
        return digest


class CheckpointStore:
    """The checkpoints, in a table beside the events, through the key store's connection and
    SQL dialect (both backends)."""

    table = "gallra_checkpoints"

    def __init__(self, keystore: KeyStore, *, postgres: bool) -> None:
        self._keys = keystore
        self._postgres = postgres

    def create_table(self) -> None:
        blob, stamp = ("bytea", "timestamptz") if self._postgres else ("BLOB", "TEXT")
        with self._keys.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self._name()} (seq bigint PRIMARY KEY, "
                f"position bigint NOT NULL, events bigint NOT NULL, digest {blob} NOT NULL, "
                f"signed_at {stamp} NOT NULL, key_id text NOT NULL, signature {blob} NOT NULL)"
            )

    def all(self) -> list[Checkpoint]:
        with self._keys.transaction(commit=False) as c:
            c.execute(
                f"SELECT seq, position, events, digest, signed_at, key_id, signature "  # noqa: S608
                f"FROM {self._name()} ORDER BY seq"
            )
            return [self._checkpoint(row) for row in c.fetchall()]

    def add(self, checkpoint: Checkpoint) -> bool:
        """Store a checkpoint; False if another was signed with its number first."""
        columns = "seq, position, events, digest, signed_at, key_id, signature"
        sql = self._keys.sql(
            f"INSERT INTO {self._name()} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
            "ON CONFLICT (seq) DO NOTHING RETURNING seq"
        )
        with self._keys.transaction(commit=True) as c:
            c.execute(
                sql,
                (
                    checkpoint.seq,
                    checkpoint.position,
                    checkpoint.events,
                    checkpoint.digest,
                    self._keys.stamp(checkpoint.signed_at),
                    checkpoint.key_id,
                    checkpoint.signature,
                ),
            )
            return c.fetchone() is not None

    def _name(self) -> str:
        return self._keys.table(self.table)

    def _checkpoint(self, row: Any) -> Checkpoint:
        seq, position, events, digest, signed_at, key_id, signature = (
            row[name]
            for name in ("seq", "position", "events", "digest", "signed_at", "key_id", "signature")
        )
        at = self._keys.timestamp(signed_at)
        return Checkpoint(
            int(seq), int(position), int(events), bytes(digest), at, str(key_id), bytes(signature)
        )


def known_keys(publics: Iterable[Ed25519PublicKey]) -> dict[str, Ed25519PublicKey]:
    return {public_key_id(public): public for public in publics}
