"""Plain data returned by the application: never aggregates (culled values stay Shredded)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
class MembershipView:
    membership_id: UUID
    placement_id: UUID
    group_id: UUID | Shredded
    start: date | Shredded
    end: date | Shredded | None


@dataclass(frozen=True)
class ChildView(PersonView):
    guardians: dict[UUID, str | Shredded]
    placements: list[PlacementView]
    memberships: list[MembershipView] = field(default_factory=list)


@dataclass(frozen=True)
class UnitView:
    id: UUID
    name: str
    school_form: str
    departments: dict[UUID, str]


@dataclass(frozen=True)
class PersonDetailsView:
    """What every person has besides identity. ``protected`` is true when the security marking
    is anything but Ingen, or culled: then only admin and the person may see the contact."""

    id: UUID
    protected: bool
    mobile: str | Shredded | None
    email: str | Shredded | None
    picture_type: str | Shredded | None
    picture: str | Shredded | None
    profile_text: str | Shredded | None
    settings: dict[str, bool] | Shredded
    responsible_adults: frozenset[UUID] = frozenset()  # a child's guardians; empty otherwise

    def contact_withheld(self) -> PersonDetailsView:
        """The same details with the contact fields blanked, for readers of a protected person."""
        return replace(self, mobile=None, email=None)
