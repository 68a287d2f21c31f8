"""Stay schedules (vistelseschema): one ``ScheduleBook`` per child holding all its schedules.

The book's id is derived (uuid5) from the child's random id, so it is found without an index.
Everything about a schedule is sealed under the child's schedule scope for the schedule's
placement (culled with it at "inaktualitet", or a placement at a time); only the schedule id
and, by each event's type, the state stay readable. A culled schedule is listed as culled and
never applies.

Which approved schedule applies on a day is decided in ``domain.schedule_state``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.personal import Category, OwnStreamEvent, Personal, Shredded, ValueOf
from domain.schedule_state import Decision, Schedule, State, in_force, in_force_until
from domain.schedule_terms import Entry, ScheduleTerms, Times

_SCHEDULE = Personal(Category.SCHEDULE, subject="child_id", epoch=ValueOf("placement_id"))
_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/schedule-book")
MAX_REASON = 1000


def schedule_book_id(child_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, str(child_id))


class ScheduleBook(Aggregate):
    """A child's stay schedules, laid by guardians or staff and decided by staff."""

    Event = OwnStreamEvent  # one person's own stream: no readable record time (ADR 0023)

    class Opened(Aggregate.Created):
        """Nothing personal: the id is derived from the child's, and says nothing itself."""

    class Requested(Aggregate.Event):
        schedule_id: UUID
        child_id: Annotated[UUID | Shredded, _SCHEDULE]
        placement_id: Annotated[UUID | Shredded, _SCHEDULE]
        start_date: Annotated[date | Shredded, _SCHEDULE]
        end_date: Annotated[date | Shredded | None, _SCHEDULE]
        number_of_weeks: Annotated[int | Shredded, _SCHEDULE]
        temporary: Annotated[bool | Shredded, _SCHEDULE]
        entries: Annotated[list[list[int | str]] | Shredded, _SCHEDULE]
        laid_by: Annotated[UUID | Shredded | None, _SCHEDULE]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ScheduleBook)
            aggregate.on_requested(self)

    class Approved(Aggregate.Event):
        schedule_id: UUID
        child_id: Annotated[UUID | Shredded, _SCHEDULE]
        placement_id: Annotated[UUID | Shredded, _SCHEDULE]
        decided_by: Annotated[UUID | Shredded | None, _SCHEDULE]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ScheduleBook)
            aggregate.approvals += 1
            aggregate.schedules[self.schedule_id].approval = aggregate.approvals
            aggregate.on_decided(self, State.APPROVED, self.decided_by)

    class Rejected(Aggregate.Event):
        schedule_id: UUID
        child_id: Annotated[UUID | Shredded, _SCHEDULE]
        placement_id: Annotated[UUID | Shredded, _SCHEDULE]
        decided_by: Annotated[UUID | Shredded | None, _SCHEDULE]
        reason: Annotated[str | Shredded | None, _SCHEDULE]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ScheduleBook)
            aggregate.on_decided(self, State.REJECTED, self.decided_by, self.reason)

    class Withdrawn(Aggregate.Event):
        schedule_id: UUID
        child_id: Annotated[UUID | Shredded, _SCHEDULE]
        placement_id: Annotated[UUID | Shredded, _SCHEDULE]
        withdrawn_by: Annotated[UUID | Shredded | None, _SCHEDULE]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, ScheduleBook)
            aggregate.on_decided(self, State.WITHDRAWN, self.withdrawn_by)

    @classmethod
    def open(cls, child_id: UUID) -> ScheduleBook:
        return cls._create(cls.Opened, id=schedule_book_id(child_id))

    @event(Opened)
    def __init__(self) -> None:
        self.schedules: dict[UUID, Schedule] = {}
        self.children: dict[UUID, None] = {}  # the child, from any event still readable
        self.approvals = 0

    def data_subjects(self) -> list[UUID]:
        """The child, for the access log; a book whose schedules are all culled names no one."""
        return list(self.children)

    # -- commands --------------------------------------------------------------------------

    def lay(
        self, child_id: UUID, schedule_id: UUID, terms: ScheduleTerms, laid_by: UUID | None
    ) -> bool:
        """Record a requested schedule. False if this id already holds these very terms (a
        retry); the same id with other terms is refused."""
        self._check_child(child_id)
        existing = self.schedules.get(schedule_id)
        if existing is not None:
            if existing.terms != terms:
                raise SubmissionMismatchError(
                    f"schedule {schedule_id} was laid with other content", field="schedule_id"
                )
            return False
        self.trigger_event(
            self.Requested,
            schedule_id=schedule_id,
            child_id=child_id,
            placement_id=terms.placement_id,
            start_date=terms.start_date,
            end_date=terms.end_date,
            number_of_weeks=terms.number_of_weeks,
            temporary=terms.temporary,
            entries=[e.stored() for e in terms.entries],
            laid_by=laid_by,
        )
        return True

    def approve(self, child_id: UUID, schedule_id: UUID, decided_by: UUID | None) -> bool:
        """Approve a requested schedule; False if it already is (a retry)."""
        placement_id = self._deciding(child_id, schedule_id, State.APPROVED)
        if placement_id is None:
            return False
        self.trigger_event(
            self.Approved,
            schedule_id=schedule_id,
            child_id=child_id,
            placement_id=placement_id,
            decided_by=decided_by,
        )
        return True

    def reject(
        self, child_id: UUID, schedule_id: UUID, decided_by: UUID | None, reason: str | None
    ) -> bool:
        reason = reason.strip() if reason and reason.strip() else None
        if reason is not None and len(reason) > MAX_REASON:
            raise RuleViolationError(
                f"reason is longer than {MAX_REASON} characters", field="reason"
            )
        placement_id = self._deciding(child_id, schedule_id, State.REJECTED)
        if placement_id is None:
            return False
        self.trigger_event(
            self.Rejected,
            schedule_id=schedule_id,
            child_id=child_id,
            placement_id=placement_id,
            decided_by=decided_by,
            reason=reason,
        )
        return True

    def withdraw(self, child_id: UUID, schedule_id: UUID, by: UUID | None) -> bool:
        placement_id = self._deciding(child_id, schedule_id, State.WITHDRAWN)
        if placement_id is None:
            return False
        self.trigger_event(
            self.Withdrawn,
            schedule_id=schedule_id,
            child_id=child_id,
            placement_id=placement_id,
            withdrawn_by=by,
        )
        return True

    def schedule(self, schedule_id: UUID) -> Schedule:
        found = self.schedules.get(schedule_id)
        if found is None:
            raise NotFoundError(f"no schedule with id {schedule_id}")
        return found

    def _check_child(self, child_id: UUID) -> None:
        if schedule_book_id(child_id) != self.id:
            raise NotFoundError(f"schedule book {self.id} is not child {child_id}'s")

    def _deciding(self, child_id: UUID, schedule_id: UUID, to: State) -> UUID | None:
        """The placement of a requested schedule about to move to ``to``; None if it is
        there already (a retry)."""
        self._check_child(child_id)
        found = self.schedule(schedule_id)
        if found.state == to:
            return None
        if found.state != State.REQUESTED:
            raise ConflictError(
                f"schedule {schedule_id} is {found.state}, not requested", field="schedule_id"
            )
        if found.terms is None:
            raise ConflictError(f"schedule {schedule_id} is culled", field="schedule_id")
        return found.terms.placement_id

    # -- applying events (timestamps come from the event) ---------------------------------

    def on_requested(self, e: ScheduleBook.Requested) -> None:
        if isinstance(e.child_id, UUID):
            self.children[e.child_id] = None
        terms = None
        if (
            isinstance(e.placement_id, UUID)
            and isinstance(e.start_date, date)
            and not isinstance(e.end_date, Shredded)
            and isinstance(e.number_of_weeks, int)
            and isinstance(e.temporary, bool)
            and isinstance(e.entries, list)
        ):
            stored = tuple(Entry.from_stored(v) for v in e.entries)
            terms = ScheduleTerms(
                e.placement_id, e.start_date, e.end_date, e.number_of_weeks, e.temporary, stored
            )
        self.schedules[e.schedule_id] = Schedule(
            e.schedule_id,
            terms,
            e.laid_by,
            e.timestamp,
            history=[Decision(State.REQUESTED, e.laid_by, e.timestamp)],
        )

    def on_decided(
        self,
        e: ScheduleBook.Approved | ScheduleBook.Rejected | ScheduleBook.Withdrawn,
        state: State,
        by: UUID | Shredded | None,
        reason: str | Shredded | None = None,
    ) -> None:
        if isinstance(e.child_id, UUID):
            self.children[e.child_id] = None
        found = self.schedules[e.schedule_id]
        found.state = state
        found.history.append(Decision(state, by, e.timestamp, reason))

    # -- resolution (``domain.schedule_state``) -------------------------------------------

    def in_force(self, placement_id: UUID, day: date) -> Schedule | None:
        """The approved schedule of the placement that applies on ``day``."""
        return in_force(self.schedules.values(), placement_id, day)

    def scheduled_on(self, placement_id: UUID, day: date) -> Times | None:
        """The stretches planned on ``day``; [] is scheduled off; None: no schedule applies."""
        found = self.in_force(placement_id, day)
        return None if found is None or found.terms is None else found.terms.times_on(day)

    def in_force_until(self, schedule_id: UUID) -> date | None:
        return in_force_until(self.schedules.values(), self.schedule(schedule_id))
