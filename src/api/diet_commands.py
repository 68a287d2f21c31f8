"""Diet information per child, sealed as health data; kitchen counts (issue 4).

The kitchen's counts are exact: the kitchen cooks from them, and a count suppressed or
rounded would leave a child without a safe meal. They carry no ids, names or notes, and a
kitchen sees only its own unit (decided at the API edge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from api.app_base import GallraBase
from domain.attendance import DepartmentDay, department_day_id
from domain.diet import DietCode, DietRecord, diet_record_id
from domain.errors import NotFoundError
from domain.organisation import Unit
from domain.people import Child
from domain.personal import Shredded

Scheduled = Callable[[UUID, date], "int | None"]
"""Minutes a child's schedule plans for a day (``scheduled_minutes``); None: no schedule."""


@dataclass(frozen=True)
class DietView:
    child_id: UUID
    diets: tuple[str, ...] | Shredded
    note: str | Shredded | None


@dataclass(frozen=True)
class DietCounts:
    """Children expected at a unit on a day, and how many of them need each diet."""

    unit_id: UUID
    day: date
    expected_children: int
    counts: dict[str, int] = field(default_factory=dict)


class DietCommands(GallraBase):
    """Diet information per child, sealed as health data; kitchen counts (issue 4)."""

    def set_diet(self, child_id: UUID, diets: list[str], note: str | None) -> bool:
        """Set a child's diets (no codes and no note clears them); False if nothing changed,
        so a retry records nothing."""
        self._get(Child, child_id, "child")

        def command() -> bool:
            record = self._diet_record(child_id) or DietRecord.open(child_id)
            changed = record.set(child_id, diets, note, self.local_day(self.clock()))
            if changed:
                self.save(record)
            return changed

        return self._retrying(command)  # type: ignore[no-any-return]

    def get_diet(self, child_id: UUID) -> DietView:
        """The child's diets; a child without a record has none."""
        self._get(Child, child_id, "child")
        record = self._diet_record(child_id)
        if record is None:
            return DietView(child_id, (), None)
        return DietView(child_id, record.diets, record.note)

    def diet_counts(
        self, unit_id: UUID, day: date, placed: Iterable[UUID], scheduled: Scheduled
    ) -> DietCounts:
        """Of the children ``placed`` at the unit on the day, those expected (not reported
        absent, not ``scheduled`` for 0 minutes; None, no schedule, means expected), and
        their diets. A culled diet counts as none: its child's data is no longer current."""
        unit = self._get(Unit, unit_id, "unit")
        days = self._get_many(DepartmentDay, [department_day_id(d, day) for d in unit.departments])
        absent = {child for dd in days.values() for child in dd.absences}
        expected = [c for c in placed if c not in absent and scheduled(c, day) != 0]
        counts = {str(code): 0 for code in DietCode}
        records = self._get_many(DietRecord, [diet_record_id(c) for c in expected])
        for record in records.values():  # one read for every expected child's record
            if not isinstance(record.diets, Shredded):
                for code in record.diets:
                    counts[code] += 1
        return DietCounts(unit_id, day, len(expected), counts)

    def _diet_record(self, child_id: UUID) -> DietRecord | None:
        try:
            return self._get(DietRecord, diet_record_id(child_id), "diet record")
        except NotFoundError:
            return None
