"""The live overview's answer: counts per department, nobody named."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from api.http.schemas import Model


class DepartmentNowPublic(Model):
    department_id: UUID
    name: str
    placed: int
    scheduled: int
    present_now: int
    arrived: int
    gone_home: int
    absent: dict[str, int]
    expected_not_arrived: int
    unscheduled_present: int
    staff_on_shift: int
    open_exceptions: int


class ScheduleRequestPublic(Model):
    child_id: UUID
    schedule_id: UUID
    placement_id: UUID
    start_date: date
    end_date: date | None
    temporary: bool
    laid_at: datetime
