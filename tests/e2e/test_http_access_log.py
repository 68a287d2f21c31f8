"""The access log over HTTP: every read and write of someone's records leaves a record, ids
only, refused attempts included; auditors, and only they, query it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.http.routes import people
from api.tokens import Principal, Role
from builders import enrolled_department
from domain.access_log import AccessRecord
from domain.organisation import Group
from kiosk import paired_kiosk_claims, paired_kiosk_token
from projections.access_log import AccessRow
from retention.sealing import envelope

START = date(2025, 8, 15)
CHILD_CIVIC, GUARDIAN_CIVIC = "20120301TF01", "19800101AB01"


@dataclass
class School:
    client: TestClient
    gallra: Gallra
    unit: UUID
    alva: UUID
    bo: UUID
    alva_guardian: UUID
    teacher: UUID

    def as_(self, role: Role, subject: UUID | None = None, **claims: Any) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject, **claims))
        return {"Authorization": f"Bearer {token}"}

    def log(self, **filters: Any) -> list[AccessRow]:
        return list(self.gallra.audit.records(**filters).rows)


@pytest.fixture
def school(gallra: Gallra) -> Iterator[School]:
    app = gallra.app
    unit = app.create_unit("Örnässkolan", "grundskola")
    group = Group(
        unit_id=unit, name="7A", group_type="Klass", school_forms=["grundskola"], start=START
    )
    app.save(group)
    guardians = [
        app.register_guardian("Gunilla", "Ahl", GUARDIAN_CIVIC),
        app.register_guardian("Göran", "Berg", "19800102AB02"),
    ]
    kids = []
    for n, guardian in enumerate(guardians):
        kid = app.register_child(
            "Alva", f"N{n}", f"2012030{n + 1}TF0{n + 1}", [(guardian, "Vårdnadshavare")]
        )
        placement = app.place_child(kid, unit, None, START)
        app.join_group(kid, placement, group.id, START)
        kids.append(kid)
    teacher = app.register_staff("Sara", "Lärare", "19790101AB09")
    duty = app.assign_duty(teacher, unit, "Lärare", START)
    app.assign_to_group(teacher, duty, group.id, "Lärare", START)
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield School(client, gallra, unit, kids[0], kids[1], guardians[0], teacher)


def test_setting_up_through_the_application_logs_nothing(school: School) -> None:
    assert school.log() == []


def test_a_staff_read_of_a_child_is_logged(school: School) -> None:
    read = school.client.get(
        f"/children/{school.alva}", headers=school.as_(Role.STAFF, school.teacher)
    )
    assert read.status_code == 200

    [record] = school.log()
    assert (record.subject_id, record.actor_id, record.actor_role) == (
        school.alva,
        school.teacher,
        "staff",
    )
    assert (record.action, record.resource, record.purpose, record.status) == (
        "read",
        "GET /children/{child_id}",
        "people",
        200,
    )
    assert record.day == date(2026, 3, 16)


def test_a_guardians_refused_read_of_another_child_is_logged(school: School) -> None:
    refused = school.client.get(
        f"/children/{school.bo}", headers=school.as_(Role.GUARDIAN, school.alva_guardian)
    )
    assert refused.status_code == 404

    [record] = school.log()
    assert (record.subject_id, record.actor_id, record.actor_role, record.action) == (
        school.bo,
        school.alva_guardian,
        "guardian",
        "read",
    )
    assert (record.resource, record.status) == ("GET /children/{child_id}", 404)


def test_a_contact_change_is_logged_as_a_write(school: School) -> None:
    changed = school.client.put(
        f"/people/{school.alva_guardian}/contact",
        json={"mobile": "0701234567", "email": "g@example.se"},
        headers=school.as_(Role.GUARDIAN, school.alva_guardian),
    )
    assert changed.status_code == 204, changed.text

    [record] = school.log()
    assert (record.subject_id, record.actor_id, record.action, record.status) == (
        school.alva_guardian,
        school.alva_guardian,
        "write",
        204,
    )
    assert (record.resource, record.purpose) == ("PUT /people/{person_id}/contact", "people")


def test_a_listing_logs_each_student_once(school: School) -> None:
    staff = school.as_(Role.STAFF, school.teacher)
    for n in range(3):
        body = {
            "unit_id": str(school.unit),
            "category": "iup",
            "school_form": "grundskola",
            "written_on": "2026-03-02",
            "title": f"Samtal {n}",
            "content": "Mål: läsa mer",
        }
        made = school.client.post(
            f"/students/{school.alva}/documentation", json=body, headers=staff
        )
        assert made.status_code == 201, made.text
    listed = school.client.get(f"/students/{school.alva}/documentation", headers=staff)
    assert len(listed.json()) == 3

    reads = [r for r in school.log() if r.action == "read"]
    assert [(r.subject_id, r.resource) for r in reads] == [
        (school.alva, "GET /students/{student_id}/documentation")
    ]
    writes = [r for r in school.log(subject_id=school.alva) if r.action == "write"]
    assert len(writes) == 3 and {r.purpose for r in writes} == {"documentation"}


def test_a_kiosk_list_of_present_children_logs_each_child_once(gallra: Gallra) -> None:
    _, dep, kids = enrolled_department(gallra.app, 3, "Förskolan Åkern", "Myran")
    at = datetime(2026, 3, 16, 7, tzinfo=UTC)
    for n, kid in enumerate(kids):
        gallra.app.check_in(uuid4(), dep, kid, at + timedelta(minutes=n))
    token = paired_kiosk_token(gallra, dep)
    with TestClient(create_http_app(gallra, background=False)) as client:
        present = client.get(
            f"/departments/{dep}/present", headers={"Authorization": f"Bearer {token}"}
        )
    assert present.status_code == 200 and len(present.json()) == 3

    records = list(gallra.audit.records().rows)
    assert sorted(r.subject_id for r in records) == sorted(kids)
    assert {(r.actor_id, r.actor_role, r.resource) for r in records} == {
        (None, "kiosk", "GET /departments/{department_id}/present")
    }


def test_requests_that_touch_nobody_log_nothing(school: School) -> None:
    headers = school.as_(Role.STAFF, school.teacher)
    assert school.client.get("/documentation/categories", headers=headers).status_code == 200
    assert school.client.get("/health", headers=headers).status_code == 200
    assert school.client.get(f"/children/{school.alva}").status_code == 401
    assert school.log() == []


def test_stored_records_hold_no_personal_value(school: School) -> None:
    school.client.get(f"/children/{school.alva}", headers=school.as_(Role.STAFF, school.teacher))
    school.client.get(
        f"/people/{school.alva_guardian}/contact",
        headers=school.as_(Role.GUARDIAN, school.alva_guardian),
    )
    topic = get_topic(AccessRecord.Recorded)
    stored = school.gallra.app.recorder.select_notifications(start=0, limit=100, topics=[topic])
    assert len(stored) == 2
    ids = [school.alva, school.alva_guardian, school.teacher]
    for n in stored:
        for value in (b"Alva", b"Gunilla", b"Sara", b"20120301", b"19800101", b"Ahl"):
            assert value not in n.state
        readable, _ = envelope.unpack(n.state)
        for person in ids:
            assert str(person).encode() not in readable and person.hex.encode() not in readable
        assert b"/children/{child_id}" in readable or b"/people/{person_id}/contact" in readable


def test_only_auditors_query_the_log(school: School) -> None:
    for role, subject in (
        (Role.ADMIN, None),
        (Role.STAFF, school.teacher),
        (Role.GUARDIAN, school.alva_guardian),
        (Role.STUDENT, school.alva),
        (Role.STATISTICIAN, None),
        (Role.KIOSK, None),
    ):
        claims = paired_kiosk_claims(school.gallra) if role == Role.KIOSK else {}
        headers = school.as_(role, subject, **claims)
        refused = school.client.get("/audit/access-log", headers=headers)
        assert refused.status_code == 403, role
    assert school.client.get("/audit/access-log").status_code == 401


def test_the_auditor_filters_by_subject_and_actor_and_pages(school: School) -> None:
    staff = school.as_(Role.STAFF, school.teacher)
    guardian = school.as_(Role.GUARDIAN, school.alva_guardian)
    for _ in range(2):
        school.client.get(f"/children/{school.alva}", headers=staff)
        school.client.get(f"/children/{school.bo}", headers=staff)
    school.client.get(f"/children/{school.bo}", headers=guardian)
    auditor = school.as_(Role.AUDITOR)

    def query(**params: Any) -> dict[str, Any]:
        answer = school.client.get("/audit/access-log", params=params, headers=auditor)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    everything = query()["records"]
    assert len(everything) == 5 and query()["next_page_token"] is None
    assert set(everything[0]) == {
        "id",
        "subject_id",
        "actor_id",
        "actor_role",
        "action",
        "resource",
        "purpose",
        "status",
        "day",
        "recorded_at",
    }
    bo = query(subject_id=str(school.bo))["records"]
    assert len(bo) == 3 and {r["subject_id"] for r in bo} == {str(school.bo)}
    by_guardian = query(actor_id=str(school.alva_guardian))["records"]
    assert [(r["subject_id"], r["status"]) for r in by_guardian] == [(str(school.bo), 404)]
    both = query(subject_id=str(school.bo), actor_id=str(school.teacher), since="2026-03-16")
    assert len(both["records"]) == 2
    assert query(until="2026-03-15")["records"] == []

    pages, token = [], None
    while True:
        page = query(limit=2, **({"page_token": token} if token else {}))
        pages.append(page["records"])
        token = page["next_page_token"]
        if token is None:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [r["id"] for p in pages for r in p] == [r["id"] for r in everything]
    assert query()["records"] == everything  # the auditor's own queries touch no one's records


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "query.limit"),
        ({"limit": "100000"}, "query.limit"),
        ({"subject_id": "19800101-0101"}, "query.subject_id"),
        ({"since": "yesterday"}, "query.since"),
        ({"page_token": "not-a-token"}, "page_token"),
        ({"since": "2026-03-16", "until": "2026-03-01"}, "until"),
    ],
)
def test_a_bad_query_names_the_field_without_echoing_it(
    school: School, params: dict[str, str], field: str
) -> None:
    answer = school.client.get("/audit/access-log", params=params, headers=school.as_(Role.AUDITOR))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["field"] == field
    assert "19800101" not in answer.text


def test_no_answer_leaves_without_its_log(school: School, monkeypatch: pytest.MonkeyPatch) -> None:
    real_save = school.gallra.app.save

    def failing(*objs: Any, **kwargs: Any) -> Any:
        if any(isinstance(o, AccessRecord) for o in objs):
            raise OSError("disk full")
        return real_save(*objs, **kwargs)

    monkeypatch.setattr(school.gallra.app, "save", failing)
    answer = school.client.get(
        f"/children/{school.alva}", headers=school.as_(Role.STAFF, school.teacher)
    )
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "Alva" not in answer.text and str(school.alva) not in answer.text


def test_an_unexpected_error_is_logged_with_its_500(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(view: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(people, "child_public", broken)
    with TestClient(
        create_http_app(school.gallra, background=False), raise_server_exceptions=False
    ) as client:
        answer = client.get(
            f"/children/{school.alva}", headers=school.as_(Role.STAFF, school.teacher)
        )
    assert answer.status_code == 500
    [record] = school.log()
    assert (record.subject_id, record.status) == (school.alva, 500)
