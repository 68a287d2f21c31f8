"""Data subjects' rights over HTTP: an administrator corrects a wrongly recorded name (a new
event, idempotent on retry) and produces the register extract, as JSON and as a document; the
extract shows the correction and its reason, leaves other people's data out, lists who read
the person's data, and is itself on the access log."""

from __future__ import annotations

from datetime import date
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
    unit, dep, kids = enrolled_department(app, 2, "Förskolan Linden", "Humlan")
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
        # readable: no Python or JSON syntax, and who wrote each event (the correction was
        # the admin's request; the builders wrote the rest with no actor bound)
        assert "{'" not in text and "['" not in text and "None" not in text
        assert f"guardians: {guardian}: " in text
        correction = next(line for line in text.splitlines() if "IdentityCorrected" in line)
        assert correction.split(" | ")[1] == "admin"
        # units and departments by name, not by bare id
        assert f"unit_id: Förskolan Linden ({unit})" in text
        assert f"department_id: Humlan ({dep})" in text
        assert data["names"] == {str(unit): "Förskolan Linden", str(dep): "Humlan"}

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


def test_a_restriction_keeps_staff_away_until_it_is_lifted(gallra: Gallra) -> None:
    app = gallra.app
    unit, _dep, kids = enrolled_department(app, 2, "Förskolan Björken", "Igelkotten")
    child, other = kids
    guardian = next(iter(app.get_child(child).guardians))
    teacher = app.register_staff("Sara", "Lärare", "19790101AB09")
    app.assign_duty(teacher, unit, "Förskollärare", date(2022, 8, 1))
    admin, staff = headers(gallra, Role.ADMIN), headers(gallra, Role.STAFF, teacher)
    with TestClient(create_http_app(gallra, background=False)) as client:
        assert client.get(f"/children/{child}", headers=staff).status_code == 200
        diet = {"diets": [], "note": None}
        assert client.put(f"/children/{child}/diet", json=diet, headers=staff).status_code == 200
        body = {"grounds": "accuracy-contested", "note": "vårdnadshavaren bestrider uppgifterna"}
        placed = client.put(f"/people/{child}/restriction", json=body, headers=admin)
        assert placed.json() == {"restricted": True, "changed": True}, placed.text
        again = client.put(f"/people/{child}/restriction", json=body, headers=admin)
        assert again.json() == {"restricted": True, "changed": False}
        bad = client.put(
            f"/people/{child}/restriction", json={**body, "grounds": "x"}, headers=admin
        )
        assert bad.status_code == 422 and "grounds" in bad.text
        assert (
            client.put(f"/people/{child}/restriction", json=body, headers=staff).status_code == 403
        )

        # staff no longer see the child, as if unknown; other children are as before
        assert client.get(f"/children/{child}", headers=staff).status_code == 404
        diet = {"diets": [], "note": None}
        assert client.put(f"/children/{child}/diet", json=diet, headers=staff).status_code == 404
        assert client.get(f"/children/{other}", headers=staff).status_code == 200
        # the guardian and the administrators still do
        as_guardian = headers(gallra, Role.GUARDIAN, guardian)
        assert client.get(f"/children/{child}", headers=as_guardian).status_code == 200
        assert client.get(f"/children/{child}", headers=admin).status_code == 200
        extract = client.get(f"/people/{child}/subject-access", headers=admin).json()
        now = next(r for r in extract["records"] if r["kind"] == "Child")["now"]
        assert now["restriction"] == "accuracy-contested"

        lifted = client.post(
            f"/people/{child}/restriction/lift", json={"note": "uppgifterna rättade"}, headers=admin
        )
        assert lifted.json() == {"restricted": False, "changed": True}
        assert client.get(f"/children/{child}", headers=staff).status_code == 200
    # the view rebuilt from the events says the same
    gallra.access.runner.rebuild()
    assert not gallra.access.restricted(child)
    app.restrict_processing(child, "legal-claims", "tvist om avgift")
    gallra.access.runner.rebuild()
    assert gallra.access.restricted(child) and not gallra.access.restricted(other)


def test_an_erasure_request_culls_what_the_plan_allows_and_says_when_the_rest_goes(
    gallra: Gallra,
) -> None:
    app = gallra.app
    _unit, _dep, kids = enrolled_department(app, 2, "Förskolan Aspen", "Haren")
    child, held_child = kids
    guardian = next(iter(app.get_child(child).guardians))
    app.change_profile(guardian, None, None, "Mamma till C, nås helst på kvällen")
    app.change_profile(held_child, None, None, "Tycker om att måla")
    app.place_hold(uuid4(), held_child, "överklagat beslut", "registrator")
    admin = headers(gallra, Role.ADMIN)
    url = f"/people/{guardian}/erasure-requests"
    with TestClient(create_http_app(gallra, background=False)) as client:
        preview = client.post(
            url, json={"note": "begäran via e-post", "execute": False}, headers=admin
        )
        assert preview.status_code == 200, preview.text
        items = {i["category"]: i for i in preview.json()["remaining"]}
        assert preview.json()["erased"] == []
        assert (
            items["profile"]["culled"].startswith("now")
            and items["profile"]["kept_because"] is None
        )
        assert items["identity"]["kept_because"].startswith("needed for")
        assert items["identity"]["culled"] == "once nothing else of theirs is left"

        done = client.post(url, json={"note": "begäran via e-post"}, headers=admin)
        assert done.status_code == 200, done.text
        [erased] = done.json()["erased"]
        assert erased["category"] == "profile" and erased["keys_destroyed"] == 1
        assert erased["rule_id"] == "profiles-no-longer-current/on-request"
        assert "profile" not in {i["category"] for i in done.json()["remaining"]}
        profile = client.get(f"/people/{guardian}/profile", headers=admin).json()
        assert profile["profile_text"] is None and "profile_text" in profile["culled"]
        # asked again: nothing more goes
        again = client.post(url, json={"note": "påminnelse"}, headers=admin)
        assert again.json()["erased"] == []
        # the register extract tells of it, though the profile's events name no one now
        extract = client.get(f"/people/{guardian}/subject-access", headers=admin).json()
        [culled] = extract["culled"]
        assert (culled["category"], culled["rule_id"]) == ("profile", erased["rule_id"])
        assert culled["gallring_run_id"] == erased["gallring_run_id"]
        assert culled["kept_by_the_archive_under"] == []

        # a legal hold keeps everything
        hold = client.post(
            f"/people/{held_child}/erasure-requests", json={"note": "begäran"}, headers=admin
        )
        assert hold.json()["erased"] == []
        assert all(i["kept_because"].startswith("a legal hold") for i in hold.json()["remaining"])

        assert client.post(url, json={"note": ""}, headers=admin).status_code == 422
        assert (
            client.post(url, json={"note": "x"}, headers=headers(gallra, Role.AUDITOR)).status_code
            == 403
        )
        assert (
            client.post(
                f"/people/{uuid4()}/erasure-requests", json={"note": "x"}, headers=admin
            ).status_code
            == 404
        )

    run = next(
        r
        for r in gallra.gallring.records()
        if r.id == erased["gallring_run_id"] or str(r.id) == erased["gallring_run_id"]
    )
    assert run.subjects == 1 and run.finished_at is not None and "erasure request" in run.decided_by
    # the guardian is still current: erasing their profile does not start their identity's end
    today = app.local_day(gallra.clock())
    later = gallra.gallring.planned(date(today.year + 1, today.month, 1))
    assert not any(c.rule_id == "identity-last" for c in later)
