"""Calendar events and notes on a child's stay, free text sealed (issue 4).

Who may write or read is decided at the API edge (staff who see the child; guardians read
what is marked for them); here the rules are the notebook's: client-chosen ids, a retry
records nothing, the same id with other content is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from api.app_base import GallraBase
from domain.errors import NotFoundError
from domain.people import Child
from domain.personal import Shredded
from domain.staff import Staff
from domain.stay_notes import Note, NoteContent, StayNotebook, notebook_id


@dataclass(frozen=True)
class NoteView:
    note_id: UUID
    kind: str
    day: date
    title: str | Shredded
    text: str | Shredded
    author_id: UUID | Shredded
    visible_to_guardians: bool | Shredded
    revisions: int


def _view(note: Note) -> NoteView:
    assert isinstance(note.day, date)  # listed notes are never culled
    return NoteView(
        note.note_id,
        note.kind,
        note.day,
        note.title,
        note.text,
        note.author_id,
        note.visible_to_guardians,
        note.revisions,
    )


class StayNoteCommands(GallraBase):
    """Calendar events and notes on a child's stay, free text sealed (issue 4)."""

    def write_stay_note(
        self,
        child_id: UUID,
        note_id: UUID,
        *,
        kind: str,
        content: NoteContent,
        author_id: UUID,
    ) -> bool:
        """Write a note; False for a retry of the same note (nothing recorded)."""
        self._get(Child, child_id, "child")
        self._get(Staff, author_id, "staff member")

        def command() -> bool:
            book = self._notebook(child_id) or StayNotebook.open(child_id)
            written = book.write(note_id, kind, child_id, content, author_id)
            if written:
                self.save(book)
            return written

        return self._retrying(command)  # type: ignore[no-any-return]

    def revise_stay_note(
        self, child_id: UUID, note_id: UUID, *, content: NoteContent, author_id: UUID
    ) -> bool:
        """A new version of a note; False if nothing changed."""
        self._get(Staff, author_id, "staff member")

        def command() -> bool:
            book = self._existing(child_id, note_id)
            revised = book.revise(note_id, child_id, content, author_id)
            if revised:
                self.save(book)
            return revised

        return self._retrying(command)  # type: ignore[no-any-return]

    def delete_stay_note(self, child_id: UUID, note_id: UUID) -> bool:
        """Hide a note; False if it already was."""

        def command() -> bool:
            book = self._existing(child_id, note_id)
            deleted = book.delete(note_id)
            if deleted:
                self.save(book)
            return deleted

        return self._retrying(command)  # type: ignore[no-any-return]

    def stay_notes(
        self, child_id: UUID, first: date, last: date, *, guardians: bool
    ) -> list[NoteView]:
        """Notes of days ``first`` to ``last``, by day; culled months are not listed."""
        book = self._notebook(child_id)
        if book is None:
            return []
        return [_view(n) for n in book.listed(first, last, guardians=guardians)]

    def _existing(self, child_id: UUID, note_id: UUID) -> StayNotebook:
        book = self._notebook(child_id)
        if book is None:
            raise NotFoundError(f"no note with id {note_id}", field="note_id")
        return book

    def _notebook(self, child_id: UUID) -> StayNotebook | None:
        return self._find(StayNotebook, notebook_id(child_id))
