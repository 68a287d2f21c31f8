"""The stored events as an intruder with write access to the database sees them: rows to
alter, delete, renumber and insert behind the application's back (both backends)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.bootstrap import Gallra


@dataclass(frozen=True)
class Row:
    id: int
    stream: UUID
    version: int
    topic: str
    state: bytes


class RawLog:
    def __init__(self, gallra: Gallra) -> None:
        recorder: Any = gallra.app.recorder
        self._datastore = recorder.datastore
        self._sqlite = gallra.settings.backend == "sqlite"
        name = recorder.events_table_name
        self._schema = "" if self._sqlite else recorder.datastore.schema
        self._table = name if self._sqlite else f"{self._schema}.{name}"
        self._id = "rowid" if self._sqlite else "notification_id"

    def rows(self) -> list[Row]:
        found = self._run(
            f"SELECT {self._id} AS id, originator_id, originator_version, topic, state "
            f"FROM {self._table} ORDER BY {self._id}",
            fetch=True,
        )
        return [
            Row(
                int(r["id"]),
                r["originator_id"]
                if isinstance(r["originator_id"], UUID)
                else UUID(r["originator_id"]),
                int(r["originator_version"]),
                r["topic"],
                bytes(r["state"]),
            )
            for r in found
        ]

    def set_state(self, row: Row, state: bytes) -> None:
        self._run(f"UPDATE {self._table} SET state = ? WHERE {self._id} = ?", (state, row.id))

    def delete(self, row: Row) -> None:
        self._run(f"DELETE FROM {self._table} WHERE {self._id} = ?", (row.id,))

    def set_version(self, row: Row, version: int) -> None:
        self._run(
            f"UPDATE {self._table} SET originator_version = ? WHERE {self._id} = ?",
            (version, row.id),
        )

    def swap_ids(self, a: Row, b: Row) -> None:
        """Exchange two events' places in the log."""
        parking = -a.id
        self._run(f"UPDATE {self._table} SET {self._id} = ? WHERE {self._id} = ?", (parking, a.id))
        self._run(f"UPDATE {self._table} SET {self._id} = ? WHERE {self._id} = ?", (a.id, b.id))
        self._run(f"UPDATE {self._table} SET {self._id} = ? WHERE {self._id} = ?", (b.id, parking))

    def insert(self, row: Row) -> None:
        """Insert an event at the notification id the row names."""
        stream: Any = row.stream.hex if self._sqlite else row.stream
        self._run(
            f"INSERT INTO {self._table} ({self._id}, originator_id, originator_version, topic, "
            "state) VALUES (?, ?, ?, ?, ?)",
            (row.id, stream, row.version, row.topic, row.state),
        )

    def skip_ids(self, count: int) -> None:
        """Leave ``count`` notification ids unused (as a rolled-back insert does on
        PostgreSQL), so the next event is written after a gap."""
        if self._sqlite:  # rowids continue from the largest: hold one there, then let it go
            top = max(row.id for row in self.rows())
            ghost = Row(top + count + 1, UUID(int=0), 1, "ghost", b"")
            self.insert(ghost)
            self._after_gap = ghost
            return
        sequence = self._run(
            f"SELECT pg_get_serial_sequence('{self._table}', 'notification_id') AS s", fetch=True
        )[0]["s"]
        for _ in range(count):
            self._run("SELECT nextval(?)", (sequence,), fetch=True)

    def close_gap(self) -> None:
        """On SQLite, remove the row that held the gap open (after the next event is written)."""
        ghost = getattr(self, "_after_gap", None)
        if ghost is not None:
            self.delete(ghost)

    def on_checkpoints(self, sql: str) -> None:
        """Run a statement on the checkpoints' table, named ``{table}`` in it."""
        table = "gallra_checkpoints" if self._sqlite else f"{self._schema}.gallra_checkpoints"
        self._run(sql.format(table=table))

    def _run(self, sql: str, params: Sequence[Any] = (), *, fetch: bool = False) -> list[Any]:
        if not self._sqlite:
            sql = sql.replace("?", "%s")
        with self._datastore.transaction(commit=True) as c:
            c.execute(sql, params)
            return list(c.fetchall()) if fetch else []
