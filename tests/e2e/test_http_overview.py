"""The live overview: counts per department for the unit's own staff, and for nobody else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from builders_tempus import weekday_schedules
from domain.schedule_terms import Entry, ScheduleTerms
from kiosk import kiosk_headers

TODAY = date(2026, 3, 16)  # the clock fixture's Monday


def bearer(gallra: Gallra, principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {gallra.tokens.issue(principal)}"}


@pytest.fixture
def client(gallra: Gallra) -> Iterator[TestClient]:
    with TestClient(create_http_app(gallra, background=False)) as c:
        yield c


def morning(gallra: Gallra) -> tuple[UUID, UUID, UUID]:
    """Eight scheduled children: three arrived, one of them gone home, one reported sick."""
    app = gallra.app
    unit, dep, kids = enrolled_department(app, 8, "Förskolan Lärkan", "Sparven")
    weekday_schedules(app, kids[:7], date(2026, 3, 1))  # the eighth has no schedule
    for k, child in enumerate(kids[:3]):
        app.check_in(uuid4(), dep, child, datetime(2026, 3, 16, 6, 30 + k, tzinfo=UTC))
    app.check_out(uuid4(), dep, kids[0], datetime(2026, 3, 16, 8, 30, tzinfo=UTC))
    guardian = next(iter(app.get_child(kids[3]).guardians))
    app.report_absence(uuid4(), kids[3], guardian, TODAY, TODAY, "sick", None)
    staff = app.register_staff("Per", "Ek", "19800111AB11")
    app.assign_duty(staff, unit, "Förskollärare", date(2025, 8, 1))
    return unit, dep, staff


def test_the_units_staff_see_counts_and_no_names(gallra: Gallra, client: TestClient) -> None:
    unit, dep, staff = morning(gallra)

    answer = client.get(
        f"/units/{unit}/overview", headers=bearer(gallra, Principal(Role.STAFF, subject=staff))
    )

    assert answer.status_code == 200, answer.text
    [row] = answer.json()
    assert row["department_id"] == str(dep)
    assert (row["placed"], row["scheduled"]) == (8, 7)
    assert (row["present_now"], row["arrived"], row["gone_home"]) == (2, 3, 1)
    assert row["absent"] == {"sick": 1}
    assert row["expected_not_arrived"] == 7 - 3 - 1
    assert row["unscheduled_present"] == 0
    assert "Nr" not in answer.text  # the children's names are "C Nr<n>"


def test_anyone_else_is_refused(gallra: Gallra, client: TestClient) -> None:
    unit, dep, _ = morning(gallra)
    stranger = gallra.app.register_staff("Eva", "Ask", "19800112AB12")
    guardian = next(iter(gallra.app.get_child(gallra.access.members_of(dep, TODAY)[0]).guardians))

    as_stranger = client.get(
        f"/units/{unit}/overview", headers=bearer(gallra, Principal(Role.STAFF, subject=stranger))
    )
    unknown = client.get(
        f"/units/{uuid4()}/overview", headers=bearer(gallra, Principal(Role.ADMIN))
    )
    assert as_stranger.status_code == unknown.status_code == 404
    assert as_stranger.json()["detail"].replace(str(unit), "") == unknown.json()["detail"].replace(
        unknown.url.path.split("/")[2], ""
    )
    for headers in (
        bearer(gallra, Principal(Role.GUARDIAN, subject=guardian)),
        bearer(gallra, Principal(Role.STATISTICIAN)),
        bearer(gallra, Principal(Role.KITCHEN)),
        kiosk_headers(gallra, dep),
    ):
        assert client.get(f"/units/{unit}/overview", headers=headers).status_code == 403


def test_staff_on_duty_list_the_requests_waiting_for_a_decision(
    gallra: Gallra, client: TestClient
) -> None:
    unit, _, staff = morning(gallra)
    app = gallra.app
    child = gallra.access.members_of(unit, TODAY)[0]
    guardian = next(iter(app.get_child(child).guardians))
    [placement] = app.get_child(child).placements
    terms = ScheduleTerms.checked(
        placement.placement_id, date(2026, 4, 6), None, 1, False, [Entry(0, 1, time(8), time(14))]
    )
    schedule = uuid4()
    app.lay_schedule(child, schedule, terms, guardian, guardian_deadline_days=14)
    as_staff = bearer(gallra, Principal(Role.STAFF, subject=staff))

    listed = client.get(f"/units/{unit}/schedule-requests", headers=as_staff)

    assert listed.status_code == 200, listed.text
    [request] = listed.json()
    assert request["child_id"] == str(child) and request["schedule_id"] == str(schedule)
    assert request["start_date"] == "2026-04-06"
    stranger = app.register_staff("Eva", "Ask", "19800112AB12")
    refused = client.get(
        f"/units/{unit}/schedule-requests",
        headers=bearer(gallra, Principal(Role.STAFF, subject=stranger)),
    )
    assert refused.status_code == 404
    app.approve_schedule(child, schedule, staff)
    assert client.get(f"/units/{unit}/schedule-requests", headers=as_staff).json() == []
