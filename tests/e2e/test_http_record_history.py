"""``/audit/records/{id}/history`` and ``/state``: auditors replay a record over HTTP; each
replay is on the access log for every person it showed; others get 403, a bad moment 422."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from domain.diet import diet_record_id


def headers(gallra: Gallra, role: Role, subject: object = None) -> dict[str, str]:
    token = gallra.tokens.issue(Principal(role, subject=subject, name="revisor"))  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


def test_an_auditor_replays_a_record_and_the_replay_is_logged(gallra: Gallra) -> None:
    unit_id, _dep, kids = enrolled_department(gallra.app, 2, "Förskolan Linden", "Humlan")
    child = kids[0]
    auditor = uuid4()
    with TestClient(create_http_app(gallra, background=False)) as client:
        as_auditor = headers(gallra, Role.AUDITOR, auditor)
        for role in (Role.ADMIN, Role.STAFF, Role.GUARDIAN):
            refused = client.get(f"/audit/records/{child}/history", headers=headers(gallra, role))
            assert refused.status_code == 403
        answer = client.get(f"/audit/records/{child}/history", headers=as_auditor)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["aggregate"] == "Child"
        first = body["entries"][0]
        assert first["kind"] == "Child.Registered" and first["values"]["given_name"] == "C"
        assert first["personal"]["civic_number"] == "identity" and first["culled"] == []

        state = client.get(
            f"/audit/records/{child}/state",
            params={"at": "2999-01-01T00:00:00+01:00"},
            headers=as_auditor,
        )
        assert state.status_code == 200, state.text
        assert state.json()["version"] == len(body["entries"])
        assert state.json()["state"]["given_name"] == "C"

        naive = client.get(
            f"/audit/records/{child}/state", params={"at": "2026-01-01T00:00"}, headers=as_auditor
        )
        assert naive.status_code == 422 and "at" in naive.text
        person = client.get(f"/audit/subjects/{child}/history", headers=as_auditor)
        assert person.status_code == 200, person.text
        own, *logged_reads = person.json()["records"]
        assert own["stream_id"] == str(child)
        # the two replays above are on the access log, which is the child's data too
        assert [r["aggregate"] for r in logged_reads] == ["AccessRecord", "AccessRecord"]
        unit = client.get(f"/audit/units/{unit_id}/history", headers=as_auditor)
        assert unit.status_code == 200 and unit.json()["records"][0]["aggregate"] == "Unit"
        assert client.get(f"/audit/units/{uuid4()}/history", headers=as_auditor).status_code == 404
        missing = client.get(f"/audit/records/{uuid4()}/history", headers=as_auditor)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")

    gallra.audit.runner.catch_up()
    logged = [r for r in gallra.audit.records(subject_id=child).rows if r.actor_id == auditor]
    assert {(r.resource, r.purpose, r.actor_role) for r in logged} == {
        ("GET /audit/records/{stream_id}/history", "audit", "auditor"),
        ("GET /audit/records/{stream_id}/state", "audit", "auditor"),
        ("GET /audit/subjects/{subject_id}/history", "audit", "auditor"),
        ("GET /audit/units/{unit_id}/history", "audit", "auditor"),
    }


def test_a_replay_says_whose_command_wrote_each_event(gallra: Gallra) -> None:
    """Who did it: the role and id of the request's principal, sealed with the event's first
    part (culled with it); an event with nothing personal keeps the role only."""
    app = gallra.app
    unit, _dep, kids = enrolled_department(app, 1, "Förskolan Tallen", "Ugglan")
    child = kids[0]
    teacher = app.register_staff("Sara", "Lärare", "19790101AB09")
    app.assign_duty(teacher, unit, "Förskollärare", date(2022, 8, 1))
    auditor = headers(gallra, Role.AUDITOR, uuid4())
    with TestClient(create_http_app(gallra, background=False)) as client:
        diet = {"diets": ["lactose-free"], "note": None}
        staff = headers(gallra, Role.STAFF, teacher)
        assert client.put(f"/children/{child}/diet", json=diet, headers=staff).status_code == 200
        made = client.post(
            "/units",
            json={"name": "Förskolan Granen", "school_form": "förskola"},
            headers=headers(gallra, Role.ADMIN),
        )
        assert made.status_code in (200, 201), made.text
        diet_record = diet_record_id(child)
        entries = client.get(f"/audit/records/{diet_record}/history", headers=auditor).json()
        set_diet = entries["entries"][-1]
        assert set_diet["by"] == {"role": "staff", "id": str(teacher)}
        first = client.get(f"/audit/records/{child}/history", headers=auditor).json()
        assert first["entries"][0]["by"] is None  # registered outside a request
        unit_id = made.json()["id"]
        created = client.get(f"/audit/records/{unit_id}/history", headers=auditor).json()
        assert created["entries"][0]["by"] == {"role": "admin", "id": None}
