"""Gallring over HTTP: the dry run for auditors, legal holds for administrators."""

from __future__ import annotations

from uuid import UUID, uuid4

from test_http import Api, api, town  # noqa: F401 - fixtures

from api.tokens import Role


def test_an_admin_places_and_lifts_a_hold_and_auditors_see_it_without_its_reason(
    api: Api,  # noqa: F811
    town: dict[str, UUID],  # noqa: F811
) -> None:
    admin, auditor = api.as_(Role.ADMIN), api.as_(Role.AUDITOR)
    hold = {"hold_id": str(uuid4()), "subject_id": str(town["child"]), "reason": "JO-anmälan"}
    placed = api.client.post("/gallring/holds", json=hold, headers=admin)
    assert placed.status_code == 201, placed.text
    assert placed.json()["reason"] == "JO-anmälan" and placed.json()["lifted_on"] is None
    again = api.client.post("/gallring/holds", json=hold, headers=admin)
    assert again.status_code == 200  # a retry records nothing
    other = api.client.post("/gallring/holds", json={**hold, "reason": "annat"}, headers=admin)
    assert other.status_code == 409

    [seen] = api.client.get("/gallring/holds", headers=auditor).json()
    assert seen["subject_id"] == str(town["child"]) and seen["reason"] is None
    assert api.client.post("/gallring/holds", json=hold, headers=auditor).status_code == 403
    for role in (Role.STAFF, Role.GUARDIAN, Role.STATISTICIAN):
        assert api.client.get("/gallring/holds", headers=api.as_(role)).status_code == 403

    lifted = api.client.post(f"/gallring/holds/{hold['hold_id']}/lift", headers=admin)
    assert lifted.status_code == 200 and lifted.json()["lifted_on"] is not None
    missing = api.client.post(f"/gallring/holds/{uuid4()}/lift", headers=admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_bad_holds_are_problems_naming_the_field(
    api: Api,  # noqa: F811
    town: dict[str, UUID],  # noqa: F811
) -> None:
    admin = api.as_(Role.ADMIN)
    base = {"hold_id": str(uuid4()), "subject_id": str(town["child"]), "reason": "tvist"}
    cases = [
        ({**base, "subject_id": str(uuid4())}, 404, "subject_id"),
        ({**base, "reason": ""}, 422, "reason"),
        ({**base, "until": "i morgon"}, 422, "until"),
        ({**base, "until": "2020-01-01"}, 422, "until"),
    ]
    for body, code, field in cases:
        answer = api.client.post("/gallring/holds", json=body, headers=admin)
        assert answer.status_code == code, (body, answer.text)
        assert answer.json()["field"] == field, answer.text
    assert api.client.get("/gallring/holds", headers=admin).json() == []


def test_the_dry_run_lists_what_is_due_and_what_is_held_back(
    api: Api,  # noqa: F811
    town: dict[str, UUID],  # noqa: F811
) -> None:
    auditor = api.as_(Role.AUDITOR)
    survey = api.client.get("/gallring/plan", params={"as_of": "2030-01-01"}, headers=auditor)
    assert survey.status_code == 200, survey.text
    body = survey.json()
    assert body["plan_version"] == api.gallra.plan.version
    assert body["due"] and all(d["scopes"] >= 1 for d in body["due"])
    assert body["held_back"] == []
    hold = {"hold_id": str(uuid4()), "subject_id": str(town["child"]), "reason": "tvist"}
    api.client.post("/gallring/holds", json=hold, headers=api.as_(Role.ADMIN))
    held = api.client.get("/gallring/plan", params={"as_of": "2030-01-01"}, headers=auditor)
    [reason] = {h["reason"] for h in held.json()["held_back"]}
    assert reason == "legal hold"
    bad = api.client.get("/gallring/plan", params={"as_of": "snart"}, headers=auditor)
    assert bad.status_code == 422 and bad.json()["field"] == "query.as_of"
    assert api.client.get("/gallring/plan", headers=api.as_(Role.STAFF)).status_code == 403


def test_auditors_see_which_plan_versions_have_been_in_force(api: Api) -> None:  # noqa: F811
    [plan] = api.client.get("/gallring/plans", headers=api.as_(Role.AUDITOR)).json()
    assert plan["version"] == api.gallra.plan.version
    assert plan["sha256"] == api.gallra.plan.digest and len(plan["sha256"]) == 64
    assert api.client.get("/gallring/plans", headers=api.as_(Role.STAFF)).status_code == 403
