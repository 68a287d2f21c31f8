"""The outbox view on both backends: one table of owed notice ids."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.outbox import OutboxChange, Owed, Settled
from projections.views.base import ViewSQL
from projections.views.postgres import TRACKING_TABLE, PostgresDialect
from projections.views.sqlite import SQLiteDialect


class OutboxViewSQL(ViewSQL):
    tracking_name = "gallra/outbox"
    tables = ("outbox_owed",)

    def view_statements(self, *, uuid: str, time: str) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self._t('outbox_owed')} (notice_id {uuid} PRIMARY KEY, "
            f"kind TEXT NOT NULL, queued_at {time} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS outbox_owed_queued ON {self._t('outbox_owed')} "
            "(queued_at)",
        ]

    def _apply_one(self, c: Any, change: OutboxChange) -> None:
        if isinstance(change, Owed):
            c.execute(
                self._q(
                    f"INSERT INTO {self._t('outbox_owed')} (notice_id, kind, queued_at) "
                    "VALUES (?, ?, ?) ON CONFLICT (notice_id) DO NOTHING"
                ),
                (self._id(change.notice_id), change.kind, self._ts(change.queued_at)),
            )
        elif isinstance(change, Settled):
            c.execute(
                self._q(f"DELETE FROM {self._t('outbox_owed')} WHERE notice_id = ?"),
                (self._id(change.notice_id),),
            )

    def owed(self, limit: int) -> list[UUID]:
        """The oldest owed notices first."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT notice_id FROM {self._t('outbox_owed')} "
                    "ORDER BY queued_at, notice_id LIMIT ?"
                ),
                (limit,),
            )
            return [self._uuid(r["notice_id"]) for r in c.fetchall()]


class SQLiteOutboxView(SQLiteDialect, SQLiteTrackingRecorder, OutboxViewSQL):
    def construct_create_table_statements(self) -> list[str]:
        statements = self.view_statements(uuid="TEXT", time="TEXT")
        return [*super().construct_create_table_statements(), *statements]


class PostgresOutboxView(PostgresDialect, PostgresTrackingRecorder, OutboxViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid", time="timestamptz"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]
