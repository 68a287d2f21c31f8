"""What every read model's SQL shares, written once against a small dialect shim.

A view subclass names its tables and turns one change into SQL (``_apply_one``); the dialect
mixins (``views/sqlite.py``, ``views/postgres.py``) supply placeholders, table names and value
conversions, and the library's tracking recorder supplies ``_insert_tracking``. A page of
changes and its tracking position commit in one transaction; purging by key scope or by
period is the same for every view whose rows carry their scope.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from retention.keys.scope import Scope

SCOPE_COLUMNS = "scope_subject = ? AND scope_category = ? AND scope_epoch = ?"


class ViewSQL:
    datastore: Any
    tracking_name: str
    tables: tuple[str, ...] = ()  # emptied by a rebuild

    @abstractmethod
    def _q(self, sql: str) -> str: ...

    @abstractmethod
    def _t(self, name: str) -> str: ...

    @abstractmethod
    def _id(self, value: UUID) -> Any: ...

    @abstractmethod
    def _uuid(self, value: Any) -> UUID: ...

    @abstractmethod
    def _ts(self, value: datetime) -> Any: ...

    @abstractmethod
    def _to_datetime(self, value: Any) -> datetime: ...

    @abstractmethod
    def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

    @abstractmethod
    def _tracking_table(self) -> str: ...

    @abstractmethod
    def _apply_one(self, c: Any, change: Any) -> None: ...

    def apply(self, changes: Sequence[Any], tracking: Tracking) -> None:
        """Apply a page of changes and record its tracking position in one transaction."""
        with self.datastore.transaction(commit=True) as c:
            for change in changes:
                self._apply_one(c, change)
            self._insert_tracking(c, tracking)

    def reset(self) -> None:
        """Empty the view and its position, for a rebuild from the first event."""
        with self.datastore.transaction(commit=True) as c:
            for table in self.tables:
                c.execute(f"DELETE FROM {self._t(table)}")
            c.execute(
                self._q(f"DELETE FROM {self._tracking_table()} WHERE application_name = ?"),
                (self.tracking_name,),
            )

    def _scope(self, scope: Scope) -> tuple[Any, str, str]:
        return self._id(scope.subject), scope.category, scope.epoch

    def _purge_scopes(self, c: Any, tables: Iterable[str], scopes: Sequence[Scope]) -> None:
        """Delete the rows of scopes whose keys were destroyed."""
        params = [self._scope(s) for s in scopes]
        if params:
            for table in tables:
                c.executemany(
                    self._q(f"DELETE FROM {self._t(table)} WHERE {SCOPE_COLUMNS}"), params
                )

    def _purge_periods(
        self, c: Any, tables: Iterable[str], category: str, epochs: Iterable[str]
    ) -> None:
        """Delete the rows of whole periods closed for every subject."""
        for table in tables:
            for epoch in epochs:
                c.execute(
                    self._q(
                        f"DELETE FROM {self._t(table)} WHERE scope_category = ? AND scope_epoch = ?"
                    ),
                    (category, epoch),
                )

    def _put_figures(
        self,
        c: Any,
        table: str,
        keys: Sequence[str],
        counts: Sequence[str],
        rows: Iterable[Mapping[str, Any]],
    ) -> None:
        """Insert or overwrite counter rows, the conflict key being the first two ``keys``
        (an ``*_id`` key is an id): a compiled month sets its figures where records add
        theirs (ADR 0022)."""
        columns = [*keys, *counts]
        put = ", ".join(f"{n} = excluded.{n}" for n in counts)
        c.executemany(
            self._q(
                f"INSERT INTO {self._t(table)} ({', '.join(columns)}) VALUES "
                f"({', '.join('?' * len(columns))}) "
                f"ON CONFLICT ({', '.join(keys[:2])}) DO UPDATE SET {put}"
            ),
            [
                tuple(self._id(r[k]) if k.endswith("_id") else r[k] for k in keys)
                + tuple(int(r[n]) for n in counts)
                for r in rows
            ],
        )
