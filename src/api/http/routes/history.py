"""A child's attendance history, for its guardians and the staff who see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.http.deps import GallraDep, People
from api.http.reading_policy import reaches_child
from api.http.schemas import Model

router = APIRouter(tags=["attendance"])


class HistoryFactPublic(Model):
    type: str
    at: datetime
    by: UUID | None
    conflict: str | None


class ChildDayPublic(Model):
    day: date
    department_id: UUID
    facts: list[HistoryFactPublic]
    minutes: int
    present_since: datetime | None
    absence_kind: str | None
    absence_reason: str | None
    culled: list[str]


@router.get("/children/{child_id}/attendance", response_model=list[ChildDayPublic])
def attendance_history(
    child_id: UUID,
    gallra: GallraDep,
    principal: People,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
) -> list[ChildDayPublic]:
    """Day by day: check-ins and check-outs (with who brought or fetched the child, and any
    conflict), minutes present, and absence with its kind and reason. At most 93 days."""
    reaches_child(gallra, principal, child_id, admin=True)
    days = gallra.app.attendance_history(child_id, first, last)
    return [ChildDayPublic.model_validate(d, from_attributes=True) for d in days]
