"""Commands and queries about student documentation entries and their versions.

Who may read or write an entry is decided at the API edge, against the connections read
model; here the rules are about the record itself: the student, unit and author exist, the
category fits the school form, and an edit is based on the version the author saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from api.app_base import GallraBase
from domain.documentation import DocumentEntry
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import Unit
from domain.people import Child, Staff
from domain.personal import Shredded


@dataclass(frozen=True)
class VersionView:
    number: int
    author_id: UUID | Shredded
    recorded_at: datetime
    title: str | Shredded
    content: str | Shredded


@dataclass(frozen=True)
class EntryView:
    id: UUID
    category: str
    school_form: str
    transition: bool
    student_id: UUID | Shredded
    unit_id: UUID | Shredded
    written_on: date | Shredded
    versions: list[VersionView]

    @property
    def current(self) -> VersionView:
        return self.versions[-1]


def _view(entry: DocumentEntry) -> EntryView:
    return EntryView(
        id=entry.id,
        category=entry.category,
        school_form=entry.school_form,
        transition=entry.transition,
        student_id=entry.student_id,
        unit_id=entry.unit_id,
        written_on=entry.written_on,
        versions=[
            VersionView(v.number, v.author_id, v.recorded_at, v.title, v.content)
            for v in entry.versions
        ],
    )


class DocumentationCommands(GallraBase):
    """Student documentation (elevdokumentation) with full version history."""

    def write_entry(
        self,
        *,
        student_id: UUID,
        unit_id: UUID,
        author_id: UUID,
        category: str,
        school_form: str,
        written_on: date,
        title: str,
        content: str,
        entry_id: UUID | None = None,
    ) -> UUID:
        """Write a new entry. A client-chosen ``entry_id`` makes a retry answer the same
        entry instead of writing a second one; reusing it for other content is a conflict."""
        self._get(Child, student_id, "student")
        self._get(Staff, author_id, "staff member")
        unit = self._get(Unit, unit_id, "unit")
        if school_form not in unit.school_forms:
            raise RuleViolationError(f"unit {unit_id} has no {school_form}", field="school_form")
        entry = DocumentEntry.write(
            category=category,
            school_form=school_form,
            student_id=student_id,
            unit_id=unit_id,
            author_id=author_id,
            written_on=written_on,
            title=title,
            content=content,
            entry_id=entry_id,
        )
        if entry_id is not None and self._exists(entry_id):
            return self._same_entry(entry, entry_id)
        try:
            self.save(entry)
        except IntegrityError:
            if entry_id is None:
                raise
            return self._same_entry(entry, entry_id)  # a concurrent retry got there first
        return entry.id

    def _same_entry(self, entry: DocumentEntry, entry_id: UUID) -> UUID:
        existing = self._get(DocumentEntry, entry_id, "documentation entry")
        first = existing.versions[0]
        same = (
            existing.category,
            existing.student_id,
            existing.unit_id,
            existing.written_on,
            first.title,
            first.content,
        ) == (
            entry.category,
            entry.student_id,
            entry.unit_id,
            entry.written_on,
            entry.current.title,
            entry.current.content,
        )
        if not same:
            raise ConflictError(
                f"documentation entry {entry_id} already exists with other content",
                field="entry_id",
            )
        return entry_id

    def revise_entry(
        self, entry_id: UUID, *, author_id: UUID, base_version: int, title: str, content: str
    ) -> int:
        """Record an edit made on ``base_version``; returns the version now current. An edit
        on an older version would silently undo someone else's: it is refused instead."""
        self._get(Staff, author_id, "staff member")

        def command() -> int:
            entry = self._get(DocumentEntry, entry_id, "documentation entry")
            if base_version != entry.current.number:
                if (title, content) == (entry.current.title, entry.current.content):
                    return entry.current.number  # the same edit, retried
                raise ConflictError(
                    f"entry {entry_id} is at version {entry.current.number}, not "
                    f"{base_version}; reload it and edit again",
                    field="base_version",
                )
            if entry.revise(author_id, title, content):
                self.save(entry)
            return entry.current.number

        return self._retrying(command)  # type: ignore[no-any-return]

    def get_entry(self, entry_id: UUID) -> EntryView:
        return _view(self._get(DocumentEntry, entry_id, "documentation entry"))

    def get_entries(self, entry_ids: list[UUID]) -> list[EntryView]:
        """Several entries; ids that no longer load (never written) are left out."""
        views = []
        for entry_id in entry_ids:
            try:
                views.append(self.get_entry(entry_id))
            except NotFoundError:
                continue
        return views
