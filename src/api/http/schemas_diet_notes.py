"""Request and response models of diet, the kitchen's counts, and notes on a child's stay."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool

from api.diet_commands import DietCounts, DietView
from api.http.schemas import Model, shown
from api.stay_note_commands import NoteView
from domain.diet import MAX_NOTE, DietCode
from domain.stay_notes import MAX_TEXT, MAX_TITLE, NoteKind


class DietPut(Model):
    diets: list[str] = Field(
        default_factory=list, max_length=len(DietCode), description=", ".join(DietCode)
    )
    note: str | None = Field(
        default=None, max_length=MAX_NOTE, description="for staff; needed with 'other'"
    )


class DietPublic(Model):
    child_id: UUID
    diets: list[str] | None
    note: str | None
    culled: list[str] = Field(default_factory=list)


def diet_public(view: DietView) -> DietPublic:
    values, culled = shown({"diets": view.diets, "note": view.note})
    diets = values.pop("diets")
    return DietPublic(
        child_id=view.child_id,
        diets=None if diets is None else list(diets),
        culled=culled,
        **values,
    )


class DietCountsPublic(Model):
    """Counts only: no ids, no names, no notes. Exact, as the kitchen cooks from them."""

    unit_id: UUID
    day: date
    expected_children: int
    counts: dict[str, int] = Field(description="children expected that day needing each diet")


def counts_public(counts: DietCounts) -> DietCountsPublic:
    return DietCountsPublic(
        unit_id=counts.unit_id,
        day=counts.day,
        expected_children=counts.expected_children,
        counts=counts.counts,
    )


class NoteBody(Model):
    day: date
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    text: str = Field(default="", max_length=MAX_TEXT)
    visible_to_guardians: StrictBool = False


class NoteCreate(NoteBody):
    note_id: UUID = Field(description="client-chosen id; a retry with it records nothing")
    kind: str = Field(default=str(NoteKind.NOTE), description=", ".join(NoteKind), max_length=40)


class NoteOutcome(Model):
    id: UUID
    recorded: bool = Field(description="false: the same as before, nothing recorded")


class NotePublic(Model):
    note_id: UUID
    kind: str
    day: date
    title: str | None
    text: str | None
    author_id: UUID | None
    visible_to_guardians: bool | None
    revisions: int
    culled: list[str] = Field(default_factory=list)


def note_public(view: NoteView) -> NotePublic:
    values, culled = shown(
        {
            "title": view.title,
            "text": view.text,
            "author_id": view.author_id,
            "visible_to_guardians": view.visible_to_guardians,
        }
    )
    return NotePublic(
        note_id=view.note_id,
        kind=view.kind,
        day=view.day,
        revisions=view.revisions,
        culled=culled,
        **values,
    )
