"""A key scope: the unit of culling. One data key per (subject, category, epoch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    subject: UUID
    category: str
    epoch: str
    # Scopes are dict keys on the sealing path; UUID hashing is Python code, so hash once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.subject.int, self.category, self.epoch)))

    def __hash__(self) -> int:
        return self._hash

    def associated_data(self) -> bytes:
        """Bytes that bind a wrapped key to its scope, so rows cannot be swapped."""
        return b"|".join((self.subject.bytes, self.category.encode(), self.epoch.encode()))
