"""Keys for reading: fetched per page of events in one query, then served from memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from retention.keys.base import Cursor, KeyStoreBase, chunks

_MISSING = object()


def _raw(key_id: UUID | bytes) -> bytes:
    return key_id.bytes if isinstance(key_id, UUID) else key_id


class KeyReading(KeyStoreBase):
    def prefetch(self, key_ids: Iterable[UUID | bytes]) -> None:
        """Load every uncached key of a page in one query, and notice shreddings elsewhere."""
        wanted = list(dict.fromkeys(_raw(k) for k in key_ids))
        with self._transaction(commit=False) as c:
            self._refresh_generation(c)
            missing = [k for k in wanted if k not in self._read_cache]
            if missing:
                self._load(c, missing)

    def aead(self, key_id: UUID | bytes) -> AESGCM | None:
        """The cipher of one key, or None if it was destroyed (or never existed)."""
        raw = _raw(key_id)
        found = self._read_cache.lookup(raw, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        with self._transaction(commit=False) as c:
            self._load(c, [raw])
        return self._read_cache.get(raw)

    def _load(self, c: Cursor, key_ids: Sequence[bytes]) -> None:
        table = self._table(self.keys_table)
        seen: set[bytes] = set()
        for chunk in chunks(key_ids):
            marks = ", ".join("?" * len(chunk))
            c.execute(
                self._sql(
                    "SELECT subject, category, epoch, key_id, kek_id, wrapped "
                    f"FROM {table} WHERE key_id IN ({marks})"
                ),
                [self._kid(k) for k in chunk],
            )
            for row in c.fetchall():
                key_id, aead = self._unwrap_row(row)
                self._read_cache.put(key_id, aead)
                seen.add(key_id)
        for key_id in key_ids:
            if key_id not in seen:
                self._read_cache.put(key_id, None)
