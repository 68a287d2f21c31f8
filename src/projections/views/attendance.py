"""The attendance read model, written once against a small SQL dialect shim.

Tables (prefix att_): department_days (stream -> unit, department, day), present (who is in
now, purged when their month is culled), unit_days (anonymous counters per unit and day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from projections.changes import (
    Change,
    ChildArrived,
    ChildLeft,
    DayCounts,
    DayOpened,
    PeriodsCulled,
)
from projections.views.base import ViewSQL


@dataclass(frozen=True, slots=True)
class PresentRow:
    child_id: UUID
    checked_in_at: datetime


@dataclass(frozen=True, slots=True)
class UnitMonthRow:
    unit_id: UUID
    month: str
    children: int  # the most children seen on one day: a lower bound of distinct children
    presence_minutes: int
    absence_days: int


class AttendanceViewSQL(ViewSQL):
    """Backend-neutral SQL; subclasses mix in the library's tracking recorder."""

    tracking_name = "gallra/attendance"
    tables = ("att_department_days", "att_present", "att_unit_days")

    def view_statements(self, *, uuid: str, blob_time: str) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self._t('att_department_days')} ("
            f"stream_id {uuid} PRIMARY KEY, unit_id {uuid} NOT NULL, "
            f"department_id {uuid} NOT NULL, day TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self._t('att_present')} ("
            f"department_id {uuid} NOT NULL, child_id {uuid} NOT NULL, "
            f"checked_in_at {blob_time} NOT NULL, month TEXT NOT NULL, "
            "PRIMARY KEY (department_id, child_id))",
            f"CREATE TABLE IF NOT EXISTS {self._t('att_unit_days')} ("
            f"unit_id {uuid} NOT NULL, day TEXT NOT NULL, month TEXT NOT NULL, "
            "children INTEGER NOT NULL, presence_minutes BIGINT NOT NULL, "
            "absence_days INTEGER NOT NULL, events INTEGER NOT NULL, "
            "PRIMARY KEY (unit_id, day))",
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
            c.execute(
                self._q(
                    f"INSERT INTO {self._t('att_unit_days')} (unit_id, day, month, children, "
                    "presence_minutes, absence_days, events) SELECT unit_id, ?, ?, ?, ?, ?, ? "
                    f"FROM {self._t('att_department_days')} WHERE stream_id = ? "
                    "ON CONFLICT (unit_id, day) DO UPDATE SET "
                    "children = att_unit_days.children + excluded.children, "
                    "presence_minutes = "
                    "att_unit_days.presence_minutes + excluded.presence_minutes, "
                    "absence_days = att_unit_days.absence_days + excluded.absence_days, "
                    "events = att_unit_days.events + excluded.events"
                ),
                (
                    change.day.isoformat(),
                    _month(change.day),
                    change.children,
                    change.presence_minutes,
                    change.absence_days,
                    change.events,
                    self._id(change.stream_id),
                ),
            )
        elif isinstance(change, ChildArrived):
            c.execute(
                self._q(
                    f"INSERT INTO {self._t('att_present')} "
                    "(department_id, child_id, checked_in_at, month) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (department_id, child_id) DO UPDATE SET "
                    "checked_in_at = excluded.checked_in_at, month = excluded.month"
                ),
                (
                    self._id(change.department_id),
                    self._id(change.child_id),
                    self._ts(change.at),
                    _month(change.day),
                ),
            )
        elif isinstance(change, ChildLeft):
            c.execute(
                self._q(
                    f"DELETE FROM {self._t('att_present')} WHERE department_id = ? AND child_id = ?"
                ),
                (self._id(change.department_id), self._id(change.child_id)),
            )
        elif isinstance(change, PeriodsCulled):
            for month in change.months:
                c.execute(
                    self._q(f"DELETE FROM {self._t('att_present')} WHERE month = ?"), (month,)
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
        column = "absence_days" if category == "health" else "events"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    f"SELECT COALESCE(SUM({column}), 0) AS n FROM {self._t('att_unit_days')} "
                    f"WHERE month IN ({', '.join('?' * len(months))})"
                ),
                list(months),
            )
            return int(c.fetchone()["n"])

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

    def month_children(
        self,
        *,
        unit_ids: Sequence[UUID] | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> dict[str, int]:
        """Per month, the most children seen on one day across the units: a lower bound of
        the distinct children behind a month's total, as for the cells."""
        where, params = self._filters(unit_ids, first, last)
        if where is None:
            return {}
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    "SELECT month, MAX(n) AS children FROM (SELECT month, day, "
                    f"SUM(children) AS n FROM {self._t('att_unit_days')} {where} "
                    "GROUP BY month, day) AS per_day GROUP BY month"
                ),
                params,
            )
            return {r["month"]: int(r["children"]) for r in c.fetchall()}

    def _filters(
        self, unit_ids: Sequence[UUID] | None, first: date | None, last: date | None
    ) -> tuple[str | None, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if unit_ids is not None:
            if not unit_ids:
                return None, []
            clauses.append(f"unit_id IN ({', '.join('?' * len(unit_ids))})")
            params += [self._id(u) for u in unit_ids]
        if first is not None:
            clauses.append("month >= ?")
            params.append(_month(first))
        if last is not None:
            clauses.append("month <= ?")
            params.append(_month(last))
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params

    def unit_months(
        self,
        *,
        unit_ids: Sequence[UUID] | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> list[UnitMonthRow]:
        where, params = self._filters(unit_ids, first, last)
        if where is None:
            return []
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    "SELECT unit_id, month, MAX(children) AS children, "
                    "SUM(presence_minutes) AS minutes, SUM(absence_days) AS absences "
                    f"FROM {self._t('att_unit_days')} {where} "
                    "GROUP BY unit_id, month ORDER BY month, unit_id"
                ),
                params,
            )
            return [
                UnitMonthRow(
                    self._uuid(r["unit_id"]),
                    r["month"],
                    int(r["children"]),
                    int(r["minutes"]),
                    int(r["absences"]),
                )
                for r in c.fetchall()
            ]


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
