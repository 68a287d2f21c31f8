"""The first statistics' queries on the attendance view: per unit and month, from the
anonymous unit-day counters (``att_unit_days``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.views.base import ViewSQL


@dataclass(frozen=True, slots=True)
class UnitMonthRow:
    unit_id: UUID
    month: str
    children: int  # the most children seen on one day: a lower bound of distinct children
    presence_minutes: int
    absence_days: int


class UnitMonthQueries(ViewSQL):
    """Mixed into the attendance view, whose tables these read."""

    def month_children(
        self,
        *,
        unit_ids: Sequence[UUID] | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> dict[str, int]:
        """Per month, the most children seen on one day across the units: a lower bound of
        the distinct children behind a month's total, as for the cells."""
        where, params = self._filters(unit_ids, first, last)
        if where is None:
            return {}
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    "SELECT month, MAX(n) AS children FROM (SELECT month, day, "
                    f"SUM(children) AS n FROM {self._t('att_unit_days')} {where} "
                    "GROUP BY month, day) AS per_day GROUP BY month"
                ),
                params,
            )
            return {r["month"]: int(r["children"]) for r in c.fetchall()}

    def _filters(
        self, unit_ids: Sequence[UUID] | None, first: date | None, last: date | None
    ) -> tuple[str | None, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if unit_ids is not None:
            if not unit_ids:
                return None, []
            clauses.append(f"unit_id IN ({', '.join('?' * len(unit_ids))})")
            params += [self._id(u) for u in unit_ids]
        if first is not None:
            clauses.append("month >= ?")
            params.append(month_of(first))
        if last is not None:
            clauses.append("month <= ?")
            params.append(month_of(last))
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params

    def unit_months(
        self,
        *,
        unit_ids: Sequence[UUID] | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> list[UnitMonthRow]:
        where, params = self._filters(unit_ids, first, last)
        if where is None:
            return []
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._q(
                    "SELECT unit_id, month, MAX(children) AS children, "
                    "SUM(presence_minutes) AS minutes, SUM(absence_days) AS absences "
                    f"FROM {self._t('att_unit_days')} {where} "
                    "GROUP BY unit_id, month ORDER BY month, unit_id"
                ),
                params,
            )
            return [
                UnitMonthRow(
                    self._uuid(r["unit_id"]),
                    r["month"],
                    int(r["children"]),
                    int(r["minutes"]),
                    int(r["absences"]),
                )
                for r in c.fetchall()
            ]


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
