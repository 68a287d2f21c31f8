"""Request and response models for the organisation tree, groups and staff.

Enumerated values (organisation type, school forms, roles) are plain strings here and checked
by the application, so every caller, not only HTTP, gets the same rule and the same ``field``.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from api.http.schemas import Model, PersonPublic

_FORMS = "förskola, förskoleklass, grundskola, anpassad grundskola, gymnasieskola, ..."


class UnitCreate(Model):
    name: str = Field(min_length=1, max_length=200)
    organisation_type: str = Field(
        default="Skolenhet", description="SS 12000: Huvudman, Förvaltning, ..., Skolenhet"
    )
    school_forms: list[str] | None = Field(default=None, max_length=10, description=_FORMS)
    school_form: str | None = Field(
        default=None, description="one school form (the first API's field); or school_forms"
    )
    parent_id: UUID | None = None
    school_unit_code: str | None = Field(
        default=None, max_length=20, description="Skolverket's skolenhetskod, eight digits"
    )


class UnitPublic(Model):
    id: UUID
    name: str
    organisation_type: str
    parent_id: UUID | None
    school_form: str | None = Field(description="the first of school_forms")
    school_forms: list[str]
    school_unit_code: str | None
    departments: dict[UUID, str]
    units: list[UUID] = Field(description="the units directly below this one")
    groups: list[UUID]


class GroupCreate(Model):
    unit_id: UUID
    name: str = Field(min_length=1, max_length=200)
    group_type: str = Field(description="SS 12000: Klass, Undervisning, Mentor, Avdelning, ...")
    school_forms: list[str] = Field(min_length=1, max_length=10, description=_FORMS)
    start: date
    end: date | None = None


class GroupPublic(Model):
    id: UUID
    unit_id: UUID
    name: str
    group_type: str
    school_forms: list[str]
    start: date
    end: date | None


class EndOn(Model):
    end: date


class DutyCreate(Model):
    unit_id: UUID
    role: str = Field(description="SS 12000 dutyRole: Rektor, Lärare, Förskollärare, ...")
    start: date


class AssignmentCreate(Model):
    duty_id: UUID
    group_id: UUID = Field(description="a group or department of the duty's unit")
    role: str = Field(description="SS 12000 assignmentRoleType: Mentor, Lärare, ...")
    start: date


class DutyPublic(Model):
    duty_id: UUID
    unit_id: UUID | None
    role: str | None
    start: date | None
    end: date | None
    culled: list[str] = Field(default_factory=list)


class AssignmentPublic(Model):
    assignment_id: UUID
    duty_id: UUID
    group_id: UUID | None
    role: str | None
    start: date | None
    end: date | None
    culled: list[str] = Field(default_factory=list)


class StaffPublic(PersonPublic):
    duties: list[DutyPublic]
    assignments: list[AssignmentPublic]
