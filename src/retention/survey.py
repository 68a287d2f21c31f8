"""What a gallring run would do: which scopes each rule makes due, and what holds some back.

Kept apart from the run itself (``retention.gallring``) so the dry run's vocabulary (a planned
cull, a held-back group, the reasons) and the triggers' arithmetic read on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from retention.keys.culling import ScopeRecord
from retention.keys.store import KeyStore
from retention.plan import (
    CHILDREN,
    GUARDIANS,
    LAST_OF_SUBJECT,
    NO_LONGER_CURRENT,
    RECORD_MONTH,
    STAFF,
    Rule,
)


class CurrencyIndex(Protocol):
    """Whose data is no longer current (the plan's ``no-longer-current`` trigger)."""

    def lapsed_children(self, school_forms: Sequence[str], before: date) -> set[UUID]: ...

    def lapsed_pickups(self, children: set[UUID], before: date) -> set[UUID]: ...

    def lapsed_guardians(self, school_forms: Sequence[str], before: date) -> set[UUID]: ...

    def lapsed_staff(self, before: date) -> set[UUID]: ...


@dataclass(frozen=True)
class PlannedCull:
    rule_id: str
    category: str
    months: tuple[str, ...]
    key_ids: tuple[UUID, ...]
    subjects: int
    events: int | None
    resumes: UUID | None = None  # a decided run that a crash left unexecuted


LEGAL_HOLD = "legal hold"
AWAITING_ARCHIVE = "preserved: to be delivered to the city archive before it is shredded"
AWAITING_RECEIPT = "delivered to the city archive: shredded once its receipt is recorded"
HIDES_KEPT = "a day sheet hides whose records these are: it goes with the month's last of them"


@dataclass(frozen=True)
class ArchiveState:
    """Which preserved scopes the city archive holds: by the key ids a delivery named."""

    received: frozenset[UUID] = frozenset()  # in a package whose receipt is recorded
    pending: frozenset[UUID] = frozenset()  # in a package built, offered, not yet received

    def undelivered(self, record: ScopeRecord) -> bool:
        return record.key_id not in self.received and record.key_id not in self.pending


ArchiveIndex = Callable[[], ArchiveState]


@dataclass(frozen=True)
class HeldBack:
    """Scopes that are due but may not be culled yet, and why."""

    rule_id: str
    category: str
    reason: str
    months: tuple[str, ...]
    scopes: int
    subjects: int
    key_ids: tuple[UUID, ...] = ()  # what an archive delivery would hold; never shown

    @classmethod
    def of(cls, rule: Rule, category: str, reason: str, scopes: list[ScopeRecord]) -> HeldBack:
        months = {r.scope.epoch for r in scopes} if rule.trigger == RECORD_MONTH else ()
        return cls(
            rule.id,
            category,
            reason,
            tuple(sorted(months)),
            len(scopes),
            len({r.scope.subject for r in scopes}),
            tuple(r.key_id for r in scopes if r.key_id is not None),
        )


@dataclass(frozen=True)
class Survey:
    culls: list[PlannedCull]
    held_back: list[HeldBack]


class DueScopes:
    """The live scopes a rule makes due on a day, per trigger."""

    def __init__(
        self,
        keystore: KeyStore,
        currency: CurrencyIndex | None,
        run_dates: Callable[[set[UUID]], dict[UUID, date | None]],
        lapse_rule: Rule | None = None,
    ) -> None:
        self.keystore = keystore
        self.currency = currency
        # The rule that says when a person's account stops being current (accounts): one who
        # had nothing but an identity is dated by it instead of by a culling run.
        self.lapse_rule = lapse_rule
        self.run_dates = run_dates  # gallring run ids -> the dates they were for

    def of(self, rule: Rule, category: str, as_of: date) -> list[ScopeRecord]:
        """Live scopes of ``category`` that the rule makes due on ``as_of``."""
        if rule.trigger == LAST_OF_SUBJECT:
            return self._last_of_subject(rule, category, as_of)
        if rule.trigger == NO_LONGER_CURRENT:
            subjects = self._lapsed_subjects(rule, as_of)
            if not subjects:
                return []
            return [
                r
                for r in self.keystore.scopes(category=category)
                if r.key_id is not None and r.scope.subject in subjects
            ]
        return [
            r
            for r in self.keystore.scopes(category=category)
            if r.key_id is not None and rule.is_due(r.scope.epoch, as_of)
        ]

    def _last_of_subject(self, rule: Rule, category: str, as_of: date) -> list[ScopeRecord]:
        """The category's live scopes of subjects who have nothing else left, the last of it
        culled (by the date its run was for) before the rule's period. A subject who never had
        anything else is due the period after the lapse rule would have culled their account;
        one never culled and never lapsed is not due."""
        records = self.keystore.scopes(include_shredded=True)
        holding = {
            r.scope for r in records if r.scope.category == category and r.key_id is not None
        }
        others = [r for r in records if r.scope.category not in rule.categories]
        alive = {r.scope.subject for r in others if r.key_id is not None}
        candidates = {s.subject for s in holding} - alive  # only their runs are read
        culled = [
            r
            for r in others
            if r.key_id is None and r.shredded_at is not None and r.scope.subject in candidates
        ]
        run_dates = self.run_dates({r.decision_id for r in culled if r.decision_id is not None})
        # What its subject had erased on request says nothing of when they lapsed: as if it
        # had never been (their identity waits for their account's lapse instead).
        erased = {run for run, day in run_dates.items() if day is None}
        culled = [r for r in culled if r.decision_id not in erased]
        last: dict[UUID, date] = {}
        for r in culled:
            if r.shredded_at is not None:
                run_day = run_dates.get(r.decision_id) if r.decision_id is not None else None
                day = run_day or r.shredded_at.date()  # shredded outside a run: when it was
                last[r.scope.subject] = max(day, last.get(r.scope.subject, day))
        before = rule.current_until(as_of)
        gone = {s for s, day in last.items() if day < before}
        never_culled = candidates - last.keys()
        lapse = self.lapse_rule
        if never_culled and lapse is not None and lapse.trigger == NO_LONGER_CURRENT:
            # Nothing else of theirs ever existed: their identity goes the rule's period after
            # their account would have (a guardian who never gave a phone number).
            gone |= never_culled & self._lapsed_subjects(lapse, before)
        return [r for r in records if r.scope in holding and r.scope.subject in gone]

    def _lapsed_subjects(self, rule: Rule, as_of: date) -> set[UUID]:
        """Subjects whose data stopped being current before the rule's period: every scope of
        theirs in the rule's categories is due, whatever its epoch."""
        if self.currency is None:
            return set()
        before = rule.current_until(as_of)
        lapsed: set[UUID] = set()
        if CHILDREN in rule.people:
            children = self.currency.lapsed_children(rule.school_forms, before)
            lapsed |= children | self.currency.lapsed_pickups(children, before)
        if GUARDIANS in rule.people:
            lapsed |= self.currency.lapsed_guardians(rule.school_forms, before)
        if STAFF in rule.people:
            lapsed |= self.currency.lapsed_staff(before)
        return lapsed
