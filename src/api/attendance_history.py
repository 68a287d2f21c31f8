"""A child's own attendance history (Tempus Hemma's "se historik för närvaro"): day by day,
the kiosk facts about the child, the minutes they add up to, and any absence reported.

Read straight from the department-days the child was placed at, all days in one query, so no
read model holds a child's times. A culled month has nothing left to show: its days are
simply not in the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from api.app_base import GallraBase
from domain.attendance import DepartmentDay, department_day_id
from domain.errors import RuleViolationError
from domain.people import Child
from domain.personal import Shredded

MAX_HISTORY_DAYS = 93


@dataclass(frozen=True, slots=True)
class HistoryFact:
    type: str  # check-in | check-out | night-close
    at: datetime
    by: UUID | None
    conflict: str | None  # the rule it breaks, when the day's facts make it one


@dataclass(frozen=True, slots=True)
class ChildDay:
    day: date
    department_id: UUID
    facts: list[HistoryFact]
    minutes: int
    present_since: datetime | None
    absence_kind: str | None
    absence_reason: str | None
    culled: list[str]


class AttendanceHistory(GallraBase):
    """The child's days at its departments, for its guardians and the staff who see it."""

    def attendance_history(self, child_id: UUID, first: date, last: date) -> list[ChildDay]:
        if last < first:
            raise RuleViolationError("the last day is before the first", field="to")
        if (last - first).days >= MAX_HISTORY_DAYS:
            raise RuleViolationError(
                f"a history covers at most {MAX_HISTORY_DAYS} days", field="to"
            )
        child = self._get(Child, child_id, "child")
        wanted: dict[UUID, tuple[date, UUID]] = {}
        day = first
        while day <= last:
            for placement in child.active_placements(day):
                if isinstance(placement.department_id, UUID):
                    wanted[department_day_id(placement.department_id, day)] = (
                        day,
                        placement.department_id,
                    )
            day += timedelta(days=1)
        days = self._get_many(DepartmentDay, list(wanted))
        answer = [
            found
            for stream_id, (on, department) in sorted(wanted.items(), key=lambda kv: kv[1])
            if stream_id in days
            and (found := _child_day(days[stream_id], child_id, on, department)) is not None
        ]
        return answer


def _child_day(dd: DepartmentDay, child_id: UUID, day: date, department: UUID) -> ChildDay | None:
    facts = dd.facts.get(child_id, [])
    absence = dd.absences.get(child_id)
    if not facts and absence is None:
        return None
    derived = dd.derived(child_id)
    reason = absence.reason if absence is not None else None
    return ChildDay(
        day=day,
        department_id=department,
        facts=[
            HistoryFact(
                str(f.kind),
                f.at,
                f.by,
                str(derived.conflicts[f.submission_id])
                if f.submission_id in derived.conflicts
                else None,
            )
            for f in sorted(facts, key=lambda f: f.sort_key())
        ],
        minutes=sum(derived.minutes.values()),
        present_since=derived.present_since,
        absence_kind=absence.kind if absence is not None else None,
        absence_reason=None if isinstance(reason, Shredded) else reason,
        culled=["absence_reason"] if isinstance(reason, Shredded) else [],
    )
