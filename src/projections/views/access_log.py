"""The access-log view on both backends: one table, ``audit_access``, of ids and routes.

Each row names the scope its record was sealed under, so culling deletes rows by scope (or by
whole month) exactly as the acl_ tables do: the view never outlives the keys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.access import PeriodsPurged, ScopesPurged
from projections.access_log import AccessLogChange, AccessRow
from projections.views.base import ViewSQL
from projections.views.postgres import TRACKING_TABLE, PostgresDialect
from projections.views.sqlite import SQLiteDialect
from retention.keys.scope import Scope

_TABLE = "audit_access"
_COLUMNS = (
    "record_id, subject_id, actor_id, actor_role, action, resource, purpose, status, day, "
    "recorded_at, scope_subject, scope_category, scope_epoch"
)


class AccessLogViewSQL(ViewSQL):
    """Backend-neutral SQL; subclasses mix in the library's tracking recorder and a dialect."""

    tracking_name = "gallra/access-log"
    tables = (_TABLE,)

    def view_statements(self, *, uuid: str, time: str) -> list[str]:
        t = self._t(_TABLE)
        return [
            f"CREATE TABLE IF NOT EXISTS {t} (record_id {uuid} PRIMARY KEY, "
            f"subject_id {uuid} NOT NULL, actor_id {uuid}, actor_role TEXT NOT NULL, "
            "action TEXT NOT NULL, resource TEXT NOT NULL, purpose TEXT NOT NULL, "
            f"status INTEGER NOT NULL, day TEXT NOT NULL, recorded_at {time} NOT NULL, "
            f"scope_subject {uuid} NOT NULL, scope_category TEXT NOT NULL, "
            "scope_epoch TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS audit_access_time ON {t} (recorded_at, record_id)",
            f"CREATE INDEX IF NOT EXISTS audit_access_subject ON {t} (subject_id, recorded_at)",
            f"CREATE INDEX IF NOT EXISTS audit_access_actor ON {t} (actor_id, recorded_at)",
            f"CREATE INDEX IF NOT EXISTS audit_access_scope ON {t} "
            "(scope_subject, scope_category, scope_epoch)",
        ]

    def _time(self, value: datetime) -> Any:
        return self._ts(value.astimezone(UTC))

    def _scope(self, scope: Scope) -> tuple[Any, str, str]:
        return self._id(scope.subject), scope.category, scope.epoch

    # -- writing ---------------------------------------------------------------------------

    def _apply_one(self, c: Any, change: AccessLogChange) -> None:
        if isinstance(change, AccessRow):
            self._insert(c, change)
        elif isinstance(change, ScopesPurged):
            self._purge_scopes(c, self.tables, change.scopes)
        elif isinstance(change, PeriodsPurged):
            self._purge_periods(c, self.tables, change.category, change.epochs)

    def _insert(self, c: Any, row: AccessRow) -> None:
        c.execute(
            self._q(
                f"INSERT INTO {self._t(_TABLE)} ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING"
            ),
            (
                self._id(row.record_id),
                self._id(row.subject_id),
                None if row.actor_id is None else self._id(row.actor_id),
                row.actor_role,
                row.action,
                row.resource,
                row.purpose,
                row.status,
                row.day.isoformat(),
                self._time(row.recorded_at),
                *self._scope(row.scope),
            ),
        )

    # -- reading ---------------------------------------------------------------------------

    def records(
        self,
        *,
        subject_id: UUID | None,
        actor_id: UUID | None,
        since: date | None,
        until: date | None,
        limit: int,
        after: tuple[datetime, UUID] | None,
    ) -> list[AccessRow]:
        """Rows oldest first by (recorded_at, record_id), strictly after ``after``."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("subject_id", subject_id), ("actor_id", actor_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(self._id(value))
        if since is not None:
            where.append("day >= ?")
            params.append(since.isoformat())
        if until is not None:
            where.append("day <= ?")
            params.append(until.isoformat())
        if after is not None:
            where.append("(recorded_at > ? OR (recorded_at = ? AND record_id > ?))")
            params += [self._time(after[0]), self._time(after[0]), self._id(after[1])]
        condition = f"WHERE {' AND '.join(where)} " if where else ""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT {_COLUMNS} FROM {self._t(_TABLE)} {condition}"
                    "ORDER BY recorded_at, record_id LIMIT ?"
                ),
                [*params, limit],
            )
            return [self._row(r) for r in c.fetchall()]

    def _row(self, r: Any) -> AccessRow:
        return AccessRow(
            record_id=self._uuid(r["record_id"]),
            subject_id=self._uuid(r["subject_id"]),
            actor_id=None if r["actor_id"] is None else self._uuid(r["actor_id"]),
            actor_role=r["actor_role"],
            action=r["action"],
            resource=r["resource"],
            purpose=r["purpose"],
            status=int(r["status"]),
            day=date.fromisoformat(r["day"]),
            recorded_at=self._to_datetime(r["recorded_at"]).astimezone(UTC),
            scope=Scope(self._uuid(r["scope_subject"]), r["scope_category"], r["scope_epoch"]),
        )


class SQLiteAccessLogView(SQLiteDialect, SQLiteTrackingRecorder, AccessLogViewSQL):
    def _ts(self, value: datetime) -> Any:
        # Always with microseconds, so the text sorts as the times do.
        return value.isoformat(timespec="microseconds")

    def construct_create_table_statements(self) -> list[str]:
        statements = self.view_statements(uuid="TEXT", time="TEXT")
        return [*super().construct_create_table_statements(), *statements]


class PostgresAccessLogView(PostgresDialect, PostgresTrackingRecorder, AccessLogViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid", time="timestamptz"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]
