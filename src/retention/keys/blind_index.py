"""The blind index: find a subject by civic number without storing the number.

Rows hold HMAC-SHA256(index key, normalised number) -> subject. The index key lives with the
KEK outside the database, so the table cannot be brute-forced from the database alone. A
subject's rows are deleted when its identity scope is destroyed (see culling).
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from retention.keys.base import KeyStoreBase


class BlindIndex(KeyStoreBase):
    def index_digest(self, normalised: str) -> bytes:
        return hmac.new(self._secrets.index_key, normalised.encode(), hashlib.sha256).digest()

    def derived_id(self, purpose: str, *parts: object) -> UUID:
        """A stream id made from other ids under the index key: the same parts always give
        the same id (so a record owed once is made once), yet nobody without the key can
        tell from the id which subject it belongs to."""
        message = "\x1f".join([f"gallra-derived-id/{purpose}", *map(str, parts)]).encode()
        digest = hmac.new(self._secrets.index_key, message, hashlib.sha256).digest()
        return UUID(bytes=digest[:16], version=4)

    def index_claim(self, normalised: str, subject: UUID) -> UUID:
        """Bind a civic number to ``subject`` unless it is bound already; returns the owner."""
        digest = self.index_digest(normalised)
        table = self._table(self.index_table)
        with self._transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"INSERT INTO {table} (digest, subject) VALUES (?, ?) "
                    "ON CONFLICT (digest) DO NOTHING"
                ),
                (digest, self._id(subject)),
            )
            c.execute(self._sql(f"SELECT subject FROM {table} WHERE digest = ?"), (digest,))
            return self._uuid(c.fetchone()["subject"])

    def index_find(self, normalised: str) -> UUID | None:
        digest = self.index_digest(normalised)
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(f"SELECT subject FROM {self._table(self.index_table)} WHERE digest = ?"),
                (digest,),
            )
            row = c.fetchone()
        return self._uuid(row["subject"]) if row is not None else None

    def index_release(self, normalised: str, subject: UUID) -> None:
        """Undo a claim whose registration failed, so the number can be registered again."""
        with self._transaction(commit=True) as c:
            c.execute(
                self._sql(
                    f"DELETE FROM {self._table(self.index_table)} WHERE digest = ? AND subject = ?"
                ),
                (self.index_digest(normalised), self._id(subject)),
            )
