"""The organisation tree (huvudman, förvaltning, skolenheter) and its groups. Nothing personal.

Names and enums follow SS 12000 (Organisation, Group) so that Swedish school systems can map
onto Gallra without translation tables. A unit's departments (avdelningar) predate groups in
Gallra: the kiosk and attendance work per department, and access control treats a department
like a group of type Avdelning.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, RuleViolationError

if TYPE_CHECKING:
    from domain.term_summary import AbsenceThresholds


class SchoolForm(StrEnum):
    """School forms (skolformer) as the seed and SS 12000 name them."""

    FORSKOLA = "förskola"
    FORSKOLEKLASS = "förskoleklass"
    GRUNDSKOLA = "grundskola"
    ANPASSAD_GRUNDSKOLA = "anpassad grundskola"
    GYMNASIESKOLA = "gymnasieskola"
    ANPASSAD_GYMNASIESKOLA = "anpassad gymnasieskola"
    FRITIDSHEM = "fritidshem"

    @property
    def ss12000(self) -> str:
        """The SS 12000 schoolType code."""
        return _SS12000_SCHOOL_TYPES[self]

    @property
    def compulsory(self) -> bool:
        """Whether 7 kap skollagen (compulsory attendance) applies to this school form."""
        return self in (
            SchoolForm.FORSKOLEKLASS,
            SchoolForm.GRUNDSKOLA,
            SchoolForm.ANPASSAD_GRUNDSKOLA,
        )


_SS12000_SCHOOL_TYPES = {
    SchoolForm.FORSKOLA: "FS",
    SchoolForm.FORSKOLEKLASS: "FKLASS",
    SchoolForm.GRUNDSKOLA: "GR",
    SchoolForm.ANPASSAD_GRUNDSKOLA: "GRS",
    SchoolForm.GYMNASIESKOLA: "GY",
    SchoolForm.ANPASSAD_GYMNASIESKOLA: "GYS",
    SchoolForm.FRITIDSHEM: "FTH",
}


class OrganisationType(StrEnum):
    """SS 12000 organisationType. A preschool is a Skolenhet whose school forms hold förskola."""

    HUVUDMAN = "Huvudman"
    VERKSAMHETSOMRADE = "Verksamhetsområde"
    FORVALTNING = "Förvaltning"
    REKTORSOMRADE = "Rektorsområde"
    SKOLA = "Skola"
    SKOLENHET = "Skolenhet"
    OVRIGT = "Övrigt"


class GroupType(StrEnum):
    """SS 12000 groupType."""

    UNDERVISNING = "Undervisning"
    KLASS = "Klass"
    MENTOR = "Mentor"
    PROVGRUPP = "Provgrupp"
    SCHEMA = "Schema"
    AVDELNING = "Avdelning"
    PERSONALGRUPP = "Personalgrupp"
    OVRIGT = "Övrigt"


def parse_group_type(value: str) -> GroupType:
    try:
        return GroupType(value)
    except ValueError:
        raise RuleViolationError(
            f"group type must be one of {', '.join(GroupType)}", field="group_type"
        ) from None


def parse_school_forms(values: list[str], field: str = "school_forms") -> list[SchoolForm]:
    forms: list[SchoolForm] = []
    for value in values:
        try:
            form = SchoolForm(value)
        except ValueError:
            raise RuleViolationError(
                f"school form must be one of {', '.join(SchoolForm)}", field=field
            ) from None
        if form not in forms:
            forms.append(form)
    return forms


class Unit(Aggregate):
    """A node of the organisation tree; school units hold departments where children are placed.

    Version 2 of ``Created`` adds the SS 12000 organisation type, the parent node, every
    school form of the unit and the school unit code; version 1 events (a school unit with one
    school form and no parent) are upcast. A parent records its child units, and a school unit
    its groups, in events saved with the new aggregate, so navigation needs no projection.
    """

    class Created(Aggregate.Created):
        class_version = 2
        name: str
        school_form: str | None
        school_forms: list[str]
        organisation_type: str
        parent_id: UUID | None
        school_unit_code: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["school_forms"] = [state["school_form"]]
            state["organisation_type"] = str(OrganisationType.SKOLENHET)
            state["parent_id"] = None
            state["school_unit_code"] = None

    class DepartmentAdded(Aggregate.Event):
        department_id: UUID
        name: str

    class SubunitAdded(Aggregate.Event):
        subunit_id: UUID

    class GroupAdded(Aggregate.Event):
        group_id: UUID

    class AbsenceThresholdsSet(Aggregate.Event):
        """When absence must be looked into at this unit (skollagen 7 kap 19 a §): the fields
        of ``domain.term_summary.AbsenceThresholds`` by name, so a threshold added later needs
        no upcaster (older events take its default)."""

        thresholds: dict[str, int]

    @event(Created)
    def __init__(
        self,
        name: str,
        school_form: str | None = None,
        school_forms: list[str] | None = None,
        organisation_type: str = OrganisationType.SKOLENHET,
        parent_id: UUID | None = None,
        school_unit_code: str | None = None,
    ) -> None:
        self.name = name
        self.organisation_type = OrganisationType(organisation_type)
        forms = list(school_forms or ([school_form] if school_form else []))
        self.school_forms = [SchoolForm(f) for f in forms]
        self.parent_id = parent_id
        self.school_unit_code = school_unit_code
        self.departments: dict[UUID, str] = {}
        self.subunits: list[UUID] = []
        self.groups: list[UUID] = []
        self.absence_thresholds: dict[str, int] | None = None  # None: the defaults

    @property
    def school_form(self) -> SchoolForm | None:
        """The unit's first school form (units of the first slice had exactly one)."""
        return self.school_forms[0] if self.school_forms else None

    @property
    def holds_children(self) -> bool:
        """Only school units take placements; the nodes above them organise."""
        return self.organisation_type == OrganisationType.SKOLENHET and bool(self.school_forms)

    def add_department(self, name: str) -> UUID:
        if not self.holds_children:
            raise RuleViolationError(
                f"unit {self.id} is a {self.organisation_type}: only a Skolenhet with school "
                "forms has departments",
                field="unit_id",
            )
        if name in self.departments.values():
            raise ConflictError(
                f"unit {self.id} already has a department with that name", field="name"
            )
        department_id = uuid4()
        self._add_department(department_id=department_id, name=name)
        return department_id

    @event(DepartmentAdded)
    def _add_department(self, department_id: UUID, name: str) -> None:
        self.departments[department_id] = name

    def add_subunit(self, subunit_id: UUID) -> None:
        """Record a unit created below this one (its ``Created`` names this as parent)."""
        if subunit_id not in self.subunits:
            self._subunit_added(subunit_id=subunit_id)

    @event(SubunitAdded)
    def _subunit_added(self, subunit_id: UUID) -> None:
        self.subunits.append(subunit_id)

    def add_group(self, group_id: UUID, school_forms: list[SchoolForm]) -> None:
        """Record a group of this school unit; its school forms must be the unit's."""
        if not self.holds_children:
            raise RuleViolationError(
                f"unit {self.id} is a {self.organisation_type}: only a Skolenhet has groups",
                field="unit_id",
            )
        if not school_forms:
            raise RuleViolationError("a group needs at least one school form", field="school_forms")
        if any(form not in self.school_forms for form in school_forms):
            raise RuleViolationError(
                f"a group's school forms must be among those of unit {self.id}",
                field="school_forms",
            )
        if group_id not in self.groups:
            self._group_added(group_id=group_id)

    @event(GroupAdded)
    def _group_added(self, group_id: UUID) -> None:
        self.groups.append(group_id)

    def set_absence_thresholds(self, thresholds: AbsenceThresholds) -> bool:
        """Record a school unit's thresholds; the same ones again record nothing."""
        if not self.holds_children:
            raise RuleViolationError(f"unit {self.id} is not a school unit", field="unit_id")
        if thresholds.as_dict() == self.absence_thresholds:
            return False
        self._thresholds_set(thresholds=thresholds.as_dict())
        return True

    @event(AbsenceThresholdsSet)
    def _thresholds_set(self, thresholds: dict[str, int]) -> None:
        self.absence_thresholds = dict(thresholds)


class Group(Aggregate):
    """A group of students at a school unit (SS 12000 Group): a class, a teaching group, a
    mentor group. Who is in it is recorded on the people (sealed), never here."""

    class Created(Aggregate.Created):
        unit_id: UUID
        name: str
        group_type: str
        school_forms: list[str]
        start: date
        end: date | None

    class Ended(Aggregate.Event):
        end: date

    @event(Created)
    def __init__(
        self,
        unit_id: UUID,
        name: str,
        group_type: str,
        school_forms: list[str],
        start: date,
        end: date | None = None,
    ) -> None:
        self.unit_id = unit_id
        self.name = name
        self.group_type = GroupType(group_type)
        self.school_forms = [SchoolForm(f) for f in school_forms]
        self.start = start
        self.end = end

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def close(self, end: date) -> None:
        if self.end is not None:
            raise ConflictError(f"group {self.id} has already ended", field="end")
        if end < self.start:
            raise RuleViolationError("a group cannot end before it starts", field="end")
        self._ended(end=end)

    @event(Ended)
    def _ended(self, end: date) -> None:
        self.end = end
