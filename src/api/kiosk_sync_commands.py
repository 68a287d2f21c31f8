"""The kiosk's check-ins and check-outs: online one at a time, or offline in batches placed
by their own time (Tempus Nu), both on one code path.

A batch is checked event by event before anything is written (time, culled month, child,
placement, who brought or fetched); a refused event is answered with the field at fault and
left out, and everything else is recorded in one transaction over the department-days it
touches, retried as a whole when another writer wins a stream version. Each Child is loaded
once per batch and each department-day once per attempt. The online endpoints refuse a fact
that would conflict (the kiosk is showing the present state); a batch records it and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple
from uuid import UUID

from api.attendance_commands import MAX_CLOCK_SKEW, AttendanceCommands
from api.kiosk_batch_children import BatchChildren
from api.pickup_commands import PickupCommands
from domain.attendance import DepartmentDay, department_day_id
from domain.attendance_facts import FactKind, Outcome
from domain.errors import DomainError, NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.people import Child
from retention.errors import ScopeShreddedError

MAX_BATCH = 1000
KINDS = {"check-in": FactKind.CHECK_IN, "check-out": FactKind.CHECK_OUT}


@dataclass(frozen=True, slots=True)
class KioskEvent:
    """One event of a kiosk's batch, as the kiosk saw it (its own id and clock)."""

    submission_id: UUID
    type: str  # check-in | check-out
    child_id: UUID
    at: datetime
    by: UUID | None = None


class EventOutcome(NamedTuple):
    """recorded | duplicate | conflict (recorded; ``rule`` says why it is ignored) |
    refused (not recorded; ``field`` and ``message`` say why). Status as of the answer.
    A named tuple, as ``_Accepted``: a batch makes a thousand, and a frozen dataclass costs
    three times as much to build (bench: kiosk batch)."""

    submission_id: UUID
    status: str
    field: str | None = None
    message: str | None = None
    rule: str | None = None
    minutes: int | None = None


class _Accepted(NamedTuple):
    position: int  # in the batch, for its answer
    submission_id: UUID
    kind: FactKind
    child_id: UUID
    at: datetime
    by: UUID | None
    day: date
    unit_id: UUID


class KioskSyncCommands(PickupCommands, AttendanceCommands):
    """Check-in and check-out at a department's kiosk, online and in offline batches."""

    def check_in(
        self,
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None = None,
    ) -> Outcome:
        """Check a child in at its department; a retried submission is a no-op."""
        return self._online(submission_id, "check-in", department_id, child_id, at, by)

    def check_out(
        self,
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None = None,
    ) -> Outcome:
        """Check a child out; the outcome carries the minutes present."""
        return self._online(submission_id, "check-out", department_id, child_id, at, by)

    def _online(
        self,
        submission_id: UUID,
        kind: str,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None,
    ) -> Outcome:
        children = BatchChildren(lambda c: self._get(Child, c, "child"))
        event = KioskEvent(submission_id, kind, child_id, at, by)
        accepted = self._accept(department_id, 0, event, children)
        outcome = self._record_facts(department_id, None, [accepted], strict=True)[0]
        assert isinstance(outcome, Outcome)  # strict: a refusal raises
        return outcome

    def sync_kiosk_batch(
        self,
        department_id: UUID,
        kiosk_id: UUID | None,
        events: Sequence[KioskEvent],
        *,
        may_act: Callable[[UUID], bool] | None = None,
    ) -> list[EventOutcome]:
        """Record a kiosk's batch in one transaction; one outcome per event, in order.
        ``may_act`` (staff) answers a child the caller may not act for as an unknown one."""
        if len(events) > MAX_BATCH:
            raise RuleViolationError(f"a batch holds at most {MAX_BATCH} events", field="events")
        # Every child of the batch in one read: a round trip per child would cost more than
        # the whole write (bench: kiosk batch).
        children = BatchChildren(
            lambda c: self._get(Child, c, "child"),
            self._get_many(Child, [e.child_id for e in events]),
        )
        children.prefetch_pickups(self._get_many, events)
        answers: list[EventOutcome | None] = [None] * len(events)
        accepted: list[_Accepted] = []
        contents: dict[UUID, tuple[str, UUID, datetime, UUID | None]] = {}
        for n, event in enumerate(events):
            try:
                if may_act is not None and not may_act(event.child_id):
                    raise NotFoundError(f"no child with id {event.child_id}", field="child_id")
                one = self._accept(department_id, n, event, children)
                content = (event.type, one.child_id, one.at, one.by)
                if contents.setdefault(one.submission_id, content) != content:
                    raise SubmissionMismatchError(
                        f"submission {one.submission_id} is used twice in this batch",
                        field="submission_id",
                    )
                accepted.append(one)
            except (DomainError, ScopeShreddedError) as e:
                answers[n] = _refused(event.submission_id, e)
        for one, outcome in zip(
            accepted, self._record_facts(department_id, kiosk_id, accepted), strict=True
        ):
            answers[one.position] = (
                outcome if isinstance(outcome, EventOutcome) else _answer(outcome)
            )
        return [a for a in answers if a is not None]

    def _accept(
        self, department_id: UUID, index: int, event: KioskEvent, children: BatchChildren
    ) -> _Accepted:
        """Check one event against everything but the day's facts; raises what is wrong."""
        kind = KINDS.get(event.type)
        if kind is None:
            raise RuleViolationError("type must be check-in or check-out", field="type")
        if event.at.tzinfo is None:
            raise RuleViolationError("time must include a UTC offset", field="at")
        if children.now is None:
            children.now = self.clock()
        if event.at - children.now > MAX_CLOCK_SKEW:
            raise RuleViolationError("time is in the future", field="at")
        at = event.at.astimezone(UTC)
        day = self.local_day(at)
        if day not in children.open_days:
            self._refuse_culled(day)
            children.open_days.add(day)
        child = children.get(event.child_id)
        unit_id = children.placed_unit(child, department_id, day)
        if unit_id is None:
            raise RuleViolationError(
                f"child {event.child_id} has no placement at department {department_id} on {day}",
                field="child_id",
            )
        by = event.by
        if by is not None and not children.may_bring(child, by, day, self._may_bring):
            raise RuleViolationError(
                f"person {by} may not bring or fetch child {event.child_id}", field="by"
            )
        return _Accepted(index, event.submission_id, kind, event.child_id, at, by, day, unit_id)

    def _may_bring(self, child: Child, person_id: UUID, day: date) -> bool:
        """A guardian of the child, or one of its pick-up persons that day."""
        return person_id in child.guardians or person_id in self.pickup_person_ids(child.id, day)

    def _record_facts(
        self,
        department_id: UUID,
        kiosk_id: UUID | None,
        accepted: Sequence[_Accepted],
        *,
        strict: bool = False,
    ) -> list[Outcome | EventOutcome]:
        """Record accepted events, every day touched in one save; ``strict`` raises what a
        batch answers per event."""

        def command() -> list[Outcome | EventOutcome]:
            touched = {one.day for one in accepted}
            stored = self._get_many(
                DepartmentDay, [department_day_id(department_id, day) for day in touched]
            )
            days: dict[date, DepartmentDay] = {dd.day: dd for dd in stored.values()}
            results: list[Outcome | EventOutcome] = []
            for one in accepted:
                dd = days.get(one.day)
                if dd is None:
                    dd = days[one.day] = DepartmentDay.open(department_id, one.unit_id, one.day)
                try:
                    results.append(
                        dd.record(
                            one.submission_id,
                            one.kind,
                            one.child_id,
                            one.at,
                            one.by,
                            kiosk_id,
                            strict=strict,
                        )
                    )
                except SubmissionMismatchError as e:
                    if strict:
                        raise
                    results.append(_refused(one.submission_id, e))
            changed = [dd for dd in days.values() if dd.pending_events]
            if changed:
                self.save(*changed)
            # A fact's status can change only by a later fact about the same child that day:
            # the last one of each is already final, the others are asked again.
            final: list[Outcome | EventOutcome] = []
            settled: set[tuple[date, UUID]] = set()
            for one, result in zip(reversed(accepted), reversed(results), strict=True):
                if isinstance(result, Outcome) and (one.day, one.child_id) in settled:
                    result = days[one.day].outcome_of(one.submission_id, duplicate=result.duplicate)
                settled.add((one.day, one.child_id))
                final.append(result)
            return final[::-1]

        return self._retrying(command)  # type: ignore[no-any-return]


def _refused(submission_id: UUID, error: Exception) -> EventOutcome:
    field = getattr(error, "field", None)
    if isinstance(error, ScopeShreddedError):
        field = "at"
    return EventOutcome(submission_id, "refused", field=field, message=str(error))


def _answer(outcome: Outcome) -> EventOutcome:
    rule = str(outcome.conflict) if outcome.conflict is not None else None
    return EventOutcome(outcome.submission_id, outcome.status, rule=rule, minutes=outcome.minutes)
