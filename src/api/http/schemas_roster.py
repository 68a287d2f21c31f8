"""Request and response models of staff shifts (Tempus "schemauppgifter")."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from pydantic import Field

from api.http.schemas import Model, shown
from api.roster_commands import ShiftView
from domain.roster import MAX_BREAKS, ShiftType

_TYPES = ", ".join(ShiftType)


class BreakBody(Model):
    start: time
    end: time


class ShiftPut(Model):
    staff_id: UUID
    day: date = Field(description="the shift's day; the staff member and day are the shift's own")
    start: time = Field(description="local wall-clock time")
    end: time = Field(description="local wall-clock time, the same day, at most 13 hours on")
    breaks: list[BreakBody] = Field(default_factory=list, max_length=MAX_BREAKS)
    shift_type: str = Field(default=str(ShiftType.ORDINARY), description=_TYPES, max_length=40)


class ShiftOutcome(Model):
    shift_id: UUID
    outcome: str = Field(description="planned, changed or unchanged (a retry)")


class ShiftPublic(Model):
    shift_id: UUID
    department_id: UUID
    unit_id: UUID
    day: date
    working_minutes: int | None = Field(description="end - start - breaks; null once culled")
    staff_id: UUID | None
    start: time | None
    end: time | None
    breaks: list[BreakBody] | None
    shift_type: str | None
    culled: list[str] = Field(default_factory=list)


def shift_public(view: ShiftView) -> ShiftPublic:
    values, culled = shown(
        {
            "staff_id": view.staff_id,
            "working_minutes": view.working_minutes,
            "start": view.start,
            "end": view.end,
            "breaks": view.breaks,
            "shift_type": view.shift_type,
        }
    )
    breaks = values.pop("breaks")
    return ShiftPublic(
        shift_id=view.shift_id,
        department_id=view.department_id,
        unit_id=view.unit_id,
        day=view.day,
        breaks=None if breaks is None else [BreakBody(start=s, end=e) for s, e in breaks],
        culled=culled,
        **values,
    )
