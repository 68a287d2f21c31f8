"""Student documentation over HTTP: who may write and read, versions, and who may not."""

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
from domain.people import Staff
from kiosk import kiosk_headers
from retention.keys.scope import Scope

START = date(2025, 8, 15)


@dataclass
class School:
    client: TestClient
    gallra: Gallra
    unit: UUID
    other_unit: UUID
    alva: UUID  # in 7A
    bo: UUID  # in 7B
    alva_guardian: UUID
    bo_guardian: UUID
    teacher_7a: UUID
    teacher_7b: UUID
    rektor: UUID
    assignment_7a: UUID

    def as_(self, role: Role, subject: UUID | None = None) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject))
        return {"Authorization": f"Bearer {token}"}

    def write(self, author: UUID, student: UUID, **body: Any) -> Any:
        payload = {
            "unit_id": str(self.unit),
            "category": "iup",
            "school_form": "grundskola",
            "written_on": "2026-03-02",
            "title": "Utvecklingssamtal",
            "content": "Mål: läsa mer",
            **body,
        }
        return self.client.post(
            f"/students/{student}/documentation",
            json=payload,
            headers=self.as_(Role.STAFF, author),
        )


def _staff(gallra: Gallra, unit: UUID, role: str, group: UUID | None) -> tuple[UUID, UUID]:
    s = Staff(given_name="S", family_name=uuid4().hex[:6], civic_number="-", civic_kind="t")
    duty = s.assign_duty(unit, role, START)
    assignment = s.assign_to_group(duty, group, "Lärare", START) if group else duty
    gallra.app.save(s)
    return s.id, assignment


@pytest.fixture
def school(gallra: Gallra) -> Iterator[School]:
    app = gallra.app
    unit = app.create_unit("Örnässkolan", "grundskola")
    other = app.create_unit("Hertsöskolan", "grundskola")
    groups = {}
    for name in ("7A", "7B"):
        group = Group(
            unit_id=unit, name=name, group_type="Klass", school_forms=["grundskola"], start=START
        )
        app.save(group)
        groups[name] = group.id
    guardians = [app.register_guardian("G", f"N{n}", f"1980010{n + 1}AB0{n}") for n in range(2)]
    students = []
    for n, name in enumerate(("7A", "7B")):
        kid = app.register_child(
            "E", f"N{n}", f"2012030{n + 1}TF0{n}", [(guardians[n], "Vårdnadshavare")]
        )
        placement = app.place_child(kid, unit, None, START)  # type: ignore[arg-type]
        child = app.repository.get(kid)
        child.join_group(placement, groups[name], START)
        app.save(child)
        students.append(kid)
    teacher_7a, assignment = _staff(gallra, unit, "Lärare", groups["7A"])
    teacher_7b, _ = _staff(gallra, unit, "Lärare", groups["7B"])
    rektor, _ = _staff(gallra, unit, "Rektor", None)
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield School(
            client,
            gallra,
            unit,
            other,
            students[0],
            students[1],
            guardians[0],
            guardians[1],
            teacher_7a,
            teacher_7b,
            rektor,
            assignment,
        )


def test_a_connected_teacher_writes_and_everyone_entitled_reads(school: School) -> None:
    made = school.write(school.teacher_7a, school.alva)
    assert made.status_code == 201, made.text
    entry = made.json()["id"]
    readers = [
        school.as_(Role.STAFF, school.teacher_7a),
        school.as_(Role.STAFF, school.rektor),
        school.as_(Role.GUARDIAN, school.alva_guardian),
        school.as_(Role.STUDENT, school.alva),
        school.as_(Role.AUDITOR),
    ]
    for headers in readers:
        listed = school.client.get(f"/students/{school.alva}/documentation", headers=headers)
        assert listed.status_code == 200, listed.text
        assert [e["id"] for e in listed.json()] == [entry]
        one = school.client.get(f"/documentation/{entry}", headers=headers)
        assert one.status_code == 200
        assert one.json()["version"]["content"] == "Mål: läsa mer"
        assert one.json()["version"]["author_id"] == str(school.teacher_7a)


def test_who_may_not_read(school: School) -> None:
    entry = school.write(school.teacher_7a, school.alva).json()["id"]
    for headers in (
        school.as_(Role.STAFF, school.teacher_7b),  # staff without connection
        school.as_(Role.GUARDIAN, school.bo_guardian),  # guardian of another child
        school.as_(Role.STUDENT, school.bo),  # another student
    ):
        assert school.client.get(f"/documentation/{entry}", headers=headers).status_code == 404
        listed = school.client.get(f"/students/{school.alva}/documentation", headers=headers)
        assert listed.status_code == 404
    for role in (Role.ADMIN, Role.KIOSK, Role.STATISTICIAN):
        headers = kiosk_headers(school.gallra) if role == Role.KIOSK else school.as_(role)
        assert school.client.get(f"/documentation/{entry}", headers=headers).status_code == 403
    history = school.client.get(
        f"/documentation/{entry}/history", headers=school.as_(Role.STAFF, school.teacher_7a)
    )
    assert history.status_code == 403


def test_staff_without_connection_cannot_write(school: School) -> None:
    assert school.write(school.teacher_7b, school.alva).status_code == 404
    # connected, but not through the unit named
    assert (
        school.write(school.teacher_7a, school.alva, unit_id=str(school.other_unit)).status_code
        == 404
    )
    assert school.write(school.teacher_7a, school.alva).status_code == 201


def test_a_disconnected_teacher_sees_nothing_any_more(school: School) -> None:
    entry = school.write(school.teacher_7a, school.alva).json()["id"]
    staff = school.gallra.app.repository.get(school.teacher_7a)
    assert isinstance(staff, Staff)
    staff.end_assignment(school.assignment_7a, date(2026, 3, 1))
    school.gallra.app.save(staff)
    headers = school.as_(Role.STAFF, school.teacher_7a)
    assert school.client.get(f"/documentation/{entry}", headers=headers).status_code == 404
    listed = school.client.get(f"/students/{school.alva}/documentation", headers=headers)
    assert listed.status_code == 404


def test_secure_notes_are_for_staff_only(school: School) -> None:
    note = school.write(
        school.teacher_7a, school.alva, category="sakra-anteckningar", title="Anteckning"
    ).json()["id"]
    iup = school.write(school.teacher_7a, school.alva).json()["id"]
    guardian = school.as_(Role.GUARDIAN, school.alva_guardian)
    listed = school.client.get(f"/students/{school.alva}/documentation", headers=guardian)
    assert [e["id"] for e in listed.json()] == [iup]
    assert school.client.get(f"/documentation/{note}", headers=guardian).status_code == 404
    teacher = school.as_(Role.STAFF, school.teacher_7a)
    assert school.client.get(f"/documentation/{note}", headers=teacher).status_code == 200
    only = school.client.get(
        f"/students/{school.alva}/documentation?category=sakra-anteckningar", headers=teacher
    )
    assert [e["id"] for e in only.json()] == [note]


def test_edits_are_versions_and_a_stale_edit_is_refused(school: School) -> None:
    entry = school.write(school.teacher_7a, school.alva).json()["id"]
    teacher = school.as_(Role.STAFF, school.teacher_7a)
    edit = {"base_version": 1, "title": "Utvecklingssamtal", "content": "Mål: läsa två böcker"}
    first = school.client.put(f"/documentation/{entry}", json=edit, headers=teacher)
    assert first.status_code == 200 and first.json() == {"version": 2}
    again = school.client.put(f"/documentation/{entry}", json=edit, headers=teacher)
    assert again.json() == {"version": 2}  # the same edit retried
    stale = school.client.put(
        f"/documentation/{entry}", json={**edit, "content": "annat"}, headers=teacher
    )
    assert stale.status_code == 409
    assert stale.json()["field"] == "base_version"
    current = school.client.get(f"/documentation/{entry}", headers=teacher).json()
    assert current["versions"] == 2 and current["version"]["content"] == edit["content"]
    history = school.client.get(
        f"/documentation/{entry}/history", headers=school.as_(Role.AUDITOR)
    ).json()
    assert [v["content"] for v in history["history"]] == ["Mål: läsa mer", edit["content"]]


def test_a_retried_write_with_its_id_is_one_entry(school: School) -> None:
    entry_id = str(uuid4())
    first = school.write(school.teacher_7a, school.alva, entry_id=entry_id)
    second = school.write(school.teacher_7a, school.alva, entry_id=entry_id)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] == entry_id
    other = school.write(school.teacher_7a, school.alva, entry_id=entry_id, content="annat")
    assert other.status_code == 409 and other.json()["field"] == "entry_id"
    listed = school.client.get(
        f"/students/{school.alva}/documentation", headers=school.as_(Role.AUDITOR)
    )
    assert len(listed.json()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "dagbok"}, "category"),
        ({"category": "betygsunderlag", "school_form": "förskola"}, "school_form"),
        ({"school_form": "gymnasieskola"}, "school_form"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_entries_name_the_field(school: School, body: dict[str, str], field: str) -> None:
    answer = school.write(school.teacher_7a, school.alva, **body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in str(answer.json())


def test_a_culled_entry_reads_as_culled(school: School) -> None:
    entry = school.write(school.teacher_7a, school.alva).json()["id"]
    app = school.gallra.app
    app.keystore.shred(uuid4(), scopes=[Scope(school.alva, "iup", "2026-03")])
    app.evict_caches()
    auditor = school.as_(Role.AUDITOR)
    body = school.client.get(f"/documentation/{entry}/history", headers=auditor).json()
    assert body["category"] == "iup"
    assert body["student_id"] is None and "student_id" in body["culled"]
    assert body["history"][0]["content"] is None
    assert "content" in body["history"][0]["culled"]
    teacher = school.as_(Role.STAFF, school.teacher_7a)
    assert school.client.get(f"/documentation/{entry}", headers=teacher).status_code == 404


def test_transition_documentation_follows_a_consented_transfer(school: School) -> None:
    """A preschool's transition documentation is read at the school only after a transfer
    that every custodian consented to; other kinds stay at the preschool."""
    app = school.gallra.app
    preschool = app.create_unit("Förskolan Norrsken", "förskola")
    department = app.add_department(preschool, "Björnen")
    educator, _ = _staff(school.gallra, preschool, "Förskollärare", department)
    kid = app.register_child("L", "K", "20190101TF09", [(school.alva_guardian, "Vårdnadshavare")])
    child = app.repository.get(kid)
    first = child.place(preschool, department, date(2022, 8, 1), "förskola")
    app.save(child)
    common = {"unit_id": str(preschool), "school_form": "förskola", "written_on": "2025-05-05"}
    talk = school.write(educator, kid, category="samtal", **common).json()["id"]
    support = school.write(educator, kid, category="stodinsatser", **common).json()["id"]
    child = app.repository.get(kid)
    child.end_placement(first, date(2025, 6, 30))
    second = child.place(school.unit, None, date(2025, 8, 15), "förskoleklass")
    app.save(child)
    # the 7A teacher is connected to the child once it joins 7A
    child = app.repository.get(kid)
    seven_a = next(m.group_id for m in app.repository.get(school.alva).memberships.values())
    child.join_group(second, seven_a, date(2025, 8, 15))
    app.save(child)
    teacher = school.as_(Role.STAFF, school.teacher_7a)
    listed = school.client.get(f"/students/{kid}/documentation", headers=teacher)
    assert listed.status_code == 200 and listed.json() == []  # connected, nothing transferred
    admin = school.as_(Role.ADMIN)
    path = f"/children/{kid}/transition-documentation/transfer"
    refused = school.client.post(path, json={"placement_id": str(second)}, headers=admin)
    assert refused.status_code == 409 and refused.json()["field"] == "consent"
    guardian = school.as_(Role.GUARDIAN, school.alva_guardian)
    given = school.client.put(f"/children/{kid}/consent", json={"given": True}, headers=guardian)
    assert given.status_code == 200 and given.json()["valid"] is True
    done = school.client.post(path, json={"placement_id": str(second)}, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json()["from_unit"] == str(preschool)
    listed = school.client.get(f"/students/{kid}/documentation", headers=teacher)
    assert [e["id"] for e in listed.json()] == [talk]  # samtal follows, stödinsatser stays
    assert school.client.get(f"/documentation/{support}", headers=teacher).status_code == 404


def test_consent_is_the_guardians_own_and_audited(school: School) -> None:
    app = school.gallra.app
    mine = school.as_(Role.GUARDIAN, school.alva_guardian)
    other = school.as_(Role.GUARDIAN, school.bo_guardian)
    path = f"/children/{school.alva}/consent"
    assert school.client.put(path, json={"given": True}, headers=other).status_code == 404
    assert school.client.get(path, headers=other).status_code == 404
    assert school.client.put(path, json={"given": True}, headers=mine).json()["valid"]
    assert school.client.put(path, json={"given": False}, headers=mine).json()["valid"] is False
    assert (
        school.client.put(path, json={"given": True}, headers=school.as_(Role.ADMIN)).status_code
        == 403
    )
    history = school.client.get(f"{path}/history", headers=school.as_(Role.AUDITOR)).json()
    assert [(h["guardian_id"], h["given"]) for h in history] == [
        (str(school.alva_guardian), True),
        (str(school.alva_guardian), False),
    ]
    assert school.client.get(f"{path}/history", headers=mine).status_code == 403
    assert app.get_consent(school.alva).needed_from == [school.alva_guardian]


def test_consent_is_read_only_by_staff_who_see_the_child(school: School) -> None:
    path = f"/children/{school.alva}/consent"
    elsewhere, _ = _staff(school.gallra, school.other_unit, "Lärare", None)
    unknown = school.client.get(
        f"/children/{uuid4()}/consent", headers=school.as_(Role.STAFF, elsewhere)
    )
    refused = school.client.get(path, headers=school.as_(Role.STAFF, elsewhere))
    assert refused.status_code == unknown.status_code == 404
    assert refused.json()["type"] == unknown.json()["type"]
    assert school.client.get(path, headers=school.as_(Role.STAFF)).status_code == 404
    seen = school.client.get(path, headers=school.as_(Role.STAFF, school.teacher_7a))
    assert seen.status_code == 200 and seen.json()["needed_from"] == [str(school.alva_guardian)]
