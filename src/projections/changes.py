"""What a projection asks a view to do. Projections are pure: events in, changes out.

Keeping the SQL in the views (one per backend) and the decisions here means the same handler
code feeds SQLite and PostgreSQL, and a page of changes commits with its tracking position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DayOpened:
    stream_id: UUID
    unit_id: UUID
    department_id: UUID
    day: date


@dataclass(frozen=True, slots=True)
class ChildArrived:
    department_id: UUID
    child_id: UUID
    at: datetime
    day: date


@dataclass(frozen=True, slots=True)
class ChildLeft:
    department_id: UUID
    child_id: UUID


@dataclass(frozen=True, slots=True)
class DayCounts:
    """Additions to a unit's anonymous per-day counters."""

    stream_id: UUID
    day: date
    children: int = 0
    presence_minutes: int = 0
    absence_days: int = 0
    events: int = 1


@dataclass(frozen=True, slots=True)
class PeriodsCulled:
    """Personal rows of these months must go: their keys are being destroyed."""

    category: str
    months: tuple[str, ...]


Change = DayOpened | ChildArrived | ChildLeft | DayCounts | PeriodsCulled
