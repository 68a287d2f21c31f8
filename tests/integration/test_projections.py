"""The read side: exactly once, resumable, rebuildable, and live on PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import IntegrityError

from api.bootstrap import Gallra
from conftest import Clock, GallraFactory
from domain.attendance import DepartmentDay
from retention.errors import SealingError


def town(gallra: Gallra, children: int) -> tuple[UUID, UUID, list[UUID]]:
    app = gallra.app
    unit = app.create_unit("Förskolan Solgläntan", "förskola")
    dep = app.add_department(unit, "Haren")
    kids = []
    for n in range(children):
        kid = app.register_child("B", f"N{n}", f"201901{n + 10:02d}XY{n % 10}{n // 10}", [])
        app.place_child(kid, unit, dep, date(2026, 1, 1))
        kids.append(kid)
    return unit, dep, kids


def arrive(gallra: Gallra, dep: UUID, kids: list[UUID], clock: Clock) -> None:
    start = clock.now.replace(hour=6)
    for n, kid in enumerate(kids):
        gallra.app.check_in(uuid4(), dep, kid, start + timedelta(minutes=n), None)


def test_two_runners_on_one_store_apply_each_event_once(
    make_gallra: GallraFactory, clock: Clock
) -> None:
    a, b = make_gallra(), make_gallra()
    _, dep, kids = town(a, 6)
    arrive(a, dep, kids, clock)
    for n, kid in enumerate(kids[:3]):
        a.app.check_out(uuid4(), dep, kid, clock.now.replace(hour=8, minute=n), None)
    a.runner.catch_up()
    b.runner.catch_up()  # b's page is refused by the tracking row; it reads on
    rows = a.view.unit_months()
    assert [(r.children, r.presence_minutes) for r in rows] == [(6, 120 * 3)]
    assert len(b.view.present(dep)) == 3


def test_a_rebuild_gives_the_same_view(gallra: Gallra, clock: Clock) -> None:
    _, dep, kids = town(gallra, 5)
    arrive(gallra, dep, kids, clock)
    gallra.app.check_out(uuid4(), dep, kids[0], clock.now.replace(hour=7), None)
    gallra.runner.catch_up()
    before = (gallra.view.unit_months(), gallra.view.present(dep))
    assert gallra.runner.rebuild() == gallra.app.recorder.max_notification_id()
    assert (gallra.view.unit_months(), gallra.view.present(dep)) == before


def test_the_runner_resumes_where_it_stopped(make_gallra: GallraFactory, clock: Clock) -> None:
    first = make_gallra()
    _, dep, kids = town(first, 3)
    arrive(first, dep, kids[:2], clock)
    first.runner.catch_up()
    position = first.runner.position()
    first.close()
    second = make_gallra()
    arrive(second, dep, kids[2:], clock)
    assert second.runner.position() == position
    assert second.runner.catch_up() == 1  # only the new check-in; the day was opened before
    assert {r.child_id for r in second.view.present(dep)} == set(kids)


@pytest.mark.parametrize("backend_settings", ["postgres"], indirect=True)
def test_postgres_subscription_keeps_the_view_live(
    make_gallra: GallraFactory, clock: Clock
) -> None:
    """LISTEN/NOTIFY is PostgreSQL's; SQLite views are pulled current on read instead."""
    gallra = make_gallra()
    _, dep, kids = town(gallra, 2)
    gallra.runner.start()
    try:
        arrive(gallra, dep, kids, clock)
        target = gallra.app.recorder.max_notification_id() or 0
        deadline = time.monotonic() + 10
        while gallra.runner.position() < target and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gallra.runner.position() >= target, gallra.runner.error  # no catch_up() here
        assert {r.child_id for r in gallra.view.present(dep)} == set(kids)
        assert gallra.runner.error is None
    finally:
        gallra.runner.stop()


def test_statistics_totals_hide_what_cells_hide(gallra: Gallra, clock: Clock) -> None:
    app = gallra.app
    _, dep, kids = town(gallra, 6)
    small = app.create_unit("Förskolan Lilla", "förskola")
    small_dep = app.add_department(small, "Myran")
    few = []
    for n in range(2):
        kid = app.register_child("S", f"M{n}", f"2019020{n + 1}ZZ0{n}", [])
        app.place_child(kid, small, small_dep, date(2026, 1, 1))
        few.append(kid)
    arrive(gallra, dep, kids, clock)
    arrive(gallra, small_dep, few, clock)
    table = gallra.statistics.unit_months()
    by_reason = sorted(c.reason or "shown" for c in table.cells)
    assert by_reason == ["primary", "secondary"]  # 2 children; then the 6 would reveal them
    (total,) = table.totals
    assert total.suppressed is False and total.persons == 8
    lone = gallra.statistics.unit_months(unit_ids=[small])
    assert lone.cells[0].suppressed and lone.totals[0].suppressed


def test_snapshots_are_refused(gallra: Gallra) -> None:
    dd = DepartmentDay.open(uuid4(), uuid4(), date(2026, 3, 16))
    dd.check_in(uuid4(), uuid4(), datetime(2026, 3, 16, 7, tzinfo=UTC), None)
    assert gallra.app.snapshots is None
    with pytest.raises(SealingError, match="snapshots are off"):
        gallra.app.sealing_mapper.to_stored_event(Snapshot.take(dd))


def test_a_view_that_refuses_its_changes_stops_the_runner_instead_of_spinning(
    gallra: Gallra, clock: Clock
) -> None:
    """Only a lost race for the tracking row is retried; any other integrity error is a fault."""
    town(gallra, 1)
    runner = gallra.runner
    calls: list[int] = []

    def refuse(changes: object, tracking: object) -> None:
        calls.append(1)
        raise IntegrityError("NOT NULL constraint failed")

    runner.view.apply = refuse  # type: ignore[method-assign]
    with pytest.raises(IntegrityError):
        runner.catch_up()
    assert calls == [1]
