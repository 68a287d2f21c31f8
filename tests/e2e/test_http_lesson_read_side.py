"""The read side of school attendance over HTTP, on both backends: who may read a student's
attendance and term summaries, who may report on and read a lesson, absence flags and their
thresholds. Every refusal of someone's records answers 404 like an unknown id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from domain.lessons import AttendanceRow
from kiosk import kiosk_headers

TZ = ZoneInfo("Europe/Stockholm")
START = date(2025, 8, 15)
MOVED = date(2026, 2, 1)  # s1 came from the other school on this day
PROBLEM = "application/problem+json"


@dataclass
class Town:
    client: TestClient
    gallra: Gallra
    unit: UUID
    other: UUID
    g1: UUID
    g2: UUID
    gx: UUID  # at the other unit
    s1: UUID  # in g1 since MOVED, in gx before
    s2: UUID  # in g1
    s3: UUID  # in g2
    m1: UUID  # guardian of s1
    m3: UUID  # guardian of s3
    teacher1: UUID  # assigned to g1
    teacher2: UUID  # assigned to g2
    rektor: UUID
    janitor: UUID  # a duty at the unit, no group
    far: UUID  # a teacher of gx at the other unit

    def as_(self, role: Role, subject: UUID | None = None) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject))
        return {"Authorization": f"Bearer {token}"}

    def staff(self, who: UUID) -> dict[str, str]:
        return self.as_(Role.STAFF, who)

    def lesson(self, group: UUID, day: date, hour: int = 10) -> UUID:
        unit = self.other if group == self.gx else self.unit
        starts = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
        app = self.gallra.app
        end = starts + timedelta(hours=1)
        return app.create_lesson(unit, group, "grundskola", "Matematik", starts, end)

    def report(self, lesson: UUID, *rows: AttendanceRow) -> None:
        self.gallra.app.report_attendance(lesson, self.teacher1, list(rows))


@pytest.fixture
def town(gallra: Gallra) -> Iterator[Town]:
    app = gallra.app
    unit = app.create_unit("Hertsöskolan", "grundskola")
    other = app.create_unit("Andra skolan", "grundskola")
    g1, g2 = (app.create_group(unit, n, "Klass", ["grundskola"], START) for n in ("7A", "7B"))
    gx = app.create_group(other, "7X", "Klass", ["grundskola"], START)
    m1 = app.register_guardian("Anna", "Lind", "19800101AB01")
    m3 = app.register_guardian("Cilla", "Ek", "19800101AB03")
    s1 = app.register_child("Saga", "Lind", "20130101TF01", [(m1, "Vårdnadshavare")])
    s2 = app.register_child("Tor", "Lind", "20130101TF02", [])
    s3 = app.register_child("Ur", "Ek", "20130101TF03", [(m3, "Vårdnadshavare")])
    before = app.place_child(s1, other, None, START, "grundskola")
    app.join_group(s1, before, gx, START)
    app.end_placement(s1, before, MOVED - timedelta(days=1))
    for kid, group, start in ((s1, g1, MOVED), (s2, g1, START), (s3, g2, START)):
        app.join_group(kid, app.place_child(kid, unit, None, start, "grundskola"), group, start)
    staff = [app.register_staff("P", f"Nr{n}", f"1980020{n}TF0{n}") for n in range(1, 6)]
    teacher1, teacher2, rektor, janitor, far = staff
    for who, at, role, group in (
        (teacher1, unit, "Lärare", g1),
        (teacher2, unit, "Lärare", g2),
        (rektor, unit, "Rektor", None),
        (janitor, unit, "Annan personal", None),
        (far, other, "Lärare", gx),
    ):
        duty = app.assign_duty(who, at, role, START)
        if group is not None:
            app.assign_to_group(who, duty, group, "Lärare", START)
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Town(client, gallra, unit, other, g1, g2, gx, s1, s2, s3, m1, m3, *staff)


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body.get("field") == field
    return body


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# -- a student's attendance ------------------------------------------------------------------


def test_who_reads_a_students_attendance(town: Town) -> None:
    january = town.lesson(town.gx, date(2026, 1, 20))
    town.gallra.app.report_attendance(january, town.far, [AttendanceRow(town.s1, 0, 0, 60)])
    march = town.lesson(town.g1, date(2026, 3, 16))
    town.report(march, AttendanceRow(town.s1, 40, 20), AttendanceRow(town.s2, 60))
    url = f"/students/{town.s1}/attendance?since=2026-01-01&until=2026-03-31"
    for headers in (
        town.as_(Role.STUDENT, town.s1),
        town.as_(Role.GUARDIAN, town.m1),
        town.as_(Role.AUDITOR),
    ):
        body = ok(town.client.get(url, headers=headers))
        assert [x["lesson_id"] for x in body["lessons"]] == [str(january), str(march)]
        assert {(a["unit_id"], a["invalid_absence_minutes"]) for a in body["aggregated"]} == {
            (str(town.other), 60),
            (str(town.unit), 0),
        }
    for staff in (town.teacher1, town.rektor):  # the lessons at the units they connect through
        body = ok(town.client.get(url, headers=town.staff(staff)))
        [row] = body["lessons"]
        assert row["lesson_id"] == str(march) and row["day"] == "2026-03-16"
        assert (row["scheduled_minutes"], row["attendance_minutes"]) == (60, 40)
        assert (row["valid_absence_minutes"], row["title"]) == (20, "Matematik")
        [total] = body["aggregated"]
        assert (total["start_date"], total["end_date"], total["lessons"]) == (
            "2026-01-01",
            "2026-03-31",
            1,
        )
        assert (total["scheduled_minutes"], total["valid_absence_minutes"]) == (60, 20)
    refused = [
        town.staff(town.teacher2),  # teaches another group
        town.staff(town.janitor),  # a duty at the unit is not a connection
        town.staff(town.far),  # taught the student before the move
        town.as_(Role.STAFF),  # names nobody
        town.as_(Role.GUARDIAN, town.m3),  # the guardian of another child
        town.as_(Role.STUDENT, town.s2),  # another student
    ]
    for headers in refused:
        problem(town.client.get(url, headers=headers), 404)
    kiosk = kiosk_headers(town.gallra)
    for headers in (town.as_(Role.ADMIN, town.m1), kiosk, town.as_(Role.STATISTICIAN, town.m1)):
        problem(town.client.get(url, headers=headers), 403)
    problem(
        town.client.get(f"/students/{uuid4()}/attendance", headers=town.staff(town.rektor)), 404
    )
    logged = town.gallra.audit.records(subject_id=town.s1).rows
    reads = {(r.actor_id, r.status) for r in logged if r.resource.endswith("/attendance")}
    assert {(town.m1, 200), (town.teacher1, 200), (town.m3, 404)} <= reads
    default = ok(town.client.get(f"/students/{town.s1}/attendance", headers=town.as_(Role.AUDITOR)))
    assert (default["since"], default["until"]) == ("2026-01-01", "2026-03-16")  # term to date
    assert len(default["lessons"]) == 2
    base = f"/students/{town.s1}/attendance"
    auditor = town.as_(Role.AUDITOR)
    problem(
        town.client.get(f"{base}?since=2026-03-02&until=2026-03-01", headers=auditor), 422, "since"
    )
    problem(
        town.client.get(f"{base}?since=2025-01-01&until=2026-01-02", headers=auditor), 422, "until"
    )
    problem(town.client.get(f"{base}?since=yesterday", headers=auditor), 422, "query.since")


# -- lessons ----------------------------------------------------------------------------------


def test_who_may_report_on_and_read_a_lesson(town: Town) -> None:
    created = town.client.post(
        "/lessons",
        json={
            "unit_id": str(town.unit),
            "group_id": str(town.g1),
            "school_form": "grundskola",
            "title": "Matematik",
            "starts_at": "2026-03-16T08:00:00+01:00",
            "ends_at": "2026-03-16T09:00:00+01:00",
        },
        headers=town.staff(town.teacher1),
    )
    lesson = ok(created, 201)["id"]
    rows = {"reports": [{"student_id": str(town.s1), "attendance_minutes": 60}]}
    url = f"/lessons/{lesson}/attendance"
    for staff in (town.teacher2, town.janitor, town.far):
        problem(town.client.post(url, json=rows, headers=town.staff(staff)), 404)
        problem(town.client.get(f"/lessons/{lesson}", headers=town.staff(staff)), 404)
    assert (
        town.client.get(f"/lessons/{lesson}", headers=town.staff(town.teacher1)).json()["reports"]
        == []
    )
    ok(town.client.post(url, json=rows, headers=town.staff(town.teacher1)), 201)
    rows["reports"][0]["valid_absence_minutes"] = 0
    ok(town.client.post(url, json=rows, headers=town.staff(town.rektor)), 200)  # the same again
    for headers in (town.staff(town.rektor), town.as_(Role.ADMIN), town.as_(Role.AUDITOR)):
        [report] = ok(town.client.get(f"/lessons/{lesson}", headers=headers))["reports"]
        assert report["student_id"] == str(town.s1)
    problem(town.client.post(url, json=rows, headers=town.as_(Role.STAFF)), 403)
    problem(town.client.get(f"/lessons/{lesson}", headers=town.as_(Role.STAFF)), 404)
    problem(town.client.get(f"/lessons/{lesson}", headers=town.as_(Role.GUARDIAN, town.m1)), 403)
    unknown = uuid4()
    problem(town.client.get(f"/lessons/{unknown}", headers=town.staff(town.teacher1)), 404)
    problem(
        town.client.post(
            f"/lessons/{unknown}/attendance", json=rows, headers=town.staff(town.teacher1)
        ),
        404,
    )


# -- absence follow-up --------------------------------------------------------------------------


def test_absence_flags_for_the_rektor_with_the_units_thresholds(town: Town) -> None:
    for day in (date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)):
        lesson = town.lesson(town.g1, day)
        town.report(lesson, AttendanceRow(town.s1, 50, 0, 10), AttendanceRow(town.s2, 60))
    url = f"/units/{town.unit}/absence-flags?as_of=2026-03-16"
    for headers in (town.staff(town.rektor), town.as_(Role.ADMIN)):
        body = ok(town.client.get(url, headers=headers))
        assert body["thresholds"]["defaults"] is True and body["as_of"] == "2026-03-16"
        [flagged] = body["students"]
        assert flagged["student_id"] == str(town.s1)
        assert flagged["flags"] == [
            {
                "rule": "invalid-days",
                "since": "2026-03-10",
                "until": "2026-03-12",
                "figures": {"days": 3, "invalid_absence_minutes": 30, "threshold_days": 3},
            }
        ]
    assert ok(town.client.get(f"/units/{town.unit}/absence-flags?as_of=2026-03-11",
                              headers=town.as_(Role.ADMIN)))["students"] == []  # fmt: skip
    for staff in (town.teacher1, town.janitor, town.far):
        problem(town.client.get(url, headers=town.staff(staff)), 404)
    problem(
        town.client.get(f"/units/{town.other}/absence-flags", headers=town.staff(town.rektor)), 404
    )
    problem(town.client.get(url, headers=town.as_(Role.GUARDIAN, town.m1)), 403)
    problem(
        town.client.get(f"/units/{uuid4()}/absence-flags", headers=town.as_(Role.ADMIN)),
        404,
        "unit_id",
    )
    thresholds = f"/units/{town.unit}/absence-thresholds"
    assert ok(town.client.get(thresholds, headers=town.staff(town.rektor))) == {
        "absence_percent": 10, "percent_window_days": 28, "percent_min_lessons": 20,
        "invalid_days": 3, "window_days": 30, "consecutive_days": 5, "defaults": True,
    }  # fmt: skip
    problem(town.client.get(thresholds, headers=town.staff(town.teacher1)), 404)
    problem(
        town.client.put(thresholds, json={"invalid_days": 4}, headers=town.staff(town.rektor)), 403
    )
    set_ = ok(town.client.put(thresholds, json={"invalid_days": 4}, headers=town.as_(Role.ADMIN)))
    assert (set_["invalid_days"], set_["window_days"], set_["defaults"]) == (4, 30, False)
    body = ok(town.client.get(url, headers=town.staff(town.rektor)))
    assert body["students"] == [] and body["thresholds"]["invalid_days"] == 4
    for bad, field in (
        ({"absence_percent": 0}, "absence_percent"),
        ({"window_days": 367}, "window_days"),
        ({"consecutive_days": "five"}, "consecutive_days"),
        ({"invalid_days": 31}, "invalid_days"),  # more than the window's 30 days
        ({"window_days": 4}, "consecutive_days"),  # the default 5 no longer fits
        ({"nickname": "Saga"}, "nickname"),
    ):
        response = town.client.put(thresholds, json=bad, headers=town.as_(Role.ADMIN))
        problem(response, 422, field)
        assert "Saga" not in response.text
    assert ok(town.client.get(thresholds, headers=town.as_(Role.ADMIN)))["invalid_days"] == 4
    problem(
        town.client.put(
            f"/units/{uuid4()}/absence-thresholds", json={}, headers=town.as_(Role.ADMIN)
        ),
        404,
        "unit_id",
    )


# -- term summaries -------------------------------------------------------------------------------


def test_term_summaries_are_compiled_by_admin_or_rektor_and_read_by_family(town: Town) -> None:
    town.report(town.lesson(town.g1, date(2026, 3, 10)), AttendanceRow(town.s1, 50, 0, 10))
    url = f"/students/{town.s1}/term-summaries"
    vt = {"term": "VT2026"}
    first = ok(town.client.post(url, json=vt, headers=town.as_(Role.ADMIN)), 201)
    assert first == {
        "term": "VT2026", "compiled_on": "2026-03-16", "invalid_absence_minutes": 10,
        "invalid_absence_lessons": 1, "corrections": 0,
    }  # fmt: skip
    assert ok(town.client.post(url, json=vt, headers=town.staff(town.rektor))) == first
    town.report(town.lesson(town.g1, date(2026, 3, 11)), AttendanceRow(town.s1, 0, 0, 60))
    corrected = ok(town.client.post(url, json=vt, headers=town.staff(town.rektor)), 201)
    assert (corrected["invalid_absence_minutes"], corrected["corrections"]) == (70, 1)
    for staff in (town.teacher1, town.teacher2, town.far):  # not the Rektor of the student
        problem(town.client.post(url, json=vt, headers=town.staff(staff)), 404)
    problem(town.client.post(url, json=vt, headers=town.as_(Role.GUARDIAN, town.m1)), 403)
    problem(town.client.post(url, json={"term": "HT26"}, headers=town.as_(Role.ADMIN)), 422, "term")
    problem(
        town.client.post(url, json={"term": "HT2026"}, headers=town.as_(Role.ADMIN)), 422, "term"
    )
    problem(
        town.client.post(
            f"/students/{uuid4()}/term-summaries", json=vt, headers=town.as_(Role.ADMIN)
        ),
        404,
        "student_id",
    )
    for headers in (
        town.as_(Role.GUARDIAN, town.m1),
        town.as_(Role.STUDENT, town.s1),
        town.staff(town.teacher1),
        town.as_(Role.AUDITOR),
    ):
        [summary] = ok(town.client.get(url, headers=headers))
        assert summary == corrected
    for headers in (town.as_(Role.GUARDIAN, town.m3), town.staff(town.teacher2)):
        problem(town.client.get(url, headers=headers), 404)
    problem(town.client.get(url, headers=town.as_(Role.ADMIN)), 403)
    assert (
        ok(town.client.get(f"/students/{town.s2}/term-summaries", headers=town.as_(Role.AUDITOR)))
        == []
    )
