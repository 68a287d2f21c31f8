"""Collecting the access log of one request: who asked, and whose records the answer touched.

The HTTP middleware binds a fresh ``AccessCollector`` to a context variable before it calls the
endpoint; the application notes the data subjects of every aggregate it loads or saves on the
collector bound at the time, and the principal dependency notes who asked. Sync endpoints and
dependencies run in worker threads with a *copy* of the context: the copy holds the same
collector object, so they mutate it and never set the variable themselves (a set would be lost
with the copy). Code that runs without a bound collector (the CLI, tests, background runners)
notes nothing and logs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from domain.access_log import READ, WRITE, AccessRecord
from domain.personal import Category
from projections.access import ShreddedBy
from projections.access_log import AccessLogProjection, AccessLogQuery
from projections.runner import ProjectionRunner
from projections.views.access_log import PostgresAccessLogView, SQLiteAccessLogView
from retention.errors import ScopeShreddedError
from retention.sealing import actor

log = logging.getLogger(__name__)
ACCESS_LOG = str(Category.ACCESS_LOG)

_READS = frozenset({"GET", "HEAD"})


@dataclass
class AccessCollector:
    """What one request touched: its principal (role and person id) and the subjects."""

    role: str | None = None
    actor_id: UUID | None = None
    subjects: dict[UUID, None] = field(default_factory=dict)  # an ordered set
    closed: bool = False

    def note_principal(self, role: str, actor_id: UUID | None) -> None:
        self.role = role
        self.actor_id = actor_id

    def note(self, aggregate: Any) -> None:
        """Add the aggregate's data subjects; aggregates that declare none add nothing."""
        if self.closed:
            return
        subjects = getattr(aggregate, "data_subjects", None)
        if subjects is None:
            return
        for subject in subjects():
            if isinstance(subject, UUID):  # a culled id (Shredded) names no one
                self.subjects[subject] = None

    def records(
        self,
        *,
        method: str,
        resource: str,
        purpose: str,
        status: int,
        at: datetime,
        day: date,
        skip: frozenset[UUID] = frozenset(),
    ) -> list[AccessRecord]:
        """One record per distinct subject not in ``skip``; none without a principal."""
        self.closed = True
        if self.role is None or not self.subjects:
            return []
        action = READ if method.upper() in _READS else WRITE
        return [
            AccessRecord.record(
                subject_id=subject,
                actor_id=self.actor_id,
                actor_role=self.role,
                action=action,
                resource=resource,
                purpose=purpose,
                status=status,
                at=at,
                day=day,
            )
            for subject in self.subjects
            if subject not in skip
        ]


_current: ContextVar[AccessCollector | None] = ContextVar("gallra_access", default=None)


def current() -> AccessCollector | None:
    """The collector of the request being served, if any."""
    return _current.get()


@contextmanager
def collecting() -> Iterator[AccessCollector]:
    """Bind a fresh collector, and a fresh actor for the events the request writes, for the
    duration of one request."""
    collector = AccessCollector()
    token = _current.set(collector)
    try:
        with actor.acting():
            yield collector
    finally:
        _current.reset(token)


def note(*aggregates: Any) -> None:
    """Note the aggregates' subjects on the current collector, if a request is being served."""
    collector = _current.get()
    if collector is not None:
        for aggregate in aggregates:
            collector.note(aggregate)


def note_subjects(*subject_ids: UUID) -> None:
    """Note subjects a decision was about without loading them (a refusal made from the
    connections view, say): an attempt on someone's records is logged like a read."""
    collector = _current.get()
    if collector is not None and not collector.closed:
        for subject in subject_ids:
            collector.subjects[subject] = None


def write_log(
    app: Any, collector: AccessCollector, *, method: str, resource: str, purpose: str, status: int
) -> int:
    """Write the request's records in one save (one transaction); returns how many.

    Raises whatever the save raises (the caller must not answer as if the access was logged),
    with one exception by design: a subject whose access-log scope for this month is already
    culled (erased, or the period closed) cannot be logged again, as no culled scope is ever
    written again; those subjects are left out, with a warning, and the rest are written.
    """
    at = app.clock()
    day = app.local_day(at)

    def build(skip: frozenset[UUID]) -> list[AccessRecord]:
        return collector.records(
            method=method,
            resource=resource,
            purpose=purpose,
            status=status,
            at=at,
            day=day,
            skip=skip,
        )

    records = build(frozenset())
    if not records:
        return 0
    try:
        app.save(*records)
    except ScopeShreddedError:
        culled = _culled(app.keystore, list(collector.subjects), f"{day.year:04d}-{day.month:02d}")
        if not culled:
            raise
        log.warning("access to %d subjects not logged: their access log is culled", len(culled))
        records = build(culled)  # new aggregates: a failed save has taken the events
        if records:
            app.save(*records)
    return len(records)


def _culled(keystore: Any, subjects: list[UUID], month: str) -> frozenset[UUID]:
    """The subjects whose access-log scope for ``month`` is fenced."""
    if (ACCESS_LOG, month) in keystore.closed_periods():
        return frozenset(subjects)
    forgotten: frozenset[UUID] = keystore.forgotten_among(subjects)
    return forgotten | frozenset(
        s
        for s in subjects
        if s not in forgotten
        if any(
            r.scope.category == ACCESS_LOG and r.scope.epoch == month and r.key_id is None
            for r in keystore.scopes(subject=s, include_shredded=True)
        )
    )


def make_access_log(app: Any, shredded_by: ShreddedBy) -> AccessLogQuery:
    """The auditors' view on the application's backend, with its own projection runner."""
    view: SQLiteAccessLogView | PostgresAccessLogView
    if isinstance(app.factory, SQLiteFactory):
        view = SQLiteAccessLogView(app.factory.datastore)
    elif isinstance(app.factory, PostgresFactory):
        view = PostgresAccessLogView(app.factory.datastore)
    else:  # pragma: no cover - settings allow only the two
        raise TypeError(type(app.factory).__name__)
    view.create_table()
    return AccessLogQuery(view, ProjectionRunner(app, view, AccessLogProjection(shredded_by)))
