"""Plain data about the organisation tree, groups and staff: never aggregates.

Units and groups are not personal, so their views hold plain values. A staff member's values
may have been culled, so they stay ``Shredded`` until the HTTP layer answers them as null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from api.views import PersonView
from domain.organisation import Group, Unit
from domain.people import Staff
from domain.personal import Shredded


@dataclass(frozen=True)
class OrgUnitView:
    id: UUID
    name: str
    organisation_type: str
    parent_id: UUID | None
    school_forms: list[str]
    school_unit_code: str | None
    departments: dict[UUID, str]
    subunits: list[UUID]
    groups: list[UUID]

    @property
    def school_form(self) -> str | None:
        """The first school form, as units of the first slice answered it."""
        return self.school_forms[0] if self.school_forms else None


@dataclass(frozen=True)
class GroupView:
    id: UUID
    unit_id: UUID
    name: str
    group_type: str
    school_forms: list[str]
    start: date
    end: date | None


@dataclass(frozen=True)
class DutyView:
    duty_id: UUID
    unit_id: UUID | Shredded
    role: str | Shredded
    start: date | Shredded
    end: date | Shredded | None


@dataclass(frozen=True)
class AssignmentView:
    assignment_id: UUID
    duty_id: UUID
    group_id: UUID | Shredded
    role: str | Shredded
    start: date | Shredded
    end: date | Shredded | None


@dataclass(frozen=True)
class StaffView(PersonView):
    duties: list[DutyView]
    assignments: list[AssignmentView]


def unit_view(unit: Unit) -> OrgUnitView:
    return OrgUnitView(
        id=unit.id,
        name=unit.name,
        organisation_type=str(unit.organisation_type),
        parent_id=unit.parent_id,
        school_forms=[str(f) for f in unit.school_forms],
        school_unit_code=unit.school_unit_code,
        departments=dict(unit.departments),
        subunits=list(unit.subunits),
        groups=list(unit.groups),
    )


def group_view(group: Group) -> GroupView:
    return GroupView(
        id=group.id,
        unit_id=group.unit_id,
        name=group.name,
        group_type=str(group.group_type),
        school_forms=[str(f) for f in group.school_forms],
        start=group.start,
        end=group.end,
    )


def staff_view(staff: Staff) -> StaffView:
    return StaffView(
        id=staff.id,
        given_name=staff.given_name,
        family_name=staff.family_name,
        civic_kind=staff.civic_kind,
        duties=[
            DutyView(d.duty_id, d.unit_id, d.role, d.start, d.end) for d in staff.duties.values()
        ],
        assignments=[
            AssignmentView(a.assignment_id, a.duty_id, a.group_id, a.role, a.start, a.end)
            for a in staff.assignments.values()
        ],
    )
