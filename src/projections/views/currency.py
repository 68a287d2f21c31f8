"""The currency index on both backends (tables prefixed cur_): ids, forms and end dates only.

- cur_placements: a child's placements; an open one has no end; a culled one has lost its end.
- cur_pickups: pick-up persons and the child they were named for, with the removal day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.access import ShreddedBy
from projections.currency import (
    Currency,
    CurrencyChange,
    CurrencyProjection,
    DutyClosed,
    DutyOpened,
    GuardianshipNamed,
    PersonForgotten,
    PersonRegistered,
    PickupNamed,
    PickupRemoved,
    PlacementClosed,
    PlacementOpened,
    PlacementsCulled,
)
from projections.runner import ProjectionRunner
from projections.views.base import ViewSQL
from projections.views.postgres import TRACKING_TABLE, PostgresDialect
from projections.views.sqlite import SQLiteDialect

# A form recorded before placements had one: every such placement was a department placement
# at a preschool or fritids (issue 2), so it counts for every Tempus form.
_LEGACY_FORM = "-"


class CurrencyViewSQL(ViewSQL):
    tracking_name = "gallra/currency"
    tables = ("cur_placements", "cur_pickups", "cur_people", "cur_guardians", "cur_duties")

    def view_statements(self, *, uuid: str) -> list[str]:
        t = self._t
        return [
            f"CREATE TABLE IF NOT EXISTS {t('cur_placements')} (placement_id {uuid} PRIMARY KEY, "
            f"child_id {uuid} NOT NULL, school_form TEXT, end_on TEXT, culled INTEGER NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS cur_placements_child ON {t('cur_placements')} (child_id)",
            f"CREATE TABLE IF NOT EXISTS {t('cur_pickups')} (person_id {uuid} PRIMARY KEY, "
            f"child_id {uuid} NOT NULL, removed_on TEXT)",
            f"CREATE INDEX IF NOT EXISTS cur_pickups_child ON {t('cur_pickups')} (child_id)",
            f"CREATE TABLE IF NOT EXISTS {t('cur_people')} (person_id {uuid} PRIMARY KEY, "
            "kind TEXT NOT NULL, registered_on TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t('cur_guardians')} (guardian_id {uuid} NOT NULL, "
            f"child_id {uuid} NOT NULL, PRIMARY KEY (guardian_id, child_id))",
            f"CREATE INDEX IF NOT EXISTS cur_guardians_child ON {t('cur_guardians')} (child_id)",
            f"CREATE TABLE IF NOT EXISTS {t('cur_duties')} (duty_id {uuid} PRIMARY KEY, "
            f"staff_id {uuid} NOT NULL, end_on TEXT, culled INTEGER NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS cur_duties_staff ON {t('cur_duties')} (staff_id)",
        ]

    def _apply_one(self, c: Any, change: CurrencyChange) -> None:
        t = self._t
        if isinstance(change, PlacementOpened):
            c.execute(
                self._q(
                    f"INSERT INTO {t('cur_placements')} (placement_id, child_id, school_form, "
                    "end_on, culled) VALUES (?, ?, ?, NULL, 0) ON CONFLICT (placement_id) "
                    "DO NOTHING"
                ),
                (
                    self._id(change.placement_id),
                    self._id(change.child_id),
                    change.school_form or _LEGACY_FORM,
                ),
            )
        elif isinstance(change, PlacementClosed):
            c.execute(
                self._q(
                    f"UPDATE {t('cur_placements')} SET end_on = ? "
                    "WHERE placement_id = ? AND culled = 0"
                ),
                (change.end.isoformat(), self._id(change.placement_id)),
            )
        elif isinstance(change, PlacementsCulled):
            for placement_id in change.placement_ids:
                # A staff member's duty is culled under the placement category too.
                c.execute(
                    self._q(f"SELECT 1 FROM {t('cur_duties')} WHERE duty_id = ?"),
                    (self._id(placement_id),),
                )
                if c.fetchall():
                    c.execute(
                        self._q(
                            f"UPDATE {t('cur_duties')} SET end_on = NULL, culled = 1 "
                            "WHERE duty_id = ?"
                        ),
                        (self._id(placement_id),),
                    )
                    continue
                c.execute(
                    self._q(
                        f"INSERT INTO {t('cur_placements')} (placement_id, child_id, "
                        "school_form, end_on, culled) VALUES (?, ?, NULL, NULL, 1) "
                        "ON CONFLICT (placement_id) DO UPDATE SET end_on = NULL, culled = 1"
                    ),
                    (self._id(placement_id), self._id(change.child_id)),
                )
        elif isinstance(change, PersonForgotten):
            for table, column in (
                ("cur_placements", "child_id"),
                ("cur_pickups", "child_id"),
                ("cur_people", "person_id"),
                ("cur_guardians", "guardian_id"),
                ("cur_guardians", "child_id"),
                ("cur_duties", "staff_id"),
            ):
                c.execute(
                    self._q(f"DELETE FROM {t(table)} WHERE {column} = ?"),
                    (self._id(change.person_id),),
                )
        elif isinstance(change, PersonRegistered):
            c.execute(
                self._q(
                    f"INSERT INTO {t('cur_people')} (person_id, kind, registered_on) "
                    "VALUES (?, ?, ?) ON CONFLICT (person_id) DO NOTHING"
                ),
                (self._id(change.person_id), change.kind, change.on.isoformat()),
            )
        elif isinstance(change, GuardianshipNamed):
            c.execute(
                self._q(
                    f"INSERT INTO {t('cur_guardians')} (guardian_id, child_id) VALUES (?, ?) "
                    "ON CONFLICT (guardian_id, child_id) DO NOTHING"
                ),
                (self._id(change.guardian_id), self._id(change.child_id)),
            )
        elif isinstance(change, DutyOpened):
            c.execute(
                self._q(
                    f"INSERT INTO {t('cur_duties')} (duty_id, staff_id, end_on, culled) "
                    "VALUES (?, ?, NULL, 0) ON CONFLICT (duty_id) DO NOTHING"
                ),
                (self._id(change.duty_id), self._id(change.staff_id)),
            )
        elif isinstance(change, DutyClosed):
            c.execute(
                self._q(
                    f"UPDATE {t('cur_duties')} SET end_on = ? WHERE duty_id = ? AND culled = 0"
                ),
                (change.end.isoformat(), self._id(change.duty_id)),
            )
        elif isinstance(change, PickupNamed):
            c.execute(
                self._q(
                    f"INSERT INTO {t('cur_pickups')} (person_id, child_id, removed_on) "
                    "VALUES (?, ?, NULL) ON CONFLICT (person_id) DO UPDATE SET removed_on = NULL"
                ),
                (self._id(change.person_id), self._id(change.child_id)),
            )
        elif isinstance(change, PickupRemoved):
            c.execute(
                self._q(f"UPDATE {t('cur_pickups')} SET removed_on = ? WHERE person_id = ?"),
                (change.on.isoformat(), self._id(change.person_id)),
            )

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._q(sql), list(params))
            return list(c.fetchall())

    def lapsed_children(self, school_forms: Sequence[str], before: date) -> set[UUID]:
        forms = [*school_forms, _LEGACY_FORM]
        marks = ", ".join("?" * len(forms))
        # Rows that count: a Tempus form, or a culled row whose form nobody knows any more.
        counts = f"(school_form IN ({marks}) OR culled = 1)"
        rows = self._rows(
            f"SELECT child_id FROM {self._t('cur_placements')} WHERE {counts} "
            "GROUP BY child_id HAVING "
            "SUM(CASE WHEN culled = 0 AND end_on IS NULL THEN 1 ELSE 0 END) = 0 "
            "AND MAX(COALESCE(end_on, '0000-00-00')) < ?",
            [*forms, before.isoformat()],
        )
        return {self._uuid(r["child_id"]) for r in rows}

    def lapsed_pickups(self, children: set[UUID], before: date) -> set[UUID]:
        rows = self._rows(
            f"SELECT person_id, child_id, removed_on FROM {self._t('cur_pickups')}", []
        )
        cutoff = before.isoformat()
        return {
            self._uuid(r["person_id"])
            for r in rows
            if self._uuid(r["child_id"]) in children
            or (r["removed_on"] is not None and r["removed_on"] < cutoff)
        }

    def lapsed_guardians(self, lapsed_children: set[UUID], before: date) -> set[UUID]:
        """Guardians registered before ``before`` whose every known child is in
        ``lapsed_children`` (a forgotten child is known no more)."""
        cutoff = before.isoformat()
        guardians = {
            self._uuid(r["person_id"])
            for r in self._rows(
                f"SELECT person_id FROM {self._t('cur_people')} "
                "WHERE kind = 'guardian' AND registered_on < ?",
                [cutoff],
            )
        }
        for r in self._rows(f"SELECT guardian_id, child_id FROM {self._t('cur_guardians')}", []):
            if self._uuid(r["child_id"]) not in lapsed_children:
                guardians.discard(self._uuid(r["guardian_id"]))
        return guardians

    def lapsed_staff(self, before: date) -> set[UUID]:
        rows = self._rows(
            f"SELECT p.person_id FROM {self._t('cur_people')} p "
            f"LEFT JOIN {self._t('cur_duties')} d ON d.staff_id = p.person_id "
            "WHERE p.kind = 'staff' AND p.registered_on < ? GROUP BY p.person_id HAVING "
            "SUM(CASE WHEN d.duty_id IS NOT NULL AND d.culled = 0 AND d.end_on IS NULL "
            "THEN 1 ELSE 0 END) = 0 AND MAX(COALESCE(d.end_on, '0000-00-00')) < ?",
            [before.isoformat(), before.isoformat()],
        )
        return {self._uuid(r["person_id"]) for r in rows}


class SQLiteCurrencyView(SQLiteDialect, SQLiteTrackingRecorder, CurrencyViewSQL):
    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.view_statements(uuid="TEXT")]


class PostgresCurrencyView(PostgresDialect, PostgresTrackingRecorder, CurrencyViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]


def make_currency(app: Any, shredded_by: ShreddedBy) -> Currency:
    """The currency index on the application's own store, with its projection runner."""
    view: SQLiteCurrencyView | PostgresCurrencyView
    if isinstance(app.factory, SQLiteFactory):
        view = SQLiteCurrencyView(app.factory.datastore)
    elif isinstance(app.factory, PostgresFactory):
        view = PostgresCurrencyView(app.factory.datastore)
    else:  # pragma: no cover - settings allow only the two
        raise TypeError(type(app.factory).__name__)
    view.create_table()
    projection = CurrencyProjection(shredded_by, app.keystore.forgotten_among)
    return Currency(view, ProjectionRunner(app, view, projection))
