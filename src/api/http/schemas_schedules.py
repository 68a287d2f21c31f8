"""Request and response models of stay schedules (SS 12000 AttendanceSchedule names)."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from pydantic import Field, StrictBool

from api.http.schemas import Model
from domain.schedule_terms import MAX_ENTRIES, MAX_WEEKLY_HOURS, MAX_WEEKS
from domain.stay_schedule import MAX_REASON


class EntryIn(Model):
    day_of_week: int = Field(ge=1, le=7, description="1 = Monday ... 7 = Sunday")
    start_time: time = Field(description="HH:MM")
    end_time: time = Field(description="HH:MM, after start_time")
    week_offset: int = Field(default=0, ge=0, lt=MAX_WEEKS, description="week of the cycle")


class ScheduleCreate(Model):
    schedule_id: UUID = Field(description="chosen by the client: sending it again is a no-op")
    placement_id: UUID
    start_date: date
    end_date: date | None = Field(default=None, description="required for a temporary one")
    number_of_weeks: int = Field(default=1, ge=1, le=MAX_WEEKS)
    temporary: StrictBool = False
    entries: list[EntryIn] = Field(max_length=MAX_ENTRIES)
    approved: StrictBool = Field(default=False, description="staff only: lay it approved")


class ScheduleReject(Model):
    reason: str | None = Field(default=None, max_length=MAX_REASON)


class HoursSet(Model):
    weekly_hours: int | None = Field(ge=1, le=MAX_WEEKLY_HOURS, description="null: no maximum")


class HoursPublic(Model):
    placement_id: UUID
    weekly_hours: int | None
    culled: list[str] = Field(default_factory=list)


class LaidPublic(Model):
    id: UUID
    state: str
    duplicate: bool


class StatePublic(Model):
    id: UUID
    state: str


class EntryPublic(Model):
    day_of_week: int
    start_time: time
    end_time: time
    week_offset: int


class DecisionPublic(Model):
    state: str
    ss12000_state: str | None
    by: UUID | None = Field(description="null: an administrator, or culled")
    at: datetime
    reason: str | None = None
    culled: list[str] = Field(default_factory=list)


class SchedulePublic(Model):
    """A culled schedule keeps its id, state and history's states and times; the rest is
    null and named in ``culled``."""

    id: UUID
    state: str
    ss12000_state: str | None
    placement_id: UUID | None
    start_date: date | None
    end_date: date | None
    number_of_weeks: int | None
    temporary: bool | None
    entries: list[EntryPublic] | None
    laid_by: UUID | None
    laid_at: datetime
    in_force_until: date | None = Field(
        description="last day it can apply: its end, or the day before the next regular one"
    )
    history: list[DecisionPublic]
    culled: list[str] = Field(default_factory=list)


class StretchPublic(Model):
    start_time: time
    end_time: time


class DayPublic(Model):
    day: date
    minutes: int | None = Field(description="null: no approved schedule applies; 0: off")
    times: list[StretchPublic]
    schedule_ids: list[UUID]


class PlanPublic(Model):
    child_id: UUID
    days: list[DayPublic]
