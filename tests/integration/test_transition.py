"""Consent in preschool and the transfer of transition documentation, on both backends."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.people import Child
from domain.personal import Shredded
from retention.keys.scope import Scope


def preschool_child(gallra: Gallra) -> tuple[UUID, UUID, UUID, UUID, UUID]:
    """A child with two custodians, placed at a preschool and then at a school."""
    app = gallra.app
    preschool = app.create_unit("Förskolan Norrsken", "förskola")
    department = app.add_department(preschool, "Björnen")
    school = app.create_unit("Örnässkolan", "grundskola")
    mum = app.register_guardian("A", "L", "19800101AB01")
    dad = app.register_guardian("B", "L", "19800102AB02")
    kid = app.register_child(
        "S", "L", "20200101TF01", [(mum, "Vårdnadshavare"), (dad, "Vårdnadshavare")]
    )
    child = app.repository.get(kid)
    assert isinstance(child, Child)
    first = child.place(preschool, department, date(2022, 8, 1), "förskola")
    child.end_placement(first, date(2026, 6, 30))
    second = child.place(school, None, date(2026, 8, 15), "grundskola")
    app.save(child)
    return kid, mum, dad, school, second


def test_no_transfer_from_preschool_without_every_custodians_consent(gallra: Gallra) -> None:
    app = gallra.app
    kid, mum, dad, school, placement = preschool_child(gallra)
    with pytest.raises(ConflictError) as refused:
        app.transfer_documentation(kid, placement)
    assert refused.value.field == "consent"
    assert app.give_consent(kid, mum).valid is False
    with pytest.raises(ConflictError):
        app.transfer_documentation(kid, placement)
    assert app.give_consent(kid, dad).valid is True
    done = app.transfer_documentation(kid, placement)
    assert done.to_unit == school and sorted([mum, dad]) == done.consented_by
    assert app.transfer_documentation(kid, placement) == done  # a retry
    assert app.archive_sources(kid, frozenset({school})) == frozenset({done.from_unit})


def test_consent_can_be_withdrawn_and_its_history_is_kept(gallra: Gallra) -> None:
    app = gallra.app
    kid, mum, dad, _, placement = preschool_child(gallra)
    app.give_consent(kid, mum)
    app.give_consent(kid, dad)
    app.give_consent(kid, dad)  # again: nothing new
    view = app.withdraw_consent(kid, mum)
    assert not view.valid and view.given == {mum: False, dad: True}
    with pytest.raises(ConflictError):
        app.transfer_documentation(kid, placement)
    history = app.consent_history(kid)
    assert [(c.guardian_id, c.given) for c in history] == [(mum, True), (dad, True), (mum, False)]
    with pytest.raises(NotFoundError) as stranger:
        app.give_consent(kid, uuid4())
    assert stranger.value.field == "guardian_id"


def test_a_placement_with_nothing_before_it_has_nothing_to_transfer(gallra: Gallra) -> None:
    app = gallra.app
    unit = app.create_unit("Förskolan", "förskola")
    department = app.add_department(unit, "Räven")
    kid = app.register_child("S", "L", "20200102TF02")
    placement = app.place_child(kid, unit, department, date(2024, 8, 1))
    with pytest.raises(RuleViolationError) as e:
        app.transfer_documentation(kid, placement)
    assert e.value.field == "placement_id"


def test_culled_consents_still_load_and_count_as_not_given(gallra: Gallra) -> None:
    app = gallra.app
    kid, mum, dad, _, _ = preschool_child(gallra)
    app.give_consent(kid, mum)
    app.give_consent(kid, dad)
    app.keystore.shred(uuid4(), scopes=[Scope(kid, "consent", "2026-03")])
    app.evict_caches()
    view = app.get_consent(kid)
    assert not view.valid
    assert all(c.guardian_id == Shredded("consent") for c in app.consent_history(kid))
