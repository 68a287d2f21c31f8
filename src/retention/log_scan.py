"""Reading the notification log a page at a time: for the few kinds of record found by their
topic (gallring runs, archive deliveries) rather than kept in an index."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from eventsourcing.persistence import ApplicationRecorder, Notification

PAGE = 1000


def notifications(
    recorder: ApplicationRecorder, topics: Sequence[str] = (), page: int = PAGE
) -> Iterator[Notification]:
    """Every notification of ``topics`` (or of any topic), oldest first."""
    start = 0
    while batch := recorder.select_notifications(
        start=start, limit=page, topics=topics, inclusive_of_start=False
    ):
        yield from batch
        start = batch[-1].id
