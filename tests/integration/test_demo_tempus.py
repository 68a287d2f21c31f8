"""The demo's preschool side hangs together: every past day closed with its plan, so the
statistics compare scheduled with actual; the overview and the kitchen have something."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from api.bootstrap import Gallra
from api.demo import seed
from api.demo_tempus import seed_tempus
from api.overview import unit_overview
from projections.preschool_statistics import Query


def test_the_demo_preschools_hang_together(gallra: Gallra) -> None:
    today = date(2026, 3, 16)
    demo = seed(gallra.app, today=today, children=8, history_days=5, months_back=2)
    seed_tempus(gallra.app, demo, today=today)

    units = list(demo.units.values())
    last_week = Query(today - timedelta(days=7), today - timedelta(days=1), unit_ids=units)
    table = gallra.preschool.presence(replace(last_week, threshold=1))
    [cell] = [c for c in table.totals if c.key[1] == "2026-03"]
    assert cell.values is not None
    assert cell.values["scheduled_minutes"] > cell.values["presence_minutes"] > 0
    assert cell.values["staff_minutes"] > 0
    rows = unit_overview(gallra, units[0], today)
    assert sum(r.placed for r in rows) == 4 and sum(r.scheduled for r in rows) == 4
