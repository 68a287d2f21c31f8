"""Commands and queries about the organisation and people: units, guardians, children,
placements. Identity is looked up by civic number through the blind index only."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.app_base import GallraBase
from api.views import ChildView, PersonView, PlacementView, UnitView
from domain.civic_number import CivicNumber
from domain.errors import ConflictError, NotFoundError
from domain.organisation import Unit
from domain.people import Child, Guardian, RelationType


class PeopleCommands(GallraBase):
    """Units and departments; guardians and children; placements."""

    # -- organisation ----------------------------------------------------------------------

    def create_unit(self, name: str, school_form: str) -> UUID:
        unit = Unit(name=name, school_form=school_form)
        self.save(unit)
        return unit.id

    def add_department(self, unit_id: UUID, name: str) -> UUID:
        def command() -> UUID:
            unit = self._get(Unit, unit_id, "unit")
            department_id = unit.add_department(name)
            self.save(unit)
            return department_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def get_unit(self, unit_id: UUID) -> UnitView:
        unit = self._get(Unit, unit_id, "unit")
        return UnitView(unit.id, unit.name, str(unit.school_form), dict(unit.departments))

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

    def _save_registered(self, person: Guardian | Child, civic: CivicNumber) -> UUID:
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
                PlacementView(p.placement_id, p.unit_id, p.department_id, p.start, p.end)
                for p in child.placements.values()
            ],
        )

    def get_guardian(self, guardian_id: UUID) -> PersonView:
        guardian = self._get(Guardian, guardian_id, "guardian")
        return PersonView(
            guardian.id, guardian.given_name, guardian.family_name, guardian.civic_kind
        )

    def place_child(self, child_id: UUID, unit_id: UUID, department_id: UUID, start: date) -> UUID:
        unit = self._get(Unit, unit_id, "unit")
        if department_id not in unit.departments:
            raise NotFoundError(
                f"unit {unit_id} has no department {department_id}", field="department_id"
            )

        def command() -> UUID:
            child = self._get(Child, child_id, "child")
            placement_id = child.place(unit_id, department_id, start)
            self.save(child)
            return placement_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def end_placement(self, child_id: UUID, placement_id: UUID, end: date) -> None:
        def command() -> None:
            child = self._get(Child, child_id, "child")
            child.end_placement(placement_id, end)
            self.save(child)

        self._retrying(command)
