"""A month's attendance figures, compiled before the month's day sheet is culled (ADR 0022).

Why: each kiosk fact and absence report seals its share of the day's counters under the
month's day sheet, so that once the month is culled a quiet day shows no minutes or absence
kinds of its own. The statistics must survive that, and be rebuildable from the events: so
gallring first records the month's department-day and unit-day figures as they stood, one
event for the month, and only then destroys the sheet. A rebuild takes the month's figures
from this event, whatever the culled records still say.

Nothing here is personal: every figure counts children or minutes of a department or a unit.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/attendance-month")


def attendance_month_id(month: str) -> UUID:
    """One compiled record per month ("2023-01"), so compiling twice finds the first."""
    return uuid5(_NAMESPACE, month)


class AttendanceMonth(Aggregate):
    """The figures of one month, as they stood when its day sheet was about to be culled."""

    class Compiled(Aggregate.Created):
        month: str
        # Per department-day: department_id, unit_id, day and the day's counters.
        days: list[dict[str, Any]]
        # Per unit-day: unit_id, day and the unit's counters.
        unit_days: list[dict[str, Any]]

    @classmethod
    def compile(
        cls, month: str, days: list[dict[str, Any]], unit_days: list[dict[str, Any]]
    ) -> AttendanceMonth:
        return cls._create(
            cls.Compiled,
            id=attendance_month_id(month),
            month=month,
            days=days,
            unit_days=unit_days,
        )

    @event(Compiled)
    def __init__(
        self, month: str, days: list[dict[str, Any]], unit_days: list[dict[str, Any]]
    ) -> None:
        self.month = month
        self.days = days
        self.unit_days = unit_days
