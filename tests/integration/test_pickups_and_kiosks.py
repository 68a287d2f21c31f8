"""Pick-up persons and paired kiosks on both backends: add, change, remove, cull, pair."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from api.pickup_commands import PutOutcome, pickup_details
from builders import enrolled_department
from conftest import Clock
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.personal import Shredded
from domain.pickup import PickupDetails, child_pickups_id
from retention.keys.scope import Scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64
GRANDMA = PickupDetails("Mormor Berit", "070-123 45 67", "image/png", PNG)


def shred(gallra: Gallra, *scopes: Scope) -> None:
    gallra.app.keystore.shred(uuid4(), scopes=scopes)
    gallra.app.evict_caches()


@pytest.fixture
def family(gallra: Gallra) -> tuple[UUID, UUID, UUID]:
    unit, department, kids = enrolled_department(gallra.app, 1, "Förskolan Åkern", "Myran")
    return unit, department, kids[0]


def test_add_change_remove_and_who_may_fetch(
    gallra: Gallra, family: tuple[UUID, UUID, UUID], clock: Clock
) -> None:
    app, child, person = gallra.app, family[2], uuid4()
    assert (
        app.pickup_persons(child) == [] and app.pickup_person_ids(child, date(2026, 3, 16)) == set()
    )
    assert app.put_pickup_person(child, person, GRANDMA, None) == PutOutcome.ADDED
    assert app.put_pickup_person(child, person, GRANDMA, None) == PutOutcome.UNCHANGED
    stream = list(app.recorder.select_events(child_pickups_id(child)))
    assert len(stream) == 2  # opened and one addition: the retry recorded nothing
    listed = app.pickup_persons(child)
    assert [(p.person_id, p.name, p.photo_bytes()) for p in listed] == [
        (person, "Mormor Berit", PNG)
    ]
    other = PickupDetails("Mormor Berit", "0709999999")
    assert app.put_pickup_person(child, person, other, None) == PutOutcome.CHANGED
    assert app.pickup_person(child, person).photo is None
    assert app.pickup_person_ids(child, date(2026, 3, 16)) == {person}
    assert app.pickup_person_ids(child, date(2026, 3, 15)) == set()  # not yet added
    clock.now = datetime(2026, 3, 20, 9, tzinfo=UTC)
    assert app.remove_pickup_person(child, person, None) is True
    assert app.remove_pickup_person(child, person, None) is False
    assert app.pickup_persons(child) == []
    assert app.pickup_person_ids(child, date(2026, 3, 19)) == {person}
    assert app.pickup_person_ids(child, date(2026, 3, 20)) == set()
    with pytest.raises(ConflictError):
        app.put_pickup_person(child, person, GRANDMA, None)  # a removed id is never reused
    with pytest.raises(NotFoundError):
        app.pickup_person(child, person)


def test_only_a_child_gets_a_pick_up_list(gallra: Gallra, family: tuple[UUID, UUID, UUID]) -> None:
    unit = family[0]
    with pytest.raises(NotFoundError):
        gallra.app.put_pickup_person(unit, uuid4(), GRANDMA, None)
    with pytest.raises(NotFoundError):
        gallra.app.remove_pickup_person(uuid4(), uuid4(), None)


def test_a_bad_photo_is_refused_by_field_before_anything_is_written(
    gallra: Gallra, family: tuple[UUID, UUID, UUID]
) -> None:
    child = family[2]
    before = gallra.app.recorder.max_notification_id()
    for photo_type, photo, field in [
        ("image/png", "not base64!", "photo"),
        ("image/gif", "R0lGODlh", "photo_type"),
    ]:
        with pytest.raises(RuleViolationError) as refused:
            pickup_details("A", "0701234567", photo_type, photo)
        assert refused.value.field == field
    bad_magic = pickup_details("A", "0701234567", "image/jpeg", "iVBORw0KGgo=")
    with pytest.raises(RuleViolationError) as refused:
        gallra.app.put_pickup_person(child, uuid4(), bad_magic, None)
    assert refused.value.field == "photo"
    assert gallra.app.recorder.max_notification_id() == before


def test_a_culled_pick_up_person_still_loads_and_lists_as_culled(
    gallra: Gallra, family: tuple[UUID, UUID, UUID]
) -> None:
    app, child = gallra.app, family[2]
    kept, culled = uuid4(), uuid4()
    app.put_pickup_person(child, kept, PickupDetails("Morfar Olle", "0702222222"), None)
    app.put_pickup_person(child, culled, GRANDMA, None)
    shred(gallra, Scope(culled, "pickup", "-"))
    listed = {p.person_id: p for p in app.pickup_persons(child)}
    assert listed[kept].name == "Morfar Olle"
    gone = listed[culled]
    assert all(isinstance(v, Shredded) for v in (gone.name, gone.phone, gone.photo, gone.added_on))
    assert gone.photo_bytes() is None
    assert app.pickup_person_ids(child, date(2026, 3, 16)) == {
        kept
    }  # a culled person fetches no one
    with pytest.raises(ConflictError):
        app.put_pickup_person(child, culled, GRANDMA, None)
    with pytest.raises(ConflictError):
        app.remove_pickup_person(child, culled, None)  # its scope is never written again
    shred(gallra, Scope(child, "pickup", "-"), Scope(kept, "pickup", "-"))
    assert [isinstance(p.name, Shredded) for p in app.pickup_persons(child)] == [True, True]


def test_pair_list_and_unpair_kiosks(gallra: Gallra, family: tuple[UUID, UUID, UUID]) -> None:
    app, unit, department = gallra.app, family[0], family[1]
    assert app.department_unit(department) == unit
    first = app.pair_kiosk(department, "Myran entré", None)
    second = app.pair_kiosk(department, "Myran gård", uuid4())
    assert app.kiosk_paired(first) == department == app.kiosk_paired(second)
    assert app.unpair_kiosk(first, None) is True
    assert app.unpair_kiosk(first, None) is False
    assert app.kiosk_paired(first) is None
    assert app.kiosk_paired(uuid4()) is None
    assert app.kiosk_paired(family[2]) is None  # a child's id names no kiosk
    listed = [(k.kiosk_id, k.label, k.paired) for k in app.department_kiosks(department)]
    assert listed == [(first, "Myran entré", False), (second, "Myran gård", True)]
    assert app.department_kiosks(uuid4()) == []
    with pytest.raises(NotFoundError) as refused:
        app.pair_kiosk(uuid4(), "Nowhere", None)
    assert refused.value.field == "department_id"
