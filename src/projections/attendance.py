"""The attendance projection: a department's "present now" list and unit-day counters.

Counters use plaintext fields only (minutes, first-of-day flags, day, unit), so a rebuild
after culling gives the same numbers. The present list uses the sealed child reference; when
it reads as culled the row is simply not made.
"""

from __future__ import annotations

from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from domain.attendance import DepartmentDay
from domain.gallring import GallringRun
from domain.personal import Category
from projections.changes import (
    Change,
    ChildArrived,
    ChildLeft,
    DayCounts,
    DayOpened,
    PeriodsCulled,
)


class AttendanceProjection:
    name = "attendance"

    def __init__(self, department_of: dict[UUID, UUID] | None = None) -> None:
        # stream id -> department id, learned from Opened events (and the view on restart)
        self.department_of: dict[UUID, UUID] = department_of or {}

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[Change]:
        return []

    @changes.register
    def _(self, e: DepartmentDay.Opened) -> list[Change]:
        self.department_of[e.originator_id] = e.department_id
        return [DayOpened(e.originator_id, e.unit_id, e.department_id, e.day)]

    @changes.register
    def _(self, e: DepartmentDay.CheckedIn) -> list[Change]:
        out: list[Change] = [DayCounts(e.originator_id, e.day, children=int(e.first_of_day))]
        department = self.department_of.get(e.originator_id)
        if department is not None and isinstance(e.child_id, UUID) and isinstance(e.at, datetime):
            out.append(ChildArrived(department, e.child_id, e.at, e.day))
        return out

    @changes.register
    def _(self, e: DepartmentDay.CheckedOut) -> list[Change]:
        out: list[Change] = [DayCounts(e.originator_id, e.day, presence_minutes=e.minutes)]
        department = self.department_of.get(e.originator_id)
        if department is not None and isinstance(e.child_id, UUID):
            out.append(ChildLeft(department, e.child_id))
        return out

    @changes.register
    def _(self, e: DepartmentDay.AbsenceReported) -> list[Change]:
        return [DayCounts(e.originator_id, e.day, children=int(e.first_of_day), absence_days=1)]

    @changes.register
    def _(self, e: GallringRun.Decided) -> list[Change]:
        if e.category == Category.ATTENDANCE:
            return [PeriodsCulled(e.category, tuple(e.epochs))]
        return []
