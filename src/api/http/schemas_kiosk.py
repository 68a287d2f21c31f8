"""Request and response models of the kiosk's batch sync, a day's exceptions and absence
cancelling. Outcomes name ids, statuses, rules and fields, never a personal value."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from api.http.schemas import Model
from api.kiosk_sync_commands import MAX_BATCH


class KioskSyncEvent(Model):
    submission_id: UUID = Field(description="the kiosk's own id; a re-sent event is a duplicate")
    type: Literal["check-in", "check-out"]
    child_id: UUID
    at: AwareDatetime = Field(description="the kiosk's clock when the event happened")
    by: UUID | None = Field(default=None, description="a guardian or pick-up person")


class KioskSyncBatch(Model):
    events: list[KioskSyncEvent] = Field(max_length=MAX_BATCH)


class KioskEventOutcome(Model):
    submission_id: UUID
    status: Literal["recorded", "duplicate", "conflict", "refused"]
    field: str | None = Field(default=None, description="refused: the input at fault")
    message: str | None = None
    rule: str | None = Field(default=None, description="conflict: the rule it breaks")
    minutes: int | None = Field(default=None, description="a check-out's pair minutes")


class KioskSyncAnswer(Model):
    outcomes: list[KioskEventOutcome]


class DayExceptionPublic(Model):
    submission_id: UUID
    child_id: UUID
    kind: str
    at: datetime
    rule: str


class AbsenceCancel(Model):
    first_day: date
    last_day: date | None = None
    submission_id: UUID | None = Field(
        default=None, description="cancel only the absence this report made"
    )


class AbsenceCancelDay(Model):
    day: date
    cancelled: bool


class AbsenceCancelAnswer(Model):
    days: list[AbsenceCancelDay]
