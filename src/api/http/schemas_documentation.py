"""Request and response models of student documentation."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from api.http.schemas import Model
from domain.documentation import MAX_CONTENT, MAX_TITLE


class EntryCreate(Model):
    entry_id: UUID | None = Field(
        default=None, description="client-chosen id; a retry with it answers the same entry"
    )
    unit_id: UUID = Field(description="the unit the entry is written at")
    category: str = Field(description="iup, samtal, betygsunderlag, ... (see GET /categories)")
    school_form: str
    written_on: date
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    content: str = Field(max_length=MAX_CONTENT)


class EntryRevise(Model):
    base_version: int = Field(ge=1, description="the version the edit was made on")
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    content: str = Field(max_length=MAX_CONTENT)


class Revised(Model):
    version: int


class VersionPublic(Model):
    number: int
    author_id: UUID | None
    recorded_at: datetime
    title: str | None
    content: str | None
    culled: list[str] = Field(default_factory=list)


class EntryPublic(Model):
    id: UUID
    category: str
    school_form: str
    transition: bool
    student_id: UUID | None
    unit_id: UUID | None
    written_on: date | None
    version: VersionPublic = Field(description="the current version")
    versions: int = Field(description="how many versions the entry has")
    culled: list[str] = Field(default_factory=list)


class EntryHistory(EntryPublic):
    history: list[VersionPublic] = Field(description="every version, the first first")


class CategoryPublic(Model):
    id: str
    label: str
    transition_in: list[str]
    school_only: bool
