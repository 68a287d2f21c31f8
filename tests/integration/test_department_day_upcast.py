"""Department-days written by version 1 (first-of-day flags, minutes at check-out, the
absence kind sealed under health) load as version 2, before and after culling."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from api.bootstrap import Gallra
from domain.attendance import DepartmentDay
from domain.attendance_facts import Totals
from domain.personal import Shredded
from retention.integrity import chain
from retention.keys.scope import Scope
from retention.sealing import envelope
from retention.sealing.plan import seal_plan

DAY = date(2026, 3, 2)


def v1(
    gallra: Gallra,
    cls: type,
    stream: UUID,
    version: int,
    readable: dict[str, Any],
    parts: list[tuple[Scope, dict[str, Any]]],
) -> Any:
    """Seal an event as version 1 did: its own readable and sealed fields, no class version."""
    mapper = gallra.app.sealing_mapper
    keys = gallra.app.keystore.keys_for_write([scope for scope, _ in parts])
    state = {"timestamp": datetime(2026, 3, 2, 18, tzinfo=UTC), **readable}
    # b"": no month opening, the exact time stays readable, as version 1 was written
    # None: no day sheet, as version 1 was written
    split = (seal_plan(cls), stream, version, state, parts, b"", None)
    chained = mapper._seal_all([split], keys, {stream: chain.GENESIS})[0]
    # no chain link either: version 1 of the envelope came before the chain (ADR 0024)
    return StoredEvent(
        originator_id=chained.originator_id,
        originator_version=chained.originator_version,
        topic=chained.topic,
        state=envelope.split_link(chained.state)[0],
    )


def store_v1_day(gallra: Gallra) -> tuple[DepartmentDay, UUID, UUID]:
    app = gallra.app
    dd = DepartmentDay.open(uuid4(), uuid4(), DAY)
    opened = dd.collect_events()[0]
    present, absent = uuid4(), uuid4()
    att = Scope(present, "attendance", "2026-03")
    absent_att, absent_health = (
        Scope(absent, "attendance", "2026-03"),
        Scope(absent, "health", "2026-03"),
    )
    arrive, leave = datetime(2026, 3, 2, 7, tzinfo=UTC), datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    events = [
        app.sealing_mapper.to_stored_event(opened),
        v1(gallra, DepartmentDay.CheckedIn, dd.id, 2,
           {"submission_id": uuid4(), "day": DAY, "first_of_day": True},
           [(att, {"child_id": present, "at": arrive, "by": None})]),
        v1(gallra, DepartmentDay.CheckedOut, dd.id, 3,
           {"submission_id": uuid4(), "day": DAY, "minutes": 510},
           [(att, {"child_id": present, "at": leave, "by": None})]),
        v1(gallra, DepartmentDay.AbsenceReported, dd.id, 4,
           {"submission_id": uuid4(), "day": DAY, "first_of_day": True},
           [(absent_att, {"child_id": absent, "reported_by": uuid4()}),
            (absent_health, {"kind": "sick", "reason": "feber"})]),
    ]  # fmt: skip
    app.recorder.insert_events(events)
    return dd, present, absent


def test_version_1_events_load_as_version_2(gallra: Gallra) -> None:
    dd, present, absent = store_v1_day(gallra)
    loaded = gallra.app.repository.get(dd.id)
    assert isinstance(loaded, DepartmentDay)
    assert loaded.totals == Totals(present_children=1, presence_minutes=510)
    assert loaded.derived(present).minutes and loaded.present == {}
    assert loaded.absences[absent].kind == "sick"
    checked_in = list(gallra.app.events.get(dd.id))[1]
    assert isinstance(checked_in, DepartmentDay.CheckedIn)
    assert (checked_in.present_delta, checked_in.kiosk_id) == (1, None)
    assert checked_in.present_since == checked_in.at
    gallra.runner.catch_up()
    (row,) = gallra.view.department_days([dd.department_id], DAY, DAY)
    assert (row.present_children, row.presence_minutes, row.absences["sick"]) == (1, 510, 1)


def test_a_culled_version_1_kind_counts_as_unknown(gallra: Gallra) -> None:
    dd, present, absent = store_v1_day(gallra)
    gallra.app.keystore.shred(uuid4(), scopes=[Scope(absent, "health", "2026-03")])
    gallra.app.evict_caches()
    reported = list(gallra.app.events.get(dd.id))[3]
    assert isinstance(reported, DepartmentDay.AbsenceReported)
    assert isinstance(reported.kind, Shredded) and isinstance(reported.reason, Shredded)
    loaded = gallra.app.repository.get(dd.id)
    assert isinstance(loaded, DepartmentDay) and loaded.absences[absent].kind == "unknown"
    gallra.runner.rebuild()
    (row,) = gallra.view.department_days([dd.department_id], DAY, DAY)
    assert row.absences == {"sick": 0, "leave": 0, "other": 0, "unknown": 1}
    gallra.app.keystore.shred(uuid4(), scopes=[Scope(present, "attendance", "2026-03")])
    gallra.app.evict_caches()
    culled = gallra.app.repository.get(dd.id)  # facts read Shredded: it still loads
    assert isinstance(culled, DepartmentDay) and culled.facts.get(present) is None
    assert culled.totals == Totals(present_children=1, presence_minutes=510)
