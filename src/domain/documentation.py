"""Student documentation (elevdokumentation): one stream per entry, every edit a new event.

An entry's content, title, author, unit and date are sealed under the student's scope for the
entry's category and month, so each category is culled on its own rule and an edit made later
is culled with the text it replaced. Only the category and school form stay readable: the
retention plan routes by them, and they name no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleViolationError
from domain.organisation import SchoolForm
from domain.personal import DOCUMENTATION, Category, CategoryOf, MonthOf, Personal, Shredded

_DOC = Personal(CategoryOf("category"), subject="student_id", epoch=MonthOf("written_on"))

MAX_TITLE = 200
MAX_CONTENT = 100_000

LABELS: dict[Category, str] = {
    Category.BETYGSUNDERLAG: "Betygsunderlag",
    Category.BEDOMNING_KUNSKAPER: "Bedömning kunskaper",
    Category.KUNSKAPSTABELL: "Kunskapstabell",
    Category.EXTRA_ANPASSNINGAR: "Extra anpassningar",
    Category.SARSKILT_STOD: "Särskilt stöd",
    Category.SAKRA_ANTECKNINGAR: "Säkra anteckningar",
    Category.SAMTAL: "Samtal",
    Category.SAMTALSUNDERLAG: "Samtalsunderlag",
    Category.IUP: "Individuell utvecklingsplan (IUP)",
    Category.PLANERING_UPPGIFTER: "Planering och uppgifter",
    Category.MATRISER: "Matriser",
    Category.LARLOGG: "Lärlogg",
    Category.REFLEKTION: "Reflektion",
    Category.OMDOMEN: "Omdömen",
    Category.STODINSATSER: "Stödinsatser",
    Category.OVERENSKOMMELSER: "Överenskommelser",
}

# Categories about grades and knowledge assessment: not kept for preschool children.
SCHOOL_ONLY = frozenset(
    {
        Category.BETYGSUNDERLAG,
        Category.BEDOMNING_KUNSKAPER,
        Category.KUNSKAPSTABELL,
        Category.OMDOMEN,
        Category.IUP,
        Category.MATRISER,
    }
)
_PRESCHOOL_FORMS = frozenset({SchoolForm.FORSKOLA, SchoolForm.FRITIDSHEM})

# Transition documentation (övergångsdokumentation) that follows the child, per the seed's
# lists for grundskola/gymnasieskola and for förskola.
TRANSITION_SCHOOL = frozenset(
    {
        Category.BETYGSUNDERLAG,
        Category.BEDOMNING_KUNSKAPER,
        Category.KUNSKAPSTABELL,
        Category.EXTRA_ANPASSNINGAR,
        Category.SARSKILT_STOD,
        Category.SAKRA_ANTECKNINGAR,
        Category.SAMTAL,
        Category.IUP,
        Category.PLANERING_UPPGIFTER,
        Category.MATRISER,
        Category.LARLOGG,
        Category.REFLEKTION,
    }
)
TRANSITION_PRESCHOOL = frozenset(
    {
        Category.EXTRA_ANPASSNINGAR,
        Category.SARSKILT_STOD,
        Category.SAKRA_ANTECKNINGAR,
        Category.SAMTAL,
        Category.PLANERING_UPPGIFTER,
        Category.LARLOGG,
        Category.REFLEKTION,
    }
)


def is_transition(category: str, school_form: str) -> bool:
    """Whether an entry belongs to the transition documentation that follows the child."""
    form = SchoolForm(school_form)
    listed = TRANSITION_PRESCHOOL if form == SchoolForm.FORSKOLA else TRANSITION_SCHOOL
    return category in listed


def parse_category(value: str, school_form: str) -> Category:
    if value not in {str(c) for c in DOCUMENTATION}:
        raise RuleViolationError(
            f"category must be one of {', '.join(sorted(DOCUMENTATION))}", field="category"
        )
    category = Category(value)
    if category in SCHOOL_ONLY and SchoolForm(school_form) in _PRESCHOOL_FORMS:
        raise RuleViolationError(f"{value} is not kept in {school_form}", field="category")
    return category


def _check_text(title: str, content: str) -> None:
    if not title.strip():
        raise RuleViolationError("title must not be empty", field="title")
    if len(title) > MAX_TITLE:
        raise RuleViolationError(f"title is longer than {MAX_TITLE} characters", field="title")
    if len(content) > MAX_CONTENT:
        raise RuleViolationError(
            f"content is longer than {MAX_CONTENT} characters", field="content"
        )


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    author_id: UUID | Shredded
    recorded_at: datetime
    title: str | Shredded
    content: str | Shredded


class DocumentEntry(Aggregate):
    """One entry of a student's documentation, with its full version history."""

    class Written(Aggregate.Created):
        category: str
        school_form: str
        student_id: Annotated[UUID | Shredded, _DOC]
        unit_id: Annotated[UUID | Shredded, _DOC]
        author_id: Annotated[UUID | Shredded, _DOC]
        written_on: Annotated[date | Shredded, _DOC]
        title: Annotated[str | Shredded, _DOC]
        content: Annotated[str | Shredded, _DOC]

    class Revised(Aggregate.Event):
        """An edit. It carries the entry's student and date so it is sealed under the same
        key as the text it replaces, and culled with it."""

        category: str
        student_id: Annotated[UUID | Shredded, _DOC]
        written_on: Annotated[date | Shredded, _DOC]
        author_id: Annotated[UUID | Shredded, _DOC]
        title: Annotated[str | Shredded, _DOC]
        content: Annotated[str | Shredded, _DOC]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, DocumentEntry)
            number = len(aggregate.versions) + 1
            aggregate.versions.append(
                Version(number, self.author_id, self.timestamp, self.title, self.content)
            )

    @classmethod
    def write(
        cls,
        *,
        category: str,
        school_form: str,
        student_id: UUID,
        unit_id: UUID,
        author_id: UUID,
        written_on: date,
        title: str,
        content: str,
        entry_id: UUID | None = None,
    ) -> DocumentEntry:
        """A new entry; a client may choose its id, so that a retried write is recognised."""
        form = SchoolForm(school_form)
        checked = parse_category(category, form)
        _check_text(title, content)
        return cls(
            id=entry_id or uuid4(),
            category=str(checked),
            school_form=str(form),
            student_id=student_id,
            unit_id=unit_id,
            author_id=author_id,
            written_on=written_on,
            title=title,
            content=content,
        )

    @event(Written)
    def __init__(
        self,
        id: UUID,  # the library's name for a chosen aggregate id
        category: str,
        school_form: str,
        student_id: UUID | Shredded,
        unit_id: UUID | Shredded,
        author_id: UUID | Shredded,
        written_on: date | Shredded,
        title: str | Shredded,
        content: str | Shredded,
    ) -> None:
        self.category = category
        self.school_form = school_form
        self.student_id = student_id
        self.unit_id = unit_id
        self.author_id = author_id
        self.written_on = written_on
        self.versions: list[Version] = [Version(1, author_id, self.created_on, title, content)]

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def transition(self) -> bool:
        return is_transition(self.category, self.school_form)

    @property
    def culled(self) -> bool:
        return isinstance(self.student_id, Shredded)

    def data_subjects(self) -> list[UUID]:
        """The student, for the access log; a culled entry names no one any more."""
        return [self.student_id] if isinstance(self.student_id, UUID) else []

    def revise(self, author_id: UUID, title: str, content: str) -> bool:
        """Record an edit; returns False (and records nothing) if nothing changed."""
        if self.culled:
            raise RuleViolationError("a culled entry cannot be edited", field="content")
        _check_text(title, content)
        if (title, content) == (self.current.title, self.current.content):
            return False
        self.trigger_event(
            self.Revised,
            category=self.category,
            student_id=self.student_id,
            written_on=self.written_on,
            author_id=author_id,
            title=title,
            content=content,
        )
        return True
