"""What a projection asks a view to do. Projections are pure: events in, changes out.

Keeping the SQL in the views (one per backend) and the decisions here means the same handler
code feeds SQLite and PostgreSQL, and a page of changes commits with its tracking position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DayOpened:
    stream_id: UUID
    unit_id: UUID
    department_id: UUID
    day: date


@dataclass(frozen=True, slots=True)
class Presence:
    """A child's state on a department-day after its latest fact: in since, or not in.
    A later day's row is never replaced or removed by an earlier day's late fact."""

    department_id: UUID
    child_id: UUID
    day: date
    since: datetime | None


@dataclass(frozen=True, slots=True)
class DayCounts:
    """Additions to the anonymous counters of a department-day and of its unit's day."""

    stream_id: UUID
    day: date
    children: int = 0  # children seen: present, or absent and not present
    presence_minutes: int = 0
    present_children: int = 0
    conflicts: int = 0
    flagged: int = 0
    absence_days: int = 0  # reported minus cancelled
    absence_kind: str | None = None  # sick | leave | other | unknown, for absence_days
    absence_reports: int = 0  # events sealing health data, for gallring's counts
    events: int = 1  # events sealing attendance data, for gallring's counts


@dataclass(frozen=True, slots=True)
class DayPlan:
    """A department-day closed, with its readable plan figures."""

    stream_id: UUID
    placed_children: int
    scheduled_children: int
    scheduled_minutes: int


@dataclass(frozen=True, slots=True)
class PeriodsCulled:
    """Personal rows of these months must go: their keys are being destroyed."""

    category: str
    months: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """A month's counters as gallring compiled them before culling its day sheet: they
    replace whatever the month's records still add up to (ADR 0022)."""

    month: str
    days: tuple[dict[str, Any], ...]  # department_id, unit_id, day, and the day's counters
    unit_days: tuple[dict[str, Any], ...]  # unit_id, day, and the unit's counters


Change = DayOpened | Presence | DayCounts | DayPlan | PeriodsCulled | MonthFigures
