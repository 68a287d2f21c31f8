"""Stay schedules over HTTP: a guardian lays, staff decide, the change deadline binds the
guardian only, the weekly maximum answers 422 on ``entries``, and anyone unrelated is answered
as for an unknown child, with the attempt on the access log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from retention.keys.scope import Scope

START = date(2026, 4, 6)  # a Monday, three weeks after the test clock's 2026-03-16
SOON = date(2026, 3, 23)  # inside the default 14 days


@dataclass
class Preschool:
    client: TestClient
    gallra: Gallra
    child: UUID
    placement: UUID
    guardian: UUID
    stranger: UUID  # a guardian of another child
    staff: UUID  # on duty at the child's unit
    elsewhere: UUID  # staff at another unit

    def as_(self, role: Role, subject: UUID | None = None) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject))
        return {"Authorization": f"Bearer {token}"}

    @property
    def parent(self) -> dict[str, str]:
        return self.as_(Role.GUARDIAN, self.guardian)

    @property
    def teacher(self) -> dict[str, str]:
        return self.as_(Role.STAFF, self.staff)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Response:
        return self.client.post(path, json=body, headers=headers)

    def lay(self, headers: dict[str, str], **changes: Any) -> Response:
        body = {
            "schedule_id": str(uuid4()),
            "placement_id": str(self.placement),
            "start_date": START.isoformat(),
            "entries": [
                {"day_of_week": d, "start_time": "07:30", "end_time": "16:00"} for d in range(1, 6)
            ],
            **changes,
        }
        return self.post(f"/children/{self.child}/schedules", body, headers)


@pytest.fixture
def preschool(gallra: Gallra) -> Iterator[Preschool]:
    app = gallra.app
    unit = app.create_unit("Förskolan Norrsken", "förskola")
    department = app.add_department(unit, "Björnen")
    other = app.create_unit("Förskolan Söder", "förskola")
    guardian = app.register_guardian("Anna", "Lind", "19800101AB01")
    stranger = app.register_guardian("Bo", "Ek", "19800102AB02")
    child = app.register_child("Saga", "Lind", "20210412TF01", [(guardian, "Vårdnadshavare")])
    app.register_child("Ola", "Ek", "20210413TF02", [(stranger, "Vårdnadshavare")])
    placement = app.place_child(child, unit, department, date(2025, 8, 1))
    staff = app.register_staff("Eva", "Berg", "19790101AB09")
    app.assign_duty(staff, unit, "Förskollärare", date(2025, 8, 1))
    elsewhere = app.register_staff("Per", "Ås", "19790102AB08")
    app.assign_duty(elsewhere, other, "Förskollärare", date(2025, 8, 1))
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Preschool(client, gallra, child, placement, guardian, stranger, staff, elsewhere)


def problem(response: Response, status: int, field: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.get("field") == field
    return body


def test_a_guardian_lays_and_staff_approve(preschool: Preschool) -> None:
    p = preschool
    schedule_id = str(uuid4())
    laid = p.lay(p.parent, schedule_id=schedule_id)
    assert laid.status_code == 201, laid.text
    assert laid.json() == {"id": schedule_id, "state": "requested", "duplicate": False}
    again = p.lay(p.parent, schedule_id=schedule_id)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    problem(p.lay(p.parent, schedule_id=schedule_id, number_of_weeks=2), 409, "schedule_id")

    path = f"/children/{p.child}/schedules/{schedule_id}"
    problem(p.post(f"{path}/approve", {}, p.parent), 403, None)
    approved = p.post(f"{path}/approve", {}, p.teacher)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    problem(p.post(f"{path}/withdraw", {}, p.parent), 409, "schedule_id")

    [listed] = p.client.get(f"/children/{p.child}/schedules", headers=p.parent).json()
    assert (listed["id"], listed["state"], listed["ss12000_state"]) == (
        schedule_id,
        "approved",
        "Godkänt",
    )
    assert [h["state"] for h in listed["history"]] == ["requested", "approved"]
    assert listed["history"][0]["by"] == str(p.guardian)
    assert listed["history"][1]["by"] == str(p.staff)
    assert listed["culled"] == [] and len(listed["entries"]) == 5

    plan = p.client.get(
        f"/children/{p.child}/schedule",
        params={"from": "2026-04-05", "to": "2026-04-07"},
        headers=p.teacher,
    ).json()
    assert [d["minutes"] for d in plan["days"]] == [None, 510, 510]
    assert plan["days"][1]["times"] == [{"start_time": "07:30:00", "end_time": "16:00:00"}]
    assert plan["days"][1]["schedule_ids"] == [schedule_id]


def test_reject_and_withdraw(preschool: Preschool) -> None:
    p = preschool
    first, second = str(uuid4()), str(uuid4())
    p.lay(p.parent, schedule_id=first)
    p.lay(p.parent, schedule_id=second)
    rejected = p.post(
        f"/children/{p.child}/schedules/{first}/reject", {"reason": "Fråga oss"}, p.teacher
    )
    assert rejected.json()["state"] == "rejected"
    withdrawn = p.post(f"/children/{p.child}/schedules/{second}/withdraw", {}, p.parent)
    assert withdrawn.json()["state"] == "withdrawn"
    listed = p.client.get(f"/children/{p.child}/schedules", headers=p.teacher).json()
    states = {s["id"]: (s["state"], s["ss12000_state"]) for s in listed}
    assert states == {first: ("rejected", "Nekat"), second: ("withdrawn", None)}
    [reason] = [s["history"][-1]["reason"] for s in listed if s["id"] == first]
    assert reason == "Fråga oss"


def test_the_deadline_binds_the_guardian_not_staff(preschool: Preschool) -> None:
    p = preschool
    body = problem(p.lay(p.parent, start_date=SOON.isoformat()), 422, "start_date")
    assert "2026-03-30" in body["detail"]  # the earliest day, never what was sent
    problem(p.lay(p.parent, start_date=SOON.isoformat(), approved=True), 422, "approved")
    by_staff = p.lay(p.teacher, start_date=SOON.isoformat(), approved=True)
    assert by_staff.status_code == 201 and by_staff.json()["state"] == "approved"
    assert p.lay(p.parent, start_date=(SOON + timedelta(days=7)).isoformat()).status_code == 201


def test_the_weekly_maximum_answers_422_on_entries(preschool: Preschool) -> None:
    p = preschool
    hours = f"/children/{p.child}/placements/{p.placement}/hours"
    problem(p.client.put(hours, json={"weekly_hours": 15}, headers=p.parent), 403, None)
    set_ = p.client.put(hours, json={"weekly_hours": 15}, headers=p.teacher)
    assert set_.status_code == 204, set_.text
    assert p.client.get(hours, headers=p.parent).json()["weekly_hours"] == 15

    body = problem(p.lay(p.parent), 422, "entries")  # 5 x 8.5 h
    assert "week 1" in body["detail"] and "1650 over" in body["detail"]
    assert "07:30" not in body["detail"]
    three_hours = [
        {"day_of_week": d, "start_time": "08:00", "end_time": "11:00"} for d in range(1, 6)
    ]
    assert p.lay(p.parent, entries=three_hours).status_code == 201  # at the maximum
    problem(p.client.put(hours, json={"weekly_hours": 0}, headers=p.teacher), 422, "weekly_hours")


def test_overlapping_entries_are_refused_without_echoing_them(preschool: Preschool) -> None:
    p = preschool
    entries = [
        {"day_of_week": 1, "start_time": "07:30", "end_time": "12:00"},
        {"day_of_week": 1, "start_time": "11:45", "end_time": "16:00"},
    ]
    body = problem(p.lay(p.parent, entries=entries), 422, "entries")
    assert "11:45" not in body["detail"]
    problem(p.lay(p.parent, temporary=True), 422, "end_date")
    body = problem(p.lay(p.parent, entries=[{"day_of_week": 9}]), 422, "entries.0.day_of_week")
    assert "9" not in str(body["errors"])


def test_the_unrelated_are_answered_as_for_an_unknown_child(preschool: Preschool) -> None:
    p = preschool
    schedule_id = str(uuid4())
    p.lay(p.parent, schedule_id=schedule_id)
    nobody = uuid4()
    unknown = p.client.get(f"/children/{nobody}/schedules", headers=p.parent).json()
    stranger = p.as_(Role.GUARDIAN, p.stranger)
    elsewhere = p.as_(Role.STAFF, p.elsewhere)
    attempts = [
        p.client.get(f"/children/{p.child}/schedules", headers=stranger),
        p.client.get(f"/children/{p.child}/schedules", headers=elsewhere),
        p.lay(stranger),
        p.lay(elsewhere),
        p.post(f"/children/{p.child}/schedules/{schedule_id}/approve", {}, elsewhere),
        p.post(f"/children/{p.child}/schedules/{schedule_id}/withdraw", {}, stranger),
        p.client.get(
            f"/children/{p.child}/schedule",
            params={"from": "2026-04-06", "to": "2026-04-06"},
            headers=stranger,
        ),
        p.client.put(
            f"/children/{p.child}/placements/{p.placement}/hours",
            json={"weekly_hours": 15},
            headers=elsewhere,
        ),
    ]
    for refused in attempts:
        assert refused.status_code == 404, refused.text
        body = refused.json()
        assert body == {**unknown, "detail": unknown["detail"].replace(str(nobody), str(p.child))}
    logged = p.gallra.audit.records(subject_id=p.child).rows
    actors = {r.actor_id for r in logged if r.status == 404}
    assert actors == {p.stranger, p.elsewhere}
    # Nothing was laid or decided by them.
    [only] = p.gallra.app.schedules_of(p.child)
    assert only.state == "requested"


def test_a_plan_covers_at_most_93_days(preschool: Preschool) -> None:
    p = preschool
    path = f"/children/{p.child}/schedule"
    ok = p.client.get(path, params={"from": "2026-01-01", "to": "2026-04-03"}, headers=p.parent)
    assert ok.status_code == 200 and len(ok.json()["days"]) == 93
    too_long = p.client.get(
        path, params={"from": "2026-01-01", "to": "2026-04-04"}, headers=p.parent
    )
    problem(too_long, 422, "to")
    problem(
        p.client.get(path, params={"from": "2026-01-02", "to": "2026-01-01"}, headers=p.parent),
        422,
        "to",
    )


def test_a_culled_schedule_is_listed_and_never_planned(preschool: Preschool) -> None:
    p = preschool
    schedule_id = str(uuid4())
    assert p.lay(p.teacher, schedule_id=schedule_id, approved=True).status_code == 201
    scope = Scope(p.child, "schedule", str(p.placement))
    assert p.gallra.app.keystore.shred(uuid4(), scopes=[scope]) == 1
    p.gallra.app.evict_caches()

    [listed] = p.client.get(f"/children/{p.child}/schedules", headers=p.parent).json()
    assert (listed["id"], listed["state"]) == (schedule_id, "approved")
    assert listed["entries"] is None and listed["start_date"] is None
    assert {"laid_by", "entries", "placement_id"} <= set(listed["culled"])
    assert [h["culled"] for h in listed["history"]] == [["by"], ["by"]]
    plan = p.client.get(
        f"/children/{p.child}/schedule",
        params={"from": START.isoformat(), "to": START.isoformat()},
        headers=p.parent,
    ).json()
    assert plan["days"][0]["minutes"] is None
    problem(p.lay(p.teacher), 409, None)  # the culled scope is never written again
