"""Request and response models (XCreate / XPublic families).

A personal field whose key was destroyed answers null, and its name is listed in ``culled``,
so a client can tell "never had a value" from "culled under the retention plan".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from domain.person import MAX_PICTURE_BYTES, MAX_PROFILE_TEXT, MAX_SETTINGS
from domain.personal import Shredded

_PICTURE_B64 = 4 * -(-MAX_PICTURE_BYTES // 3)  # base64 length of the largest picture


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


def shown(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Replace culled values by None and list their names."""
    culled = [name for name, value in values.items() if isinstance(value, Shredded)]
    return {k: (None if isinstance(v, Shredded) else v) for k, v in values.items()}, culled


class Created(Model):
    id: UUID


class UnitCreate(Model):
    name: str = Field(min_length=1, max_length=200)
    school_form: str = Field(description="förskola, fritidshem, grundskola, ...")


class DepartmentCreate(Model):
    name: str = Field(min_length=1, max_length=200)


class UnitPublic(Model):
    id: UUID
    name: str
    school_form: str
    departments: dict[UUID, str]


class PersonCreate(Model):
    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(min_length=1, max_length=200)
    civic_number: str = Field(
        min_length=10,
        max_length=13,
        description="personnummer, samordningsnummer or an SS 12000 temporary number",
    )


class GuardianLink(Model):
    guardian_id: UUID
    relation: str = "Vårdnadshavare"


class ChildCreate(PersonCreate):
    guardians: list[GuardianLink] = Field(default_factory=list, max_length=10)


class CivicLookup(Model):
    civic_number: str = Field(min_length=10, max_length=13)


class PersonPublic(Model):
    id: UUID
    given_name: str | None
    family_name: str | None
    civic_kind: str | None
    culled: list[str] = Field(default_factory=list)


class PlacementPublic(Model):
    placement_id: UUID
    unit_id: UUID | None
    department_id: UUID | None
    start: date | None
    end: date | None
    school_form: str | None = None
    culled: list[str] = Field(default_factory=list)


class MembershipPublic(Model):
    membership_id: UUID
    placement_id: UUID
    group_id: UUID | None
    start: date | None
    end: date | None
    culled: list[str] = Field(default_factory=list)


class ChildPublic(PersonPublic):
    guardians: dict[UUID, str | None]
    placements: list[PlacementPublic]
    groups: list[MembershipPublic] = Field(default_factory=list)


class PlacementCreate(Model):
    unit_id: UUID
    department_id: UUID | None = Field(
        default=None, description="required for förskola and fritidshem at a unit with some"
    )
    start: date
    school_form: str | None = Field(
        default=None, max_length=40, description="one of the unit's; its only one if omitted"
    )


class PlacementMove(Model):
    unit_id: UUID
    department_id: UUID | None = None
    on: date = Field(description="the first day at the new place; the old one ends the day before")


class GroupJoin(Model):
    placement_id: UUID
    group_id: UUID
    start: date


class GroupLeave(Model):
    end: date


class ContactUpdate(Model):
    mobile: str | None = Field(default=None, max_length=20, description="Swedish or E.164")
    email: str | None = Field(default=None, max_length=254)


class ContactPublic(Model):
    id: UUID
    mobile: str | None
    email: str | None
    protected: bool = Field(description="protected identity: contact shown to admin and self only")
    culled: list[str] = Field(default_factory=list)


class SecurityMarkingUpdate(Model):
    marking: str = Field(
        max_length=40, description="Ingen, Sekretessmarkering or Skyddad folkbokföring"
    )


class ProfileUpdate(Model):
    picture_type: str | None = Field(default=None, max_length=20, description="image/jpeg|png")
    picture: str | None = Field(default=None, max_length=_PICTURE_B64, description="base64")
    profile_text: str | None = Field(default=None, max_length=MAX_PROFILE_TEXT)


class ProfilePublic(Model):
    id: UUID
    picture_type: str | None
    picture: str | None
    profile_text: str | None
    culled: list[str] = Field(default_factory=list)


class SettingsUpdate(Model):
    settings: dict[str, StrictBool] = Field(max_length=MAX_SETTINGS)


class SettingsPublic(Model):
    id: UUID
    settings: dict[str, bool] | None
    culled: list[str] = Field(default_factory=list)


class PlacementEnd(Model):
    end: date


class KioskSubmission(Model):
    submission_id: UUID = Field(description="client-chosen id; a retry with it is a no-op")
    child_id: UUID
    at: AwareDatetime
    by: UUID | None = Field(default=None, description="guardian or pick-up person")


class KioskOutcome(Model):
    submission_id: UUID
    duplicate: bool
    minutes: int | None = None


class AbsenceCreate(Model):
    submission_id: UUID
    first_day: date
    last_day: date | None = None
    kind: str = Field(description="sick, leave or other")
    reason: str | None = Field(default=None, max_length=2000)


class AbsenceOutcome(Model):
    days: list[KioskOutcome]


class PresentChild(Model):
    child_id: UUID
    given_name: str | None
    checked_in_at: datetime
    culled: list[str] = Field(default_factory=list)


class PublishedCellPublic(Model):
    key: list[str]
    persons: int | None
    values: dict[str, int] | None
    suppressed: bool
    reason: str | None


class StatisticsPublic(Model):
    threshold: int
    dimensions: list[str]
    cells: list[PublishedCellPublic]
    totals: list[PublishedCellPublic]


class GallringRunPublic(Model):
    id: UUID
    rule_id: str
    plan_version: str
    category: str
    as_of: date
    months: list[str]
    scopes: int
    subjects: int
    decided_by: str
    decided_at: datetime
    keys_destroyed: int | None
    finished_at: datetime | None


class GallringDue(Model):
    """A cull the next run would make: counts and months, never a subject."""

    rule_id: str
    category: str
    months: list[str]
    scopes: int
    subjects: int
    events: int | None
    resumes_run: UUID | None


class GallringHeldBack(Model):
    """Due, but held back: by a legal hold, or waiting for the city archive's receipt."""

    rule_id: str
    category: str
    reason: str
    months: list[str]
    scopes: int
    subjects: int


class GallringSurvey(Model):
    as_of: date
    plan_version: str
    due: list[GallringDue]
    held_back: list[GallringHeldBack]


class LegalHoldPlace(Model):
    hold_id: UUID = Field(description="chosen by the client, so a retry places nothing twice")
    subject_id: UUID
    reason: str = Field(min_length=1, max_length=2000, description="sealed; shown to admins")
    until: date | None = Field(default=None, description="last day; none: until lifted")


class LegalHoldPublic(Model):
    hold_id: UUID
    subject_id: UUID | None = Field(description="null once the hold's scope is culled")
    placed_on: date
    placed_by: str
    until: date | None
    lifted_on: date | None
    lifted_by: str | None
    reason: str | None = Field(description="administrators only; null when culled")
    culled: list[str] = Field(default_factory=list)


class ArchiveDeliveryPublic(Model):
    """A delivery to the city archive: counts, dates and who; never a subject."""

    package_id: UUID
    rule_ids: list[str]
    categories: list[str]
    scopes: int
    subjects: int
    records: int
    files: int
    mets_sha256: str
    built_on: date
    built_by: str
    reference: str | None
    received_on: date | None
    recorded_by: str | None


class ArchiveReceipt(Model):
    reference: str = Field(
        min_length=1, max_length=200, description="the archive's receipt or registration number"
    )


class PlanAdoptionPublic(Model):
    """A retention plan version and when Gallra first ran under it."""

    version: str
    sha256: str
    adopted_at: datetime
