"""Staff shifts, diets and stay notes without storage: validation, retries, the readable flags."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.diet import DietRecord, parse_diets
from domain.errors import (
    ConflictError,
    NotFoundError,
    RuleViolationError,
    SubmissionMismatchError,
)
from domain.personal import Category, MonthOf, personal_fields
from domain.roster import MAX_SHIFT_MINUTES, DepartmentRoster, ShiftTimes, roster_id
from domain.stay_notes import NoteContent, StayNotebook, notebook_id

DAY = date(2026, 3, 16)


def t(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def times(
    start: str = "07:00", end: str = "15:30", *breaks: str, kind: str = "ordinary"
) -> ShiftTimes:
    pairs = [(t(b.split("-")[0]), t(b.split("-")[1])) for b in breaks]
    return ShiftTimes.parse(t(start), t(end), pairs, kind)


def roster() -> DepartmentRoster:
    return DepartmentRoster.open(uuid4(), uuid4(), "2026-03")


def field_of(
    error: type[Exception], command: object, *args: object, **kwargs: object
) -> str | None:
    with pytest.raises(error) as caught:
        command(*args, **kwargs)  # type: ignore[operator]
    return getattr(caught.value, "field", None)


# -- shifts --------------------------------------------------------------------------------


def test_working_minutes_are_the_shift_less_its_breaks() -> None:
    shift = times("07:00", "15:30", "11:00-11:30", "14:00-14:15", kind="opening")
    assert shift.working_minutes == 8 * 60 + 30 - 45
    assert [b for b, _ in shift.breaks] == [t("11:00"), t("14:00")]


@pytest.mark.parametrize(
    ("start", "end", "breaks", "kind", "field"),
    [
        ("09:00", "09:00", [], "ordinary", "end"),
        ("09:00", "08:00", [], "ordinary", "end"),
        ("06:00", "19:01", [], "ordinary", "end"),  # longer than 13 hours
        ("07:00", "15:00", ["06:30-07:15"], "ordinary", "breaks"),  # starts before the shift
        ("07:00", "15:00", ["14:45-15:15"], "ordinary", "breaks"),  # ends after it
        ("07:00", "15:00", ["11:00-11:30", "11:15-11:45"], "ordinary", "breaks"),  # overlap
        ("07:00", "15:00", ["11:30-11:00"], "ordinary", "breaks"),
        ("07:00", "15:00", [], "night-owl", "shift_type"),
    ],
)
def test_bad_shifts_are_refused_naming_the_field(
    start: str, end: str, breaks: list[str], kind: str, field: str
) -> None:
    assert field_of(RuleViolationError, times, start, end, *breaks, kind=kind) == field


def test_thirteen_hours_is_the_longest_shift() -> None:
    assert times("06:00", "19:00").working_minutes == MAX_SHIFT_MINUTES


def test_planning_twice_is_a_no_op_and_other_content_is_refused() -> None:
    r, staff, shift = roster(), uuid4(), uuid4()
    assert r.plan(shift, staff, DAY, times()) is True
    assert r.plan(shift, staff, DAY, times()) is False
    assert len(r.pending_events) == 2  # opened, planned: the retry recorded nothing
    assert field_of(SubmissionMismatchError, r.plan, shift, staff, DAY, times("08:00")) == (
        "shift_id"
    )
    assert field_of(SubmissionMismatchError, r.plan, shift, uuid4(), DAY, times()) == "shift_id"


def test_one_staff_members_shifts_on_a_day_do_not_overlap() -> None:
    r, staff = roster(), uuid4()
    r.plan(uuid4(), staff, DAY, times("07:00", "12:00"))
    assert field_of(ConflictError, r.plan, uuid4(), staff, DAY, times("11:59", "16:00")) == "start"
    r.plan(uuid4(), staff, DAY, times("12:00", "16:00"))  # back to back is fine
    r.plan(uuid4(), uuid4(), DAY, times("07:00", "12:00"))  # a colleague at the same time
    r.plan(uuid4(), staff, date(2026, 3, 17), times("07:00", "12:00"))  # another day


def test_a_shift_belongs_to_the_rosters_month() -> None:
    assert (
        field_of(RuleViolationError, roster().plan, uuid4(), uuid4(), date(2026, 4, 1), times())
        == "day"
    )


def test_the_flags_count_staff_present_without_naming_them() -> None:
    r, anna, bo = roster(), uuid4(), uuid4()
    first, second, third = uuid4(), uuid4(), uuid4()
    r.plan(first, anna, DAY, times("07:00", "11:00"))
    r.plan(second, anna, DAY, times("13:00", "17:00"))
    r.plan(third, bo, DAY, times("07:00", "11:00"))
    planned = [e for e in r.pending_events if isinstance(e, DepartmentRoster.ShiftPlanned)]
    assert [e.first_of_day for e in planned] == [True, False, True]
    r.cancel(first)
    r.cancel(second)
    assert r.cancel(second) is False  # a retried cancel records nothing
    cancelled = [e for e in r.pending_events if isinstance(e, DepartmentRoster.ShiftCancelled)]
    assert [e.last_of_day for e in cancelled] == [False, True]
    assert [s.shift_id for s in r.live_shifts()] == [third]


def test_a_change_keeps_staff_and_day_and_refuses_overlap() -> None:
    r, staff, shift, other = roster(), uuid4(), uuid4(), uuid4()
    r.plan(shift, staff, DAY, times("07:00", "11:00"))
    r.plan(other, staff, DAY, times("12:00", "16:00"))
    assert r.change(shift, staff, DAY, times("07:00", "11:00")) is False
    assert r.change(shift, staff, DAY, times("06:00", "11:30", "09:00-09:15")) is True
    assert r.shifts[shift].working_minutes == 5 * 60 + 15
    assert field_of(ConflictError, r.change, shift, staff, DAY, times("07:00", "12:30")) == "start"
    assert field_of(SubmissionMismatchError, r.change, shift, uuid4(), DAY, times()) == "shift_id"
    r.cancel(shift)
    assert field_of(ConflictError, r.change, shift, staff, DAY, times()) == "shift_id"
    assert field_of(NotFoundError, r.change, uuid4(), staff, DAY, times()) == "shift_id"


def test_the_roster_id_is_derived_from_department_and_month_only() -> None:
    department = uuid4()
    assert roster_id(department, "2026-03") == roster_id(department, "2026-03")
    assert roster_id(department, "2026-03") != roster_id(department, "2026-04")


def test_who_and_when_are_sealed_per_staff_member_and_month() -> None:
    sealed = {f.name: f.declaration for f in personal_fields(DepartmentRoster.ShiftPlanned)}
    assert set(sealed) == {"staff_id", "start", "end", "breaks", "shift_type"}
    assert {(d.category, d.subject, d.epoch) for d in sealed.values()} == {
        (Category.STAFF_SCHEDULE, "staff_id", MonthOf("day"))
    }


@given(
    st.lists(st.tuples(st.integers(0, 23), st.integers(1, 180)), min_size=1, max_size=8),
)
def test_the_flags_always_sum_to_the_distinct_staff_on_the_day(
    plans: list[tuple[int, int]],
) -> None:
    r, staff = roster(), [uuid4(), uuid4(), uuid4()]
    for n, (hour, length) in enumerate(plans):
        start = time(hour, 0)
        end_minutes = min(hour * 60 + length, 23 * 60 + 59)
        if end_minutes <= hour * 60:
            continue
        try:
            r.plan(
                uuid4(),
                staff[n % 3],
                DAY,
                ShiftTimes.parse(start, time(end_minutes // 60, end_minutes % 60), [], "ordinary"),
            )
        except ConflictError:
            continue
    events = [e for e in r.pending_events if isinstance(e, DepartmentRoster.ShiftPlanned)]
    assert sum(e.first_of_day for e in events) == len({s.staff_id for s in r.live_shifts()})


# -- diet ----------------------------------------------------------------------------------


def test_diets_are_known_codes_each_once_and_other_needs_a_note() -> None:
    assert parse_diets(["vegan", "gluten-free", "vegan"], "  ") == (
        parse_diets(["gluten-free", "vegan"], None)
    )
    assert field_of(RuleViolationError, parse_diets, ["raw-food"], None) == "diets"
    assert field_of(RuleViolationError, parse_diets, ["other"], None) == "note"
    assert field_of(RuleViolationError, parse_diets, [], "x" * 1001) == "note"


ON = date(2026, 3, 16)


def test_setting_the_same_diet_again_records_nothing_and_empty_clears() -> None:
    child = uuid4()
    record = DietRecord.open(child)
    assert record.set(child, ["nut-free"], "EpiPen i väskan", ON) is True
    assert record.set(child, ["nut-free"], "EpiPen i väskan", ON) is False
    assert record.diets == ("nut-free",) and record.data_subjects() == [child]
    assert record.set(child, [], None, ON) is True and record.diets == () and record.note is None
    assert record.clear() is False
    kinds = [type(e).__name__ for e in record.pending_events]
    assert kinds == ["Opened", "DietSet", "DietCleared"]


# -- stay notes ----------------------------------------------------------------------------


def note(day: date = DAY, title: str = "Utflykt", visible: bool = True) -> NoteContent:
    return NoteContent(day, title, "Till skogen", visible)


def test_a_note_is_written_once_per_id() -> None:
    child, author, note_id = uuid4(), uuid4(), uuid4()
    book = StayNotebook.open(child)
    assert book.id == notebook_id(child)
    assert book.write(note_id, "calendar-event", child, note(), author) is True
    assert book.write(note_id, "calendar-event", child, note(), author) is False
    assert (
        field_of(SubmissionMismatchError, book.write, note_id, "note", child, note(), author)
        == "note_id"
    )
    assert (
        field_of(
            SubmissionMismatchError,
            book.write,
            note_id,
            "calendar-event",
            child,
            note(title="Annat"),
            author,
        )
        == "note_id"
    )
    assert (
        field_of(RuleViolationError, book.write, uuid4(), "diary", child, note(), author) == "kind"
    )
    assert field_of(RuleViolationError, note, DAY, " ") == "title"


def test_revise_delete_and_list() -> None:
    child, author = uuid4(), uuid4()
    book = StayNotebook.open(child)
    a, b, c = uuid4(), uuid4(), uuid4()
    book.write(a, "note", child, note(DAY, visible=False), author)
    book.write(b, "note", child, note(date(2026, 3, 20)), author)
    book.write(c, "note", child, note(date(2026, 4, 2)), author)
    assert book.revise(b, child, note(date(2026, 3, 20)), author) is False
    assert book.revise(b, child, note(date(2026, 3, 21), title="Ny titel"), author) is True
    assert book.delete(c) is True and book.delete(c) is False
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert [n.note_id for n in book.listed(*march, guardians=False)] == [a, b]
    assert [n.note_id for n in book.listed(*march, guardians=True)] == [b]
    assert book.notes[b].revisions == 1 and book.notes[b].title == "Ny titel"
    assert field_of(ConflictError, book.revise, c, child, note(), author) == "note_id"
    assert field_of(NotFoundError, book.delete, uuid4()) == "note_id"
    assert book.data_subjects() == [child]


def test_only_note_id_and_kind_are_readable() -> None:
    for cls in (StayNotebook.NoteWritten, StayNotebook.NoteRevised):
        sealed = {f.name: f.declaration for f in personal_fields(cls)}
        assert {(d.category, d.epoch) for d in sealed.values()} == {
            (Category.CALENDAR, MonthOf("day"))
        }
        assert "note_id" not in sealed and "kind" not in sealed
    assert isinstance(uuid4(), UUID)
