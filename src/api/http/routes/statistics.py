"""Anonymous statistics, with small cells suppressed."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.http.deps import GallraDep, Statistician
from api.http.schemas import PublishedCellPublic, StatisticsPublic
from domain.errors import RuleViolationError
from projections.preschool_statistics import MAX_DAYS, Granularity, ratios
from projections.preschool_statistics import Query as PreschoolQuery
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


class PresenceCellPublic(PublishedCellPublic):
    """A presence cell, with what its published sums imply (none for a suppressed cell)."""

    ratios: dict[str, float | None]


class PresenceStatisticsPublic(StatisticsPublic):
    cells: list[PresenceCellPublic]  # type: ignore[assignment]
    totals: list[PresenceCellPublic]  # type: ignore[assignment]


def preschool_query(
    first: date,
    last: date,
    granularity: Granularity = Granularity.MONTH,
    department_id: Annotated[list[UUID] | None, Query()] = None,
    unit_id: Annotated[list[UUID] | None, Query()] = None,
) -> PreschoolQuery:
    """The departments (or units), days and grain a preschool table is asked for."""
    if last < first:
        raise RuleViolationError("last is before first", field="last")
    if (last - first).days >= MAX_DAYS:
        raise RuleViolationError(f"a query covers at most {MAX_DAYS} days", field="last")
    return PreschoolQuery(first, last, granularity, department_id or (), unit_id or ())


Asked = Annotated[PreschoolQuery, Depends(preschool_query)]


def _presence_cell(cell: PublishedCell) -> PresenceCellPublic:
    values = dict(cell.values) if cell.values is not None else None
    return PresenceCellPublic(**_cell(cell).model_dump(), ratios=ratios(values))


@router.get("/preschool/presence", response_model=PresenceStatisticsPublic)
def preschool_presence(
    gallra: GallraDep, _: Statistician, query: Asked
) -> PresenceStatisticsPublic:
    """Scheduled against actual presence, occupancy and children per staff member, per
    department and day, week or month. A cell rests on the most children present on one of its
    days; under the threshold it is suppressed, and totals never reveal a suppressed cell."""
    table = gallra.preschool.presence(query)
    return PresenceStatisticsPublic(
        threshold=table.threshold,
        dimensions=list(table.dimensions),
        cells=[_presence_cell(c) for c in table.cells],
        totals=[_presence_cell(c) for c in table.totals],
    )


@router.get("/preschool/absence", response_model=StatisticsPublic)
def preschool_absence(gallra: GallraDep, _: Statistician, query: Asked) -> StatisticsPublic:
    """Absence child-days by type (sick, leave, other, unknown: culled before the type was
    readable) per department and period. A cell rests on the most children absent with that
    type on one day, so one child's long illness is never shown alone."""
    table = gallra.preschool.absence(query)
    return StatisticsPublic(
        threshold=table.threshold,
        dimensions=list(table.dimensions),
        cells=[_cell(c) for c in table.cells],
        totals=[_cell(c) for c in table.totals],
    )
