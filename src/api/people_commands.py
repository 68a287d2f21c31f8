"""Commands and queries about people: guardians, children, placements, and the civic-number
claim staff registration shares. Identity is looked up by civic number through the blind index
only."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.person_details_commands import PersonDetailsCommands
from api.views import ChildView, MembershipView, PersonView, PlacementView
from domain.civic_number import CivicNumber
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import Group, SchoolForm, Unit, parse_school_forms
from domain.people import Child, Guardian, Placement, RelationType, Staff


class PeopleCommands(PersonDetailsCommands):
    """Guardians and children; placements."""

    # -- people ----------------------------------------------------------------------------

    def _claim_identity(self, civic: CivicNumber, new_id: UUID, what: str) -> None:
        owner = self.keystore.index_claim(civic.value, new_id)
        if owner != new_id and not self._exists(owner):
            # A registration that crashed between claim and save left this row; reclaim it.
            self.keystore.index_release(civic.value, owner)
            owner = self.keystore.index_claim(civic.value, new_id)
        if owner != new_id:
            raise ConflictError(
                f"that civic number is already registered, as {what} {owner}",
                field="civic_number",
            )

    def _save_registered(self, person: Guardian | Child | Staff, civic: CivicNumber) -> UUID:
        """Claim the civic number, then save; a failed save gives the number back."""
        self._claim_identity(civic, person.id, "person")
        try:
            self.save(person)
        except BaseException:
            self.keystore.index_release(civic.value, person.id)
            raise
        return person.id

    def register_guardian(self, given_name: str, family_name: str, civic_number: str) -> UUID:
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        guardian = Guardian(
            given_name=given_name,
            family_name=family_name,
            civic_number=civic.value,
            civic_kind=str(civic.kind),
        )
        return self._save_registered(guardian, civic)

    def register_child(
        self,
        given_name: str,
        family_name: str,
        civic_number: str,
        guardians: list[tuple[UUID, str]] | None = None,
    ) -> UUID:
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        linked = guardians or []
        for guardian_id, _relation in linked:
            self._get(Guardian, guardian_id, "guardian")
        child = Child(
            given_name=given_name,
            family_name=family_name,
            civic_number=civic.value,
            civic_kind=str(civic.kind),
        )
        for guardian_id, relation in linked:
            child.link_guardian(guardian_id, relation)
        return self._save_registered(child, civic)

    def link_guardian(
        self, child_id: UUID, guardian_id: UUID, relation: str = RelationType.GUARDIAN
    ) -> None:
        self._get(Guardian, guardian_id, "guardian")

        def command() -> None:
            child = self._get(Child, child_id, "child")
            child.link_guardian(guardian_id, relation)
            self.save(child)

        self._retrying(command)

    def find_person(self, civic_number: str) -> UUID | None:
        """Look a person up by civic number through the blind index (never a scan)."""
        civic = CivicNumber.parse(civic_number, today=self.clock().date())
        return self.keystore.index_find(civic.value)

    def get_child(self, child_id: UUID) -> ChildView:
        child = self._get(Child, child_id, "child")
        return ChildView(
            id=child.id,
            given_name=child.given_name,
            family_name=child.family_name,
            civic_kind=child.civic_kind,
            guardians=dict(child.guardians),
            placements=[
                PlacementView(
                    p.placement_id, p.unit_id, p.department_id, p.start, p.end, p.school_form
                )
                for p in child.placements.values()
            ],
            memberships=[
                MembershipView(m.membership_id, m.placement_id, m.group_id, m.start, m.end)
                for m in child.memberships.values()
            ],
        )

    def get_guardian(self, guardian_id: UUID) -> PersonView:
        guardian = self._get(Guardian, guardian_id, "guardian")
        return PersonView(
            guardian.id, guardian.given_name, guardian.family_name, guardian.civic_kind
        )

    def place_child(
        self,
        child_id: UUID,
        unit_id: UUID,
        department_id: UUID | None,
        start: date,
        school_form: str | None = None,
    ) -> UUID:
        """Place a child at a unit in one of its school forms (the only one if none is named)."""
        unit = self._get(Unit, unit_id, "unit")
        form = _placement_form(unit, department_id, school_form)

        def command() -> UUID:
            child = self._get(Child, child_id, "child")
            placement_id = child.place(unit_id, department_id, start, form)
            self.save(child)
            return placement_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def end_placement(self, child_id: UUID, placement_id: UUID, end: date) -> None:
        def command() -> None:
            child = self._get(Child, child_id, "child")
            child.end_placement(placement_id, end)
            self.save(child)

        self._retrying(command)

    def move_placement(
        self,
        child_id: UUID,
        placement_id: UUID,
        unit_id: UUID,
        department_id: UUID | None,
        on: date,
    ) -> UUID:
        """End a placement the day before ``on`` and continue it in the same school form at
        another unit or department; both events are saved together."""

        def command() -> UUID:
            child = self._get(Child, child_id, "child")
            form = _placement_of(child, placement_id).school_form
            unit = self._get(Unit, unit_id, "unit")
            if isinstance(form, str):
                _placement_form(unit, department_id, form)
            else:  # placed before placements had a school form, or culled: the department only
                _check_department(unit, department_id, None)
            new_id = child.move(placement_id, unit_id, department_id, on)
            self.save(child)
            return new_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def join_group(self, child_id: UUID, placement_id: UUID, group_id: UUID, start: date) -> UUID:
        """Join a group of the placement's unit; joining a group the child is in is a no-op
        that answers the same membership id, so a retry is safe."""
        try:
            group = self._get(Group, group_id, "group")
        except NotFoundError:
            raise NotFoundError(f"no group with id {group_id}", field="group_id") from None

        def command() -> UUID:
            child = self._get(Child, child_id, "child")
            if _placement_of(child, placement_id).unit_id != group.unit_id:
                raise RuleViolationError(
                    f"group {group_id} is not at the unit of placement {placement_id}",
                    field="group_id",
                )
            if not group.active_on(start):
                raise RuleViolationError(f"group {group_id} is not active then", field="start")
            membership_id = child.join_group(placement_id, group_id, start)
            self.save(child)
            return membership_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def leave_group(self, child_id: UUID, group_id: UUID, end: date) -> None:
        def command() -> None:
            child = self._get(Child, child_id, "child")
            child.leave_group(group_id, end)
            self.save(child)

        self._retrying(command)


def _placement_of(child: Child, placement_id: UUID) -> Placement:
    placement = child.placements.get(placement_id)
    if placement is None:
        raise NotFoundError(
            f"child {child.id} has no placement {placement_id}", field="placement_id"
        )
    return placement


def _placement_form(unit: Unit, department_id: UUID | None, school_form: str | None) -> str:
    """The school form a placement at ``unit`` is in, checked against the unit's."""
    if not unit.holds_children:
        raise RuleViolationError(f"unit {unit.id} takes no placements", field="unit_id")
    if school_form is None:
        if len(unit.school_forms) != 1:
            raise RuleViolationError(
                f"unit {unit.id} has several school forms: name one", field="school_form"
            )
        form = unit.school_forms[0]
    else:
        form = parse_school_forms([school_form], field="school_form")[0]
        if form not in unit.school_forms:
            raise RuleViolationError(
                f"unit {unit.id} does not have that school form", field="school_form"
            )
    _check_department(unit, department_id, form)
    return str(form)


def _check_department(unit: Unit, department_id: UUID | None, form: SchoolForm | None) -> None:
    """A department must be the unit's; förskola and fritidshem need one where there are any."""
    if department_id is None:
        if unit.departments and form in _PER_DEPARTMENT:
            raise RuleViolationError(
                f"förskola and fritidshem at unit {unit.id} are placed in a department",
                field="department_id",
            )
    elif department_id not in unit.departments:
        raise NotFoundError(
            f"unit {unit.id} has no department {department_id}", field="department_id"
        )


_PER_DEPARTMENT = (SchoolForm.FORSKOLA, SchoolForm.FRITIDSHEM)
