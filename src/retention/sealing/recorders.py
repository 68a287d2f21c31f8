"""Application recorders that record new data keys, and check the keys used are still live,
in the same transaction as the events they seal: one commit per save, and no window in which
an event could be stored under a key that does not exist.

They also read many streams in one query (``select_streams``): a kiosk batch needs every
child of a department and every day it touches, and one round trip per stream would cost
more than the whole write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from retention.keys.store import KeyStore, KeyUse

_SQLITE_CHUNK = 500  # well under SQLite's limit of bound parameters per statement


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

    def select_streams(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every event of the given streams, by stream and version."""
        found: list[StoredEvent] = []
        ids = sorted({i.hex for i in originator_ids})
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(ids), _SQLITE_CHUNK):
                chunk = ids[start : start + _SQLITE_CHUNK]
                marks = ", ".join("?" * len(chunk))
                c.execute(
                    f"SELECT * FROM {self.events_table_name} "  # noqa: S608 - a fixed name
                    f"WHERE originator_id IN ({marks}) "
                    "ORDER BY originator_id, originator_version",
                    chunk,
                )
                found += [
                    StoredEvent(
                        originator_id=self.convert_originator_id(row["originator_id"]),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=row["state"],
                    )
                    for row in c.fetchall()
                ]
        return found


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

    def select_streams(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every event of the given streams, by stream and version, in one query."""
        if not originator_ids:
            return []
        statement = SQL(
            "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
            "ORDER BY originator_id, originator_version"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [list(set(originator_ids))])
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]
