"""Diet per child, and the kitchen's counts of the diets it cooks for.

- A child's diet: set and read by the child's guardians and by staff who see the child
  (``reading_policy``); anyone else is answered as for an unknown child (404). Admins do not
  need a child's health data, and a kitchen never reads a child (403 by role).
- A unit's counts for a day: a kitchen token for that unit (another unit: 403), or an admin.
  Counts only, exact: the kitchen cooks from them (see docs/tempus/staff-diet-notes.md).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query

from api.http.deps import Carers, GallraDep, Kitchen
from api.http.reading_policy import reaches_child
from api.http.schemas_diet_notes import (
    DietCountsPublic,
    DietPublic,
    DietPut,
    counts_public,
    diet_public,
)
from api.tokens import Role

router = APIRouter(tags=["diet"])


@router.put("/children/{child_id}/diet", response_model=DietPublic)
def set_diet(child_id: UUID, body: DietPut, gallra: GallraDep, principal: Carers) -> DietPublic:
    """Set the child's diets and a note for staff; no diets and no note clear them."""
    reaches_child(gallra, principal, child_id)
    gallra.app.set_diet(child_id, body.diets, body.note)
    return diet_public(gallra.app.get_diet(child_id))


@router.get("/children/{child_id}/diet", response_model=DietPublic)
def get_diet(child_id: UUID, gallra: GallraDep, principal: Carers) -> DietPublic:
    """The child's diets; culled fields answer null."""
    reaches_child(gallra, principal, child_id)
    return diet_public(gallra.app.get_diet(child_id))


@router.get("/units/{unit_id}/diet-counts", response_model=DietCountsPublic)
def diet_counts(
    unit_id: UUID,
    gallra: GallraDep,
    principal: Kitchen,
    day: Annotated[date, Query(description="the day cooked for")],
) -> DietCountsPublic:
    """Children expected at the unit on the day (placed, not reported absent, not scheduled
    off) and how many of them need each diet. No ids, no names, no notes."""
    if principal.role == Role.KITCHEN and principal.unit != unit_id:
        raise HTTPException(403, "this kitchen belongs to another unit")
    placed = gallra.access.members_of(unit_id, day)
    minutes = gallra.app.scheduled_minutes_of(placed, day)
    counts = gallra.app.diet_counts(unit_id, day, placed, lambda child, _: minutes.get(child))
    return counts_public(counts)
