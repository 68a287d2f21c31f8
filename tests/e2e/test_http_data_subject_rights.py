"""Data subjects' rights over HTTP: an administrator corrects a wrongly recorded name (a new
event, idempotent on retry) and produces the register extract, as JSON and as a document; the
extract shows the correction and its reason, leaves other people's data out, lists who read
the person's data, and is itself on the access log."""

from __future__ import annotations

from uuid import uuid4

from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from domain.pickup import PickupDetails


def headers(gallra: Gallra, role: Role, subject: object = None) -> dict[str, str]:
    principal = Principal(role, subject=subject, name="registrator")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {gallra.tokens.issue(principal)}"}


def test_a_correction_and_the_register_extract(gallra: Gallra) -> None:
    app = gallra.app
    _unit, _dep, kids = enrolled_department(app, 2, "Förskolan Linden", "Humlan")
    child = kids[0]
    guardian = next(iter(app.get_child(child).guardians))
    app.change_contact(child, "070-1112223", None)
    app.add_pickup_person(child, uuid4(), PickupDetails("Moster Maja", "070-9998887"), guardian)
    admin = headers(gallra, Role.ADMIN)
    with TestClient(create_http_app(gallra, background=False)) as client:
        url = f"/people/{child}/identity-corrections"
        body = {"given_name": "Cecilia", "family_name": "Nr0", "reason": "stavfel vid inskrivning"}
        first = client.post(url, json=body, headers=admin)
        assert first.status_code == 200 and first.json() == {"corrected": True}, first.text
        again = client.post(url, json=body, headers=admin)
        assert again.json() == {"corrected": False}  # a retry changes nothing
        bad = client.post(url, json={**body, "reason": ""}, headers=admin)
        assert bad.status_code == 422 and "reason" in bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
        staff = client.post(url, json=body, headers=headers(gallra, Role.STAFF, uuid4()))
        assert staff.status_code == 403

        # a guardian reads the child's contact: the extract must say so
        read = client.get(
            f"/people/{child}/contact", headers=headers(gallra, Role.GUARDIAN, guardian)
        )
        assert read.status_code == 200

        extract = client.get(f"/people/{child}/subject-access", headers=admin)
        assert extract.status_code == 200, extract.text
        data = extract.json()
        records = {r["kind"]: r for r in data["records"]}
        assert records["Child"]["now"]["given_name"] == "Cecilia"
        corrected = [c for c in data["changes"] if c["corrected"]]
        assert [(c["field"], c["before"], c["after"]) for c in corrected] == [
            ("given_name", "C", "Cecilia")
        ]
        assert corrected[0]["reason"] == "stavfel vid inskrivning"
        changed = [c for c in data["changes"] if c["field"] == "mobile"]
        assert changed and changed[0]["after"] == "070-1112223" and not changed[0]["corrected"]
        # the pick-up person is someone else: their name and phone are left out
        assert "Moster Maja" not in extract.text and "070-9998887" not in extract.text
        pickups = records["ChildPickups"]["events"]
        assert any(e["left_out"] for e in pickups)
        assert any(
            row["actor_id"] == str(guardian) and row["action"] == "read"
            for row in data["access_log"]
        )

        document = client.get(
            f"/people/{child}/subject-access", params={"format": "markdown"}, headers=admin
        )
        assert document.status_code == 200
        assert document.headers["content-type"].startswith("text/markdown")
        text = document.text
        assert text.startswith("# Registerutdrag: Cecilia Nr0")
        assert "given_name corrected" in text and "stavfel vid inskrivning" in text
        assert "Moster Maja" not in text and "left out" in text

        assert (
            client.get(
                f"/people/{child}/subject-access", headers=headers(gallra, Role.AUDITOR)
            ).status_code
            == 403
        )
        assert client.get(f"/people/{uuid4()}/subject-access", headers=admin).status_code == 404

    gallra.audit.runner.catch_up()
    produced = [
        r
        for r in gallra.audit.records(subject_id=child).rows
        if r.resource == "GET /people/{person_id}/subject-access"
    ]
    assert produced and all(r.purpose == "data-subject-rights" for r in produced)
