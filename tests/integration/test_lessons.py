"""Lessons and per-lesson attendance through the application, on both backends: corrections,
idempotent retries, all-or-nothing reports, the same-day notice for invalid absence, sealing."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from api.application import GallraApplication
from api.bootstrap import Gallra
from domain.errors import ConflictError, DomainError, NotFoundError, RuleViolationError
from domain.lessons import AttendanceRow, Lesson
from domain.notices import Notice
from domain.organisation import Group
from domain.people import Child, Staff
from domain.personal import Shredded
from retention.errors import ScopeShreddedError
from retention.keys.scope import Scope
from retention.sealing import envelope

TZ = ZoneInfo("Europe/Stockholm")
DAY = date(2026, 3, 16)
TERM = date(2025, 8, 15)
_SERIAL = itertools.count()


@dataclass
class School:
    unit: UUID
    group: UUID
    teacher: UUID
    students: list[UUID]  # [0]: two custodians and another adult, [1]: another adult, [2]: none
    custodians: list[UUID]
    other_adult: UUID
    form: str


def build_school(app: GallraApplication, form: str = "grundskola", name: str = "7A") -> School:
    unit = app.create_unit(f"Skolan {name}", form)
    group = Group(unit_id=unit, name=name, group_type="Klass", school_forms=[form], start=TERM)
    teacher = Staff(given_name="Karin", family_name="Berg", civic_number="-", civic_kind="t")
    app.save(group, teacher)
    k = next(_SERIAL)
    n = chr(65 + k // 26 % 26) + chr(65 + k % 26)  # SS 12000 temporary numbers, none alike
    mum = app.register_guardian("Anna", "Lind", f"19800101{n}01")
    dad = app.register_guardian("Bo", "Lind", f"19800101{n}02")
    other = app.register_guardian("Cilla", "Ek", f"19800101{n}03")
    students = [
        app.register_child(
            "Saga",
            "Lind",
            f"20130101{n}01",
            [(mum, "Vårdnadshavare"), (dad, "Vårdnadshavare"), (other, "Annan ansvarig")],
        ),
        app.register_child("Tor", "Ek", f"20130101{n}02", [(other, "Annan ansvarig")]),
        app.register_child("Ur", "Ås", f"20130101{n}03"),
    ]
    for student in students:
        child = app.repository.get(student)
        assert isinstance(child, Child)
        placement = child.place(unit, None, TERM, form)
        child.join_group(placement, group.id, TERM)
        app.save(child)
    return School(unit, group.id, teacher.id, students, [mum, dad], other, form)


@pytest.fixture
def app(gallra: Gallra) -> GallraApplication:
    return gallra.app


@pytest.fixture
def school(app: GallraApplication) -> School:
    return build_school(app)


def at(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def lesson(app: GallraApplication, s: School, hour: int = 8, day: date = DAY) -> UUID:
    return app.create_lesson(s.unit, s.group, s.form, "Matematik", at(hour, day), at(hour + 1, day))


def version(app: GallraApplication, stream: UUID) -> int:
    return len(list(app.recorder.select_events(stream)))


def notice_id(app: GallraApplication, student: UUID, day: date = DAY) -> UUID:
    return app.keystore.derived_id("invalid-absence", student, day)


def expect(error: type[DomainError], field: str | None, command: Any, *args: Any) -> None:
    """The command fails with this error class and field, and writes nothing at all."""
    app = command.__self__
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as caught:
        command(*args)
    assert type(caught.value) is error and caught.value.field == field
    assert app.recorder.max_notification_id() == before


# -- lessons -------------------------------------------------------------------------------


def test_a_lesson_is_created_and_read_back(app: GallraApplication, school: School) -> None:
    view = app.get_lesson(lesson(app, school, 13))
    assert (view.unit_id, view.group_id, view.school_form) == (
        school.unit,
        school.group,
        "grundskola",
    )
    assert view.title == "Matematik" and view.day == DAY and view.reports == []
    assert view.starts_at == at(13) and view.ends_at - view.starts_at == timedelta(hours=1)
    late = app.create_lesson(
        school.unit, school.group, "grundskola", "Idrott", at(23), at(23) + timedelta(minutes=30)
    )
    assert app.get_lesson(late).day == DAY  # the local day, though it is 22:00 UTC


def test_a_lesson_needs_a_school_unit_and_an_active_group_of_its_form(
    app: GallraApplication, school: School
) -> None:
    office = app.create_unit("Förvaltningen", organisation_type="Förvaltning")
    other = build_school(app, "grundskola", "8B")
    ended = Group(
        unit_id=school.unit,
        name="6A",
        group_type="Klass",
        school_forms=["grundskola"],
        start=TERM,
        end=date(2026, 1, 31),
    )
    app.save(ended)
    create = app.create_lesson
    args = ("Matematik", at(8), at(9))
    expect(NotFoundError, "unit_id", create, uuid4(), school.group, "grundskola", *args)
    expect(RuleViolationError, "unit_id", create, office, school.group, "grundskola", *args)
    expect(
        RuleViolationError, "school_form", create, school.unit, school.group, "gymnasieskola", *args
    )
    expect(RuleViolationError, "school_form", create, school.unit, school.group, "skolform", *args)
    expect(NotFoundError, "group_id", create, school.unit, uuid4(), "grundskola", *args)
    expect(NotFoundError, "group_id", create, school.unit, school.unit, "grundskola", *args)
    expect(RuleViolationError, "group_id", create, school.unit, other.group, "grundskola", *args)
    expect(RuleViolationError, "group_id", create, school.unit, ended.id, "grundskola", *args)
    naive = (at(8).replace(tzinfo=None), at(9))
    expect(
        RuleViolationError,
        "starts_at",
        create,
        school.unit,
        school.group,
        "grundskola",
        "M",
        *naive,
    )
    long = (at(8), at(8) + timedelta(hours=9))
    expect(
        RuleViolationError, "ends_at", create, school.unit, school.group, "grundskola", "M", *long
    )
    expect(NotFoundError, None, app.get_lesson, uuid4())


# -- reports -------------------------------------------------------------------------------


def test_a_report_is_recorded_in_one_transaction(app: GallraApplication, school: School) -> None:
    lesson_id = lesson(app, school)
    s0, s1, s2 = school.students
    before = app.recorder.max_notification_id()
    result = app.report_attendance(
        lesson_id,
        school.teacher,
        [
            AttendanceRow(s0, attendance_minutes=60),
            AttendanceRow(
                s1, attendance_minutes=45, valid_absence_minutes=15, absence_reason="tandläkare"
            ),
            AttendanceRow(s2, other_attendance_minutes=60),
        ],
    )
    assert [(o.student_id, o.duplicate) for o in result.outcomes] == [
        (s0, False),
        (s1, False),
        (s2, False),
    ]
    assert result.notices == [] and version(app, lesson_id) == 4
    assert app.recorder.max_notification_id() == before + 3
    view = app.get_lesson(lesson_id)
    assert [r.student_id for r in view.reports] == [s0, s1, s2]
    assert (
        view.reports[1].minutes == (45, 15, 0, 0) and view.reports[1].absence_reason == "tandläkare"
    )
    assert {r.reporter_id for r in view.reports} == {school.teacher}


def test_a_correction_is_a_new_event_and_the_latest_wins(
    app: GallraApplication, school: School
) -> None:
    lesson_id = lesson(app, school)
    student = school.students[0]
    app.report_attendance(
        lesson_id, school.teacher, [AttendanceRow(student, attendance_minutes=60)]
    )
    colleague = Staff(given_name="Per", family_name="Ek", civic_number="-", civic_kind="t")
    app.save(colleague)
    app.report_attendance(lesson_id, colleague.id, [AttendanceRow(student, 40, 20, 0, 0, "sjuk")])
    assert version(app, lesson_id) == 3
    [entry] = app.get_lesson(lesson_id).reports
    assert entry.minutes == (40, 20, 0, 0) and entry.absence_reason == "sjuk"
    assert entry.reporter_id == colleague.id and entry.corrections == 1


def test_the_same_values_again_record_nothing(app: GallraApplication, school: School) -> None:
    lesson_id = lesson(app, school)
    rows = [AttendanceRow(s, attendance_minutes=60) for s in school.students]
    app.report_attendance(lesson_id, school.teacher, rows)
    before = app.recorder.max_notification_id()
    again = app.report_attendance(lesson_id, school.teacher, rows)
    assert all(o.duplicate for o in again.outcomes)
    assert app.recorder.max_notification_id() == before and version(app, lesson_id) == 4
    mixed = app.report_attendance(
        lesson_id, school.teacher, [rows[0], AttendanceRow(rows[1].student_id, 50)]
    )
    assert [o.duplicate for o in mixed.outcomes] == [True, False]
    assert version(app, lesson_id) == 5


def test_one_bad_row_refuses_the_whole_call(app: GallraApplication, school: School) -> None:
    lesson_id = lesson(app, school)
    s0, s1, _ = school.students
    stranger = build_school(app, "grundskola", "9C").students[0]
    app.report_attendance(lesson_id, school.teacher, [AttendanceRow(s0, attendance_minutes=60)])
    good = AttendanceRow(s1, invalid_absence_minutes=60)  # would owe a notice: none is queued
    report = app.report_attendance
    for bad, error, field in [
        (AttendanceRow(stranger, 60), RuleViolationError, "reports.1.student_id"),
        (AttendanceRow(uuid4(), 60), NotFoundError, "reports.1.student_id"),
        (AttendanceRow(school.group, 60), NotFoundError, "reports.1.student_id"),
        (AttendanceRow(s0, 50, 11), RuleViolationError, "reports.1"),
        (AttendanceRow(s0, -1), RuleViolationError, "reports.1.attendance_minutes"),
        (AttendanceRow(s1, 60), RuleViolationError, "reports.1.student_id"),
    ]:
        expect(error, field, report, lesson_id, school.teacher, [good, bad])
    expect(NotFoundError, "reporter_id", report, lesson_id, s0, [good])
    expect(NotFoundError, None, report, uuid4(), school.teacher, [good])
    expect(RuleViolationError, "reports", report, lesson_id, school.teacher, [])
    assert version(app, lesson_id) == 2 and not app._exists(notice_id(app, s1))


def test_a_student_must_be_in_the_group_on_the_lessons_day(
    app: GallraApplication, school: School
) -> None:
    student = school.students[0]
    child = app.repository.get(student)
    assert isinstance(child, Child)
    child.leave_group(school.group, DAY - timedelta(days=1))
    app.save(child)
    earlier = lesson(app, school, day=DAY - timedelta(days=1))
    app.report_attendance(earlier, school.teacher, [AttendanceRow(student, 60)])
    expect(
        RuleViolationError,
        "reports.0.student_id",
        app.report_attendance,
        lesson(app, school),
        school.teacher,
        [AttendanceRow(student, 60)],
    )


def test_a_cancelled_lesson_takes_no_reports(app: GallraApplication, school: School) -> None:
    lesson_id = lesson(app, school)
    app.cancel_lesson(lesson_id)
    app.cancel_lesson(lesson_id)  # a retry changes nothing
    assert app.get_lesson(lesson_id).cancelled and version(app, lesson_id) == 2
    row = [AttendanceRow(school.students[0], 60)]
    expect(ConflictError, "lesson_id", app.report_attendance, lesson_id, school.teacher, row)
    reported = lesson(app, school, 10)
    app.report_attendance(reported, school.teacher, row)
    expect(ConflictError, "lesson_id", app.cancel_lesson, reported)
    expect(NotFoundError, None, app.cancel_lesson, uuid4())


# -- the same-day notice -------------------------------------------------------------------


def test_invalid_absence_queues_one_notice_per_student_and_day(
    app: GallraApplication, school: School
) -> None:
    first, second = lesson(app, school, 8), lesson(app, school, 10)
    student = school.students[0]
    result = app.report_attendance(first, school.teacher, [AttendanceRow(student, 20, 0, 40)])
    assert result.notices == [notice_id(app, student)]
    notice = app.repository.get(notice_id(app, student))
    assert isinstance(notice, Notice) and notice.pending
    assert (notice.kind, notice.category, notice.subject_id, notice.day) == (
        "invalid-absence",
        "attendance",
        student,
        DAY,
    )
    assert notice.recipients == school.custodians  # custodians only, not the other adult
    assert notice.details == {"lessons": [str(first)], "invalid_minutes": 40}
    # corrected, and again invalid at another lesson the same day: the notice is sent once
    assert (
        app.report_attendance(first, school.teacher, [AttendanceRow(student, 0, 0, 60)]).notices
        == []
    )
    assert (
        app.report_attendance(second, school.teacher, [AttendanceRow(student, 0, 0, 60)]).notices
        == []
    )
    assert version(app, notice.id) == 1 and version(app, first) == 3 and version(app, second) == 2
    tomorrow = lesson(app, school, 8, DAY + timedelta(days=1))
    later = app.report_attendance(tomorrow, school.teacher, [AttendanceRow(student, 0, 0, 60)])
    assert later.notices == [notice_id(app, student, DAY + timedelta(days=1))]


def test_a_notice_goes_to_other_adults_when_there_is_no_custodian(
    app: GallraApplication, school: School
) -> None:
    lesson_id = lesson(app, school)
    _, s1, s2 = school.students
    result = app.report_attendance(
        lesson_id, school.teacher, [AttendanceRow(s1, 0, 0, 60), AttendanceRow(s2, 0, 0, 60)]
    )
    assert result.notices == [notice_id(app, s1), notice_id(app, s2)]
    assert app.repository.get(notice_id(app, s1)).recipients == [school.other_adult]
    assert app.repository.get(notice_id(app, s2)).recipients == []  # owed still; nobody to tell


def test_a_correction_from_valid_to_invalid_owes_the_notice(
    app: GallraApplication, school: School
) -> None:
    lesson_id = lesson(app, school)
    student = school.students[0]
    assert (
        app.report_attendance(lesson_id, school.teacher, [AttendanceRow(student, 0, 60)]).notices
        == []
    )
    assert not app._exists(notice_id(app, student))
    assert app.report_attendance(
        lesson_id, school.teacher, [AttendanceRow(student, 0, 30, 30)]
    ).notices


@pytest.mark.parametrize("form", ["förskola", "gymnasieskola"])
def test_no_notice_outside_compulsory_school(app: GallraApplication, form: str) -> None:
    s = build_school(app, form, "Nyckelpigan")
    lesson_id = lesson(app, s)
    result = app.report_attendance(lesson_id, s.teacher, [AttendanceRow(s.students[0], 0, 0, 60)])
    assert result.notices == [] and not app._exists(notice_id(app, s.students[0]))
    assert app.get_lesson(lesson_id).reports[0].invalid_absence_minutes == 60


def test_concurrent_reports_of_one_day_queue_one_notice(
    app: GallraApplication, school: School
) -> None:
    lessons = [lesson(app, school, h) for h in (8, 10)]
    student = school.students[0]
    results: list[object] = []
    barrier = threading.Barrier(2)

    def report(lesson_id: UUID) -> None:
        barrier.wait()
        results.append(
            app.report_attendance(lesson_id, school.teacher, [AttendanceRow(student, 0, 0, 60)])
        )

    threads = [threading.Thread(target=report, args=(lesson_id,)) for lesson_id in lessons]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert sum(len(r.notices) for r in results) == 1  # type: ignore[attr-defined]
    assert version(app, notice_id(app, student)) == 1
    assert all(version(app, lesson_id) == 2 for lesson_id in lessons)


# -- sealing and culling -------------------------------------------------------------------


def test_the_lesson_stream_holds_no_student_reporter_or_reason_in_plaintext(
    app: GallraApplication, school: School
) -> None:
    lesson_id = lesson(app, school)
    reason = f"reason-{uuid4().hex}"
    app.report_attendance(
        lesson_id, school.teacher, [AttendanceRow(s, 0, 0, 60, 0, reason) for s in school.students]
    )
    readable_fields: set[str] = set()
    for stored in app.recorder.select_events(lesson_id):
        plain, _ = envelope.unpack(stored.state)
        readable_fields |= set(json.loads(plain))
        for secret in [*school.students, school.teacher]:
            assert str(secret).encode() not in stored.state and secret.bytes not in stored.state
            assert secret.hex.encode() not in stored.state
        assert reason.encode() not in stored.state
    assert not readable_fields & {"student_id", "reporter_id", "absence_reason"}
    assert "invalid_absence_minutes" in readable_fields and "entry_id" in readable_fields
    for stored in app.recorder.select_events(notice_id(app, school.students[0])):
        assert str(school.students[0]).encode() not in stored.state
        assert school.students[0].hex.encode() not in stored.state


def test_a_culled_month_reads_as_shredded_and_the_lesson_still_loads(
    app: GallraApplication, school: School
) -> None:
    lesson_id = lesson(app, school)
    s0, s1, _ = school.students
    app.report_attendance(
        lesson_id, school.teacher, [AttendanceRow(s0, 60), AttendanceRow(s1, 0, 60, 0, 0, "sjuk")]
    )
    app.report_attendance(lesson_id, school.teacher, [AttendanceRow(s0, 50, 0, 10)])  # a correction
    app.keystore.shred(uuid4(), scopes=[Scope(s0, "attendance", "2026-03")])
    app.evict_caches()
    view = app.get_lesson(lesson_id)
    culled, kept = view.reports
    assert culled.student_id == Shredded("attendance") and culled.reporter_id == Shredded(
        "attendance"
    )
    assert culled.minutes == (50, 0, 10, 0) and culled.corrections == 1  # still one entry
    assert culled.absence_reason is None  # its health scope is not culled
    assert kept.student_id == s1 and kept.absence_reason == "sjuk"
    notice = app.repository.get(notice_id(app, s0))
    assert isinstance(notice, Notice) and isinstance(notice.subject_id, Shredded)
    app.keystore.shred(uuid4(), scopes=[Scope(s1, "health", "2026-03")])
    app.evict_caches()
    kept = app.get_lesson(lesson_id).reports[1]
    assert kept.student_id == s1 and kept.absence_reason == Shredded("health")
    with pytest.raises(ScopeShreddedError):
        app.report_attendance(lesson_id, school.teacher, [AttendanceRow(s0, 60)])
    assert isinstance(app.repository.get(lesson_id), Lesson)
