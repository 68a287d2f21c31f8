"""The attendance projection: a department's "present now" list and anonymous day counters.

Counters use readable fields only (each kiosk event's deltas of the day's totals, absence
kinds and flags, the close's plan figures), so they are sums in any delivery order and a
rebuild after culling gives the same numbers. The present list uses the sealed child reference
and its ``present_since``; when either reads as culled no row is made.
"""

from __future__ import annotations

from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from domain.absence import kind_of
from domain.attendance import DepartmentDay
from domain.compiled_month import CompiledMonth
from domain.gallring import GallringRun
from domain.personal import Category, counted
from projections.changes import (
    Change,
    DayCounts,
    DayOpened,
    DayPlan,
    MonthFigures,
    PeriodsCulled,
    Presence,
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
    def _(self, e: DepartmentDay.KioskFact) -> list[Change]:
        out: list[Change] = [
            DayCounts(
                e.originator_id,
                e.day,
                children=counted(e.present_delta),
                presence_minutes=counted(e.minutes_delta),
                present_children=counted(e.present_delta),
                conflicts=counted(e.conflicts_delta),
                flagged=counted(e.flagged_delta),
            )
        ]
        department = self.department_of.get(e.originator_id)
        since = e.present_since
        if department is not None and isinstance(e.child_id, UUID):
            if since is None:
                out.append(Presence(department, e.child_id, e.day, None))
            elif isinstance(since, datetime):
                out.append(Presence(department, e.child_id, e.day, since))
        return out

    @changes.register
    def _(self, e: DepartmentDay.DayClosed) -> list[Change]:
        figures = (e.placed_children, e.scheduled_children, e.scheduled_minutes)
        return [DayPlan(e.originator_id, *figures)]

    @changes.register
    def _(self, e: DepartmentDay.AbsenceReported) -> list[Change]:
        return [
            DayCounts(
                e.originator_id,
                e.day,
                children=counted(e.first_of_day),
                absence_days=1,
                absence_kind=kind_of(e.kind),
                absence_reports=1,
            )
        ]

    @changes.register
    def _(self, e: DepartmentDay.AbsenceCancelled) -> list[Change]:
        return [
            DayCounts(
                e.originator_id,
                e.day,
                children=-counted(e.counted),
                absence_days=-1,
                absence_kind=kind_of(e.kind),
            )
        ]

    @changes.register
    def _(self, e: CompiledMonth.Compiled) -> list[Change]:
        if e.sheet != Category.DAY_SHEET:
            return []
        return [MonthFigures(e.month, tuple(e.days), tuple(e.unit_days))]

    @changes.register
    def _(self, e: GallringRun.Decided) -> list[Change]:
        if e.category == Category.ATTENDANCE:
            return [PeriodsCulled(e.category, tuple(e.epochs))]
        return []
