"""Application recorders that record new data keys, and check the keys used are still live,
in the same transaction as the events they seal: one commit per save, and no window in which
an event could be stored under a key that does not exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow

from retention.keys.store import KeyStore, KeyUse


class SealingSQLiteRecorder(SQLiteApplicationRecorder):
    keystore: KeyStore | None = None

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Events first: SQLite's deferred transaction must start with a write, or a read
        # followed by a write fails at once under a concurrent writer.
        ids = super()._insert_events(c, stored_events, **kwargs)
        use: KeyUse | None = kwargs.get("key_use")
        if use is not None:
            assert self.keystore is not None
            self.keystore.record(c, use)  # type: ignore[arg-type]
        return ids


class SealingPostgresRecorder(PostgresApplicationRecorder):
    keystore: KeyStore | None = None

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        use: KeyUse | None = kwargs.get("key_use")
        if use is not None:
            assert self.keystore is not None
            self.keystore.record(curs, use)  # type: ignore[arg-type]
