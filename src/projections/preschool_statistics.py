"""Anonymous preschool and fritids statistics: scheduled against actual presence, occupancy,
absence by type and children per staff member, per department and day, week or month.

Everything is summed from readable per-department-day figures (the kiosk's deltas, the night
close's plan figures, the roster's working minutes), so a rebuild after culling gives the same
tables. Small cells are suppressed (``projections.suppression``). A cell's ``persons`` is a
lower bound of the distinct children behind it: the most on any one of its days (children
present, or absent with that kind), since nothing readable tells two days' children apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from projections.roster import RosterRecords, StaffMinutes
from projections.runner import ProjectionRunner
from projections.suppression import TOTAL, Cell, PublishedCell, suppress, totals
from projections.views.attendance import ABSENCE_KINDS, AttendanceViewSQL, DepartmentDayRow

MAX_DAYS = 366  # one query covers at most a year of days

PRESENCE_MEASURES = (
    "placed_child_days",
    "scheduled_child_days",
    "scheduled_minutes",
    "present_child_days",
    "presence_minutes",
    "staff_minutes",
    "unclosed_check_ins",
)


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def period_of(day: date, granularity: Granularity) -> str:
    """2026-03-16, 2026-W12 (ISO week) or 2026-03."""
    if granularity is Granularity.DAY:
        return day.isoformat()
    if granularity is Granularity.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Table:
    threshold: int
    dimensions: tuple[str, ...]
    cells: list[PublishedCell]
    totals: list[PublishedCell]


@dataclass
class _Sums:
    values: dict[str, int]
    most_on_a_day: int = 0


def _presence_sums(
    days: Iterable[DepartmentDayRow], staff: Iterable[StaffMinutes], granularity: Granularity
) -> dict[tuple[str, str], _Sums]:
    sums: dict[tuple[str, str], _Sums] = {}

    def at(department: UUID, day: date) -> _Sums:
        key = (str(department), period_of(day, granularity))
        return sums.setdefault(key, _Sums(dict.fromkeys(PRESENCE_MEASURES, 0)))

    for row in days:
        cell = at(row.department_id, row.day)
        v = cell.values
        v["placed_child_days"] += row.placed_children
        v["scheduled_child_days"] += row.scheduled_children
        v["scheduled_minutes"] += row.scheduled_minutes
        v["present_child_days"] += row.present_children
        v["presence_minutes"] += row.presence_minutes
        v["unclosed_check_ins"] += row.flagged
        cell.most_on_a_day = max(cell.most_on_a_day, row.present_children)
    for shift_day in staff:
        if (str(shift_day.department_id), period_of(shift_day.day, granularity)) in sums:
            at(shift_day.department_id, shift_day.day).values["staff_minutes"] += (
                shift_day.working_minutes
            )
    return sums


def _most_per_day_over_departments(
    days: Iterable[DepartmentDayRow], granularity: Granularity, count: str
) -> dict[tuple[str, ...], int]:
    """Per total key (``*``, period[, kind]), the most children on one day over all the
    departments: the lower bound of distinct children behind a total."""
    per_day: dict[tuple[str, date], int] = {}
    for row in days:
        if count == "present":
            per_day[("", row.day)] = per_day.get(("", row.day), 0) + row.present_children
        else:
            for kind, n in row.absences.items():
                per_day[(kind, row.day)] = per_day.get((kind, row.day), 0) + n
    result: dict[tuple[str, ...], int] = {}
    for (kind, day), n in per_day.items():
        key = (TOTAL, period_of(day, granularity), *((kind,) if kind else ()))
        result[key] = max(result.get(key, 0), n)
    return result


def presence_table(
    days: Sequence[DepartmentDayRow],
    staff: Sequence[StaffMinutes],
    granularity: Granularity,
    threshold: int,
) -> Table:
    """Cells keyed (department, period); totals per period over the departments."""
    sums = _presence_sums(days, staff, granularity)
    cells = [
        Cell(key=key, persons=s.most_on_a_day, values=s.values)
        for key, s in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    published = suppress(cells, threshold=threshold, group_dims=(0,))
    return Table(
        threshold=threshold,
        dimensions=("department_id", granularity.value),
        cells=published,
        totals=totals(
            cells,
            threshold=threshold,
            over_dim=0,
            published=published,
            group_persons=_most_per_day_over_departments(days, granularity, "present"),
        ),
    )


def absence_table(
    days: Sequence[DepartmentDayRow], granularity: Granularity, threshold: int
) -> Table:
    """Absence child-days by kind: cells keyed (department, period, kind); totals per period
    and kind over the departments. A kind's cell rests on the most children absent with it
    on one day, so one child sick all week never makes a publishable cell alone."""
    sums: dict[tuple[str, str, str], _Sums] = {}
    for row in days:
        for kind in ABSENCE_KINDS:
            n = row.absences.get(kind, 0)
            key = (str(row.department_id), period_of(row.day, granularity), kind)
            cell = sums.setdefault(key, _Sums({"absent_child_days": 0}))
            cell.values["absent_child_days"] += n
            cell.most_on_a_day = max(cell.most_on_a_day, n)
    cells = [
        Cell(key=key, persons=s.most_on_a_day, values=s.values)
        for key, s in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))
    ]
    published = suppress(cells, threshold=threshold, group_dims=(0,))
    return Table(
        threshold=threshold,
        dimensions=("department_id", granularity.value, "kind"),
        cells=published,
        totals=totals(
            cells,
            threshold=threshold,
            over_dim=0,
            published=published,
            group_persons=_most_per_day_over_departments(days, granularity, "absence"),
        ),
    )


def ratios(values: dict[str, int] | None) -> dict[str, float | None]:
    """What a published presence cell implies, never computed from a suppressed one:
    occupancy (present child-days per placed child-day), attendance against schedule
    (presence minutes per scheduled minute) and children per staff member present
    (child minutes per staff minute)."""
    if values is None:
        return {}

    def share(a: str, b: str) -> float | None:
        return round(values[a] / values[b], 3) if values.get(b) else None

    return {
        "occupancy": share("present_child_days", "placed_child_days"),
        "presence_of_scheduled": share("presence_minutes", "scheduled_minutes"),
        "children_per_staff": share("presence_minutes", "staff_minutes"),
    }


@dataclass(frozen=True)
class Query:
    """Which departments (directly, or all of some units), which days, at what grain."""

    first: date
    last: date
    granularity: Granularity = Granularity.MONTH
    department_ids: Sequence[UUID] = ()
    unit_ids: Sequence[UUID] = ()
    threshold: int | None = None


class PreschoolStatistics:
    """The statisticians' queries: departments chosen directly or by unit, over a period."""

    def __init__(
        self,
        view: AttendanceViewSQL,
        runner: ProjectionRunner,
        roster: RosterRecords,
        *,
        threshold: int = 5,
    ) -> None:
        self.view = view
        self.runner = runner
        self.roster = roster
        self.threshold = threshold

    def _days(self, query: Query) -> tuple[list[UUID], list[DepartmentDayRow]]:
        self.runner.catch_up()
        units = self.view.departments_of(query.unit_ids)
        departments = sorted({*query.department_ids, *units})
        return departments, self.view.department_days(departments, query.first, query.last)

    def presence(self, query: Query) -> Table:
        departments, days = self._days(query)
        staff = self.roster.staff_minutes(departments, query.first, query.last)
        return presence_table(days, staff, query.granularity, query.threshold or self.threshold)

    def absence(self, query: Query) -> Table:
        _, days = self._days(query)
        return absence_table(days, query.granularity, query.threshold or self.threshold)
