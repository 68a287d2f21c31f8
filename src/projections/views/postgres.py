"""The attendance view on PostgreSQL, in the event store's schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL

from projections.views.attendance import AttendanceViewSQL


class PostgresAttendanceView(PostgresTrackingRecorder, AttendanceViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name="gallra_projection_tracking", **kwargs)
        for statement in self.view_statements(uuid="uuid", blob_time="timestamptz"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]

    def _q(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _t(self, name: str) -> str:
        return f"{self.datastore.schema}.{name}"

    def _id(self, value: UUID) -> Any:
        return value

    def _uuid(self, value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(str(value))

    def _tracking_table(self) -> str:
        return f"{self.datastore.schema}.{self.tracking_table_name}"

    def _ts(self, value: datetime) -> Any:
        return value

    def _to_datetime(self, value: Any) -> datetime:
        return value  # type: ignore[no-any-return]
