"""The school-side aggregates: rules that need no storage."""

from __future__ import annotations

import base64
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.documentation import DocumentEntry, is_transition
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import Group, OrganisationType, SchoolForm, Unit
from domain.people import Child, Guardian, SecurityMarking, Staff
from domain.personal import Category

TODAY = date(2026, 3, 16)
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 32).decode()


def child() -> Child:
    return Child(given_name="A", family_name="B", civic_number="20180101TF01", civic_kind="t")


def staff() -> Staff:
    return Staff(given_name="S", family_name="T", civic_number="19800101TF01", civic_kind="t")


def test_a_unit_above_school_units_takes_no_departments() -> None:
    huvudman = Unit(name="Luleå kommun", organisation_type=OrganisationType.HUVUDMAN)
    assert not huvudman.holds_children
    with pytest.raises(RuleViolationError) as e:
        huvudman.add_department("Björnen")
    assert e.value.field == "unit_id"
    school = Unit(name="Skola", school_forms=["grundskola", "fritidshem"], parent_id=huvudman.id)
    assert school.school_form == SchoolForm.GRUNDSKOLA
    assert school.parent_id == huvudman.id


def test_the_first_slice_unit_call_still_makes_a_school_unit() -> None:
    unit = Unit(name="Förskolan", school_form="förskola")
    assert unit.school_forms == [SchoolForm.FORSKOLA]
    assert unit.organisation_type == OrganisationType.SKOLENHET


def test_school_forms_know_compulsory_attendance_and_ss12000_codes() -> None:
    assert SchoolForm.GRUNDSKOLA.compulsory and not SchoolForm.FORSKOLA.compulsory
    assert SchoolForm.ANPASSAD_GRUNDSKOLA.ss12000 == "GRS"


def test_a_group_cannot_end_before_it_starts_or_end_twice() -> None:
    group = Group(
        unit_id=uuid4(),
        name="7A",
        group_type="Klass",
        school_forms=["grundskola"],
        start=date(2026, 8, 15),
    )
    with pytest.raises(RuleViolationError):
        group.close(date(2026, 8, 1))
    group.close(date(2027, 6, 10))
    assert not group.active_on(date(2027, 6, 11))
    with pytest.raises(ConflictError):
        group.close(date(2027, 6, 12))


def test_one_open_placement_per_school_form() -> None:
    kid = child()
    kid.place(uuid4(), None, date(2026, 8, 15), "grundskola")
    kid.place(uuid4(), uuid4(), date(2026, 8, 15), "fritidshem")  # both at once is fine
    with pytest.raises(ConflictError) as e:
        kid.place(uuid4(), None, date(2026, 9, 1), "grundskola")
    assert e.value.field == "start"


def test_a_move_ends_the_old_placement_the_day_before_and_keeps_the_school_form() -> None:
    kid = child()
    first = kid.place(uuid4(), None, date(2026, 8, 15), "grundskola")
    kid.join_group(first, group := uuid4(), date(2026, 8, 15))
    to_unit = uuid4()
    second = kid.move(first, to_unit, None, date(2027, 1, 10))
    old, new = kid.placements[first], kid.placements[second]
    assert old.end == date(2027, 1, 9)
    assert (new.unit_id, new.start, new.school_form) == (to_unit, date(2027, 1, 10), "grundskola")
    # the groups of the old placement ended with it
    assert all(m.end == date(2027, 1, 9) for m in kid.memberships.values() if m.group_id == group)
    with pytest.raises(ConflictError):
        kid.move(first, uuid4(), None, date(2027, 2, 1))


def test_group_membership_needs_a_placement_and_joining_twice_is_a_retry() -> None:
    kid = child()
    with pytest.raises(NotFoundError):
        kid.join_group(uuid4(), uuid4(), date(2026, 8, 15))
    placement = kid.place(uuid4(), None, date(2026, 8, 15), "grundskola")
    with pytest.raises(RuleViolationError):
        kid.join_group(placement, uuid4(), date(2026, 8, 1))
    group = uuid4()
    once = kid.join_group(placement, group, date(2026, 8, 20))
    assert kid.join_group(placement, group, date(2026, 8, 21)) == once
    kid.leave_group(group, date(2026, 12, 20))
    assert not kid.memberships[once].active_on(date(2026, 12, 21))
    with pytest.raises(NotFoundError):
        kid.leave_group(group, date(2026, 12, 22))


def test_duties_and_assignments() -> None:
    s = staff()
    with pytest.raises(RuleViolationError) as e:
        s.assign_duty(uuid4(), "Trollkarl", date(2026, 8, 1))
    assert e.value.field == "role"
    unit = uuid4()
    duty = s.assign_duty(unit, "Lärare", date(2026, 8, 1))
    assert s.assign_duty(unit, "Lärare", date(2026, 8, 2)) == duty  # retry
    group = uuid4()
    assignment = s.assign_to_group(duty, group, "Mentor", date(2026, 8, 15))
    s.end_duty(duty, date(2026, 12, 31))
    assert s.assignments[assignment].end == date(2026, 12, 31)  # ended with the duty
    with pytest.raises(ConflictError):
        s.assign_to_group(duty, uuid4(), "Lärare", date(2027, 1, 1))


def test_contact_profile_settings_and_marking() -> None:
    g = Guardian(given_name="G", family_name="H", civic_number="19800101TF02", civic_kind="t")
    assert not g.protected
    g.change_contact("+46 70 123 45 67", "g@example.se")
    g.change_contact("+46 70 123 45 67", "g@example.se")  # unchanged: no event
    g.mark_security("Skyddad folkbokföring")
    assert g.protected and g.marking == SecurityMarking.PROTECTED
    with pytest.raises(RuleViolationError):
        g.mark_security("Hemlig")
    g.change_profile("image/png", PNG, "Hej")
    with pytest.raises(RuleViolationError) as e:
        g.change_profile("image/jpeg", PNG, None)
    assert e.value.field == "picture"
    with pytest.raises(RuleViolationError):
        g.change_profile("image/gif", PNG, None)
    with pytest.raises(RuleViolationError):
        g.change_settings({"Bad Name": True})
    g.change_settings({"notices.absence.sms": True})
    assert [type(e).__name__ for e in g.collect_events()] == [
        "Registered",
        "ContactChanged",
        "SecurityMarkingChanged",
        "ProfileChanged",
        "SettingsChanged",
    ]


def entry(category: str = "iup", school_form: str = "grundskola") -> DocumentEntry:
    return DocumentEntry.write(
        category=category,
        school_form=school_form,
        student_id=uuid4(),
        unit_id=uuid4(),
        author_id=uuid4(),
        written_on=date(2026, 9, 3),
        title="Utvecklingssamtal",
        content="Mål för terminen",
    )


def test_documentation_entries_keep_every_version() -> None:
    e = entry()
    editor = uuid4()
    assert e.revise(editor, "Utvecklingssamtal", "Nya mål")
    assert not e.revise(editor, "Utvecklingssamtal", "Nya mål")  # nothing changed
    assert [v.number for v in e.versions] == [1, 2]
    assert e.current.content == "Nya mål" and e.versions[0].content == "Mål för terminen"
    assert e.current.author_id == editor
    assert e.versions[1].recorded_at >= e.versions[0].recorded_at


def test_documentation_categories_are_checked_per_school_form() -> None:
    with pytest.raises(RuleViolationError) as e:
        entry("dagbok")
    assert e.value.field == "category"
    with pytest.raises(RuleViolationError):
        entry("betygsunderlag", "förskola")
    with pytest.raises(RuleViolationError) as e2:
        DocumentEntry.write(
            category="samtal",
            school_form="grundskola",
            student_id=uuid4(),
            unit_id=uuid4(),
            author_id=uuid4(),
            written_on=date(2026, 9, 3),
            title=" ",
            content="x",
        )
    assert e2.value.field == "title"


def test_transition_documentation_follows_the_seed_lists() -> None:
    assert is_transition(Category.IUP, "grundskola")
    assert not is_transition(Category.IUP, "förskola")
    assert is_transition(Category.SAKRA_ANTECKNINGAR, "förskola")
    assert not is_transition(Category.OMDOMEN, "gymnasieskola")


def family() -> tuple[Child, UUID, UUID]:
    kid = child()
    mum, dad = uuid4(), uuid4()
    kid.link_guardian(mum)
    kid.link_guardian(dad)
    return kid, mum, dad


def test_every_guardian_with_custody_must_consent_and_one_withdrawal_ends_it() -> None:
    kid, mum, dad = family()
    kid.link_guardian(uuid4(), "Annan ansvarig")  # not needed while custodians exist
    assert not kid.consent_valid()
    kid.give_consent(mum, TODAY)
    assert not kid.consent_valid()
    kid.give_consent(dad, TODAY)
    kid.give_consent(dad, TODAY)  # again: a retry, no event
    assert kid.consent_valid()
    kid.withdraw_consent(mum, TODAY)
    assert not kid.consent_valid()
    names = [type(e).__name__ for e in kid.collect_events()]
    assert names.count("ConsentGiven") == 2 and names.count("ConsentWithdrawn") == 1
    with pytest.raises(NotFoundError) as e:
        kid.give_consent(uuid4(), TODAY)
    assert e.value.field == "guardian_id"


def test_without_custodians_the_other_responsible_adults_consent() -> None:
    kid = child()
    adult = uuid4()
    kid.link_guardian(adult, "God man")
    assert kid.consenters() == [adult]
    kid.give_consent(adult, TODAY)
    assert kid.consent_valid()
    assert not child().consent_valid()  # nobody to consent: no consent


def test_preschool_documentation_moves_only_with_consent() -> None:
    kid, mum, dad = family()
    preschool, school = uuid4(), uuid4()
    first = kid.place(preschool, uuid4(), date(2022, 8, 1), "förskola")
    kid.end_placement(first, date(2026, 6, 30))
    second = kid.place(school, None, date(2026, 8, 15), "förskoleklass")
    with pytest.raises(ConflictError) as e:
        kid.transfer_documentation(preschool, "förskola", second, school, date(2026, 8, 15))
    assert e.value.field == "consent"
    assert kid.archive_sources(school) == frozenset()
    kid.give_consent(mum, TODAY)
    kid.give_consent(dad, TODAY)
    done = kid.transfer_documentation(preschool, "förskola", second, school, date(2026, 8, 15))
    assert done.consented_by == sorted([mum, dad])
    again = kid.transfer_documentation(preschool, "förskola", second, school, date(2026, 8, 15))
    assert again == done  # a retry records nothing new
    assert kid.archive_sources(school) == frozenset({preschool})


def test_from_school_age_the_documentation_follows_a_move_and_chains() -> None:
    kid = child()
    a, b, c = uuid4(), uuid4(), uuid4()
    p1 = kid.place(a, None, date(2024, 8, 15), "grundskola")
    p2 = kid.move(p1, b, None, date(2025, 1, 10))
    kid.move(p2, c, None, date(2025, 8, 15))
    assert kid.archive_sources(c) == frozenset({a, b})
    assert kid.archive_sources(b) == frozenset({a})
    assert not kid.consents  # no consent was asked for
