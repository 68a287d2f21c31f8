"""Auditing what survives gallring: the smallest crowd a culled person's records hide in, and
how long their records stay linkable (``remnants`` reads, ``audit`` measures)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification

from retention.anonymity.audit import AnonymityReport, Group, Trail, audit, culled_trails
from retention.anonymity.remnants import Remnant, from_events, from_key_rows
from retention.keys.store import KeyStore
from retention.log_scan import PAGE, notifications

__all__ = [
    "AnonymityReport",
    "Group",
    "Remnant",
    "Trail",
    "audit",
    "audit_store",
    "culled_trails",
    "remnants_of",
]

Progress = Callable[[int, int], None]  # (events read, events in the log)


def audit_store(
    recorder: ApplicationRecorder,
    keystore: KeyStore,
    decode: Callable[[bytes], dict[str, Any]],
    threshold: int = 5,
    progress: Progress | None = None,
) -> AnonymityReport:
    """Audit every stored event and key row as an intruder with the files but no key sees
    them; reads the whole log once."""
    return audit(remnants_of(recorder, keystore, decode, progress), threshold)


def remnants_of(
    recorder: ApplicationRecorder,
    keystore: KeyStore,
    decode: Callable[[bytes], dict[str, Any]],
    progress: Progress | None = None,
) -> Iterator[Remnant]:
    """Every stored event's and key row's remnant, the log read a page at a time."""
    rows = keystore.scopes(include_shredded=True)
    live = frozenset(r.key_id.bytes for r in rows if r.key_id is not None)
    total = recorder.max_notification_id() or 0
    events = _counted(notifications(recorder), total, progress)
    return chain(from_events(events, decode, live), from_key_rows(rows))


def _counted(
    found: Iterator[Notification], total: int, progress: Progress | None
) -> Iterator[Notification]:
    for n, notification in enumerate(found, 1):
        if progress is not None and (n % PAGE == 0 or n == total):
            progress(n, total)
        yield notification
