"""The outbox view on both backends: one table of owed notice ids."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.outbox import OutboxChange, Owed, Settled
from projections.views.postgres import TRACKING_TABLE, PostgresDialect
from projections.views.sqlite import SQLiteDialect


class OutboxViewSQL:
    datastore: Any
    tracking_name = "gallra/outbox"

    @abstractmethod
    def _q(self, sql: str) -> str: ...

    @abstractmethod
    def _t(self, name: str) -> str: ...

    @abstractmethod
    def _id(self, value: UUID) -> Any: ...

    @abstractmethod
    def _uuid(self, value: Any) -> UUID: ...

    @abstractmethod
    def _ts(self, value: Any) -> Any: ...

    @abstractmethod
    def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

    @abstractmethod
    def _tracking_table(self) -> str: ...

    def view_statements(self, *, uuid: str, time: str) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self._t('outbox_owed')} (notice_id {uuid} PRIMARY KEY, "
            f"kind TEXT NOT NULL, queued_at {time} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS outbox_owed_queued ON {self._t('outbox_owed')} "
            "(queued_at)",
        ]

    def apply(self, changes: Sequence[OutboxChange], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            for change in changes:
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
            self._insert_tracking(c, tracking)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self._t('outbox_owed')}")
            c.execute(
                self._q(f"DELETE FROM {self._tracking_table()} WHERE application_name = ?"),
                (self.tracking_name,),
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
