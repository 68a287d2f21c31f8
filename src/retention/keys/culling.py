"""Destroying keys: by key id, by scope, or by closing a whole period; and re-wrapping them.

Shredding is one transaction: close the periods (on PostgreSQL this waits for writers that
are creating keys in them), destroy the keys named and every key left in a closed period,
fence scopes that never had a key, delete the blind-index rows of destroyed identities, and
bump the generation so every process drops its cached keys. Idempotent throughout.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.personal import Category
from retention.keys.base import Cursor, KeyStoreBase, chunks, key_ad
from retention.keys.scope import Scope

_DESTROY = "key_id = NULL, kek_id = NULL, wrapped = NULL, shredded_at = ?, decision_id = ?"


@dataclass(frozen=True, slots=True)
class ScopeRecord:
    """What the store knows of a scope, without its key (used to plan culling)."""

    scope: Scope
    key_id: UUID | None
    shredded_at: datetime | None
    decision_id: UUID | None = None  # the gallring run (or other decision) that shredded it


class KeyCulling(KeyStoreBase):
    def scopes(
        self,
        *,
        category: str | None = None,
        subject: UUID | None = None,
        include_shredded: bool = False,
        decision: UUID | None = None,
    ) -> list[ScopeRecord]:
        """Scopes known to the store, for planning; never returns key material.

        ``decision`` selects the scopes that decision destroyed or fenced (shredded rows
        included), so read models can purge what a gallring run culled.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if category is not None:
            clauses.append("category = ?")
            params.append(category)
        if subject is not None:
            clauses.append("subject = ?")
            params.append(self._id(subject))
        if decision is not None:
            clauses.append("decision_id = ?")
            params.append(self._id(decision))
        elif not include_shredded:
            clauses.append("wrapped IS NOT NULL")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(
                    "SELECT subject, category, epoch, key_id, shredded_at, decision_id "
                    f"FROM {self._table(self.keys_table)} {where} "
                    "ORDER BY category, epoch, subject"
                ),
                params,
            )
            return [
                ScopeRecord(
                    self._row_scope(r),
                    UUID(bytes=self._kid_back(r["key_id"])) if r["key_id"] is not None else None,
                    self._timestamp(r["shredded_at"]) if r["shredded_at"] is not None else None,
                    self._uuid(r["decision_id"]) if r["decision_id"] is not None else None,
                )
                for r in c.fetchall()
            ]

    def shred(
        self,
        decision_id: UUID,
        *,
        key_ids: Collection[UUID] = (),
        scopes: Collection[Scope] = (),
        periods: Collection[tuple[str, str]] = (),
    ) -> int:
        """Destroy keys and fence what they covered; returns how many keys were destroyed.

        ``key_ids`` names keys directly (as a gallring decision lists them); ``scopes`` fences
        single scopes even if they never had a key; ``periods`` (category, epoch) closes a
        period for every subject and destroys every key in it.
        """
        now = self._stamp(datetime.now(UTC))
        decision = self._id(decision_id)
        destroyed: list[tuple[UUID, str]] = []
        with self._transaction(commit=True) as c:
            self._before_shred(c)
            for category, epoch in sorted(set(periods)):
                self._close_period(c, category, epoch, decision, now)
                destroyed += self._destroy(
                    c, "category = ? AND epoch = ?", [category, epoch], now, decision
                )
            for chunk in chunks(sorted({k.bytes for k in key_ids})):
                marks = ", ".join("?" * len(chunk))
                destroyed += self._destroy(
                    c, f"key_id IN ({marks})", [self._kid(k) for k in chunk], now, decision
                )
            for scope in sorted(set(scopes)):
                destroyed += self._fence_scope(c, scope, now, decision)
            identities = {s for s, cat in destroyed if cat == Category.IDENTITY}
            identities |= {s.subject for s in scopes if s.category == Category.IDENTITY}
            for subject in sorted(identities):
                c.execute(
                    self._sql(f"DELETE FROM {self._table(self.index_table)} WHERE subject = ?"),
                    (self._id(subject),),
                )
            c.execute(
                self._sql(
                    f"UPDATE {self._table(self.meta_table)} SET num = num + 1 "
                    "WHERE name = 'generation'"
                )
            )
        self._forget_everything()
        return len(destroyed)

    def _destroy(
        self, c: Cursor, where: str, params: list[Any], now: Any, decision: Any
    ) -> list[tuple[UUID, str]]:
        """Destroy the live keys matching ``where``; returns (subject, category) of each."""
        c.execute(
            self._sql(
                f"UPDATE {self._table(self.keys_table)} SET {_DESTROY} "
                f"WHERE {where} AND wrapped IS NOT NULL RETURNING subject, category"
            ),
            [now, decision, *params],
        )
        return [(self._uuid(r["subject"]), r["category"]) for r in c.fetchall()]

    def _close_period(self, c: Cursor, category: str, epoch: str, decision: Any, now: Any) -> None:
        c.execute(
            self._sql(
                f"INSERT INTO {self._table(self.periods_table)} "
                "(category, epoch, closed, decision_id, closed_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (category, epoch) DO UPDATE SET closed = excluded.closed, "
                "decision_id = excluded.decision_id, closed_at = excluded.closed_at "
                f"WHERE NOT {self.periods_table}.closed"
            ),
            (category, epoch, self._true(), decision, now),
        )

    def _fence_scope(
        self, c: Cursor, scope: Scope, now: Any, decision: Any
    ) -> list[tuple[UUID, str]]:
        destroyed = self._destroy(
            c,
            "subject = ? AND category = ? AND epoch = ?",
            [self._id(scope.subject), scope.category, scope.epoch],
            now,
            decision,
        )
        c.execute(
            self._sql(
                f"INSERT INTO {self._table(self.keys_table)} (subject, category, epoch, key_id, "
                "kek_id, wrapped, created_at, shredded_at, decision_id) "
                "VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, ?) "
                "ON CONFLICT (subject, category, epoch) DO NOTHING"
            ),
            (self._id(scope.subject), scope.category, scope.epoch, now, now, decision),
        )
        return destroyed

    def _true(self) -> Any:
        return True

    def _before_shred(self, c: Cursor) -> None:
        """Backend hook run first inside the shredding transaction."""

    def keys_wrapped_by(self) -> dict[str, int]:
        """How many live data keys each KEK wraps (to know when an old KEK may go)."""
        with self._transaction(commit=False) as c:
            c.execute(
                f"SELECT kek_id, COUNT(*) AS n FROM {self._table(self.keys_table)} "
                "WHERE wrapped IS NOT NULL GROUP BY kek_id"
            )
            return {row["kek_id"]: int(row["n"]) for row in c.fetchall()}

    def rewrap_all(self) -> int:
        """Re-wrap every live key under the active KEK; events are never touched."""
        table = self._table(self.keys_table)
        count = 0
        with self._transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"SELECT subject, category, epoch, key_id, kek_id, wrapped FROM {table} "
                    "WHERE wrapped IS NOT NULL AND kek_id <> ?"
                ),
                (self._secrets.active_kek,),
            )
            for row in c.fetchall():
                key_id = self._kid_back(row["key_id"])
                ad = key_ad(key_id, self._row_scope(row))
                dek = self._secrets.unwrap(row["kek_id"], bytes(row["wrapped"]), ad)
                kek_id, wrapped = self._secrets.wrap(dek, ad)
                c.execute(
                    self._sql(f"UPDATE {table} SET kek_id = ?, wrapped = ? WHERE key_id = ?"),
                    (kek_id, wrapped, self._kid(key_id)),
                )
                count += 1
        return count
