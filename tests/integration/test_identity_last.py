"""A person's identity goes last: a month after the run that culled the last of their other
data, and with it the civic number's blind-index row (both backends)."""

from __future__ import annotations

from datetime import date

from api.bootstrap import Gallra
from domain.personal import Shredded

CIVIC = "20200101TF01"


def categories(gallra: Gallra, as_of: date) -> set[tuple[str, str]]:
    return {(c.rule_id, c.category) for c in gallra.gallring.planned(as_of)}


def test_placement_then_identity(gallra: Gallra) -> None:
    app = gallra.app
    unit = app.create_unit("Förskolan Sist", "förskola")
    dep = app.add_department(unit, "Ugglan")
    child = app.register_child("Ada", "Sist", CIVIC, [])
    placement = app.place_child(child, unit, dep, date(2022, 8, 1))
    app.end_placement(child, placement, date(2024, 6, 30))

    assert categories(gallra, date(2025, 6, 30)) == set()
    assert categories(gallra, date(2025, 7, 1)) == {("placements-no-longer-current", "placement")}
    gallra.gallring.run(date(2025, 7, 1), by="test")
    assert app.find_person(CIVIC) == child  # identity stays while the month runs

    assert categories(gallra, date(2025, 8, 1)) == set()  # a month after 2025-07-01: not yet
    assert categories(gallra, date(2025, 8, 2)) == {("identity-last", "identity")}
    gallra.gallring.run(date(2025, 8, 2), by="test")
    gallra.app.evict_caches()
    assert app.find_person(CIVIC) is None  # the blind-index row went with the key
    assert isinstance(app.get_child(child).given_name, Shredded)
    assert categories(gallra, date(2030, 1, 1)) == set()


def test_identity_stays_while_anything_else_of_the_person_is_left(gallra: Gallra) -> None:
    app = gallra.app
    unit = app.create_unit("Förskolan Kvar", "förskola")
    dep = app.add_department(unit, "Ugglan")
    gone = app.register_child("Bo", "Borta", CIVIC, [])
    stays = app.register_child("Cia", "Kvar", "20200102TF02", [])
    for child in (gone, stays):
        app.place_child(child, unit, dep, date(2022, 8, 1))
    app.end_placement(gone, app.get_child(gone).placements[0].placement_id, date(2024, 6, 30))
    gallra.gallring.run(date(2025, 7, 1), by="test")
    due = {c.category: c.subjects for c in gallra.gallring.planned(date(2040, 1, 1))}
    assert due.get("identity") == 1  # only the child with nothing left
    assert app.find_person("20200102TF02") == stays
