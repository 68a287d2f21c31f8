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
    def prefetch(self, key_ids: Iterable[UUID | bytes]) -> dict[bytes, AESGCM | None]:
        """The ciphers of a page's keys, loading every uncached one in one query; also
        notices shreddings by other processes (they empty the cache). None = destroyed."""
        wanted = dict.fromkeys(_raw(k) for k in key_ids)
        with self._transaction(commit=False) as c:
            self._refresh_generation(c)
            found, missing = self._read_cache.get_many(wanted, _MISSING)
            if missing:
                found.update(self._load(c, missing))
        return found

    def aead(self, key_id: UUID | bytes) -> AESGCM | None:
        """The cipher of one key, or None if it was destroyed (or never existed)."""
        raw = _raw(key_id)
        found = self._read_cache.lookup(raw, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        with self._transaction(commit=False) as c:
            self._load(c, [raw])
        return self._read_cache.get(raw)

    def _load(self, c: Cursor, key_ids: Sequence[bytes]) -> dict[bytes, AESGCM | None]:
        table = self._table(self.keys_table)
        loaded: dict[bytes, AESGCM | None] = {}
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
                loaded[key_id] = aead
        for key_id in key_ids:
            loaded.setdefault(key_id, None)
        for key_id, value in loaded.items():
            self._read_cache.put(key_id, value)
        return loaded
