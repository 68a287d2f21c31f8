"""The preschool side on a stolen disk: pick-up persons' names and phones, diet notes, notes on
a stay, reasons for a rejected schedule and absence reasons never reach disk or a log line in
plaintext, and after gallring a thief holding the KEK still cannot read them."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time
from uuid import uuid4

import pytest
from test_stolen_disk import _decryptable_parts, raw_store

from api.bootstrap import Gallra
from api.kiosk_sync_commands import KioskEvent
from builders import enrolled_department
from domain.attendance import DepartmentDay
from domain.pickup import PickupDetails
from domain.schedule_terms import Entry, ScheduleTerms
from domain.stay_notes import NoteContent
from retention.keys.kek import Secrets
from retention.sealing import envelope

PICKUP_NAME, PICKUP_PHONE = "Gunvor Xylofonsdotter", "070-987 65 43"
DIET_NOTE, NOTE_TEXT = "ingen sesam alls, kvarkallergi", "Besök hos tandläkaren Qwerty"
REJECTION, ABSENCE = "avslag motivering plommonstop", "vattkoppor och feber"


def tempus_records(gallra: Gallra) -> None:
    app = gallra.app
    unit, dep, (child,) = enrolled_department(app, 1, "Förskolan Nordan", "Fjällräven")
    staff = app.register_staff("Stina", "Personal", "19800111AB11")
    app.assign_duty(staff, unit, "Förskollärare", date(2025, 8, 1))
    guardian = next(iter(app.get_child(child).guardians))
    person = uuid4()
    app.add_pickup_person(child, person, PickupDetails(PICKUP_NAME, PICKUP_PHONE), guardian)
    app.set_diet(child, ["other"], DIET_NOTE)
    note = NoteContent(date(2026, 3, 10), "Tandläkare", NOTE_TEXT, visible_to_guardians=True)
    app.write_stay_note(child, uuid4(), kind="note", content=note, author_id=staff)
    [placement] = app.get_child(child).placements
    weekdays = [Entry(0, 1, time(7, 35), time(15, 55))]
    terms = ScheduleTerms.checked(
        placement.placement_id, date(2026, 4, 6), None, 1, False, weekdays
    )
    schedule = uuid4()
    app.lay_schedule(child, schedule, terms, guardian, guardian_deadline_days=14)
    app.reject_schedule(child, schedule, staff, REJECTION)
    app.report_absence(uuid4(), child, guardian, date(2026, 3, 12), date(2026, 3, 12), "sick",
                       ABSENCE)  # fmt: skip
    day = datetime(2026, 3, 13, 7, tzinfo=UTC)
    app.sync_kiosk_batch(dep, None, [
        KioskEvent(uuid4(), "check-in", child, day, guardian),
        KioskEvent(uuid4(), "check-out", child, day.replace(hour=15), person),
    ])  # fmt: skip
    app.end_placement(child, placement.placement_id, date(2026, 6, 30))
    for runner in gallra.runners:
        runner.catch_up()


VALUES = [v.encode() for v in (PICKUP_NAME, PICKUP_PHONE, DIET_NOTE, NOTE_TEXT, REJECTION, ABSENCE)]


def test_no_tempus_value_reaches_disk_or_logs(
    gallra: Gallra, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tempus_records(gallra)

    raw = raw_store(gallra)
    logged = "\n".join(r.getMessage() for r in caplog.records).encode()
    for value in VALUES:
        assert value not in raw, value
        assert value not in logged, value
    # The stay times are sealed too. A record time's minute and second (``T00:07:35.1``, run
    # at 00:07:35) are not a stay time: only a time that starts a value counts.
    assert re.search(rb"(?<![T :\d])07:35", raw) is None


def test_after_gallring_nothing_of_it_opens_even_with_the_kek(
    gallra: Gallra, secrets: Secrets
) -> None:
    tempus_records(gallra)
    before = b"".join(_decryptable_parts(gallra, secrets))
    assert all(value in before for value in VALUES)  # the check below can fail
    kiosk_times = _kiosk_record_times(gallra)
    assert kiosk_times

    results = gallra.gallring.run(date(2029, 4, 1), by="test")

    culled = {r.category for r in results}
    assert {"pickup", "diet", "calendar", "schedule", "attendance", "health"} <= culled
    after = b"".join(_decryptable_parts(gallra, secrets))
    for value in VALUES:
        assert value not in after, value
    raw = raw_store(gallra)
    for exact in kiosk_times:  # their month is readable, the moment went with the key (ADR 0019)
        assert f"{exact:%H:%M:%S.%f}".encode() not in raw, exact
        assert f"{exact:%H:%M:%S.%f}".encode() not in after, exact
    for runner in gallra.runners:  # every read model still loads, rebuilt from the events
        runner.rebuild()


def _kiosk_record_times(gallra: Gallra) -> list[datetime]:
    """The record times of the department-day's personal facts (the kiosk's and the
    absence), read while their keys live; leaving out any in the same microsecond as a
    record with nothing personal (the day's ``Opened``, written in the same command, keeps
    its time readable)."""
    mapper = gallra.app.sealing_mapper
    notifications = gallra.app.recorder.select_notifications(start=1, limit=100_000)
    events = mapper.to_domain_events(notifications)
    readable = {
        e.timestamp
        for n, e in zip(notifications, events, strict=True)
        if not envelope.unpack(n.state)[1]
    }
    kinds = DepartmentDay.KioskFact | DepartmentDay.AbsenceReported
    facts = [e.timestamp for e in events if isinstance(e, kinds)]
    assert facts and all(t.microsecond for t in facts)  # the check can fail
    return [t for t in facts if t not in readable]
