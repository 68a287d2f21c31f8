"""A person culled to the last scope is forgotten: their fenced key rows give way to one
tombstone that names neither them nor what they had, and it still refuses a new key (both
backends; ADR 0020)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from domain.errors import NotFoundError
from domain.personal import Shredded
from retention.errors import ScopeShreddedError
from retention.keys.forgetting import FORGOTTEN
from retention.keys.scope import Scope
from store_scan import EVENT_TABLES, rows_naming

CIVIC = "20200101TF01"


def cull_to_the_last(gallra: Gallra) -> UUID:
    """A child placed, gone, culled by the plan: placement first, identity a month later."""
    app = gallra.app
    unit = app.create_unit("Förskolan Glömska", "förskola")
    dep = app.add_department(unit, "Ugglan")
    child = app.register_child("Ada", "Glömd", CIVIC, [])
    placement = app.place_child(child, unit, dep, date(2022, 8, 1))
    app.end_placement(child, placement, date(2024, 6, 30))
    gallra.gallring.run(date(2025, 7, 1), by="test")
    return child


def test_the_key_store_forgets_a_person_culled_to_the_last(gallra: Gallra) -> None:
    app = gallra.app
    child = cull_to_the_last(gallra)
    held = {r.scope.category for r in app.keystore.scopes(subject=child, include_shredded=True)}
    assert {"identity", "placement"} <= held  # fenced, not yet forgotten: identity is live
    assert app.keystore.forgettable() == []

    gallra.gallring.run(date(2025, 8, 2), by="test")  # identity, a month after the rest

    assert app.keystore.scopes(subject=child, include_shredded=True) == []
    tombstone = app.keystore.tombstone_of(child)
    [row] = app.keystore.scopes(subject=tombstone, include_shredded=True)
    assert (row.scope.category, row.scope.epoch, row.key_id) == (FORGOTTEN, "-", None)
    assert row.decision_id is not None  # the run that culled the identity
    assert app.keystore.forgotten_among([child, uuid4()]) == {child}
    # Only the child's own stream still carries its id; no key row, view or index does.
    assert set(rows_naming(gallra, child)) <= EVENT_TABLES
    assert isinstance(app.get_child(child).given_name, Shredded)  # still loads


def test_a_forgotten_person_gets_no_key_again(gallra: Gallra) -> None:
    app = gallra.app
    child = cull_to_the_last(gallra)
    gallra.gallring.run(date(2025, 8, 2), by="test")
    app.evict_caches()  # nothing cached may help
    for scope in (Scope(child, "attendance", "2030-01"), Scope(child, "identity", "-")):
        with pytest.raises(ScopeShreddedError):
            app.keystore.keys_for([scope])
    with pytest.raises(NotFoundError):
        app.place_hold(uuid4(), child, "för sent", "registrator")
    # Another subject in the same batch is not refused on the forgotten one's account.
    other = uuid4()
    assert (
        Scope(other, "attendance", "2030-01")
        in app.keystore.keys_for([Scope(other, "attendance", "2030-01")]).keys
    )


def test_forgetting_is_idempotent_and_waits_for_the_read_models(gallra: Gallra) -> None:
    app = gallra.app
    child = cull_to_the_last(gallra)
    settled: list[int] = []
    gallra.gallring.settle = lambda: settled.append(len(app.keystore.forgettable()))
    gallra.gallring.run(date(2025, 8, 2), by="test")
    assert settled == [1]  # the read models were caught up before the rows went
    assert gallra.gallring.forget() == 0
    gallra.gallring.run(date(2025, 9, 1), by="test")
    assert settled == [1]  # nothing left to forget: no catching up asked for
    assert (
        len(app.keystore.scopes(subject=app.keystore.tombstone_of(child), include_shredded=True))
        == 1
    )


def test_someone_with_a_live_key_is_not_forgotten(gallra: Gallra) -> None:
    app = gallra.app
    child = cull_to_the_last(gallra)
    gallra.gallring.run(date(2025, 8, 2), by="test")
    stays = app.register_child("Bo", "Kvar", "20200102TF02", [])
    assert app.keystore.forget_subjects([stays]) == 0  # identity live: nothing to forget
    assert app.keystore.forget_subjects([child]) == 0  # forgotten already
    assert app.find_person("20200102TF02") == stays
