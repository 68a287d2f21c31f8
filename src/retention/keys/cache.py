"""A small thread-safe LRU map: unwrapped data keys stay in memory, bounded."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class LRU(Generic[K, V]):
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an LRU cache needs room for at least one entry")
        self._maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return None
            self._data.move_to_end(key)
            return value  # type: ignore[return-value]

    def lookup(self, key: K, default: object) -> V | object:
        """The value, or ``default`` when absent (so a stored None is told from a miss)."""
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._data.move_to_end(key)
            return value

    def get_many(self, keys: Iterable[K], default: object) -> tuple[dict[K, V], list[K]]:
        """Values found (refreshed as recently used) and the keys missing, under one lock."""
        found: dict[K, V] = {}
        missing: list[K] = []
        with self._lock:
            for key in keys:
                value = self._data.get(key, _MISSING)
                if value is _MISSING:
                    missing.append(key)
                else:
                    self._data.move_to_end(key)
                    found[key] = value  # type: ignore[assignment]
        return found, missing

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._data

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)

    def pop(self, key: K) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
