"""The key store: one random data key (DEK) per scope, wrapped by the KEK, in the database.

Life cycle of a scope's row (one row holds both the key and, later, its fence, so creating a
key and culling it can never race into two states):

    absent --create (insert-if-absent, re-read)--> keyed --shred--> fenced (no key, no key id)

A fenced row keeps (subject, category, epoch) so the key can never be made again; its key id
is cleared, so nothing links the sealed parts left in the events to the subject any more.

Readers fetch keys by key id in batches (one query per page of events) through an LRU cache.
A generation counter, bumped by every shredding, lets other processes notice that their cached
keys may be stale: every batch read re-checks it and empties the cache when it moved.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.personal import Category
from retention.errors import KekError, ScopeShreddedError
from retention.keys.cache import LRU
from retention.keys.kek import Secrets
from retention.keys.scope import Scope

DEK_BYTES = 32
_CHUNK = 400  # stays under every backend's bound-parameter limit


@dataclass(frozen=True, slots=True)
class DataKey:
    key_id: UUID
    aead: AESGCM


@dataclass(frozen=True, slots=True)
class ScopeRecord:
    """What the store knows of a scope, without its key (used to plan culling)."""

    scope: Scope
    key_id: UUID | None
    shredded_at: datetime | None


class Cursor:
    """The part of a DB-API cursor the stores use (both backends' cursors fit)."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class KeyStore(ABC):
    """Backend-independent logic; subclasses supply SQL dialect and durable deletion."""

    keys_table = "gallra_keys"
    meta_table = "gallra_keystore_meta"
    index_table = "gallra_blind_index"
    periods_table = "gallra_period_fences"

    def __init__(self, secrets: Secrets, *, cache_size: int = 65536) -> None:
        self._secrets = secrets
        self._read_cache: LRU[UUID, AESGCM | None] = LRU(cache_size)
        self._write_cache: LRU[Scope, DataKey] = LRU(cache_size)
        self._generation: int | None = None
        self._periods: frozenset[tuple[str, str]] | None = None
        self._lock = threading.Lock()

    # -- backend hooks -------------------------------------------------------------------

    @abstractmethod
    def _transaction(self, *, commit: bool) -> AbstractContextManager[Any]: ...

    @abstractmethod
    def _table(self, name: str) -> str: ...

    @abstractmethod
    def _create_statements(self) -> list[str]: ...

    @abstractmethod
    def _sql(self, statement: str) -> str:
        """Turn the '?' placeholders used here into the backend's style."""

    @abstractmethod
    def _id(self, value: UUID) -> Any: ...

    @abstractmethod
    def _uuid(self, value: Any) -> UUID: ...

    @abstractmethod
    def _timestamp(self, value: Any) -> datetime: ...

    @abstractmethod
    def _stamp(self, value: datetime) -> Any: ...

    @abstractmethod
    def make_deletion_durable(self) -> None:
        """Make destroyed key bytes unrecoverable from the database files."""

    # -- set-up ----------------------------------------------------------------------------

    def create_tables(self) -> None:
        with self._transaction(commit=True) as c:
            for statement in self._create_statements():
                c.execute(statement)
            c.execute(
                self._sql(
                    f"INSERT INTO {self._table(self.meta_table)} (name, num, value) "
                    "VALUES ('generation', 0, NULL) ON CONFLICT (name) DO NOTHING"
                )
            )

    def verify_kek(self) -> None:
        """Refuse to run with no KEK, or the wrong one, for a database that has keys."""
        kek_name = self._sql(
            f"SELECT name, value FROM {self._table(self.meta_table)} WHERE name LIKE 'kek:%'"
        )
        with self._transaction(commit=True) as c:
            c.execute(kek_name)
            known = {row["name"][4:]: bytes(row["value"]) for row in c.fetchall()}
            c.execute(
                f"SELECT DISTINCT kek_id FROM {self._table(self.keys_table)} "
                "WHERE kek_id IS NOT NULL"
            )
            used = {row["kek_id"] for row in c.fetchall()}
            for kek_id in used | set(known):
                if kek_id not in self._secrets.keks:
                    if kek_id in used:
                        raise KekError(
                            f"this database holds keys wrapped by KEK {kek_id!r}, "
                            "which was not supplied"
                        )
                    continue
                if kek_id in known:
                    self._secrets.verify_check_value(kek_id, known[kek_id])
            for kek_id in self._secrets.keks:
                if kek_id not in known:
                    c.execute(
                        self._sql(
                            f"INSERT INTO {self._table(self.meta_table)} (name, num, value) "
                            "VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING"
                        ),
                        (f"kek:{kek_id}", self._secrets.check_value(kek_id)),
                    )

    # -- writing ---------------------------------------------------------------------------

    def keys_for_write(self, scopes: Collection[Scope]) -> dict[Scope, DataKey]:
        """The data key of every scope, created if absent; a fenced scope raises.

        One round trip checks the shred generation; another creates and re-reads any
        scope not yet cached. Two writers racing for one scope both end with the same key.
        """
        with self._transaction(commit=True) as c:
            self._refresh_generation(c)
            found: dict[Scope, DataKey] = {}
            missing: list[Scope] = []
            for scope in scopes:
                key = self._write_cache.get(scope)
                if key is None:
                    missing.append(scope)
                else:
                    found[scope] = key
            if missing:
                closed = self._closed_periods(c)
                for scope in missing:
                    if (scope.category, scope.epoch) in closed:
                        raise ScopeShreddedError(scope.category, scope.epoch)
                found.update(self._create_and_read(c, sorted(set(missing))))
        return found

    def _closed_periods(self, c: Cursor) -> frozenset[tuple[str, str]]:
        periods = self._periods
        if periods is None:
            c.execute(f"SELECT category, epoch FROM {self._table(self.periods_table)}")
            periods = frozenset((r["category"], r["epoch"]) for r in c.fetchall())
            self._periods = periods
        return periods

    def closed_periods(self) -> frozenset[tuple[str, str]]:
        """Every (category, epoch) closed for all subjects by a gallring decision."""
        with self._transaction(commit=False) as c:
            self._refresh_generation(c)
            return self._closed_periods(c)

    def _create_and_read(self, c: Cursor, scopes: Sequence[Scope]) -> dict[Scope, DataKey]:
        insert = self._sql(
            f"INSERT INTO {self._table(self.keys_table)} "
            "(subject, category, epoch, key_id, kek_id, wrapped, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject, category, epoch) DO NOTHING"
        )
        now = datetime.now(UTC)
        for scope in scopes:
            key_id = uuid4()
            kek_id, wrapped = self._secrets.wrap(os.urandom(DEK_BYTES), self._key_ad(key_id, scope))
            c.execute(
                insert,
                (
                    self._id(scope.subject),
                    scope.category,
                    scope.epoch,
                    self._id(key_id),
                    kek_id,
                    wrapped,
                    self._stamp(now),
                ),
            )
        result: dict[Scope, DataKey] = {}
        for row in self._select_scopes(c, scopes):
            scope = Scope(self._uuid(row["subject"]), row["category"], row["epoch"])
            if row["wrapped"] is None:
                raise ScopeShreddedError(scope.category, scope.epoch)
            key_id = self._uuid(row["key_id"])
            dek = self._secrets.unwrap(
                row["kek_id"], bytes(row["wrapped"]), self._key_ad(key_id, scope)
            )
            key = DataKey(key_id, AESGCM(dek))
            self._write_cache.put(scope, key)
            self._read_cache.put(key_id, key.aead)
            result[scope] = key
        return result

    def _select_scopes(self, c: Cursor, scopes: Sequence[Scope]) -> list[Any]:
        rows: list[Any] = []
        table = self._table(self.keys_table)
        for chunk in _chunks(scopes, _CHUNK // 3):
            where = " OR ".join(["(subject = ? AND category = ? AND epoch = ?)"] * len(chunk))
            params: list[Any] = []
            for s in chunk:
                params += [self._id(s.subject), s.category, s.epoch]
            c.execute(
                self._sql(
                    f"SELECT subject, category, epoch, key_id, kek_id, wrapped, shredded_at "
                    f"FROM {table} WHERE {where}"
                ),
                params,
            )
            rows.extend(c.fetchall())
        return rows

    @staticmethod
    def _key_ad(key_id: UUID, scope: Scope) -> bytes:
        return key_id.bytes + scope.associated_data()

    # -- reading ---------------------------------------------------------------------------

    def prefetch(self, key_ids: Iterable[UUID]) -> None:
        """Load every uncached key of a page in one query (and notice shreddings elsewhere)."""
        wanted = list(dict.fromkeys(key_ids))
        with self._transaction(commit=False) as c:
            self._refresh_generation(c)
            missing = [k for k in wanted if k not in self._read_cache]
            if missing:
                self._load(c, missing)

    def aead(self, key_id: UUID) -> AESGCM | None:
        """The cipher of one key, or None if it was shredded (or never existed)."""
        if key_id in self._read_cache:
            return self._read_cache.get(key_id)
        with self._transaction(commit=False) as c:
            self._load(c, [key_id])
        return self._read_cache.get(key_id)

    def _load(self, c: Cursor, key_ids: Sequence[UUID]) -> None:
        table = self._table(self.keys_table)
        seen: set[UUID] = set()
        for chunk in _chunks(key_ids):
            marks = ", ".join("?" * len(chunk))
            c.execute(
                self._sql(
                    f"SELECT subject, category, epoch, key_id, kek_id, wrapped "
                    f"FROM {table} WHERE key_id IN ({marks})"
                ),
                [self._id(k) for k in chunk],
            )
            for row in c.fetchall():
                key_id = self._uuid(row["key_id"])
                scope = Scope(self._uuid(row["subject"]), row["category"], row["epoch"])
                dek = self._secrets.unwrap(
                    row["kek_id"], bytes(row["wrapped"]), self._key_ad(key_id, scope)
                )
                self._read_cache.put(key_id, AESGCM(dek))
                seen.add(key_id)
        for key_id in key_ids:
            if key_id not in seen:
                self._read_cache.put(key_id, None)

    def _refresh_generation(self, c: Cursor) -> None:
        c.execute(
            self._sql(f"SELECT num FROM {self._table(self.meta_table)} WHERE name = 'generation'")
        )
        row = c.fetchone()
        generation = int(row["num"]) if row is not None else 0
        with self._lock:
            if self._generation is not None and generation != self._generation:
                self._read_cache.clear()
                self._write_cache.clear()
                self._periods = None
            self._generation = generation

    def evict(self) -> None:
        """Forget every unwrapped key held in memory."""
        self._read_cache.clear()
        self._write_cache.clear()
        self._periods = None

    # -- culling ---------------------------------------------------------------------------

    def scopes(
        self,
        *,
        category: str | None = None,
        subject: UUID | None = None,
        include_shredded: bool = False,
    ) -> list[ScopeRecord]:
        """Scopes known to the store, for planning; never returns key material."""
        clauses: list[str] = []
        params: list[Any] = []
        if category is not None:
            clauses.append("category = ?")
            params.append(category)
        if subject is not None:
            clauses.append("subject = ?")
            params.append(self._id(subject))
        if not include_shredded:
            clauses.append("wrapped IS NOT NULL")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(
                    f"SELECT subject, category, epoch, key_id, shredded_at "
                    f"FROM {self._table(self.keys_table)} {where} "
                    "ORDER BY category, epoch, subject"
                ),
                params,
            )
            return [
                ScopeRecord(
                    Scope(self._uuid(r["subject"]), r["category"], r["epoch"]),
                    self._uuid(r["key_id"]) if r["key_id"] is not None else None,
                    self._timestamp(r["shredded_at"]) if r["shredded_at"] is not None else None,
                )
                for r in c.fetchall()
            ]

    def shred(
        self,
        decision_id: UUID,
        *,
        key_ids: Collection[UUID] = (),
        scopes: Collection[Scope] = (),
        periods: Collection[tuple[str, str]] = (),
    ) -> int:
        """Destroy keys and fence what they covered; returns how many keys were destroyed.

        ``key_ids`` names keys directly (as a gallring decision lists them); ``scopes`` fences
        single scopes even if they never had a key; ``periods`` (category, epoch) closes a
        period for every subject, so a late write for a culled month can never make a key.
        Idempotent: what is already destroyed or fenced is left as it is. Destroying an
        identity scope also deletes the subject's blind-index rows, in the same transaction.
        """
        now = self._stamp(datetime.now(UTC))
        decision = self._id(decision_id)
        table = self._table(self.keys_table)
        ordered_ids = sorted(set(key_ids))
        ordered_scopes = sorted(set(scopes))
        destroyed_ids: list[UUID] = []
        identity_subjects: set[UUID] = set()
        with self._transaction(commit=True) as c:
            self._before_shred(c)
            for chunk in _chunks(ordered_ids):
                marks = ", ".join("?" * len(chunk))
                c.execute(
                    self._sql(
                        f"SELECT key_id, subject, category FROM {table} "
                        f"WHERE key_id IN ({marks}) AND wrapped IS NOT NULL"
                    ),
                    [self._id(k) for k in chunk],
                )
                for row in c.fetchall():
                    destroyed_ids.append(self._uuid(row["key_id"]))
                    if row["category"] == Category.IDENTITY:
                        identity_subjects.add(self._uuid(row["subject"]))
                c.execute(
                    self._sql(
                        f"UPDATE {table} SET key_id = NULL, kek_id = NULL, wrapped = NULL, "
                        f"shredded_at = ?, decision_id = ? WHERE key_id IN ({marks})"
                    ),
                    [now, decision, *(self._id(k) for k in chunk)],
                )
            if ordered_scopes:
                for row in self._select_scopes(c, ordered_scopes):
                    if row["wrapped"] is not None:
                        destroyed_ids.append(self._uuid(row["key_id"]))
                upsert = self._sql(
                    f"INSERT INTO {table} (subject, category, epoch, key_id, kek_id, wrapped, "
                    "created_at, shredded_at, decision_id) "
                    "VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, ?) "
                    "ON CONFLICT (subject, category, epoch) DO UPDATE SET key_id = NULL, "
                    "kek_id = NULL, wrapped = NULL, shredded_at = excluded.shredded_at, "
                    f"decision_id = excluded.decision_id "
                    f"WHERE {self.keys_table}.wrapped IS NOT NULL"
                )
                for scope in ordered_scopes:
                    c.execute(
                        upsert,
                        (self._id(scope.subject), scope.category, scope.epoch, now, now, decision),
                    )
                    if scope.category == Category.IDENTITY:
                        identity_subjects.add(scope.subject)
            for category, epoch in sorted(set(periods)):
                c.execute(
                    self._sql(
                        f"INSERT INTO {self._table(self.periods_table)} "
                        "(category, epoch, decision_id, fenced_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (category, epoch) DO NOTHING"
                    ),
                    (category, epoch, decision, now),
                )
            for subject in sorted(identity_subjects):
                c.execute(
                    self._sql(f"DELETE FROM {self._table(self.index_table)} WHERE subject = ?"),
                    (self._id(subject),),
                )
            c.execute(
                self._sql(
                    f"UPDATE {self._table(self.meta_table)} SET num = num + 1 "
                    "WHERE name = 'generation'"
                )
            )
        for key_id in destroyed_ids:
            self._read_cache.put(key_id, None)
        self._write_cache.clear()
        self._periods = None
        return len(destroyed_ids)

    def _before_shred(self, c: Cursor) -> None:  # noqa: B027 - optional hook
        """Backend hook run first inside the shredding transaction."""

    # -- key rotation ----------------------------------------------------------------------

    def rewrap_all(self) -> int:
        """Re-wrap every live key under the active KEK; events are never touched."""
        table = self._table(self.keys_table)
        count = 0
        with self._transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"SELECT subject, category, epoch, key_id, kek_id, wrapped FROM {table} "
                    "WHERE wrapped IS NOT NULL AND kek_id <> ?"
                ),
                (self._secrets.active_kek,),
            )
            for row in c.fetchall():
                key_id = self._uuid(row["key_id"])
                scope = Scope(self._uuid(row["subject"]), row["category"], row["epoch"])
                ad = self._key_ad(key_id, scope)
                dek = self._secrets.unwrap(row["kek_id"], bytes(row["wrapped"]), ad)
                kek_id, wrapped = self._secrets.wrap(dek, ad)
                c.execute(
                    self._sql(f"UPDATE {table} SET kek_id = ?, wrapped = ? WHERE key_id = ?"),
                    (kek_id, wrapped, self._id(key_id)),
                )
                count += 1
        return count

    # -- blind index -----------------------------------------------------------------------

    def index_digest(self, normalised: str) -> bytes:
        return hmac.new(self._secrets.index_key, normalised.encode(), hashlib.sha256).digest()

    def index_claim(self, normalised: str, subject: UUID) -> UUID:
        """Bind a civic number to ``subject`` unless it is bound already; returns the owner."""
        digest = self.index_digest(normalised)
        table = self._table(self.index_table)
        with self._transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"INSERT INTO {table} (digest, subject) VALUES (?, ?) "
                    "ON CONFLICT (digest) DO NOTHING"
                ),
                (digest, self._id(subject)),
            )
            c.execute(self._sql(f"SELECT subject FROM {table} WHERE digest = ?"), (digest,))
            return self._uuid(c.fetchone()["subject"])

    def index_find(self, normalised: str) -> UUID | None:
        digest = self.index_digest(normalised)
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(f"SELECT subject FROM {self._table(self.index_table)} WHERE digest = ?"),
                (digest,),
            )
            row = c.fetchone()
        return self._uuid(row["subject"]) if row is not None else None

    def index_release(self, normalised: str, subject: UUID) -> None:
        """Undo a claim whose registration failed, so the number can be registered again."""
        with self._transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"DELETE FROM {self._table(self.index_table)} WHERE digest = ? AND subject = ?"
                ),
                (self.index_digest(normalised), self._id(subject)),
            )
