"""What every part of the key store shares: secrets, caches, the SQL dialect hooks, set-up."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from retention.errors import KekError
from retention.keys.cache import LRU
from retention.keys.kek import Secrets
from retention.keys.scope import Scope

DEK_BYTES = 32
CHUNK = 400  # stays under every backend's bound-parameter limit


@dataclass(frozen=True, slots=True)
class DataKey:
    key_id: UUID
    aead: AESGCM


class Cursor:
    """The part of a DB-API cursor the stores use (both backends' cursors fit)."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def key_ad(key_id: bytes, scope: Scope) -> bytes:
    """Associated data of a wrapped key: binds it to its key id and scope."""
    return key_id + scope.associated_data()


class KeyStoreBase(ABC):
    keys_table = "gallra_keys"
    meta_table = "gallra_keystore_meta"
    index_table = "gallra_blind_index"
    periods_table = "gallra_periods"

    def __init__(self, secrets: Secrets, *, cache_size: int = 65536) -> None:
        self._secrets = secrets
        # key id (16 bytes) -> cipher, or None once known to be destroyed
        self._read_cache: LRU[bytes, AESGCM | None] = LRU(cache_size)
        self._write_cache: LRU[Scope, DataKey] = LRU(cache_size)
        self._generation: int | None = None
        self._closed: frozenset[tuple[str, str]] | None = None
        self._lock = threading.Lock()

    # -- backend hooks ---------------------------------------------------------------------

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
    def _kid(self, key_id: bytes) -> Any:
        """A 16-byte key id as the backend stores it."""

    @abstractmethod
    def _kid_back(self, value: Any) -> bytes: ...

    @abstractmethod
    def _timestamp(self, value: Any) -> datetime: ...

    @abstractmethod
    def _stamp(self, value: datetime) -> Any: ...

    @abstractmethod
    def make_deletion_durable(self) -> None:
        """Make destroyed key bytes unrecoverable from the database files."""

    # -- the dialect, for tables that share the key store's connection (checkpoints) -------

    def transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        return self._transaction(commit=commit)

    def table(self, name: str) -> str:
        return self._table(name)

    def sql(self, statement: str) -> str:
        return self._sql(statement)

    def stamp(self, value: datetime) -> Any:
        return self._stamp(value)

    def timestamp(self, value: Any) -> datetime:
        return self._timestamp(value)

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
        meta = self._table(self.meta_table)
        with self._transaction(commit=True) as c:
            c.execute(self._sql(f"SELECT name, value FROM {meta} WHERE name LIKE 'kek:%'"))
            known = {row["name"][4:]: bytes(row["value"]) for row in c.fetchall()}
            c.execute(
                f"SELECT DISTINCT kek_id FROM {self._table(self.keys_table)} "
                "WHERE kek_id IS NOT NULL"
            )
            used = {row["kek_id"] for row in c.fetchall()}
            for kek_id in used - set(self._secrets.keks):
                raise KekError(
                    f"this database holds keys wrapped by KEK {kek_id!r}, which was not supplied"
                )
            for kek_id, value in known.items():
                if kek_id in self._secrets.keks:
                    self._secrets.verify_check_value(kek_id, value)
            for kek_id in set(self._secrets.keks) - set(known):
                c.execute(
                    self._sql(
                        f"INSERT INTO {meta} (name, num, value) VALUES (?, 0, ?) "
                        "ON CONFLICT (name) DO NOTHING"
                    ),
                    (f"kek:{kek_id}", self._secrets.check_value(kek_id)),
                )

    # -- shared helpers --------------------------------------------------------------------

    def _row_scope(self, row: Any) -> Scope:
        return Scope(self._uuid(row["subject"]), row["category"], row["epoch"])

    def _unwrap_row(self, row: Any) -> tuple[bytes, AESGCM]:
        key_id = self._kid_back(row["key_id"])
        dek = self._secrets.unwrap(
            row["kek_id"], bytes(row["wrapped"]), key_ad(key_id, self._row_scope(row))
        )
        return key_id, AESGCM(dek)

    def _refresh_generation(self, c: Cursor) -> None:
        """Notice a shredding done by any process: it bumps the generation counter."""
        c.execute(
            self._sql(f"SELECT num FROM {self._table(self.meta_table)} WHERE name = 'generation'")
        )
        row = c.fetchone()
        generation = int(row["num"]) if row is not None else 0
        with self._lock:
            if self._generation is not None and generation != self._generation:
                self._forget_everything()
            self._generation = generation

    def _forget_everything(self) -> None:
        self._read_cache.clear()
        self._write_cache.clear()
        self._closed = None

    def evict(self) -> None:
        """Forget every unwrapped key held in memory."""
        self._forget_everything()
