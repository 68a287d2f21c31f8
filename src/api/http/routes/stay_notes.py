"""Calendar events and notes on a child's stay ("anteckningar om barnets vistelse").

Staff who see the child write, revise, delete and list every note; the child's guardians list
only those marked visible to guardians. Anyone else is answered as for an unknown child (404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status

from api import access_log
from api.bootstrap import Gallra
from api.http.deps import Carers, GallraDep, require
from api.http.reading_policy import hidden, sees_child
from api.http.schemas_diet_notes import NoteBody, NoteCreate, NoteOutcome, NotePublic, note_public
from api.tokens import Principal, Role
from domain.errors import RuleViolationError
from domain.stay_notes import NoteContent

router = APIRouter(tags=["stay-notes"])
Writer = Annotated[Principal, Depends(require(Role.STAFF))]


def _staff_seeing(gallra: Gallra, principal: Principal, child_id: UUID) -> UUID:
    """The writer's staff id, if they see the child; else 404 as for an unknown child."""
    access_log.note_subjects(child_id)
    if principal.subject is None or not sees_child(gallra, principal.subject, child_id):
        raise hidden("child", child_id)
    return principal.subject


def _content(body: NoteBody) -> NoteContent:
    return NoteContent(body.day, body.title, body.text, body.visible_to_guardians)


@router.post(
    "/children/{child_id}/stay-notes",
    response_model=NoteOutcome,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": NoteOutcome, "description": "a retry: nothing recorded"}},
)
def write_note(
    child_id: UUID, body: NoteCreate, response: Response, gallra: GallraDep, principal: Writer
) -> NoteOutcome:
    """Write a note or calendar event under a client-chosen id (201); the same again
    records nothing (200); the id with other content is refused (409)."""
    author = _staff_seeing(gallra, principal, child_id)
    recorded = gallra.app.write_stay_note(
        child_id, body.note_id, kind=body.kind, content=_content(body), author_id=author
    )
    if not recorded:
        response.status_code = status.HTTP_200_OK
    return NoteOutcome(id=body.note_id, recorded=recorded)


@router.put("/children/{child_id}/stay-notes/{note_id}", response_model=NoteOutcome)
def revise_note(
    child_id: UUID, note_id: UUID, body: NoteBody, gallra: GallraDep, principal: Writer
) -> NoteOutcome:
    """A new version of the note; the same again records nothing."""
    author = _staff_seeing(gallra, principal, child_id)
    recorded = gallra.app.revise_stay_note(
        child_id, note_id, content=_content(body), author_id=author
    )
    return NoteOutcome(id=note_id, recorded=recorded)


@router.delete("/children/{child_id}/stay-notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(child_id: UUID, note_id: UUID, gallra: GallraDep, principal: Writer) -> None:
    """Hide the note from every list; its text is culled with its month."""
    _staff_seeing(gallra, principal, child_id)
    gallra.app.delete_stay_note(child_id, note_id)


@router.get("/children/{child_id}/stay-notes", response_model=list[NotePublic])
def list_notes(
    child_id: UUID,
    gallra: GallraDep,
    principal: Carers,
    first: Annotated[date | None, Query(alias="from", description="first day")] = None,
    last: Annotated[date | None, Query(alias="to", description="last day")] = None,
) -> list[NotePublic]:
    """Notes of days from ``from`` to ``to`` (both inclusive, default: all), by day; notes of
    culled months are not listed. Guardians see only those visible to guardians."""
    first, last = first or date.min, last or date.max
    if last < first:
        raise RuleViolationError("to is before from", field="to")
    guardian = principal.role == Role.GUARDIAN
    if guardian:
        access_log.note_subjects(child_id)
        who = principal.subject
        if who is None or child_id not in gallra.access.children_of(who):
            raise hidden("child", child_id)
    else:
        _staff_seeing(gallra, principal, child_id)
    notes = gallra.app.stay_notes(child_id, first, last, guardians=guardian)
    return [note_public(n) for n in notes]
