"""Commands and queries about staff: registration, duties and group assignments.

A staff member's stream holds sealed data only, like a guardian's: identity under the identity
scope, each duty and its assignments under the duty's own scope. Registration claims the civic
number through the blind index, as people's registration does.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.org_views import StaffView, staff_view
from api.people_commands import PeopleCommands
from domain.civic_number import CivicNumber
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import Group, OrganisationType, Unit
from domain.people import Staff


class StaffCommands(PeopleCommands):
    """Staff members (SS 12000 Person with Duty) and their assignments to groups."""

    def register_staff(self, given_name: str, family_name: str, civic_number: str) -> UUID:
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        staff = Staff(
            given_name=given_name,
            family_name=family_name,
            civic_number=civic.value,
            civic_kind=str(civic.kind),
        )
        return self._save_registered(staff, civic)

    def get_staff(self, staff_id: UUID) -> StaffView:
        return staff_view(self._get(Staff, staff_id, "staff member"))

    def _save_changed(self, staff: Staff) -> None:
        """Save only if the command changed something, so a retry writes nothing."""
        if staff.pending_events:
            self.save(staff)

    # -- duties ----------------------------------------------------------------------------

    def assign_duty(self, staff_id: UUID, unit_id: UUID, role: str, start: date) -> UUID:
        """A duty at a Skolenhet; the same open duty again answers its id and writes nothing."""
        unit = self._unit(unit_id)
        if unit.organisation_type != OrganisationType.SKOLENHET:
            raise RuleViolationError(
                f"unit {unit_id} is a {unit.organisation_type}: duties are at a Skolenhet",
                field="unit_id",
            )

        def command() -> UUID:
            staff = self._get(Staff, staff_id, "staff member")
            duty_id = staff.assign_duty(unit_id, role, start)
            self._save_changed(staff)
            return duty_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def end_duty(self, staff_id: UUID, duty_id: UUID, end: date) -> None:
        """End a duty and every assignment still open under it, in one save."""

        def command() -> None:
            staff = self._get(Staff, staff_id, "staff member")
            staff.end_duty(duty_id, end)
            self.save(staff)

        self._retrying(command)

    # -- assignments -----------------------------------------------------------------------

    def assign_to_group(
        self, staff_id: UUID, duty_id: UUID, group_id: UUID, role: str, start: date
    ) -> UUID:
        """Assign under a duty to a group or department of the duty's unit. The same open
        assignment again answers its id and writes nothing."""

        def command() -> UUID:
            staff = self._get(Staff, staff_id, "staff member")
            # The domain checks the duty and the role first; the staff copy is ours to discard.
            assignment_id = staff.assign_to_group(duty_id, group_id, role, start)
            duty = staff.duties[duty_id]
            if not isinstance(duty.unit_id, UUID):
                raise ConflictError(f"duty {duty_id} has been culled", field="duty_id")
            if isinstance(duty.start, date) and start < duty.start:
                raise RuleViolationError(
                    "an assignment cannot start before its duty", field="start"
                )
            self._check_group_of(duty.unit_id, group_id, start)
            self._save_changed(staff)
            return assignment_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def _check_group_of(self, unit_id: UUID, group_id: UUID, start: date) -> None:
        """A duty reaches the groups and departments of its own unit only."""
        unit = self._unit(unit_id)
        if group_id in unit.departments:
            return
        try:
            group = self._get(Group, group_id, "group")
        except NotFoundError:
            raise NotFoundError(
                f"no group or department with id {group_id}", field="group_id"
            ) from None
        if group.unit_id != unit_id:
            raise RuleViolationError(
                f"group {group_id} is not at the duty's unit {unit_id}", field="group_id"
            )
        if group.end is not None and group.end < start:
            raise ConflictError(f"group {group_id} has ended", field="group_id")

    def end_assignment(self, staff_id: UUID, assignment_id: UUID, end: date) -> None:
        def command() -> None:
            staff = self._get(Staff, staff_id, "staff member")
            staff.end_assignment(assignment_id, end)
            self.save(staff)

        self._retrying(command)

    def _unit(self, unit_id: UUID) -> Unit:
        try:
            return self._get(Unit, unit_id, "unit")
        except NotFoundError as e:
            raise NotFoundError(str(e), field="unit_id") from None
