"""How an event says which of its fields are personal data, and what a culled field becomes.

A personal field is annotated
``Annotated[T | Shredded, Personal(category, subject=..., epoch=...)]``.
The annotation names the data subject (a field holding the subject's id, or the stream itself),
the data category, and the epoch that decides how finely the field can be culled. The sealing
mapper in ``retention`` reads these annotations; the domain itself never touches a key.

Why annotations: the declaration sits on the field it governs, so a reviewer sees at a glance
what is personal, and a test can list every event field that is not.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar, Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate


class Category(StrEnum):
    """Data categories, each culled on its own rule of the retention plan.

    The student documentation categories are the ones the seed lists for Unikum, each its own
    category because each has its own retention period and preservation duty.
    """

    IDENTITY = "identity"  # name, civic number, protected-identity marking
    CONTACT = "contact"  # mobile, e-mail
    PROFILE = "profile"  # optional picture and text, user settings (consents to notices etc.)
    PLACEMENT = "placement"  # where a person belongs: placements, groups, duties
    ATTENDANCE = "attendance"  # check-in/out, absence facts (Tempus: culled after 3 years)
    HEALTH = "health"  # absence reasons, diet (sjukdomsinformation)
    CONSENT = "consent"  # guardians' consents (samtycke), e.g. to transfer documentation
    ACCESS_LOG = "access-log"  # who read or changed whose data (loggning), ids only
    TERM_ABSENCE = "term-absence"  # a term's compiled invalid absence, kept for the grade doc
    # Tempus (preschool and fritids); all but attendance are culled at "inaktualitet".
    SCHEDULE = "schedule"  # stay schedules (vistelseschema) and time bookings laid by guardians
    PICKUP = "pickup"  # pick-up persons (hämtare): name, phone, optional photo
    DIET = "diet"  # diet information per child (kostinformation), health data
    CALENDAR = "calendar"  # calendar events and notes on a child's stay, free text
    STAFF_SCHEDULE = "staff-schedule"  # staff shifts: start, end, breaks, type of shift
    LEGAL_HOLD = "legal-hold"  # why a subject's culling is paused (free text), issue 5
    # Not a person's: a department-day's veil over whose keys its records use (ADR 0022).
    DAY_SHEET = "day-sheet"
    ROSTER_SHEET = "roster-sheet"  # the same for a department-month's staff shifts
    # Student documentation (elevdokumentation), sealed per student, category and month.
    BETYGSUNDERLAG = "betygsunderlag"
    BEDOMNING_KUNSKAPER = "bedomning-kunskaper"
    KUNSKAPSTABELL = "kunskapstabell"
    EXTRA_ANPASSNINGAR = "extra-anpassningar"
    SARSKILT_STOD = "sarskilt-stod"
    SAKRA_ANTECKNINGAR = "sakra-anteckningar"
    SAMTAL = "samtal"
    SAMTALSUNDERLAG = "samtalsunderlag"
    IUP = "iup"
    PLANERING_UPPGIFTER = "planering-uppgifter"
    MATRISER = "matriser"
    LARLOGG = "larlogg"
    REFLEKTION = "reflektion"
    OMDOMEN = "omdomen"
    STODINSATSER = "stodinsatser"
    OVERENSKOMMELSER = "overenskommelser"


DOCUMENTATION: Final = frozenset(
    {
        Category.BETYGSUNDERLAG,
        Category.BEDOMNING_KUNSKAPER,
        Category.KUNSKAPSTABELL,
        Category.EXTRA_ANPASSNINGAR,
        Category.SARSKILT_STOD,
        Category.SAKRA_ANTECKNINGAR,
        Category.SAMTAL,
        Category.SAMTALSUNDERLAG,
        Category.IUP,
        Category.PLANERING_UPPGIFTER,
        Category.MATRISER,
        Category.LARLOGG,
        Category.REFLEKTION,
        Category.OMDOMEN,
        Category.STODINSATSER,
        Category.OVERENSKOMMELSER,
    }
)
"""The categories a student documentation entry may have."""


@dataclass(frozen=True, slots=True)
class CategoryOf:
    """A category named by a readable field of the event, e.g. a documentation entry's kind.

    The field must stay readable (not itself personal), so a culled part can still say which
    category it was.
    """

    field: str

    def of(self, state: typing.Mapping[str, Any]) -> str:
        value = state[self.field]
        if isinstance(value, Category):
            return str(value)
        if isinstance(value, str) and value in _CATEGORY_VALUES:
            return value
        raise TypeError(f"category field {self.field!r} does not name a category")


VEILED: Final = {
    Category.DAY_SHEET: frozenset({Category.ATTENDANCE, Category.HEALTH}),
    Category.ROSTER_SHEET: frozenset({Category.STAFF_SCHEDULE}),
}
"""Veil categories, and the categories of the parts a veil may hide: a veil's scope is culled
only once no scope of those categories of its month is left, so it never hides a kept part."""

SELF: Final = "originator_id"
"""Subject marker: the stream's own id is the data subject."""


@dataclass(frozen=True, slots=True)
class FixedEpoch:
    """One epoch for the subject's whole life in this category (culled all at once)."""

    def of(self, state: typing.Mapping[str, Any]) -> str:
        return "-"


@dataclass(frozen=True, slots=True)
class MonthOf:
    """A rolling epoch: the calendar month of a date field, so culling follows the plan by month."""

    field: str

    def of(self, state: typing.Mapping[str, Any]) -> str:
        value = state[self.field]
        if isinstance(value, date):  # a datetime is a date too
            return _month_text(value.year, value.month)
        raise TypeError(f"epoch field {self.field!r} is not a date")


@cache
def _month_text(year: int, month: int) -> str:
    """A month's epoch text, made once per month: every sealed event asks for one."""
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True)
class ValueOf:
    """An epoch named by another field, e.g. a placement id for documents tied to a placement."""

    field: str

    def of(self, state: typing.Mapping[str, Any]) -> str:
        return str(state[self.field])


@dataclass(frozen=True, slots=True)
class GenerationOf:
    """A whole-life epoch that can start afresh: generation 0 is ``-`` (as ``FixedEpoch``),
    each later one its own (``g1``, ``g2``, ...). A culled scope is fenced for ever, so data
    a person had erased on request is given again under the next generation's key."""

    field: str

    def of(self, state: typing.Mapping[str, Any]) -> str:
        generation = state[self.field]
        return "-" if generation == 0 else f"g{generation}"


Epoch = FixedEpoch | MonthOf | ValueOf | GenerationOf
_CATEGORY_VALUES: Final = frozenset(str(c) for c in Category)


@dataclass(frozen=True, slots=True)
class Personal:
    """Declares a field personal: whose (subject field), which category, culled per which epoch."""

    category: Category | CategoryOf
    subject: str = SELF
    epoch: Epoch = FixedEpoch()


@dataclass(frozen=True, slots=True)
class Veil:
    """Declares, on an event class, that the key ids of its sealed parts are sealed in turn
    under a sheet: one key per category and month that no person owns
    (``veil: ClassVar[Veil] = ...``).

    Why: a part's key id is one subject's scope, so records sealed under it stay linked to
    each other after the key is gone (one child's check-ins over a month). Under a veil, the
    stored event shows only the sheet's key id, the same for every such record of the month
    in the municipality; once the sheet is culled with the month, no two of its records can
    be told to be the same person's.
    """

    category: Category
    epoch: Epoch
    # Fields sealed in the sheet itself: per-record counters that only statistics need. Once
    # the sheet goes they read as Shredded; gallring has compiled the month's figures first.
    fields: tuple[str, ...] = ()

    @property
    def subject(self) -> UUID:
        """The sheet's subject in the key store: the category's, nobody's."""
        return sheet_subject(self.category)


_SHEETS = UUID("5d1f0c52-8f47-4a8e-9b7c-2f1e6a0d3c84")


def sheet_subject(category: Category) -> UUID:
    return uuid5(_SHEETS, str(category))


def veil_of(cls: type) -> Veil | None:
    found = getattr(cls, "veil", None)
    return found if isinstance(found, Veil) else None


class OwnStreamEvent(Aggregate.Event):
    """The event base of an aggregate whose stream is one person's own (``Event =
    OwnStreamEvent`` in its body): its events keep no readable record time, not even the
    month (ADR 0023). The stream's id ties them together for ever, so their months would
    tell that person's life in the system, from registration to the last placement's end,
    long after its content is culled. The exact time is sealed with the first part."""

    keeps_record_time: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Shredded:
    """What a personal field reads as once its key has been destroyed.

    It carries only the category, so readers can say *what* was culled, never what it held.
    It is falsy, so ``value or "-"`` style rendering needs no special case.
    """

    category: str

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"<culled {self.category}>"


def counted(value: object) -> int:
    """A counter sealed under a sheet (ADR 0022): its value, or 0 once the sheet is culled;
    the month's compiled figures then stand for it."""
    return int(value) if isinstance(value, int) else 0


def is_shredded(value: object) -> typing.TypeGuard[Shredded]:
    return isinstance(value, Shredded)


@dataclass(frozen=True, slots=True)
class PersonalField:
    name: str
    declaration: Personal


@cache
def personal_fields(cls: type) -> tuple[PersonalField, ...]:
    """The personal fields an event class declares, in declaration order (cached per class)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    found: list[PersonalField] = []
    for name, hint in hints.items():
        if typing.get_origin(hint) is typing.Annotated:
            for meta in hint.__metadata__:
                if isinstance(meta, Personal):
                    found.append(PersonalField(name, meta))
    return tuple(found)


def reveal(value: Any, default: str = "") -> Any:
    """A field's value, or ``default`` if it was culled: for rendering, never for decisions."""
    return default if isinstance(value, Shredded) else value


__all__ = [
    "DOCUMENTATION",
    "SELF",
    "VEILED",
    "Category",
    "CategoryOf",
    "Epoch",
    "FixedEpoch",
    "MonthOf",
    "OwnStreamEvent",
    "Personal",
    "PersonalField",
    "Shredded",
    "ValueOf",
    "Veil",
    "counted",
    "is_shredded",
    "personal_fields",
    "reveal",
    "veil_of",
]

# A field's declared type when it is personal: the value, or the marker once culled.
T = typing.TypeVar("T")
UUIDOrShredded = UUID | Shredded
