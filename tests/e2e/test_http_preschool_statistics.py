"""The preschool statistics over HTTP: who may ask, what a suppressed cell shows, bad periods."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders_tempus import WEEK, history


@pytest.fixture
def client(gallra: Gallra) -> Iterator[TestClient]:
    with TestClient(create_http_app(gallra, background=False)) as c:
        yield c


def headers(gallra: Gallra, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {gallra.tokens.issue(Principal(role))}"}


def test_a_statistician_reads_presence_by_week_with_ratios(
    gallra: Gallra, client: TestClient
) -> None:
    unit, _, _ = history(gallra)

    answer = client.get(
        "/statistics/preschool/presence",
        params={
            "unit_id": str(unit),
            "first": "2026-03-01",
            "last": "2026-03-31",
            "granularity": "week",
        },
        headers=headers(gallra, Role.STATISTICIAN),
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dimensions"] == ["department_id", "week"]
    [cell] = body["cells"]
    assert cell["key"][1] == "2026-W10" and not cell["suppressed"]
    assert cell["values"]["scheduled_minutes"] == 8 * 5 * 510
    assert cell["ratios"]["occupancy"] == round(35 / 40, 3)
    assert set(cell["ratios"]) == {"occupancy", "presence_of_scheduled", "children_per_staff"}


def test_a_suppressed_absence_cell_carries_no_numbers(gallra: Gallra, client: TestClient) -> None:
    unit, _, _ = history(gallra)

    body = client.get(
        "/statistics/preschool/absence",
        params={
            "unit_id": str(unit),
            "first": WEEK[0].isoformat(),
            "last": WEEK[-1].isoformat(),
            "granularity": "day",
        },
        headers=headers(gallra, Role.STATISTICIAN),
    ).json()

    sick = [c for c in body["cells"] if c["key"][2] == "sick"]
    assert sick and all(c["suppressed"] and c["values"] is None for c in sick)
    assert all(c["persons"] is None for c in sick)


@pytest.mark.parametrize("role", [Role.STAFF, Role.GUARDIAN, Role.KITCHEN, Role.AUDITOR])
def test_only_statisticians_and_admins_ask(gallra: Gallra, client: TestClient, role: Role) -> None:
    answer = client.get(
        "/statistics/preschool/presence",
        params={"first": "2026-03-01", "last": "2026-03-31"},
        headers=headers(gallra, role),
    )

    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("first", "last"), [(date(2026, 3, 31), date(2026, 3, 1)), (date(2025, 1, 1), date(2026, 3, 1))]
)
def test_a_bad_period_is_a_problem_naming_last(
    gallra: Gallra, client: TestClient, first: date, last: date
) -> None:
    answer = client.get(
        "/statistics/preschool/absence",
        params={"first": first.isoformat(), "last": last.isoformat()},
        headers=headers(gallra, Role.ADMIN),
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "last" in answer.text
