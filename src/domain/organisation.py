"""Units (förskola, skola, fritidshem) and their departments. Nothing here is personal."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError


class SchoolForm(StrEnum):
    """School forms (skolformer) as the seed and SS 12000 name them."""

    FORSKOLA = "förskola"
    FORSKOLEKLASS = "förskoleklass"
    GRUNDSKOLA = "grundskola"
    ANPASSAD_GRUNDSKOLA = "anpassad grundskola"
    GYMNASIESKOLA = "gymnasieskola"
    ANPASSAD_GYMNASIESKOLA = "anpassad gymnasieskola"
    FRITIDSHEM = "fritidshem"


class Unit(Aggregate):
    """An organisational unit with departments (avdelningar) where children are placed."""

    class Created(Aggregate.Created):
        name: str
        school_form: str

    class DepartmentAdded(Aggregate.Event):
        department_id: UUID
        name: str

    @event(Created)
    def __init__(self, name: str, school_form: str) -> None:
        self.name = name
        self.school_form = SchoolForm(school_form)
        self.departments: dict[UUID, str] = {}

    def add_department(self, name: str) -> UUID:
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
