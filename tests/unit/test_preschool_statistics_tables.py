"""The preschool statistics' arithmetic: periods, sums, ratios and what is suppressed."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from projections.preschool_statistics import (
    Granularity,
    absence_table,
    period_of,
    presence_table,
    ratios,
)
from projections.roster import StaffMinutes
from projections.views.attendance import DepartmentDayRow

UNIT = uuid4()


def day_row(
    department: UUID,
    day: date,
    *,
    present: int,
    minutes: int,
    placed: int = 20,
    scheduled: int = 18,
    scheduled_minutes: int = 0,
    sick: int = 0,
    flagged: int = 0,
) -> DepartmentDayRow:
    return DepartmentDayRow(
        department_id=department,
        unit_id=UNIT,
        day=day,
        closed=True,
        present_children=present,
        presence_minutes=minutes,
        conflicts=0,
        flagged=flagged,
        absences={"sick": sick, "leave": 0, "other": 0, "unknown": 0},
        placed_children=placed,
        scheduled_children=scheduled,
        scheduled_minutes=scheduled_minutes,
    )


@pytest.mark.parametrize(
    ("day", "granularity", "period"),
    [
        (date(2026, 3, 16), Granularity.DAY, "2026-03-16"),
        (date(2026, 3, 16), Granularity.WEEK, "2026-W12"),
        (date(2027, 1, 1), Granularity.WEEK, "2026-W53"),  # ISO weeks cross the year
        (date(2026, 3, 16), Granularity.MONTH, "2026-03"),
    ],
)
def test_periods(day: date, granularity: Granularity, period: str) -> None:
    assert period_of(day, granularity) == period


def test_a_week_sums_its_days_and_rests_on_the_busiest_day() -> None:
    dep = uuid4()
    monday = date(2026, 3, 16)
    days = [
        day_row(dep, monday + timedelta(n), present=10 + n, minutes=4000, scheduled_minutes=5000)
        for n in range(5)
    ]
    staff = [StaffMinutes(dep, UNIT, monday + timedelta(n), 3, 1200, 3) for n in range(5)]

    table = presence_table(days, staff, Granularity.WEEK, threshold=5)

    [cell] = table.cells
    assert cell.key == (str(dep), "2026-W12") and not cell.suppressed
    assert cell.persons == 14
    assert cell.values is not None
    assert cell.values["present_child_days"] == 10 + 11 + 12 + 13 + 14
    assert cell.values["presence_minutes"] == 20000
    assert cell.values["staff_minutes"] == 6000
    assert cell.values["placed_child_days"] == 100
    assert ratios(dict(cell.values)) == {
        "occupancy": 0.6,
        "presence_of_scheduled": 0.8,
        "children_per_staff": round(20000 / 6000, 3),
    }


def test_a_small_department_is_suppressed_and_so_is_its_neighbour() -> None:
    small, big, bigger = uuid4(), uuid4(), uuid4()
    day = date(2026, 3, 16)
    days = [
        day_row(small, day, present=3, minutes=900),
        day_row(big, day, present=12, minutes=5000),
        day_row(bigger, day, present=15, minutes=6000),
    ]

    table = presence_table(days, [], Granularity.DAY, threshold=5)

    by_department = {c.key[0]: c for c in table.cells}
    assert by_department[str(small)].reason == "primary"
    assert by_department[str(small)].values is None
    assert by_department[str(big)].reason == "secondary"  # else total - bigger reveals small
    assert not by_department[str(bigger)].suppressed
    [total] = table.totals
    assert total.values is not None and total.values["presence_minutes"] == 11900
    assert ratios(None) == {}


def test_one_child_sick_all_week_is_never_a_publishable_cell() -> None:
    dep = uuid4()
    monday = date(2026, 3, 16)
    days = [day_row(dep, monday + timedelta(n), present=15, minutes=1, sick=1) for n in range(5)]

    table = absence_table(days, Granularity.WEEK, threshold=5)

    sick = next(c for c in table.cells if c.key[2] == "sick")
    assert sick.suppressed and sick.reason == "primary"
    sick_total = next(c for c in table.totals if c.key[2] == "sick")
    assert sick_total.suppressed


def test_absence_by_kind_publishes_a_large_enough_cell() -> None:
    dep = uuid4()
    day = date(2026, 3, 16)
    days = [day_row(dep, day, present=10, minutes=1, sick=6)]

    table = absence_table(days, Granularity.DAY, threshold=5)

    sick = next(c for c in table.cells if c.key[2] == "sick")
    assert not sick.suppressed and sick.values == {"absent_child_days": 6}
    leave = next(c for c in table.cells if c.key[2] == "leave")
    assert leave.suppressed  # nobody on leave: zero children is below any threshold


def test_ratios_without_a_denominator_are_none() -> None:
    assert ratios(
        {
            "present_child_days": 3,
            "placed_child_days": 0,
            "presence_minutes": 10,
            "scheduled_minutes": 0,
            "staff_minutes": 0,
        }
    ) == {"occupancy": None, "presence_of_scheduled": None, "children_per_staff": None}
