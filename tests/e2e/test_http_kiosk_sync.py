"""The kiosk's batch sync, a day's exceptions and absence cancelling over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from conftest import Clock
from kiosk import kiosk_headers

YESTERDAY = date(2026, 3, 15)  # the clock fixture says 2026-03-16 09:00 UTC


@pytest.fixture
def town(gallra: Gallra) -> dict[str, Any]:
    app = gallra.app
    unit, dep, kids = enrolled_department(app, 2, "Förskolan Linden", "Gräshoppan")
    other_unit, other_dep, _ = enrolled_department(app, 0, "Förskolan Aspen", "Fjärilen")
    teacher = app.register_staff("Eva", "Berg", "19800101TF01")
    app.assign_duty(teacher, unit, "Förskollärare", date(2025, 8, 1))
    stranger = app.register_staff("Olof", "Ek", "19800102TF02")
    app.assign_duty(stranger, other_unit, "Förskollärare", date(2025, 8, 1))
    guardian = next(iter(app.get_child(kids[0]).guardians))
    return {"dep": dep, "kids": kids, "teacher": teacher, "stranger": stranger,
            "guardian": guardian, "other_dep": other_dep}  # fmt: skip


@pytest.fixture
def client(gallra: Gallra) -> Iterator[TestClient]:
    with TestClient(create_http_app(gallra, background=False)) as c:
        yield c


def auth(gallra: Gallra, role: Role, **kw: UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {gallra.tokens.issue(Principal(role, **kw))}"}


def event(
    kind: str, child: UUID, clock: Clock, hours: float, day: date | None = None
) -> dict[str, str]:
    base = clock.now.replace(hour=0, minute=0)
    if day is not None:
        base = base.replace(year=day.year, month=day.month, day=day.day)
    return {"submission_id": str(uuid4()), "type": kind, "child_id": str(child),
            "at": (base + timedelta(hours=hours)).isoformat()}  # fmt: skip


def test_a_kiosk_syncs_a_batch_and_staff_read_its_exceptions(
    gallra: Gallra, client: TestClient, town: dict[str, Any], clock: Clock
) -> None:
    dep, (a, b) = town["dep"], town["kids"]
    kiosk = kiosk_headers(gallra, dep)
    batch = [
        event("check-in", a, clock, 7, YESTERDAY),
        event("check-in", a, clock, 8, YESTERDAY),
        event("check-out", b, clock, 9, YESTERDAY),
        {**event("check-in", a, clock, 7), "child_id": str(uuid4())},
    ]
    answer = client.post(f"/departments/{dep}/kiosk-sync", json={"events": batch}, headers=kiosk)
    assert answer.status_code == 200, answer.text
    outcomes = answer.json()["outcomes"]
    assert [o["status"] for o in outcomes] == ["recorded", "conflict", "conflict", "refused"]
    assert outcomes[3]["field"] == "child_id"
    again = client.post(f"/departments/{dep}/kiosk-sync", json={"events": batch[:3]}, headers=kiosk)
    assert [o["status"] for o in again.json()["outcomes"]] == ["duplicate"] * 3

    path = f"/departments/{dep}/days/{YESTERDAY}/exceptions"
    teacher = auth(gallra, Role.STAFF, subject=town["teacher"])
    listed = client.get(path, headers=teacher)
    assert listed.status_code == 200
    assert [(e["child_id"], e["rule"]) for e in listed.json()] == [
        (str(a), "check-in-while-checked-in"),
        (str(b), "check-out-while-not-checked-in"),
    ]
    assert client.get(path, headers=kiosk).json() == listed.json()
    stranger = auth(gallra, Role.STAFF, subject=town["stranger"])
    assert client.get(path, headers=stranger).json() == []  # sees none of these children
    other_kiosk = kiosk_headers(gallra, town["other_dep"])
    assert client.get(path, headers=other_kiosk).status_code == 403
    guardian = auth(gallra, Role.GUARDIAN, subject=town["guardian"])
    assert client.get(path, headers=guardian).status_code == 403


def test_batch_limits_and_another_departments_kiosk(
    gallra: Gallra, client: TestClient, town: dict[str, Any], clock: Clock
) -> None:
    dep, (a, _) = town["dep"], town["kids"]
    path = f"/departments/{dep}/kiosk-sync"
    other = kiosk_headers(gallra, town["other_dep"])
    refused = client.post(path, json={"events": [event("check-in", a, clock, 7)]}, headers=other)
    assert refused.status_code == 403
    kiosk = kiosk_headers(gallra, dep)
    big = [event("check-in", a, clock, 7) for _ in range(1001)]
    too_many = client.post(path, json={"events": big}, headers=kiosk)
    assert too_many.status_code == 422
    assert too_many.headers["content-type"] == "application/problem+json"
    assert too_many.json()["field"] == "events"
    aware = client.post(
        path, json={"events": [{**big[0], "at": "2026-03-16T07:00:00"}]}, headers=kiosk
    )
    assert aware.status_code == 422 and aware.json()["field"] == "events.0.at"
    assert str(a) not in aware.text


def test_staff_sync_only_children_they_see(
    gallra: Gallra, client: TestClient, town: dict[str, Any], clock: Clock
) -> None:
    dep, (a, _) = town["dep"], town["kids"]
    batch = {"events": [event("check-in", a, clock, 7)]}
    stranger = auth(gallra, Role.STAFF, subject=town["stranger"])
    answer = client.post(f"/departments/{dep}/kiosk-sync", json=batch, headers=stranger)
    assert answer.json()["outcomes"][0]["status"] == "refused"
    assert answer.json()["outcomes"][0]["message"] == f"no child with id {a}"
    teacher = auth(gallra, Role.STAFF, subject=town["teacher"])
    answer = client.post(f"/departments/{dep}/kiosk-sync", json=batch, headers=teacher)
    assert answer.json()["outcomes"][0]["status"] == "recorded"


def test_guardians_cancel_absence_per_day(
    gallra: Gallra, client: TestClient, town: dict[str, Any]
) -> None:
    a, b = town["kids"]
    guardian = auth(gallra, Role.GUARDIAN, subject=town["guardian"])
    first = "2026-03-17"
    report = {"submission_id": str(uuid4()), "first_day": first, "last_day": "2026-03-18",
              "kind": "sick", "reason": "feber"}  # fmt: skip
    assert client.post(f"/children/{a}/absences", json=report, headers=guardian).status_code == 201
    body = {"first_day": first, "last_day": "2026-03-19"}
    cancel = client.post(f"/children/{a}/absences/cancel", json=body, headers=guardian)
    assert cancel.status_code == 200
    assert cancel.json() == {
        "days": [
            {"day": "2026-03-17", "cancelled": True},
            {"day": "2026-03-18", "cancelled": True},
            {"day": "2026-03-19", "cancelled": False},
        ]
    }
    again = client.post(f"/children/{a}/absences/cancel", json=body, headers=guardian)
    assert [d["cancelled"] for d in again.json()["days"]] == [False, False, False]
    not_mine = client.post(f"/children/{b}/absences/cancel", json=body, headers=guardian)
    assert not_mine.status_code == 404  # as for an unknown child
    stranger = auth(gallra, Role.STAFF, subject=town["stranger"])
    assert (
        client.post(f"/children/{a}/absences/cancel", json=body, headers=stranger).status_code
        == 404
    )
    teacher = auth(gallra, Role.STAFF, subject=town["teacher"])
    assert (
        client.post(f"/children/{a}/absences/cancel", json=body, headers=teacher).status_code == 200
    )
