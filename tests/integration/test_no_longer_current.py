"""The plan's no-longer-current trigger ("inaktualitet"): a child's Tempus data is culled
12 months after its last preschool or fritids placement ends, and not a day before.

The data here is a small record of this module's own, sealed under the Tempus categories, so
the engine is tested apart from the features that write such data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from api.bootstrap import Gallra
from builders import enrolled_department
from conftest import Clock
from domain.gallring import GallringRun
from domain.personal import Category, FixedEpoch, Personal, Shredded
from domain.pickup import PickupDetails

_SCHEDULE = Personal(Category.SCHEDULE, subject="child_id", epoch=FixedEpoch())
_DIET = Personal(Category.DIET, subject="child_id", epoch=FixedEpoch())


class TempusRecord(Aggregate):
    """A stand-in for a schedule book and a diet record: one sealed field of each."""

    class Created(Aggregate.Created):
        child_id: UUID
        times: Annotated[str | Shredded, _SCHEDULE]
        diet: Annotated[str | Shredded, _DIET]

    @event(Created)
    def __init__(self, child_id: UUID, times: str | Shredded, diet: str | Shredded) -> None:
        self.child_id = child_id
        self.times = times
        self.diet = diet


def record(gallra: Gallra, child: UUID) -> UUID:
    rec = TempusRecord(child_id=child, times="07:30-16:00", diet="glutenfri")
    gallra.app.save(rec)
    return rec.id


def reread(gallra: Gallra, record_id: UUID) -> TempusRecord:
    gallra.app.evict_caches()
    rec = gallra.app.repository.get(record_id)
    assert isinstance(rec, TempusRecord)
    return rec


def only_placement(gallra: Gallra, child: UUID) -> UUID:
    [placement] = gallra.app.get_child(child).placements
    return placement.placement_id


def lapsed_culls(gallra: Gallra, as_of: date) -> set[tuple[str, int]]:
    return {
        (c.category, c.subjects)
        for c in gallra.gallring.planned(as_of)
        if c.rule_id == "tempus-no-longer-current"
    }


def test_culled_twelve_months_after_the_last_placement_ends(gallra: Gallra) -> None:
    _, _, (leaver, stayer) = enrolled_department(gallra.app, 2, "Förskolan Tallen", "Myran")
    gallra.app.end_placement(leaver, only_placement(gallra, leaver), date(2026, 6, 30))
    left, stays = record(gallra, leaver), record(gallra, stayer)

    assert lapsed_culls(gallra, date(2027, 6, 30)) == set()
    assert lapsed_culls(gallra, date(2027, 7, 1)) == {("schedule", 1), ("diet", 1)}

    results = gallra.gallring.run(date(2027, 7, 1), by="test")

    ours = [r for r in results if r.rule_id == "tempus-no-longer-current"]
    assert {(r.category, r.keys_destroyed, r.months) for r in ours} == {
        ("schedule", 1, ()),
        ("diet", 1, ()),
    }
    gone = reread(gallra, left)
    assert isinstance(gone.times, Shredded) and isinstance(gone.diet, Shredded)
    kept = reread(gallra, stays)
    assert (kept.times, kept.diet) == ("07:30-16:00", "glutenfri")
    # The record of the run names the rule and no months: nobody else's period is closed.
    runs = [r for r in gallra.gallring.records() if r.rule_id == "tempus-no-longer-current"]
    assert {r.category for r in runs} == {"schedule", "diet"}
    assert all(r.epochs == [] and r.finished_at is not None for r in runs)
    assert isinstance(runs[0], GallringRun)
    # A second run finds nothing more to do.
    assert lapsed_culls(gallra, date(2027, 7, 1)) == set()


def test_a_fritids_placement_keeps_a_preschool_childs_data_current(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    fritids = app.create_unit("Tallens fritidshem", "fritidshem")
    app.end_placement(child, only_placement(gallra, child), date(2026, 6, 30))
    app.place_child(child, fritids, None, date(2026, 8, 15))
    record(gallra, child)

    assert lapsed_culls(gallra, date(2030, 1, 1)) == set()


def test_a_school_placement_does_not_keep_tempus_data_current(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    school = app.create_unit("Tallskolan", "grundskola")
    app.end_placement(child, only_placement(gallra, child), date(2026, 6, 30))
    app.place_child(child, school, None, date(2026, 8, 15))
    record(gallra, child)

    assert lapsed_culls(gallra, date(2027, 6, 30)) == set()
    assert lapsed_culls(gallra, date(2027, 7, 1)) == {("schedule", 1), ("diet", 1)}


def test_a_child_never_placed_keeps_its_data_until_placed_and_gone(gallra: Gallra) -> None:
    app = gallra.app
    guardian = app.register_guardian("G", "Nr9", "19800109AB09")
    child = app.register_child("C", "Nr9", "20200209TF09", [(guardian, "Vårdnadshavare")])
    record(gallra, child)

    assert lapsed_culls(gallra, date(2040, 1, 1)) == set()


def test_a_culled_placement_counts_as_ended_long_ago(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    placement = only_placement(gallra, child)
    app.end_placement(child, placement, date(2026, 6, 30))
    record(gallra, child)
    [scope] = [
        r
        for r in app.keystore.scopes(subject=child, category="placement")
        if r.scope.epoch == str(placement)
    ]
    decision = uuid4()
    assert scope.key_id is not None
    app.keystore.shred(decision, key_ids=[scope.key_id], periods=[])
    app.evict_caches()
    # The projection learns of the cull from the placement event, which now reads as culled.
    gallra.currency.runner.rebuild()

    assert lapsed_culls(gallra, date(2026, 7, 1)) == {("schedule", 1), ("diet", 1)}


def pickup_names(gallra: Gallra, child: UUID) -> list[str | Shredded]:
    gallra.app.evict_caches()
    pickups = gallra.app._pickups(child)
    assert pickups is not None
    return [p.name for p in pickups.persons.values()]


def test_a_removed_pick_up_person_is_culled_twelve_months_after_removal(
    gallra: Gallra, clock: Clock
) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    kept, removed = uuid4(), uuid4()
    app.add_pickup_person(child, kept, PickupDetails("Mormor Anna", "070-123 45 67"), None)
    app.add_pickup_person(child, removed, PickupDetails("Morfar Bo", "070-765 43 21"), None)
    app.remove_pickup_person(child, removed, None)  # on the clock's day, 2026-03-16

    assert lapsed_culls(gallra, date(2027, 3, 16)) == set()
    assert lapsed_culls(gallra, date(2027, 3, 17)) == {("pickup", 1)}

    gallra.gallring.run(date(2027, 3, 17), by="test")

    names = pickup_names(gallra, child)
    assert "Mormor Anna" in names
    assert any(isinstance(n, Shredded) for n in names)
    assert "Morfar Bo" not in names


def test_a_lapsed_childs_pick_up_persons_go_with_its_data(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    app.add_pickup_person(child, uuid4(), PickupDetails("Moster Cia", "070-111 22 33"), None)
    app.end_placement(child, only_placement(gallra, child), date(2026, 6, 30))

    assert lapsed_culls(gallra, date(2027, 7, 1)) == {("pickup", 2)}  # the child and the person

    gallra.gallring.run(date(2027, 7, 1), by="test")

    assert all(isinstance(n, Shredded) for n in pickup_names(gallra, child))
    assert lapsed_culls(gallra, date(2027, 7, 1)) == set()


def test_a_child_who_comes_back_gets_a_diet_and_pick_up_persons_again(
    gallra: Gallra, clock: Clock
) -> None:
    app = gallra.app
    unit, dep, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    app.set_diet(child, ["gluten-free"], None)
    app.add_pickup_person(child, uuid4(), PickupDetails("Moster Cia", "070-111 22 33"), None)
    app.end_placement(child, only_placement(gallra, child), date(2026, 6, 30))
    gallra.gallring.run(date(2027, 7, 1), by="test")
    clock.now = datetime(2027, 8, 20, 9, tzinfo=UTC)

    app.place_child(child, unit, dep, date(2027, 8, 15))
    app.set_diet(child, ["vegetarian"], None)
    app.add_pickup_person(child, uuid4(), PickupDetails("Farbror Dan", "070-444 55 66"), None)

    app.evict_caches()
    assert tuple(app.get_diet(child).diets) == ("vegetarian",)
    names = pickup_names(gallra, child)
    assert "Farbror Dan" in names and "Moster Cia" not in names
