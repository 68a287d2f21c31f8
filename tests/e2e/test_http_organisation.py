"""The organisation tree, groups and staff over HTTP: codes, problem+json fields, who may call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from kiosk import paired_kiosk_claims

STAFF_PNR = "19811228-9874"


class Api:
    def __init__(self, client: TestClient, gallra: Gallra) -> None:
        self.client = client
        self.gallra = gallra

    def as_(self, role: Role, **kw: UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.gallra.tokens.issue(Principal(role, **kw))}"}

    def post(self, path: str, body: dict[str, Any], role: Role = Role.ADMIN) -> Any:
        return self.client.post(path, json=body, headers=self.as_(role))

    def created(self, path: str, body: dict[str, Any]) -> str:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def problem(response: Any, status: int, field: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json().get("field") == field


@pytest.fixture
def api(gallra: Gallra) -> Iterator[Api]:
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Api(client, gallra)


@pytest.fixture
def tree(api: Api) -> dict[str, str]:
    top = api.created("/units", {"name": "Luleå kommun", "organisation_type": "Huvudman"})
    school = api.created(
        "/units",
        {
            "name": "Hertsöskolan F-6",
            "school_forms": ["grundskola", "fritidshem"],
            "parent_id": top,
            "school_unit_code": "12345678",
        },
    )
    dep = api.created(f"/units/{school}/departments", {"name": "Fritids Röd"})
    group = api.created(
        "/groups",
        {
            "unit_id": school,
            "name": "3B",
            "group_type": "Klass",
            "school_forms": ["grundskola"],
            "start": "2025-08-18",
        },
    )
    staff = api.created(
        "/staff", {"given_name": "Karin", "family_name": "Berg", "civic_number": STAFF_PNR}
    )
    return {"top": top, "school": school, "dep": dep, "group": group, "staff": staff}


def test_the_tree_over_http(api: Api, tree: dict[str, str]) -> None:
    staff = api.as_(Role.STAFF)
    top = api.client.get(f"/units/{tree['top']}", headers=staff).json()
    assert top["organisation_type"] == "Huvudman" and top["units"] == [tree["school"]]
    assert top["school_forms"] == [] and top["school_form"] is None
    school = api.client.get(f"/units/{tree['school']}", headers=staff).json()
    assert school["parent_id"] == tree["top"] and school["school_unit_code"] == "12345678"
    assert school["school_forms"] == ["grundskola", "fritidshem"]
    assert school["departments"] == {tree["dep"]: "Fritids Röd"}
    assert school["groups"] == [tree["group"]]


def test_the_first_slices_unit_body_still_works(api: Api) -> None:
    unit = api.created("/units", {"name": "Förskolan Norrsken", "school_form": "förskola"})
    body = api.client.get(f"/units/{unit}", headers=api.as_(Role.ADMIN)).json()
    assert (body["organisation_type"], body["school_form"], body["school_forms"]) == (
        "Skolenhet",
        "förskola",
        ["förskola"],
    )
    problem(api.post("/units", {"name": "X", "school_form": "dagis"}), 422, "school_form")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"organisation_type": "Förvaltning", "school_forms": ["grundskola"]}, 422, "school_forms"),
        ({"organisation_type": "Skolenhet"}, 422, "school_forms"),
        ({"organisation_type": "Kommun"}, 422, "organisation_type"),
        ({"school_form": "förskola", "school_unit_code": "1234"}, 422, "school_unit_code"),
        ({"school_form": "förskola", "parent_id": str(uuid4())}, 404, "parent_id"),
        ({"school_form": "förskola", "colour": "red"}, 422, "colour"),
    ],
)
def test_unit_problems(api: Api, body: dict[str, Any], status: int, field: str) -> None:
    problem(api.post("/units", {"name": "Enhet", **body}), status, field)


def test_nothing_below_a_school_unit_and_no_departments_above(
    api: Api, tree: dict[str, str]
) -> None:
    below = api.post(
        "/units", {"name": "X", "school_form": "förskola", "parent_id": tree["school"]}
    )
    problem(below, 422, "parent_id")
    problem(api.post(f"/units/{tree['top']}/departments", {"name": "Björnen"}), 422, "unit_id")


def test_groups_over_http(api: Api, tree: dict[str, str]) -> None:
    staff = api.as_(Role.STAFF)
    group = api.client.get(f"/groups/{tree['group']}", headers=staff)
    assert group.status_code == 200
    assert group.json()["name"] == "3B" and group.json()["end"] is None
    listed = api.client.get(f"/units/{tree['school']}/groups", headers=staff).json()
    assert [g["id"] for g in listed] == [tree["group"]]
    ended = api.post(f"/groups/{tree['group']}/end", {"end": "2026-06-12"})
    assert ended.status_code == 204
    assert api.client.get(f"/groups/{tree['group']}", headers=staff).json()["end"] == "2026-06-12"
    problem(api.post(f"/groups/{tree['group']}/end", {"end": "2026-06-13"}), 409, "end")
    problem(api.client.get(f"/groups/{uuid4()}", headers=staff), 404, None)
    problem(api.client.get(f"/units/{uuid4()}/groups", headers=staff), 404, None)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"school_forms": ["förskola"]}, 422, "school_forms"),
        ({"school_forms": []}, 422, "school_forms"),
        ({"group_type": "Kull"}, 422, "group_type"),
        ({"end": "2025-01-01"}, 422, "end"),
        ({"unit_id": str(uuid4())}, 404, "unit_id"),
        ({"start": "someday"}, 422, "start"),
    ],
)
def test_group_problems(
    api: Api, tree: dict[str, str], change: dict[str, Any], status: int, field: str
) -> None:
    body = {
        "unit_id": tree["school"],
        "name": "4A",
        "group_type": "Klass",
        "school_forms": ["grundskola"],
        "start": "2025-08-18",
    }
    problem(api.post("/groups", {**body, **change}), status, field)


def test_groups_at_a_node_above_a_school_unit_are_refused(api: Api, tree: dict[str, str]) -> None:
    body = {
        "unit_id": tree["top"],
        "name": "X",
        "group_type": "Klass",
        "school_forms": ["grundskola"],
    }
    problem(api.post("/groups", {**body, "start": "2025-08-18"}), 422, "unit_id")


def test_staff_duties_and_assignments_over_http(api: Api, tree: dict[str, str]) -> None:
    staff_id = tree["staff"]
    duty_body = {"unit_id": tree["school"], "role": "Lärare", "start": "2025-08-01"}
    duty = api.created(f"/staff/{staff_id}/duties", duty_body)
    assert api.created(f"/staff/{staff_id}/duties", duty_body) == duty  # a retry
    body = {"duty_id": duty, "group_id": tree["group"], "role": "Mentor", "start": "2025-08-18"}
    assignment = api.created(f"/staff/{staff_id}/assignments", body)
    assert api.created(f"/staff/{staff_id}/assignments", body) == assignment
    fritids = api.created(
        f"/staff/{staff_id}/assignments",
        {**body, "group_id": tree["dep"], "role": "Fritidspedagog"},
    )
    record = api.client.get(f"/staff/{staff_id}", headers=api.as_(Role.ADMIN)).json()
    assert (record["given_name"], record["family_name"], record["civic_kind"]) == (
        "Karin",
        "Berg",
        "personnummer",
    )
    assert "civic_number" not in record and record["culled"] == []
    assert [d["duty_id"] for d in record["duties"]] == [duty]
    assert {a["assignment_id"] for a in record["assignments"]} == {assignment, fritids}
    end = {"end": "2026-01-31"}
    assert api.post(f"/staff/{staff_id}/assignments/{assignment}/end", end).status_code == 204
    problem(api.post(f"/staff/{staff_id}/assignments/{assignment}/end", end), 409, "assignment_id")
    assert (
        api.post(f"/staff/{staff_id}/duties/{duty}/end", {"end": "2026-06-30"}).status_code == 204
    )
    problem(api.post(f"/staff/{staff_id}/duties/{duty}/end", end), 409, "duty_id")
    ends = {
        a["assignment_id"]: a["end"]
        for a in api.client.get(f"/staff/{staff_id}", headers=api.as_(Role.ADMIN)).json()[
            "assignments"
        ]
    }
    assert ends == {assignment: "2026-01-31", fritids: "2026-06-30"}


def test_staff_problems(api: Api, tree: dict[str, str]) -> None:
    staff_id = tree["staff"]
    duties = f"/staff/{staff_id}/duties"
    problem(
        api.post(duties, {"unit_id": tree["top"], "role": "Rektor", "start": "2025-08-01"}),
        422,
        "unit_id",
    )
    problem(
        api.post(duties, {"unit_id": str(uuid4()), "role": "Rektor", "start": "2025-08-01"}),
        404,
        "unit_id",
    )
    problem(
        api.post(duties, {"unit_id": tree["school"], "role": "Vakt", "start": "2025-08-01"}),
        422,
        "role",
    )
    duty = api.created(duties, {"unit_id": tree["school"], "role": "Rektor", "start": "2025-08-01"})
    assignments = f"/staff/{staff_id}/assignments"
    body = {"duty_id": duty, "group_id": str(uuid4()), "role": "Lärare", "start": "2025-08-18"}
    problem(api.post(assignments, body), 404, "group_id")
    problem(
        api.post(assignments, {**body, "group_id": tree["group"], "duty_id": str(uuid4())}),
        404,
        "duty_id",
    )
    problem(
        api.post(assignments, {**body, "group_id": tree["group"], "role": "Rektor"}), 422, "role"
    )
    problem(
        api.post(
            f"/staff/{uuid4()}/duties",
            {"unit_id": tree["school"], "role": "Rektor", "start": "2025-08-01"},
        ),
        404,
        None,
    )


def test_a_taken_civic_number_is_a_conflict_and_never_echoed(
    api: Api, tree: dict[str, str]
) -> None:
    body = {"given_name": "Hemlig", "family_name": "Person", "civic_number": STAFF_PNR}
    dup = api.post("/staff", body)
    problem(dup, 409, "civic_number")
    assert "9874" not in dup.text and "Hemlig" not in dup.text
    bad = api.post("/staff", {**body, "civic_number": "19811228-9875"})
    problem(bad, 422, "civic_number")
    assert "9875" not in bad.text
    themself = api.as_(Role.STAFF, subject=UUID(tree["staff"]))  # staff find whom they see
    found = api.client.post("/people/lookup", json={"civic_number": STAFF_PNR}, headers=themself)
    assert found.json()["id"] == tree["staff"]


def test_staff_read_only_themselves(api: Api, tree: dict[str, str]) -> None:
    staff_id = tree["staff"]
    me = api.client.get(f"/staff/{staff_id}", headers=api.as_(Role.STAFF, subject=UUID(staff_id)))
    assert me.status_code == 200 and me.json()["given_name"] == "Karin"
    colleague = api.as_(Role.STAFF, subject=uuid4())
    problem(api.client.get(f"/staff/{staff_id}", headers=colleague), 404, None)
    problem(api.client.get(f"/staff/{staff_id}", headers=api.as_(Role.STAFF)), 404, None)
    for role in (Role.GUARDIAN, Role.KIOSK, Role.STATISTICIAN, Role.STUDENT, Role.AUDITOR):
        kw = paired_kiosk_claims(api.gallra) if role == Role.KIOSK else {"subject": UUID(staff_id)}
        assert api.client.get(f"/staff/{staff_id}", headers=api.as_(role, **kw)).status_code == 403


def test_only_admins_write(api: Api, tree: dict[str, str]) -> None:
    staff_id = tree["staff"]
    duty = api.created(
        f"/staff/{staff_id}/duties",
        {"unit_id": tree["school"], "role": "Lärare", "start": "2025-08-01"},
    )
    writes = [
        ("/units", {"name": "X", "school_form": "förskola"}),
        (
            "/groups",
            {
                "unit_id": tree["school"],
                "name": "X",
                "group_type": "Klass",
                "school_forms": ["grundskola"],
                "start": "2025-08-18",
            },
        ),
        (f"/groups/{tree['group']}/end", {"end": "2026-06-12"}),
        ("/staff", {"given_name": "A", "family_name": "B", "civic_number": "19900101-0017"}),
        (
            f"/staff/{staff_id}/duties",
            {"unit_id": tree["school"], "role": "Rektor", "start": "2025-08-01"},
        ),
        (f"/staff/{staff_id}/duties/{duty}/end", {"end": "2026-06-30"}),
        (f"/staff/{staff_id}/assignments/{uuid4()}/end", {"end": "2026-06-30"}),
        (
            f"/staff/{staff_id}/assignments",
            {"duty_id": duty, "group_id": tree["group"], "role": "Mentor", "start": "2025-08-18"},
        ),
    ]
    kiosk = paired_kiosk_claims(api.gallra)
    before = api.gallra.app.recorder.max_notification_id()
    for role in (Role.STAFF, Role.GUARDIAN, Role.KIOSK, Role.STATISTICIAN):
        kw = kiosk if role == Role.KIOSK else {"subject": UUID(staff_id)}
        for path, body in writes:
            response = api.client.post(path, json=body, headers=api.as_(role, **kw))
            assert response.status_code == 403, (role, path)
    assert api.gallra.app.recorder.max_notification_id() == before
    for role in (Role.GUARDIAN, Role.KIOSK, Role.STATISTICIAN):
        kw = paired_kiosk_claims(api.gallra) if role == Role.KIOSK else {"subject": uuid4()}
        for path in (
            f"/units/{tree['school']}",
            f"/groups/{tree['group']}",
            f"/units/{tree['school']}/groups",
        ):
            assert api.client.get(path, headers=api.as_(role, **kw)).status_code == 403, (
                role,
                path,
            )


def test_a_culled_staff_record_answers_nulls(api: Api, tree: dict[str, str]) -> None:
    staff_id = UUID(tree["staff"])
    api.created(
        f"/staff/{staff_id}/duties",
        {"unit_id": tree["school"], "role": "Lärare", "start": "2025-08-01"},
    )
    keystore = api.gallra.app.keystore
    keystore.shred(uuid4(), scopes=[r.scope for r in keystore.scopes(subject=staff_id)])
    api.gallra.app.evict_caches()
    response = api.client.get(f"/staff/{staff_id}", headers=api.as_(Role.ADMIN))
    assert response.status_code == 200
    body = response.json()
    assert body["given_name"] is None and set(body["culled"]) == {
        "given_name",
        "family_name",
        "civic_kind",
    }
    [duty] = body["duties"]
    assert duty["unit_id"] is None and duty["role"] is None and duty["end"] is None
    assert set(duty["culled"]) == {"unit_id", "role", "start"}
