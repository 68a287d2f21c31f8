"""Guardians' and staff members' data stops being current too (plan 2026.6, both backends):
a guardian's account 12 months after the last of their children has lapsed, a staff member's
duties and account 12 months after the last duty ends, their identity a month after that, and
then they are forgotten. The clock is passed in; the dates are the day before and the day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from api.bootstrap import Gallra
from api.synthetic_municipality import simulated_time
from conftest import Clock, GallraFactory
from domain.personal import Shredded


@pytest.fixture(autouse=True)
def events_follow_the_clock(clock: Clock) -> Iterator[None]:
    """A registration's day is its event's time: let events take the test's clock."""
    with simulated_time(clock):
        yield


def due(gallra: Gallra, as_of: date) -> dict[str, int]:
    """Rule id -> subjects the dry run would cull on ``as_of``."""
    return {c.rule_id: c.subjects for c in gallra.gallring.planned(as_of)}


def test_a_guardian_lapses_with_the_last_of_their_children(gallra: Gallra, clock: Clock) -> None:
    app = gallra.app
    clock.now = datetime(2021, 8, 1, 9, tzinfo=UTC)
    unit = app.create_unit("Förskolan Vårdnad", "förskola")
    dep = app.add_department(unit, "Ugglan")
    guardian = app.register_guardian("Gun", "Vård", "19850101TF01")
    app.change_contact(guardian, "070-111 22 33", None)
    older = app.register_child("Ann", "Vård", "20180101TF02", [(guardian, "Vårdnadshavare")])
    younger = app.register_child("Bo", "Vård", "20200101TF01", [(guardian, "Vårdnadshavare")])
    for child, end in ((older, date(2023, 6, 30)), (younger, date(2024, 6, 30))):
        placement = app.place_child(child, unit, dep, date(2021, 8, 16))
        app.end_placement(child, placement, end)
    clock.now = datetime(2025, 7, 1, 9, tzinfo=UTC)

    # The older child lapsed in July 2024; the younger keeps the guardian current a year more.
    assert due(gallra, date(2025, 6, 30))["placements-no-longer-current"] == 1  # the older
    assert "accounts-no-longer-current" not in due(gallra, date(2025, 6, 30))
    assert due(gallra, date(2025, 7, 1))["accounts-no-longer-current"] == 1  # Gun's contact
    gallra.gallring.run(date(2025, 7, 1), by="test")
    gallra.app.evict_caches()
    assert isinstance(app.get_person_details(guardian).mobile, Shredded)
    assert app.find_person("19850101TF01") == guardian  # the name stays a month longer

    gallra.gallring.run(date(2025, 8, 2), by="test")  # identity, last of all
    assert app.find_person("19850101TF01") is None
    assert app.keystore.forgotten_among([guardian, older, younger]) == {guardian, older, younger}


def test_a_staff_member_lapses_a_year_after_the_last_duty(gallra: Gallra, clock: Clock) -> None:
    app = gallra.app
    clock.now = datetime(2021, 8, 1, 9, tzinfo=UTC)
    unit = app.create_unit("Förskolan Tjänst", "förskola")
    leaves = app.register_staff("Lea", "Slutar", "19800101TF02")
    stays = app.register_staff("Sten", "Kvar", "19810101TF01")
    for staff in (leaves, stays):
        app.change_contact(staff, "070-222 33 44", None)
    duties = [
        app.assign_duty(leaves, unit, role, date(2021, 8, 16)) for role in ("Lärare", "Kurator")
    ]
    app.end_duty(leaves, duties[0], date(2023, 6, 30))
    app.end_duty(leaves, duties[1], date(2024, 6, 30))
    app.assign_duty(stays, unit, "Rektor", date(2021, 8, 16))  # never ends

    assert "placements-no-longer-current" not in due(gallra, date(2025, 6, 30))
    on_the_day = due(gallra, date(2025, 7, 1))
    assert on_the_day["placements-no-longer-current"] == 1  # Lea's two duties
    assert on_the_day["accounts-no-longer-current"] == 1
    gallra.gallring.run(date(2025, 7, 1), by="test")
    gallra.app.evict_caches()
    assert all(isinstance(d.role, Shredded) for d in app.get_staff(leaves).duties)
    assert not any(isinstance(d.role, Shredded) for d in app.get_staff(stays).duties)
    gallra.gallring.run(date(2025, 8, 2), by="test")
    assert app.keystore.forgotten_among([leaves, stays]) == {leaves}
    assert due(gallra, date(2040, 1, 1)) == {}  # the Rektor is current for ever


def test_someone_linked_to_nobody_lapses_a_year_after_registration(
    gallra: Gallra, clock: Clock
) -> None:
    app = gallra.app
    clock.now = datetime(2024, 3, 10, 9, tzinfo=UTC)
    guardian = app.register_guardian("Ensam", "Vård", "19850101TF01")
    staff = app.register_staff("Ensam", "Personal", "19800101TF02")
    for person in (guardian, staff):
        app.change_contact(person, "070-333 44 55", None)
    assert "accounts-no-longer-current" not in due(gallra, date(2025, 3, 10))
    assert due(gallra, date(2025, 3, 11))["accounts-no-longer-current"] == 2


def test_the_index_rebuilt_after_culling_says_the_same(
    make_gallra: GallraFactory, clock: Clock
) -> None:
    gallra = make_gallra()
    test_a_guardian_lapses_with_the_last_of_their_children(gallra, clock)
    view = gallra.currency.view
    before = (
        view.lapsed_guardians(set(), date(2030, 1, 1)),
        view.lapsed_staff(date(2030, 1, 1)),
        view.lapsed_children(["förskola"], date(2030, 1, 1)),
    )
    gallra.currency.runner.rebuild()
    after = (
        view.lapsed_guardians(set(), date(2030, 1, 1)),
        view.lapsed_staff(date(2030, 1, 1)),
        view.lapsed_children(["förskola"], date(2030, 1, 1)),
    )
    assert before == after


def test_a_guardian_with_nothing_but_a_name_is_forgotten_when_their_account_would_go(
    gallra: Gallra, clock: Clock
) -> None:
    app = gallra.app
    clock.now = datetime(2021, 8, 1, 9, tzinfo=UTC)
    unit = app.create_unit("Förskolan Namn", "förskola")
    dep = app.add_department(unit, "Ugglan")
    guardian = app.register_guardian("Nils", "Namn", "19850101TF01")  # no contact, no profile
    child = app.register_child("Nea", "Namn", "20200101TF01", [(guardian, "Vårdnadshavare")])
    app.end_placement(
        child, app.place_child(child, unit, dep, date(2021, 8, 16)), date(2024, 6, 30)
    )
    # The account would go on 2025-07-01 (12 months after), the identity a month after that.
    gallra.gallring.run(date(2025, 7, 31), by="test")  # Nea's placement goes meanwhile
    assert app.find_person("19850101TF01") == guardian
    assert due(gallra, date(2025, 8, 1)).get("identity-last") == 1  # Nils (Nea: in September)
    gallra.gallring.run(date(2025, 8, 1), by="test")
    assert app.find_person("19850101TF01") is None
    assert app.keystore.forgotten_among([guardian]) == {guardian}
