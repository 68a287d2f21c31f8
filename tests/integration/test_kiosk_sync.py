"""The kiosk's batch sync on both backends: one outcome per event, one transaction per
batch, refusals with the field at fault, exceptions for staff, and what the view counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from api.kiosk_sync_commands import KioskEvent
from builders import enrolled_department
from conftest import Clock, GallraFactory
from domain.attendance import department_day_id
from domain.attendance_facts import Rule
from domain.errors import RuleViolationError

TODAY = date(2026, 3, 16)  # the clock fixture's day


def at(hours: float, day: date = TODAY) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)


@pytest.fixture
def town(gallra: Gallra) -> dict[str, Any]:
    unit, dep, kids = enrolled_department(gallra.app, 3, "Förskolan Tallen", "Myran")
    other = gallra.app.add_department(unit, "Humlan")
    return {"unit": unit, "dep": dep, "kids": kids, "other": other}


def ev(kind: str, child: UUID, when: datetime, by: UUID | None = None) -> KioskEvent:
    return KioskEvent(uuid4(), kind, child, when, by)


def statuses(outcomes: list[Any]) -> list[tuple[str, str | None]]:
    return [(o.status, o.field or o.rule) for o in outcomes]


def test_every_event_gets_its_own_outcome_and_refused_ones_are_not_recorded(
    gallra: Gallra, town: dict[str, Any]
) -> None:
    app, dep = gallra.app, town["dep"]
    a, b, c = town["kids"]
    guardian = next(iter(app.get_child(a).guardians))
    check_in = ev("check-in", a, at(7), guardian)
    reused = KioskEvent(check_in.submission_id, "check-out", a, at(8))
    batch = [
        check_in,
        ev("check-out", a, at(8.5)),
        check_in,  # sent twice: a duplicate
        ev("check-out", b, at(8)),  # never checked in: a conflict, recorded
        ev("check-in", uuid4(), at(7)),  # nobody
        ev("check-in", c, at(12)),  # the future (the clock says 09:00)
        ev("check-in", c, at(7), by=uuid4()),  # not a guardian or pick-up person
        reused,
        ev("check-in", c, at(7, date(2022, 12, 1))),  # a culled month
    ]
    outcomes = app.sync_kiosk_batch(dep, None, batch)
    assert [o.submission_id for o in outcomes] == [e.submission_id for e in batch]
    assert statuses(outcomes) == [
        ("recorded", None),
        ("recorded", None),
        ("duplicate", None),
        ("conflict", str(Rule.NOT_IN)),
        ("refused", "child_id"),
        ("refused", "at"),
        ("refused", "by"),
        ("refused", "submission_id"),
        ("refused", "at"),
    ]
    assert outcomes[1].minutes == 90
    names = [type(e).__name__ for e in app.department_day_events(dep, TODAY)]
    assert names == ["Opened", "CheckedIn", "CheckedOut", "CheckedOut"]
    assert app.department_day(dep, date(2022, 12, 1)) is None
    for outcome in outcomes:
        assert "Nr" not in (outcome.message or "")  # names never reach a message


def test_a_child_placed_elsewhere_is_refused_and_a_staff_filter_hides_children(
    gallra: Gallra, town: dict[str, Any]
) -> None:
    a, b, _ = town["kids"]
    outcomes = gallra.app.sync_kiosk_batch(town["other"], None, [ev("check-in", a, at(7))])
    assert statuses(outcomes) == [("refused", "child_id")]
    hidden = gallra.app.sync_kiosk_batch(
        town["dep"],
        None,
        [ev("check-in", a, at(7)), ev("check-in", b, at(7))],
        may_act={a}.__contains__,
    )
    assert statuses(hidden) == [("recorded", None), ("refused", "child_id")]
    assert "no child with id" in (hidden[1].message or "")


def test_a_batch_over_several_days_is_one_transaction(
    gallra: Gallra, town: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, dep, (a, b, _) = gallra.app, town["dep"], town["kids"]
    yesterday = TODAY - timedelta(days=1)
    batch = [
        ev("check-in", a, at(7, yesterday)),
        ev("check-out", a, at(15, yesterday)),
        ev("check-in", b, at(7)),
    ]
    saved: list[int] = []
    real_save = app.save

    def failing(*objs: Any, **kw: Any) -> Any:
        saved.append(len(objs))
        raise RuntimeError("disk full")

    monkeypatch.setattr(app, "save", failing)
    with pytest.raises(RuntimeError):
        app.sync_kiosk_batch(dep, None, batch)
    assert saved == [2]  # both days in one save
    assert app.department_day(dep, yesterday) is None and app.department_day(dep, TODAY) is None
    monkeypatch.setattr(app, "save", real_save)
    assert {o.status for o in app.sync_kiosk_batch(dep, None, batch)} == {"recorded"}
    assert app.department_day(dep, yesterday).totals.presence_minutes == 480  # type: ignore[union-attr]
    assert {o.status for o in app.sync_kiosk_batch(dep, None, batch)} == {"duplicate"}


def test_a_concurrent_writer_makes_the_batch_retry_and_both_land(
    make_gallra: GallraFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_gallra()
    two = make_gallra()  # a second process on the same store
    _, dep, (a, b, _) = enrolled_department(one.app, 3, "Förskolan Eken", "Ekorren")
    real_save = one.app.save
    interfered: list[bool] = []

    def racing(*objs: Any, **kw: Any) -> Any:
        if not interfered:
            interfered.append(True)
            two.app.check_in(uuid4(), dep, b, at(7.5))  # wins the stream's next version
        return real_save(*objs, **kw)

    monkeypatch.setattr(one.app, "save", racing)
    outcomes = one.app.sync_kiosk_batch(dep, None, [ev("check-in", a, at(7))])
    assert statuses(outcomes) == [("recorded", None)]
    day = one.app.department_day(dep, TODAY)
    assert day is not None and set(day.present) == {a, b}


def test_more_than_a_thousand_events_are_refused_as_a_whole(
    gallra: Gallra, town: dict[str, Any]
) -> None:
    batch = [ev("check-in", town["kids"][0], at(7)) for _ in range(1001)]
    with pytest.raises(RuleViolationError) as caught:
        gallra.app.sync_kiosk_batch(town["dep"], None, batch)
    assert caught.value.field == "events"


def test_exceptions_list_conflicts_and_night_closed_check_ins(
    gallra: Gallra, town: dict[str, Any]
) -> None:
    app, dep, (a, b, _) = gallra.app, town["dep"], town["kids"]
    yesterday = TODAY - timedelta(days=1)
    first, second, stray = (
        ev("check-in", a, at(7, yesterday)),
        ev("check-in", a, at(8, yesterday)),
        ev("check-out", b, at(9, yesterday)),
    )
    app.sync_kiosk_batch(dep, None, [second, stray, first])
    found = app.day_exceptions(dep, yesterday)
    assert [(e.submission_id, e.rule) for e in found] == [
        (second.submission_id, Rule.ALREADY_IN),
        (stray.submission_id, Rule.NOT_IN),
    ]
    assert app.close_department_day(dep, yesterday, 3, 0, 0)
    found = app.day_exceptions(dep, yesterday)
    assert (first.submission_id, Rule.CLOSED_BY_NIGHT) in [(e.submission_id, e.rule) for e in found]
    assert app.day_exceptions(dep, TODAY - timedelta(days=30)) == []


def test_the_night_close_and_a_late_check_out_in_the_view(
    gallra: Gallra, town: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.day_close import close_finished_days

    app, dep, (a, b, _) = gallra.app, town["dep"], town["kids"]
    yesterday = TODAY - timedelta(days=1)
    app.sync_kiosk_batch(
        dep,
        None,
        [
            ev("check-in", a, at(7, yesterday)),
            ev("check-in", b, at(7, yesterday)),
            ev("check-out", b, at(10, yesterday)),
        ],
    )
    gallra.runner.catch_up()
    assert [r.child_id for r in gallra.view.present(dep)] == [a]
    plans = {a: 480, b: 300}
    monkeypatch.setattr(
        app,
        "scheduled_minutes_of",
        lambda children, day: {c: plans.get(c) if day == yesterday else None for c in children},
    )
    run = close_finished_days(gallra, yesterday)
    assert run.closed == 1  # the one day with a stream; days nobody was scheduled stay empty
    assert app.department_day(dep, yesterday - timedelta(days=1)) is None
    assert close_finished_days(gallra, yesterday).closed == 0  # idempotent
    gallra.runner.catch_up()
    assert gallra.view.present(dep) == []
    (row,) = gallra.view.department_days([dep], yesterday, yesterday)
    assert (row.closed, row.present_children, row.presence_minutes, row.flagged) == (
        True,
        2,
        180,
        1,
    )
    assert (row.placed_children, row.scheduled_children, row.scheduled_minutes) == (3, 2, 780)
    late = app.sync_kiosk_batch(dep, None, [ev("check-out", a, at(16, yesterday))])
    assert (late[0].status, late[0].minutes) == ("recorded", 540)
    gallra.runner.catch_up()
    (row,) = gallra.view.department_days([dep], yesterday, yesterday)
    assert (row.presence_minutes, row.flagged) == (720, 0)
    gallra.runner.rebuild()
    assert gallra.view.department_days([dep], yesterday, yesterday) == [row]


def test_a_day_with_no_stream_is_made_only_when_someone_was_scheduled(
    gallra: Gallra, town: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.day_close import close_finished_days

    app, dep = gallra.app, town["dep"]
    day = TODAY - timedelta(days=2)
    assert close_finished_days(gallra, day).closed == 0
    assert app.department_day(dep, day) is None
    monkeypatch.setattr(
        app, "scheduled_minutes_of", lambda children, day: dict.fromkeys(children, 420)
    )
    look_back = gallra.settings.day_close_look_back_days
    assert close_finished_days(gallra, day).closed == look_back  # one department, each day
    assert app.department_day(dep, day - timedelta(days=look_back)) is None
    gallra.runner.catch_up()
    (row,) = gallra.view.department_days([dep], day, day)
    assert (row.closed, row.scheduled_children, row.scheduled_minutes) == (True, 3, 1260)
    with pytest.raises(RuleViolationError):
        app.close_department_day(dep, TODAY, 3, 0, 0)  # today is not over
    assert department_day_id(dep, day) == app.department_day(dep, day).id  # type: ignore[union-attr]


def test_absence_cancel_and_counters_per_kind(
    gallra: Gallra, town: dict[str, Any], clock: Clock
) -> None:
    app, dep, (a, b, _) = gallra.app, town["dep"], town["kids"]
    guardian = next(iter(app.get_child(a).guardians))
    first = TODAY + timedelta(days=1)
    report = uuid4()
    app.report_absence(report, a, guardian, first, first + timedelta(days=2), "sick", "feber")
    app.report_absence(uuid4(), b, guardian, first, first, "leave", None)
    # by the report's id: only that report's days; a day without one is not cancelled
    outcomes = app.cancel_absence(
        a, guardian, first + timedelta(days=1), first + timedelta(days=3), report
    )
    assert [(o.day, o.cancelled) for o in outcomes] == [
        (first + timedelta(days=1), True),
        (first + timedelta(days=2), True),
        (first + timedelta(days=3), False),
    ]
    before = app.recorder.max_notification_id()
    again = app.cancel_absence(a, guardian, first + timedelta(days=1), first + timedelta(days=2))
    assert [o.cancelled for o in again] == [False, False]
    assert app.recorder.max_notification_id() == before  # twice: nothing written
    assert [o.cancelled for o in app.cancel_absence(b, guardian, first, first)] == [True]
    gallra.runner.catch_up()
    rows = gallra.view.department_days([dep], first, first + timedelta(days=2))
    assert [r.absences for r in rows] == [
        {"sick": 1, "leave": 0, "other": 0, "unknown": 0},
        {"sick": 0, "leave": 0, "other": 0, "unknown": 0},
        {"sick": 0, "leave": 0, "other": 0, "unknown": 0},
    ]
    months = gallra.view.unit_months(unit_ids=[town["unit"]])
    assert [(m.children, m.absence_days) for m in months] == [(1, 1)]
    # gallring still counts every health-sealed report, cancelled or not
    assert gallra.view.events_in("health", [f"{first:%Y-%m}"]) == 4
    # a cancelled day can be reported again
    app.report_absence(
        uuid4(), a, guardian, first + timedelta(days=1), first + timedelta(days=1), "other", None
    )
