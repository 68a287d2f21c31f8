"""Pick-up persons and the paired kiosk over HTTP: who names, who reads, what the kiosk sees."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from conftest import Clock
from retention.keys.scope import Scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\2" * 64
PHONE = "070-765 43 21"
GRANDMA = {
    "name": "Mormor Berit",
    "phone": PHONE,
    "photo_type": "image/png",
    "photo": base64.b64encode(PNG).decode(),
}


@dataclass
class Town:
    client: TestClient
    gallra: Gallra
    unit: UUID
    dep: UUID
    other_dep: UUID
    child: UUID
    guardian: UUID
    stranger_guardian: UUID
    eva: UUID  # a duty at the child's unit
    stranger: UUID  # a duty at another unit
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_(self, role: Role, subject: UUID | None = None) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject))
        return {"Authorization": f"Bearer {token}"}

    def pair(self, department: UUID, headers: dict[str, str] | None = None) -> dict[str, Any]:
        answer = self.client.post(
            f"/departments/{department}/kiosks",
            json={"label": "Björnen entré"},
            headers=headers or self.as_(Role.ADMIN),
        )
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def kiosk(self, department: UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.pair(department)['token']}"}

    def persons(self, child: UUID) -> str:
        return f"/children/{child}/pickup-persons"


@pytest.fixture
def town(gallra: Gallra) -> Iterator[Town]:
    app = gallra.app
    unit, dep, kids = enrolled_department(app, 1, "Förskolan Norrsken", "Björnen")
    other_dep = app.add_department(unit, "Ugglan")
    far_unit = app.create_unit("Förskolan Söder", "förskola")
    stranger_guardian = app.register_guardian("H", "Far", "19800105AB05")
    far_child = app.register_child(
        "D", "Far", "20200205TF05", [(stranger_guardian, "Vårdnadshavare")]
    )
    app.place_child(far_child, far_unit, app.add_department(far_unit, "Myran"), date(2022, 8, 1))
    eva = app.register_staff("Eva", "Berg", "19800101TF01")
    app.assign_duty(eva, unit, "Förskollärare", date(2025, 8, 1))
    stranger = app.register_staff("Sam", "Ek", "19800102TF02")
    app.assign_duty(stranger, far_unit, "Förskollärare", date(2025, 8, 1))
    guardian = next(iter(app.get_child(kids[0]).guardians))
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Town(
            client,
            gallra,
            unit,
            dep,
            other_dep,
            kids[0],
            guardian,
            stranger_guardian,
            eva,
            stranger,
        )


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_a_guardian_names_a_person_with_a_photo_and_the_kiosk_shows_them(
    town: Town, clock: Clock
) -> None:
    c, person = town.client, uuid4()
    guardian = town.as_(Role.GUARDIAN, town.guardian)
    url = f"{town.persons(town.child)}/{person}"
    added = c.put(url, json=GRANDMA, headers=guardian)
    assert added.status_code == 201 and added.json()["outcome"] == "added"
    again = c.put(url, json=GRANDMA, headers=guardian)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    listed = c.get(town.persons(town.child), headers=guardian).json()
    assert listed == [
        {
            "person_id": str(person),
            "name": "Mormor Berit",
            "phone": PHONE,
            "has_photo": True,
            "photo_type": "image/png",
            "culled": [],
        }
    ]
    assert c.get(town.persons(town.child), headers=town.as_(Role.STAFF, town.eva)).json() == listed
    photo = c.get(f"{url}/photo", headers=guardian)
    assert photo.content == PNG and photo.headers["content-type"] == "image/png"

    kiosk = town.kiosk(town.dep)
    at = datetime(2026, 3, 16, 7, 30, tzinfo=UTC)
    checked_in = c.post(
        f"/departments/{town.dep}/check-ins",
        json={"submission_id": str(uuid4()), "child_id": str(town.child), "at": at.isoformat()},
        headers=kiosk,
    )
    assert checked_in.status_code == 201, checked_in.text
    screen = c.get(f"/departments/{town.dep}/kiosk/children", headers=kiosk)
    assert screen.status_code == 200, screen.text
    [child] = screen.json()
    assert child["child_id"] == str(town.child) and child["given_name"] == "C"
    assert child["present"] is True
    assert datetime.fromisoformat(child["present_since"]) == at
    assert child["guardians"] == [
        {"guardian_id": str(town.guardian), "given_name": "G", "culled": []}
    ]
    assert child["pickup_persons"] == [
        {"person_id": str(person), "name": "Mormor Berit", "has_photo": True, "culled": []}
    ]
    # Random ids may hold any digits: look for the secrets in everything but the ids.
    shown = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", screen.text)
    for secret in ("070", "765", "Nr0", "2020020", "19800101"):  # phone, family name, civic
        assert secret not in shown
    kiosk_photo = c.get(
        f"/departments/{town.dep}/kiosk/pickup-persons/{person}/photo", headers=kiosk
    )
    assert kiosk_photo.status_code == 200 and kiosk_photo.content == PNG
    problem(
        c.get(f"/departments/{town.dep}/kiosk/pickup-persons/{uuid4()}/photo", headers=kiosk), 404
    )

    logged = {(r.subject_id, r.actor_role) for r in town.gallra.audit.records().rows}
    assert {(town.child, "kiosk"), (person, "kiosk"), (person, "guardian")} <= logged


def test_staff_who_see_the_child_write_too_and_a_removed_person_is_not_listed(town: Town) -> None:
    c, person = town.client, uuid4()
    eva = town.as_(Role.STAFF, town.eva)
    url = f"{town.persons(town.child)}/{person}"
    assert (
        c.put(url, json={"name": "Morfar", "phone": "0701234567"}, headers=eva).status_code == 201
    )
    changed = c.put(url, json={"name": "Morfar Olle", "phone": "0701234567"}, headers=eva)
    assert changed.json()["outcome"] == "changed"
    problem(c.get(f"{url}/photo", headers=eva), 404)  # none given
    assert c.delete(url, headers=town.as_(Role.GUARDIAN, town.guardian)).status_code == 204
    assert c.delete(url, headers=eva).status_code == 204  # again: a no-op
    assert c.get(town.persons(town.child), headers=eva).json() == []
    kiosk = town.kiosk(town.dep)
    [child] = c.get(f"/departments/{town.dep}/kiosk/children", headers=kiosk).json()
    assert child["pickup_persons"] == [] and child["present"] is False
    assert problem(c.put(url, json=GRANDMA, headers=eva), 409)["field"] == "person_id"


def test_an_unrelated_guardian_or_staff_member_gets_what_an_unknown_child_gets(town: Town) -> None:
    c, person = town.client, uuid4()
    c.put(
        f"{town.persons(town.child)}/{person}",
        json=GRANDMA,
        headers=town.as_(Role.GUARDIAN, town.guardian),
    )
    unknown = problem(
        c.get(town.persons(uuid4()), headers=town.as_(Role.GUARDIAN, town.guardian)), 404
    )
    for headers in (
        town.as_(Role.GUARDIAN, town.stranger_guardian),
        town.as_(Role.STAFF, town.stranger),
    ):
        url = f"{town.persons(town.child)}/{person}"
        for response in (
            c.get(town.persons(town.child), headers=headers),
            c.get(f"{url}/photo", headers=headers),
            c.put(url, json=GRANDMA, headers=headers),
            c.delete(url, headers=headers),
        ):
            body = problem(response, 404)
            assert body["type"] == unknown["type"] and "Mormor" not in response.text
    assert len(c.get(town.persons(town.child), headers=town.as_(Role.STAFF, town.eva)).json()) == 1


def test_bad_input_names_the_field_and_is_never_echoed(town: Town) -> None:
    c, guardian = town.client, town.as_(Role.GUARDIAN, town.guardian)
    url = f"{town.persons(town.child)}/{uuid4()}"
    for body, field_name in [
        ({**GRANDMA, "phone": "12-34"}, "phone"),
        ({**GRANDMA, "photo_type": "image/gif"}, "photo_type"),
        ({**GRANDMA, "photo": base64.b64encode(b"GIF89a-not-png").decode()}, "photo"),
        ({**GRANDMA, "photo": "%%%"}, "photo"),
    ]:
        refused = problem(c.put(url, json=body, headers=guardian), 422)
        assert refused["field"] == field_name
        assert body[field_name] not in str(refused)
    assert c.get(town.persons(town.child), headers=guardian).json() == []


def test_a_culled_pick_up_person_answers_null_with_a_culled_list(town: Town) -> None:
    c, person = town.client, uuid4()
    guardian = town.as_(Role.GUARDIAN, town.guardian)
    c.put(f"{town.persons(town.child)}/{person}", json=GRANDMA, headers=guardian)
    town.gallra.app.keystore.shred(uuid4(), scopes=[Scope(person, "pickup", "-")])
    town.gallra.app.evict_caches()
    [listed] = c.get(town.persons(town.child), headers=guardian).json()
    assert listed["name"] is None and listed["phone"] is None and listed["has_photo"] is False
    assert set(listed["culled"]) == {"name", "phone", "photo_type", "photo"}
    problem(c.get(f"{town.persons(town.child)}/{person}/photo", headers=guardian), 404)
    [child] = c.get(f"/departments/{town.dep}/kiosk/children", headers=town.kiosk(town.dep)).json()
    assert child["pickup_persons"] == []  # a culled person may fetch no one


def test_an_unpaired_kiosk_is_refused_as_any_invalid_token(town: Town) -> None:
    c = town.client
    paired = town.pair(town.dep, town.as_(Role.STAFF, town.eva))
    kiosk = {"Authorization": f"Bearer {paired['token']}"}
    screen = f"/departments/{town.dep}/kiosk/children"
    assert c.get(screen, headers=kiosk).status_code == 200
    listed = c.get(f"/departments/{town.dep}/kiosks", headers=town.as_(Role.STAFF, town.eva)).json()
    assert [(k["kiosk_id"], k["paired"]) for k in listed] == [(paired["kiosk_id"], True)]
    problem(
        c.delete(f"/kiosks/{paired['kiosk_id']}", headers=town.as_(Role.STAFF, town.stranger)), 403
    )
    assert (
        c.delete(
            f"/kiosks/{paired['kiosk_id']}", headers=town.as_(Role.STAFF, town.eva)
        ).status_code
        == 204
    )
    refused = problem(c.get(screen, headers=kiosk), 401)
    forged = (
        paired["token"][:-2] + ("A" if paired["token"][-2] != "A" else "B") + paired["token"][-1]
    )
    invalid = problem(c.get(screen, headers={"Authorization": f"Bearer {forged}"}), 401)
    assert refused["detail"] == invalid["detail"] == "invalid token"
    problem(c.post(f"/departments/{town.dep}/check-ins", json={}, headers=kiosk), 401)
    # a device paired to one department, in a token naming another, is no kiosk at all
    elsewhere = town.gallra.tokens.issue(
        Principal(
            Role.KIOSK, department=town.other_dep, device=UUID(town.pair(town.dep)["kiosk_id"])
        )
    )
    problem(
        c.get(
            f"/departments/{town.other_dep}/kiosk/children",
            headers={"Authorization": f"Bearer {elsewhere}"},
        ),
        401,
    )


def test_a_kiosk_of_another_department_is_forbidden(town: Town) -> None:
    person = uuid4()
    town.client.put(
        f"{town.persons(town.child)}/{person}",
        json=GRANDMA,
        headers=town.as_(Role.GUARDIAN, town.guardian),
    )
    other = town.kiosk(town.other_dep)
    problem(town.client.get(f"/departments/{town.dep}/kiosk/children", headers=other), 403)
    photo = f"/departments/{town.dep}/kiosk/pickup-persons/{person}/photo"
    problem(town.client.get(photo, headers=other), 403)
    assert (
        town.client.get(f"/departments/{town.other_dep}/kiosk/children", headers=other).json() == []
    )


def test_the_kiosk_reads_nothing_else_of_a_child(town: Town) -> None:
    person = uuid4()
    town.client.put(
        f"{town.persons(town.child)}/{person}",
        json=GRANDMA,
        headers=town.as_(Role.GUARDIAN, town.guardian),
    )
    kiosk = town.kiosk(town.dep)
    for path in (
        town.persons(town.child),
        f"{town.persons(town.child)}/{person}/photo",
        f"/children/{town.child}",
        f"/people/{town.child}/contact",
        f"/people/{town.guardian}/contact",
        f"/guardians/{town.guardian}",
        f"/students/{town.child}/documentation",
        f"/children/{town.child}/schedules",
        f"/departments/{town.dep}/kiosks",
    ):
        response = town.client.get(path, headers=kiosk)
        assert response.status_code == 403, (path, response.text)
        assert PHONE not in response.text
    put = town.client.put(f"{town.persons(town.child)}/{uuid4()}", json=GRANDMA, headers=kiosk)
    problem(put, 403)
    problem(
        town.client.post(f"/departments/{town.dep}/kiosks", json={"label": "x"}, headers=kiosk), 403
    )


def test_who_may_pair_a_kiosk(town: Town) -> None:
    c = town.client
    url = f"/departments/{town.dep}/kiosks"
    assert town.pair(town.dep, town.as_(Role.STAFF, town.eva))["token"]
    for headers, status in [
        (town.as_(Role.STAFF, town.stranger), 403),
        (town.as_(Role.STAFF), 403),
        (town.as_(Role.GUARDIAN, town.guardian), 403),
    ]:
        problem(c.post(url, json={"label": "Entré"}, headers=headers), status)
        problem(c.get(url, headers=headers), status)
    admin = town.as_(Role.ADMIN)
    assert (
        problem(c.post(f"/departments/{uuid4()}/kiosks", json={"label": "x"}, headers=admin), 404)[
            "field"
        ]
        == "department_id"
    )
    assert problem(c.post(url, json={"label": "   "}, headers=admin), 422)["field"] == "label"
    problem(c.delete(f"/kiosks/{uuid4()}", headers=admin), 404)
    assert len(c.get(url, headers=admin).json()) == 1
