"""The department-day v2 in pure domain terms: facts, derived presence, deltas, the close."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.attendance import DepartmentDay
from domain.attendance_facts import Fact, FactKind, Rule, Totals, derive
from domain.errors import ConflictError, RuleViolationError, SubmissionMismatchError

DAY = date(2026, 3, 16)
CLOSES_AT = datetime(2026, 3, 16, 23, tzinfo=UTC)
IN, OUT = FactKind.CHECK_IN, FactKind.CHECK_OUT


def at(hours: float) -> datetime:
    return datetime(2026, 3, 16, tzinfo=UTC) + timedelta(hours=hours)


def day() -> DepartmentDay:
    return DepartmentDay.open(uuid4(), uuid4(), DAY)


def replayed(dd: DepartmentDay) -> DepartmentDay:
    """The aggregate as a repository would load it: from its events alone."""
    copy = None
    for event in dd.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, DepartmentDay)
    return copy


def test_pairs_are_whole_minutes_and_conflicts_are_ignored() -> None:
    child = uuid4()
    ids = [uuid4() for _ in range(5)]
    facts = [
        Fact(ids[0], IN, child, at(7)),
        Fact(ids[1], IN, child, at(7.5)),  # in while in
        Fact(ids[2], OUT, child, at(9) + timedelta(seconds=59)),  # 120.98 minutes -> 120
        Fact(ids[3], OUT, child, at(10)),  # out while not in
        Fact(ids[4], IN, child, at(13)),
    ]
    derived = derive(facts)
    assert derived.conflicts == {ids[1]: Rule.ALREADY_IN, ids[3]: Rule.NOT_IN}
    assert derived.minutes == {ids[2]: 120}
    assert derived.present_since == at(13)
    assert derived.totals == Totals(present_children=1, presence_minutes=120, conflicts=2)


def test_ties_order_in_before_out_before_night_close() -> None:
    child, first, second = uuid4(), uuid4(), uuid4()
    facts = [Fact(second, OUT, child, at(8)), Fact(first, IN, child, at(8))]
    assert derive(facts).minutes == {second: 0} and derive(facts).conflicts == {}
    close = Fact(uuid4(), FactKind.NIGHT_CLOSE, child, at(8))
    assert derive([*facts, close]).totals.flagged == 0  # the out closed the pair first


def test_a_night_close_while_in_flags_with_zero_minutes_and_is_a_no_op_otherwise() -> None:
    child, check_in = uuid4(), uuid4()
    facts = [Fact(check_in, IN, child, at(7)), Fact(uuid4(), FactKind.NIGHT_CLOSE, child, at(23))]
    derived = derive(facts)
    assert derived.flagged == (check_in,) and derived.present_since is None
    assert derived.totals == Totals(present_children=1, flagged=1)
    assert derive([Fact(uuid4(), FactKind.NIGHT_CLOSE, child, at(23))]).totals == Totals()


facts_strategy = st.lists(
    st.tuples(st.sampled_from([IN, OUT]), st.integers(6 * 60, 18 * 60)), max_size=8
)


@settings(max_examples=60)
@given(facts=facts_strategy, data=st.data())
def test_any_delivery_order_gives_the_same_state_and_deltas_sum_to_it(
    facts: list[tuple[FactKind, int]], data: st.DataObject
) -> None:
    child = uuid4()
    sent = [(uuid4(), kind, at(minute / 60)) for kind, minute in facts]
    orders = [sent, data.draw(st.permutations(sent))]
    results = []
    for order in orders:
        dd = day()
        for submission, kind, when in order:
            dd.record(submission, kind, child, when, None)
        total = Totals()
        for event in dd.collect_events()[1:]:
            total += Totals(
                event.present_delta, event.minutes_delta, event.conflicts_delta, event.flagged_delta
            )
        assert total == dd.totals == dd.derived(child).totals
        results.append((dd.totals, dd.present, dd.derived(child).conflicts))
    assert results[0] == results[1]


def test_the_close_flags_open_check_ins_once_and_a_late_check_out_clears_the_flag() -> None:
    dd, child, other = day(), uuid4(), uuid4()
    dd.record(uuid4(), IN, child, at(7), None)
    dd.record(uuid4(), IN, other, at(7), None)
    dd.record(uuid4(), OUT, other, at(9), None)
    assert dd.close(CLOSES_AT, placed_children=3, scheduled_children=2, scheduled_minutes=600)
    assert not dd.close(CLOSES_AT, 3, 2, 600)  # closing a closed day is a no-op
    assert dd.totals == Totals(present_children=2, presence_minutes=120, flagged=1)
    assert dd.present == {}
    late = uuid4()
    outcome = dd.record(late, OUT, child, at(16), None)  # the kiosk synced after the close
    assert (outcome.status, outcome.minutes) == ("recorded", 540)
    assert dd.totals == Totals(present_children=2, presence_minutes=660, flagged=0)
    names = [type(e).__name__ for e in dd.collect_events()]
    assert names.count("NightClosed") == 1 and names.count("DayClosed") == 1


def test_a_late_check_in_after_the_close_is_closed_too() -> None:
    dd, child = day(), uuid4()
    dd.close(CLOSES_AT, 1, 0, 0)
    dd.record(uuid4(), IN, child, at(15), None)
    assert dd.present == {} and dd.totals == Totals(present_children=1, flagged=1)
    loaded = replayed(dd)
    assert loaded.present == {} and loaded.totals == dd.totals and loaded.closed


def test_a_replayed_day_derives_what_the_writer_did() -> None:
    dd, children = day(), [uuid4(), uuid4()]
    for n, child in enumerate(children):
        dd.record(uuid4(), IN, child, at(7 + n), None)
        dd.record(uuid4(), IN, child, at(7.5 + n), None)
    dd.record(uuid4(), OUT, children[0], at(12), None)
    expected = (dd.totals, dd.present, {c: dd.derived(c) for c in children})
    loaded = replayed(dd)
    assert (loaded.totals, loaded.present, {c: loaded.derived(c) for c in children}) == expected


def test_duplicates_and_reused_ids() -> None:
    dd, child, submission = day(), uuid4(), uuid4()
    assert dd.record(submission, IN, child, at(7), None).status == "recorded"
    assert dd.record(submission, IN, child, at(7), None).status == "duplicate"
    for other in ((OUT, child, at(7)), (IN, uuid4(), at(7)), (IN, child, at(8))):
        with pytest.raises(SubmissionMismatchError):
            dd.record(submission, *other, None)


def test_the_online_kiosk_refuses_what_would_conflict_and_records_nothing() -> None:
    dd, child = day(), uuid4()
    with pytest.raises(ConflictError, match="not checked in"):
        dd.check_out(uuid4(), child, at(8), None)
    dd.check_in(uuid4(), child, at(7), None)
    with pytest.raises(ConflictError, match="already checked in"):
        dd.check_in(uuid4(), child, at(7.5), None)
    with pytest.raises(RuleViolationError, match="before the check-in"):
        dd.check_out(uuid4(), child, at(6), None)
    assert [type(e).__name__ for e in dd.collect_events()] == ["Opened", "CheckedIn"]


def test_absence_cancel_is_idempotent_and_can_name_the_report() -> None:
    dd, child, report = day(), uuid4(), uuid4()
    dd.report_absence(report, child, uuid4(), "sick", "feber")  # type: ignore[arg-type]
    assert not dd.cancel_absence(child, uuid4(), frozenset({uuid4()}))  # another report's id
    assert dd.cancel_absence(child, uuid4(), frozenset({report}))
    assert not dd.cancel_absence(child, uuid4())  # twice: nothing left to cancel
    events = dd.collect_events()
    cancelled = events[-1]
    assert isinstance(cancelled, DepartmentDay.AbsenceCancelled)
    assert (cancelled.kind, cancelled.counted, cancelled.cancels) == ("sick", True, report)
    dd.report_absence(uuid4(), child, uuid4(), "leave", None)  # type: ignore[arg-type]
    assert dd.absences[child].kind == "leave"


def test_an_absence_counts_the_child_only_when_not_present() -> None:
    dd, child = day(), uuid4()
    dd.record(uuid4(), IN, child, at(7), None)
    dd.report_absence(uuid4(), child, uuid4(), "other", None)  # type: ignore[arg-type]
    reported = dd.collect_events()[-1]
    assert isinstance(reported, DepartmentDay.AbsenceReported) and not reported.first_of_day


def test_all_pairs_in_every_order_converge() -> None:
    child = uuid4()
    sent = [(uuid4(), k, at(h)) for k, h in ((IN, 7), (OUT, 8), (IN, 9), (OUT, 9.5), (OUT, 11))]
    states = set()
    for order in itertools.permutations(sent):
        dd = day()
        for submission, kind, when in order:
            dd.record(submission, kind, child, when, None)
        conflicts = tuple(sorted(dd.derived(child).conflicts.items()))
        states.add((dd.totals, conflicts))
    assert len(states) == 1
    (totals, conflicts), *_ = states
    assert totals == Totals(present_children=1, presence_minutes=90, conflicts=1)
    assert [rule for _, rule in conflicts] == [Rule.NOT_IN]


def test_outcomes_report_the_status_now() -> None:
    dd, child = day(), uuid4()
    late_in = uuid4()
    dd.record(late_in, IN, child, at(8), None)
    dd.record(uuid4(), IN, child, at(7), None)  # arrives later, happened earlier
    assert dd.outcome_of(late_in, duplicate=False).conflict is Rule.ALREADY_IN
    assert dd.derived(child).present_since == at(7)
