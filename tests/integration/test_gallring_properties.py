"""Properties of gallring over random histories and random run dates, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from api.bootstrap import Gallra
from conftest import Clock, GallraFactory
from domain.attendance import DepartmentDay, department_day_id
from domain.personal import Shredded

DAYS = [
    date(2022, 11, 14),
    date(2023, 2, 6),
    date(2023, 6, 12),
    date(2024, 9, 2),
    date(2025, 12, 1),
    date(2026, 3, 2),
]
facts = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from(DAYS),
        st.sampled_from(["stay", "absent"]),
        st.integers(0, 600),
    ),
    min_size=1,
    max_size=10,
)
run_dates = st.dates(min_value=date(2025, 6, 1), max_value=date(2029, 12, 31))


def record(gallra: Gallra, clock: Clock, history: list[tuple[int, date, str, int]]) -> UUID:
    app = gallra.app
    unit = app.create_unit(f"Förskola {uuid4().hex[:6]}", "förskola")
    dep = app.add_department(unit, "Avd")
    kids = []
    for n in range(4):
        kid = app.register_child(
            "B",
            "N",
            f"2019{n + 1:02d}{(uuid4().int % 28) + 1:02d}"
            f"{'ABCDEFGH'[uuid4().int % 8]}Q{uuid4().int % 100:02d}",
            [],
        )
        app.place_child(kid, unit, dep, date(2022, 8, 1))
        kids.append(kid)
    saved = clock.now
    seen: set[tuple[int, date]] = set()
    for child, day, kind, minutes in history:
        if (child, day) in seen:
            continue
        seen.add((child, day))
        clock.now = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        if kind == "absent":
            app.report_absence(uuid4(), kids[child], uuid4(), day, day, "sick", "reason")
        else:
            start = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
            app.check_in(uuid4(), dep, kids[child], start, None)
            app.check_out(uuid4(), dep, kids[child], start + timedelta(minutes=minutes), None)
    clock.now = saved
    return unit


def unit_stats(gallra: Gallra, unit: UUID) -> list[tuple[object, ...]]:
    gallra.runner.catch_up()
    return [
        (r.month, r.children, r.presence_minutes, r.absence_days)
        for r in gallra.view.unit_months(unit_ids=[unit])
    ]


@settings(max_examples=10)
@given(history=facts, run_on=run_dates)
def test_gallring_keeps_statistics_and_is_idempotent(
    make_gallra: GallraFactory,
    clock: Clock,
    history: list[tuple[int, date, str, int]],
    run_on: date,
) -> None:
    gallra = make_gallra(fresh=True)  # each history on a store of its own
    unit = record(gallra, clock, history)
    before = unit_stats(gallra, unit)
    gallra.gallring.run(run_on, by="property")
    assert unit_stats(gallra, unit) == before
    gallra.runner.rebuild()
    assert unit_stats(gallra, unit) == before

    position = gallra.app.recorder.max_notification_id()
    assert gallra.gallring.run(run_on, by="property") == []
    assert gallra.app.recorder.max_notification_id() == position

    # nothing the plan keeps was culled, and nothing it culls was kept
    attendance_rule = gallra.plan.rule_for("attendance")
    assert attendance_rule is not None
    for day in DAYS:
        department = next(iter(gallra.app.get_unit(unit).departments))
        due = attendance_rule.is_due(f"{day:%Y-%m}", run_on)
        for event in gallra.app.department_day_events(department, day):
            if isinstance(event, DepartmentDay.CheckedIn | DepartmentDay.AbsenceReported):
                assert isinstance(event.child_id, Shredded) == due, (day, run_on)
        if any(d == day for _, d, _, _ in history):
            # every aggregate still loads after the culling
            assert gallra.app.repository.get(department_day_id(department, day))
