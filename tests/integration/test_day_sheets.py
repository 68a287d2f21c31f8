"""Day sheets (ADR 0022, both backends): a department-day's records show only the key of the
month's sheet, never whose keys their parts use; the sheet goes with the month's attendance,
a legal hold keeps it, and everything still loads after any of it is culled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from test_gallring import make_history, stats

from api.bootstrap import Gallra
from builders import enrolled_department
from conftest import Clock
from domain.attendance import DepartmentDay, department_day_id
from domain.compiled_month import CompiledMonth, compiled_month_id
from domain.personal import Category, Shredded, sheet_subject
from retention.sealing import envelope
from retention.survey import HIDES_KEPT

JAN_2023_DUE = date(2026, 2, 1)  # the first day January 2023's attendance is due
DAY = date(2023, 1, 10)  # make_history's day in January 2023
SHEET = sheet_subject(Category.DAY_SHEET)


def sheet_is_culled(gallra: Gallra, month: str) -> bool:
    rows = gallra.app.keystore.scopes(subject=SHEET, include_shredded=True)
    return any(r.scope.epoch == month and r.key_id is None for r in rows)


def stored_day(gallra: Gallra, department: UUID, day: date) -> list[StoredEvent]:
    return list(gallra.app.recorder.select_events(department_day_id(department, day)))


def live_keys(gallra: Gallra, subject: UUID, category: str) -> list[UUID]:
    return [
        r.key_id
        for r in gallra.app.keystore.scopes(subject=subject, category=category)
        if r.key_id is not None
    ]


def test_a_childs_days_share_no_key_id_on_disk(gallra: Gallra, clock: Clock) -> None:
    """One child's check-ins on two days of one month: before ADR 0022 both events carried
    the key id of the child's attendance scope for the month, so they stayed linked after
    it was culled. Now each shows only the month's sheet, as every other child's record does."""
    app = gallra.app
    _, dep, [child, someone] = enrolled_department(app, 2, "Förskolan Ängen", "Humlan")
    guardian = next(iter(app.get_child(child).guardians))
    days = (date(2025, 9, 1), date(2025, 9, 2))
    for day in days:
        start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        app.check_in(uuid4(), dep, child, start, guardian)
        app.check_out(uuid4(), dep, child, start + timedelta(hours=7), guardian)
    [child_key] = live_keys(gallra, child, "attendance")
    shown: list[set[bytes]] = []
    for day in days:
        facts = [s for s in stored_day(gallra, dep, day) if list(envelope.key_ids(s.state))]
        assert len(facts) == 2 and all(envelope.is_veiled(s.state) for s in facts)
        assert all(child_key.bytes not in s.state for s in facts)
        shown.append({k for s in facts for k in envelope.key_ids(s.state)})
    [sheet_1], [sheet_2] = shown
    assert sheet_1 == sheet_2 and live_keys(gallra, SHEET, "day-sheet") == [UUID(bytes=sheet_1)]
    # Another child's record that month shows the same sheet: it tells no one apart.
    start = datetime(2025, 9, 3, 8, tzinfo=UTC)
    app.check_in(uuid4(), dep, someone, start, next(iter(app.get_child(someone).guardians)))
    [theirs] = [s for s in stored_day(gallra, dep, start.date()) if envelope.is_veiled(s.state)]
    assert list(envelope.key_ids(theirs.state)) == [sheet_1]
    # Read back whole, with the child and the exact times.
    events = list(app.department_day_events(dep, days[0]))
    assert [e.child_id for e in events[1:3]] == [child, child]
    assert events[1].at == datetime(2025, 9, 1, 7, tzinfo=UTC)


def test_the_sheets_go_with_the_months_attendance(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    dep: UUID = town["dep"]  # type: ignore[assignment]
    before = stats(gallra)
    plan = gallra.gallring.planned(JAN_2023_DUE)
    [sheets] = [c for c in plan if c.category == "day-sheet"]
    assert sheets.months == ("2023-01",) and sheets.subjects == 1  # the month's sheet

    days_before = gallra.view.department_days([dep], DAY, DAY)
    gallra.gallring.run(JAN_2023_DUE, by="archivist")

    assert sheet_is_culled(gallra, "2023-01")
    # The month's figures were compiled first, once; a second compile finds them.
    compiled = gallra.app.repository.get(compiled_month_id("day-sheet", "2023-01"))
    assert isinstance(compiled, CompiledMonth) and len(compiled.days) == 1
    assert not gallra.app.compile_month("day-sheet", "2023-01", [], [])
    # No record of the day still shows a stay's minutes or an absence's kind.
    for stored in stored_day(gallra, dep, DAY)[1:]:
        readable, _ = envelope.unpack(stored.state)
        assert b"minutes_delta" not in readable and b"sick" not in readable, stored.topic
    events = list(gallra.app.department_day_events(dep, DAY))
    assert len(events) == 12 and all(isinstance(e.child_id, Shredded) for e in events[1:])
    assert isinstance(gallra.app.repository.get(department_day_id(dep, DAY)), DepartmentDay)
    assert stats(gallra) == before
    gallra.runner.rebuild()
    assert stats(gallra) == before
    assert gallra.view.department_days([dep], DAY, DAY) == days_before
    [day] = days_before
    assert (day.present_children, day.absences["sick"]) == (5, 1)  # the check can fail
    # A sheet is no person's: its fenced row stays, nobody is forgotten for it.
    assert SHEET not in gallra.app.keystore.forgettable()
    assert gallra.gallring.planned(JAN_2023_DUE) == []


def test_a_hold_keeps_the_months_sheets_until_it_is_lifted(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    dep: UUID = town["dep"]  # type: ignore[assignment]
    kids: list[UUID] = town["children"]  # type: ignore[assignment]
    held = kids[1]
    hold = uuid4()
    assert gallra.app.place_hold(hold, held, "tvist om placering", "admin-1")

    survey = gallra.gallring.survey(JAN_2023_DUE)
    assert not [c for c in survey.culls if c.category == "day-sheet"]
    [waiting] = [h for h in survey.held_back if h.category == "day-sheet"]
    assert (waiting.reason, waiting.months, waiting.subjects) == (HIDES_KEPT, ("2023-01",), 1)

    gallra.gallring.run(JAN_2023_DUE, by="archivist")
    events = list(gallra.app.department_day_events(dep, DAY))
    readable = {e.child_id for e in events[1:] if isinstance(e.child_id, UUID)}
    assert readable == {held}  # the held child's records still open, through the sheet
    assert not sheet_is_culled(gallra, "2023-01")

    assert gallra.app.lift_hold(hold, "admin-2")
    gallra.gallring.run(JAN_2023_DUE, by="archivist")
    assert sheet_is_culled(gallra, "2023-01")
    events = list(gallra.app.department_day_events(dep, DAY))
    assert all(isinstance(e.child_id, Shredded) for e in events[1:])


@pytest.mark.parametrize("how", ["shows the key id it hides", "hides no part"])
def test_a_sheet_that_does_not_match_its_parts_is_refused(
    gallra: Gallra, clock: Clock, how: str
) -> None:
    town = make_history(gallra, clock, children=2)
    dep: UUID = town["dep"]  # type: ignore[assignment]
    child: UUID = town["children"][1]  # type: ignore[index]
    [child_key] = [
        r.key_id
        for r in gallra.app.keystore.scopes(subject=child, category="attendance")
        if r.scope.epoch == "2023-01" and r.key_id is not None
    ]
    stored = next(s for s in stored_day(gallra, dep, DAY) if envelope.is_veiled(s.state))
    plain, parts = envelope.unpack(stored.state)
    if how == "shows the key id it hides":
        parts = [parts[0], (child_key.bytes, parts[1][1], parts[1][2]), *parts[2:]]
    else:
        parts = parts[:1]
    forged = envelope.pack(plain, parts, veiled=True)
    event = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, forged)
    with pytest.raises(MapperDeserialisationError, match="veil") as caught:
        gallra.app.sealing_mapper.to_domain_event(event)
    assert str(child) not in str(caught.value)
