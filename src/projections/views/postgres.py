"""The read models on PostgreSQL, in the event store's schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL

from projections.views.access import AccessViewSQL
from projections.views.attendance import AttendanceViewSQL

TRACKING_TABLE = "gallra_projection_tracking"


class PostgresDialect:
    """Placeholders, table names and value conversions the views share on PostgreSQL."""

    datastore: PostgresDatastore
    tracking_table_name: str

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


class PostgresAttendanceView(PostgresDialect, PostgresTrackingRecorder, AttendanceViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid", blob_time="timestamptz"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]


class PostgresAccessView(PostgresDialect, PostgresTrackingRecorder, AccessViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]
