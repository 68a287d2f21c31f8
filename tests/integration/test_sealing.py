"""The sealing mapper: round trips, Shredded markers after any culling, tamper detection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from api.bootstrap import Gallra
from domain.attendance import DepartmentDay
from domain.people import Child
from domain.personal import Shredded, personal_fields
from retention.errors import SealingError
from retention.sealing import envelope
from retention.sealing.plan import Interned
from strategies import days, text


def absence_event(
    day: date, reason: str | None, kind: str = "sick"
) -> DepartmentDay.AbsenceReported:
    dd = DepartmentDay.open(uuid4(), uuid4(), day)
    dd.report_absence(uuid4(), uuid4(), uuid4(), kind, reason)  # type: ignore[arg-type]
    event = dd.collect_events()[-1]
    assert isinstance(event, DepartmentDay.AbsenceReported)
    return event


@settings(max_examples=40)
@given(day=days, reason=st.none() | text, kind=st.sampled_from(["sick", "leave", "other"]))
def test_sealed_events_round_trip(gallra: Gallra, day: date, reason: str | None, kind: str) -> None:
    mapper = gallra.app.sealing_mapper
    needle = uuid4().hex
    if reason is not None:
        reason = f"{needle} {reason}"
    event = absence_event(day, reason, kind)
    stored = mapper.to_stored_event(event)
    assert needle.encode() not in stored.state
    assert event.child_id.bytes not in stored.state  # type: ignore[union-attr]
    decoded = mapper.to_domain_event(stored)
    assert vars(decoded) == vars(event)


@settings(max_examples=30)
@given(
    given_name=text,
    family_name=text,
    culled=st.sets(st.sampled_from(["identity", "placement"])),
)
def test_every_event_decodes_after_any_subset_of_scopes_is_shredded(
    gallra: Gallra, given_name: str, family_name: str, culled: set[str]
) -> None:
    app = gallra.app
    child = Child(
        given_name=given_name,
        family_name=family_name,
        civic_number="20200101TF01",
        civic_kind="temporary",
    )
    child.place(uuid4(), uuid4(), date(2025, 8, 1))
    dd = DepartmentDay.open(uuid4(), uuid4(), date(2025, 9, 1))
    dd.check_in(uuid4(), child.id, datetime(2025, 9, 1, 7, tzinfo=UTC), None)
    dd.report_absence(uuid4(), uuid4(), uuid4(), "sick", "fever")  # type: ignore[arg-type]
    events = [*child.collect_events(), *dd.collect_events()]
    stored = app.sealing_mapper.to_stored_events(events)
    scopes = [r.scope for r in app.keystore.scopes(subject=child.id)]
    app.keystore.shred(uuid4(), scopes=[s for s in scopes if s.category in culled])
    for original, record in zip(events, stored, strict=True):
        decoded = app.sealing_mapper.to_domain_event(record)
        for field in personal_fields(type(original)):
            value = getattr(decoded, field.name)
            subject = getattr(original, field.declaration.subject)
            if subject == child.id and field.declaration.category in culled:
                assert value == Shredded(field.declaration.category)
            else:
                assert value == getattr(original, field.name)
    # and the aggregate still loads from them
    assert app.repository.get  # repository is usable; full reload is covered elsewhere


def test_a_sealed_part_moved_to_another_event_fails_loudly(gallra: Gallra) -> None:
    mapper = gallra.app.sealing_mapper
    a = mapper.to_stored_event(absence_event(date(2025, 1, 2), "a"))
    b = mapper.to_stored_event(absence_event(date(2025, 1, 3), "b"))
    plain_a, _ = envelope.unpack(a.state)
    _, parts_b = envelope.unpack(b.state)
    forged = StoredEvent(
        a.originator_id, a.originator_version, a.topic, envelope.pack(plain_a, parts_b)
    )
    with pytest.raises(MapperDeserialisationError, match="failed to authenticate"):
        mapper.to_domain_event(forged)


def test_a_batch_binds_each_part_to_its_own_event_and_shares_one_scope_object(
    gallra: Gallra,
) -> None:
    """Streams interleaved in one batch: each part opens only in its own event, and the
    events of one child and month are sealed under one Scope object and one key."""
    mapper = gallra.app.sealing_mapper
    child = uuid4()
    days = [DepartmentDay.open(uuid4(), uuid4(), date(2025, 9, d)) for d in (1, 2)]
    for n, dd in enumerate(days):
        dd.check_in(uuid4(), child, datetime(2025, 9, n + 1, 7, tzinfo=UTC), None)
        dd.check_out(uuid4(), child, datetime(2025, 9, n + 1, 15, tzinfo=UTC), None)
    first, second = (dd.collect_events() for dd in days)
    events = [first[0], second[0], first[1], second[1], first[2], second[2]]
    interned: Interned = {}
    splits = [mapper._split(e, interned) for e in events]
    scopes = [scope for split in splits for scope, _ in split[4]]
    assert len(scopes) == 4 and all(scope is scopes[0] for scope in scopes)
    stored = mapper.to_stored_events(events)
    assert [vars(mapper.to_domain_event(s)) for s in stored] == [vars(e) for e in events]
    plain, parts = envelope.unpack(stored[2].state)  # first day's check-in
    _, other = envelope.unpack(stored[3].state)  # second day's check-in: same key, other event
    forged = StoredEvent(  # the first day's veil names the child's key; the part is not its own
        stored[2].originator_id,
        stored[2].originator_version,
        stored[2].topic,
        envelope.pack(plain, [parts[0], other[1]], veiled=True),
    )
    with pytest.raises(MapperDeserialisationError, match="failed to authenticate"):
        mapper.to_domain_event(forged)


def test_a_flipped_ciphertext_bit_fails_loudly_and_names_no_value(gallra: Gallra) -> None:
    mapper = gallra.app.sealing_mapper
    stored = mapper.to_stored_event(absence_event(date(2025, 1, 2), "secret reason"))
    tampered = bytearray(stored.state)
    tampered[-1 - envelope.LINK_BYTES] ^= 1  # the tag's last byte, before the chain link
    with pytest.raises(MapperDeserialisationError) as caught:
        mapper.to_domain_event(
            StoredEvent(
                stored.originator_id, stored.originator_version, stored.topic, bytes(tampered)
            )
        )
    assert "secret" not in str(caught.value)


def test_a_culled_value_cannot_be_written_again(gallra: Gallra) -> None:
    event = absence_event(date(2025, 1, 2), None)
    object.__setattr__(event, "reason", Shredded("health"))
    with pytest.raises(SealingError, match="culled value"):
        gallra.app.sealing_mapper.to_stored_event(event)


def test_replay_fetches_keys_once_per_page(gallra: Gallra) -> None:
    """Reading a stream with many children's keys costs one key query for its day sheet and
    one for the children's keys the sheet names, not one per event."""
    app = gallra.app
    dd = DepartmentDay.open(uuid4(), uuid4(), date(2025, 9, 1))
    for _ in range(40):
        dd.check_in(uuid4(), uuid4(), datetime(2025, 9, 1, 7, tzinfo=UTC), None)
    app.save(dd)
    app.keystore.evict()
    calls: list[bool] = []
    original = app.keystore._transaction

    def counting(*, commit: bool) -> object:
        calls.append(commit)
        return original(commit=commit)

    app.keystore._transaction = counting  # type: ignore[method-assign]
    loaded = app.repository.get(dd.id)
    assert isinstance(loaded, DepartmentDay) and len(loaded.present) == 40
    assert len(calls) == 2


def test_every_personal_field_subject_is_a_uuid_field(gallra: Gallra) -> None:
    event = absence_event(date(2025, 1, 2), None)
    object.__setattr__(event, "child_id", "not-a-uuid")
    with pytest.raises(SealingError, match="must hold a UUID"):
        gallra.app.sealing_mapper.to_stored_event(event)


def test_malformed_stored_bytes_are_a_clear_error_never_a_crash(gallra: Gallra) -> None:
    mapper = gallra.app.sealing_mapper
    good = mapper.to_stored_event(absence_event(date(2025, 1, 2), "x"))
    for state in (b"", b"G", b"G\x01\xff\xff\xff\xff{}", good.state[:40], good.state + b"!"):
        with pytest.raises(MapperDeserialisationError, match="cannot be opened"):
            mapper.to_domain_events(
                [StoredEvent(good.originator_id, good.originator_version, good.topic, state)]
            )
