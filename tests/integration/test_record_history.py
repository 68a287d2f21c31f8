"""Auditors' replay and time travel (both backends): a record's events in order with their
values opened, personal fields named, culled fields tied to the gallring run that culled them,
and the record's state as of any moment, before and after culling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from api.bootstrap import Gallra
from api.synthetic_municipality import simulated_time
from builders import enrolled_department
from conftest import Clock
from domain.attendance import department_day_id
from domain.errors import NotFoundError

T0 = datetime(2023, 1, 9, 8, tzinfo=UTC)


def at(days: int, hours: int = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def a_child_with_a_life(gallra: Gallra, clock: Clock) -> tuple[object, object]:
    """Registered on day 0, contact changed on day 2, placed on day 5."""
    app = gallra.app
    with simulated_time(clock):
        clock.now = at(0)
        unit = app.create_unit("Förskolan Tallen", "förskola")
        dep = app.add_department(unit, "Ekorren")
        guardian = app.register_guardian("Greta", "Ek", "19800101AB01")
        child = app.register_child("Saga", "Ek", "20200101TF01", [(guardian, "Vårdnadshavare")])
        clock.now = at(2)
        app.change_contact(child, "070-1234567", None)
        clock.now = at(5)
        app.place_child(child, unit, dep, date(2023, 1, 16))
    return child, dep


def test_a_records_history_shows_every_event_with_its_values_opened(
    gallra: Gallra, clock: Clock
) -> None:
    child, _ = a_child_with_a_life(gallra, clock)
    history = gallra.histories.history(child)  # type: ignore[arg-type]
    kinds = [e.kind for e in history.entries]
    assert kinds[0] == "Child.Registered" and "PersonRecord.ContactChanged" in kinds
    assert [e.version for e in history.entries] == list(range(1, len(kinds) + 1))
    registered = history.entries[0]
    assert registered.values["given_name"] == "Saga" and registered.time_known == "exact"
    assert registered.recorded_at == at(0)
    assert registered.personal["given_name"] == "identity"
    contact = next(e for e in history.entries if e.kind == "PersonRecord.ContactChanged")
    assert contact.values["mobile"] == "070-1234567" and contact.recorded_at == at(2)
    assert not any(e.culled for e in history.entries)
    assert history.subjects == [child]
    with pytest.raises(NotFoundError):
        gallra.histories.history(uuid4())


def test_time_travel_returns_the_record_as_it_was(gallra: Gallra, clock: Clock) -> None:
    child, _ = a_child_with_a_life(gallra, clock)
    histories = gallra.histories
    before = histories.state_at(child, at(-1))  # type: ignore[arg-type]
    assert before.version == 0 and before.state is None and before.uncertain == []
    day1 = histories.state_at(child, at(1))  # type: ignore[arg-type]
    assert day1.state is not None and day1.state["given_name"] == "Saga"
    assert day1.state["mobile"] is None and day1.state["placements"] == {}
    day3 = histories.state_at(child, at(3))  # type: ignore[arg-type]
    assert day3.state is not None and day3.state["mobile"] == "070-1234567"
    assert day3.version > day1.version and day3.state["placements"] == {}
    now = histories.state_at(child, at(30))  # type: ignore[arg-type]
    assert now.state is not None and len(now.state["placements"]) == 1
    assert now.version == len(histories.history(child).entries)  # type: ignore[arg-type]


def test_after_culling_fields_name_their_gallring_run_and_time_travel_says_what_is_unsure(
    gallra: Gallra, clock: Clock
) -> None:
    app = gallra.app
    _unit, dep, kids = enrolled_department(app, 6, "Förskolan Älven", "Björnen")
    day = date(2023, 1, 10)
    with simulated_time(clock):
        for n, child in enumerate(kids):
            guardian = next(iter(app.get_child(child).guardians))
            clock.now = datetime(2023, 1, 10, 7, n, tzinfo=UTC)
            app.check_in(uuid4(), dep, child, clock.now, guardian)
            clock.now = datetime(2023, 1, 10, 15, n, tzinfo=UTC)
            app.check_out(uuid4(), dep, child, clock.now, guardian)
    stream = department_day_id(dep, day)
    moment = datetime(2023, 1, 10, 12, tzinfo=UTC)
    before_culling = gallra.histories.state_at(stream, moment)
    assert before_culling.uncertain == []
    assert len(before_culling.state["facts"]) == 6  # type: ignore[index]

    clock.now = datetime(2026, 2, 1, 12, tzinfo=UTC)
    runs = gallra.gallring.run(date(2026, 2, 1), by="archivist")
    attendance_run = next(r for r in runs if r.category == "attendance")
    history = gallra.histories.history(stream)
    check_in = next(e for e in history.entries if e.kind == "DepartmentDay.CheckedIn")
    assert check_in.time_known == "month" and check_in.recorded_at == datetime(
        2023, 1, 1, tzinfo=UTC
    )
    culled = {c.field: c for c in check_in.culled}
    assert culled["child_id"].category == "attendance"
    assert culled["child_id"].run_id == attendance_run.run_id
    assert culled["child_id"].rule_id == "tempus-attendance"
    assert "child_id" not in check_in.values and check_in.values["day"] == "2023-01-10"
    assert history.subjects == []  # nothing left names anyone

    # The exact times went with the attendance keys: the facts are only known to be in
    # January 2023. Before it, none is applied; after it, all; within it, they are unsure.
    inside = gallra.histories.state_at(stream, moment)
    assert inside.uncertain and inside.version < len(history.entries)
    later = gallra.histories.state_at(stream, datetime(2023, 2, 1, tzinfo=UTC))
    assert later.version == len(history.entries) and later.uncertain == []
    earlier = gallra.histories.state_at(stream, datetime(2022, 12, 31, tzinfo=UTC))
    assert earlier.version == 0


def test_a_subjects_history_gathers_their_data_from_every_record(
    gallra: Gallra, clock: Clock
) -> None:
    app = gallra.app
    unit, dep, kids = enrolled_department(app, 3, "Förskolan Stjärnan", "Räven")
    with simulated_time(clock):
        clock.now = datetime(2023, 1, 10, 7, tzinfo=UTC)
        for child in kids[:2]:
            guardian = next(iter(app.get_child(child).guardians))
            app.check_in(uuid4(), dep, child, clock.now, guardian)
    day_stream = department_day_id(dep, date(2023, 1, 10))
    history = gallra.histories.subject_history(kids[0])
    by_stream = {r.stream_id: r for r in history.records}
    assert set(by_stream) == {kids[0], day_stream}
    facts = by_stream[day_stream].entries
    assert [e.kind for e in facts] == ["DepartmentDay.CheckedIn"]  # not the other child's
    assert facts[0].values["child_id"] == str(kids[0])
    assert history.events_read == app.recorder.max_notification_id()
    assert kids[0] in history.subjects and kids[1] not in history.subjects

    whole_unit = gallra.histories.unit_history(unit)
    streams = {r.stream_id for r in whole_unit.records}
    assert {unit, day_stream} <= streams and set(kids) <= streams  # placements name the unit

    clock.now = datetime(2026, 2, 1, 12, tzinfo=UTC)
    gallra.gallring.run(date(2026, 2, 1), by="archivist")
    after = gallra.histories.subject_history(kids[0])
    assert {r.stream_id for r in after.records} == {kids[0]}  # the culled facts name no one
    with pytest.raises(NotFoundError):
        gallra.histories.unit_history(uuid4())
