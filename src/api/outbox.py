"""Delivering the outbox: notices owed are handed to a sender and marked delivered.

Delivery is at least once: a crash between a sender's success and the ``Delivered`` event
hands the notice over again on the next round. Every message carries its notice id, which a
real sender (SMS, e-mail, push) passes on as the idempotency key so recipients see it once.
The default sender records what it delivered and logs ids and counts, never a value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from domain.notices import Notice
from domain.personal import Shredded
from projections.outbox import OutboxProjection
from projections.runner import ProjectionRunner
from projections.views.outbox import OutboxViewSQL, PostgresOutboxView, SQLiteOutboxView

log = logging.getLogger(__name__)
MAX_FAILURES = 5


@dataclass(frozen=True)
class Message:
    notice_id: UUID
    kind: str
    subject_id: UUID
    day: date
    recipients: list[UUID]
    details: dict[str, Any]


class Sender(Protocol):
    def send(self, message: Message) -> str:
        """Deliver or raise; returns the channel used (e.g. "sms", "app")."""
        ...


@dataclass
class RecordingSender:
    """Records deliveries in memory (for the demo and tests); logs no personal value."""

    channel: str = "recorded"
    delivered: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> str:
        self.delivered.append(message)
        log.info(
            "notice %s (%s) delivered to %d recipients",
            message.notice_id,
            message.kind,
            len(message.recipients),
        )
        return self.channel


@dataclass(frozen=True)
class Round:
    delivered: int = 0
    failed: int = 0
    abandoned: int = 0


class Outbox:
    """Hands owed notices to the sender, oldest first."""

    def __init__(
        self,
        app: Any,
        view: OutboxViewSQL,
        runner: ProjectionRunner,
        sender: Sender,
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.view = view
        self.runner = runner
        self.sender = sender
        self.clock = clock

    def owed(self, limit: int = 100) -> list[UUID]:
        """The notices still owed, oldest first (current as of this call)."""
        self.runner.catch_up()
        return self.view.owed(limit)

    def deliver(self, limit: int = 500) -> Round:
        delivered = failed = abandoned = 0
        for notice_id in self.owed(limit):
            notice = self.app.repository.get(notice_id)
            assert isinstance(notice, Notice)
            if not notice.pending:
                continue
            message = _message(notice)
            if message is None:
                notice.abandon("culled")
                abandoned += 1
            elif notice.failures >= MAX_FAILURES:
                continue  # left for an operator; see `gallra notices`
            else:
                try:
                    channel = self.sender.send(message)
                except Exception as e:  # any sender fault is a failed try
                    notice.failed(type(e).__name__)
                    failed += 1
                else:
                    notice.delivered(channel, self.clock())
                    delivered += 1
            self.app.save(notice)
        return Round(delivered, failed, abandoned)


def _message(notice: Notice) -> Message | None:
    values = (notice.subject_id, notice.day, notice.recipients, notice.details)
    if any(isinstance(v, Shredded) for v in values):
        return None
    assert isinstance(notice.subject_id, UUID)
    assert isinstance(notice.day, date)
    assert isinstance(notice.recipients, list)
    assert isinstance(notice.details, dict)
    return Message(
        notice.id,
        str(notice.kind),
        notice.subject_id,
        notice.day,
        notice.recipients,
        notice.details,
    )


def make_outbox(app: Any, sender: Sender, clock: Callable[[], datetime]) -> Outbox:
    """The outbox view on the application's own store, its runner, and the dispatcher."""
    view: OutboxViewSQL
    if isinstance(app.factory, SQLiteFactory):
        view = SQLiteOutboxView(app.factory.datastore)
    elif isinstance(app.factory, PostgresFactory):
        view = PostgresOutboxView(app.factory.datastore)
    else:  # pragma: no cover - settings allow only the two
        raise TypeError(type(app.factory).__name__)
    view.create_table()
    runner = ProjectionRunner(app, view, OutboxProjection())
    return Outbox(app, view, runner, sender, clock)
