"""A month's staff figures, compiled before the month's roster sheet is culled (ADR 0022).

Each planned or changed shift seals its working minutes and first-of-day flag in the month's
roster sheet, so a culled shift shows no minutes of its own. Before the sheet goes, gallring
records the month's per department-day staff counters here; a rebuild takes them from this
event. Nothing here is personal: staff present, working minutes and shifts per department
and day.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/roster-month")


def roster_month_id(month: str) -> UUID:
    return uuid5(_NAMESPACE, month)


class RosterMonth(Aggregate):
    """The staff counters of one month's department-days, as they stood before culling."""

    class Compiled(Aggregate.Created):
        month: str
        days: list[dict[str, Any]]  # department_id, unit_id, day and the day's counters

    @classmethod
    def compile(cls, month: str, days: list[dict[str, Any]]) -> RosterMonth:
        return cls._create(cls.Compiled, id=roster_month_id(month), month=month, days=days)

    @event(Compiled)
    def __init__(self, month: str, days: list[dict[str, Any]]) -> None:
        self.month = month
        self.days = days
