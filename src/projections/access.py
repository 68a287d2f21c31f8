"""Access control: who is connected to which student, kept current by events.

A person belongs to a unit (placement, duty) or to a group or department (membership,
assignment) from a start to an optional end; a guardian is linked to a child (guardianship,
sealed under the child's identity scope), so staff who see a child see its guardians. Every
row carries the scope its event was sealed under, so when gallring destroys that scope's key
the row goes too: on ``GallringRun.Executed`` by asking the key store which scopes the run
destroyed, and early on ``Decided`` for whole months closed. A rebuild decodes culled fields
as ``Shredded`` and makes no row for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.documentation import DocumentEntry
from domain.gallring import GallringRun
from domain.people import Child, DutyRole, Staff
from domain.person import PersonRecord
from domain.personal import Category
from retention.keys.scope import Scope

if TYPE_CHECKING:
    from projections.runner import ProjectionRunner
    from projections.views.access import AccessViewSQL, DocEntryRow

STUDENT = "student"
REKTOR = str(DutyRole.REKTOR)
UNIT, GROUP = "unit", "group"
_MONTH = re.compile(r"^\d{4}-\d{2}$")

ShreddedBy = Callable[[UUID], Iterable[Scope]]
"""The scopes a gallring run (by its id) destroyed, fenced ones included."""


@dataclass(frozen=True, slots=True)
class Belongs:
    """A person joined a container; ``unit_id`` None means the unit of the ``via`` row."""

    source_id: UUID
    kind: str  # UNIT | GROUP
    person_id: UUID
    container_id: UUID
    unit_id: UUID | None
    role: str
    start: date
    scope: Scope
    via: UUID | None = None


@dataclass(frozen=True, slots=True)
class Ended:
    source_id: UUID
    end: date


@dataclass(frozen=True, slots=True)
class GuardianOf:
    guardian_id: UUID
    child_id: UUID
    scope: Scope


@dataclass(frozen=True, slots=True)
class EntryWritten:
    entry_id: UUID
    student_id: UUID
    unit_id: UUID
    category: str
    school_form: str
    written_on: date
    scope: Scope


@dataclass(frozen=True, slots=True)
class ScopesPurged:
    """Rows governed by these scopes must go: their keys are destroyed."""

    scopes: tuple[Scope, ...]


@dataclass(frozen=True, slots=True)
class PeriodsPurged:
    """Rows of these (category, epoch) periods must go, for every subject."""

    category: str
    epochs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Restricted:
    """Processing of the person's data is restricted (GDPR art. 18): staff no longer see them."""

    person_id: UUID
    scope: Scope


@dataclass(frozen=True, slots=True)
class Unrestricted:
    person_id: UUID


AccessChange = (
    Belongs
    | Ended
    | GuardianOf
    | EntryWritten
    | Restricted
    | Unrestricted
    | ScopesPurged
    | PeriodsPurged
)


def _placement(person_id: UUID, epoch: UUID) -> Scope:
    """The scope of a placement (child) or a duty (staff), and all that hangs off it."""
    return Scope(person_id, str(Category.PLACEMENT), str(epoch))


class AccessProjection:
    """Events in, changes out. Nothing is cached: a membership's or an assignment's unit is
    read from its placement's or duty's row in the view, in the transaction that applies it."""

    name = "access"

    def __init__(self, shredded_by: ShreddedBy) -> None:
        self.shredded_by = shredded_by

    def reload(self) -> None:
        """Nothing to reload: the projection keeps no state between events."""

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[AccessChange]:
        return []

    @changes.register
    def _(self, e: PersonRecord.ProcessingRestricted) -> list[AccessChange]:
        scope = Scope(e.originator_id, str(Category.IDENTITY), "-")
        if not isinstance(e.grounds, str):
            return [ScopesPurged((scope,))]  # culled with the person's identity
        return [Restricted(e.originator_id, scope)]

    @changes.register
    def _(self, e: PersonRecord.RestrictionLifted) -> list[AccessChange]:
        return [Unrestricted(e.originator_id)]

    @changes.register
    def _(self, e: Child.GuardianLinked) -> list[AccessChange]:
        if not isinstance(e.guardian_id, UUID):
            return []  # culled: nobody left to link
        scope = Scope(e.originator_id, str(Category.IDENTITY), "-")
        return [GuardianOf(e.guardian_id, e.originator_id, scope)]

    @changes.register
    def _(self, e: Child.Placed) -> list[AccessChange]:
        scope = _placement(e.originator_id, e.placement_id)
        unit, department, start = e.unit_id, e.department_id, e.start
        if not (isinstance(unit, UUID) and isinstance(start, date)):
            return [ScopesPurged((scope,))]
        if not (department is None or isinstance(department, UUID)):
            return [ScopesPurged((scope,))]
        child, placement = e.originator_id, e.placement_id
        out: list[AccessChange] = [
            Belongs(placement, UNIT, child, unit, unit, STUDENT, start, scope)
        ]
        if department is not None:
            out.append(Belongs(placement, GROUP, child, department, unit, STUDENT, start, scope))
        return out

    @changes.register
    def _(self, e: Child.PlacementEnded) -> list[AccessChange]:
        return self._end(e.placement_id, e.end, _placement(e.originator_id, e.placement_id))

    @changes.register
    def _(self, e: Child.JoinedGroup) -> list[AccessChange]:
        scope = _placement(e.originator_id, e.placement_id)
        group, start = e.group_id, e.start
        if not (isinstance(group, UUID) and isinstance(start, date)):
            return [ScopesPurged((scope,))]
        child, via = e.originator_id, e.placement_id
        return [Belongs(e.membership_id, GROUP, child, group, None, STUDENT, start, scope, via)]

    @changes.register
    def _(self, e: Child.LeftGroup) -> list[AccessChange]:
        return self._end(e.membership_id, e.end, _placement(e.originator_id, e.placement_id))

    @changes.register
    def _(self, e: Staff.DutyAssigned) -> list[AccessChange]:
        scope = _placement(e.originator_id, e.duty_id)
        unit, role, start = e.unit_id, e.role, e.start
        if not (isinstance(unit, UUID) and isinstance(role, str) and isinstance(start, date)):
            return [ScopesPurged((scope,))]
        return [Belongs(e.duty_id, UNIT, e.originator_id, unit, unit, role, start, scope)]

    @changes.register
    def _(self, e: Staff.DutyEnded) -> list[AccessChange]:
        return self._end(e.duty_id, e.end, _placement(e.originator_id, e.duty_id))

    @changes.register
    def _(self, e: Staff.AssignedToGroup) -> list[AccessChange]:
        scope = _placement(e.originator_id, e.duty_id)
        group, role, start = e.group_id, e.role, e.start
        if not (isinstance(group, UUID) and isinstance(role, str) and isinstance(start, date)):
            return [ScopesPurged((scope,))]
        staff, via = e.originator_id, e.duty_id
        return [Belongs(e.assignment_id, GROUP, staff, group, None, role, start, scope, via)]

    @changes.register
    def _(self, e: Staff.AssignmentEnded) -> list[AccessChange]:
        return self._end(e.assignment_id, e.end, _placement(e.originator_id, e.duty_id))

    @changes.register
    def _(self, e: DocumentEntry.Written) -> list[AccessChange]:
        student, unit, day = e.student_id, e.unit_id, e.written_on
        if not (isinstance(student, UUID) and isinstance(unit, UUID) and isinstance(day, date)):
            return []  # culled: without the student there is no row, and no scope to name
        scope = Scope(student, e.category, f"{day.year:04d}-{day.month:02d}")
        return [EntryWritten(e.originator_id, student, unit, e.category, e.school_form, day, scope)]

    @changes.register
    def _(self, e: GallringRun.Decided) -> list[AccessChange]:
        # A run closes every (category, epoch) it names; whole months can go before the keys.
        months = tuple(m for m in e.epochs if _MONTH.match(m))
        return [PeriodsPurged(e.category, months)] if months else []

    @changes.register
    def _(self, e: GallringRun.Executed) -> list[AccessChange]:
        scopes = tuple(self.shredded_by(e.originator_id))
        return [ScopesPurged(scopes)] if scopes else []

    @staticmethod
    def _end(source_id: UUID, end: Any, scope: Scope) -> list[AccessChange]:
        """An end date; an end that reads as culled means the whole scope is gone."""
        return [Ended(source_id, end)] if isinstance(end, date) else [ScopesPurged((scope,))]


class AccessControl:
    """Who is connected to whom on a day; every answer first catches the view up."""

    def __init__(self, view: AccessViewSQL, runner: ProjectionRunner) -> None:
        self.view = view
        self.runner = runner

    def connected_units(self, staff_id: UUID, student_id: UUID, day: date) -> frozenset[UUID]:
        """Units through which the staff member reaches the student; empty: not connected."""
        self.runner.catch_up()
        return frozenset(self.view.connected_units(staff_id, student_id, day))

    def restricted(self, person_id: UUID) -> bool:
        """Whether processing of the person's data is restricted (GDPR art. 18)."""
        self.runner.catch_up()
        return self.view.restricted(person_id)

    def may_see(self, staff_id: UUID, child_id: UUID, day: date) -> bool:
        """Connected, or holding any duty at a unit where the child is placed."""
        self.runner.catch_up()
        return bool(self.view.connected_units(staff_id, child_id, day, any_duty=True))

    def may_see_guardian(self, staff_id: UUID, guardian_id: UUID, day: date) -> bool:
        """May see at least one of the guardian's children."""
        self.runner.catch_up()
        return bool(self.view.guardian_seen(staff_id, guardian_id, day))

    def share_unit(self, staff_a: UUID, staff_b: UUID, day: date) -> bool:
        """Both hold an active duty at one unit: colleagues see each other."""
        self.runner.catch_up()
        return bool(self.view.shared_units(staff_a, staff_b, day))

    def children_of(self, guardian_id: UUID) -> list[UUID]:
        self.runner.catch_up()
        return self.view.children_of(guardian_id)

    def students_of(self, staff_id: UUID, day: date) -> list[UUID]:
        self.runner.catch_up()
        return self.view.students_of(staff_id, day)

    def seen_by(self, staff_id: UUID, day: date) -> list[UUID]:
        """Every student the staff member may see (``may_see``) on the day."""
        self.runner.catch_up()
        return self.view.students_of(staff_id, day, any_duty=True)

    def members_of(self, container_id: UUID, day: date) -> list[UUID]:
        """Students in a unit, group or department on the day."""
        self.runner.catch_up()
        return self.view.people_in(container_id, day, students=True)

    def staff_of(self, container_id: UUID, day: date) -> list[UUID]:
        """Staff with a duty at a unit, or assigned to a group or department, on the day."""
        self.runner.catch_up()
        return self.view.people_in(container_id, day, students=False)

    def rektor_units(self, staff_id: UUID, day: date) -> frozenset[UUID]:
        """Units where the staff member is head teacher (Rektor) on the day."""
        self.runner.catch_up()
        return frozenset(self.view.duty_units(staff_id, REKTOR, day))

    def placed_children(self, day: date) -> list[UUID]:
        """Every child or student placed anywhere on the day (for yearly jobs)."""
        self.runner.catch_up()
        return self.view.placed_students(day)

    def entries_of(self, student_id: UUID) -> list[DocEntryRow]:
        """The student's documentation entries (ids, unit, category, date), oldest first."""
        self.runner.catch_up()
        return self.view.entries_of(student_id)
