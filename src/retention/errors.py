"""Errors raised while sealing, keeping and destroying keys.

    RetentionError
     ├── KekError            the key-encryption key is missing, malformed or wrong (refuse to start)
     ├── ScopeShreddedError  a write to a scope whose key was destroyed (a fence stands)
     └── SealingError        an event cannot be sealed as declared (a programming error)

Messages carry ids, categories and epochs, never a personal value.
"""

from __future__ import annotations


class RetentionError(Exception):
    """Base of everything the retention layer raises."""


class KekError(RetentionError):
    """The key-encryption key cannot open this database's keys."""


class ScopeShreddedError(RetentionError):
    """The scope was culled; its key can never be made again."""

    def __init__(self, category: str, epoch: str) -> None:
        self.category = category
        self.epoch = epoch
        super().__init__(
            f"the {category} data of period {epoch} has been culled for this subject; "
            "it cannot be written again"
        )


class SealingError(RetentionError):
    """An event's personal-field declaration cannot be applied."""
