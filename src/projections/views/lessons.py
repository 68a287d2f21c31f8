"""The lessons view on both backends (tables prefixed les_).

- les_lessons, les_entries, les_unit_days: nothing personal (a lesson's schedule; each
  report's random entry id and minutes; counters), never purged.
- les_reports, les_term_summaries: a student's rows, each naming the scope its values were
  sealed under, deleted by scope or by period when that is culled.
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
from projections.lessons import (
    Cancelled,
    LessonChange,
    LessonProjection,
    LessonRecords,
    Reported,
    Scheduled,
    StudentLesson,
    Summarised,
    SummaryRow,
    UnitDay,
)
from projections.runner import ProjectionRunner
from projections.views.base import ViewSQL
from projections.views.postgres import TRACKING_TABLE, PostgresDialect
from projections.views.sqlite import SQLiteDialect

MINUTES = (
    "attendance_minutes",
    "valid_absence_minutes",
    "invalid_absence_minutes",
    "other_attendance_minutes",
)
_M = ", ".join(MINUTES)
_SCOPE = "scope_subject, scope_category, scope_epoch"
_PURGED = ("les_reports", "les_term_summaries")
_SUMMARY_COUNTS = ("invalid_absence_minutes", "invalid_absence_lessons")
_REPORT = "student_id, lesson_id, unit_id, group_id, school_form, day, scheduled_minutes"


class LessonViewSQL(ViewSQL):
    tracking_name = "gallra/lessons"
    tables = ("les_lessons", "les_entries", "les_unit_days", *_PURGED)

    def view_statements(self, *, uuid: str, time: str) -> list[str]:
        t, ints = self._t, ", ".join(f"{m} INTEGER NOT NULL" for m in MINUTES)
        scope = f"scope_subject {uuid} NOT NULL, scope_category TEXT NOT NULL, "
        scope += "scope_epoch TEXT NOT NULL"
        index = "CREATE INDEX IF NOT EXISTS {0}_{1} ON {2} ({3})"
        return [
            f"CREATE TABLE IF NOT EXISTS {t('les_lessons')} (lesson_id {uuid} PRIMARY KEY, "
            f"unit_id {uuid} NOT NULL, group_id {uuid} NOT NULL, school_form TEXT NOT NULL, "
            f"title TEXT NOT NULL, starts_at {time} NOT NULL, day TEXT NOT NULL, "
            "scheduled_minutes INTEGER NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t('les_entries')} (entry_id {uuid} PRIMARY KEY, "
            f"lesson_id {uuid} NOT NULL, {ints})",
            f"CREATE TABLE IF NOT EXISTS {t('les_unit_days')} (unit_id {uuid} NOT NULL, "
            "school_form TEXT NOT NULL, day TEXT NOT NULL, lessons INTEGER NOT NULL, "
            f"scheduled_minutes INTEGER NOT NULL, reports INTEGER NOT NULL, {ints}, "
            "PRIMARY KEY (unit_id, school_form, day))",
            f"CREATE TABLE IF NOT EXISTS {t('les_reports')} (entry_id {uuid} PRIMARY KEY, "
            f"student_id {uuid} NOT NULL, lesson_id {uuid} NOT NULL, unit_id {uuid} NOT NULL, "
            f"group_id {uuid} NOT NULL, school_form TEXT NOT NULL, day TEXT NOT NULL, "
            f"scheduled_minutes INTEGER NOT NULL, {ints}, {scope})",
            index.format("les_reports", "student", t("les_reports"), "student_id, day"),
            index.format("les_reports", "unit", t("les_reports"), "unit_id, day"),
            index.format("les_reports", "scope", t("les_reports"), _SCOPE),
            f"CREATE TABLE IF NOT EXISTS {t('les_term_summaries')} (summary_id {uuid} "
            f"PRIMARY KEY, student_id {uuid} NOT NULL, term TEXT NOT NULL, compiled_on TEXT "
            "NOT NULL, invalid_absence_minutes INTEGER NOT NULL, invalid_absence_lessons "
            f"INTEGER NOT NULL, corrections INTEGER NOT NULL, {scope})",
            index.format("les_term_summaries", "student", t("les_term_summaries"), "student_id"),
            index.format("les_term_summaries", "scope", t("les_term_summaries"), _SCOPE),
        ]

    # -- writing ---------------------------------------------------------------------------

    def _count(self, c: Any, lesson_id: UUID, lessons: int, reports: int, minutes: Any) -> None:
        """Add to the counters of the lesson's unit, form and day (``lessons`` -1: cancelled)."""
        add = ", ".join(f"{n} = les_unit_days.{n} + excluded.{n}" for n in MINUTES)
        c.execute(
            self._q(
                f"INSERT INTO {self._t('les_unit_days')} (unit_id, school_form, day, lessons, "
                f"scheduled_minutes, reports, {_M}) SELECT unit_id, school_form, day, ?, "
                f"? * scheduled_minutes, ?, ?, ?, ?, ? FROM {self._t('les_lessons')} WHERE "
                "lesson_id = ? ON CONFLICT (unit_id, school_form, day) DO UPDATE SET "
                "lessons = les_unit_days.lessons + excluded.lessons, scheduled_minutes = "
                "les_unit_days.scheduled_minutes + excluded.scheduled_minutes, "
                f"reports = les_unit_days.reports + excluded.reports, {add}"
            ),
            (lessons, lessons, reports, *minutes, self._id(lesson_id)),
        )

    def _insert(self, c: Any, table: str, row: dict[str, Any], conflict: str) -> None:
        c.execute(
            self._q(
                f"INSERT INTO {self._t(table)} ({', '.join(row)}) VALUES "
                f"({', '.join('?' * len(row))}) ON CONFLICT {conflict}"
            ),
            list(row.values()),
        )

    def _apply_one(self, c: Any, change: LessonChange) -> None:
        if isinstance(change, Scheduled):
            ids = ("lesson_id", "unit_id", "group_id")
            row = {k: self._id(getattr(change, k)) for k in ids}
            row |= {"school_form": change.school_form, "title": change.title}
            row |= {"starts_at": self._ts(change.starts_at), "day": change.day.isoformat()}
            row["scheduled_minutes"] = change.minutes
            self._insert(c, "les_lessons", row, "(lesson_id) DO NOTHING")
            self._count(c, change.lesson_id, 1, 0, (0, 0, 0, 0))
        elif isinstance(change, Cancelled):
            self._count(c, change.lesson_id, -1, 0, (0, 0, 0, 0))
        elif isinstance(change, Reported):
            self._report(c, change)
        elif isinstance(change, Summarised):
            row = {k: self._id(getattr(change, k)) for k in ("summary_id", "student_id")}
            row |= {"term": change.term, "compiled_on": change.compiled_on.isoformat()}
            row |= {k: getattr(change, k) for k in _SUMMARY_COUNTS} | {"corrections": 0}
            row |= dict(zip(_SCOPE.split(", "), self._scope(change.scope), strict=True))
            update = ", ".join(f"{k} = excluded.{k}" for k in ("compiled_on", *_SUMMARY_COUNTS))
            update += ", corrections = les_term_summaries.corrections + 1"
            self._insert(c, "les_term_summaries", row, f"(summary_id) DO UPDATE SET {update}")
        elif isinstance(change, ScopesPurged):
            self._purge_scopes(c, _PURGED, change.scopes)
        elif isinstance(change, PeriodsPurged):
            self._purge_periods(c, _PURGED, change.category, change.epochs)

    def _report(self, c: Any, change: Reported) -> None:
        """Latest wins: the counters take the difference to the entry's previous minutes."""
        t, q, entry = self._t, self._q, self._id(change.entry_id)
        c.execute(q(f"SELECT {_M} FROM {t('les_entries')} WHERE entry_id = ?"), (entry,))
        previous = c.fetchone()
        old = [0, 0, 0, 0] if previous is None else [int(previous[m]) for m in MINUTES]
        delta = [new - was for new, was in zip(change.minutes, old, strict=True)]
        self._count(c, change.lesson_id, 0, int(previous is None), delta)
        update = ", ".join(f"{m} = excluded.{m}" for m in MINUTES)
        row = {"entry_id": entry, "lesson_id": self._id(change.lesson_id)}
        row |= dict(zip(MINUTES, change.minutes, strict=True))
        self._insert(c, "les_entries", row, f"(entry_id) DO UPDATE SET {update}")
        if change.student_id is None or change.scope is None:
            return
        student, scope = self._id(change.student_id), self._scope(change.scope)
        c.execute(
            q(
                f"INSERT INTO {t('les_reports')} (entry_id, {_REPORT}, {_M}, {_SCOPE}) "
                "SELECT ?, ?, lesson_id, unit_id, group_id, school_form, day, "
                f"scheduled_minutes, ?, ?, ?, ?, ?, ?, ? FROM {t('les_lessons')} "
                f"WHERE lesson_id = ? ON CONFLICT (entry_id) DO UPDATE SET {update}"
            ),
            [entry, student, *change.minutes, *scope, self._id(change.lesson_id)],
        )

    # -- reading ---------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._q(sql), list(params))
            return list(c.fetchall())

    def _lessons(self, where: str, params: Sequence[Any]) -> list[StudentLesson]:
        rows = self._rows(
            f"SELECT r.student_id, r.lesson_id, r.unit_id, r.group_id, r.school_form, l.title, "
            f"l.starts_at, r.day, r.scheduled_minutes, r.{', r.'.join(MINUTES)} "
            f"FROM {self._t('les_reports')} r JOIN {self._t('les_lessons')} l "
            f"ON l.lesson_id = r.lesson_id WHERE {where} ORDER BY l.starts_at, r.lesson_id",
            params,
        )
        return [
            StudentLesson(
                student_id=self._uuid(r["student_id"]),
                lesson_id=self._uuid(r["lesson_id"]),
                unit_id=self._uuid(r["unit_id"]),
                group_id=self._uuid(r["group_id"]),
                school_form=r["school_form"],
                title=r["title"],
                starts_at=self._to_datetime(r["starts_at"]),
                day=date.fromisoformat(r["day"]),
                scheduled_minutes=int(r["scheduled_minutes"]),
                **{m: int(r[m]) for m in MINUTES},
            )
            for r in rows
        ]

    def lessons_of(self, column: str, ident: UUID, since: date, until: date) -> list[StudentLesson]:
        """A student's (``column`` student_id) or a unit's (unit_id) rows in the period."""
        where = f"r.{column} = ? AND r.day >= ? AND r.day <= ?"
        return self._lessons(where, [self._id(ident), since.isoformat(), until.isoformat()])

    def lesson_place(self, lesson_id: UUID) -> tuple[UUID, UUID, date] | None:
        """A lesson's unit, group and day."""
        rows = self._rows(
            f"SELECT unit_id, group_id, day FROM {self._t('les_lessons')} WHERE lesson_id = ?",
            [self._id(lesson_id)],
        )
        if not rows:
            return None
        r = rows[0]
        return self._uuid(r["unit_id"]), self._uuid(r["group_id"]), date.fromisoformat(r["day"])

    def summaries(self, student_id: UUID) -> list[SummaryRow]:
        """Oldest term first: by year, VT before HT."""
        rows = self._rows(
            f"SELECT term, compiled_on, corrections, {', '.join(_SUMMARY_COUNTS)} FROM "
            f"{self._t('les_term_summaries')} WHERE student_id = ? "
            "ORDER BY substr(term, 3), term DESC",
            [self._id(student_id)],
        )
        return [
            SummaryRow(
                term=r["term"],
                compiled_on=date.fromisoformat(r["compiled_on"]),
                corrections=int(r["corrections"]),
                **{k: int(r[k]) for k in _SUMMARY_COUNTS},
            )
            for r in rows
        ]

    def unit_days(self, unit_id: UUID, first: date, last: date) -> list[UnitDay]:
        rows = self._rows(
            f"SELECT school_form, day, lessons, scheduled_minutes, reports, {_M} FROM "
            f"{self._t('les_unit_days')} WHERE unit_id = ? AND day >= ? AND day <= ? "
            "ORDER BY day, school_form",
            [self._id(unit_id), first.isoformat(), last.isoformat()],
        )
        counts = ("lessons", "scheduled_minutes", "reports", *MINUTES)
        return [
            UnitDay(
                unit_id,
                r["school_form"],
                date.fromisoformat(r["day"]),
                *(int(r[k]) for k in counts),
            )
            for r in rows
        ]


class SQLiteLessonView(SQLiteDialect, SQLiteTrackingRecorder, LessonViewSQL):
    def construct_create_table_statements(self) -> list[str]:
        statements = self.view_statements(uuid="TEXT", time="TEXT")
        return [*super().construct_create_table_statements(), *statements]


class PostgresLessonView(PostgresDialect, PostgresTrackingRecorder, LessonViewSQL):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE, **kwargs)
        for statement in self.view_statements(uuid="uuid", time="timestamptz"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]


def make_lesson_records(app: Any, shredded_by: ShreddedBy) -> LessonRecords:
    """The lessons view on the application's own store, with its projection runner."""
    view: SQLiteLessonView | PostgresLessonView
    if isinstance(app.factory, SQLiteFactory):
        view = SQLiteLessonView(app.factory.datastore)
    elif isinstance(app.factory, PostgresFactory):
        view = PostgresLessonView(app.factory.datastore)
    else:  # pragma: no cover - settings allow only the two
        raise TypeError(type(app.factory).__name__)
    view.create_table()
    return LessonRecords(view, ProjectionRunner(app, view, LessonProjection(shredded_by)))
