"""Attendance on a preschool/fritids department, one stream per department and day.

Why per department-day: check-ins are the highest-volume personal facts, and what survives
culling must not link one child over time. The stream's own id and its plaintext (department,
day, changes to the day's anonymous totals, absence kinds) say nothing about who; the child
reference, the exact times, who dropped off or picked up and the child's derived state are
sealed under the child's attendance scope for that month, the absence reason under its health
scope for that month.

Version 2 keeps every accepted kiosk fact and derives presence from them in time order
(``attendance_facts``), so late and reordered kiosk syncs converge. Each kiosk event carries,
readable, the change it made to the day's totals (after minus before, for its child only), so
counters are sums of deltas in any delivery order and survive culling.

Submissions carry a client id; a retry with the same id and content is a no-op, the same id
with other content is refused. The ids are random, so they link nothing either.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from domain.absence import Absence, AbsenceDesk, kind_of
from domain.attendance_facts import (
    NOTHING,
    Derived,
    Fact,
    FactKind,
    Outcome,
    Rule,
    Totals,
    derive,
)
from domain.errors import ConflictError, RuleViolationError, SubmissionMismatchError
from domain.personal import Category, MonthOf, Personal, Shredded, Veil, counted

_ATT = Personal(Category.ATTENDANCE, subject="child_id", epoch=MonthOf("day"))
_HEALTH = Personal(Category.HEALTH, subject="child_id", epoch=MonthOf("day"))
# Whose keys a day's records use, and each record's share of the day's counters, are sealed
# under the month's day sheet (ADR 0022); gallring compiles the month's figures before it
# culls the sheet, so statistics survive as the compiled month.
_DELTAS = ("present_delta", "minutes_delta", "conflicts_delta", "flagged_delta")
_FACT_SHEET = Veil(Category.DAY_SHEET, MonthOf("day"), fields=_DELTAS)
_REPORT_SHEET = Veil(Category.DAY_SHEET, MonthOf("day"), fields=("first_of_day", "kind"))
_CANCEL_SHEET = Veil(Category.DAY_SHEET, MonthOf("day"), fields=("kind", "counted"))
_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/department-day")


def department_day_id(department_id: UUID, day: date) -> UUID:
    """Derived from non-personal values only, so anyone can find the day's stream."""
    return uuid5(_NAMESPACE, f"{department_id}/{day.isoformat()}")


Content = tuple[str, UUID | Shredded, datetime | Shredded | None, UUID | Shredded | None]


class DepartmentDay(AbsenceDesk, Aggregate):
    class Opened(Aggregate.Created):
        department_id: UUID
        unit_id: UUID
        day: date

    class KioskFact(Aggregate.Event):
        """Readable: the day; under the sheet: its deltas of the day's totals; sealed: the
        child, time, who, derived state."""

        veil: ClassVar[Veil] = _FACT_SHEET
        submission_id: UUID
        day: date
        kiosk_id: UUID | None
        present_delta: int | Shredded
        minutes_delta: int | Shredded
        conflicts_delta: int | Shredded
        flagged_delta: int | Shredded
        child_id: Annotated[UUID | Shredded, _ATT]
        at: Annotated[datetime | Shredded, _ATT]
        by: Annotated[UUID | Shredded | None, _ATT]
        present_since: Annotated[datetime | Shredded | None, _ATT]

        def apply(self, aggregate: Any) -> None:
            aggregate._apply_fact(self)

    class CheckedIn(KioskFact):
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            first = state.pop("first_of_day")
            state.update(kiosk_id=None, present_delta=int(first), minutes_delta=0)
            state.update(conflicts_delta=0, flagged_delta=0)
            state.setdefault("present_since", state["at"])  # Shredded already when culled

    class CheckedOut(KioskFact):
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["minutes_delta"] = state.pop("minutes")
            state.update(kiosk_id=None, present_delta=0, conflicts_delta=0, flagged_delta=0)
            state.setdefault("present_since", None)

    class NightClosed(KioskFact):
        """A check-in still open when the day closed: closed with zero minutes, flagged."""

    class DayClosed(Aggregate.Event):
        closes_at: datetime  # the local midnight after the day: not personal
        placed_children: int
        scheduled_children: int
        scheduled_minutes: int

        def apply(self, aggregate: Any) -> None:
            aggregate.closes_at = self.closes_at

    class AbsenceReported(Aggregate.Event):
        class_version = 2
        veil: ClassVar[Veil] = _REPORT_SHEET
        submission_id: UUID
        day: date
        first_of_day: bool | Shredded
        kind: str | Shredded  # readable in v2 before sheets; a culled v1 kind reads Shredded
        child_id: Annotated[UUID | Shredded, _ATT]
        reported_by: Annotated[UUID | Shredded, _ATT]
        reason: Annotated[str | Shredded | None, _HEALTH]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("kind", Shredded(str(Category.HEALTH)))

        def apply(self, aggregate: Any) -> None:
            aggregate.submissions[self.submission_id] = ("absence", self.child_id, None, None)
            if isinstance(self.child_id, UUID):
                absence = Absence(
                    self.submission_id, kind_of(self.kind), self.first_of_day is True, self.reason
                )
                aggregate.absences[self.child_id] = absence

    class AbsenceCancelled(Aggregate.Event):
        veil: ClassVar[Veil] = _CANCEL_SHEET
        cancels: UUID  # the report's submission id
        day: date
        kind: str | Shredded
        counted: bool | Shredded
        child_id: Annotated[UUID | Shredded, _ATT]
        cancelled_by: Annotated[UUID | Shredded, _ATT]

        def apply(self, aggregate: Any) -> None:
            if isinstance(self.child_id, UUID):
                aggregate.absences.pop(self.child_id, None)

    @classmethod
    def open(cls, department_id: UUID, unit_id: UUID, day: date) -> DepartmentDay:
        return cls._create(
            cls.Opened,
            id=department_day_id(department_id, day),
            department_id=department_id,
            unit_id=unit_id,
            day=day,
        )

    @event(Opened)
    def __init__(self, department_id: UUID, unit_id: UUID, day: date) -> None:
        self.department_id = department_id
        self.unit_id = unit_id
        self.day = day
        self.totals = Totals()  # sums of the readable deltas: right even after culling
        self.submissions: dict[UUID, Content] = {}
        self.facts: dict[UUID, list[Fact]] = {}  # child -> its readable facts
        self._derived: dict[UUID, Derived] = {}
        self.absences: dict[UUID, Absence] = {}  # child -> its absence not cancelled
        self.closes_at: datetime | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.closes_at is not None

    def derived(self, child_id: UUID) -> Derived:
        """The child's derived state (cached until its next fact)."""
        found = self._derived.get(child_id)
        if found is None:
            facts = self.facts.get(child_id)
            found = derive(facts) if facts else NOTHING
            self._derived[child_id] = found
        return found

    @property
    def present(self) -> dict[UUID, datetime]:
        """Children in now, with the time their open check-in was made."""
        out = {}
        for child in self.facts:
            since = self.derived(child).present_since
            if since is not None:
                out[child] = since
        return out

    def outcome_of(self, submission_id: UUID, *, duplicate: bool) -> Outcome:
        """A fact's status now: a later fact may have made it a conflict, or paired it."""
        child = self.submissions[submission_id][1]
        if not isinstance(child, UUID):
            return Outcome(submission_id, duplicate)
        derived = self.derived(child)
        minutes, rule = derived.minutes.get(submission_id), derived.conflicts.get(submission_id)
        return Outcome(submission_id, duplicate, minutes, rule)

    # -- idempotency -----------------------------------------------------------------------

    def _seen(self, submission_id: UUID, content: Content) -> bool:
        earlier = self.submissions.get(submission_id)
        if earlier is None:
            return False
        if earlier != content:
            raise SubmissionMismatchError(
                f"submission {submission_id} was already used for another {earlier[0]}",
                field="submission_id",
            )
        return True

    # -- kiosk facts -----------------------------------------------------------------------

    def check_in(
        self, submission_id: UUID, child_id: UUID, at: datetime, by: UUID | None
    ) -> Outcome:
        """The online kiosk: a check-in that would conflict is refused, not recorded."""
        return self.record(submission_id, FactKind.CHECK_IN, child_id, at, by, strict=True)

    def check_out(
        self, submission_id: UUID, child_id: UUID, at: datetime, by: UUID | None
    ) -> Outcome:
        return self.record(submission_id, FactKind.CHECK_OUT, child_id, at, by, strict=True)

    def record(
        self,
        submission_id: UUID,
        kind: FactKind,
        child_id: UUID,
        at: datetime,
        by: UUID | None,
        kiosk_id: UUID | None = None,
        *,
        strict: bool = False,
    ) -> Outcome:
        """Record a kiosk fact; a conflicting one is kept and listed (``strict``: refused)."""
        if self._seen(submission_id, (str(kind), child_id, at, by)):
            return self.outcome_of(submission_id, duplicate=True)
        fact = Fact(submission_id, kind, child_id, at, by, kiosk_id)
        before = self.derived(child_id)
        after = derive([*self.facts.get(child_id, ()), fact])
        rule = after.conflicts.get(submission_id)
        if strict and rule is not None:
            _refuse(child_id, rule, before.present_since, at)
        event_class = self.CheckedIn if kind is FactKind.CHECK_IN else self.CheckedOut
        self._fact(event_class, fact, before, after)
        if self.closed and after.present_since is not None:  # a late check-in, left open
            assert self.closes_at is not None
            self._close_child(child_id, self.closes_at)
        return self.outcome_of(submission_id, duplicate=False)

    def _fact(self, event_class: Any, fact: Fact, before: Derived, after: Derived) -> None:
        delta = after.totals - before.totals
        self.trigger_event(
            event_class,
            submission_id=fact.submission_id,
            day=self.day,
            kiosk_id=fact.kiosk_id,
            present_delta=delta.present_children,
            minutes_delta=delta.presence_minutes,
            conflicts_delta=delta.conflicts,
            flagged_delta=delta.flagged,
            child_id=fact.child_id,
            at=fact.at,
            by=fact.by,
            present_since=after.present_since,
        )
        self._derived[fact.child_id] = after  # computed already: no need to walk again

    def _close_child(self, child_id: UUID, at: datetime) -> None:
        fact = Fact(uuid4(), FactKind.NIGHT_CLOSE, child_id, at)  # random: links nobody
        before = self.derived(child_id)
        self._fact(self.NightClosed, fact, before, derive([*self.facts[child_id], fact]))

    def close(
        self,
        closes_at: datetime,
        placed_children: int,
        scheduled_children: int,
        scheduled_minutes: int,
    ) -> bool:
        """Close the day once: every check-in still open is closed with zero minutes."""
        if self.closed:
            return False
        for child_id in sorted(self.present):
            self._close_child(child_id, closes_at)
        self.trigger_event(
            self.DayClosed,
            closes_at=closes_at,
            placed_children=placed_children,
            scheduled_children=scheduled_children,
            scheduled_minutes=scheduled_minutes,
        )
        return True

    def _apply_fact(self, e: DepartmentDay.KioskFact) -> None:
        kind = _KINDS[type(e).__name__]
        p, m, c, f = e.present_delta, e.minutes_delta, e.conflicts_delta, e.flagged_delta
        if p or m or c or f:  # a culled sheet's Shredded is falsy: nothing to add
            self.totals += Totals(counted(p), counted(m), counted(c), counted(f))
        self.submissions[e.submission_id] = (str(kind), e.child_id, e.at, e.by)
        if isinstance(e.child_id, UUID) and isinstance(e.at, datetime):
            fact = Fact(e.submission_id, kind, e.child_id, e.at, _id(e.by), e.kiosk_id)
            self.facts.setdefault(e.child_id, []).append(fact)
            self._derived.pop(e.child_id, None)


_KINDS = {
    "CheckedIn": FactKind.CHECK_IN,
    "CheckedOut": FactKind.CHECK_OUT,
    "NightClosed": FactKind.NIGHT_CLOSE,
}


def _id(value: object) -> UUID | None:
    return value if isinstance(value, UUID) else None


def _refuse(child_id: UUID, rule: Rule, since: datetime | None, at: datetime) -> None:
    """The online kiosk's answers to a fact that would conflict (it is not recorded)."""
    if rule is Rule.ALREADY_IN:
        raise ConflictError(f"child {child_id} is already checked in", field="child_id")
    if since is not None and at < since:
        raise RuleViolationError("check-out cannot be before the check-in", field="at")
    raise ConflictError(
        f"child {child_id} is not checked in on this department today", field="child_id"
    )
