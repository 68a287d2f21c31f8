"""Gallring runs: plan which scopes are due under the retention plan, then destroy their keys.

A run is crash-safe and idempotent. The decision (a GallringRun event naming rule, plan
version, category, months and key ids) is recorded first; then keys are destroyed and their
periods fenced in one transaction; then the deletion is made durable on disk; then the run is
marked executed. A run killed anywhere is finished by the next one: a decided-but-unexecuted
run is completed before anything new is planned, and destroying a key twice does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import get_topic

from domain.gallring import GallringRun
from retention.keys.store import KeyStore
from retention.plan import NO_LONGER_CURRENT, RetentionPlan, Rule

Progress = Callable[[int, int], None]
EventCounter = Callable[[str, Sequence[str]], int]


class CurrencyIndex(Protocol):
    """Whose data is no longer current (the plan's ``no-longer-current`` trigger)."""

    def lapsed_children(self, school_forms: Sequence[str], before: date) -> set[UUID]: ...

    def lapsed_pickups(self, children: set[UUID], before: date) -> set[UUID]: ...


class RecordKeeper(Protocol):
    """What gallring needs of the application: save, load, and forget decoded values."""

    recorder: ApplicationRecorder

    def save(self, *objs: Any, **kwargs: Any) -> Any: ...

    @property
    def repository(self) -> Any: ...

    def evict_caches(self) -> None: ...


@dataclass(frozen=True)
class PlannedCull:
    rule_id: str
    category: str
    months: tuple[str, ...]
    key_ids: tuple[UUID, ...]
    subjects: int
    events: int | None
    resumes: UUID | None = None  # a decided run that a crash left unexecuted


@dataclass(frozen=True)
class GallringResult:
    run_id: UUID
    rule_id: str
    category: str
    months: tuple[str, ...]
    keys_destroyed: int
    subjects: int
    events: int | None
    resumed: bool = False
    messages: list[str] = field(default_factory=list)


class Gallring:
    def __init__(
        self,
        app: RecordKeeper,
        keystore: KeyStore,
        plan: RetentionPlan,
        *,
        count_events: EventCounter | None = None,
        currency: CurrencyIndex | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.keystore = keystore
        self.plan = plan
        self.count_events = count_events
        self.currency = currency
        self.clock = clock

    # -- planning --------------------------------------------------------------------------

    def records(self) -> list[GallringRun]:
        """Every gallring run on record, oldest first."""
        return [self._load(run_id) for run_id in self._scan()[0]]

    def pending_runs(self) -> list[GallringRun]:
        """Runs decided but never marked executed (a crash came between)."""
        return [self._load(run_id) for run_id in self._scan()[1]]

    def _load(self, run_id: UUID) -> GallringRun:
        run = self.app.repository.get(run_id)
        assert isinstance(run, GallringRun)
        return run

    def _scan(self) -> tuple[list[UUID], list[UUID]]:
        """All run ids, and those not yet executed, from the notification log by topic."""
        topics = [get_topic(GallringRun.Decided), get_topic(GallringRun.Executed)]
        every: list[UUID] = []
        decided: dict[UUID, None] = {}
        start = 0
        while True:
            page = self.app.recorder.select_notifications(
                start=start, limit=1000, topics=topics, inclusive_of_start=False
            )
            if not page:
                break
            for n in page:
                run_id = UUID(str(n.originator_id))
                if n.topic == topics[0]:
                    every.append(run_id)
                    decided[run_id] = None
                else:
                    decided.pop(run_id, None)
            start = page[-1].id
        return every, list(decided)

    def planned(self, as_of: date) -> list[PlannedCull]:
        """The dry run: what would be culled on ``as_of``, by rule and category."""
        culls = [
            PlannedCull(
                rule_id=run.rule_id,
                category=run.category,
                months=tuple(run.epochs),
                key_ids=tuple(run.key_ids),
                subjects=run.subjects,
                events=None,
                resumes=run.id,
            )
            for run in self.pending_runs()
        ]
        for rule in self.plan.rules:
            if rule.trigger == NO_LONGER_CURRENT:
                culls.extend(self._lapsed(rule, as_of))
                continue
            for category in rule.categories:
                due = [
                    r
                    for r in self.keystore.scopes(category=category)
                    if r.key_id is not None and rule.is_due(r.scope.epoch, as_of)
                ]
                if not due:
                    continue
                months = tuple(sorted({r.scope.epoch for r in due}))
                events = self.count_events(category, months) if self.count_events else None
                culls.append(
                    PlannedCull(
                        rule_id=rule.id,
                        category=category,
                        months=months,
                        key_ids=tuple(r.key_id for r in due if r.key_id is not None),
                        subjects=len({r.scope.subject for r in due}),
                        events=events,
                    )
                )
        return culls

    def _lapsed(self, rule: Rule, as_of: date) -> list[PlannedCull]:
        """Subjects whose data stopped being current before the rule's period: every scope of
        theirs in the rule's categories, whatever its epoch. No period is closed for anyone
        else, so the run names no months."""
        if self.currency is None:
            return []
        before = rule.current_until(as_of)
        children = self.currency.lapsed_children(rule.school_forms, before)
        subjects = children | self.currency.lapsed_pickups(children, before)
        culls: list[PlannedCull] = []
        for category in rule.categories:
            due = [
                r
                for r in self.keystore.scopes(category=category)
                if r.key_id is not None and r.scope.subject in subjects
            ]
            if due:
                culls.append(
                    PlannedCull(
                        rule_id=rule.id,
                        category=category,
                        months=(),
                        key_ids=tuple(r.key_id for r in due if r.key_id is not None),
                        subjects=len({r.scope.subject for r in due}),
                        events=None,
                    )
                )
        return culls

    # -- execution -------------------------------------------------------------------------

    def run(
        self, as_of: date, *, by: str, progress: Progress | None = None
    ) -> list[GallringResult]:
        culls = self.planned(as_of)
        results: list[GallringResult] = []
        for index, cull in enumerate(culls):
            results.append(self._execute(cull, as_of, by))
            if progress is not None:
                progress(index + 1, len(culls))
        return results

    def _execute(self, cull: PlannedCull, as_of: date, by: str) -> GallringResult:
        if cull.resumes is not None:
            run = self.app.repository.get(cull.resumes)
            assert isinstance(run, GallringRun)
        else:
            run = GallringRun(
                rule_id=cull.rule_id,
                plan_version=self.plan.version,
                category=cull.category,
                as_of=as_of,
                epochs=list(cull.months),
                key_ids=list(cull.key_ids),
                subjects=cull.subjects,
                decided_by=by,
            )
            self.app.save(run)  # the decision is on record before any key is touched
        destroyed = self.keystore.shred(
            run.id,
            key_ids=cull.key_ids,
            periods=[(cull.category, month) for month in cull.months],
        )
        self.keystore.make_deletion_durable()
        self.app.evict_caches()
        run.record_execution(keys_destroyed=destroyed, finished_at=self.clock())
        self.app.save(run)
        return GallringResult(
            run_id=run.id,
            rule_id=cull.rule_id,
            category=cull.category,
            months=cull.months,
            keys_destroyed=destroyed,
            subjects=cull.subjects,
            events=cull.events,
            resumed=cull.resumes is not None,
        )
