"""The access log below HTTP: collecting, sealing, the auditors' view, and culling it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic

from api import access_log
from api.access_log import collecting, write_log
from api.bootstrap import Gallra
from builders import enrolled_department
from conftest import Clock
from domain.access_log import AccessRecord
from domain.personal import Shredded
from retention.errors import ScopeShreddedError
from retention.sealing import envelope


def log_reads(gallra: Gallra, actor: UUID, subjects: list[UUID], status: int = 200) -> int:
    """What the HTTP middleware does for one request by a staff member reading children."""
    with collecting() as collector:
        collector.note_principal("staff", actor)
        for subject in subjects:
            gallra.app.get_child(subject)
        return write_log(
            gallra.app,
            collector,
            method="GET",
            resource="GET /children/{child_id}",
            purpose="people",
            status=status,
        )


def record_events(gallra: Gallra) -> list[AccessRecord.Recorded]:
    topic = get_topic(AccessRecord.Recorded)
    ids = [
        UUID(str(n.originator_id))
        for n in gallra.app.recorder.select_notifications(start=0, limit=10_000, topics=[topic])
    ]
    return [e for i in ids for e in gallra.app.events.get(i)]  # type: ignore[misc]


@pytest.fixture
def town(gallra: Gallra) -> tuple[UUID, list[UUID]]:
    unit, _, kids = enrolled_department(gallra.app, 3, "Förskolan Åkern", "Myran")
    staff = gallra.app.register_staff("Sara", "Lärare", "19800101AB01")
    # On duty, so she stays current while the access log is culled around her.
    gallra.app.assign_duty(staff, unit, "Förskollärare", date(2025, 8, 1))
    return staff, kids


def test_the_application_used_directly_logs_nothing(gallra: Gallra, town: object) -> None:
    assert access_log.current() is None
    assert record_events(gallra) == []
    assert gallra.audit.records().rows == []


def test_one_record_per_distinct_subject_in_one_save(
    gallra: Gallra, town: tuple[UUID, list[UUID]]
) -> None:
    staff, kids = town
    before = gallra.app.recorder.max_notification_id() or 0
    assert log_reads(gallra, staff, [kids[0], kids[1], kids[0]]) == 2
    rows = gallra.audit.records().rows
    assert sorted(r.subject_id for r in rows) == sorted(kids[:2])
    assert {(r.actor_id, r.actor_role, r.action, r.status) for r in rows} == {
        (staff, "staff", "read", 200)
    }
    assert {r.day for r in rows} == {date(2026, 3, 16)}
    assert (gallra.app.recorder.max_notification_id() or 0) - before == 2


def test_without_a_principal_or_a_subject_nothing_is_written(
    gallra: Gallra, town: tuple[UUID, list[UUID]]
) -> None:
    staff, kids = town
    with collecting() as anonymous:  # a request refused before it named its principal
        gallra.app.get_child(kids[0])
        assert (
            write_log(gallra.app, anonymous, method="GET", resource="r", purpose="p", status=401)
            == 0
        )
    with collecting() as collector:  # a request that touched nobody's records
        collector.note_principal("staff", staff)
        gallra.app.get_unit(gallra.app.create_unit("Enheten", "förskola"))
        assert (
            write_log(gallra.app, collector, method="GET", resource="r", purpose="p", status=200)
            == 0
        )
    assert record_events(gallra) == []


def test_stored_records_hold_ids_only_and_readable_parts_name_no_one(
    gallra: Gallra, town: tuple[UUID, list[UUID]]
) -> None:
    staff, kids = town
    log_reads(gallra, staff, kids)
    topic = get_topic(AccessRecord.Recorded)
    notifications = gallra.app.recorder.select_notifications(start=0, limit=1000, topics=[topic])
    assert len(notifications) == 3
    forbidden = [b"Sara", b"19800101", b"Nr0", b"20200201", *(k.hex.encode() for k in kids)]
    forbidden += [str(k).encode() for k in [*kids, staff]] + [staff.hex.encode()]
    for n in notifications:
        plaintext, parts = envelope.unpack(n.state)
        readable = json.loads(plaintext)
        assert set(readable) >= {"day", "actor_role", "action", "resource", "purpose", "status"}
        assert not {"subject_id", "actor_id"} & set(readable)
        assert len(parts) == 1
        for value in forbidden:
            assert value not in n.state


def test_culling_a_month_purges_its_records_and_rebuild_agrees(
    gallra: Gallra, town: tuple[UUID, list[UUID]], clock: Clock
) -> None:
    staff, kids = town
    now = clock.now
    clock.now = datetime(2026, 2, 10, 10, tzinfo=UTC)
    log_reads(gallra, staff, kids[:2])
    clock.now = now
    log_reads(gallra, staff, kids[1:])
    assert {r.day.month for r in gallra.audit.records().rows} == {2, 3}

    # 24 months after its last day, February 2026 is due; March is not yet.
    plan = gallra.gallring.planned(date(2028, 3, 1))
    assert [(c.rule_id, c.category, c.months, c.subjects) for c in plan] == [
        ("access-log", "access-log", ("2026-02",), 2)
    ]
    gallra.gallring.run(date(2028, 3, 1), by="archivist")

    left = gallra.audit.records().rows
    assert {r.day for r in left} == {date(2026, 3, 16)}
    assert sorted(r.subject_id for r in left) == sorted(kids[1:])
    gallra.audit.runner.rebuild()
    assert gallra.audit.records().rows == left

    culled = [e for e in record_events(gallra) if e.day.month == 2]
    assert len(culled) == 2
    assert all(isinstance(e.subject_id, Shredded) for e in culled)
    assert all(isinstance(e.actor_id, Shredded) for e in culled)
    # A late access in the culled month cannot be logged (no culled scope is written again):
    # it is left out, with a warning, rather than sealed under a new key.
    clock.now = datetime(2026, 2, 11, 10, tzinfo=UTC)
    assert log_reads(gallra, staff, kids[:1]) == 0
    clock.now = now
    assert gallra.audit.records().rows == left


def test_an_erased_subject_is_left_out_and_the_others_are_logged(
    gallra: Gallra, town: tuple[UUID, list[UUID]], caplog: pytest.LogCaptureFixture
) -> None:
    staff, kids = town
    log_reads(gallra, staff, kids[:1])
    keystore = gallra.app.keystore
    keystore.shred(uuid4(), scopes=[r.scope for r in keystore.scopes(subject=kids[0])])
    gallra.app.evict_caches()

    assert log_reads(gallra, staff, kids[:2]) == 1
    assert [r.subject_id for r in gallra.audit.records(subject_id=kids[1]).rows] == [kids[1]]
    assert "1 subjects not logged" in caplog.text
    assert str(kids[0]) not in caplog.text


def test_any_other_failure_to_write_the_log_is_raised(
    gallra: Gallra, town: tuple[UUID, list[UUID]], monkeypatch: pytest.MonkeyPatch
) -> None:
    staff, kids = town

    def refuse(*objs: object, **kwargs: object) -> None:
        raise ScopeShreddedError("access-log", "2026-03")  # yet no scope of theirs is culled

    monkeypatch.setattr(gallra.app, "save", refuse)
    with pytest.raises(ScopeShreddedError):
        log_reads(gallra, staff, kids[:1])


def test_the_query_filters_and_pages(gallra: Gallra, town: tuple[UUID, list[UUID]]) -> None:
    staff, kids = town
    other = gallra.app.register_staff("Per", "Rektor", "19800102AB02")
    log_reads(gallra, staff, kids)
    log_reads(gallra, other, kids[:1], status=404)
    log_reads(gallra, staff, kids[:1])
    everything = gallra.audit.records().rows
    assert len(everything) == 5
    assert len(gallra.audit.records(subject_id=kids[0]).rows) == 3
    assert [r.status for r in gallra.audit.records(actor_id=other).rows] == [404]
    assert gallra.audit.records(since=date(2026, 3, 17)).rows == []
    assert len(gallra.audit.records(until=date(2026, 3, 16)).rows) == 5

    seen: list[UUID] = []
    token = None
    while True:
        page = gallra.audit.records(limit=2, after=token)
        seen += [r.record_id for r in page.rows]
        token = page.next_token
        if token is None:
            break
    assert seen == [r.record_id for r in everything]
