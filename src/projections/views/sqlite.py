"""The read models on SQLite, in the event store's own database file."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.views.access import AccessViewSQL
from projections.views.attendance import AttendanceViewSQL


class SQLiteDialect:
    """Placeholders, table names and value conversions the views share on SQLite."""

    def _q(self, sql: str) -> str:
        return sql

    def _t(self, name: str) -> str:
        return name

    def _id(self, value: UUID) -> Any:
        return value.hex

    def _uuid(self, value: Any) -> UUID:
        return UUID(hex=value)

    def _tracking_table(self) -> str:
        return "tracking"

    def _ts(self, value: datetime) -> Any:
        return value.isoformat()

    def _to_datetime(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)


class SQLiteAttendanceView(SQLiteDialect, SQLiteTrackingRecorder, AttendanceViewSQL):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *self.view_statements(uuid="TEXT", blob_time="TEXT"),
        ]


class SQLiteAccessView(SQLiteDialect, SQLiteTrackingRecorder, AccessViewSQL):
    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.view_statements(uuid="TEXT")]
