"""A child's attendance history: its guardians and the staff who see it read it day by day;
nobody else learns even that the child exists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.kiosk_sync_commands import KioskEvent
from api.tokens import Principal, Role
from builders import enrolled_department
from kiosk import kiosk_headers


def bearer(gallra: Gallra, role: Role, subject: UUID | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {gallra.tokens.issue(Principal(role, subject=subject))}"}


@pytest.fixture
def client(gallra: Gallra) -> Iterator[TestClient]:
    with TestClient(create_http_app(gallra, background=False)) as c:
        yield c


def two_days(gallra: Gallra) -> tuple[UUID, UUID, UUID, UUID]:
    """Saga came on Monday (brought by her guardian), was sick on Tuesday; Olle is her classmate."""
    app = gallra.app
    _, dep, (saga, olle) = enrolled_department(app, 2, "Förskolan Hjorten", "Kalven")
    anna = next(iter(app.get_child(saga).guardians))
    bo = next(iter(app.get_child(olle).guardians))
    monday = datetime(2026, 3, 9, 7, tzinfo=UTC)
    app.sync_kiosk_batch(dep, None, [
        KioskEvent(uuid4(), "check-out", saga, monday.replace(hour=15), anna),
        KioskEvent(uuid4(), "check-in", saga, monday, anna),
    ])  # fmt: skip
    app.report_absence(uuid4(), saga, anna, date(2026, 3, 10), date(2026, 3, 10), "sick", "feber")
    return saga, anna, bo, dep


def test_a_guardian_reads_their_childs_days(gallra: Gallra, client: TestClient) -> None:
    saga, anna, _, dep = two_days(gallra)

    answer = client.get(
        f"/children/{saga}/attendance",
        params={"from": "2026-03-09", "to": "2026-03-15"},
        headers=bearer(gallra, Role.GUARDIAN, anna),
    )

    assert answer.status_code == 200, answer.text
    monday, tuesday = answer.json()
    assert monday["day"] == "2026-03-09" and monday["department_id"] == str(dep)
    assert [f["type"] for f in monday["facts"]] == ["check-in", "check-out"]  # in time order
    assert monday["facts"][0]["by"] == str(anna)
    assert monday["minutes"] == 8 * 60 and monday["absence_kind"] is None
    assert (tuesday["absence_kind"], tuesday["absence_reason"]) == ("sick", "feber")
    assert tuesday["facts"] == []


def test_nobody_else_reads_it(gallra: Gallra, client: TestClient) -> None:
    saga, _, bo, dep = two_days(gallra)
    stranger = gallra.app.register_staff("Eva", "Ask", "19800112AB12")
    params = {"from": "2026-03-09", "to": "2026-03-15"}

    for headers in (bearer(gallra, Role.GUARDIAN, bo), bearer(gallra, Role.STAFF, stranger)):
        refused = client.get(f"/children/{saga}/attendance", params=params, headers=headers)
        nobody = uuid4()
        unknown = client.get(f"/children/{nobody}/attendance", params=params, headers=headers)
        assert refused.status_code == unknown.status_code == 404
        assert refused.json()["detail"] == unknown.json()["detail"].replace(str(nobody), str(saga))
    for headers in (kiosk_headers(gallra, dep), bearer(gallra, Role.KITCHEN)):
        refused = client.get(f"/children/{saga}/attendance", params=params, headers=headers)
        assert refused.status_code == 403


def test_a_too_long_period_names_the_field(gallra: Gallra, client: TestClient) -> None:
    saga, anna, _, _ = two_days(gallra)

    answer = client.get(
        f"/children/{saga}/attendance",
        params={"from": "2026-01-01", "to": "2026-06-30"},
        headers=bearer(gallra, Role.GUARDIAN, anna),
    )

    assert answer.status_code == 422
    assert answer.json()["field"] == "to"
