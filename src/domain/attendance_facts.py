"""A child's presence on a department-day, derived from the set of its kiosk facts.

Why derive instead of refusing: a kiosk syncs late and in any order, so refusing a check-out
before its check-in has arrived would make the result depend on delivery order. A day keeps
every accepted fact and reads one child's facts in time order (ties: in < out < night-close,
then submission id): a check-in while in, or a check-out while not in, is a *conflict* (kept,
listed for staff, ignored by the derived state); an out after an in is a pair worth its whole
minutes; a night-close while in closes with zero minutes and flags the open check-in. The
derived state is a function of the set of facts only, so any order of delivery converges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class FactKind(StrEnum):
    CHECK_IN = "check-in"
    CHECK_OUT = "check-out"
    NIGHT_CLOSE = "night-close"


class Rule(StrEnum):
    """Why a fact is listed for staff."""

    ALREADY_IN = "check-in-while-checked-in"
    NOT_IN = "check-out-while-not-checked-in"
    CLOSED_BY_NIGHT = "check-in-closed-by-night"


_ORDER = {FactKind.CHECK_IN: 0, FactKind.CHECK_OUT: 1, FactKind.NIGHT_CLOSE: 2}


@dataclass(frozen=True, slots=True)
class Fact:
    """One accepted kiosk fact (or the night's close) about one child."""

    submission_id: UUID
    kind: FactKind
    child_id: UUID
    at: datetime
    by: UUID | None = None
    kiosk_id: UUID | None = None

    def sort_key(self) -> tuple[datetime, int, UUID]:
        return (self.at, _ORDER[self.kind], self.submission_id)


@dataclass(frozen=True, slots=True)
class Totals:
    """A day's anonymous totals, or one child's share of them."""

    present_children: int = 0
    presence_minutes: int = 0
    conflicts: int = 0
    flagged: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.present_children + other.present_children,
            self.presence_minutes + other.presence_minutes,
            self.conflicts + other.conflicts,
            self.flagged + other.flagged,
        )

    def __sub__(self, other: Totals) -> Totals:
        return Totals(
            self.present_children - other.present_children,
            self.presence_minutes - other.presence_minutes,
            self.conflicts - other.conflicts,
            self.flagged - other.flagged,
        )


@dataclass(frozen=True, slots=True)
class Derived:
    """One child's derived state: the ``present_since`` left open, totals and exceptions."""

    present_since: datetime | None = None
    totals: Totals = Totals()
    conflicts: dict[UUID, Rule] = field(default_factory=dict)  # fact id -> rule broken
    flagged: tuple[UUID, ...] = ()  # check-ins the night closed
    minutes: dict[UUID, int] = field(default_factory=dict)  # check-out id -> pair minutes


NOTHING = Derived()


def derive(facts: Iterable[Fact]) -> Derived:
    """Walk one child's facts in time order; the result depends on the set only."""
    since: datetime | None = None
    opened_by: UUID | None = None
    present = False
    total_minutes = 0
    conflicts: dict[UUID, Rule] = {}
    flagged: list[UUID] = []
    minutes: dict[UUID, int] = {}
    for fact in sorted(facts, key=Fact.sort_key):
        if fact.kind is FactKind.CHECK_IN:
            if since is not None:
                conflicts[fact.submission_id] = Rule.ALREADY_IN
                continue
            since, opened_by, present = fact.at, fact.submission_id, True
        elif fact.kind is FactKind.CHECK_OUT:
            if since is None:
                conflicts[fact.submission_id] = Rule.NOT_IN
                continue
            pair = math.floor((fact.at - since).total_seconds() / 60)
            minutes[fact.submission_id] = pair
            total_minutes += pair
            since = opened_by = None
        elif since is not None:  # a night-close while in
            assert opened_by is not None
            flagged.append(opened_by)
            since = opened_by = None
    totals = Totals(int(present), total_minutes, len(conflicts), len(flagged))
    return Derived(since, totals, conflicts, tuple(flagged), minutes)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a submission did: recorded now (possibly as a conflict), or recorded earlier."""

    submission_id: UUID
    duplicate: bool
    minutes: int | None = None
    conflict: Rule | None = None

    @property
    def status(self) -> str:
        return "duplicate" if self.duplicate else "conflict" if self.conflict else "recorded"
