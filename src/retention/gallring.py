"""Gallring runs: plan which scopes are due under the retention plan, then destroy their keys.

A run is crash-safe and idempotent. The decision (a GallringRun event naming rule, plan
version, category, months and key ids) is recorded first; then keys are destroyed and their
periods fenced in one transaction; then the deletion is made durable on disk; then the run is
marked executed. A run killed anywhere is finished by the next one: a decided-but-unexecuted
run is completed before anything new is planned, and destroying a key twice does nothing.
Which scopes each rule makes due, and the vocabulary of the dry run, live in ``survey``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import get_topic

from domain.gallring import GallringRun
from domain.personal import VEILED, Category
from retention.keys.culling import ScopeRecord
from retention.keys.store import KeyStore
from retention.log_scan import notifications
from retention.plan import ARCHIVE_THEN_SHRED, RECORD_MONTH, RetentionPlan, Rule
from retention.survey import (
    AWAITING_ARCHIVE,
    AWAITING_RECEIPT,
    HIDES_KEPT,
    LEGAL_HOLD,
    ArchiveIndex,
    ArchiveState,
    CurrencyIndex,
    DueScopes,
    HeldBack,
    PlannedCull,
    Survey,
)

Progress = Callable[[int, int], None]
EventCounter = Callable[[str, Sequence[str]], int]
HeldSubjects = Callable[[date], Mapping[UUID, object]]
"""Subjects whose culling a legal hold pauses on a day (``standing_holds``)."""
ON_REQUEST = "/on-request"  # a run's rule id, when it carried out an erasure request
SheetCompiler = Callable[[str, Sequence[str]], None]
"""Records the figures of a sheet's months (category, months) before they go (ADR 0022)."""


class RecordKeeper(Protocol):
    """What gallring needs of the application: save, load, and forget decoded values."""

    recorder: ApplicationRecorder

    def save(self, *objs: Any, **kwargs: Any) -> Any: ...

    @property
    def repository(self) -> Any: ...

    def evict_caches(self) -> None: ...


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
        holds: HeldSubjects | None = None,
        archive: ArchiveIndex | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        settle: Callable[[], None] | None = None,
        compile_sheets: SheetCompiler | None = None,
    ) -> None:
        self.app = app
        # Records a month's statistics before its sheet goes, for the counters the sheet
        # seals (ADR 0022); idempotent, so a run resumed after a crash may call it again.
        self.compile_sheets = compile_sheets
        # Brings every read model up to date; forgetting waits for their purges (ADR 0020).
        self.settle = settle
        self.keystore = keystore
        self.plan = plan
        self.count_events = count_events
        self.currency = currency
        self.holds = holds
        self.archive = archive
        self.clock = clock
        self.due = DueScopes(
            keystore, currency, self._run_dates, plan.rule_for(str(Category.CONTACT))
        )

    # -- planning --------------------------------------------------------------------------

    def records(self) -> list[GallringRun]:
        """Every gallring run on record, oldest first."""
        return [self._load(run_id) for run_id in self._scan()[0]]

    def pending_runs(self) -> list[GallringRun]:
        """Runs decided but never marked executed (a crash came between)."""
        return [self._load(run_id) for run_id in self._scan()[1]]

    def record(self, run_id: UUID) -> GallringRun | None:
        """One run by its id; None when the id is no gallring run's."""
        try:
            found = self.app.repository.get(run_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, GallringRun) else None

    def _load(self, run_id: UUID) -> GallringRun:
        run = self.app.repository.get(run_id)
        assert isinstance(run, GallringRun)
        return run

    def _scan(self) -> tuple[list[UUID], list[UUID]]:
        """All run ids, and those not yet executed, from the notification log by topic."""
        topics = [get_topic(GallringRun.Decided), get_topic(GallringRun.Executed)]
        every: list[UUID] = []
        decided: dict[UUID, None] = {}
        for n in notifications(self.app.recorder, topics):
            run_id = UUID(str(n.originator_id))
            if n.topic == topics[0]:
                every.append(run_id)
                decided[run_id] = None
            else:
                decided.pop(run_id, None)
        return every, list(decided)

    def _run_dates(self, run_ids: set[UUID]) -> dict[UUID, date | None]:
        """The date each of these runs was for (None for an erasure on request); ids that
        are no run (a key shredded by another decision) are left out."""
        dates = {}
        for run_id in run_ids:
            try:
                run = self.app.repository.get(run_id)
            except AggregateNotFoundError:
                continue
            if isinstance(run, GallringRun):
                # culled on its subject's request: not a sign that anything lapsed
                dates[run_id] = None if run.rule_id.endswith(ON_REQUEST) else run.as_of
        return dates

    def planned(self, as_of: date) -> list[PlannedCull]:
        """The dry run: what would be culled on ``as_of``, by rule and category."""
        return self.survey(as_of).culls

    def survey(self, as_of: date) -> Survey:
        """What is due on ``as_of``: what would be culled, and what is held back and why."""
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
        # A resumed run destroys its keys: they are not decided a second time.
        resumed = {key for cull in culls for key in cull.key_ids}
        held_back: list[HeldBack] = []
        held = set(self.holds(as_of)) if self.holds is not None else set()
        archived: ArchiveState | None = None
        # Veils last: each goes only once nothing it may hide in its month is left.
        order = sorted(
            ((rule, category) for rule in self.plan.rules for category in rule.categories),
            key=lambda pair: pair[1] in VEILED,
        )
        for rule, category in order:
            due = [r for r in self.due.of(rule, category, as_of) if r.key_id not in resumed]
            if due and category in VEILED:
                due = self._veils_free(rule, category, due, culls, held_back)
            if not due:
                continue
            kept = [r for r in due if r.scope.subject in held]
            if kept:
                held_back.append(HeldBack.of(rule, category, LEGAL_HOLD, kept))
            free = [r for r in due if r.scope.subject not in held]
            if free and rule.action == ARCHIVE_THEN_SHRED:
                if archived is None:
                    archived = self.archive() if self.archive is not None else ArchiveState()
                for reason, waiting in (
                    (AWAITING_RECEIPT, [r for r in free if r.key_id in archived.pending]),
                    (AWAITING_ARCHIVE, [r for r in free if archived.undelivered(r)]),
                ):
                    if waiting:
                        held_back.append(HeldBack.of(rule, category, reason, waiting))
                        kept += waiting
                free = [r for r in free if r.key_id in archived.received]
            if free:
                culls.append(self._cull(rule, category, free, kept))
        return Survey(culls, held_back)

    def _veils_free(
        self,
        rule: Rule,
        category: str,
        due: list[ScopeRecord],
        culls: list[PlannedCull],
        held_back: list[HeldBack],
    ) -> list[ScopeRecord]:
        """The due veils of months where nothing they may hide lives on after this run (a
        legal hold, a longer rule); the others are listed as held back."""
        going = {key for cull in culls for key in cull.key_ids}
        live = {
            r.scope.epoch
            for hidden in VEILED[Category(category)]
            for r in self.keystore.scopes(category=str(hidden))
            if r.key_id is not None and r.key_id not in going
        }
        waiting = [r for r in due if r.scope.epoch in live]
        if waiting:
            held_back.append(HeldBack.of(rule, category, HIDES_KEPT, waiting))
        return [r for r in due if r.scope.epoch not in live]

    def _cull(
        self, rule: Rule, category: str, due: list[ScopeRecord], on_hold: list[ScopeRecord]
    ) -> PlannedCull:
        """A record-month rule closes each due month as a period (fencing late writes), but
        not a month where a held scope must live on: there only the free keys go."""
        months: tuple[str, ...] = ()
        events = None
        if rule.trigger == RECORD_MONTH:  # subject-triggered runs close no period
            kept = {r.scope.epoch for r in on_hold}
            months = tuple(sorted({r.scope.epoch for r in due} - kept))
            whole = not kept & {r.scope.epoch for r in due}
            if whole and self.count_events is not None:
                events = self.count_events(category, months)
        return PlannedCull(
            rule_id=rule.id,
            category=category,
            months=months,
            key_ids=tuple(r.key_id for r in due if r.key_id is not None),
            subjects=len({r.scope.subject for r in due}),
            events=events,
        )

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
        self.forget()
        return results

    def erase(self, subject: UUID, as_of: date, *, by: str) -> list[GallringResult]:
        """Carry out an erasure request (GDPR art. 17) where the plan allows it: the
        subject's live scopes under every ``on_request`` rule are culled now, one run per
        category, each on record like any run, and no period is closed for anyone else. A
        legal hold on the subject keeps everything (ADR 0016). Run again, it culls nothing."""
        held = set(self.holds(as_of)) if self.holds is not None else set()
        if subject in held:
            return []
        live = [r for r in self.keystore.scopes(subject=subject) if r.key_id is not None]
        results: list[GallringResult] = []
        for rule in self.plan.rules:
            if not rule.on_request:
                continue
            for category in rule.categories:
                due = [r for r in live if r.scope.category == category]
                if not due:
                    continue
                key_ids = tuple(r.key_id for r in due if r.key_id is not None)
                run = GallringRun(
                    rule_id=rule.id + ON_REQUEST,
                    plan_version=self.plan.version,
                    category=category,
                    as_of=as_of,
                    epochs=sorted({r.scope.epoch for r in due}),
                    key_ids=list(key_ids),
                    subjects=1,
                    decided_by=by,
                )
                self.app.save(run)  # the decision is on record before any key is touched
                destroyed = self.keystore.shred(run.id, key_ids=key_ids)
                self.keystore.make_deletion_durable()
                self.app.evict_caches()
                run.record_execution(keys_destroyed=destroyed, finished_at=self.clock())
                self.app.save(run)
                results.append(
                    GallringResult(
                        run_id=run.id,
                        rule_id=run.rule_id,
                        category=category,
                        months=tuple(run.epochs),
                        keys_destroyed=destroyed,
                        subjects=1,
                        events=None,
                    )
                )
        return results

    def forget(self) -> int:
        """Replace the key rows of everyone culled to the last scope by tombstones, once the
        read models have purged what those rows named; how many were forgotten now."""
        subjects = self.keystore.forgettable()
        if not subjects:
            return 0
        if self.settle is not None:
            self.settle()
        forgotten = self.keystore.forget_subjects(subjects)
        self.keystore.make_deletion_durable()
        return forgotten

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
        if self.compile_sheets is not None and run.category in VEILED:
            self.compile_sheets(run.category, list(run.epochs))  # a sheet goes by whole months
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
