"""Staff shifts, diets, the kitchen's counts and stay notes over HTTP: who may do what."""

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
from builders import enrolled_department
from domain.people import Staff

DAY = "2026-03-16"


@dataclass
class Preschool:
    client: TestClient
    gallra: Gallra
    unit: UUID
    department: UUID
    other_unit: UUID
    kid: UUID
    other_kid: UUID
    guardian: UUID
    other_guardian: UUID
    rektor: UUID
    teacher: UUID
    outsider: UUID

    def as_(
        self, role: Role, subject: UUID | None = None, unit: UUID | None = None
    ) -> dict[str, str]:
        token = self.gallra.tokens.issue(Principal(role, subject=subject, unit=unit))
        return {"Authorization": f"Bearer {token}"}

    def staff(self, who: UUID) -> dict[str, str]:
        return self.as_(Role.STAFF, who)

    def put_shift(self, headers: dict[str, str], shift_id: UUID, **body: Any) -> Any:
        payload = {"staff_id": str(self.teacher), "day": DAY, "start": "07:00", "end": "15:30"}
        payload |= {"breaks": [{"start": "11:00", "end": "11:30"}], "shift_type": "opening"}
        return self.client.put(
            f"/departments/{self.department}/shifts/{shift_id}",
            json=payload | body,
            headers=headers,
        )


def _staff(gallra: Gallra, unit: UUID, role: str) -> UUID:
    s = Staff(given_name="S", family_name=uuid4().hex[:6], civic_number="-", civic_kind="t")
    gallra.app.save(s)
    gallra.app.assign_duty(s.id, unit, role, date(2025, 8, 1))
    return s.id


@pytest.fixture
def school(gallra: Gallra) -> Iterator[Preschool]:
    app = gallra.app
    unit, department, (kid, other_kid) = enrolled_department(app, 2, "Förskolan Tallen", "Myran")
    other_unit, _, _ = enrolled_department(app, 0, "Förskolan Granen", "Igelkotten")
    [guardian] = app.get_child(kid).guardians
    [other_guardian] = app.get_child(other_kid).guardians
    rektor, teacher = _staff(gallra, unit, "Rektor"), _staff(gallra, unit, "Förskollärare")
    outsider = _staff(gallra, other_unit, "Förskollärare")
    with TestClient(create_http_app(gallra, background=False)) as client:
        yield Preschool(
            client,
            gallra,
            unit,
            department,
            other_unit,
            kid,
            other_kid,
            guardian,
            other_guardian,
            rektor,
            teacher,
            outsider,
        )


def test_a_head_teacher_plans_and_staff_on_the_unit_read(school: Preschool) -> None:
    s, shift = school, uuid4()
    made = s.put_shift(s.staff(s.rektor), shift)
    assert made.status_code == 201, made.text
    assert made.json() == {"shift_id": str(shift), "outcome": "planned"}
    again = s.put_shift(s.staff(s.rektor), shift)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    changed = s.put_shift(s.as_(Role.ADMIN), shift, end="16:00")
    assert changed.json()["outcome"] == "changed"
    moved = s.put_shift(s.as_(Role.ADMIN), shift, day="2026-03-17")
    assert (moved.status_code, moved.json()["field"]) == (409, "shift_id")
    for refused in (s.staff(s.teacher), s.staff(s.outsider)):
        assert s.put_shift(refused, uuid4()).status_code == 404
    bad = s.put_shift(s.as_(Role.ADMIN), uuid4(), start="06:00", end="19:30")
    assert (bad.status_code, bad.json()["field"]) == (422, "end")

    listed = s.client.get(
        f"/departments/{s.department}/shifts", params={"day": DAY}, headers=s.staff(s.teacher)
    )
    assert listed.status_code == 200, listed.text
    [row] = listed.json()
    assert (row["staff_id"], row["start"], row["end"]) == (str(s.teacher), "07:00:00", "16:00:00")
    assert row["working_minutes"] == 9 * 60 - 30 and row["shift_type"] == "opening"
    assert row["culled"] == [] and row["unit_id"] == str(s.unit)
    month = s.client.get(
        f"/departments/{s.department}/shifts",
        params={"month": "2026-03"},
        headers=s.staff(s.rektor),
    )
    assert [r["shift_id"] for r in month.json()] == [str(shift)]
    outsider = s.client.get(
        f"/departments/{s.department}/shifts", params={"day": DAY}, headers=s.staff(s.outsider)
    )
    assert outsider.status_code == 404
    both = s.client.get(
        f"/departments/{s.department}/shifts",
        params={"day": DAY, "month": "2026-03"},
        headers=s.as_(Role.ADMIN),
    )
    assert both.status_code == 422
    kitchen = s.client.get(
        f"/departments/{s.department}/shifts",
        params={"day": DAY},
        headers=s.as_(Role.KITCHEN, unit=s.unit),
    )
    assert kitchen.status_code == 403

    readers = {r.actor_id for r in s.gallra.audit.records(subject_id=s.teacher).rows}
    assert {s.rektor, s.teacher} <= readers

    own = s.client.get(
        f"/staff/{s.teacher}/shifts", params={"month": "2026-03"}, headers=s.staff(s.teacher)
    )
    assert [r["shift_id"] for r in own.json()] == [str(shift)]
    colleague = s.client.get(
        f"/staff/{s.teacher}/shifts", params={"month": "2026-03"}, headers=s.staff(s.rektor)
    )
    assert colleague.status_code == 404

    for _ in range(2):
        gone = s.client.delete(
            f"/departments/{s.department}/shifts/{shift}", headers=s.staff(s.rektor)
        )
        assert gone.status_code == 204
    assert (
        s.client.get(
            f"/staff/{s.teacher}/shifts", params={"month": "2026-03"}, headers=s.staff(s.teacher)
        ).json()
        == []
    )
    [counter] = s.gallra.roster.staff_minutes([s.department], date(2026, 3, 1), date(2026, 3, 31))
    assert (counter.staff_present, counter.working_minutes, counter.shifts) == (0, 0, 0)


def test_guardians_and_staff_who_see_the_child_set_and_read_its_diet(school: Preschool) -> None:
    s = school
    url = f"/children/{s.kid}/diet"
    body = {"diets": ["nut-free", "other"], "note": "Inga jordgubbar"}
    made = s.client.put(url, json=body, headers=s.as_(Role.GUARDIAN, s.guardian))
    assert made.status_code == 200, made.text
    assert made.json()["diets"] == ["nut-free", "other"]
    read = s.client.get(url, headers=s.staff(s.teacher))
    assert read.json() == {
        "child_id": str(s.kid),
        "diets": ["nut-free", "other"],
        "note": "Inga jordgubbar",
        "culled": [],
    }
    for stranger in (s.as_(Role.GUARDIAN, s.other_guardian), s.staff(s.outsider)):
        assert s.client.get(url, headers=stranger).status_code == 404
        assert s.client.put(url, json=body, headers=stranger).status_code == 404
    for role in (Role.ADMIN, Role.STATISTICIAN):
        assert s.client.get(url, headers=s.as_(role)).status_code == 403
    wrong = s.client.put(
        url, json={"diets": ["Sigrid-only-eats-pasta"]}, headers=s.as_(Role.GUARDIAN, s.guardian)
    )
    assert (wrong.status_code, wrong.json()["field"]) == (422, "diets")
    assert "Sigrid" not in wrong.text
    logged = {
        (r.actor_id, r.action, r.resource) for r in s.gallra.audit.records(subject_id=s.kid).rows
    }
    assert (s.teacher, "read", "GET /children/{child_id}/diet") in logged
    assert (s.outsider, "read", "GET /children/{child_id}/diet") in logged  # a refused attempt


def test_the_kitchen_sees_counts_of_its_own_unit_only(school: Preschool) -> None:
    s = school
    kitchen = s.as_(Role.KITCHEN, unit=s.unit)
    for kid, diets in ((s.kid, ["vegan"]), (s.other_kid, ["vegan", "gluten-free"])):
        s.client.put(f"/children/{kid}/diet", json={"diets": diets}, headers=s.staff(s.teacher))
    counted = s.client.get(f"/units/{s.unit}/diet-counts", params={"day": DAY}, headers=kitchen)
    assert counted.status_code == 200, counted.text
    answer = counted.json()
    assert set(answer) == {"unit_id", "day", "expected_children", "counts"}
    assert answer["expected_children"] == 2
    assert {k: v for k, v in answer["counts"].items() if v} == {"vegan": 2, "gluten-free": 1}
    assert str(s.kid) not in counted.text and str(s.other_kid) not in counted.text

    s.gallra.app.report_absence(
        uuid4(), s.kid, s.guardian, date(2026, 3, 16), date(2026, 3, 16), "sick", None
    )
    fewer = s.client.get(f"/units/{s.unit}/diet-counts", params={"day": DAY}, headers=kitchen)
    assert fewer.json()["expected_children"] == 1 and fewer.json()["counts"]["vegan"] == 1

    other = s.client.get(f"/units/{s.other_unit}/diet-counts", params={"day": DAY}, headers=kitchen)
    assert other.status_code == 403
    assert s.client.get(f"/children/{s.kid}/diet", headers=kitchen).status_code == 403
    assert s.client.get(f"/students/{s.kid}/documentation", headers=kitchen).status_code == 403
    assert s.client.get(f"/children/{s.kid}/stay-notes", headers=kitchen).status_code == 403
    guardian = s.as_(Role.GUARDIAN, s.guardian)
    assert (
        s.client.get(
            f"/units/{s.unit}/diet-counts", params={"day": DAY}, headers=guardian
        ).status_code
        == 403
    )


def test_staff_write_notes_and_guardians_read_those_meant_for_them(school: Preschool) -> None:
    s = school
    url = f"/children/{s.kid}/stay-notes"
    teacher = s.staff(s.teacher)
    trip, private = uuid4(), uuid4()
    body = {"note_id": str(trip), "kind": "calendar-event", "day": DAY, "title": "Utflykt"}
    body |= {"text": "Till skogen, ta med regnkläder", "visible_to_guardians": True}
    made = s.client.post(url, json=body, headers=teacher)
    assert (made.status_code, made.json()) == (201, {"id": str(trip), "recorded": True})
    retry = s.client.post(url, json=body, headers=teacher)
    assert (retry.status_code, retry.json()["recorded"]) == (200, False)
    clash = s.client.post(url, json=body | {"title": "Annat"}, headers=teacher)
    assert (clash.status_code, clash.json()["field"]) == (409, "note_id")
    secret = {"note_id": str(private), "day": "2026-03-17", "title": "Sov dåligt"}
    assert s.client.post(url, json=secret, headers=s.staff(s.rektor)).status_code == 201

    staff_list = s.client.get(
        url, params={"from": "2026-03-01", "to": "2026-03-31"}, headers=teacher
    )
    assert [n["note_id"] for n in staff_list.json()] == [str(trip), str(private)]
    assert staff_list.json()[0]["author_id"] == str(s.teacher)
    family = s.client.get(url, headers=s.as_(Role.GUARDIAN, s.guardian))
    assert [n["note_id"] for n in family.json()] == [str(trip)]
    narrow = s.client.get(url, params={"from": "2026-03-17"}, headers=teacher)
    assert [n["note_id"] for n in narrow.json()] == [str(private)]

    for stranger in (s.as_(Role.GUARDIAN, s.other_guardian), s.staff(s.outsider)):
        assert s.client.get(url, headers=stranger).status_code == 404
    assert s.client.post(url, json=body, headers=s.staff(s.outsider)).status_code == 404
    assert (
        s.client.post(url, json=body, headers=s.as_(Role.GUARDIAN, s.guardian)).status_code == 403
    )

    revise = {"day": DAY, "title": "Utflykt till sjön", "text": "", "visible_to_guardians": True}
    revised = s.client.put(f"{url}/{trip}", json=revise, headers=s.staff(s.rektor))
    assert revised.json() == {"id": str(trip), "recorded": True}
    [shown] = s.client.get(url, headers=s.as_(Role.GUARDIAN, s.guardian)).json()
    assert (shown["title"], shown["revisions"], shown["author_id"]) == (
        "Utflykt till sjön",
        1,
        str(s.rektor),
    )
    assert s.client.delete(f"{url}/{trip}", headers=teacher).status_code == 204
    assert s.client.delete(f"{url}/{trip}", headers=teacher).status_code == 204
    assert s.client.get(url, headers=s.as_(Role.GUARDIAN, s.guardian)).json() == []
    assert s.client.delete(f"{url}/{uuid4()}", headers=teacher).status_code == 404
