"""The attendance read model, written once against a small SQL dialect shim.

Tables (prefix att_): department_days (stream -> unit, department, day, closed), present (who
is in now, per department, from the latest day's facts; purged when their month is culled),
unit_days (anonymous counters per unit and day) and day_counts (anonymous counters and plan
figures per department and day, for the statistics). Counters are sums of readable deltas,
never purged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from projections.changes import (
    Change,
    DayCounts,
    DayOpened,
    DayPlan,
    MonthFigures,
    PeriodsCulled,
    Presence,
)
from projections.views.unit_months import UnitMonthQueries, month_of


@dataclass(frozen=True, slots=True)
class PresentRow:
    child_id: UUID
    checked_in_at: datetime


@dataclass(frozen=True, slots=True)
class DepartmentDayRow:
    """A department-day's anonymous figures; absences are reported minus cancelled."""

    department_id: UUID
    unit_id: UUID
    day: date
    closed: bool
    present_children: int
    presence_minutes: int
    conflicts: int
    flagged: int
    absences: dict[str, int]  # sick, leave, other, unknown
    placed_children: int
    scheduled_children: int
    scheduled_minutes: int


ABSENCE_KINDS = ("sick", "leave", "other", "unknown")
_COUNTS = (
    "present_children",
    "presence_minutes",
    "conflicts",
    "flagged",
    *(f"absent_{k}" for k in ABSENCE_KINDS),
    "events",
)
_PLAN = ("placed_children", "scheduled_children", "scheduled_minutes")
_UNIT_COUNTS = ("children", "presence_minutes", "absence_days", "absence_reports", "events")


class AttendanceViewSQL(UnitMonthQueries):
    """Backend-neutral SQL; subclasses mix in the library's tracking recorder."""

    tracking_name = "gallra/attendance"
    tables = ("att_department_days", "att_present", "att_unit_days", "att_day_counts")

    def view_statements(self, *, uuid: str, blob_time: str) -> list[str]:
        counts = ", ".join(f"{c} BIGINT NOT NULL DEFAULT 0" for c in (*_COUNTS, *_PLAN))
        return [
            f"CREATE TABLE IF NOT EXISTS {self._t('att_department_days')} ("
            f"stream_id {uuid} PRIMARY KEY, unit_id {uuid} NOT NULL, "
            f"department_id {uuid} NOT NULL, day TEXT NOT NULL, "
            "closed INTEGER NOT NULL DEFAULT 0)",
            f"CREATE INDEX IF NOT EXISTS att_department_days_day ON "
            f"{self._t('att_department_days')} (day, department_id)",
            f"CREATE TABLE IF NOT EXISTS {self._t('att_present')} ("
            f"department_id {uuid} NOT NULL, child_id {uuid} NOT NULL, "
            f"checked_in_at {blob_time} NOT NULL, day TEXT NOT NULL, month TEXT NOT NULL, "
            "PRIMARY KEY (department_id, child_id))",
            f"CREATE TABLE IF NOT EXISTS {self._t('att_unit_days')} ("
            f"unit_id {uuid} NOT NULL, day TEXT NOT NULL, month TEXT NOT NULL, "
            "children INTEGER NOT NULL, presence_minutes BIGINT NOT NULL, "
            "absence_days INTEGER NOT NULL, absence_reports INTEGER NOT NULL, "
            "events INTEGER NOT NULL, PRIMARY KEY (unit_id, day))",
            f"CREATE TABLE IF NOT EXISTS {self._t('att_day_counts')} ("
            f"department_id {uuid} NOT NULL, day TEXT NOT NULL, unit_id {uuid} NOT NULL, "
            f"month TEXT NOT NULL, {counts}, PRIMARY KEY (department_id, day))",
        ]

    # -- writing ---------------------------------------------------------------------------

    def _apply_one(self, c: Any, change: Change) -> None:
        if isinstance(change, DayOpened):
            c.execute(
                self._q(
                    f"INSERT INTO {self._t('att_department_days')} "
                    "(stream_id, unit_id, department_id, day) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (stream_id) DO NOTHING"
                ),
                (
                    self._id(change.stream_id),
                    self._id(change.unit_id),
                    self._id(change.department_id),
                    change.day.isoformat(),
                ),
            )
        elif isinstance(change, DayCounts):
            self._unit_counts(c, change)
            self._day_counts(c, change)
        elif isinstance(change, DayPlan):
            self._day_plan(c, change)
        elif isinstance(change, Presence):
            self._presence(c, change)
        elif isinstance(change, MonthFigures):
            self._month_figures(c, change)
        elif isinstance(change, PeriodsCulled):
            for month in change.months:
                c.execute(
                    self._q(f"DELETE FROM {self._t('att_present')} WHERE month = ?"), (month,)
                )

    def _unit_counts(self, c: Any, change: DayCounts) -> None:
        columns = ("children", "presence_minutes", "absence_days", "absence_reports", "events")
        add = ", ".join(f"{n} = att_unit_days.{n} + excluded.{n}" for n in columns)
        c.execute(
            self._q(
                f"INSERT INTO {self._t('att_unit_days')} (unit_id, day, month, "
                f"{', '.join(columns)}) SELECT unit_id, ?, ?, ?, ?, ?, ?, ? "
                f"FROM {self._t('att_department_days')} WHERE stream_id = ? "
                f"ON CONFLICT (unit_id, day) DO UPDATE SET {add}"
            ),
            (
                change.day.isoformat(),
                month_of(change.day),
                change.children,
                change.presence_minutes,
                change.absence_days,
                change.absence_reports,
                change.events,
                self._id(change.stream_id),
            ),
        )

    def _day_counts(self, c: Any, change: DayCounts) -> None:
        values = dict.fromkeys(_COUNTS, 0)
        values |= {
            "present_children": change.present_children,
            "presence_minutes": change.presence_minutes,
            "conflicts": change.conflicts,
            "flagged": change.flagged,
            "events": change.events,
        }
        if change.absence_kind is not None:
            values[f"absent_{change.absence_kind}"] = change.absence_days
        add = ", ".join(f"{n} = att_day_counts.{n} + excluded.{n}" for n in values)
        c.execute(
            self._q(
                f"INSERT INTO {self._t('att_day_counts')} (department_id, day, unit_id, month, "
                f"{', '.join(values)}) SELECT department_id, day, unit_id, ?, "
                f"{', '.join('?' * len(values))} FROM {self._t('att_department_days')} "
                f"WHERE stream_id = ? ON CONFLICT (department_id, day) DO UPDATE SET {add}"
            ),
            (month_of(change.day), *values.values(), self._id(change.stream_id)),
        )

    def _month_figures(self, c: Any, change: MonthFigures) -> None:
        """Set, not add: the compiled month replaces what its records still add up to."""
        month = {"month": change.month}
        days = ({**r, **month} for r in change.days)
        keys = ("department_id", "day", "unit_id", "month")
        self._put_figures(c, "att_day_counts", keys, _COUNTS, days)
        unit_days = ({**r, **month} for r in change.unit_days)
        self._put_figures(c, "att_unit_days", ("unit_id", "day", "month"), _UNIT_COUNTS, unit_days)

    def month_figures(self, month: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The month's department-day and unit-day counters, as ``MonthFigures`` holds them."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT department_id, day, unit_id, {', '.join(_COUNTS)} "
                    f"FROM {self._t('att_day_counts')} WHERE month = ? "
                    "ORDER BY day, department_id"
                ),
                (month,),
            )
            days = [
                {
                    "department_id": self._uuid(r["department_id"]),
                    "unit_id": self._uuid(r["unit_id"]),
                    "day": str(r["day"]),
                    **{n: int(r[n]) for n in _COUNTS},
                }
                for r in c.fetchall()
            ]
            c.execute(
                self._q(
                    f"SELECT unit_id, day, {', '.join(_UNIT_COUNTS)} "
                    f"FROM {self._t('att_unit_days')} WHERE month = ? ORDER BY day, unit_id"
                ),
                (month,),
            )
            units = [
                {
                    "unit_id": self._uuid(r["unit_id"]),
                    "day": str(r["day"]),
                    **{n: int(r[n]) for n in _UNIT_COUNTS},
                }
                for r in c.fetchall()
            ]
        return days, units

    def _day_plan(self, c: Any, change: DayPlan) -> None:
        figures = {n: getattr(change, n) for n in _PLAN}
        c.execute(
            self._q(f"UPDATE {self._t('att_department_days')} SET closed = 1 WHERE stream_id = ?"),
            (self._id(change.stream_id),),
        )
        c.execute(
            self._q(
                f"INSERT INTO {self._t('att_day_counts')} (department_id, day, unit_id, month, "
                f"{', '.join(figures)}) SELECT department_id, day, unit_id, substr(day, 1, 7), "
                f"?, ?, ? FROM {self._t('att_department_days')} WHERE stream_id = ? "
                "ON CONFLICT (department_id, day) DO UPDATE SET "
                + ", ".join(f"{n} = excluded.{n}" for n in figures)
            ),
            (*figures.values(), self._id(change.stream_id)),
        )

    def _presence(self, c: Any, change: Presence) -> None:
        key = (self._id(change.department_id), self._id(change.child_id))
        if change.since is None:
            c.execute(
                self._q(
                    f"DELETE FROM {self._t('att_present')} WHERE department_id = ? "
                    "AND child_id = ? AND day <= ?"
                ),
                (*key, change.day.isoformat()),
            )
            return
        c.execute(
            self._q(
                f"INSERT INTO {self._t('att_present')} (department_id, child_id, checked_in_at, "
                "day, month) VALUES (?, ?, ?, ?, ?) ON CONFLICT (department_id, child_id) "
                "DO UPDATE SET checked_in_at = excluded.checked_in_at, day = excluded.day, "
                "month = excluded.month WHERE excluded.day >= att_present.day"
            ),
            (*key, self._ts(change.since), change.day.isoformat(), month_of(change.day)),
        )

    # -- reading ---------------------------------------------------------------------------

    def department_streams(self) -> dict[UUID, UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT stream_id, department_id FROM {self._t('att_department_days')}")
            return {
                self._uuid(r["stream_id"]): self._uuid(r["department_id"]) for r in c.fetchall()
            }

    def events_in(self, category: str, months: Sequence[str]) -> int:
        """How many sealed events of ``category`` the given months hold (for gallring records)."""
        if not months:
            return 0
        column = "absence_reports" if category == "health" else "events"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT COALESCE(SUM({column}), 0) AS n FROM {self._t('att_unit_days')} "
                    f"WHERE month IN ({', '.join('?' * len(months))})"
                ),
                list(months),
            )
            return int(c.fetchone()["n"])

    def department_days(
        self, department_ids: Sequence[UUID], first: date, last: date
    ) -> list[DepartmentDayRow]:
        """The departments' day figures from ``first`` to ``last``, by department and day."""
        if not department_ids:
            return []
        columns = ", ".join(f"n.{c}" for c in (*_COUNTS, *_PLAN))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT d.department_id, d.unit_id, d.day, d.closed, {columns} "
                    f"FROM {self._t('att_department_days')} d "
                    f"LEFT JOIN {self._t('att_day_counts')} n "
                    "ON n.department_id = d.department_id AND n.day = d.day "
                    f"WHERE d.department_id IN ({', '.join('?' * len(department_ids))}) "
                    "AND d.day >= ? AND d.day <= ? ORDER BY d.department_id, d.day"
                ),
                [*(self._id(d) for d in department_ids), first.isoformat(), last.isoformat()],
            )
            return [self._day_row(r) for r in c.fetchall()]

    def _day_row(self, r: Any) -> DepartmentDayRow:
        def n(column: str) -> int:
            return int(r[column] or 0)

        return DepartmentDayRow(
            department_id=self._uuid(r["department_id"]),
            unit_id=self._uuid(r["unit_id"]),
            day=date.fromisoformat(r["day"]),
            closed=bool(r["closed"]),
            present_children=n("present_children"),
            presence_minutes=n("presence_minutes"),
            conflicts=n("conflicts"),
            flagged=n("flagged"),
            absences={k: n(f"absent_{k}") for k in ABSENCE_KINDS},
            placed_children=n("placed_children"),
            scheduled_children=n("scheduled_children"),
            scheduled_minutes=n("scheduled_minutes"),
        )

    def departments_of(self, unit_ids: Sequence[UUID]) -> list[UUID]:
        """Departments of the units that have any department-day on record."""
        if not unit_ids:
            return []
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT DISTINCT department_id FROM {self._t('att_department_days')} "
                    f"WHERE unit_id IN ({', '.join('?' * len(unit_ids))})"
                ),
                [self._id(u) for u in unit_ids],
            )
            return sorted(self._uuid(r["department_id"]) for r in c.fetchall())

    def closed_departments(self, day: date) -> set[UUID]:
        """Departments whose day ``day`` is closed."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT department_id FROM {self._t('att_department_days')} "
                    "WHERE day = ? AND closed = 1"
                ),
                (day.isoformat(),),
            )
            return {self._uuid(r["department_id"]) for r in c.fetchall()}

    def present(self, department_id: UUID) -> list[PresentRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT child_id, checked_in_at FROM {self._t('att_present')} "
                    "WHERE department_id = ? ORDER BY checked_in_at"
                ),
                (self._id(department_id),),
            )
            return [
                PresentRow(self._uuid(r["child_id"]), self._to_datetime(r["checked_in_at"]))
                for r in c.fetchall()
            ]
