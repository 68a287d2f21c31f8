"""Legal holds: an authorised user pauses the culling of one subject's data, and lifts it.

A hold exists because something outside the plan needs the records kept for now: an appeal, a
complaint to the supervisory authority, a police request. All holds live in one registry
stream (there are few, and gallring reads them all at once). The dates and who placed or
lifted a hold stay readable, so an auditor can see that culling paused and for how long. Whom
it holds and why are sealed under the subject's own legal-hold scope, which a hold keeps from
being culled while it stands; once that scope is culled, the hold links to no one (the
anonymity audit found a readable subject id tying a culled child's records together across
years, ADR 0020).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.personal import Category, MonthOf, Personal, Shredded

_HOLD = Personal(Category.LEGAL_HOLD, subject="subject_id", epoch=MonthOf("placed_on"))
REGISTRY_ID = uuid5(NAMESPACE_URL, "https://gallra.example/legal-holds")
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Hold:
    hold_id: UUID
    subject_id: UUID | Shredded
    placed_on: date
    until: date | None  # None: until lifted
    placed_by: str
    reason: str | Shredded
    lifted_on: date | None = None
    lifted_by: str | None = None

    def stands_on(self, day: date) -> bool:
        """Whether the hold pauses a run made now for ``day``: not lifted, and ``day`` not
        after its last day. A hold placed today stops a run for an earlier date too: what
        matters is that it stands when the keys would be destroyed."""
        return self.lifted_on is None and (self.until is None or day <= self.until)


class LegalHolds(Aggregate):
    """The registry of every hold ever placed, lifted ones included (kept for the record)."""

    class Opened(Aggregate.Created):
        """Nothing personal: the registry's first event."""

    class HoldPlaced(Aggregate.Event):
        hold_id: UUID
        subject_id: Annotated[UUID | Shredded, _HOLD]
        placed_on: date
        until: date | None
        placed_by: str
        reason: Annotated[str | Shredded, _HOLD]

    class HoldLifted(Aggregate.Event):
        hold_id: UUID
        lifted_on: date
        lifted_by: str

    @event(Opened)
    def __init__(self) -> None:
        self.holds: dict[UUID, Hold] = {}

    @classmethod
    def open(cls) -> LegalHolds:
        return cls._create(cls.Opened, id=REGISTRY_ID)

    def place(
        self,
        hold_id: UUID,
        subject_id: UUID,
        placed_on: date,
        until: date | None,
        placed_by: str,
        reason: str,
    ) -> bool:
        """Place a hold; the same hold id placed again with the same content does nothing
        (a retried request), with other content is refused. Returns whether it was new."""
        reason = reason.strip()
        if not reason:
            raise RuleViolationError("a hold needs a reason", field="reason")
        if len(reason) > MAX_REASON:
            raise RuleViolationError(
                f"reason is longer than {MAX_REASON} characters", field="reason"
            )
        if until is not None and until < placed_on:
            raise RuleViolationError("until cannot be before the day it is placed", field="until")
        if not placed_by.strip():
            raise RuleViolationError("say who places the hold", field="placed_by")
        earlier = self.holds.get(hold_id)
        if earlier is not None:
            same = (earlier.subject_id, earlier.until, earlier.reason) == (
                subject_id,
                until,
                reason,
            )
            if not same:
                raise ConflictError(f"hold {hold_id} was already placed with other content")
            return False
        self._placed(
            hold_id=hold_id,
            subject_id=subject_id,
            placed_on=placed_on,
            until=until,
            placed_by=placed_by,
            reason=reason,
        )
        return True

    @event(HoldPlaced)
    def _placed(
        self,
        hold_id: UUID,
        subject_id: UUID | Shredded,
        placed_on: date,
        until: date | None,
        placed_by: str,
        reason: str | Shredded,
    ) -> None:
        self.holds[hold_id] = Hold(hold_id, subject_id, placed_on, until, placed_by, reason)

    def lift(self, hold_id: UUID, lifted_on: date, lifted_by: str) -> bool:
        """Lift a hold; lifting one already lifted does nothing. Returns whether it was."""
        hold = self.holds.get(hold_id)
        if hold is None:
            raise NotFoundError(f"no legal hold with id {hold_id}", field="hold_id")
        if hold.lifted_on is not None:
            return False
        if not lifted_by.strip():
            raise RuleViolationError("say who lifts the hold", field="lifted_by")
        self._lifted(hold_id=hold_id, lifted_on=max(lifted_on, hold.placed_on), lifted_by=lifted_by)
        return True

    @event(HoldLifted)
    def _lifted(self, hold_id: UUID, lifted_on: date, lifted_by: str) -> None:
        hold = self.holds[hold_id]
        self.holds[hold_id] = Hold(
            hold.hold_id,
            hold.subject_id,
            hold.placed_on,
            hold.until,
            hold.placed_by,
            hold.reason,
            lifted_on,
            lifted_by,
        )

    def data_subjects(self) -> list[UUID]:
        """For the access log: the subjects of the holds a pending change touches, or, when
        the registry is only read, every subject it names (reading shows their reasons)."""
        pending = [getattr(e, "hold_id", None) for e in self.pending_events]
        touched = [self.holds[h] for h in pending if h in self.holds]
        holds = touched if pending else list(self.holds.values())
        return [h.subject_id for h in holds if isinstance(h.subject_id, UUID)]

    def standing(self, day: date) -> dict[UUID, list[Hold]]:
        """Subject -> the holds that pause its culling on ``day``."""
        found: dict[UUID, list[Hold]] = {}
        for hold in self.holds.values():
            # A hold whose subject is culled ran out long ago: its scope lived while it stood.
            if hold.stands_on(day) and isinstance(hold.subject_id, UUID):
                found.setdefault(hold.subject_id, []).append(hold)
        return found
