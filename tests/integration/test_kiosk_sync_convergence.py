"""Kiosk facts converge: the same set of facts, delivered once in time order or shuffled into
random batches with duplicates and re-sent batches (and the night close run part-way), ends
in the same department-days, present list, exceptions and view counters, on both backends."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from api.bootstrap import Gallra
from api.kiosk_sync_commands import KioskEvent
from builders import enrolled_department
from conftest import GallraFactory
from domain.attendance_facts import FactKind

DAYS = (date(2026, 3, 14), date(2026, 3, 15))  # the clock fixture says 2026-03-16 09:00 UTC
CHILDREN = 3

fact = st.tuples(
    st.integers(0, CHILDREN - 1),  # child
    st.sampled_from(["check-in", "check-out"]),
    st.integers(0, len(DAYS) - 1),  # day
    st.integers(6 * 60, 18 * 60),  # minute of the day, UTC
    st.uuids(version=4),  # submission id
)


def when(day: int, minute: int) -> datetime:
    d = DAYS[day]
    return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(minutes=minute)


def store(make_gallra: GallraFactory) -> tuple[Gallra, UUID, list[UUID]]:
    gallra = make_gallra(fresh=True)
    _, dep, kids = enrolled_department(gallra.app, CHILDREN, "Förskolan Sälgen", "Igelkotten")
    return gallra, dep, kids


def state(gallra: Gallra, dep: UUID, kids: list[UUID]) -> dict[str, Any]:
    """What must converge, with children named by their place in ``kids``."""
    index = {child: n for n, child in enumerate(kids)}
    app = gallra.app
    days = {}
    for d in DAYS:
        dd = app.department_day(dep, d)
        facts = set()
        if dd is not None:
            for child, child_facts in dd.facts.items():
                for f in child_facts:
                    # The night's own facts record when the job ran (part-way or at the end);
                    # what they did is in the exceptions and totals, which must converge.
                    if f.kind is not FactKind.NIGHT_CLOSE:
                        facts.add((f.submission_id, str(f.kind), index[child], f.at))
        exceptions = [
            (e.submission_id, index[e.child_id], e.rule) for e in app.day_exceptions(dep, d)
        ]
        days[d] = (facts, sorted(exceptions, key=str), dd.totals if dd else None)
    gallra.runner.catch_up()
    present = sorted((index[r.child_id], r.checked_in_at) for r in gallra.view.present(dep))
    counters = [
        (r.day, r.closed, r.present_children, r.presence_minutes, r.conflicts, r.flagged)
        for r in gallra.view.department_days([dep], DAYS[0], DAYS[-1])
    ]
    months = [(m.children, m.presence_minutes) for m in gallra.view.unit_months()]
    return {"days": days, "present": present, "counters": counters, "months": months}


@settings(max_examples=8)
@given(
    facts=st.lists(fact, min_size=1, max_size=25, unique_by=lambda f: f[4]),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_delivery_converges(
    make_gallra: GallraFactory, facts: list[tuple[int, str, int, int, UUID]], seed: int
) -> None:
    rng = random.Random(seed)
    a, dep_a, kids_a = store(make_gallra)
    b, dep_b, kids_b = store(make_gallra)
    try:
        deliver_and_compare(rng, facts, (a, dep_a, kids_a), (b, dep_b, kids_b))
    finally:  # each example's stores give back their connections at once
        a.close()
        b.close()


Store = tuple[Gallra, UUID, list[UUID]]


def deliver_and_compare(
    rng: random.Random, facts: list[tuple[int, str, int, int, UUID]], one: Store, two: Store
) -> None:
    (a, dep_a, kids_a), (b, dep_b, kids_b) = one, two

    def events(kids: list[UUID], chosen: list[tuple[int, str, int, int, UUID]]) -> list[KioskEvent]:
        return [KioskEvent(sid, kind, kids[c], when(d, m), None) for c, kind, d, m, sid in chosen]

    # (a) once, in time order, one batch; then the night close
    in_order = sorted(facts, key=lambda f: (f[2], f[3]))
    outcomes = a.app.sync_kiosk_batch(dep_a, None, events(kids_a, in_order))
    assert all(o.status in {"recorded", "conflict"} for o in outcomes)
    a.app.close_department_day(dep_a, DAYS[0], CHILDREN, 0, 0)
    open_a = state(a, dep_a, kids_a)  # the second day still open: its present list counts
    a.app.close_department_day(dep_a, DAYS[1], CHILDREN, 0, 0)

    # (b) shuffled, random batches, duplicates, re-sent batches, the close part-way
    shuffled = facts + rng.sample(facts, k=rng.randint(0, len(facts)))
    rng.shuffle(shuffled)
    batches: list[list[tuple[int, str, int, int, UUID]]] = []
    while shuffled:
        size = rng.randint(1, 6)
        batches.append(shuffled[:size])
        shuffled = shuffled[size:]
    close_after = rng.randint(0, len(batches))
    for n, batch in enumerate(batches):
        if n == close_after:
            b.app.close_department_day(dep_b, DAYS[0], CHILDREN, 0, 0)
        answer = b.app.sync_kiosk_batch(dep_b, None, events(kids_b, batch))
        assert all(o.status != "refused" for o in answer)
        if rng.random() < 0.3:  # a kiosk that never heard the answer sends it again
            again = b.app.sync_kiosk_batch(dep_b, None, events(kids_b, batch))
            assert {o.status for o in again} == {"duplicate"}
    b.app.close_department_day(dep_b, DAYS[0], CHILDREN, 0, 0)  # a no-op if closed part-way
    assert state(b, dep_b, kids_b) == open_a
    b.app.close_department_day(dep_b, DAYS[1], CHILDREN, 0, 0)

    assert state(a, dep_a, kids_a) == state(b, dep_b, kids_b)
    b.runner.rebuild()
    assert state(a, dep_a, kids_a) == state(b, dep_b, kids_b)
