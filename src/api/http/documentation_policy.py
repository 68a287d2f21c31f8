"""Who may read and write a student's documentation.

- Staff: only entries written at a unit through which they are connected to the student today
  (a shared group or department, or the head teacher's duty at the student's unit): the seed's
  "kan endast ses av den personal som har koppling till barnet/eleven". Transition
  documentation transferred to such a unit (the transition archive) is read there too.
- Guardians (vårdnadshavare and other responsible adults of the child) and the student: every
  entry except secure notes (säkra anteckningar), which are kept for staff.
- Auditors: every entry and every version, read only.
- Administrators: none; registering people does not need their documentation.

Refusals answer 404 as for an unknown id, so nobody learns that an entry exists.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api import access_log
from api.bootstrap import Gallra
from api.documentation_commands import EntryView
from api.tokens import Principal, Role
from domain.personal import Category

STAFF_ONLY = frozenset({str(Category.SAKRA_ANTECKNINGAR)})


class Reader:
    """One principal's view of one student's documentation, with the lookups done once."""

    def __init__(self, gallra: Gallra, principal: Principal, student_id: UUID, day: date) -> None:
        access_log.note_subjects(student_id)
        self.principal = principal
        self.units: frozenset[UUID] = frozenset()
        self.archive: frozenset[UUID] = frozenset()  # units whose transition docs they hold
        self.family = False
        role = principal.role
        if role == Role.STAFF and principal.subject is not None:
            self.units = gallra.access.connected_units(principal.subject, student_id, day)
            if self.units:
                self.archive = gallra.app.archive_sources(student_id, self.units)
        elif role == Role.STUDENT:
            self.family = principal.subject == student_id
        elif role == Role.GUARDIAN and principal.subject is not None:
            child = gallra.app.get_child(student_id)
            self.family = principal.subject in child.guardians

    @property
    def sees_anything(self) -> bool:
        return self.principal.role == Role.AUDITOR or self.family or bool(self.units)

    def may_read(self, entry: EntryView) -> bool:
        if self.principal.role == Role.AUDITOR:
            return True
        if self.family:
            return entry.category not in STAFF_ONLY
        if not isinstance(entry.unit_id, UUID):
            return False
        return entry.unit_id in self.units or (entry.transition and entry.unit_id in self.archive)
