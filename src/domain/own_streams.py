"""The streams that are one person's own: their record, and the child's Tempus streams whose
ids are computed from the child's id.

A schedule book, a diet record, a stay notebook and a pick-up list are separate aggregates
(ADR 0015), but each belongs to one child, and anyone with the source can compute its id from
the child's (uuid5, no secret). Replays, the register extract and the anonymity audit all
need that list; it lives here, beside the functions that make the ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from uuid import UUID

from domain.diet import diet_record_id
from domain.pickup import child_pickups_id
from domain.stay_notes import notebook_id
from domain.stay_schedule import schedule_book_id

DERIVED: Final[tuple[Callable[[UUID], UUID], ...]] = (
    schedule_book_id,
    diet_record_id,
    notebook_id,
    child_pickups_id,
)
"""Stream ids made from a person's id."""


def own_streams(person: UUID) -> frozenset[UUID]:
    """The person's record and every stream whose id is made from theirs."""
    return frozenset({person, *(derive(person) for derive in DERIVED)})
