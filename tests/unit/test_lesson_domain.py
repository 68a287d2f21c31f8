"""The Lesson aggregate's rules, without storage: times, minutes, corrections, cancelling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from domain.errors import ConflictError, RuleViolationError
from domain.lessons import AttendanceRow, Lesson
from domain.personal import MonthOf, personal_fields

TZ = ZoneInfo("Europe/Stockholm")
START = datetime(2026, 3, 16, 8, 0, tzinfo=TZ)
DAY = date(2026, 3, 16)


def lesson(minutes: int = 60) -> Lesson:
    return Lesson.schedule(
        uuid4(), uuid4(), "grundskola", "Matematik", START, START + timedelta(minutes=minutes), DAY
    )


def refused(error: type[Exception], field: str, command: object, *args: object) -> None:
    with pytest.raises(error) as caught:
        command(*args)  # type: ignore[operator]
    assert getattr(caught.value, "field", None) == field


def test_a_lesson_keeps_its_schedule_in_utc() -> None:
    a = lesson(45)
    assert a.starts_at.utcoffset() == timedelta(0) and a.starts_at == START
    assert a.length_minutes == 45 and a.day == DAY and not a.cancelled and a.course == "Matematik"


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (START.replace(tzinfo=None), START + timedelta(hours=1), "starts_at"),
        (START, (START + timedelta(hours=1)).replace(tzinfo=None), "ends_at"),
        (START, START, "ends_at"),
        (START, START - timedelta(minutes=1), "ends_at"),
        (START, START + timedelta(hours=8, minutes=1), "ends_at"),
    ],
)
def test_a_lesson_ends_after_it_starts_and_within_eight_hours(
    starts_at: datetime, ends_at: datetime, field: str
) -> None:
    refused(
        RuleViolationError,
        field,
        Lesson.schedule,
        uuid4(),
        uuid4(),
        "grundskola",
        "Matematik",
        starts_at,
        ends_at,
        DAY,
    )


def test_eight_hours_is_still_a_lesson_and_a_title_is_needed() -> None:
    assert lesson(8 * 60).length_minutes == 480
    end = START + timedelta(hours=1)
    for title in ("", "   ", "x" * 201):
        refused(
            RuleViolationError,
            "title",
            Lesson.schedule,
            uuid4(),
            uuid4(),
            "grundskola",
            title,
            START,
            end,
            DAY,
        )


def test_a_report_records_one_event_per_student() -> None:
    a, teacher = lesson(), uuid4()
    s1, s2 = uuid4(), uuid4()
    rows = [
        AttendanceRow(s1, attendance_minutes=60),
        AttendanceRow(s2, invalid_absence_minutes=60, absence_reason="  ogiltig  "),
    ]
    assert a.report(teacher, rows) == rows
    events = a.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Created",
        "AttendanceReported",
        "AttendanceReported",
    ]
    second = a.entry_for(s2)
    assert second is not None and second.absence_reason == "ogiltig"
    assert second.reporter_id == teacher and second.minutes == (0, 0, 60, 0)


def test_a_correction_is_a_new_event_under_the_same_entry_and_the_latest_wins() -> None:
    a, student = lesson(), uuid4()
    a.report(uuid4(), [AttendanceRow(student, attendance_minutes=60)])
    first = a.entry_for(student)
    corrector = uuid4()
    a.report(corrector, [AttendanceRow(student, attendance_minutes=40, valid_absence_minutes=20)])
    latest = a.entry_for(student)
    assert first is not None and latest is not None
    assert latest.entry_id == first.entry_id and latest.corrections == 1
    assert latest.minutes == (40, 20, 0, 0) and latest.reporter_id == corrector
    assert len(a.entries) == 1 and a.version == 3


def test_the_same_values_again_record_nothing() -> None:
    a, student = lesson(), uuid4()
    row = AttendanceRow(student, valid_absence_minutes=60, absence_reason="tandläkare")
    a.report(uuid4(), [row])
    a.collect_events()
    assert a.report(uuid4(), [row]) == []
    assert a.report(uuid4(), [AttendanceRow(student, 0, 60, 0, 0, " tandläkare ")]) == []
    assert a.collect_events() == []


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (AttendanceRow(UUID(int=1), attendance_minutes=-1), "reports.1.attendance_minutes"),
        (
            AttendanceRow(UUID(int=1), other_attendance_minutes=True),
            "reports.1.other_attendance_minutes",
        ),
        (AttendanceRow(UUID(int=1), 30, 20, 10, 1), "reports.1"),
        (AttendanceRow(UUID(int=1), absence_reason="x" * 2001), "reports.1.absence_reason"),
        (AttendanceRow(UUID(int=2)), "reports.1.student_id"),
    ],
)
def test_one_bad_row_refuses_the_whole_report(row: AttendanceRow, field: str) -> None:
    a = lesson()
    a.collect_events()
    refused(RuleViolationError, field, a.report, uuid4(), [AttendanceRow(UUID(int=2), 60), row])
    assert a.collect_events() == [] and a.entries == {}


def test_a_report_needs_a_row_and_the_minutes_may_fill_the_lesson() -> None:
    a = lesson()
    refused(RuleViolationError, "reports", a.report, uuid4(), [])
    assert a.report(uuid4(), [AttendanceRow(uuid4(), 15, 15, 15, 15)])


def test_a_cancelled_lesson_takes_no_reports_and_cancelling_again_is_a_no_op() -> None:
    a = lesson()
    assert a.cancel() is True
    assert a.cancel() is False
    refused(ConflictError, "lesson_id", a.report, uuid4(), [AttendanceRow(uuid4(), 60)])
    assert [type(e).__name__ for e in a.collect_events()] == ["Created", "Cancelled"]


def test_a_lesson_with_reports_is_corrected_not_cancelled() -> None:
    a = lesson()
    a.report(uuid4(), [AttendanceRow(uuid4(), 60)])
    refused(ConflictError, "lesson_id", a.cancel)


def test_the_student_reporter_and_reason_are_sealed_and_the_minutes_are_not() -> None:
    declared = {f.name: f.declaration for f in personal_fields(Lesson.AttendanceReported)}
    assert set(declared) == {"student_id", "reporter_id", "absence_reason"}
    assert {str(d.category) for d in declared.values()} == {"attendance", "health"}
    assert str(declared["absence_reason"].category) == "health"
    assert all(d.subject == "student_id" for d in declared.values())
    assert all(d.epoch == MonthOf("day") for d in declared.values())
    assert personal_fields(Lesson.Created) == () and personal_fields(Lesson.Cancelled) == ()
