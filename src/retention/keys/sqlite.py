"""Key store on the embedded SQLite database, sharing the event store's connection pool."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteDatastore

from retention.keys.base import Cursor
from retention.keys.kek import Secrets
from retention.keys.store import KeyStore


class SQLiteKeyStore(KeyStore):
    def __init__(self, datastore: SQLiteDatastore, secrets: Secrets, **kwargs: Any) -> None:
        super().__init__(secrets, **kwargs)
        self.datastore = datastore

    def _transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        if not commit:
            return self.datastore.transaction(commit=False)
        return self._write_transaction()

    @contextmanager
    def _write_transaction(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE: our writes read first, and a deferred transaction that reads
        before it writes fails at once ("database is locked") when another process writes,
        instead of waiting its turn."""
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                raise OperationalError(e) from e
            try:
                yield cursor
            except BaseException:
                conn.rollback()
                raise
            try:
                conn.commit()
            except sqlite3.Error as e:
                raise OperationalError(e) from e

    def _table(self, name: str) -> str:
        return name

    def _sql(self, statement: str) -> str:
        return statement

    def _id(self, value: UUID) -> Any:
        return value.hex

    def _uuid(self, value: Any) -> UUID:
        return UUID(hex=value)

    def _kid(self, key_id: bytes) -> Any:
        return key_id.hex()

    def _kid_back(self, value: Any) -> bytes:
        return bytes.fromhex(value)

    def _true(self) -> Any:
        return 1

    def _timestamp(self, value: Any) -> datetime:
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    def _stamp(self, value: datetime) -> Any:
        return value.isoformat()

    def _create_statements(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.keys_table} ("
            "subject TEXT NOT NULL, category TEXT NOT NULL, epoch TEXT NOT NULL, "
            "key_id TEXT UNIQUE, kek_id TEXT, wrapped BLOB, created_at TEXT NOT NULL, "
            "shredded_at TEXT, decision_id TEXT, "
            "PRIMARY KEY (subject, category, epoch))",
            f"CREATE INDEX IF NOT EXISTS {self.keys_table}_category_epoch "
            f"ON {self.keys_table} (category, epoch)",
            # read models ask which scopes a gallring run destroyed (partial: shredded rows)
            f"CREATE INDEX IF NOT EXISTS {self.keys_table}_decision "
            f"ON {self.keys_table} (decision_id) WHERE decision_id IS NOT NULL",
            f"CREATE TABLE IF NOT EXISTS {self.meta_table} ("
            "name TEXT PRIMARY KEY, num INTEGER NOT NULL, value BLOB)",
            f"CREATE TABLE IF NOT EXISTS {self.index_table} ("
            "digest BLOB PRIMARY KEY, subject TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {self.index_table}_subject "
            f"ON {self.index_table} (subject)",
            f"CREATE TABLE IF NOT EXISTS {self.periods_table} (category TEXT NOT NULL, "
            "epoch TEXT NOT NULL, closed INTEGER NOT NULL, decision_id TEXT, closed_at TEXT, "
            "PRIMARY KEY (category, epoch))",
        ]

    def _before_shred(self, c: Cursor) -> None:
        # Zero the bytes of deleted or overwritten cells instead of leaving them in free space.
        c.execute("PRAGMA secure_delete = ON")

    def make_deletion_durable(self) -> None:
        """Fold the WAL (which still holds old page images) into the database and truncate it."""
        for _attempt in range(50):
            with self.datastore.get_connection(commit=True) as conn:
                cursor = conn.cursor()
                cursor.execute("PRAGMA secure_delete = ON")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = cursor.fetchone()[0]
            if not busy:
                return
            time.sleep(0.05)
        raise TimeoutError("the WAL could not be checkpointed: readers kept it busy")
