"""Person details and children's placements and groups over HTTP: who may read and write,
protected identity, problem+json with the field at fault, and nothing personal echoed."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from conftest import Clock
from domain.organisation import Group, Unit
from domain.people import Staff
from kiosk import kiosk_headers
from retention.keys.scope import Scope

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 32).decode()
MOBILE, EMAIL = "070-123 45 67", "anna.lind@example.se"


@dataclass
class Town:
    client: TestClient
    gallra: Gallra
    preschool: UUID
    bjornen: UUID
    ugglan: UUID
    school: UUID
    fritids: UUID
    anna: UUID  # guardian
    bo: UUID  # the other guardian
    child: UUID
    staff: UUID

    def as_(self, role: Role, subject: UUID | None = None) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject))
        return {"Authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.as_(Role.ADMIN)

    def get(self, path: str, headers: dict[str, str]) -> Response:
        return self.client.get(path, headers=headers)

    def put(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Response:
        return self.client.put(path, json=body, headers=headers)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Response:
        return self.client.post(path, json=body, headers=headers)


@pytest.fixture
def town(gallra: Gallra) -> Iterator[Town]:
    app = gallra.app
    preschool = app.create_unit("Förskolan Norrsken", "förskola")
    school = Unit(name="Norrskolan", school_forms=["grundskola", "fritidshem"])
    app.save(school)
    anna = app.register_guardian("Anna", "Lind", "19811228-9874")
    bo = app.register_guardian("Bo", "Lind", "19800101TF01")
    child = app.register_child(
        "Saga", "Lind", "20210412-2383", [(anna, "Vårdnadshavare"), (bo, "Vårdnadshavare")]
    )
    staff = Staff(given_name="Eva", family_name="Berg", civic_number="x", civic_kind="temporary")
    app.save(staff)
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Town(
            client,
            gallra,
            preschool,
            app.add_department(preschool, "Björnen"),
            app.add_department(preschool, "Ugglan"),
            school.id,
            app.add_department(school.id, "Fritids"),
            anna,
            bo,
            child,
            staff.id,
        )


def connect(town: Town) -> None:
    """Staff see only whom they are connected to: Saga at Björnen, and Eva on duty there."""
    app = town.gallra.app
    app.place_child(town.child, town.preschool, town.bjornen, date(2026, 1, 7))
    app.assign_duty(town.staff, town.preschool, "Förskollärare", date(2025, 8, 1))


def problem(response: Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.get("field") == field
    return body


def same_as_unknown(town: Town, response: Response, person: UUID) -> None:
    """A refused read answers exactly as an id that names nobody."""
    nobody = uuid4()
    unknown = town.get(f"/people/{nobody}/contact", town.admin).json()
    unknown["detail"] = unknown["detail"].replace(str(nobody), str(person))
    assert response.status_code == 404 and response.json() == unknown


# -- contact ----------------------------------------------------------------------------------


def test_people_keep_their_own_contact(town: Town) -> None:
    connect(town)
    anna = town.as_(Role.GUARDIAN, town.anna)
    contact = {"mobile": MOBILE, "email": EMAIL}
    assert town.put(f"/people/{town.anna}/contact", contact, anna).status_code == 204
    mine = town.get(f"/people/{town.anna}/contact", anna).json()
    assert mine == {"id": str(town.anna), **contact, "protected": False, "culled": []}
    staff = town.as_(Role.STAFF, town.staff)
    assert (
        town.put(f"/people/{town.staff}/contact", {"mobile": "+46701234567"}, staff).status_code
        == 204
    )
    assert town.get(f"/people/{town.anna}/contact", staff).json()["email"] == EMAIL
    student = town.as_(Role.STUDENT, town.child)
    assert town.put(f"/people/{town.child}/contact", contact, student).status_code == 204
    assert town.get(f"/people/{town.child}/contact", anna).json()["mobile"] == MOBILE


def test_only_the_person_or_admin_writes(town: Town) -> None:
    body = {"mobile": MOBILE}
    for role, subject, person in [
        (Role.STAFF, town.staff, town.anna),
        (Role.GUARDIAN, town.anna, town.child),  # a guardian reads the child's, never writes
        (Role.GUARDIAN, town.anna, town.bo),
        (Role.STUDENT, town.child, town.anna),
    ]:
        for path in ("contact", "profile", "settings"):
            refused = town.put(f"/people/{person}/{path}", {}, town.as_(role, subject))
            problem(refused, 403)
        problem(town.put(f"/people/{person}/contact", body, town.as_(role, subject)), 403)
    problem(town.put(f"/people/{town.anna}/contact", body, kiosk_headers(town.gallra)), 403)
    assert town.put(f"/people/{town.anna}/contact", body, town.admin).status_code == 204
    problem(town.put(f"/people/{uuid4()}/contact", body, town.admin), 404)


def test_reads_of_other_peoples_records_answer_as_unknown_ids(town: Town) -> None:
    for role, subject, person in [
        (Role.GUARDIAN, town.anna, town.bo),  # the other guardian
        (Role.GUARDIAN, uuid4(), town.child),  # not this child's guardian
        (Role.STUDENT, town.child, town.anna),
    ]:
        for path in ("contact", "profile"):
            response = town.get(f"/people/{person}/{path}", town.as_(role, subject))
            assert response.status_code == 404
            assert response.json()["type"] == "urn:gallra:problem:not-found"
        same_as_unknown(
            town, town.get(f"/people/{person}/contact", town.as_(role, subject)), person
        )
    staff_reads_settings = town.get(f"/people/{town.anna}/settings", town.as_(Role.STAFF))
    same_as_unknown(town, staff_reads_settings, town.anna)
    problem(town.get(f"/people/{town.anna}/contact", kiosk_headers(town.gallra)), 403)
    problem(town.get(f"/people/{town.anna}/contact", town.as_(Role.STATISTICIAN)), 403)


def test_contact_formats_are_checked_and_never_echoed(town: Town) -> None:
    path, anna = f"/people/{town.anna}/contact", town.as_(Role.GUARDIAN, town.anna)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"mobile": "070/998877"}, "mobile"),
        ({"mobile": "0701234567 0701234567"}, "mobile"),  # over 20: refused by the schema
        ({"email": "hemlig.person@"}, "email"),
        ({"email": "hemlig.person@example"}, "email"),
        ({"email": 7}, "email"),
        ({"phone": "0701234567"}, "phone"),
    ]
    for body, field in cases:
        response = town.put(path, body, anna)
        problem(response, 422, field)
        assert "998877" not in response.text and "hemlig" not in response.text
        assert "0701234567" not in response.text


# -- protected identity ---------------------------------------------------------------------------


def test_protected_identity_shows_contact_to_admin_and_self_only(town: Town) -> None:
    connect(town)
    contact = {"mobile": MOBILE, "email": EMAIL}
    for person in (town.anna, town.child):
        assert town.put(f"/people/{person}/contact", contact, town.admin).status_code == 204
        marking = {"marking": "Skyddad folkbokföring"}
        assert (
            town.put(f"/people/{person}/security-marking", marking, town.admin).status_code == 204
        )
    withheld: dict[str, Any] = {"mobile": None, "email": None, "protected": True, "culled": []}
    for reader, person in [
        (town.as_(Role.STAFF, town.staff), town.anna),
        (town.as_(Role.STAFF, town.staff), town.child),
        (town.as_(Role.GUARDIAN, town.bo), town.child),  # the other guardian
        (town.as_(Role.GUARDIAN, town.anna), town.child),
    ]:
        response = town.get(f"/people/{person}/contact", reader)
        assert response.json() == {"id": str(person), **withheld}
        assert "070" not in response.text and "example.se" not in response.text
    problem(town.get(f"/people/{town.anna}/contact", town.as_(Role.GUARDIAN, town.bo)), 404)
    shown = {**contact, "protected": True, "culled": []}
    for reader, person in [
        (town.admin, town.anna),
        (town.as_(Role.GUARDIAN, town.anna), town.anna),
        (town.admin, town.child),
        (town.as_(Role.STUDENT, town.child), town.child),
    ]:
        assert town.get(f"/people/{person}/contact", reader).json() == {"id": str(person), **shown}
    unmark = {"marking": "Ingen"}
    assert town.put(f"/people/{town.anna}/security-marking", unmark, town.admin).status_code == 204
    staff = town.as_(Role.STAFF, town.staff)
    assert town.get(f"/people/{town.anna}/contact", staff).json()["mobile"] == MOBILE


def test_only_admin_sets_the_security_marking(town: Town) -> None:
    path, marking = f"/people/{town.anna}/security-marking", {"marking": "Sekretessmarkering"}
    problem(town.put(path, marking, town.as_(Role.GUARDIAN, town.anna)), 403)
    problem(town.put(path, marking, town.as_(Role.STAFF, town.staff)), 403)
    problem(town.put(path, {"marking": "Hemlig"}, town.admin), 422, "marking")
    problem(town.put(f"/people/{uuid4()}/security-marking", marking, town.admin), 404)


# -- profile and settings -------------------------------------------------------------------------


def test_profile_and_settings(town: Town) -> None:
    connect(town)
    bo = town.as_(Role.GUARDIAN, town.bo)
    profile = {"picture_type": "image/png", "picture": PNG, "profile_text": "Pappa till Saga"}
    assert town.put(f"/people/{town.bo}/profile", profile, bo).status_code == 204
    seen = town.get(f"/people/{town.bo}/profile", town.as_(Role.STAFF, town.staff)).json()
    assert seen == {"id": str(town.bo), **profile, "culled": []}
    problem(town.put(f"/people/{town.bo}/profile", {"picture": PNG}, bo), 422, "picture_type")
    bad = {"picture_type": "image/png", "picture": "inte base64"}
    problem(town.put(f"/people/{town.bo}/profile", bad, bo), 422, "picture")
    huge = {"picture_type": "image/png", "picture": "A" * 400_000}
    problem(town.put(f"/people/{town.bo}/profile", huge, bo), 422, "picture")
    settings = {"settings": {"notify.sms": True, "consent.photo": False}}
    assert town.put(f"/people/{town.bo}/settings", settings, bo).status_code == 204
    assert town.get(f"/people/{town.bo}/settings", bo).json()["settings"] == settings["settings"]
    assert town.get(f"/people/{town.bo}/settings", town.admin).status_code == 200
    problem(
        town.put(f"/people/{town.bo}/settings", {"settings": {"x": "ja"}}, bo), 422, "settings.x"
    )
    problem(town.put(f"/people/{town.bo}/settings", {"settings": {"X": True}}, bo), 422, "settings")


def test_culled_details_answer_null_and_new_ones_start_afresh(town: Town) -> None:
    """Culled contact details read as null; new ones are kept under the next generation
    (ADR 0026), while a culled identity still refuses every write."""
    anna = town.as_(Role.GUARDIAN, town.anna)
    town.put(f"/people/{town.anna}/contact", {"mobile": MOBILE, "email": EMAIL}, anna)
    town.put(f"/people/{town.anna}/settings", {"settings": {"notify.sms": True}}, anna)
    scopes = [Scope(town.anna, "contact", "-"), Scope(town.anna, "profile", "-")]
    town.gallra.app.keystore.shred(uuid4(), scopes=scopes)
    town.gallra.app.evict_caches()
    contact = town.get(f"/people/{town.anna}/contact", anna).json()
    assert contact["mobile"] is None and set(contact["culled"]) == {"mobile", "email"}
    settings = town.get(f"/people/{town.anna}/settings", anna).json()
    assert settings == {"id": str(town.anna), "settings": None, "culled": ["settings"]}
    again = town.put(f"/people/{town.anna}/contact", {"mobile": MOBILE}, anna)
    assert again.status_code == 204, again.text
    contact = town.get(f"/people/{town.anna}/contact", anna).json()
    assert contact["mobile"] == MOBILE and contact["culled"] == []
    town.gallra.app.keystore.shred(uuid4(), scopes=[Scope(town.anna, "identity", "-")])
    town.gallra.app.evict_caches()
    marked = town.put(
        f"/people/{town.anna}/security-marking", {"marking": "Skyddad folkbokföring"}, town.admin
    )
    assert problem(marked, 409)["type"] == "urn:gallra:problem:period-culled"


# -- placements and groups ------------------------------------------------------------------------


def test_placements_moves_and_groups_over_http(town: Town, clock: Clock) -> None:
    child, admin = f"/children/{town.child}", town.admin
    placed = town.post(
        f"{child}/placements",
        {"unit_id": str(town.school), "start": "2026-08-17", "school_form": "grundskola"},
        admin,
    )
    assert placed.status_code == 201, placed.text
    placement = placed.json()["id"]
    group = Group(
        unit_id=town.school,
        name="1A",
        group_type="Klass",
        school_forms=["grundskola"],
        start=date(2026, 8, 1),
    )
    town.gallra.app.save(group)
    join = {"placement_id": placement, "group_id": str(group.id), "start": "2026-08-17"}
    joined = town.post(f"{child}/groups", join, admin)
    assert joined.status_code == 201, joined.text
    assert town.post(f"{child}/groups", join, admin).json() == joined.json()  # a retry
    # Staff see the children they are connected to today: Eva, 1A's mentor, on the first day.
    app, first_day = town.gallra.app, datetime(2026, 8, 17, 9, 0, tzinfo=UTC)
    duty = app.assign_duty(town.staff, town.school, "Lärare", date(2026, 8, 1))
    app.assign_to_group(town.staff, duty, group.id, "Mentor", date(2026, 8, 17))
    before, clock.now = clock.now, first_day
    shown = town.get(child, town.as_(Role.STAFF, town.staff)).json()
    clock.now = before
    assert shown["placements"][0]["school_form"] == "grundskola"
    assert shown["groups"] == [
        {
            "membership_id": joined.json()["id"],
            "placement_id": placement,
            "group_id": str(group.id),
            "start": "2026-08-17",
            "end": None,
            "culled": [],
        }
    ]
    leave = f"{child}/groups/{group.id}/leave"
    assert town.post(leave, {"end": "2026-12-18"}, admin).status_code == 204
    problem(town.post(leave, {"end": "2026-12-19"}, admin), 404, "group_id")
    preschool = town.post(
        f"{child}/placements",
        {"unit_id": str(town.preschool), "department_id": str(town.bjornen), "start": "2026-01-07"},
        admin,
    ).json()["id"]
    move = {"unit_id": str(town.preschool), "department_id": str(town.ugglan), "on": "2026-03-02"}
    moved = town.post(f"{child}/placements/{preschool}/move", move, admin)
    assert moved.status_code == 201, moved.text
    placements = {p["placement_id"]: p for p in town.get(child, admin).json()["placements"]}
    assert placements[preschool]["end"] == "2026-03-01"
    assert placements[moved.json()["id"]]["department_id"] == str(town.ugglan)
    problem(town.post(f"{child}/placements/{preschool}/move", move, admin), 409, "placement_id")


def test_placement_and_group_problems(town: Town) -> None:
    child, admin = f"/children/{town.child}", town.admin
    school = {"unit_id": str(town.school), "start": "2026-08-17"}
    problem(town.post(f"{child}/placements", school, admin), 422, "school_form")
    fritids = {**school, "school_form": "fritidshem"}
    problem(town.post(f"{child}/placements", fritids, admin), 422, "department_id")
    elsewhere = {**fritids, "department_id": str(town.bjornen)}
    problem(town.post(f"{child}/placements", elsewhere, admin), 404, "department_id")
    ok = town.post(f"{child}/placements", {**fritids, "department_id": str(town.fritids)}, admin)
    assert ok.status_code == 201, ok.text
    as_group = {
        "placement_id": ok.json()["id"],
        "group_id": str(town.fritids),
        "start": "2026-08-17",
    }
    problem(town.post(f"{child}/groups", as_group, admin), 404, "group_id")
    staff = town.as_(Role.STAFF, town.staff)
    problem(town.post(f"{child}/placements", fritids, staff), 403)
    problem(town.post(f"{child}/groups", as_group, staff), 403)
    problem(town.post(f"{child}/groups/{uuid4()}/leave", {"end": "2026-09-01"}, staff), 403)
    move = {"unit_id": str(town.school), "on": "2026-09-01"}
    problem(town.post(f"{child}/placements/{ok.json()['id']}/move", move, staff), 403)
