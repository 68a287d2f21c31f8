"""The roster view on both backends (tables prefixed ros_).

- ros_departments, ros_rosters, ros_shifts, ros_department_days: nothing personal (a unit's
  departments; each roster's department; each shift's random id, department, day and working
  minutes; counters), never purged.
- ros_staff_shifts: a staff member's shift ids, departments and days, each row naming the
  scope its shift was sealed under, deleted by scope or by period when that is culled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.access import PeriodsPurged, ScopesPurged, ShreddedBy
from projections.roster import (
    DepartmentKnown,
    RosterChange,
    RosterOpened,
    RosterProjection,
    RosterRecords,
    ShiftCounted,
    ShiftPlace,
    ShiftRecounted,
    ShiftUncounted,
    StaffMinutes,
    StaffMonthFigures,
)
from projections.runner import ProjectionRunner
from projections.views.base import ViewSQL
from projections.views.postgres import TRACKING_TABLE, PostgresDialect
from projections.views.sqlite import SQLiteDialect

_SCOPE = "scope_subject, scope_category, scope_epoch"
_PURGED = ("ros_staff_shifts",)
_COUNTS = ("staff_present", "working_minutes", "shifts")


class RosterViewSQL(ViewSQL):
    tracking_name = "gallra/roster"
    tables = ("ros_departments", "ros_rosters", "ros_shifts", "ros_department_days", *_PURGED)

    def view_statements(self, *, uuid: str) -> list[str]:
        t = self._t
        scope = f"scope_subject {uuid} NOT NULL, scope_category TEXT NOT NULL, "
        scope += "scope_epoch TEXT NOT NULL"
        index = "CREATE INDEX IF NOT EXISTS {0}_{1} ON {2} ({3})"
        return [
            f"CREATE TABLE IF NOT EXISTS {t('ros_departments')} (department_id {uuid} "
            f"PRIMARY KEY, unit_id {uuid} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t('ros_rosters')} (roster_id {uuid} PRIMARY KEY, "
            f"department_id {uuid} NOT NULL, unit_id {uuid} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t('ros_shifts')} (shift_id {uuid} PRIMARY KEY, "
            f"department_id {uuid} NOT NULL, day TEXT NOT NULL, working_minutes INTEGER NOT "
            "NULL, cancelled INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t('ros_department_days')} (department_id {uuid} "
            f"NOT NULL, day TEXT NOT NULL, unit_id {uuid} NOT NULL, staff_present INTEGER NOT "
            "NULL, working_minutes INTEGER NOT NULL, shifts INTEGER NOT NULL, "
            "PRIMARY KEY (department_id, day))",
            f"CREATE TABLE IF NOT EXISTS {t('ros_staff_shifts')} (shift_id {uuid} PRIMARY KEY, "
            f"staff_id {uuid} NOT NULL, department_id {uuid} NOT NULL, day TEXT NOT NULL, "
            f"{scope})",
            index.format("ros_staff_shifts", "staff", t("ros_staff_shifts"), "staff_id, day"),
            index.format("ros_staff_shifts", "scope", t("ros_staff_shifts"), _SCOPE),
        ]

    # -- writing ---------------------------------------------------------------------------

    def _count(self, c: Any, shift_id: UUID, staff: int, minutes: int, shifts: int) -> None:
        """Add to the counters of the shift's department and day."""
        add = ", ".join(f"{n} = ros_department_days.{n} + excluded.{n}" for n in _COUNTS)
        c.execute(
            self._q(
                f"INSERT INTO {self._t('ros_department_days')} (department_id, day, unit_id, "
                f"{', '.join(_COUNTS)}) SELECT s.department_id, s.day, d.unit_id, ?, ?, ? "
                f"FROM {self._t('ros_shifts')} s JOIN {self._t('ros_departments')} d "
                "ON d.department_id = s.department_id WHERE s.shift_id = ? "
                f"ON CONFLICT (department_id, day) DO UPDATE SET {add}"
            ),
            (staff, minutes, shifts, self._id(shift_id)),
        )

    def _apply_one(self, c: Any, change: RosterChange) -> None:
        t, q = self._t, self._q
        if isinstance(change, DepartmentKnown):
            c.execute(
                q(
                    f"INSERT INTO {t('ros_departments')} (department_id, unit_id) VALUES (?, ?) "
                    "ON CONFLICT (department_id) DO NOTHING"
                ),
                (self._id(change.department_id), self._id(change.unit_id)),
            )
        elif isinstance(change, RosterOpened):
            ids = (change.roster_id, change.department_id, change.unit_id)
            c.execute(
                q(
                    f"INSERT INTO {t('ros_rosters')} (roster_id, department_id, unit_id) "
                    "VALUES (?, ?, ?) ON CONFLICT (roster_id) DO NOTHING"
                ),
                tuple(self._id(i) for i in ids),
            )
        elif isinstance(change, ShiftCounted):
            self._counted(c, change)
        elif isinstance(change, ShiftRecounted | ShiftUncounted):
            self._recounted(c, change)
        elif isinstance(change, StaffMonthFigures):
            self._month_figures(c, change)
        elif isinstance(change, ScopesPurged):
            self._purge_scopes(c, _PURGED, change.scopes)
        elif isinstance(change, PeriodsPurged):
            self._purge_periods(c, _PURGED, change.category, change.epochs)

    def _month_figures(self, c: Any, change: StaffMonthFigures) -> None:
        """Set, not add: the compiled month replaces what its shifts still add up to."""
        keys = ("department_id", "day", "unit_id")
        self._put_figures(c, "ros_department_days", keys, _COUNTS, change.days)

    def month_figures(self, month: str) -> list[dict[str, Any]]:
        """The month's department-day staff counters, as ``StaffMonthFigures`` holds them."""
        rows = self._rows(
            f"SELECT department_id, unit_id, day, {', '.join(_COUNTS)} FROM "
            f"{self._t('ros_department_days')} WHERE day >= ? AND day <= ? "
            "ORDER BY day, department_id",
            [f"{month}-01", f"{month}-31"],
        )
        return [
            {
                "department_id": self._uuid(r["department_id"]),
                "unit_id": self._uuid(r["unit_id"]),
                "day": str(r["day"]),
                **{n: int(r[n]) for n in _COUNTS},
            }
            for r in rows
        ]

    def _counted(self, c: Any, change: ShiftCounted) -> None:
        t, q, shift = self._t, self._q, self._id(change.shift_id)
        c.execute(
            q(
                f"INSERT INTO {t('ros_shifts')} (shift_id, department_id, day, working_minutes, "
                f"cancelled) SELECT ?, department_id, ?, ?, 0 FROM {t('ros_rosters')} "
                "WHERE roster_id = ? ON CONFLICT (shift_id) DO NOTHING"
            ),
            (shift, change.day.isoformat(), change.minutes, self._id(change.roster_id)),
        )
        self._count(c, change.shift_id, int(change.first_of_day), change.minutes, 1)
        if change.staff_id is None or change.scope is None:
            return
        c.execute(
            q(
                f"INSERT INTO {t('ros_staff_shifts')} (shift_id, staff_id, department_id, day, "
                f"{_SCOPE}) SELECT shift_id, ?, department_id, day, ?, ?, ? "
                f"FROM {t('ros_shifts')} WHERE shift_id = ? ON CONFLICT (shift_id) DO NOTHING"
            ),
            (self._id(change.staff_id), *self._scope(change.scope), shift),
        )

    def _recounted(self, c: Any, change: ShiftRecounted | ShiftUncounted) -> None:
        """A changed shift counts the difference of its minutes; a cancelled one takes its
        minutes, itself and (if it was the staff member's last that day) them away."""
        t, q, shift = self._t, self._q, self._id(change.shift_id)
        c.execute(q(f"SELECT working_minutes FROM {t('ros_shifts')} WHERE shift_id = ?"), (shift,))
        row = c.fetchone()
        if row is None:
            return
        was = int(row["working_minutes"])
        if isinstance(change, ShiftRecounted):
            self._count(c, change.shift_id, 0, change.minutes - was, 0)
            minutes, cancelled = change.minutes, 0
        else:
            self._count(c, change.shift_id, -int(change.last_of_day), -was, -1)
            minutes, cancelled = 0, 1
            c.execute(q(f"DELETE FROM {t('ros_staff_shifts')} WHERE shift_id = ?"), (shift,))
        c.execute(
            q(
                f"UPDATE {t('ros_shifts')} SET working_minutes = ?, cancelled = ? "
                "WHERE shift_id = ?"
            ),
            (minutes, cancelled, shift),
        )

    # -- reading ---------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._q(sql), list(params))
            return list(c.fetchall())

    def unit_of(self, department_id: UUID) -> UUID | None:
        rows = self._rows(
            f"SELECT unit_id FROM {self._t('ros_departments')} WHERE department_id = ?",
            [self._id(department_id)],
        )
        return self._uuid(rows[0]["unit_id"]) if rows else None

    def staff_minutes(
        self, department_ids: list[UUID], first: date, last: date
    ) -> list[StaffMinutes]:
        if not department_ids:
            return []
        marks = ", ".join("?" * len(department_ids))
        rows = self._rows(
            f"SELECT department_id, unit_id, day, {', '.join(_COUNTS)} FROM "
            f"{self._t('ros_department_days')} WHERE department_id IN ({marks}) AND day >= ? "
            "AND day <= ? ORDER BY day, department_id",
            [*(self._id(d) for d in department_ids), first.isoformat(), last.isoformat()],
        )
        return [
            StaffMinutes(
                self._uuid(r["department_id"]),
                self._uuid(r["unit_id"]),
                date.fromisoformat(r["day"]),
                *(int(r[k]) for k in _COUNTS),
            )
            for r in rows
        ]

    def _places(self, rows: list[Any]) -> list[ShiftPlace]:
        return [
            ShiftPlace(
                self._uuid(r["shift_id"]),
                self._uuid(r["department_id"]),
                date.fromisoformat(r["day"]),
            )
            for r in rows
        ]

    def shift_place(self, shift_id: UUID) -> ShiftPlace | None:
        rows = self._rows(
            f"SELECT shift_id, department_id, day FROM {self._t('ros_shifts')} WHERE shift_id = ?",
            [self._id(shift_id)],
        )
        places = self._places(rows)
        return places[0] if places else None

    def shifts_of(self, staff_id: UUID, first: date, last: date) -> list[ShiftPlace]:
        rows = self._rows(
            f"SELECT shift_id, department_id, day FROM {self._t('ros_staff_shifts')} "
            "WHERE staff_id = ? AND day >= ? AND day <= ? ORDER BY day, shift_id",
            [self._id(staff_id), first.isoformat(), last.isoformat()],
        )
        return self._places(rows)


class SQLiteRosterView(SQLiteDialect, SQLiteTrackingRecorder, RosterViewSQL):
    def construct_create_table_statements(self) -> list[str]:
        statements = self.view_statements(uuid="TEXT")
        return [*super().construct_create_table_statements(), *statements]


class PostgresRosterView(PostgresDialect, PostgresTrackingRecorder, RosterViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]


def make_roster_records(app: Any, shredded_by: ShreddedBy) -> RosterRecords:
    """The roster view on the application's own store, with its projection runner."""
    view: SQLiteRosterView | PostgresRosterView
    if isinstance(app.factory, SQLiteFactory):
        view = SQLiteRosterView(app.factory.datastore)
    elif isinstance(app.factory, PostgresFactory):
        view = PostgresRosterView(app.factory.datastore)
    else:  # pragma: no cover - settings allow only the two
        raise TypeError(type(app.factory).__name__)
    view.create_table()
    return RosterRecords(view, ProjectionRunner(app, view, RosterProjection(shredded_by)))
