"""Forgetting a subject: once a person's identity and everything else of theirs is culled,
their fenced key rows are replaced by one tombstone that names neither them nor what they had.

A fenced row keeps (subject, category, epoch) so the key can never be made again. For a
person still known that is what it should be; for a person culled to the last scope (identity
goes last, ADR 0018; a pick-up person has no identity scope here) it is a
list, under the id their own stream still carries, of every kind of data they had and every
month they had it: "special support in March 2023" survives the culling of the support. The
anonymity audit found exactly that (ADR 0020). So the rows of a forgotten subject go, and a
tombstone keyed by HMAC(index key, subject) takes their place. It still fences: making a key
for a forgotten subject finds the tombstone and is refused, as a fenced row would refuse it.
Without the index key, which lives with the KEK outside the database, a tombstone links to
nothing.

Forgetting runs after the read models have purged what the culling decisions named (they ask
the key store by decision id), so gallring calls it last, after catching them up.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Final
from uuid import UUID

from domain.personal import VEILED
from retention.keys.base import chunks
from retention.keys.culling import KeyCulling

FORGOTTEN: Final = "forgotten"
_NOBODY: Final = (FORGOTTEN, *sorted(str(c) for c in VEILED))  # rows that are no person's
"""The category of a tombstone row; no plan rule names it, so no run ever selects one."""


def tombstone_id(index_key: bytes, subject: UUID) -> UUID:
    digest = hmac.new(index_key, b"gallra-forgotten/" + subject.bytes, hashlib.sha256).digest()
    return UUID(bytes=digest[:16], version=4)


class KeyForgetting(KeyCulling):
    def tombstone_of(self, subject: UUID) -> UUID:
        return tombstone_id(self._secrets.index_key, subject)

    def forgettable(self) -> list[UUID]:
        """Subjects who hold no live key any more: a person whose identity went last, or one
        who never had an identity scope here (a pick-up person) once their data is culled.
        A day sheet's department-day is no person: its fenced row names nobody."""
        table = self._table(self.keys_table)
        marks = ", ".join("?" * len(_NOBODY))
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(
                    f"SELECT DISTINCT subject FROM {table} WHERE category NOT IN ({marks}) "
                    f"AND subject NOT IN (SELECT subject FROM {table} WHERE wrapped IS NOT NULL)"
                ),
                _NOBODY,
            )
            return sorted(self._uuid(r["subject"]) for r in c.fetchall())

    def forget_subjects(self, subjects: Iterable[UUID]) -> int:
        """Replace each subject's fenced rows by its tombstone, in one transaction; a subject
        who holds a live key is left as it is. Idempotent."""
        table = self._table(self.keys_table)
        forgotten = 0
        with self._transaction(commit=True) as c:
            self._before_shred(c)
            for subject in sorted(set(subjects)):
                c.execute(
                    self._sql(
                        f"SELECT category, wrapped, shredded_at, decision_id FROM {table} "
                        "WHERE subject = ?"
                    ),
                    (self._id(subject),),
                )
                rows = c.fetchall()
                if not rows or any(
                    r["wrapped"] is not None or r["category"] == FORGOTTEN for r in rows
                ):
                    continue
                c.execute(self._sql(f"DELETE FROM {table} WHERE subject = ?"), (self._id(subject),))
                # The tombstone keeps when, and by which decision, the last of them went.
                last = max(rows, key=lambda r: (str(r["shredded_at"]), r["category"]))
                when, decision = last["shredded_at"], last["decision_id"]
                c.execute(
                    self._sql(
                        f"INSERT INTO {table} (subject, category, epoch, key_id, kek_id, "
                        "wrapped, created_at, shredded_at, decision_id) "
                        "VALUES (?, ?, '-', NULL, NULL, NULL, ?, ?, ?) "
                        "ON CONFLICT (subject, category, epoch) DO NOTHING"
                    ),
                    (self._id(self.tombstone_of(subject)), FORGOTTEN, when, when, decision),
                )
                forgotten += 1
        return forgotten

    def forgotten_among(self, subjects: Iterable[UUID]) -> frozenset[UUID]:
        """Which of ``subjects`` have been forgotten."""
        by_tomb = {self.tombstone_of(s): s for s in set(subjects)}
        found: set[UUID] = set()
        table = self._table(self.keys_table)
        with self._transaction(commit=False) as c:
            for chunk in chunks(sorted(by_tomb)):
                marks = ", ".join("?" * len(chunk))
                c.execute(
                    self._sql(
                        f"SELECT subject FROM {table} WHERE category = ? AND subject IN ({marks})"
                    ),
                    [FORGOTTEN, *(self._id(t) for t in chunk)],
                )
                found |= {by_tomb[self._uuid(r["subject"])] for r in c.fetchall()}
        return frozenset(found)
