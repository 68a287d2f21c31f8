"""Tamper evidence (ADR 0024), on both backends: every way of changing the stored rows behind
the application's back that the issue names (alter, remove, insert, reorder) is caught by the
verifier, which names the first event or checkpoint that fails; gallring never breaks it."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from api.scheduler import Scheduler, sign_checkpoint
from builders_tempus import WEEK, history
from conftest import Clock, GallraFactory
from raw_log import RawLog, Row
from retention.integrity import chain
from retention.integrity.checkpoints import CheckpointError, Signer
from retention.integrity.verify import Finding, Report
from retention.sealing import envelope


def logged(gallra: Gallra) -> RawLog:
    """A preschool week on record, and a checkpoint signed over it."""
    history(gallra)
    made, report = gallra.integrity.checkpoint()
    assert made is not None and report.ok and report.events > 100
    return RawLog(gallra)


def one_more_event(gallra: Gallra, day: date = date(2026, 3, 9)) -> None:
    """A guardian reports one more absence: one more event at the log's end."""
    child = children(gallra)[1]
    guardian = next(iter(gallra.app.get_child(child).guardians))
    gallra.app.report_absence(uuid4(), child, guardian, day, day, "sick", "ont i magen")


def children(gallra: Gallra) -> list[UUID]:
    return [r.stream for r in RawLog(gallra).rows() if r.topic.endswith(":Child.Registered")]


def inner(rows: list[Row]) -> Row:
    """An event in the middle of a stream (one after it in the same stream), personal data
    sealed in it: the kind an intruder would want to change."""
    last = Counter(r.stream for r in rows)
    by_stream: Counter[object] = Counter()
    candidates = []
    for row in rows:
        by_stream[row.stream] += 1
        if by_stream[row.stream] < last[row.stream] and len(list(envelope.key_ids(row.state))):
            candidates.append(row)
    return candidates[len(candidates) // 2]


def a_streams_last(rows: list[Row]) -> Row:
    """The last event of a stream with more than one, not the log's last."""
    count = Counter(r.stream for r in rows)
    last = {r.stream: r for r in rows}
    return next(r for r in reversed(rows[:-1]) if count[r.stream] > 1 and last[r.stream] is r)


def failed(report: Report, finding: Finding) -> None:
    assert report.failure is not None, "the tampering went unnoticed"
    assert report.failure.finding == finding, report.failure


def test_an_untouched_log_verifies_and_says_how_far(gallra: Gallra) -> None:
    raw = logged(gallra)
    report = gallra.integrity.verify()
    rows = raw.rows()
    assert report.ok and report.events == len(rows) and report.before_chain == 0
    assert report.checkpoints == 1 and report.signed_through == rows[-1].id
    assert report.unsigned == 0 and report.streams == len({r.stream for r in rows})
    # every event written now carries its link: the chain runs through each stream
    assert all(envelope.is_chained(r.state) for r in rows)
    one_more_event(gallra)
    more = gallra.integrity.verify()
    assert more.ok and more.signed_through == rows[-1].id and more.unsigned >= 1
    again, _ = gallra.integrity.checkpoint()
    assert again is not None and again.seq == 2 and gallra.integrity.verify().unsigned == 0
    assert gallra.integrity.checkpoint()[0] is None  # nothing new: no checkpoint


@pytest.mark.parametrize("where", ["readable", "ciphertext", "link", "key id"])
def test_an_altered_event_is_named(gallra: Gallra, where: str) -> None:
    raw = logged(gallra)
    target = inner(raw.rows())
    state = bytearray(target.state)
    body = len(state) - envelope.LINK_BYTES
    offset = {
        "readable": 10,  # inside the readable JSON
        "ciphertext": body - 1,  # the last byte of the last sealed part's tag
        "link": len(state) - 1,
        "key id": 6 + int.from_bytes(state[2:6], "big") + 1,  # the first part's key id
    }[where]
    state[offset] ^= 0x01
    raw.set_state(target, bytes(state))
    report = gallra.integrity.verify()
    failed(report, Finding.ALTERED)
    assert report.failure is not None
    assert (report.failure.notification_id, report.failure.version) == (target.id, target.version)
    assert report.failure.originator_id == target.stream
    assert report.events == sum(1 for r in raw.rows() if r.id < target.id)


def test_an_event_altered_and_linked_anew_is_caught_at_the_next_in_its_stream(
    gallra: Gallra,
) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    target = inner(rows)
    before = {r.stream: r for r in rows if r.id < target.id}.get(target.stream)
    previous = chain.GENESIS if before is None else before.state[-envelope.LINK_BYTES :]
    body = bytearray(target.state[: -envelope.LINK_BYTES])
    body[10] ^= 0x01
    head = chain.link_head(target.stream, target.version, target.topic)
    raw.set_state(target, bytes(body) + chain.link(previous, head, bytes(body)))
    report = gallra.integrity.verify()
    failed(report, Finding.ALTERED)
    after = next(r for r in rows if r.stream == target.stream and r.version == target.version + 1)
    assert report.failure is not None and report.failure.notification_id == after.id


def test_a_stream_rewritten_to_its_end_is_caught_by_the_checkpoint(gallra: Gallra) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    target = a_streams_last(rows)
    before = next(r for r in rows if r.stream == target.stream and r.version == target.version - 1)
    body = bytearray(target.state[: -envelope.LINK_BYTES])
    body[10] ^= 0x01
    head = chain.link_head(target.stream, target.version, target.topic)
    link = chain.link(before.state[-envelope.LINK_BYTES :], head, bytes(body))
    raw.set_state(target, bytes(body) + link)
    report = gallra.integrity.verify()
    failed(report, Finding.CHECKPOINT_MISMATCH)
    assert report.failure is not None and report.failure.checkpoint == 1
    assert report.signed_through == 0  # nothing is vouched for any more


def test_a_removed_event_is_named_by_the_one_after_it(gallra: Gallra) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    target = inner(rows)
    raw.delete(target)
    report = gallra.integrity.verify()
    failed(report, Finding.REMOVED)
    after = next(r for r in rows if r.stream == target.stream and r.version == target.version + 1)
    assert report.failure is not None and report.failure.notification_id == after.id
    assert f"version {target.version} " in report.failure.detail


def test_a_removed_first_event_is_caught(gallra: Gallra) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    first = next(r for r in rows if r.version == 1 and sum(x.stream == r.stream for x in rows) > 1)
    raw.delete(first)
    failed(gallra.integrity.verify(), Finding.REMOVED)


def test_a_streams_last_event_removed_is_caught_by_the_checkpoint(gallra: Gallra) -> None:
    raw = logged(gallra)
    raw.delete(a_streams_last(raw.rows()))
    report = gallra.integrity.verify()
    failed(report, Finding.CHECKPOINT_MISMATCH)


def test_the_logs_tail_removed_is_caught_by_the_checkpoint(gallra: Gallra) -> None:
    raw = logged(gallra)
    for row in raw.rows()[-3:]:
        raw.delete(row)
    report = gallra.integrity.verify()
    failed(report, Finding.CHECKPOINT_MISMATCH)
    assert report.failure is not None and report.failure.checkpoint == 1


def test_an_event_copied_into_another_stream_is_caught(gallra: Gallra) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    source = inner(rows)
    raw.insert(Row(rows[-1].id + 1, uuid4(), 1, source.topic, source.state))
    report = gallra.integrity.verify()
    failed(report, Finding.ALTERED)
    assert report.failure is not None and report.failure.notification_id == rows[-1].id + 1


def test_an_event_inserted_into_the_signed_log_is_caught(
    gallra: Gallra,
) -> None:
    """A forged event whose link is right for its stream, placed in a gap of notification ids
    inside what a checkpoint signed: only the checkpoint can tell."""
    history(gallra)
    raw = RawLog(gallra)
    raw.skip_ids(3)
    one_more_event(gallra)
    raw.close_gap()
    made, _ = gallra.integrity.checkpoint()
    assert made is not None
    rows = raw.rows()
    gap = next(r.id + 1 for a, r in enumerate(rows[:-1]) if rows[a + 1].id > r.id + 1)
    template = rows[0]
    forged_body = template.state[: -envelope.LINK_BYTES]
    stream = uuid4()
    head = chain.link_head(stream, 1, template.topic)
    link = chain.link(chain.GENESIS, head, forged_body)
    raw.insert(Row(gap, stream, 1, template.topic, forged_body + link))
    report = gallra.integrity.verify()
    failed(report, Finding.CHECKPOINT_MISMATCH)


def test_two_events_of_a_stream_swapped_in_the_log_are_named(gallra: Gallra) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    target = inner(rows)
    after = next(r for r in rows if r.stream == target.stream and r.version == target.version + 1)
    raw.swap_ids(target, after)
    report = gallra.integrity.verify()
    failed(report, Finding.REORDERED)
    assert report.failure is not None and report.failure.notification_id == target.id
    assert report.failure.version == after.version  # the later one, now first


def test_two_events_given_each_others_versions_are_caught(gallra: Gallra) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    target = inner(rows)
    after = next(r for r in rows if r.stream == target.stream and r.version == target.version + 1)
    raw.set_version(after, 10_000)
    raw.set_version(target, after.version)
    raw.set_version(after, target.version)
    report = gallra.integrity.verify()
    failed(report, Finding.REORDERED)
    assert report.failure is not None and report.failure.notification_id == target.id


def test_events_of_two_streams_swapped_in_the_log_are_caught_by_the_checkpoint(
    gallra: Gallra,
) -> None:
    raw = logged(gallra)
    rows = raw.rows()
    a, b = next((a, b) for a, b in itertools.pairwise(rows[10:]) if a.stream != b.stream)
    raw.swap_ids(a, b)  # neighbours in the log: each stream's own order is kept
    failed(gallra.integrity.verify(), Finding.CHECKPOINT_MISMATCH)


def test_checkpoints_are_tamper_evident_too(gallra: Gallra) -> None:
    raw = logged(gallra)
    one_more_event(gallra)
    second, _ = gallra.integrity.checkpoint()
    assert second is not None
    # an auditor who kept the public key refuses checkpoints signed with another key
    mallory = Signer(bytes(range(32)))
    failed(gallra.integrity.verify(public_keys=[mallory.public]), Finding.UNKNOWN_KEY)
    # a count changed after signing: the signature no longer holds
    raw.on_checkpoints("UPDATE {table} SET events = events + 1 WHERE seq = 2")
    failed(gallra.integrity.verify(), Finding.BAD_SIGNATURE)
    # a checkpoint removed: the numbers skip
    raw.on_checkpoints("DELETE FROM {table} WHERE seq = 1")
    failed(gallra.integrity.verify(), Finding.CHECKPOINT_MISSING)


def test_nothing_is_signed_over_a_log_that_does_not_verify(gallra: Gallra) -> None:
    raw = logged(gallra)
    target = inner(raw.rows())
    raw.delete(target)
    one_more_event(gallra)
    with pytest.raises(CheckpointError, match="does not verify"):
        gallra.integrity.checkpoint()
    assert [c.seq for c in gallra.integrity.store.all()] == [1]


def test_events_stored_before_the_chain_are_upcast_and_chained_from(
    gallra: Gallra, make_gallra: GallraFactory
) -> None:
    """A log written before the chain existed (envelope version 1, no link): it reads and
    verifies, a write after it chains from the link its events would carry, and from the first
    checkpoint signed over it, changing one of them is caught."""
    history(gallra)
    raw = RawLog(gallra)
    for row in raw.rows():  # as the events were stored before this version
        body, _ = envelope.split_link(row.state)
        raw.set_state(row, body)
    reopened = make_gallra()  # a new process: no stream head is cached
    report = reopened.integrity.verify()
    assert report.ok and report.before_chain == report.events == len(raw.rows())
    one_more_event(reopened)  # chains from the upcast links of its streams
    rows = raw.rows()
    assert envelope.is_chained(rows[-1].state) and not envelope.is_chained(rows[0].state)
    report = reopened.integrity.verify()
    assert report.ok and report.before_chain == sum(not envelope.is_chained(r.state) for r in rows)
    assert report.events - report.before_chain >= 1
    assert reopened.app.get_child(children(reopened)[1]).given_name == "C"  # still reads
    made, _ = reopened.integrity.checkpoint()
    assert made is not None
    old = rows[len(rows) // 2]
    state = bytearray(old.state)
    state[10] ^= 0x01
    raw.set_state(old, bytes(state))
    failed(reopened.integrity.verify(), Finding.CHECKPOINT_MISMATCH)


def test_gallring_keeps_the_log_verified(gallra: Gallra, clock: Clock) -> None:
    """Culling destroys keys, never stored bytes: every checkpoint still holds after it."""
    history(gallra)
    made, before = gallra.integrity.checkpoint()
    assert made is not None
    clock.now = datetime(2029, 9, 1, tzinfo=UTC)  # the week of March 2026 is due
    results = gallra.gallring.run(clock.now.date(), by="archivist")
    assert sum(r.keys_destroyed for r in results) > 0
    after = gallra.integrity.verify()
    assert after.ok and after.checkpoints == 1 and after.events > before.events
    made, _ = gallra.integrity.checkpoint()
    assert made is not None and made.seq == 2 and gallra.integrity.verify().ok
    assert clock.now - timedelta(days=1) < clock.now


def test_an_event_passed_off_as_stored_before_the_chain_is_caught(gallra: Gallra) -> None:
    """An event rewritten without its link, as if from before the chain, in a stream whose
    earlier events carry theirs: honest writers never go back to the old envelope."""
    raw = logged(gallra)
    target = inner(raw.rows())
    assert target.version > 1
    raw.set_state(target, envelope.split_link(target.state)[0])
    report = gallra.integrity.verify()
    failed(report, Finding.ALTERED)
    assert report.failure is not None and report.failure.notification_id == target.id
    assert "no link" in report.failure.detail


def test_the_night_job_signs_what_is_new_and_nothing_over_a_broken_log(
    gallra: Gallra, caplog: pytest.LogCaptureFixture
) -> None:
    history(gallra)
    made = sign_checkpoint(gallra)
    assert made is not None and made.seq == 1
    assert sign_checkpoint(gallra) is None  # nothing new since
    one_more_event(gallra)
    assert sign_checkpoint(gallra) is not None
    raw = RawLog(gallra)
    raw.delete(inner(raw.rows()))
    one_more_event(gallra, date(2026, 3, 10))
    with caplog.at_level("ERROR"):
        assert sign_checkpoint(gallra) is None
    assert "does not verify (removed" in caplog.text
    assert [c.seq for c in gallra.integrity.store.all()] == [1, 2]


def test_the_night_jobs_are_recorded_as_done_by_the_system(gallra: Gallra) -> None:
    """A replay of a day the night close closed says the system closed it, and the night's
    checkpoint covers the close."""
    history(gallra)
    before = len(RawLog(gallra).rows())
    Scheduler(gallra).run_due(WEEK[-1] + timedelta(days=5))  # the Monday after: scheduled
    rows = RawLog(gallra).rows()
    closes = [r for r in rows[before:] if r.topic.endswith(":DepartmentDay.DayClosed")]
    assert closes, "the night close closed nothing"
    last = gallra.histories.history(closes[0].stream).entries[-1]
    assert last.kind == "DepartmentDay.DayClosed"
    assert last.by == {"role": "system", "id": None}
    signed = gallra.integrity.store.all()
    assert [c.position for c in signed] == [rows[-1].id]
