"""Rectification (GDPR art. 16) in the domain: a wrong name is put right by a new event that
keeps the reason; a retry is a no-op; a correction without a name or a reason is refused,
naming the field."""

from __future__ import annotations

import pytest

from domain.errors import RuleViolationError
from domain.people import Guardian
from domain.person import MAX_NAME, PersonRecord


def guardian() -> Guardian:
    return Guardian(
        given_name="Lena", family_name="Ek", civic_number="19800101TF02", civic_kind="t"
    )


def test_a_correction_is_a_new_event_with_its_reason() -> None:
    person = guardian()
    assert person.correct_identity(" Lina ", "Ek", "felstavat vid inskrivning")
    [registered, corrected] = person.collect_events()
    assert isinstance(corrected, PersonRecord.IdentityCorrected)
    assert (corrected.given_name, corrected.family_name) == ("Lina", "Ek")
    assert corrected.reason == "felstavat vid inskrivning"
    assert (person.given_name, person.family_name) == ("Lina", "Ek")
    assert registered.given_name == "Lena"  # what was recorded stays in the history


def test_correcting_to_what_it_already_says_is_a_no_op() -> None:
    person = guardian()
    person.collect_events()
    assert not person.correct_identity("Lena", "Ek", "försök igen")
    assert person.collect_events() == []


@pytest.mark.parametrize(
    ("given", "family", "reason", "field"),
    [
        ("", "Ek", "skäl", "given_name"),
        ("Lina", "  ", "skäl", "family_name"),
        ("L" * (MAX_NAME + 1), "Ek", "skäl", "given_name"),
        ("Lina", "Ek", " ", "reason"),
    ],
)
def test_a_bad_correction_names_the_field(given: str, family: str, reason: str, field: str) -> None:
    with pytest.raises(RuleViolationError) as refused:
        guardian().correct_identity(given, family, reason)
    assert refused.value.field == field
    assert given not in str(refused.value) or not given
