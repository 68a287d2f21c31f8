"""Key store on PostgreSQL, sharing the event store's connection pool and schema."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore

from retention.errors import ScopeShreddedError
from retention.keys.base import Cursor
from retention.keys.kek import Secrets
from retention.keys.store import KeyStore


class PostgresKeyStore(KeyStore):
    def __init__(self, datastore: PostgresDatastore, secrets: Secrets, **kwargs: Any) -> None:
        super().__init__(secrets, **kwargs)
        self.datastore = datastore

    def _transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=commit)

    def _table(self, name: str) -> str:
        return f"{self.datastore.schema}.{name}"

    def _sql(self, statement: str) -> str:
        return statement.replace("%", "%%").replace("?", "%s")

    def _id(self, value: UUID) -> Any:
        return value

    def _uuid(self, value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(str(value))

    def _kid(self, key_id: bytes) -> Any:
        return UUID(bytes=key_id)

    def _kid_back(self, value: Any) -> bytes:
        return value.bytes if isinstance(value, UUID) else UUID(str(value)).bytes

    def _hold_periods_open(self, c: Cursor, periods: list[tuple[str, str]]) -> None:
        """Make each period's row exist and hold a share lock on it until commit: a gallring
        that closes the period waits for this write, then destroys the keys it made."""
        table = self._table(self.periods_table)
        for category, epoch in periods:
            c.execute(
                f"INSERT INTO {table} (category, epoch, closed) VALUES (%s, %s, false) "
                "ON CONFLICT (category, epoch) DO NOTHING",
                (category, epoch),
            )
            c.execute(
                f"SELECT closed FROM {table} WHERE category = %s AND epoch = %s FOR SHARE",
                (category, epoch),
            )
            row = c.fetchone()
            if row is not None and row["closed"]:
                raise ScopeShreddedError(category, epoch)

    def _timestamp(self, value: Any) -> datetime:
        return value  # type: ignore[no-any-return]

    def _stamp(self, value: datetime) -> Any:
        return value

    def _create_statements(self) -> list[str]:
        keys, meta, index = (
            self._table(self.keys_table),
            self._table(self.meta_table),
            self._table(self.index_table),
        )
        return [
            f"CREATE TABLE IF NOT EXISTS {keys} ("
            "subject uuid NOT NULL, category text NOT NULL, epoch text NOT NULL, "
            "key_id uuid UNIQUE, kek_id text, wrapped bytea, created_at timestamptz NOT NULL, "
            "shredded_at timestamptz, decision_id uuid, "
            "PRIMARY KEY (subject, category, epoch))",
            f"CREATE INDEX IF NOT EXISTS {self.keys_table}_category_epoch "
            f"ON {keys} (category, epoch)",
            # read models ask which scopes a gallring run destroyed (partial: shredded rows)
            f"CREATE INDEX IF NOT EXISTS {self.keys_table}_decision "
            f"ON {keys} (decision_id) WHERE decision_id IS NOT NULL",
            f"CREATE TABLE IF NOT EXISTS {meta} (name text PRIMARY KEY, num bigint NOT NULL, "
            "value bytea)",
            f"CREATE TABLE IF NOT EXISTS {index} (digest bytea PRIMARY KEY, subject uuid NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {self.index_table}_subject ON {index} (subject)",
            f"CREATE TABLE IF NOT EXISTS {self._table(self.periods_table)} ("
            "category text NOT NULL, epoch text NOT NULL, closed boolean NOT NULL, "
            "decision_id uuid, closed_at timestamptz, PRIMARY KEY (category, epoch))",
        ]

    def make_deletion_durable(self) -> None:
        """Rewrite the key and index tables so no dead tuple keeps destroyed key bytes."""
        with self.datastore.get_connection() as conn:
            for table in (self.keys_table, self.index_table):
                conn.execute(f"VACUUM (FULL) {self._table(table)}")
