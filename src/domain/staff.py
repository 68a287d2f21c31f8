"""Staff (personal): duties at units and assignments to groups (SS 12000 Duty). The
assignments connect staff to students; access control follows them. Each duty, with its
assignments, is sealed under a placement scope whose epoch is the duty itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.person import PersonRecord, PersonRegistered, within
from domain.personal import Category, Personal, Shredded, ValueOf

_DUTY = Personal(Category.PLACEMENT, epoch=ValueOf("duty_id"))


class DutyRole(StrEnum):
    """SS 12000 dutyRole (the roles Gallra's access rules know)."""

    REKTOR = "Rektor"
    LARARE = "Lärare"
    FORSKOLLARARE = "Förskollärare"
    BARNSKOTARE = "Barnskötare"
    FRITIDSPEDAGOG = "Fritidspedagog"
    ELEVASSISTENT = "Elevassistent"
    SPECIALPEDAGOG = "Speciallärare/specialpedagog"
    KURATOR = "Kurator"
    SKOLSKOTERSKA = "Skolsköterska"
    STUDIE_OCH_YRKESVAGLEDARE = "Studie- och yrkesvägledare"
    ANNAN_PERSONAL = "Annan personal"


class AssignmentRole(StrEnum):
    """SS 12000 assignmentRoleType: what a staff member is to a group."""

    MENTOR = "Mentor"
    LARARE = "Lärare"
    FORSKOLLARARE = "Förskollärare"
    BARNSKOTARE = "Barnskötare"
    ELEVASSISTENT = "Elevassistent"
    FRITIDSPEDAGOG = "Fritidspedagog"
    ANNAN_PERSONAL = "Annan personal"


@dataclass(frozen=True, slots=True)
class Duty:
    duty_id: UUID
    unit_id: UUID | Shredded
    role: str | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        return within(self.start, self.end, day)


@dataclass(frozen=True, slots=True)
class Assignment:
    assignment_id: UUID
    duty_id: UUID
    group_id: UUID | Shredded
    role: str | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        return within(self.start, self.end, day)


class Staff(PersonRecord):
    """A member of staff (personal) with duties at units and assignments to groups (SS 12000
    Duty). The assignments connect staff to students; access control follows them."""

    class Registered(PersonRegistered):
        pass

    class DutyAssigned(Aggregate.Event):
        duty_id: UUID
        unit_id: Annotated[UUID | Shredded, _DUTY]
        role: Annotated[str | Shredded, _DUTY]
        start: Annotated[date | Shredded, _DUTY]

    class DutyEnded(Aggregate.Event):
        duty_id: UUID
        end: Annotated[date | Shredded, _DUTY]

    class AssignedToGroup(Aggregate.Event):
        assignment_id: UUID
        duty_id: UUID
        group_id: Annotated[UUID | Shredded, _DUTY]
        role: Annotated[str | Shredded, _DUTY]
        start: Annotated[date | Shredded, _DUTY]

    class AssignmentEnded(Aggregate.Event):
        assignment_id: UUID
        duty_id: UUID
        end: Annotated[date | Shredded, _DUTY]

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self._identify(given_name, family_name, civic_number, civic_kind)
        self.duties: dict[UUID, Duty] = {}
        self.assignments: dict[UUID, Assignment] = {}
        self._person_init()

    def assign_duty(self, unit_id: UUID, role: str, start: date) -> UUID:
        try:
            duty_role = DutyRole(role)
        except ValueError:
            raise RuleViolationError(
                f"duty role must be one of {', '.join(DutyRole)}", field="role"
            ) from None
        for duty in self.duties.values():
            if duty.unit_id == unit_id and duty.role == duty_role and duty.end is None:
                return duty.duty_id  # the same open duty again: a retry
        duty_id = uuid4()
        self._duty_assigned(duty_id=duty_id, unit_id=unit_id, role=str(duty_role), start=start)
        return duty_id

    @event(DutyAssigned)
    def _duty_assigned(
        self,
        duty_id: UUID,
        unit_id: UUID | Shredded,
        role: str | Shredded,
        start: date | Shredded,
    ) -> None:
        self.duties[duty_id] = Duty(duty_id, unit_id, role, start, None)

    def end_duty(self, duty_id: UUID, end: date) -> None:
        duty = self.duties.get(duty_id)
        if duty is None:
            raise NotFoundError(f"staff {self.id} has no duty {duty_id}", field="duty_id")
        if duty.end is not None:
            raise ConflictError(f"duty {duty_id} has already ended", field="duty_id")
        if isinstance(duty.start, date) and end < duty.start:
            raise RuleViolationError("a duty cannot end before it starts", field="end")
        for assignment in self.assignments.values():
            if assignment.duty_id == duty_id and assignment.end is None:
                self._assignment_ended(
                    assignment_id=assignment.assignment_id, duty_id=duty_id, end=end
                )
        self._duty_ended(duty_id=duty_id, end=end)

    @event(DutyEnded)
    def _duty_ended(self, duty_id: UUID, end: date | Shredded) -> None:
        d = self.duties[duty_id]
        self.duties[duty_id] = Duty(d.duty_id, d.unit_id, d.role, d.start, end)

    def assign_to_group(self, duty_id: UUID, group_id: UUID, role: str, start: date) -> UUID:
        """Assign to a group (or a department) under a duty: the connection to its students."""
        duty = self.duties.get(duty_id)
        if duty is None:
            raise NotFoundError(f"staff {self.id} has no duty {duty_id}", field="duty_id")
        if duty.end is not None:
            raise ConflictError(f"duty {duty_id} has ended", field="duty_id")
        try:
            assignment_role = AssignmentRole(role)
        except ValueError:
            raise RuleViolationError(
                f"assignment role must be one of {', '.join(AssignmentRole)}", field="role"
            ) from None
        for a in self.assignments.values():
            same = (a.duty_id, a.group_id, a.role) == (duty_id, group_id, assignment_role)
            if same and a.end is None:
                return a.assignment_id  # the same open assignment again: a retry
        assignment_id = uuid4()
        self._assigned_to_group(
            assignment_id=assignment_id,
            duty_id=duty_id,
            group_id=group_id,
            role=str(assignment_role),
            start=start,
        )
        return assignment_id

    @event(AssignedToGroup)
    def _assigned_to_group(
        self,
        assignment_id: UUID,
        duty_id: UUID,
        group_id: UUID | Shredded,
        role: str | Shredded,
        start: date | Shredded,
    ) -> None:
        self.assignments[assignment_id] = Assignment(
            assignment_id, duty_id, group_id, role, start, None
        )

    def end_assignment(self, assignment_id: UUID, end: date) -> None:
        a = self.assignments.get(assignment_id)
        if a is None:
            raise NotFoundError(
                f"staff {self.id} has no assignment {assignment_id}", field="assignment_id"
            )
        if a.end is not None:
            raise ConflictError(
                f"assignment {assignment_id} has already ended", field="assignment_id"
            )
        if isinstance(a.start, date) and end < a.start:
            raise RuleViolationError("an assignment cannot end before it starts", field="end")
        self._assignment_ended(assignment_id=assignment_id, duty_id=a.duty_id, end=end)

    @event(AssignmentEnded)
    def _assignment_ended(self, assignment_id: UUID, duty_id: UUID, end: date | Shredded) -> None:
        a = self.assignments[assignment_id]
        self.assignments[assignment_id] = Assignment(
            a.assignment_id, a.duty_id, a.group_id, a.role, a.start, end
        )
