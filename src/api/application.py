"""The Gallra application: the one command and query surface over the event store.

It returns ids and plain data, never aggregates. Every command either records all its events
in one transaction or none (several aggregates are saved together), and commands a client may
retry are idempotent. Concurrent writers to one stream are retried on version conflicts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    InfrastructureFactory,
    IntegrityError,
    Mapper,
    Transcoder,
)
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import get_topic

from domain.attendance import AbsenceKind, DepartmentDay, Outcome, department_day_id
from domain.civic_number import CivicNumber
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import Unit
from domain.people import Child, Guardian, RelationType
from domain.personal import Category, Shredded
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
MAX_CLOCK_SKEW = timedelta(minutes=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PersonView:
    id: UUID
    given_name: str | Shredded
    family_name: str | Shredded
    civic_kind: str | Shredded


@dataclass(frozen=True)
class PlacementView:
    placement_id: UUID
    unit_id: UUID | Shredded
    department_id: UUID | Shredded
    start: date | Shredded
    end: date | Shredded | None


@dataclass(frozen=True)
class ChildView(PersonView):
    guardians: dict[UUID, str | Shredded]
    placements: list[PlacementView]


@dataclass(frozen=True)
class UnitView:
    id: UUID
    name: str
    school_form: str
    departments: dict[UUID, str]


class GallraApplication(Application[UUID]):
    """Commands and queries of the first slice: units, people, placements, attendance."""

    name = "gallra"

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
        return SealedEventStore(mapper=self.mapper, recorder=self.recorder)

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
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {what} with id {aggregate_id}")
        return aggregate

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

    # -- organisation ----------------------------------------------------------------------

    def create_unit(self, name: str, school_form: str) -> UUID:
        unit = Unit(name=name, school_form=school_form)
        self.save(unit)
        return unit.id

    def add_department(self, unit_id: UUID, name: str) -> UUID:
        def command() -> UUID:
            unit = self._get(Unit, unit_id, "unit")
            department_id = unit.add_department(name)
            self.save(unit)
            return department_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def get_unit(self, unit_id: UUID) -> UnitView:
        unit = self._get(Unit, unit_id, "unit")
        return UnitView(unit.id, unit.name, str(unit.school_form), dict(unit.departments))

    # -- people ----------------------------------------------------------------------------

    def _claim_identity(self, civic: CivicNumber, new_id: UUID, what: str) -> None:
        owner = self.keystore.index_claim(civic.value, new_id)
        if owner != new_id and not self._exists(owner):
            # A registration that crashed between claim and save left this row; reclaim it.
            self.keystore.index_release(civic.value, owner)
            owner = self.keystore.index_claim(civic.value, new_id)
        if owner != new_id:
            raise ConflictError(
                f"that civic number is already registered, as {what} {owner}",
                field="civic_number",
            )

    def register_guardian(self, given_name: str, family_name: str, civic_number: str) -> UUID:
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        guardian = Guardian(
            given_name=given_name,
            family_name=family_name,
            civic_number=civic.value,
            civic_kind=str(civic.kind),
        )
        self._claim_identity(civic, guardian.id, "person")
        try:
            self.save(guardian)
        except BaseException:
            self.keystore.index_release(civic.value, guardian.id)
            raise
        return guardian.id

    def register_child(
        self,
        given_name: str,
        family_name: str,
        civic_number: str,
        guardians: list[tuple[UUID, str]] | None = None,
    ) -> UUID:
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        linked = guardians or []
        for guardian_id, _relation in linked:
            self._get(Guardian, guardian_id, "guardian")
        child = Child(
            given_name=given_name,
            family_name=family_name,
            civic_number=civic.value,
            civic_kind=str(civic.kind),
        )
        for guardian_id, relation in linked:
            child.link_guardian(guardian_id, relation)
        self._claim_identity(civic, child.id, "person")
        try:
            self.save(child)
        except BaseException:
            self.keystore.index_release(civic.value, child.id)
            raise
        return child.id

    def link_guardian(
        self, child_id: UUID, guardian_id: UUID, relation: str = RelationType.GUARDIAN
    ) -> None:
        self._get(Guardian, guardian_id, "guardian")

        def command() -> None:
            child = self._get(Child, child_id, "child")
            child.link_guardian(guardian_id, relation)
            self.save(child)

        self._retrying(command)

    def find_person(self, civic_number: str) -> UUID | None:
        """Look a person up by civic number through the blind index (never a scan)."""
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        return self.keystore.index_find(civic.value)

    def get_child(self, child_id: UUID) -> ChildView:
        child = self._get(Child, child_id, "child")
        return ChildView(
            id=child.id,
            given_name=child.given_name,
            family_name=child.family_name,
            civic_kind=child.civic_kind,
            guardians=dict(child.guardians),
            placements=[
                PlacementView(p.placement_id, p.unit_id, p.department_id, p.start, p.end)
                for p in child.placements.values()
            ],
        )

    def get_guardian(self, guardian_id: UUID) -> PersonView:
        guardian = self._get(Guardian, guardian_id, "guardian")
        return PersonView(
            guardian.id, guardian.given_name, guardian.family_name, guardian.civic_kind
        )

    def place_child(self, child_id: UUID, unit_id: UUID, department_id: UUID, start: date) -> UUID:
        unit = self._get(Unit, unit_id, "unit")
        if department_id not in unit.departments:
            raise NotFoundError(
                f"unit {unit_id} has no department {department_id}", field="department_id"
            )

        def command() -> UUID:
            child = self._get(Child, child_id, "child")
            placement_id = child.place(unit_id, department_id, start)
            self.save(child)
            return placement_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def end_placement(self, child_id: UUID, placement_id: UUID, end: date) -> None:
        def command() -> None:
            child = self._get(Child, child_id, "child")
            child.end_placement(placement_id, end)
            self.save(child)

        self._retrying(command)

    # -- attendance ------------------------------------------------------------------------

    def _placed_unit(self, child_id: UUID, department_id: UUID, day: date) -> UUID:
        child = self._get(Child, child_id, "child")
        placement = child.placement_at(department_id, day)
        if placement is None or not isinstance(placement.unit_id, UUID):
            raise RuleViolationError(
                f"child {child_id} has no placement at department {department_id} on {day}",
                field="child_id",
            )
        return placement.unit_id

    def _department_day(self, department_id: UUID, unit_id: UUID, day: date) -> DepartmentDay:
        try:
            aggregate: Aggregate = self.repository.get(department_day_id(department_id, day))
        except AggregateNotFoundError:
            return DepartmentDay.open(department_id, unit_id, day)
        assert isinstance(aggregate, DepartmentDay)
        return aggregate

    def _ensure_not_culled(self, day: date) -> None:
        """Refuse facts for a period the plan has already culled (a late kiosk sync, say)."""
        if self.plan is None:
            return
        month = f"{day.year:04d}-{day.month:02d}"
        today = self.local_day(self.clock())
        for category in (Category.ATTENDANCE, Category.HEALTH):
            rule = self.plan.rule_for(category)
            if rule is not None and rule.is_due(month, today):
                raise ScopeShreddedError(str(category), month)

    def _checked_time(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise RuleViolationError("time must include a UTC offset", field="at")
        if at - self.clock() > MAX_CLOCK_SKEW:
            raise RuleViolationError("time is in the future", field="at")
        return at.astimezone(UTC)

    def check_in(
        self,
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None = None,
    ) -> Outcome:
        """Check a child in at its department; a retried submission is a no-op."""
        return self._at_kiosk(
            DepartmentDay.check_in, submission_id, department_id, child_id, at, by
        )

    def check_out(
        self,
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None = None,
    ) -> Outcome:
        """Check a child out; the outcome carries the minutes present."""
        return self._at_kiosk(
            DepartmentDay.check_out, submission_id, department_id, child_id, at, by
        )

    def _at_kiosk(
        self,
        action: Callable[[DepartmentDay, UUID, UUID, datetime, UUID | None], Outcome],
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None,
    ) -> Outcome:
        at = self._checked_time(at)
        day = self.local_day(at)
        self._ensure_not_culled(day)
        unit_id = self._placed_unit(child_id, department_id, day)

        def command() -> Outcome:
            dd = self._department_day(department_id, unit_id, day)
            outcome = action(dd, submission_id, child_id, at, by)
            if not outcome.duplicate:
                self.save(dd)
            return outcome

        return self._retrying(command)  # type: ignore[no-any-return]

    def report_absence(
        self,
        submission_id: UUID,
        child_id: UUID,
        reported_by: UUID,
        first_day: date,
        last_day: date,
        kind: str,
        reason: str | None,
    ) -> list[Outcome]:
        """Report absence for each day of a range, all days in one transaction."""
        if last_day < first_day:
            raise RuleViolationError("the last day is before the first", field="last_day")
        if (last_day - first_day).days > 92:
            raise RuleViolationError("an absence report covers at most 93 days", field="last_day")
        try:
            absence_kind = AbsenceKind(kind)
        except ValueError:
            raise RuleViolationError(
                f"kind must be one of {', '.join(AbsenceKind)}", field="kind"
            ) from None
        child = self._get(Child, child_id, "child")
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        for day in days:
            self._ensure_not_culled(day)

        def command() -> list[Outcome]:
            outcomes: list[Outcome] = []
            changed: list[DepartmentDay] = []
            for n, day in enumerate(days):
                placement = next((p for p in child.placements.values() if p.active_on(day)), None)
                if placement is None or not isinstance(placement.department_id, UUID):
                    raise RuleViolationError(
                        f"child {child_id} has no placement on {day}", field="first_day"
                    )
                assert isinstance(placement.unit_id, UUID)
                dd = self._department_day(placement.department_id, placement.unit_id, day)
                day_submission = submission_id if n == 0 else _derived(submission_id, day)
                outcome = dd.report_absence(
                    day_submission, child_id, reported_by, absence_kind, reason
                )
                outcomes.append(outcome)
                if not outcome.duplicate:
                    changed.append(dd)
            if changed:
                self.save(*changed)
            return outcomes

        return self._retrying(command)  # type: ignore[no-any-return]

    def department_day_events(self, department_id: UUID, day: date) -> Iterator[Any]:
        return self.events.get(department_day_id(department_id, day))


def _derived(submission_id: UUID, day: date) -> UUID:
    """A per-day id derived from the client's id, so a retried range report is a no-op."""
    from uuid import uuid5

    return uuid5(submission_id, day.isoformat())
