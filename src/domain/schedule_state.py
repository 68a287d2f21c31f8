"""A stay schedule's state and history, and which approved schedule applies on a day.

Which approved schedule of a placement applies on a day (``in_force``): the latest-approved
temporary schedule covering the day; else the approved regular schedule with the latest start
on or before the day (the later-approved on a tie), if it has not ended by then. So approving a
regular schedule implicitly ends the one before it the day before it starts: no event says so,
and the history shows it (``in_force_until``). A culled schedule never applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.personal import Shredded
from domain.schedule_terms import ScheduleTerms


class State(StrEnum):
    REQUESTED = "requested"  # Begärt
    APPROVED = "approved"  # Godkänt
    REJECTED = "rejected"  # Nekat
    WITHDRAWN = "withdrawn"  # withdrawn by a guardian before a decision

    @property
    def ss12000(self) -> str | None:
        return {"requested": "Begärt", "approved": "Godkänt", "rejected": "Nekat"}.get(self)


@dataclass(frozen=True, slots=True)
class Decision:
    """One step of a schedule's history; ``by`` None is an administrator."""

    state: State
    by: UUID | Shredded | None
    at: datetime
    reason: str | Shredded | None = None


@dataclass(slots=True)
class Schedule:
    schedule_id: UUID
    terms: ScheduleTerms | None  # None: culled
    laid_by: UUID | Shredded | None
    laid_at: datetime
    state: State = State.REQUESTED
    history: list[Decision] = field(default_factory=list)
    approval: int = 0  # order of approval in the book, for "the latest approved"

    @property
    def culled(self) -> bool:
        return self.terms is None


def _approved_of(
    schedules: Iterable[Schedule], placement_id: UUID
) -> list[tuple[Schedule, ScheduleTerms]]:
    return [
        (s, s.terms)
        for s in schedules
        if s.state == State.APPROVED and s.terms and s.terms.placement_id == placement_id
    ]


def in_force(schedules: Iterable[Schedule], placement_id: UUID, day: date) -> Schedule | None:
    approved = _approved_of(schedules, placement_id)
    temporary = [s for s, t in approved if t.temporary and t.covers(day)]
    if temporary:
        return max(temporary, key=lambda s: s.approval)
    regular = [(s, t) for s, t in approved if not t.temporary and t.start_date <= day]
    if not regular:
        return None
    latest, terms = max(regular, key=lambda st: (st[1].start_date, st[0].approval))
    return latest if terms.covers(day) else None


def in_force_until(schedules: Iterable[Schedule], found: Schedule) -> date | None:
    """The last day a schedule can apply: its end date or, for an approved regular one, the
    day before a later regular schedule takes over, if earlier (None: open-ended)."""
    terms = found.terms
    if terms is None:
        return None
    if found.state != State.APPROVED or terms.temporary:
        return terms.end_date
    ends = [terms.end_date] if terms.end_date is not None else []
    ends += [
        t.start_date - timedelta(days=1)
        for s, t in _approved_of(schedules, terms.placement_id)
        if not t.temporary and (t.start_date, s.approval) > (terms.start_date, found.approval)
    ]
    return min(ends, default=None)
