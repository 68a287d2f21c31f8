"""The outbox: a notice owed to people, recorded in the transaction that makes it owed.

A notice is made together with the fact that calls for it (an invalid absence, a school year
about to start) and is delivered later by a sender. Its stream id is derived from what it is
about (see ``BlindIndex.derived_id``), so the same notice is never owed twice: a corrected
absence report finds the notice already there. What it says is sealed under the category of
the fact it is about, and culled with it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError
from domain.personal import CategoryOf, MonthOf, Personal, Shredded

_NOTICE = Personal(CategoryOf("category"), subject="subject_id", epoch=MonthOf("day"))


class NoticeKind(StrEnum):
    INVALID_ABSENCE = "invalid-absence"  # skollagen 7 kap 17 §: guardians told the same day
    CONSENT_REMINDER = "consent-reminder"  # before each school year (the seed, Unikum)


class Notice(Aggregate):
    class Queued(Aggregate.Created):
        kind: str
        category: str
        subject_id: Annotated[UUID | Shredded, _NOTICE]
        day: Annotated[date | Shredded, _NOTICE]
        recipients: Annotated[list[UUID] | Shredded, _NOTICE]
        details: Annotated[dict[str, Any] | Shredded, _NOTICE]

    class Delivered(Aggregate.Event):
        channel: str
        recipients: int
        delivered_at: datetime

    class Failed(Aggregate.Event):
        error: str  # the sender's error type, never a message that could hold a value

    class Abandoned(Aggregate.Event):
        """Not deliverable any more: what it would say was culled before it went out."""

        reason: str

    @event(Queued)
    def __init__(
        self,
        id: UUID,  # derived from what the notice is about
        kind: str,
        category: str,
        subject_id: UUID | Shredded,
        day: date | Shredded,
        recipients: list[UUID] | Shredded,
        details: dict[str, Any] | Shredded,
    ) -> None:
        self.kind = NoticeKind(kind)
        self.category = category
        self.subject_id = subject_id
        self.day = day
        self.recipients = recipients
        self.details = details
        self.delivered_at: datetime | None = None
        self.failures = 0
        self.abandoned = False

    @property
    def pending(self) -> bool:
        return self.delivered_at is None and not self.abandoned

    @property
    def culled(self) -> bool:
        return isinstance(self.recipients, Shredded) or isinstance(self.subject_id, Shredded)

    def data_subjects(self) -> list[UUID]:
        """The person the notice is about, for the access log (none once culled)."""
        return [self.subject_id] if isinstance(self.subject_id, UUID) else []

    def delivered(self, channel: str, at: datetime) -> None:
        if self.delivered_at is not None:
            raise ConflictError(f"notice {self.id} was already delivered")
        count = 0 if isinstance(self.recipients, Shredded) else len(self.recipients)
        self._delivered(channel=channel, recipients=count, delivered_at=at)

    @event(Delivered)
    def _delivered(self, channel: str, recipients: int, delivered_at: datetime) -> None:
        self.delivered_at = delivered_at

    def failed(self, error: str) -> None:
        self._failed(error=error)

    @event(Failed)
    def _failed(self, error: str) -> None:
        self.failures += 1

    def abandon(self, reason: str) -> None:
        if self.pending:
            self._abandoned(reason=reason)

    @event(Abandoned)
    def _abandoned(self, reason: str) -> None:
        self.abandoned = True


class ReminderRound(Aggregate):
    """That a school year's consent reminders were all queued (its id is derived from the
    year), so the daily scheduler queues them once, after the configured date."""

    class Completed(Aggregate.Created):
        school_year: str
        children: int
        notices: int

    @event(Completed)
    def __init__(self, id: UUID, school_year: str, children: int, notices: int) -> None:
        self.school_year = school_year
        self.children = children
        self.notices = notices
