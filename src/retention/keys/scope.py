"""A key scope: the unit of culling. One data key per (subject, category, epoch)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    subject: UUID
    category: str
    epoch: str

    def associated_data(self) -> bytes:
        """Bytes that bind a wrapped key to its scope, so rows cannot be swapped."""
        return b"|".join((self.subject.bytes, self.category.encode(), self.epoch.encode()))
