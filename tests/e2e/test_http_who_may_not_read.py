"""Who may NOT read personal data over HTTP, endpoint by endpoint (ADR 0012).

Every query endpoint that answers about a child, a guardian or a staff member is asked by
every kind of reader: the entitled ones get the data; a role the route does not admit gets 403;
everyone else (a guardian of another child, staff at another unit, staff whose duty or
assignment has ended, a student asking about someone else, a staff token naming nobody) gets
exactly what an unknown id gets, so a refusal reveals nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from conftest import Clock
from domain.pickup import PickupDetails
from domain.schedule_terms import Entry, ScheduleTerms
from domain.stay_notes import NoteContent
from kiosk import paired_kiosk_claims

START, ENDED = date(2025, 8, 15), date(2026, 3, 1)  # today is 2026-03-16
NUMBERS = {  # temporary SS 12000 numbers: no real person
    "saga": "20210412TF01",
    "olle": "20210413TF02",
    "anna": "19750301TF03",
    "bo": "19750302TF04",
    "teacher": "19800101TF05",
}
UNKNOWN_NUMBER = "20210419TF09"


@dataclass
class Town:
    client: TestClient
    ids: dict[str, UUID]
    entry: UUID
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def build(gallra: Gallra, clock: Clock) -> dict[str, UUID]:
    """Saga at Förskolan A (Björnen, in the group Björnarna), Olle at Förskolan B; staff
    connected, on duty only, at the other unit, and with a duty or an assignment ended."""
    app = gallra.app
    a, b = app.create_unit("Förskolan A", "förskola"), app.create_unit("Förskolan B", "förskola")
    bjornen, ugglan = app.add_department(a, "Björnen"), app.add_department(a, "Ugglan")
    lodjuret = app.add_department(b, "Lodjuret")
    group = app.create_group(a, "Björnarna", "Avdelning", ["förskola"], START)
    anna = app.register_guardian("Anna", "Lind", NUMBERS["anna"])
    bo = app.register_guardian("Bo", "Berg", NUMBERS["bo"])
    saga = app.register_child("Saga", "Lind", NUMBERS["saga"], [(anna, "Vårdnadshavare")])
    olle = app.register_child("Olle", "Berg", NUMBERS["olle"], [(bo, "Vårdnadshavare")])
    placement = app.place_child(saga, a, bjornen, START, "förskola")
    app.join_group(saga, placement, group, START)
    app.place_child(olle, b, lodjuret, START, "förskola")

    def staff(name: str, number: str, unit: UUID, role: str = "Förskollärare") -> tuple[UUID, UUID]:
        person = app.register_staff(name, "Personal", number)
        return person, app.assign_duty(person, unit, role, START)

    teacher, duty = staff("Teacher", NUMBERS["teacher"], a)
    app.assign_to_group(teacher, duty, group, "Förskollärare", START)
    colleague, _ = staff("Colleague", "19800102TF06", a, "Barnskötare")  # on duty, no group
    stranger, duty = staff("Stranger", "19800103TF07", b)
    app.assign_to_group(stranger, duty, lodjuret, "Förskollärare", START)
    former, duty = staff("Former", "19800104TF08", a)
    app.end_duty(former, duty, ENDED)
    ex_mentor, duty = staff("Ex", "19800105TF09", a, "Lärare")  # still on duty at A
    assignment = app.assign_to_group(ex_mentor, duty, bjornen, "Lärare", START)
    app.end_assignment(ex_mentor, assignment, ENDED)
    app.check_in(uuid4(), bjornen, saga, clock.now - timedelta(hours=1), anna)
    app.check_in(uuid4(), lodjuret, olle, clock.now - timedelta(hours=1), bo)
    entry = app.write_entry(
        student_id=saga, unit_id=a, author_id=teacher, category="samtal",
        school_form="förskola", written_on=date(2026, 3, 2), title="Samtal", content="Text",
    )  # fmt: skip
    tempus(gallra, saga, placement, teacher)
    return {
        "saga": saga, "olle": olle, "anna": anna, "bo": bo, "teacher": teacher,
        "colleague": colleague, "stranger": stranger, "former": former, "ex_mentor": ex_mentor,
        "bjornen": bjornen, "ugglan": ugglan, "entry": entry,
    }  # fmt: skip


def tempus(gallra: Gallra, saga: UUID, placement: UUID, teacher: UUID) -> None:
    """Saga's Tempus records: a schedule, a pick-up person, a diet and a note for guardians."""
    app = gallra.app
    weekdays = [Entry(0, d, time(8), time(15)) for d in range(1, 6)]
    terms = ScheduleTerms.checked(placement, START, None, 1, False, weekdays)
    app.lay_schedule(saga, uuid4(), terms, teacher, guardian_deadline_days=None, approve=True)
    app.add_pickup_person(saga, uuid4(), PickupDetails("Mormor Ingrid", "070-123 45 67"), None)
    app.set_diet(saga, ["gluten-free"], None)
    note = NoteContent(date(2026, 3, 10), "Utflykt", "Till skogen", visible_to_guardians=True)
    app.write_stay_note(saga, uuid4(), kind="note", content=note, author_id=teacher)


READERS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.ADMIN, None),
    "auditor": (Role.AUDITOR, None),
    "anna": (Role.GUARDIAN, "anna"),  # Saga's guardian
    "bo": (Role.GUARDIAN, "bo"),  # a guardian of another child
    "saga": (Role.STUDENT, "saga"),
    "olle": (Role.STUDENT, "olle"),  # another student
    "teacher": (Role.STAFF, "teacher"),  # connected: assigned to Saga's group
    "colleague": (Role.STAFF, "colleague"),  # a duty at Saga's unit, no group
    "ex_mentor": (Role.STAFF, "ex_mentor"),  # a duty at the unit, assignment ended
    "stranger": (Role.STAFF, "stranger"),  # a duty at another unit
    "former": (Role.STAFF, "former"),  # duty at Saga's unit ended
    "anonymous": (Role.STAFF, None),  # a staff token naming nobody
    "kiosk": (Role.KIOSK, "bjornen"),
    "other_kiosk": (Role.KIOSK, "ugglan"),
}


@pytest.fixture
def town(gallra: Gallra, clock: Clock) -> Iterator[Town]:
    ids = build(gallra, clock)
    with TestClient(create_http_app(gallra, background=False)) as client:
        town = Town(client, ids, ids["entry"])
        for name, (role, who) in READERS.items():
            kw = (
                {}
                if who is None
                else paired_kiosk_claims(gallra, ids[who])
                if role == Role.KIOSK
                else {"subject": ids[who]}
            )
            token = gallra.tokens.issue(Principal(role, **kw))
            town.headers[name] = {"Authorization": f"Bearer {token}"}
        yield town


@dataclass(frozen=True)
class Read:
    """One query: ``{target}`` in the path, or the target's civic number in a lookup."""

    path: str
    target: str
    ok: frozenset[str]
    forbidden: frozenset[str]  # roles the route does not admit: 403
    lookup: bool = False

    def ask(self, town: Town, reader: str, target: UUID | None = None) -> Response:
        """Ask about the target, or about an id (a number) that names nobody."""
        headers = town.headers[reader]
        if self.lookup:
            number = NUMBERS[self.target] if target is None else UNKNOWN_NUMBER
            return town.client.post(self.path, json={"civic_number": number}, headers=headers)
        ident = town.ids[self.target] if target is None else target
        return town.client.get(self.path.format(target=ident), headers=headers)


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


KIOSKS = _set("kiosk", "other_kiosk")
SEE_SAGA = _set("teacher", "colleague", "ex_mentor")  # connected, or any duty at her unit
NOT_PEOPLE = KIOSKS | {"saga", "olle", "auditor"}  # roles /children and /guardians refuse
NOT_DETAILS = KIOSKS | {"auditor"}
NOT_LOOKUP = KIOSKS | {"anna", "bo", "saga", "olle", "auditor"}
DOCS = _set("teacher", "anna", "saga", "auditor")
FAMILY = _set("admin", "anna") | SEE_SAGA  # a guardian of the child, staff who see it
CARE = FAMILY - {"admin"}  # daily care data: the administration has no need to read it

READS: dict[str, Read] = {
    "child": Read("/children/{target}", "saga", _set("admin", "anna") | SEE_SAGA, NOT_PEOPLE),
    "guardian": Read("/guardians/{target}", "anna", _set("admin", "anna") | SEE_SAGA, NOT_PEOPLE),
    "child contact": Read(
        "/people/{target}/contact", "saga", _set("admin", "anna", "saga") | SEE_SAGA, NOT_DETAILS
    ),
    "child profile": Read(
        "/people/{target}/profile", "saga", _set("admin", "anna", "saga") | SEE_SAGA, NOT_DETAILS
    ),
    "guardian contact": Read(
        "/people/{target}/contact", "anna", _set("admin", "anna") | SEE_SAGA, NOT_DETAILS
    ),
    "guardian profile": Read(
        "/people/{target}/profile", "anna", _set("admin", "anna") | SEE_SAGA, NOT_DETAILS
    ),
    "staff contact": Read(  # colleagues: an active duty at one unit
        "/people/{target}/contact", "teacher", _set("admin") | SEE_SAGA, NOT_DETAILS
    ),
    "staff profile": Read(
        "/people/{target}/profile", "teacher", _set("admin") | SEE_SAGA, NOT_DETAILS
    ),
    "child settings": Read("/people/{target}/settings", "saga", _set("admin", "saga"), NOT_DETAILS),
    "guardian settings": Read(
        "/people/{target}/settings", "anna", _set("admin", "anna"), NOT_DETAILS
    ),
    "staff settings": Read(
        "/people/{target}/settings", "teacher", _set("admin", "teacher"), NOT_DETAILS
    ),
    "lookup child": Read("/people/lookup", "saga", _set("admin") | SEE_SAGA, NOT_LOOKUP, True),
    "lookup guardian": Read("/people/lookup", "anna", _set("admin") | SEE_SAGA, NOT_LOOKUP, True),
    "lookup staff": Read("/people/lookup", "teacher", _set("admin") | SEE_SAGA, NOT_LOOKUP, True),
    "staff record": Read("/staff/{target}", "teacher", _set("admin", "teacher"), NOT_LOOKUP),
    "present": Read(
        "/departments/{target}/present",
        "bjornen",
        SEE_SAGA | {"kiosk"},
        _set("admin", "anna", "bo", "saga", "olle", "auditor", "other_kiosk"),
    ),
    "documentation": Read("/students/{target}/documentation", "saga", DOCS, KIOSKS | {"admin"}),
    # Tempus: a child's schedules, pick-up persons, diet and notes; the kiosk's own list
    "schedules": Read("/children/{target}/schedules", "saga", FAMILY, NOT_PEOPLE),
    "schedule plan": Read(
        "/children/{target}/schedule?from=2026-03-16&to=2026-03-20", "saga", FAMILY, NOT_PEOPLE
    ),
    "pick-up persons": Read(
        "/children/{target}/pickup-persons", "saga", CARE, NOT_PEOPLE | {"admin"}
    ),
    "diet": Read("/children/{target}/diet", "saga", CARE, NOT_PEOPLE | {"admin"}),
    "stay notes": Read("/children/{target}/stay-notes", "saga", CARE, NOT_PEOPLE | {"admin"}),
    "kiosk children": Read(
        "/departments/{target}/kiosk/children",
        "bjornen",
        SEE_SAGA | {"kiosk"},
        _set("admin", "anna", "bo", "saga", "olle", "auditor", "other_kiosk"),
    ),
    "entry": Read("/documentation/{target}", "entry", DOCS, KIOSKS | {"admin"}),
}


def _unknown_body(read: Read, town: Town, reader: str) -> Any:
    """What the reader is told about an id (or number) naming nobody, with the target's id."""
    nobody = uuid4()
    text = read.ask(town, reader, nobody).text
    return json.loads(text.replace(str(nobody), str(town.ids[read.target])))


def _shows_the_target(read: Read, town: Town, body: Any) -> bool:
    if read.path.endswith(("/present", "/kiosk/children")):
        return [row["child_id"] for row in body] == [str(town.ids["saga"])]
    if read.path.startswith("/children/"):  # the child's own list or record, not empty
        return bool(body) and (
            not isinstance(body, dict) or "id" not in body or body["id"] == str(town.ids["saga"])
        )
    if read.path.startswith("/students/"):
        return [e["id"] for e in body] == [str(town.entry)]
    return bool(body["id"] == str(town.ids[read.target]))


@pytest.mark.parametrize("name", list(READS))
def test_who_may_not_read(town: Town, name: str) -> None:
    read = READS[name]
    assert read.ok.isdisjoint(read.forbidden)
    for reader in READERS:
        response = read.ask(town, reader)
        if reader in read.ok:
            assert response.status_code == 200, (name, reader, response.text)
            assert _shows_the_target(read, town, response.json()), (name, reader)
        elif reader in read.forbidden:
            assert response.status_code == 403, (name, reader, response.text)
        elif read.path.endswith(("/present", "/kiosk/children")):  # refused as unknown: empty
            assert response.status_code == 200 and response.json() == [], (reader, response.text)
            assert response.json() == read.ask(town, reader, uuid4()).json()
        else:
            assert response.status_code == 404, (name, reader, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json() == _unknown_body(read, town, reader), (name, reader)


# -- acting on a child ---------------------------------------------------------------------------


def test_staff_act_only_on_children_they_see(town: Town, clock: Clock) -> None:
    saga, bjornen = town.ids["saga"], town.ids["bjornen"]
    absence = {"first_day": "2026-03-17", "kind": "sick"}
    kiosk = {"child_id": str(saga), "at": (clock.now - timedelta(minutes=5)).isoformat()}
    for reader in ("stranger", "former", "bo"):
        refused = town.client.post(
            f"/children/{saga}/absences",
            json={**absence, "submission_id": str(uuid4())},
            headers=town.headers[reader],
        )
        nobody = uuid4()
        unknown = town.client.post(
            f"/children/{nobody}/absences",
            json={**absence, "submission_id": str(uuid4())},
            headers=town.headers[reader],
        )
        assert refused.status_code == 404, (reader, refused.text)
        assert refused.json() == json.loads(unknown.text.replace(str(nobody), str(saga)))
    for reader in ("stranger", "former", "anonymous"):
        out = town.client.post(
            f"/departments/{bjornen}/check-outs",
            json={**kiosk, "submission_id": str(uuid4())},
            headers=town.headers[reader],
        )
        assert out.status_code == 404, (reader, out.text)
    anonymous = town.client.post(
        f"/children/{saga}/absences",
        json={**absence, "submission_id": str(uuid4())},
        headers=town.headers["anonymous"],
    )
    assert anonymous.status_code == 403  # names no reporter: decided before the child is read
    for day, reader in enumerate(("teacher", "colleague", "anna"), start=17):
        ok = town.client.post(
            f"/children/{saga}/absences",
            json={**absence, "first_day": f"2026-03-{day}", "submission_id": str(uuid4())},
            headers=town.headers[reader],
        )
        assert ok.status_code == 201, (reader, ok.text)
    out = town.client.post(
        f"/departments/{bjornen}/check-outs",
        json={**kiosk, "submission_id": str(uuid4())},
        headers=town.headers["teacher"],
    )
    assert out.status_code == 201, out.text
