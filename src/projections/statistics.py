"""Anonymous attendance statistics per unit and month, with small-cell suppression.

Cells are built from plaintext counters only, so they are the same before and after culling.
A cell's ``persons`` is the most children seen on one day of the month: a lower bound of the
distinct children behind it, which makes the suppression threshold err on the safe side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from projections.runner import ProjectionRunner
from projections.suppression import Cell, PublishedCell, suppress, totals
from projections.views.attendance import AttendanceViewSQL

MEASURES = ("presence_minutes", "absence_days")


@dataclass(frozen=True)
class StatisticsTable:
    threshold: int
    cells: list[PublishedCell]
    totals: list[PublishedCell]


class AttendanceStatistics:
    def __init__(
        self, view: AttendanceViewSQL, runner: ProjectionRunner, *, threshold: int = 5
    ) -> None:
        self.view = view
        self.runner = runner
        self.threshold = threshold

    def unit_months(
        self,
        *,
        unit_ids: Sequence[UUID] | None = None,
        first: date | None = None,
        last: date | None = None,
        threshold: int | None = None,
    ) -> StatisticsTable:
        """Cells keyed (unit, month), and per-month totals over the units asked for."""
        self.runner.catch_up()
        limit = threshold or self.threshold
        rows = self.view.unit_months(unit_ids=unit_ids, first=first, last=last)
        cells = [
            Cell(
                key=(str(r.unit_id), r.month),
                persons=r.children,
                values={"presence_minutes": r.presence_minutes, "absence_days": r.absence_days},
            )
            for r in rows
        ]
        published = suppress(cells, threshold=limit, group_dims=(0,))
        month_children = self.view.month_children(unit_ids=unit_ids, first=first, last=last)
        return StatisticsTable(
            threshold=limit,
            cells=published,
            totals=totals(
                cells,
                threshold=limit,
                over_dim=0,
                published=published,
                group_persons={("*", month): n for month, n in month_children.items()},
            ),
        )
