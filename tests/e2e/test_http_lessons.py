"""Lessons and per-lesson attendance over HTTP: who may call, status codes, problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from domain.organisation import Group
from domain.people import Child, Staff
from kiosk import kiosk_headers
from retention.keys.scope import Scope

TERM = date(2025, 8, 15)
LESSON = {"school_form": "grundskola", "title": "Matematik"}
MORNING = {"starts_at": "2026-03-16T08:00:00+01:00", "ends_at": "2026-03-16T09:00:00+01:00"}
AFTERNOON = {"starts_at": "2026-03-16T13:00:00+01:00", "ends_at": "2026-03-16T14:00:00+01:00"}
PROBLEM = "application/problem+json"


@dataclass
class Town:
    client: TestClient
    gallra: Gallra
    unit: UUID
    group: UUID
    teacher: UUID
    students: list[UUID]
    guardian: UUID

    def as_(self, role: Role, subject: UUID | None = None) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject))
        return {"Authorization": f"Bearer {token}"}

    @property
    def staff(self) -> dict[str, str]:
        return self.as_(Role.STAFF, self.teacher)

    def lesson(self, times: dict[str, str] = MORNING) -> str:
        body = {"unit_id": str(self.unit), "group_id": str(self.group), **LESSON, **times}
        response = self.client.post("/lessons", json=body, headers=self.staff)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def report(self, lesson: str, rows: list[dict[str, Any]], headers: dict[str, str]) -> Any:
        return self.client.post(
            f"/lessons/{lesson}/attendance", json={"reports": rows}, headers=headers
        )


@pytest.fixture
def town(gallra: Gallra) -> Iterator[Town]:
    app = gallra.app
    unit = app.create_unit("Hertsöskolan", "grundskola")
    group = Group(
        unit_id=unit, name="7A", group_type="Klass", school_forms=["grundskola"], start=TERM
    )
    teacher = Staff(given_name="Karin", family_name="Berg", civic_number="-", civic_kind="t")
    teacher.assign_to_group(teacher.assign_duty(unit, "Lärare", TERM), group.id, "Lärare", TERM)
    app.save(group, teacher)
    guardian = app.register_guardian("Anna", "Lind", "19800101AB01")
    students = [
        app.register_child("Saga", "Lind", "20130101TF01", [(guardian, "Vårdnadshavare")]),
        app.register_child("Tor", "Lind", "20130101TF02", [(guardian, "Vårdnadshavare")]),
    ]
    for student in students:
        child = app.repository.get(student)
        assert isinstance(child, Child)
        child.join_group(child.place(unit, None, TERM, "grundskola"), group.id, TERM)
        app.save(child)
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Town(client, gallra, unit, group.id, teacher.id, students, guardian)


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body.get("field") == field
    return body


def test_staff_and_admin_create_lessons_others_may_not(town: Town) -> None:
    body = {"unit_id": str(town.unit), "group_id": str(town.group), **LESSON, **MORNING}
    for role in (Role.ADMIN, Role.STAFF):
        assert town.client.post("/lessons", json=body, headers=town.as_(role)).status_code == 201
    for role in (Role.GUARDIAN, Role.STUDENT, Role.AUDITOR, Role.KIOSK, Role.STATISTICIAN):
        headers = kiosk_headers(town.gallra) if role == Role.KIOSK else town.as_(role, uuid4())
        response = town.client.post("/lessons", json=body, headers=headers)
        problem(response, 403)
    problem(town.client.post("/lessons", json=body), 401)


def test_a_bad_lesson_is_a_problem_with_its_field(town: Town) -> None:
    base = {"unit_id": str(town.unit), "group_id": str(town.group), **LESSON, **MORNING}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"ends_at": "2026-03-16T07:00:00+01:00"}, 422, "ends_at"),
        ({"ends_at": "2026-03-16T17:00:00+01:00"}, 422, "ends_at"),
        ({"starts_at": "2026-03-16T08:00:00"}, 422, "starts_at"),
        ({"group_id": str(uuid4())}, 404, "group_id"),
        ({"unit_id": str(uuid4())}, 404, "unit_id"),
        ({"school_form": "förskola"}, 422, "school_form"),
        ({"title": ""}, 422, "title"),
    ]
    for change, status, field in cases:
        response = town.client.post("/lessons", json={**base, **change}, headers=town.staff)
        problem(response, status, field)


def test_reading_a_lesson(town: Town) -> None:
    lesson = town.lesson()
    for headers in (town.as_(Role.ADMIN), town.as_(Role.AUDITOR), town.staff):
        response = town.client.get(f"/lessons/{lesson}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["title"] == "Matematik" and body["day"] == "2026-03-16"
        assert body["reports"] == [] and body["cancelled"] is False
    for role in (Role.GUARDIAN, Role.STUDENT):
        problem(town.client.get(f"/lessons/{lesson}", headers=town.as_(role, uuid4())), 403)
    problem(town.client.get(f"/lessons/{uuid4()}", headers=town.staff), 404)


def test_reporting_attendance_and_the_notice_it_owes(town: Town) -> None:
    lesson = town.lesson()
    s0, s1 = (str(s) for s in town.students)
    rows = [
        {"student_id": s0, "attendance_minutes": 60},
        {"student_id": s1, "invalid_absence_minutes": 60, "absence_reason": "skolkade"},
    ]
    first = town.report(lesson, rows, town.staff)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "reports": [{"student_id": s0, "duplicate": False}, {"student_id": s1, "duplicate": False}],
        "notices_queued": 1,
    }
    retry = town.report(lesson, rows, town.staff)
    assert retry.status_code == 200 and retry.json()["notices_queued"] == 0
    assert all(r["duplicate"] for r in retry.json()["reports"])
    correction = town.report(
        lesson, [{"student_id": s1, "invalid_absence_minutes": 30}], town.staff
    )
    assert correction.status_code == 201 and correction.json()["notices_queued"] == 0
    other = town.report(
        town.lesson(AFTERNOON), [{"student_id": s1, "invalid_absence_minutes": 60}], town.staff
    )
    assert other.status_code == 201 and other.json()["notices_queued"] == 0
    view = town.client.get(f"/lessons/{lesson}", headers=town.staff).json()
    saga, tor = view["reports"]
    assert saga["student_id"] == s0 and saga["attendance_minutes"] == 60
    assert saga["reporter_id"] == str(town.teacher) and saga["culled"] == []
    assert tor["invalid_absence_minutes"] == 30 and tor["absence_reason"] is None
    assert tor["corrections"] == 1


def test_who_may_not_report(town: Town) -> None:
    lesson = town.lesson()
    rows = [{"student_id": str(town.students[0]), "attendance_minutes": 60}]
    for role in (Role.ADMIN, Role.GUARDIAN, Role.STUDENT, Role.AUDITOR, Role.KIOSK):
        kiosk = role == Role.KIOSK
        headers = kiosk_headers(town.gallra) if kiosk else town.as_(role, town.guardian)
        problem(town.report(lesson, rows, headers), 403)
    problem(town.report(lesson, rows, town.as_(Role.STAFF)), 403)  # names no reporter
    problem(town.report(lesson, rows, town.as_(Role.STAFF, town.guardian)), 404)
    problem(town.report(str(uuid4()), rows, town.staff), 404)
    assert town.client.get(f"/lessons/{lesson}", headers=town.staff).json()["reports"] == []


def test_a_bad_row_refuses_the_call_and_is_never_echoed(town: Town) -> None:
    lesson = town.lesson()
    good = {"student_id": str(town.students[0]), "attendance_minutes": 60}
    secret = "Hemlig orsak " + "x" * 2000
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"student_id": str(uuid4()), "attendance_minutes": 1}, 404, "reports.1.student_id"),
        (
            {
                "student_id": str(town.students[1]),
                "attendance_minutes": 50,
                "other_attendance_minutes": 11,
            },
            422,
            "reports.1",
        ),
        (
            {"student_id": str(town.students[1]), "attendance_minutes": -1},
            422,
            "reports.1.attendance_minutes",
        ),
        (
            {"student_id": str(town.students[1]), "absence_reason": secret},
            422,
            "reports.1.absence_reason",
        ),
        ({"student_id": str(town.students[0])}, 422, "reports.1.student_id"),
        ({"student_id": str(town.students[1]), "name": "Saga"}, 422, "reports.1.name"),
    ]
    for bad, status, field in cases:
        response = town.report(lesson, [good, bad], town.staff)
        problem(response, status, field)
        assert "Hemlig" not in response.text and "Saga" not in response.text
    problem(town.report(lesson, [], town.staff), 422, "reports")
    assert town.client.get(f"/lessons/{lesson}", headers=town.staff).json()["reports"] == []


def test_cancelling_a_lesson(town: Town) -> None:
    lesson = town.lesson()
    problem(
        town.client.post(
            f"/lessons/{lesson}/cancel", headers=town.as_(Role.GUARDIAN, town.guardian)
        ),
        403,
    )
    # staff who may not report on the lesson (no duty or assignment) may not cancel it
    stranger = town.as_(Role.STAFF, town.gallra.app.register_staff("O", "P", "19700101XY01"))
    problem(town.client.post(f"/lessons/{lesson}/cancel", headers=stranger), 404)
    for _ in range(2):
        assert town.client.post(f"/lessons/{lesson}/cancel", headers=town.staff).status_code == 204
    assert town.client.get(f"/lessons/{lesson}", headers=town.staff).json()["cancelled"] is True
    rows = [{"student_id": str(town.students[0]), "attendance_minutes": 60}]
    problem(town.report(lesson, rows, town.staff), 409, "lesson_id")
    reported = town.lesson(AFTERNOON)
    assert town.report(reported, rows, town.staff).status_code == 201
    problem(
        town.client.post(f"/lessons/{reported}/cancel", headers=town.as_(Role.ADMIN)),
        409,
        "lesson_id",
    )
    problem(town.client.post(f"/lessons/{uuid4()}/cancel", headers=town.staff), 404)


def test_a_culled_report_answers_null_and_says_so(town: Town) -> None:
    lesson = town.lesson()
    s0 = town.students[0]
    rows = [{"student_id": str(s0), "valid_absence_minutes": 60, "absence_reason": "sjuk"}]
    assert town.report(lesson, rows, town.staff).status_code == 201
    app = town.gallra.app
    app.keystore.shred(
        uuid4(), scopes=[Scope(s0, "attendance", "2026-03"), Scope(s0, "health", "2026-03")]
    )
    app.evict_caches()
    [entry] = town.client.get(f"/lessons/{lesson}", headers=town.as_(Role.AUDITOR)).json()[
        "reports"
    ]
    assert entry["student_id"] is None and entry["reporter_id"] is None
    assert entry["absence_reason"] is None and entry["valid_absence_minutes"] == 60
    assert sorted(entry["culled"]) == ["absence_reason", "reporter_id", "student_id"]
    problem(town.report(lesson, rows, town.staff), 409)
