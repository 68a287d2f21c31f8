"""Anonymous statistics, with small cells suppressed."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.http.deps import GallraDep, Statistician
from api.http.schemas import PublishedCellPublic, StatisticsPublic
from projections.suppression import PublishedCell

router = APIRouter(prefix="/statistics", tags=["statistics"])


def _cell(cell: PublishedCell) -> PublishedCellPublic:
    return PublishedCellPublic(
        key=list(cell.key),
        persons=cell.persons,
        values=dict(cell.values) if cell.values is not None else None,
        suppressed=cell.suppressed,
        reason=cell.reason,
    )


@router.get("/attendance", response_model=StatisticsPublic)
def attendance(
    gallra: GallraDep,
    _: Statistician,
    unit_id: Annotated[list[UUID] | None, Query()] = None,
    first: date | None = None,
    last: date | None = None,
) -> StatisticsPublic:
    """Presence minutes and absence days per unit and month; cells under the threshold
    of children are suppressed, and totals per month never reveal a suppressed cell."""
    table = gallra.statistics.unit_months(unit_ids=unit_id, first=first, last=last)
    return StatisticsPublic(
        threshold=table.threshold,
        dimensions=["unit_id", "month"],
        cells=[_cell(c) for c in table.cells],
        totals=[_cell(c) for c in table.totals],
    )
