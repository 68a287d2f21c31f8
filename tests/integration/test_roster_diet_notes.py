"""Staff shifts, diets and stay notes on both backends: the roster's anonymous counters equal
after a rebuild and after culling; culled shifts, diets and notes load as Shredded."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from builders import enrolled_department
from conftest import Clock
from domain.compiled_month import CompiledMonth, compiled_month_id
from domain.errors import NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.people import Staff
from domain.personal import Shredded
from domain.roster import roster_id
from domain.stay_notes import NoteContent
from retention.errors import ScopeShreddedError
from retention.keys.scope import Scope
from retention.sealing import envelope

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
DAY, NEXT = date(2026, 3, 16), date(2026, 3, 17)


def staff_at(gallra: Gallra, unit: UUID) -> UUID:
    s = Staff(given_name="S", family_name=uuid4().hex[:6], civic_number="-", civic_kind="t")
    gallra.app.save(s)
    gallra.app.assign_duty(s.id, unit, "Förskollärare", date(2025, 8, 1))
    return s.id


def put(
    gallra: Gallra, unit: UUID, dep: UUID, staff: UUID, day: date, *span: str, **kw: object
) -> tuple[UUID, str]:
    shift_id = kw.pop("shift_id", None) or uuid4()
    start, end = (time.fromisoformat(x) for x in span)
    outcome = gallra.app.put_shift(
        department_id=dep,
        unit_id=unit,
        shift_id=shift_id,  # type: ignore[arg-type]
        staff_id=staff,
        day=day,
        start=start,
        end=end,
        breaks=kw.pop("breaks", []),  # type: ignore[arg-type]
        shift_type=str(kw.pop("shift_type", "ordinary")),
    )
    return shift_id, outcome  # type: ignore[return-value]


def counters(gallra: Gallra, dep: UUID) -> list[tuple[date, int, int, int]]:
    return [
        (r.day, r.staff_present, r.working_minutes, r.shifts)
        for r in gallra.roster.staff_minutes([dep], *MARCH)
    ]


def test_shift_counters_survive_rebuild_and_culling(gallra: Gallra, clock: Clock) -> None:
    app = gallra.app
    unit, dep, _ = enrolled_department(app, 0, "Förskolan Tallen", "Myran")
    anna, bo = staff_at(gallra, unit), staff_at(gallra, unit)
    assert gallra.roster.unit_of(dep) == unit
    lunch = [(time(11, 0), time(11, 30))]
    first, outcome = put(gallra, unit, dep, anna, DAY, "07:00", "12:00")
    assert outcome == "planned"
    assert put(gallra, unit, dep, anna, DAY, "07:00", "12:00", shift_id=first)[1] == "unchanged"
    put(gallra, unit, dep, anna, DAY, "13:00", "16:00")
    changed, _ = put(gallra, unit, dep, bo, DAY, "08:00", "16:00")
    assert (
        put(gallra, unit, dep, bo, DAY, "08:00", "16:30", shift_id=changed, breaks=lunch)[1]
        == "changed"
    )
    cancelled, _ = put(gallra, unit, dep, bo, NEXT, "08:00", "12:00")
    assert app.cancel_shift(dep, "2026-03", cancelled) is True
    assert app.cancel_shift(dep, "2026-03", cancelled) is False
    with pytest.raises(SubmissionMismatchError):
        put(gallra, unit, dep, anna, DAY, "07:00", "12:00", shift_id=changed)
    expected = [(DAY, 2, 5 * 60 + 3 * 60 + 8 * 60, 3), (NEXT, 0, 0, 0)]
    assert counters(gallra, dep) == expected
    assert [p.day for p in gallra.roster.shifts_of(anna, *MARCH)] == [DAY, DAY]
    gallra.roster.runner.rebuild()
    assert counters(gallra, dep) == expected

    # The roster's shifts show only its sheet's key id, never a staff member's (ADR 0022).
    stored = list(app.recorder.select_events(roster_id(dep, "2026-03")))
    shifts = [s for s in stored if envelope.is_veiled(s.state)]
    assert len(shifts) == 5 and len({k for s in shifts for k in envelope.key_ids(s.state)}) == 1
    staff_keys = [r.key_id for p in (anna, bo) for r in app.keystore.scopes(subject=p)]
    assert not any(k is not None and k.bytes in s.state for k in staff_keys for s in stored)

    clock.now = datetime(2027, 4, 1, 9, tzinfo=UTC)  # March 2026's shifts are due
    results = gallra.gallring.run(date(2027, 4, 1), by="archivist")
    culled = {(r.category, r.months) for r in results}
    assert {("staff-schedule", ("2026-03",)), ("roster-sheet", ("2026-03",))} <= culled
    app.evict_caches()
    assert counters(gallra, dep) == expected
    assert gallra.roster.shifts_of(anna, *MARCH) == []
    views = app.roster_shifts(dep, "2026-03")
    assert len(views) == 3 and all(isinstance(v.staff_id, Shredded) for v in views)
    assert all(isinstance(v.start, Shredded) and isinstance(v.breaks, Shredded) for v in views)
    # A culled shift shows no minutes of its own: they went with the roster sheet, after the
    # month's staff counters were compiled (ADR 0022).
    assert all(isinstance(v.working_minutes, Shredded) for v in views)
    compiled = app.repository.get(compiled_month_id("roster-sheet", "2026-03"))
    assert isinstance(compiled, CompiledMonth) and len(compiled.days) == 2
    assert not app.compile_month("roster-sheet", "2026-03", [])
    gallra.roster.runner.rebuild()
    assert counters(gallra, dep) == expected
    with pytest.raises(ScopeShreddedError):
        put(gallra, unit, dep, anna, NEXT, "07:00", "12:00")


def test_a_shift_needs_a_duty_at_the_unit_and_a_known_department(gallra: Gallra) -> None:
    app = gallra.app
    unit, dep, _ = enrolled_department(app, 0, "Förskolan Tallen", "Myran")
    other, _, _ = enrolled_department(app, 0, "Förskolan Granen", "Igelkotten")
    stranger = staff_at(gallra, other)
    with pytest.raises(RuleViolationError) as caught:
        put(gallra, unit, dep, stranger, DAY, "07:00", "12:00")
    assert caught.value.field == "staff_id"
    with pytest.raises(NotFoundError) as missing:
        put(gallra, unit, uuid4(), staff_at(gallra, unit), DAY, "07:00", "12:00")
    assert missing.value.field == "department_id"


def test_diet_counts_leave_out_the_absent_and_the_scheduled_off(gallra: Gallra) -> None:
    app = gallra.app
    unit, _, kids = enrolled_department(app, 4, "Förskolan Tallen", "Myran")
    vegan, gluten, absent, off = kids
    app.set_diet(vegan, ["vegan"], None)
    app.set_diet(gluten, ["gluten-free", "lactose-free"], None)
    app.set_diet(absent, ["vegan"], None)
    app.set_diet(off, ["vegan"], None)
    app.report_absence(uuid4(), absent, uuid4(), DAY, DAY, "sick", None)
    placed = gallra.access.members_of(unit, DAY)
    assert set(placed) == set(kids)
    counts = app.diet_counts(unit, DAY, placed, lambda c, d: 0 if c == off else None)
    assert counts.expected_children == 2
    assert {k: v for k, v in counts.counts.items() if v} == {
        "vegan": 1,
        "gluten-free": 1,
        "lactose-free": 1,
    }
    assert app.diet_counts(unit, NEXT, placed, lambda c, d: 480).counts["vegan"] == 3


def test_a_culled_diet_loads_as_shredded_and_counts_as_none(gallra: Gallra) -> None:
    app = gallra.app
    unit, _, (kid,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    app.set_diet(kid, ["other"], "Inga jordgubbar")
    assert app.get_diet(kid).diets == ("other",)
    scopes = [r.scope for r in app.keystore.scopes(subject=kid, category="diet")]
    assert {s.epoch for s in scopes} == {"-", "2026-03"}  # the record, and this month's setting
    app.keystore.shred(uuid4(), scopes=scopes)
    app.evict_caches()
    view = app.get_diet(kid)
    assert isinstance(view.diets, Shredded) and isinstance(view.note, Shredded)
    counts = app.diet_counts(unit, DAY, [kid], lambda c, d: None)
    assert counts.expected_children == 1 and sum(counts.counts.values()) == 0
    with pytest.raises(ScopeShreddedError):  # this month is culled for the child's diet
        app.set_diet(kid, ["vegan"], None)


def test_notes_of_a_culled_month_are_not_listed(gallra: Gallra) -> None:
    app = gallra.app
    unit, _, (kid,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    author = staff_at(gallra, unit)
    march, april = uuid4(), uuid4()
    content = NoteContent(DAY, "Utflykt", "Till skogen", True)
    assert app.write_stay_note(kid, march, kind="calendar-event", content=content, author_id=author)
    assert not app.write_stay_note(
        kid, march, kind="calendar-event", content=content, author_id=author
    )
    later = NoteContent(date(2026, 4, 2), "Sov länge", "", False)
    app.write_stay_note(kid, april, kind="note", content=later, author_id=author)
    everything = (date(2026, 1, 1), date(2026, 12, 31))
    assert [n.note_id for n in app.stay_notes(kid, *everything, guardians=False)] == [march, april]
    assert [n.note_id for n in app.stay_notes(kid, *everything, guardians=True)] == [march]
    app.keystore.shred(uuid4(), scopes=[Scope(kid, "calendar", "2026-03")])
    app.evict_caches()
    assert [n.note_id for n in app.stay_notes(kid, *everything, guardians=False)] == [april]
    with pytest.raises(NotFoundError):
        app.revise_stay_note(kid, march, content=content, author_id=author)
    assert app.delete_stay_note(kid, april) is True
    assert app.stay_notes(kid, *everything, guardians=False) == []
