"""Keys for writing: found in the cache or the database, or made here and recorded together
with the events they seal, in the same transaction.

Sealing a batch needs no transaction of its own. Keys already known come from the cache; keys
not cached are read in one query; keys that do not exist yet are made in memory. The event
store then records, in the transaction that inserts the events: the new key rows (insert if
absent), that every key used is still live, and that no new key falls in a closed period.
If another writer made the same scope's key first, or a gallring destroyed one meanwhile, the
transaction fails with ``KeyConflictError``; the caller forgets those scopes and seals again.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from retention.errors import RetentionError, ScopeShreddedError
from retention.keys.base import DEK_BYTES, Cursor, DataKey, KeyStoreBase, chunks, key_ad
from retention.keys.forgetting import FORGOTTEN, tombstone_id
from retention.keys.scope import Scope

_ATTEMPTS = 5


class KeyConflictError(RetentionError):
    """A key this write relied on was made by another writer, or destroyed, meanwhile."""

    def __init__(self, scopes: Collection[Scope]) -> None:
        self.scopes = tuple(scopes)
        super().__init__(f"{len(self.scopes)} data keys changed while sealing; seal again")


@dataclass(frozen=True, slots=True)
class NewKey:
    scope: Scope
    key: DataKey
    kek_id: str
    wrapped: bytes


@dataclass
class KeyUse:
    """The keys one write seals with, to be checked in the write's own transaction."""

    keys: dict[Scope, DataKey] = field(default_factory=dict)
    new: list[NewKey] = field(default_factory=list)


class KeyWriting(KeyStoreBase):
    def keys_for(self, scopes: Iterable[Scope]) -> KeyUse:
        """Keys for sealing ``scopes``: cached, read in one query, or made in memory."""
        use = KeyUse()
        missing: list[Scope] = []
        for scope in set(scopes):
            key = self._write_cache.get(scope)
            if key is None:
                missing.append(scope)
            else:
                use.keys[scope] = key
        if not missing:
            return use
        with self._transaction(commit=False) as c:
            self._refresh_generation(c)
            for row in self._select_scopes(c, missing):
                scope = self._row_scope(row)
                if row["wrapped"] is None:
                    raise ScopeShreddedError(scope.category, scope.epoch)
                key_id, aead = self._unwrap_row(row)
                key = DataKey(self._uuid_of(key_id), aead)
                self._write_cache.put(scope, key)
                self._read_cache.put(key_id, aead)
                use.keys[scope] = key
            closed = self._closed_periods(c)
        for scope in missing:
            if scope in use.keys:
                continue
            if (scope.category, scope.epoch) in closed:
                raise ScopeShreddedError(scope.category, scope.epoch)
            new = self._make_key(scope)
            use.keys[scope] = new.key
            use.new.append(new)
        return use

    def _make_key(self, scope: Scope) -> NewKey:
        key_id = uuid4()
        dek = os.urandom(DEK_BYTES)
        kek_id, wrapped = self._secrets.wrap(dek, key_ad(key_id.bytes, scope))
        return NewKey(scope, DataKey(key_id, AESGCM(dek)), kek_id, wrapped)

    def record(self, c: Cursor, use: KeyUse) -> None:
        """Inside the write's transaction: insert new keys, then check every key is live."""
        if use.new:
            now = self._stamp(datetime.now(UTC))
            c.executemany(
                self._sql(
                    f"INSERT INTO {self._table(self.keys_table)} "
                    "(subject, category, epoch, key_id, kek_id, wrapped, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (subject, category, epoch) DO NOTHING"
                ),
                [
                    (
                        self._id(n.scope.subject),
                        n.scope.category,
                        n.scope.epoch,
                        self._kid(n.key.key_id.bytes),
                        n.kek_id,
                        n.wrapped,
                        now,
                    )
                    for n in use.new
                ],
            )
            self._hold_periods_open(c, sorted({(n.scope.category, n.scope.epoch) for n in use.new}))
        wanted = {key.key_id.bytes: scope for scope, key in use.keys.items()}
        live: set[bytes] = set()
        ids = list(wanted)
        for chunk in chunks(ids):
            marks = ", ".join("?" * len(chunk))
            c.execute(
                self._sql(
                    f"SELECT key_id FROM {self._table(self.keys_table)} "
                    f"WHERE key_id IN ({marks}) AND wrapped IS NOT NULL"
                ),
                [self._kid(k) for k in chunk],
            )
            live.update(self._kid_back(row["key_id"]) for row in c.fetchall())
        if len(live) != len(wanted):
            raise KeyConflictError([scope for k, scope in wanted.items() if k not in live])

    def _hold_periods_open(self, c: Cursor, periods: list[tuple[str, str]]) -> None:
        """Refuse new keys in a closed period (backends may also lock the periods)."""
        for category, epoch in periods:
            c.execute(
                self._sql(
                    f"SELECT closed FROM {self._table(self.periods_table)} "
                    "WHERE category = ? AND epoch = ?"
                ),
                (category, epoch),
            )
            row = c.fetchone()
            if row is not None and row["closed"]:
                raise ScopeShreddedError(category, epoch)

    def remember(self, use: KeyUse) -> None:
        """After the write committed: its new keys are real, cache them."""
        for new in use.new:
            self._write_cache.put(new.scope, new.key)
            self._read_cache.put(new.key.key_id.bytes, new.key.aead)

    def forget(self, scopes: Iterable[Scope]) -> None:
        for scope in scopes:
            self._write_cache.pop(scope)

    def keys_for_write(self, scopes: Collection[Scope]) -> dict[Scope, DataKey]:
        """The data key of every scope, created if absent, in a transaction of its own.

        For tools and tests; the event store records keys with the events instead.
        """
        for _attempt in range(_ATTEMPTS):
            use = self.keys_for(scopes)
            try:
                with self._transaction(commit=True) as c:
                    self.record(c, use)
            except KeyConflictError as conflict:
                self.forget(conflict.scopes)
                continue
            self.remember(use)
            return use.keys
        raise KeyConflictError(scopes)

    def _select_scopes(self, c: Cursor, scopes: list[Scope]) -> list[Any]:
        """The key rows of ``scopes``: looked up by subject, the key's leading column, and
        filtered here (a subject has few rows; an OR chain of triples may scan the table)."""
        wanted = set(scopes)
        # A forgotten subject's rows are one tombstone under a keyed id: asked for in the
        # same query, it refuses a new key as the subject's fenced rows would have.
        tombs = {tombstone_id(self._secrets.index_key, s.subject): s for s in scopes}
        ids = sorted({s.subject for s in scopes} | tombs.keys())
        rows: list[Any] = []
        table = self._table(self.keys_table)
        for chunk in chunks(ids):
            marks = ", ".join("?" * len(chunk))
            c.execute(
                self._sql(
                    "SELECT subject, category, epoch, key_id, kek_id, wrapped "
                    f"FROM {table} WHERE subject IN ({marks})"
                ),
                [self._id(s) for s in chunk],
            )
            for r in c.fetchall():
                if r["category"] == FORGOTTEN:
                    scope = tombs.get(self._uuid(r["subject"]))
                    if scope is not None:
                        raise ScopeShreddedError(scope.category, scope.epoch)
                elif self._row_scope(r) in wanted:
                    rows.append(r)
        return rows

    def _closed_periods(self, c: Cursor) -> frozenset[tuple[str, str]]:
        closed = self._closed
        if closed is None:
            c.execute(f"SELECT category, epoch FROM {self._table(self.periods_table)} WHERE closed")
            closed = frozenset((r["category"], r["epoch"]) for r in c.fetchall())
            self._closed = closed
        return closed

    def closed_periods(self) -> frozenset[tuple[str, str]]:
        """Every (category, epoch) closed for all subjects by a gallring decision."""
        with self._transaction(commit=False) as c:
            self._refresh_generation(c)
            return self._closed_periods(c)

    @staticmethod
    def _uuid_of(key_id: bytes) -> Any:
        from uuid import UUID

        return UUID(bytes=key_id)
