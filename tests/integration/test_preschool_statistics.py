"""Preschool statistics survive gallring: the same tables before culling, after it, and after
the read models are rebuilt from the events alone, on both backends."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.bootstrap import Gallra
from builders_tempus import WEEK, history
from domain.attendance import DepartmentDay, department_day_id
from domain.personal import Shredded
from projections.preschool_statistics import Granularity, Query


def tables(gallra: Gallra, unit: UUID) -> list[object]:
    found: list[object] = []
    for granularity in Granularity:
        query = Query(WEEK[0], WEEK[-1], granularity, unit_ids=[unit])
        for ask in (gallra.preschool.presence, gallra.preschool.absence):
            table = ask(query)
            found.append((table.cells, table.totals))
    return found


def test_statistics_are_the_same_after_culling_and_after_a_rebuild(gallra: Gallra) -> None:
    unit, dep, kids = history(gallra)
    before = tables(gallra, unit)
    by_week = Query(WEEK[0], WEEK[-1], Granularity.WEEK, unit_ids=[unit])
    week = gallra.preschool.presence(by_week)
    [cell] = week.cells
    assert cell.values is not None and not cell.suppressed
    assert cell.values["placed_child_days"] == 8 * 5
    assert cell.values["scheduled_child_days"] == 8 * 5
    assert cell.values["scheduled_minutes"] == 8 * 5 * 510
    assert cell.values["present_child_days"] == 7 * 5
    assert cell.values["unclosed_check_ins"] == 1
    absence = gallra.preschool.absence(by_week)
    sick = next(c for c in absence.cells if c.key[2] == "sick")
    assert sick.suppressed  # one child sick on two days: never shown alone

    for child in kids:  # everyone leaves, so schedules lapse as well
        [placement] = gallra.app.get_child(child).placements
        gallra.app.end_placement(child, placement.placement_id, date(2026, 6, 30))
    results = gallra.gallring.run(date(2029, 4, 1), by="test")

    assert {"attendance", "health", "schedule"} <= {r.category for r in results}
    gallra.app.evict_caches()
    monday = gallra.app.repository.get(department_day_id(dep, WEEK[0]))
    assert isinstance(monday, DepartmentDay)
    assert monday.facts == {}
    assert all(isinstance(content[1], Shredded) for content in monday.submissions.values())
    assert tables(gallra, unit) == before
    for runner in gallra.runners:
        runner.rebuild()
    assert tables(gallra, unit) == before
