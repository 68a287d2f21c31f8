"""An event with personal data keeps only its record time's month readable; the exact time is
sealed with its first part, opens with that key and goes with it (ADR 0019; both backends)."""

from __future__ import annotations

import json
import os
import struct
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent

from api.bootstrap import Gallra
from domain.attendance import DepartmentDay
from domain.organisation import Unit
from retention.keys.scope import Scope
from retention.sealing import envelope
from retention.sealing.mapper import NO_TIME, month_start
from retention.sealing.transcodings import make_transcoder, register_all

EXACT = datetime(2024, 3, 14, 7, 42, 13, 123456, tzinfo=UTC)
MONTH = datetime(2024, 3, 1, tzinfo=UTC)


def check_in_at(exact: datetime) -> DepartmentDay.CheckedIn:
    day = DepartmentDay.open(uuid4(), uuid4(), exact.date())
    day.check_in(uuid4(), uuid4(), exact, None)
    event = day.collect_events()[-1]
    assert isinstance(event, DepartmentDay.CheckedIn)
    object.__setattr__(event, "timestamp", exact)
    return event


def readable(stored: StoredEvent) -> dict[str, object]:
    plaintext, _ = envelope.unpack(stored.state)
    return dict(json.loads(plaintext))


def test_the_readable_part_keeps_the_month_and_the_key_opens_the_exact_time(
    gallra: Gallra,
) -> None:
    mapper = gallra.app.sealing_mapper
    event = check_in_at(EXACT)
    stored = mapper.to_stored_event(event)
    text = json.dumps(readable(stored))
    assert "2024-03-01" in text and "07:42" not in text and "123456" not in text
    assert b"07:42:13" not in stored.state and b"2024-03-14T" not in stored.state
    assert mapper.to_domain_event(stored).timestamp == EXACT


def test_a_culled_event_reads_the_month_start(gallra: Gallra) -> None:
    app = gallra.app
    event = check_in_at(EXACT)
    stored = app.sealing_mapper.to_stored_event(event)
    child = event.child_id
    assert isinstance(child, UUID)
    app.keystore.shred(uuid4(), scopes=[Scope(child, "attendance", "2024-03")])
    app.evict_caches()
    opened = app.sealing_mapper.to_domain_event(stored)
    assert opened.timestamp == MONTH and opened.timestamp.tzinfo is not None


def test_an_event_with_nothing_personal_keeps_its_exact_time(gallra: Gallra) -> None:
    unit = Unit(name="Förskolan Klocka", school_forms=["förskola"])
    [created] = unit.collect_events()
    object.__setattr__(created, "timestamp", EXACT)
    stored = gallra.app.sealing_mapper.to_stored_event(created)
    assert b"07:42:13" in stored.state
    assert gallra.app.sealing_mapper.to_domain_event(stored).timestamp == EXACT


@pytest.mark.parametrize("exact", [EXACT, MONTH], ids=["any-time", "a-month-start"])
def test_an_event_stored_before_keeps_reading_its_exact_time(
    gallra: Gallra, exact: datetime
) -> None:
    """Written the old way: the exact time readable, first, and the sealed part without it
    (nor a day sheet over it, its counters readable); one written at a month's first
    instant looks like the new way until its part is read."""
    mapper = gallra.app.sealing_mapper
    event = check_in_at(exact)
    stored = mapper.to_stored_event(event)
    plaintext, (veil, part) = envelope.unpack(stored.state)  # the day's sheet, the child's
    head = stored.originator_id.bytes + struct.pack(">q", stored.originator_version)
    sheet = gallra.app.keystore.aead(veil[0])
    assert sheet is not None
    clear = sheet.decrypt(veil[1], veil[2], head + envelope.topic_bytes(stored.topic) + veil[0])
    [key_id], counters = envelope.open_veil(clear)  # the counters were readable before
    aead = gallra.app.keystore.aead(key_id)
    assert aead is not None
    ad = head + envelope.topic_bytes(stored.topic) + key_id
    sealed = json.loads(aead.decrypt(part[1], part[2], ad))
    sealed.pop("timestamp")  # as the mapper wrote parts before
    nonce = os.urandom(12)
    old_part = (key_id, nonce, aead.encrypt(nonce, json.dumps(sealed).encode(), ad))
    old_readable = (
        mapper.transcoder.encode({"timestamp": exact})[:-1]
        + b","
        + plaintext[plaintext.index(b'"},') + 3 : -1]
        + b","
        + counters[1:]
    )
    old_state = envelope.pack(old_readable, [old_part])
    opened = mapper.to_domain_event(
        StoredEvent(stored.originator_id, stored.originator_version, stored.topic, old_state)
    )
    assert opened.timestamp == exact
    assert vars(opened) == vars(event)


def test_a_real_check_in_keeps_only_the_month_it_was_written(gallra: Gallra) -> None:
    app = gallra.app
    unit = app.create_unit("Förskolan Tid", "förskola")
    dep = app.add_department(unit, "Ugglan")
    child = app.register_child("Tea", "Tid", "20200101TF01", [])
    app.place_child(child, unit, dep, date(2024, 3, 1))
    before = datetime.now(UTC)
    app.check_in(uuid4(), dep, child, EXACT)
    notifications = app.recorder.select_notifications(start=1, limit=10**6)
    [stored] = [n for n in notifications if n.topic.endswith("CheckedIn")]
    written = json.dumps(readable(stored)["timestamp"])
    assert f"{before:%Y-%m}-01T00:00:00" in written, written
    if (before.day, before.hour) != (1, 0):  # else the month start shares the hour
        assert f"{before:%Y-%m-%d}T{before:%H}" not in stored.state.decode("latin-1")
    assert app.sealing_mapper.to_domain_event(stored).timestamp >= before  # exact, opened


def test_a_persons_own_stream_keeps_no_readable_time(gallra: Gallra) -> None:
    """A child's own stream (ADR 0023): not even the month is readable, so its events cannot
    be dated once culled; the exact time opens while the key lives."""
    app = gallra.app
    unit = app.create_unit("Förskolan Tid", "förskola")
    dep = app.add_department(unit, "Ugglan")
    before = datetime.now(UTC)
    child = app.register_child("Tea", "Tid", "20200101TF01", [])
    app.place_child(child, unit, dep, date(2024, 3, 1))
    stored = list(app.recorder.select_events(child))
    assert len(stored) >= 2
    for s in stored:
        written = json.dumps(readable(s)["timestamp"])
        assert "1970-01-01T00:00:00" in written, (s.topic, written)
        assert f"{before:%Y-%m}" not in s.state.decode("latin-1"), s.topic
    opened = [app.sealing_mapper.to_domain_event(s) for s in stored]
    assert all(e.timestamp >= before for e in opened)  # exact, from the sealed parts
    for record in app.keystore.scopes(subject=child):
        app.keystore.shred(uuid4(), scopes=[record.scope])
    app.evict_caches()
    culled = [app.sealing_mapper.to_domain_event(s) for s in stored]
    assert {e.timestamp for e in culled} == {NO_TIME}


def test_the_decoder_keeps_the_last_duplicate_key() -> None:
    """What ``_splice`` relies on when a part is spliced after a readable time: the sealed
    copy, coming last, wins, with Gallra's transcoder and with the library's."""
    library = JSONTranscoder()
    register_all(library)
    document = (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-03-01T00:00:00+00:00"},"x":1,'
        b'"timestamp":{"_type_":"datetime_iso","_data_":"2024-03-14T07:42:13.123456+00:00"}}'
    )
    for transcoder in (make_transcoder(), library):
        assert transcoder.decode(document) == {"timestamp": EXACT, "x": 1}


def test_the_time_goes_with_the_first_part_of_an_event_with_two(gallra: Gallra) -> None:
    """An absence seals the child under attendance and the reason under health: the time
    opens with the attendance key and is gone with it, whatever becomes of the health key."""
    app = gallra.app
    day = DepartmentDay.open(uuid4(), uuid4(), EXACT.date())
    child = uuid4()
    day.report_absence(uuid4(), child, uuid4(), "sick", "feber")
    event = day.collect_events()[-1]
    object.__setattr__(event, "timestamp", EXACT)
    stored = app.sealing_mapper.to_stored_event(event)
    # the day's sheet, then the attendance and health parts
    assert len(envelope.unpack(stored.state)[1]) == 3 and b"07:42:13" not in stored.state
    assert vars(app.sealing_mapper.to_domain_event(stored)) == vars(event)
    app.keystore.shred(uuid4(), scopes=[Scope(child, "health", "2024-03")])
    app.evict_caches()
    assert app.sealing_mapper.to_domain_event(stored).timestamp == EXACT
    app.keystore.shred(uuid4(), scopes=[Scope(child, "attendance", "2024-03")])
    app.evict_caches()
    assert app.sealing_mapper.to_domain_event(stored).timestamp == MONTH


def test_the_aggregate_reads_its_exact_time_until_the_key_goes(gallra: Gallra) -> None:
    app = gallra.app
    child = uuid4()
    day = DepartmentDay.open(uuid4(), uuid4(), date(2024, 3, 14))
    day.check_in(uuid4(), child, EXACT, None)
    app.save(day)
    written = day.modified_on  # the check-in's record time, as eventsourcing made it
    loaded = app.repository.get(day.id)
    assert loaded.modified_on == written and loaded.created_on == day.created_on
    app.keystore.shred(uuid4(), scopes=[Scope(child, "attendance", "2024-03")])
    app.evict_caches()
    culled = app.repository.get(day.id)
    assert culled.modified_on == month_start(written)
    assert culled.modified_on.tzinfo is UTC and culled.modified_on.day == 1
    assert culled.created_on == day.created_on  # the day's opening holds nothing personal


def test_month_start_is_the_utc_month() -> None:
    stockholm_summer = timezone(timedelta(hours=2))
    assert month_start(datetime(2024, 4, 1, 1, 30, tzinfo=stockholm_summer)) == MONTH
    assert month_start(datetime(2024, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)) == MONTH
    assert month_start(datetime(2024, 3, 14, 7, 42)).tzinfo is None  # naive stays naive
