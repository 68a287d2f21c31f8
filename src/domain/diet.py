"""Diet information per child (kostinformation): health data, sealed, counted for the kitchen.

One ``DietRecord`` per child, its id derived (uuid5) from the child's random id, so it is
found without an index. Everything in it is sealed under the child's diet scope (culled at
"inaktualitet"); nothing is readable. Each setting is sealed under the month it was made in,
so a child whose diet was culled and who comes back can have one again under a fresh key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleViolationError
from domain.personal import Category, FixedEpoch, MonthOf, OwnStreamEvent, Personal, Shredded

_DIET = Personal(Category.DIET, subject="child_id", epoch=FixedEpoch())
# Each setting under the month it was made in: once a child's diet is culled (no longer
# current), a child who comes back can have a diet again, under a key never culled.
_DIET_SET = Personal(Category.DIET, subject="child_id", epoch=MonthOf("set_on"))
_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/diet-record")
MAX_NOTE = 1000


class DietCode(StrEnum):
    """What the kitchen cooks for; anything else is ``other`` with a note for staff."""

    GLUTEN_FREE = "gluten-free"
    LACTOSE_FREE = "lactose-free"
    MILK_PROTEIN_FREE = "milk-protein-free"
    EGG_FREE = "egg-free"
    NUT_FREE = "nut-free"
    FISH_FREE = "fish-free"
    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    PORK_FREE = "pork-free"
    OTHER = "other"


def diet_record_id(child_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, str(child_id))


def parse_diets(codes: list[str], note: str | None) -> tuple[tuple[DietCode, ...], str | None]:
    """Known codes, each once, in the enum's order; ``other`` needs a note saying what."""
    found: set[DietCode] = set()
    for code in codes:
        try:
            found.add(DietCode(code))
        except ValueError:
            raise RuleViolationError(
                f"diets must be among {', '.join(DietCode)}", field="diets"
            ) from None
    note = note.strip() if note is not None and note.strip() else None
    if note is not None and len(note) > MAX_NOTE:
        raise RuleViolationError(f"note is longer than {MAX_NOTE} characters", field="note")
    if DietCode.OTHER in found and note is None:
        raise RuleViolationError("a diet of 'other' needs a note saying what", field="note")
    return tuple(c for c in DietCode if c in found), note


class DietRecord(Aggregate):
    """A child's diets and a note for staff; cleared when the child no longer needs one."""

    Event = OwnStreamEvent  # one person's own stream: no readable record time (ADR 0023)

    class Opened(Aggregate.Created):
        child_id: Annotated[UUID | Shredded, _DIET]

    class DietSet(Aggregate.Event):
        child_id: Annotated[UUID | Shredded, _DIET_SET]
        set_on: Annotated[date | Shredded, _DIET_SET]
        diets: Annotated[list[str] | Shredded, _DIET_SET]
        note: Annotated[str | Shredded | None, _DIET_SET]

    class DietCleared(Aggregate.Event):
        """Nothing personal: the record just says it holds no diet any more."""

    @classmethod
    def open(cls, child_id: UUID) -> DietRecord:
        return cls._create(cls.Opened, id=diet_record_id(child_id), child_id=child_id)

    @event(Opened)
    def __init__(self, child_id: UUID | Shredded) -> None:
        self.child_id = child_id
        self.diets: tuple[str, ...] | Shredded = ()
        self.note: str | Shredded | None = None

    @property
    def culled(self) -> bool:
        return isinstance(self.diets, Shredded) or isinstance(self.child_id, Shredded)

    def data_subjects(self) -> list[UUID]:
        """The child, for the access log; a culled record names no one."""
        return [self.child_id] if isinstance(self.child_id, UUID) else []

    def set(self, child_id: UUID, codes: list[str], note: str | None, on: date) -> bool:
        """Set the diets; no codes and no note clears them. False if nothing changed."""
        diets, note = parse_diets(codes, note)
        if not diets and note is None:
            return self.clear()
        if (self.diets, self.note) == (tuple(str(d) for d in diets), note):
            return False
        self._set(child_id=child_id, set_on=on, diets=[str(d) for d in diets], note=note)
        return True

    @event(DietSet)
    def _set(
        self,
        child_id: UUID | Shredded,
        set_on: date | Shredded,
        diets: list[str] | Shredded,
        note: str | Shredded | None,
    ) -> None:
        if isinstance(child_id, UUID):
            self.child_id = child_id
        self.diets = diets if isinstance(diets, Shredded) else tuple(diets)
        self.note = note

    def clear(self) -> bool:
        if self.diets == () and self.note is None:
            return False
        self._cleared()
        return True

    @event(DietCleared)
    def _cleared(self) -> None:
        self.diets = ()
        self.note = None
