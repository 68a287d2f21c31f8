"""The live overview's answer: counts per department, nobody named."""

from __future__ import annotations

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
