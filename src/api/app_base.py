"""The application's foundation: wiring to the sealed event store, and shared helpers.

Commands live in mixins by concern (``people_commands``, ``attendance_commands``); the one
class they make up, ``GallraApplication``, is the command and query surface.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    InfrastructureFactory,
    IntegrityError,
    Mapper,
    Recording,
    Transcoder,
)
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import get_topic

from api import access_log
from domain.errors import NotFoundError
from domain.personal import Category
from retention.errors import ScopeShreddedError
from retention.keys.kek import Secrets
from retention.keys.postgres import PostgresKeyStore
from retention.keys.sqlite import SQLiteKeyStore
from retention.keys.store import KeyStore
from retention.plan import RetentionPlan
from retention.sealing.event_store import SealedEventStore
from retention.sealing.mapper import SealingMapper
from retention.sealing.recorders import SealingPostgresRecorder, SealingSQLiteRecorder
from retention.sealing.transcodings import make_transcoder

A = TypeVar("A", bound=Aggregate)
Clock = Callable[[], datetime]
_RETRIES = 20


def utc_now() -> datetime:
    return datetime.now(UTC)


class GallraBase(Application[UUID]):
    """Wiring and helpers shared by every command of Gallra."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        secrets: Secrets,
        clock: Clock = utc_now,
        timezone: str = "Europe/Stockholm",
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        self.keystore: KeyStore
        self.plan: RetentionPlan | None = None
        super().__init__(env)

    # -- wiring (called by Application.__init__) -------------------------------------------

    def construct_mapper(self) -> Mapper[UUID]:
        self.keystore = self._construct_keystore(self.factory)
        self.keystore.create_tables()
        self.keystore.verify_kek()
        return SealingMapper(transcoder=self.construct_transcoder(), keystore=self.keystore)

    def _construct_keystore(self, factory: InfrastructureFactory[Any]) -> KeyStore:
        if isinstance(factory, SQLiteFactory):
            return SQLiteKeyStore(factory.datastore, self.secrets)
        if isinstance(factory, PostgresFactory):
            return PostgresKeyStore(factory.datastore, self.secrets)
        raise TypeError(f"no key store for persistence factory {type(factory).__name__}")

    def construct_recorder(self) -> ApplicationRecorder:
        """Our recorders record new data keys in the transaction that inserts the events."""
        recorder_class = (
            SealingSQLiteRecorder
            if isinstance(self.factory, SQLiteFactory)
            else SealingPostgresRecorder
        )
        self.factory.env[self.factory.APPLICATION_RECORDER_TOPIC] = get_topic(recorder_class)
        recorder = self.factory.application_recorder()
        assert isinstance(recorder, SealingSQLiteRecorder | SealingPostgresRecorder)
        recorder.keystore = self.keystore
        return recorder

    def construct_transcoder(self) -> Transcoder:
        return make_transcoder()

    def construct_event_store(self) -> EventStore[UUID]:
        return SealedEventStore(mapper=self.sealing_mapper, recorder=self.recorder)

    @property
    def sealing_mapper(self) -> SealingMapper:
        assert isinstance(self.mapper, SealingMapper)
        return self.mapper

    def evict_caches(self) -> None:
        """Drop every decoded value held in memory; called after keys are destroyed."""
        self.keystore.evict()
        if self.repository.cache is not None:
            self.repository.cache.clear()  # type: ignore[attr-defined]

    # -- helpers ---------------------------------------------------------------------------

    def _get(self, cls: type[A], aggregate_id: UUID, what: str) -> A:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {what} with id {aggregate_id}") from None
        access_log.note(aggregate)  # a refused read after this load is logged as well
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {what} with id {aggregate_id}")
        return aggregate

    def _find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate of a stream whose id is derived for its class (a department-day, a
        registry), or None before its first event. Not noted on the access log: callers note
        what they go on to show."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(aggregate, cls)
        return aggregate

    def _get_many(self, cls: type[A], aggregate_ids: Sequence[UUID]) -> dict[UUID, A]:
        """Many aggregates of one class in one query (absent ones are left out), noted on
        the access log as ``_get`` notes one."""
        store = self.events
        assert isinstance(store, SealedEventStore)
        found: dict[UUID, A] = {}
        for aggregate_id, events in store.get_streams(aggregate_ids).items():
            aggregate: Any = None
            for domain_event in events:  # as the repository does, less its per-event check
                aggregate = domain_event.mutate(aggregate)  # type: ignore[attr-defined]
            if isinstance(aggregate, cls):
                access_log.note(aggregate)
                found[aggregate_id] = aggregate
        return found

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """Save, noting first on the request's access log whose records it writes (a write
        that fails is an attempt, and is logged as one)."""
        access_log.note(*objs)
        return super().save(*objs, **kwargs)

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.recorder.select_events(aggregate_id, limit=1)))

    def _retrying(self, command: Callable[[], Any]) -> Any:
        """Re-run a command whose save lost a race for a stream version."""
        for attempt in range(_RETRIES):
            try:
                return command()
            except IntegrityError:
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # noqa: S311 - jitter
        raise AssertionError("unreachable")

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def _refuse_culled(self, day: date) -> None:
        """Refuse facts for a month the plan has already culled (a late kiosk sync, a late
        lesson report), and compiling from one: its attendance is gone."""
        if self.plan is None:
            return
        month = f"{day.year:04d}-{day.month:02d}"
        today = self.local_day(self.clock())
        for category in (Category.ATTENDANCE, Category.HEALTH):
            rule = self.plan.rule_for(category)
            if rule is not None and rule.is_due(month, today):
                raise ScopeShreddedError(str(category), month)
