"""Plain data returned by the application: never aggregates (culled values stay Shredded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.personal import Shredded


@dataclass(frozen=True)
class PersonView:
    id: UUID
    given_name: str | Shredded
    family_name: str | Shredded
    civic_kind: str | Shredded


@dataclass(frozen=True)
class PlacementView:
    placement_id: UUID
    unit_id: UUID | Shredded
    department_id: UUID | Shredded | None
    start: date | Shredded
    end: date | Shredded | None
    school_form: str | Shredded | None = None


@dataclass(frozen=True)
class ChildView(PersonView):
    guardians: dict[UUID, str | Shredded]
    placements: list[PlacementView]


@dataclass(frozen=True)
class UnitView:
    id: UUID
    name: str
    school_form: str
    departments: dict[UUID, str]
