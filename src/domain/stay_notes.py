"""Calendar events and notes on a child's stay ("anteckningar om barnets vistelse").

One ``StayNotebook`` per child, its id derived (uuid5) from the child's random id. Only a note's
client-chosen id and its kind are readable; the child, day, title, text, author and whether
guardians may read it are sealed under the child's calendar scope for the month of the day, so
each month's notes are culled together and an edit is culled with the month it names. A
deleted note is hidden at once; its text stays sealed until its month is culled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.personal import Category, MonthOf, OwnStreamEvent, Personal, Shredded

_NOTE = Personal(Category.CALENDAR, subject="child_id", epoch=MonthOf("day"))
_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/stay-notebook")
MAX_TITLE = 200
MAX_TEXT = 10_000


class NoteKind(StrEnum):
    NOTE = "note"  # a note about the child's stay
    CALENDAR_EVENT = "calendar-event"  # an event on the child's calendar (a trip, a party)


def notebook_id(child_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, str(child_id))


@dataclass(frozen=True, slots=True)
class NoteContent:
    """What a writer says: checked on creation."""

    day: date
    title: str
    text: str
    visible_to_guardians: bool

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise RuleViolationError("title must not be empty", field="title")
        if len(self.title) > MAX_TITLE:
            raise RuleViolationError(f"title is longer than {MAX_TITLE} characters", field="title")
        if len(self.text) > MAX_TEXT:
            raise RuleViolationError(f"text is longer than {MAX_TEXT} characters", field="text")


@dataclass(frozen=True, slots=True)
class Note:
    note_id: UUID
    kind: str
    day: date | Shredded
    title: str | Shredded
    text: str | Shredded
    author_id: UUID | Shredded
    visible_to_guardians: bool | Shredded
    revisions: int = 0
    deleted: bool = False

    @property
    def culled(self) -> bool:
        return isinstance(self.day, Shredded)

    def content(self) -> NoteContent | None:
        d, t, x, v = self.day, self.title, self.text, self.visible_to_guardians
        if isinstance(d, Shredded) or isinstance(t, Shredded):
            return None
        if isinstance(x, Shredded) or isinstance(v, Shredded):
            return None
        return NoteContent(d, t, x, v)


class StayNotebook(Aggregate):
    """A child's notes and calendar events, each with a client-chosen id."""

    Event = OwnStreamEvent  # one person's own stream: no readable record time (ADR 0023)

    class Opened(Aggregate.Created):
        """Nothing personal: the stream's id is derived from the child's, one way."""

    class NoteWritten(Aggregate.Event):
        note_id: UUID
        kind: str
        child_id: Annotated[UUID | Shredded, _NOTE]
        day: Annotated[date | Shredded, _NOTE]
        title: Annotated[str | Shredded, _NOTE]
        text: Annotated[str | Shredded, _NOTE]
        author_id: Annotated[UUID | Shredded, _NOTE]
        visible_to_guardians: Annotated[bool | Shredded, _NOTE]

    class NoteRevised(Aggregate.Event):
        note_id: UUID
        child_id: Annotated[UUID | Shredded, _NOTE]
        day: Annotated[date | Shredded, _NOTE]
        title: Annotated[str | Shredded, _NOTE]
        text: Annotated[str | Shredded, _NOTE]
        author_id: Annotated[UUID | Shredded, _NOTE]
        visible_to_guardians: Annotated[bool | Shredded, _NOTE]

    class NoteDeleted(Aggregate.Event):
        note_id: UUID

    @classmethod
    def open(cls, child_id: UUID) -> StayNotebook:
        return cls._create(cls.Opened, id=notebook_id(child_id))

    @event(Opened)
    def __init__(self) -> None:
        self.notes: dict[UUID, Note] = {}
        self.child_id: UUID | None = None  # learnt from the first readable note

    def data_subjects(self) -> list[UUID]:
        """The child, for the access log (once a readable note has named it)."""
        return [self.child_id] if self.child_id is not None else []

    def listed(self, first: date, last: date, *, guardians: bool) -> list[Note]:
        """Notes of days from ``first`` to ``last``, by day; none deleted, none culled; for
        guardians only those marked visible to them."""
        found = [
            n
            for n in self.notes.values()
            if not n.deleted
            and isinstance(n.day, date)
            and first <= n.day <= last
            and (not guardians or n.visible_to_guardians is True)
        ]
        return sorted(found, key=lambda n: (n.day, str(n.note_id)))

    # -- commands --------------------------------------------------------------------------

    def write(
        self, note_id: UUID, kind: str, child_id: UUID, content: NoteContent, author_id: UUID
    ) -> bool:
        """A new note; False for a retry with the same content. Other content under a used
        id is refused."""
        try:
            note_kind = NoteKind(kind)
        except ValueError:
            raise RuleViolationError(
                f"kind must be one of {', '.join(NoteKind)}", field="kind"
            ) from None
        existing = self.notes.get(note_id)
        if existing is not None:
            same = (existing.kind, existing.content()) == (note_kind, content)
            if same and not existing.deleted:
                return False
            raise SubmissionMismatchError(
                f"note {note_id} was already written with other content", field="note_id"
            )
        self._written(
            note_id=note_id,
            kind=str(note_kind),
            child_id=child_id,
            day=content.day,
            title=content.title,
            text=content.text,
            author_id=author_id,
            visible_to_guardians=content.visible_to_guardians,
        )
        return True

    def revise(self, note_id: UUID, child_id: UUID, content: NoteContent, author_id: UUID) -> bool:
        """A new version of a note; False if nothing changed."""
        note = self._live(note_id)
        if note.content() == content:
            return False
        self._revised(
            note_id=note_id,
            child_id=child_id,
            day=content.day,
            title=content.title,
            text=content.text,
            author_id=author_id,
            visible_to_guardians=content.visible_to_guardians,
        )
        return True

    def delete(self, note_id: UUID) -> bool:
        """Hide a note; False if it already was."""
        note = self.notes.get(note_id)
        if note is None:
            raise NotFoundError(f"no note with id {note_id}", field="note_id")
        if note.deleted:
            return False
        self._deleted(note_id=note_id)
        return True

    def _live(self, note_id: UUID) -> Note:
        note = self.notes.get(note_id)
        if note is None or note.culled:
            raise NotFoundError(f"no note with id {note_id}", field="note_id")
        if note.deleted:
            raise ConflictError(f"note {note_id} was deleted", field="note_id")
        return note

    # -- events ----------------------------------------------------------------------------

    @event(NoteWritten)
    def _written(
        self,
        note_id: UUID,
        kind: str,
        child_id: UUID | Shredded,
        day: date | Shredded,
        title: str | Shredded,
        text: str | Shredded,
        author_id: UUID | Shredded,
        visible_to_guardians: bool | Shredded,
    ) -> None:
        self._learn(child_id)
        self.notes[note_id] = Note(note_id, kind, day, title, text, author_id, visible_to_guardians)

    @event(NoteRevised)
    def _revised(
        self,
        note_id: UUID,
        child_id: UUID | Shredded,
        day: date | Shredded,
        title: str | Shredded,
        text: str | Shredded,
        author_id: UUID | Shredded,
        visible_to_guardians: bool | Shredded,
    ) -> None:
        self._learn(child_id)
        old = self.notes[note_id]
        self.notes[note_id] = Note(
            note_id, old.kind, day, title, text, author_id, visible_to_guardians, old.revisions + 1
        )

    def _learn(self, child_id: UUID | Shredded) -> None:
        if isinstance(child_id, UUID):
            self.child_id = child_id

    @event(NoteDeleted)
    def _deleted(self, note_id: UUID) -> None:
        self.notes[note_id] = replace(self.notes[note_id], deleted=True)
