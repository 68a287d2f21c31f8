"""Gallring of attendance under the Tempus rule (3 years), with the clock passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from builders import enrolled_department
from conftest import Clock, GallraFactory
from domain.attendance import DepartmentDay, department_day_id
from domain.personal import Shredded
from retention.errors import ScopeShreddedError


def make_history(gallra: Gallra, clock: Clock, children: int = 6) -> dict[str, object]:
    """Children checked in on a day in Jan 2023 and one in Mar 2026; absences in both months."""
    app = gallra.app
    unit, dep, kids = enrolled_department(app, children, "Förskolan Älvkanten", "Lodjuret")
    real_now = clock.now
    for day in (date(2023, 1, 10), date(2026, 3, 10)):
        clock.now = datetime(day.year, day.month, day.day, 18, tzinfo=UTC)
        for n, child in enumerate(kids):
            guardian_id = next(iter(app.get_child(child).guardians))
            if n == 0:
                app.report_absence(
                    uuid4(), child, guardian_id, day, day, "sick", "öroninflammation"
                )
                continue
            start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
            app.check_in(uuid4(), dep, child, start, guardian_id)
            app.check_out(uuid4(), dep, child, start + timedelta(hours=8, minutes=n), guardian_id)
    clock.now = real_now
    return {"unit": unit, "dep": dep, "children": kids}


def stats(gallra: Gallra) -> list[tuple[object, ...]]:
    gallra.runner.catch_up()
    return [
        (r.unit_id, r.month, r.children, r.presence_minutes, r.absence_days)
        for r in gallra.view.unit_months()
    ]


def test_the_tempus_rule_culls_months_older_than_three_years(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    before = stats(gallra)
    # 2026-01-31: January 2023 is not yet three years old at its last day ...
    assert gallra.gallring.planned(date(2026, 1, 31)) == []
    # ... and from 2026-02-01 it is.
    plan = gallra.gallring.planned(date(2026, 2, 1))
    assert {(c.category, c.months) for c in plan} == {
        ("attendance", ("2023-01",)),
        ("health", ("2023-01",)),
        ("day-sheet", ("2023-01",)),  # the day's sheet goes with them (ADR 0022)
    }
    attendance = next(c for c in plan if c.category == "attendance")
    assert attendance.subjects == 6 and len(attendance.key_ids) == 6
    assert attendance.events == 11  # 5 check-ins, 5 check-outs, 1 absence

    results = gallra.gallring.run(date(2026, 2, 1), by="archivist")
    assert sorted(r.keys_destroyed for r in results) == [1, 1, 6]

    old = list(gallra.app.department_day_events(town["dep"], date(2023, 1, 10)))  # type: ignore[arg-type]
    assert all(isinstance(e.child_id, Shredded) for e in old[1:])
    absence = next(e for e in old if isinstance(e, DepartmentDay.AbsenceReported))
    assert isinstance(absence.reason, Shredded) and absence.reason.category == "health"
    recent = list(gallra.app.department_day_events(town["dep"], date(2026, 3, 10)))  # type: ignore[arg-type]
    assert all(isinstance(e.child_id, UUID) for e in recent[1:])
    # the aggregate of the culled day still loads
    assert gallra.app.repository.get(department_day_id(town["dep"], date(2023, 1, 10)))  # type: ignore[arg-type]

    assert stats(gallra) == before
    gallra.runner.rebuild()
    assert stats(gallra) == before

    # identity outlives attendance
    assert gallra.app.get_child(town["children"][0]).given_name == "C"  # type: ignore[index]


def test_a_second_run_changes_nothing(gallra: Gallra, clock: Clock) -> None:
    make_history(gallra, clock)
    gallra.gallring.run(date(2026, 2, 1), by="archivist")
    position = gallra.app.recorder.max_notification_id()
    assert gallra.gallring.planned(date(2026, 2, 1)) == []
    assert gallra.gallring.run(date(2026, 2, 1), by="archivist") == []
    assert gallra.app.recorder.max_notification_id() == position


def test_every_run_leaves_a_record(gallra: Gallra, clock: Clock) -> None:
    make_history(gallra, clock)
    gallra.gallring.run(date(2026, 2, 1), by="archivist")
    records = gallra.gallring.records()
    assert {r.category for r in records} == {"attendance", "health", "day-sheet"}
    for record in records:
        assert record.rule_id == "tempus-attendance"
        assert record.plan_version == gallra.plan.version
        assert record.decided_by == "archivist"
        assert record.finished_at is not None and record.keys_destroyed is not None


def test_a_run_killed_after_its_decision_is_finished_by_the_next(
    gallra: Gallra, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_history(gallra, clock)
    keystore = gallra.app.keystore
    real_shred = keystore.shred

    def crash(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(keystore, "shred", crash)
    with pytest.raises(KeyboardInterrupt):
        gallra.gallring.run(date(2026, 2, 1), by="archivist")
    monkeypatch.setattr(keystore, "shred", real_shred)
    pending = gallra.gallring.planned(date(2026, 2, 1))
    assert len([c for c in pending if c.resumes]) == 1
    [resumed] = [c for c in pending if c.resumes]
    # its keys are the resumed run's to destroy: not decided a second time
    assert [c.category for c in pending].count(resumed.category) == 1
    results = gallra.gallring.run(date(2026, 2, 1), by="archivist")
    assert any(r.resumed for r in results)
    assert gallra.gallring.pending_runs() == []
    assert gallra.gallring.planned(date(2026, 2, 1)) == []
    assert all(r.finished_at for r in gallra.gallring.records())


def test_a_late_write_for_a_culled_month_is_refused(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    gallra.gallring.run(date(2026, 2, 1), by="archivist")
    child = town["children"][1]  # type: ignore[index]
    late = datetime(2023, 1, 11, 7, tzinfo=UTC)
    with pytest.raises(ScopeShreddedError, match="culled"):
        gallra.app.check_in(uuid4(), town["dep"], child, late, None)  # type: ignore[arg-type]
    # even without the plan's help, the key store's fence holds
    gallra.app.plan = None
    with pytest.raises(ScopeShreddedError):
        gallra.app.check_in(uuid4(), town["dep"], child, late - timedelta(days=1), None)  # type: ignore[arg-type]


def test_another_process_cannot_read_culled_values_after_the_run(
    make_gallra: GallraFactory, clock: Clock
) -> None:
    server, operator = make_gallra(), make_gallra()
    town = make_history(server, clock)
    day = date(2023, 1, 10)
    warm = list(server.app.department_day_events(town["dep"], day))  # type: ignore[arg-type]
    assert isinstance(warm[1].child_id, UUID)  # the server has the keys cached now
    operator.gallring.run(date(2026, 2, 1), by="archivist")
    cold = list(server.app.department_day_events(town["dep"], day))  # type: ignore[arg-type]
    assert all(isinstance(e.child_id, Shredded) for e in cold[1:])
