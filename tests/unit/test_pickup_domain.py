"""Pick-up persons and kiosk devices as pure domain: validation, retries, removal, culling."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ConflictError, NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.kiosk import Kiosk
from domain.personal import Shredded
from domain.photo import MAX_PHOTO_BYTES
from domain.pickup import (
    ChildPickups,
    PickupDetails,
    PickupPerson,
    checked_phone,
    child_pickups_id,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
DAY = date(2026, 3, 16)
GRANDMA = PickupDetails("Mormor Berit", "070-123 45 67")


def pickups() -> ChildPickups:
    return ChildPickups.open(uuid4())


def test_the_stream_id_is_derived_from_the_child_and_stable() -> None:
    child = uuid4()
    assert ChildPickups.open(child).id == child_pickups_id(child) == child_pickups_id(child)
    assert child_pickups_id(child) != child_pickups_id(uuid4())


@pytest.mark.parametrize("phone", ["0701234567", "+46 70 123 45 67", "070-123 45 67", "123456"])
def test_loose_phone_numbers_pass(phone: str) -> None:
    assert checked_phone(f" {phone} ") == phone


@pytest.mark.parametrize(
    "phone", ["12345", "1" * 21, "070 123 45 67 ext 3", "+", "0701234567+", "07O1234567", ""]
)
def test_bad_phone_numbers_name_the_field_only(phone: str) -> None:
    with pytest.raises(RuleViolationError) as refused:
        pickups().add(uuid4(), PickupDetails("A", phone), DAY, None)
    assert refused.value.field == "phone"
    assert len(phone.strip()) < 2 or phone.strip() not in str(refused.value)


@given(st.text(alphabet="0123456789 -+", max_size=40))
def test_a_phone_is_accepted_only_with_6_to_20_digits(phone: str) -> None:
    digits = sum(c.isdigit() for c in phone)
    try:
        checked_phone(phone)
    except RuleViolationError:
        return
    assert 6 <= digits <= 20


@pytest.mark.parametrize(
    ("photo_type", "photo", "field"),
    [
        ("image/gif", b"GIF89a", "photo_type"),
        ("image/png", JPEG, "photo"),
        ("image/jpeg", PNG, "photo"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_PHOTO_BYTES, "photo"),
        (None, PNG, "photo_type"),
        ("image/png", None, "photo_type"),
    ],
)
def test_photos_are_jpeg_or_png_checked_by_magic_bytes(
    photo_type: str | None, photo: bytes | None, field: str
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        pickups().add(uuid4(), PickupDetails("A", "0701234567", photo_type, photo), DAY, None)
    assert refused.value.field == field


def test_a_retry_is_a_no_op_and_other_content_under_the_same_id_is_refused() -> None:
    p, person = pickups(), uuid4()
    with_photo = PickupDetails(GRANDMA.name, GRANDMA.phone, "image/jpeg", JPEG)
    assert p.add(person, with_photo, DAY, None) is True
    assert p.add(person, with_photo, DAY, None) is False
    with pytest.raises(SubmissionMismatchError) as refused:
        p.add(person, GRANDMA, DAY, None)
    assert refused.value.field == "person_id"
    assert len(p.collect_events()) == 2  # opened, added


def test_change_remove_and_a_removed_id_is_never_used_again() -> None:
    p, person = pickups(), uuid4()
    p.add(person, GRANDMA, DAY, None)
    assert p.change(person, PickupDetails("Mormor Berit", "0701111111"), None) is True
    assert p.change(person, PickupDetails("Mormor Berit", "0701111111"), None) is False
    assert p.current()[0].phone == "0701111111"
    assert p.remove(person, DAY, None) is True
    assert p.remove(person, DAY, None) is False
    assert p.current() == []
    with pytest.raises(ConflictError):
        p.add(person, GRANDMA, DAY, None)
    with pytest.raises(NotFoundError):
        p.change(person, GRANDMA, None)
    with pytest.raises(NotFoundError):
        p.remove(uuid4(), DAY, None)


def test_who_may_fetch_on_a_day() -> None:
    p, early, late = pickups(), uuid4(), uuid4()
    p.add(early, GRANDMA, date(2026, 3, 1), None)
    p.add(late, PickupDetails("Morfar", "0702222222"), date(2026, 3, 10), None)
    p.remove(early, date(2026, 3, 12), None)
    by_day = {
        day: {x.person_id for x in p.persons.values() if x.may_fetch_on(date(2026, 3, day))}
        for day in (1, 9, 10, 11, 12)
    }
    assert by_day == {1: {early}, 9: {early}, 10: {early, late}, 11: {early, late}, 12: {late}}


def test_culled_dates_let_nobody_fetch() -> None:
    culled = Shredded("pickup")
    person = PickupPerson(uuid4(), culled, culled, None, None, culled)
    assert person.culled and not person.may_fetch_on(DAY)
    removed = PickupPerson(uuid4(), "A", "0701234567", None, None, DAY, culled, removed=True)
    assert not removed.may_fetch_on(date(2030, 1, 1))


def test_a_kiosk_is_paired_once_and_unpaired_for_good() -> None:
    kiosk = Kiosk.pair(uuid4(), uuid4(), "  Björnen entré ", None)
    assert kiosk.paired and kiosk.label == "Björnen entré"
    assert kiosk.unpair(uuid4()) is True
    assert kiosk.unpair(uuid4()) is False
    assert not kiosk.paired
    for label in ("", "   ", "x" * 101):
        with pytest.raises(RuleViolationError) as refused:
            Kiosk.pair(uuid4(), uuid4(), label, None)
        assert refused.value.field == "label"
