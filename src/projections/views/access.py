"""The access-control read model: who belongs where, when, and which entries a student has.

Tables (prefix acl_): belongs (a person in a unit or a group/department, from a placement,
membership, duty or assignment), guardians (guardian -> child) and doc_entries (an index of
documentation entries). Rows
hold pseudonymous ids and dates only, each with the scope whose key governs it, so a culled
scope's rows are deleted by scope: the model never outlives the keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.access import (
    REKTOR,
    STUDENT,
    AccessChange,
    Belongs,
    Ended,
    EntryWritten,
    GuardianOf,
    PeriodsPurged,
    Restricted,
    ScopesPurged,
    Unrestricted,
)
from projections.views.base import ViewSQL
from retention.keys.scope import Scope


@dataclass(frozen=True, slots=True)
class DocEntryRow:
    entry_id: UUID
    unit_id: UUID
    category: str
    school_form: str
    written_on: date


_ACTIVE = "{a}.start_on <= ? AND ({a}.end_on IS NULL OR {a}.end_on >= ?)"
_TABLES = ("acl_belongs", "acl_guardians", "acl_doc_entries", "acl_restricted")
_REKTOR = f"s.role = '{REKTOR}'"


class AccessViewSQL(ViewSQL):
    """Backend-neutral SQL; subclasses mix in the library's tracking recorder and a dialect."""

    # /2: guardianship added, /3: restrictions; a new name projects it all again
    tracking_name = "gallra/access/3"
    tables = _TABLES

    def view_statements(self, *, uuid: str) -> list[str]:
        scope = f"scope_subject {uuid} NOT NULL, scope_category TEXT NOT NULL, "
        scope += "scope_epoch TEXT NOT NULL"
        return [
            f"CREATE TABLE IF NOT EXISTS {self._t('acl_belongs')} ("
            f"source_id {uuid} NOT NULL, kind TEXT NOT NULL, person_id {uuid} NOT NULL, "
            f"container_id {uuid} NOT NULL, unit_id {uuid} NOT NULL, role TEXT NOT NULL, "
            f"start_on TEXT NOT NULL, end_on TEXT, {scope}, PRIMARY KEY (source_id, kind))",
            f"CREATE INDEX IF NOT EXISTS acl_belongs_person ON {self._t('acl_belongs')} "
            "(person_id)",
            f"CREATE INDEX IF NOT EXISTS acl_belongs_container ON {self._t('acl_belongs')} "
            "(container_id)",
            f"CREATE INDEX IF NOT EXISTS acl_belongs_unit ON {self._t('acl_belongs')} (unit_id)",
            f"CREATE INDEX IF NOT EXISTS acl_belongs_scope ON {self._t('acl_belongs')} "
            "(scope_subject, scope_category, scope_epoch)",
            f"CREATE TABLE IF NOT EXISTS {self._t('acl_guardians')} (guardian_id {uuid} NOT NULL, "
            f"child_id {uuid} NOT NULL, {scope}, PRIMARY KEY (guardian_id, child_id))",
            f"CREATE INDEX IF NOT EXISTS acl_guardians_scope ON {self._t('acl_guardians')} "
            "(scope_subject, scope_category, scope_epoch)",
            f"CREATE TABLE IF NOT EXISTS {self._t('acl_doc_entries')} ("
            f"entry_id {uuid} PRIMARY KEY, student_id {uuid} NOT NULL, unit_id {uuid} NOT NULL, "
            "category TEXT NOT NULL, school_form TEXT NOT NULL, written_on TEXT NOT NULL, "
            f"{scope})",
            f"CREATE INDEX IF NOT EXISTS acl_doc_entries_student ON "
            f"{self._t('acl_doc_entries')} (student_id)",
            f"CREATE INDEX IF NOT EXISTS acl_doc_entries_scope ON {self._t('acl_doc_entries')} "
            "(scope_subject, scope_category, scope_epoch)",
            f"CREATE TABLE IF NOT EXISTS {self._t('acl_restricted')} ("
            f"person_id {uuid} PRIMARY KEY, {scope})",
        ]

    # -- writing ---------------------------------------------------------------------------

    def _insert(self, c: Any, table: str, key: str, scope: Scope, row: dict[str, Any]) -> None:
        """A row with its scope; a row already there under the same ``key`` stays."""
        columns = [*row, "scope_subject", "scope_category", "scope_epoch"]
        c.execute(
            self._q(
                f"INSERT INTO {self._t(table)} ({', '.join(columns)}) VALUES "
                f"({', '.join('?' * len(columns))}) ON CONFLICT ({key}) DO NOTHING"
            ),
            [*row.values(), *self._scope(scope)],
        )

    def _apply_one(self, c: Any, change: AccessChange) -> None:
        if isinstance(change, Belongs):
            # Without a unit, take the placement's or duty's row in this transaction: no such
            # row (its scope culled), no row for the membership or assignment either.
            values = "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)"
            if change.via is not None:
                values = (
                    "SELECT ?, ?, ?, ?, unit_id, ?, ?, NULL, ?, ?, ? "
                    f"FROM {self._t('acl_belongs')} WHERE source_id = ? AND kind = 'unit'"
                )
            c.execute(
                self._q(
                    f"INSERT INTO {self._t('acl_belongs')} (source_id, kind, person_id, "
                    "container_id, unit_id, role, start_on, end_on, scope_subject, scope_category, "
                    f"scope_epoch) {values} ON CONFLICT (source_id, kind) DO NOTHING"
                ),
                [
                    self._id(change.source_id),
                    change.kind,
                    self._id(change.person_id),
                    self._id(change.container_id),
                    *([] if change.unit_id is None else [self._id(change.unit_id)]),
                    change.role,
                    change.start.isoformat(),
                    *self._scope(change.scope),
                    *([] if change.via is None else [self._id(change.via)]),
                ],
            )
        elif isinstance(change, Ended):
            c.execute(
                self._q(f"UPDATE {self._t('acl_belongs')} SET end_on = ? WHERE source_id = ?"),
                (change.end.isoformat(), self._id(change.source_id)),
            )
        elif isinstance(change, GuardianOf):
            ids = {"guardian_id": change.guardian_id, "child_id": change.child_id}
            row = {k: self._id(v) for k, v in ids.items()}
            self._insert(c, "acl_guardians", "guardian_id, child_id", change.scope, row)
        elif isinstance(change, EntryWritten):
            row = {
                "entry_id": self._id(change.entry_id),
                "student_id": self._id(change.student_id),
                "unit_id": self._id(change.unit_id),
                "category": change.category,
                "school_form": change.school_form,
                "written_on": change.written_on.isoformat(),
            }
            self._insert(c, "acl_doc_entries", "entry_id", change.scope, row)
        elif isinstance(change, Restricted):
            row = {"person_id": self._id(change.person_id)}
            self._insert(c, "acl_restricted", "person_id", change.scope, row)
        elif isinstance(change, Unrestricted):
            c.execute(
                self._q(f"DELETE FROM {self._t('acl_restricted')} WHERE person_id = ?"),
                (self._id(change.person_id),),
            )
        elif isinstance(change, ScopesPurged):
            self._purge_scopes(c, _TABLES, change.scopes)
        elif isinstance(change, PeriodsPurged):
            self._purge_periods(c, _TABLES, change.category, change.epochs)

    # -- reading ---------------------------------------------------------------------------

    def _ids(self, sql: str, params: Sequence[Any]) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._q(sql), list(params))
            return sorted({self._uuid(r["id"]) for r in c.fetchall()})

    def _links(
        self, staff_id: UUID, day: date, duty: str, pupils: tuple[str, UUID] | None = None
    ) -> tuple[str, list[Any]]:
        """Pairs (student, unit) the staff member reaches: through a shared group or
        department, or a ``duty`` at a unit where the student is placed; both rows active.
        ``pupils`` narrows the students by a condition on ``p.person_id`` with one id."""
        staff = f"s.person_id = ? AND s.role <> '{STUDENT}' AND " + _ACTIVE.format(a="s")
        pupil = f"p.role = '{STUDENT}' AND " + _ACTIVE.format(a="p")
        # a restricted person is no longer processed by staff (GDPR art. 18)
        pupil += f" AND p.person_id NOT IN (SELECT person_id FROM {self._t('acl_restricted')})"
        d = day.isoformat()
        params = [self._id(staff_id), d, d, d, d]
        if pupils is not None:
            pupil += f" AND p.person_id {pupils[0]}"
            params.append(self._id(pupils[1]))
        rows = f"SELECT p.person_id AS pid, p.unit_id AS uid FROM {self._t('acl_belongs')} s "
        rows += f"JOIN {self._t('acl_belongs')} p ON p.kind = s.kind AND "
        sql = (
            f"{rows} p.container_id = s.container_id WHERE s.kind = 'group' AND {staff} AND "
            f"{pupil} UNION {rows} p.unit_id = s.unit_id WHERE s.kind = 'unit' AND {duty} "
            f"AND {staff} AND {pupil}"
        )
        return sql, params + params

    def connected_units(
        self, staff_id: UUID, student_id: UUID, day: date, *, any_duty: bool = False
    ) -> list[UUID]:
        """Units through which staff reaches the student: a shared group or department, or a
        Rektor duty (with ``any_duty``, any duty) at a unit where the student is placed."""
        duty = "1 = 1" if any_duty else _REKTOR
        sql, params = self._links(staff_id, day, duty, ("= ?", student_id))
        return self._ids(f"SELECT uid AS id FROM ({sql}) AS l", params)

    def guardian_seen(self, staff_id: UUID, guardian_id: UUID, day: date) -> list[UUID]:
        """Units through which staff may see (any duty) at least one of the guardian's children."""
        children = (
            f"IN (SELECT child_id FROM {self._t('acl_guardians')} WHERE guardian_id = ? AND "
            f"guardian_id NOT IN (SELECT person_id FROM {self._t('acl_restricted')}))"
        )
        sql, params = self._links(staff_id, day, "1 = 1", (children, guardian_id))
        return self._ids(f"SELECT uid AS id FROM ({sql}) AS l", params)

    def students_of(self, staff_id: UUID, day: date, *, any_duty: bool = False) -> list[UUID]:
        sql, params = self._links(staff_id, day, "1 = 1" if any_duty else _REKTOR)
        return self._ids(f"SELECT pid AS id FROM ({sql}) AS l", params)

    def shared_units(self, staff_a: UUID, staff_b: UUID, day: date) -> list[UUID]:
        """Units where both hold an active duty."""
        duty = f"{{a}}.kind = 'unit' AND {{a}}.role <> '{STUDENT}' AND {_ACTIVE}"
        d = day.isoformat()
        return self._ids(
            f"SELECT a.unit_id AS id FROM {self._t('acl_belongs')} a JOIN "
            f"{self._t('acl_belongs')} b ON b.unit_id = a.unit_id WHERE a.person_id = ? AND "
            f"b.person_id = ? AND {duty.format(a='a')} AND {duty.format(a='b')} AND b.person_id "
            f"NOT IN (SELECT person_id FROM {self._t('acl_restricted')})",
            [self._id(staff_a), self._id(staff_b), d, d, d, d],
        )

    def restricted(self, person_id: UUID) -> bool:
        return bool(
            self._ids(
                f"SELECT person_id AS id FROM {self._t('acl_restricted')} WHERE person_id = ?",
                [self._id(person_id)],
            )
        )

    def children_of(self, guardian_id: UUID) -> list[UUID]:
        return self._ids(
            f"SELECT child_id AS id FROM {self._t('acl_guardians')} WHERE guardian_id = ?",
            [self._id(guardian_id)],
        )

    def people_in(self, container_id: UUID, day: date, *, students: bool) -> list[UUID]:
        """Students (or staff) with an active row in a unit, group or department."""
        role = "=" if students else "<>"
        return self._ids(
            f"SELECT person_id AS id FROM {self._t('acl_belongs')} b WHERE container_id = ? "
            f"AND role {role} '{STUDENT}' AND " + _ACTIVE.format(a="b"),
            [self._id(container_id), day.isoformat(), day.isoformat()],
        )

    def duty_units(self, staff_id: UUID, role: str, day: date) -> list[UUID]:
        """Units where the staff member holds an active duty of ``role``."""
        return self._ids(
            f"SELECT unit_id AS id FROM {self._t('acl_belongs')} b WHERE person_id = ? AND "
            "kind = 'unit' AND role = ? AND " + _ACTIVE.format(a="b"),
            [self._id(staff_id), role, day.isoformat(), day.isoformat()],
        )

    def placed_students(self, day: date) -> list[UUID]:
        """Every student with an active placement at any unit on the day."""
        return self._ids(
            f"SELECT DISTINCT person_id AS id FROM {self._t('acl_belongs')} b "
            f"WHERE kind = 'unit' AND role = '{STUDENT}' AND " + _ACTIVE.format(a="b"),
            [day.isoformat(), day.isoformat()],
        )

    def entries_of(self, student_id: UUID) -> list[DocEntryRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    "SELECT entry_id, unit_id, category, school_form, written_on "
                    f"FROM {self._t('acl_doc_entries')} WHERE student_id = ? "
                    "ORDER BY written_on, entry_id"
                ),
                (self._id(student_id),),
            )
            return [
                DocEntryRow(
                    self._uuid(r["entry_id"]),
                    self._uuid(r["unit_id"]),
                    r["category"],
                    r["school_form"],
                    date.fromisoformat(r["written_on"]),
                )
                for r in c.fetchall()
            ]
