"""Stay schedules in the domain: which schedule applies on a day, the weekly maximum, the
entries' rules, the change deadline and the client-chosen schedule id."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    ConflictError,
    NotFoundError,
    RuleViolationError,
    SubmissionMismatchError,
)
from domain.personal import Shredded
from domain.schedule_state import State
from domain.schedule_terms import Entry, ScheduleTerms, check_deadline, check_weekly_hours_value
from domain.stay_schedule import ScheduleBook, schedule_book_id

CHILD = uuid4()
PLACEMENT = uuid4()
STAFF = uuid4()
MONDAY = date(2026, 3, 2)  # a Monday


def t(text: str) -> time:
    return time.fromisoformat(text)


def entry(day: int, start: str, end: str, week: int = 0) -> Entry:
    return Entry(week, day, t(start), t(end))


def terms(
    entries: list[Entry],
    start: date = MONDAY,
    end: date | None = None,
    weeks: int = 1,
    temporary: bool = False,
    placement: UUID = PLACEMENT,
) -> ScheduleTerms:
    return ScheduleTerms.checked(placement, start, end, weeks, temporary, entries)


def weekdays(start: str, end: str, week: int = 0) -> list[Entry]:
    return [entry(d, start, end, week) for d in range(1, 6)]


def approved(book: ScheduleBook, laid: ScheduleTerms) -> UUID:
    schedule_id = uuid4()
    book.lay(CHILD, schedule_id, laid, None)
    book.approve(CHILD, schedule_id, STAFF)
    return schedule_id


@pytest.fixture
def book() -> ScheduleBook:
    return ScheduleBook.open(CHILD)


# -- resolution -----------------------------------------------------------------------------


def test_the_book_id_is_derived_from_the_child_alone() -> None:
    assert ScheduleBook.open(CHILD).id == schedule_book_id(CHILD) != schedule_book_id(uuid4())


def test_a_two_week_cycle_alternates_weeks(book: ScheduleBook) -> None:
    cycle = [*weekdays("07:00", "16:00", week=0), entry(1, "08:00", "12:00", week=1)]
    approved(book, terms(cycle, weeks=2))

    assert book.scheduled_on(PLACEMENT, MONDAY) == [(t("07:00"), t("16:00"))]
    assert book.scheduled_on(PLACEMENT, MONDAY + timedelta(days=7)) == [(t("08:00"), t("12:00"))]
    assert book.scheduled_on(PLACEMENT, MONDAY + timedelta(days=14)) == [(t("07:00"), t("16:00"))]
    # Tuesday of week 1 has no entry: scheduled off, which is not "no schedule".
    assert book.scheduled_on(PLACEMENT, MONDAY + timedelta(days=8)) == []
    assert book.scheduled_on(PLACEMENT, MONDAY - timedelta(days=1)) is None


def test_a_cycle_counts_weeks_from_its_own_start(book: ScheduleBook) -> None:
    wednesday = MONDAY + timedelta(days=2)
    approved(
        book,
        terms([entry(3, "08:00", "09:00", 0), entry(3, "10:00", "11:00", 1)], wednesday, weeks=2),
    )

    assert book.scheduled_on(PLACEMENT, wednesday) == [(t("08:00"), t("09:00"))]
    assert book.scheduled_on(PLACEMENT, wednesday + timedelta(days=7)) == [(t("10:00"), t("11:00"))]


def test_a_temporary_schedule_overrides_the_regular_for_its_period(book: ScheduleBook) -> None:
    approved(book, terms(weekdays("07:00", "16:00")))
    week2 = MONDAY + timedelta(days=7)
    approved(
        book, terms([entry(2, "09:00", "13:00")], week2, week2 + timedelta(days=4), temporary=True)
    )

    assert book.scheduled_on(PLACEMENT, week2) == []  # the temporary one has no Monday
    assert book.scheduled_on(PLACEMENT, week2 + timedelta(days=1)) == [(t("09:00"), t("13:00"))]
    assert book.scheduled_on(PLACEMENT, week2 + timedelta(days=7)) == [(t("07:00"), t("16:00"))]


def test_the_latest_approved_temporary_schedule_wins(book: ScheduleBook) -> None:
    day = MONDAY + timedelta(days=14)
    first = approved(
        book, terms([entry(1, "08:00", "10:00")], MONDAY, day + timedelta(days=30), temporary=True)
    )
    second = approved(book, terms([entry(1, "11:00", "12:00")], day, day, temporary=True))

    found = book.in_force(PLACEMENT, day)
    assert found is not None and found.schedule_id == second
    found = book.in_force(PLACEMENT, day + timedelta(days=7))
    assert found is not None and found.schedule_id == first


def test_a_newer_regular_schedule_ends_the_one_before(book: ScheduleBook) -> None:
    old = approved(book, terms(weekdays("07:00", "16:00")))
    change = MONDAY + timedelta(days=28)
    new = approved(book, terms(weekdays("08:00", "15:00"), change))

    assert book.scheduled_on(PLACEMENT, change - timedelta(days=7)) == [(t("07:00"), t("16:00"))]
    assert book.scheduled_on(PLACEMENT, change) == [(t("08:00"), t("15:00"))]
    assert book.in_force_until(old) == change - timedelta(days=1)
    assert book.in_force_until(new) is None


def test_after_the_newest_regular_schedule_ends_none_applies(book: ScheduleBook) -> None:
    approved(book, terms(weekdays("07:00", "16:00")))
    change = MONDAY + timedelta(days=7)
    approved(book, terms(weekdays("08:00", "15:00"), change, change + timedelta(days=6)))

    assert book.scheduled_on(PLACEMENT, change + timedelta(days=6)) == []  # a Sunday, off
    assert book.scheduled_on(PLACEMENT, change + timedelta(days=7)) is None


def test_on_the_same_start_date_the_later_approval_wins(book: ScheduleBook) -> None:
    first = approved(book, terms(weekdays("07:00", "16:00")))
    approved(book, terms(weekdays("08:00", "15:00")))

    assert book.scheduled_on(PLACEMENT, MONDAY) == [(t("08:00"), t("15:00"))]
    assert book.in_force_until(first) == MONDAY - timedelta(days=1)  # it never applied


def test_only_approved_schedules_of_the_placement_apply(book: ScheduleBook) -> None:
    requested, rejected, withdrawn = uuid4(), uuid4(), uuid4()
    for schedule_id in (requested, rejected, withdrawn):
        book.lay(CHILD, schedule_id, terms(weekdays("07:00", "16:00")), None)
    book.reject(CHILD, rejected, STAFF, "  ")
    book.withdraw(CHILD, withdrawn, None)
    approved(book, terms(weekdays("07:00", "16:00"), placement=uuid4()))

    assert book.scheduled_on(PLACEMENT, MONDAY) is None
    assert book.schedules[rejected].history[-1].reason is None  # blank is no reason


# -- weekly hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(("end", "allowed"), [("10:59", True), ("11:00", True), ("11:01", False)])
def test_the_weekly_maximum_is_just_under_at_or_over(end: str, allowed: bool) -> None:
    laid = terms(weekdays("08:00", end))  # 5 x 3 h = 15 h when ending at 11:00
    if allowed:
        laid.check_weekly_hours(15)
        return
    with pytest.raises(RuleViolationError) as refused:
        laid.check_weekly_hours(15)
    assert refused.value.field == "entries"
    assert "week 1" in str(refused.value) and "5 over" in str(refused.value)


def test_every_week_of_the_cycle_must_keep_the_maximum() -> None:
    laid = terms(weekdays("08:00", "11:00", 0) + weekdays("08:00", "12:00", 1), weeks=2)
    assert laid.week_minutes() == [900, 1200]
    with pytest.raises(RuleViolationError, match=r"week 2 .* 300 over"):
        laid.check_weekly_hours(15)
    laid.check_weekly_hours(None)
    laid.check_weekly_hours(20)


@pytest.mark.parametrize("hours", [0, 169, -1])
def test_a_maximum_is_1_to_168_hours(hours: int) -> None:
    with pytest.raises(RuleViolationError) as refused:
        check_weekly_hours_value(hours)
    assert refused.value.field == "weekly_hours"


# -- entries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "weeks"),
    [
        ([entry(0, "08:00", "09:00")], 1),
        ([entry(8, "08:00", "09:00")], 1),
        ([entry(1, "09:00", "09:00")], 1),
        ([entry(1, "10:00", "09:00")], 1),
        ([entry(1, "08:00", "09:00", week=1)], 1),
        ([entry(1, "08:00", "12:00"), entry(1, "11:59", "13:00")], 1),
        ([Entry(0, 1, time(8, 0, 30), t("09:00"))], 1),
    ],
)
def test_bad_entries_are_refused_with_the_field(entries: list[Entry], weeks: int) -> None:
    with pytest.raises(RuleViolationError) as refused:
        terms(entries, weeks=weeks)
    assert refused.value.field == "entries"
    assert "08:00" not in str(refused.value)  # no typed value is echoed


def test_stretches_may_touch_and_other_weeks_may_repeat_a_day() -> None:
    laid = terms(
        [entry(1, "12:00", "16:00"), entry(1, "07:00", "12:00"), entry(1, "07:00", "16:00", 1)],
        weeks=2,
    )
    assert laid.entries[0] == entry(1, "07:00", "12:00")  # canonical order


@pytest.mark.parametrize(
    ("weeks", "end", "temporary", "field"),
    [
        (0, None, False, "number_of_weeks"),
        (5, None, False, "number_of_weeks"),
        (1, None, True, "end_date"),
        (1, MONDAY - timedelta(days=1), False, "end_date"),
    ],
)
def test_the_schedule_fields_are_checked(
    weeks: int, end: date | None, temporary: bool, field: str
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        terms([], MONDAY, end, weeks, temporary)
    assert refused.value.field == field


def test_the_change_deadline_binds_from_today_plus_the_days() -> None:
    today = date(2026, 3, 16)
    check_deadline(today + timedelta(days=14), today, 14)
    with pytest.raises(RuleViolationError) as refused:
        check_deadline(today + timedelta(days=13), today, 14)
    assert refused.value.field == "start_date"
    check_deadline(today, today, 0)


# -- the client-chosen id and decisions -----------------------------------------------------


def test_laying_an_id_again_with_the_same_terms_records_nothing(book: ScheduleBook) -> None:
    schedule_id = uuid4()
    assert book.lay(CHILD, schedule_id, terms(weekdays("07:00", "16:00")), None)
    version = book.version
    same = ScheduleTerms.checked(
        PLACEMENT, MONDAY, None, 1, False, list(reversed(weekdays("07:00", "16:00")))
    )
    assert not book.lay(CHILD, schedule_id, same, None)
    assert book.version == version
    with pytest.raises(SubmissionMismatchError) as refused:
        book.lay(CHILD, schedule_id, terms(weekdays("07:00", "15:00")), None)
    assert refused.value.field == "schedule_id"


def test_decisions_are_idempotent_and_final(book: ScheduleBook) -> None:
    schedule_id = uuid4()
    book.lay(CHILD, schedule_id, terms([]), None)
    assert book.approve(CHILD, schedule_id, STAFF)
    assert not book.approve(CHILD, schedule_id, STAFF)
    with pytest.raises(ConflictError):
        book.reject(CHILD, schedule_id, STAFF, None)
    with pytest.raises(ConflictError):
        book.withdraw(CHILD, schedule_id, None)
    history = book.schedules[schedule_id].history
    assert [d.state for d in history] == [State.REQUESTED, State.APPROVED]
    assert history[1].by == STAFF


def test_a_book_refuses_another_childs_schedules(book: ScheduleBook) -> None:
    with pytest.raises(NotFoundError, match="not child"):
        book.lay(uuid4(), uuid4(), terms([]), None)


def test_a_culled_schedule_is_listed_and_never_applies(book: ScheduleBook) -> None:
    schedule_id = uuid4()
    gone = Shredded("schedule")
    for cls, fields in (
        (
            ScheduleBook.Requested,
            {
                "placement_id": gone,
                "start_date": gone,
                "end_date": gone,
                "number_of_weeks": gone,
                "temporary": gone,
                "entries": gone,
                "laid_by": gone,
            },
        ),
        (ScheduleBook.Approved, {"placement_id": gone, "decided_by": gone}),
    ):
        cls(  # type: ignore[call-arg]
            originator_id=book.id,
            originator_version=book.version + 1,
            timestamp=datetime.now(UTC),
            schedule_id=schedule_id,
            child_id=gone,
            **fields,
        ).mutate(book)

    culled = book.schedules[schedule_id]
    assert culled.culled and culled.state == State.APPROVED
    assert book.in_force(PLACEMENT, MONDAY) is None
    assert book.in_force_until(schedule_id) is None
    assert book.data_subjects() == []
    with pytest.raises(ConflictError):
        book.reject(CHILD, schedule_id, STAFF, None)


# -- a property -----------------------------------------------------------------------------


@given(
    weeks=st.integers(1, 4),
    slots=st.sets(st.tuples(st.integers(0, 3), st.integers(1, 7), st.integers(0, 22)), max_size=20),
    offset=st.integers(0, 6),
)
def test_a_cycles_days_add_up_to_its_weekly_minutes(
    weeks: int, slots: set[tuple[int, int, int]], offset: int
) -> None:
    entries = [Entry(w, d, time(h), time(h + 1, 30)) for w, d, h in slots if w < weeks]
    entries = [
        e
        for e in entries
        if not any(
            o != e
            and o.week_offset == e.week_offset
            and o.day_of_week == e.day_of_week
            and abs(o.start_time.hour - e.start_time.hour) < 2
            for o in entries
        )
    ]
    start = MONDAY + timedelta(days=offset)
    laid = terms(entries, start, weeks=weeks)
    for week in range(weeks):
        days = [start + timedelta(days=7 * week + n) for n in range(7)]
        planned = sum(
            (end.hour * 60 + end.minute) - (begin.hour * 60 + begin.minute)
            for day in days
            for begin, end in laid.times_on(day)
        )
        assert planned == laid.week_minutes()[week]
