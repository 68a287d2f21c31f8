"""What every person has (contact, marking, profile, settings) and children's placements and
groups, through the application on both backends."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Gallra
from domain.errors import ConflictError, DomainError, NotFoundError, RuleViolationError
from domain.organisation import Group, Unit
from domain.person import MAX_PICTURE_BYTES
from domain.personal import Shredded
from domain.staff import Staff
from retention.keys.scope import Scope

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 32).decode()
JPEG = base64.b64encode(b"\xff\xd8\xff" + b"\0" * 32).decode()


@dataclass
class Town:
    preschool: UUID  # förskola with departments Björnen and Ugglan
    bjornen: UUID
    ugglan: UUID
    school: UUID  # grundskola and fritidshem, with a fritids department
    fritids: UUID
    guardian: UUID
    child: UUID
    staff: UUID


@pytest.fixture
def town(gallra: Gallra) -> Town:
    app = gallra.app
    preschool = app.create_unit("Förskolan Norrsken", "förskola")
    bjornen = app.add_department(preschool, "Björnen")
    ugglan = app.add_department(preschool, "Ugglan")
    school = Unit(name="Norrskolan", school_forms=["grundskola", "fritidshem"])
    app.save(school)
    fritids = app.add_department(school.id, "Fritids")
    guardian = app.register_guardian("Anna", "Lind", "19811228-9874")
    child = app.register_child("Saga", "Lind", "20210412-2383", [(guardian, "Vårdnadshavare")])
    staff = Staff(
        given_name="Eva", family_name="Berg", civic_number="19700101TF01", civic_kind="temporary"
    )
    app.save(staff)
    return Town(preschool, bjornen, ugglan, school.id, fritids, guardian, child, staff.id)


def group_at(
    gallra: Gallra, unit: UUID, start: date = date(2025, 8, 1), end: date | None = None
) -> UUID:
    group = Group(
        unit_id=unit,
        name="1A",
        group_type="Klass",
        school_forms=["grundskola"],
        start=start,
        end=end,
    )
    gallra.app.save(group)
    return group.id


def refused(error: type[DomainError], field: str, call: object, *args: object) -> None:
    with pytest.raises(error) as caught:
        call(*args)  # type: ignore[operator]
    assert caught.value.field == field


def events(gallra: Gallra, stream: UUID) -> int:
    return len(list(gallra.app.recorder.select_events(stream)))


def shred(gallra: Gallra, *scopes: Scope) -> None:
    gallra.app.keystore.shred(uuid4(), scopes=scopes)
    gallra.app.evict_caches()


# -- contact, marking, profile, settings ----------------------------------------------------


def test_every_kind_of_person_has_contact_profile_and_settings(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    for person in (town.child, town.guardian, town.staff):
        app.change_contact(person, " 070-123 45 67 ", "anna.lind@example.se")
        app.change_profile(person, "image/png", PNG, "Hej!")
        app.change_settings(person, {"notify.sms": True, "consent.photo": False})
        details = app.get_person_details(person)
        assert (details.mobile, details.email) == ("070-123 45 67", "anna.lind@example.se")
        assert (details.picture_type, details.picture, details.profile_text) == (
            "image/png",
            PNG,
            "Hej!",
        )
        assert details.settings == {"notify.sms": True, "consent.photo": False}
        assert details.protected is False
    assert app.get_person_details(town.child).responsible_adults == {town.guardian}
    app.change_contact(town.guardian, "", None)
    cleared = app.get_person_details(town.guardian)
    assert (cleared.mobile, cleared.email) == (None, None)


def test_the_same_values_again_record_nothing(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    app.change_contact(town.guardian, "+46701234567", "a@example.se")
    app.mark_security(town.guardian, "Sekretessmarkering")
    app.change_settings(town.guardian, {"notify.email": True})
    before = events(gallra, town.guardian)
    app.change_contact(town.guardian, "+46701234567", "a@example.se")
    app.mark_security(town.guardian, "Sekretessmarkering")
    app.change_settings(town.guardian, {"notify.email": True})
    assert events(gallra, town.guardian) == before


def test_contact_formats(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    for mobile in ("0701234567", "070-123 45 67", "+46 70 123 45 67", "+1-202-555-0100"):
        app.change_contact(town.staff, mobile, None)
    for email in ("anna.lind@example.se", "a+b@sub.example.com", "o'neil@xn--skola-iua.se"):
        app.change_contact(town.staff, None, email)
    bad_mobiles = [
        "070123",  # too short
        "+0701234567",  # E.164 has no leading zero
        "070/1234567",
        "0701234567 x",
        "+46 70 123 45 67 890 12",  # longer than 20
        "0701234567890123",  # 16 digits
        "46701234567",  # neither 0 nor +
        "070١٢٣٤٥٦٧",  # non-ASCII digits
    ]
    for mobile in bad_mobiles:
        with pytest.raises(RuleViolationError) as caught:
            app.change_contact(town.staff, mobile, None)
        assert caught.value.field == "mobile" and mobile not in str(caught.value)
    bad_emails = [
        "anna",
        "anna@",
        "@example.se",
        "anna@example",
        "anna..lind@example.se",
        ".anna@example.se",
        "anna@-example.se",
        "anna lind@example.se",
        "anna@exa_mple.se",
        "a@b@example.se",
        "x" * 65 + "@example.se",
    ]
    for email in bad_emails:
        with pytest.raises(RuleViolationError) as caught:
            app.change_contact(town.staff, None, email)
        assert caught.value.field == "email" and email not in str(caught.value)


def test_security_marking_protects_the_contact(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    refused(RuleViolationError, "marking", app.mark_security, town.child, "Hemlig")
    app.mark_security(town.child, "Skyddad folkbokföring")
    assert app.get_person_details(town.child).protected is True
    app.mark_security(town.child, "Ingen")
    assert app.get_person_details(town.child).protected is False


def test_profile_and_settings_rules(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    p = town.guardian
    refused(RuleViolationError, "picture_type", app.change_profile, p, None, PNG, None)
    refused(RuleViolationError, "picture_type", app.change_profile, p, "image/gif", PNG, None)
    refused(RuleViolationError, "picture", app.change_profile, p, "image/png", "not base64!", None)
    refused(RuleViolationError, "picture", app.change_profile, p, "image/png", JPEG, None)
    too_big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_PICTURE_BYTES).decode()
    refused(RuleViolationError, "picture", app.change_profile, p, "image/png", too_big, None)
    refused(RuleViolationError, "profile_text", app.change_profile, p, None, None, "x" * 2001)
    app.change_profile(p, "image/jpeg", JPEG, None)
    refused(RuleViolationError, "settings", app.change_settings, p, {"Notify": True})
    many = {f"s{n}": True for n in range(65)}
    refused(RuleViolationError, "settings", app.change_settings, p, many)


def test_unknown_people_are_not_found(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    for nobody in (uuid4(), town.preschool):  # a unit is not a person
        with pytest.raises(NotFoundError, match="no person"):
            app.get_person_details(nobody)
        with pytest.raises(NotFoundError, match="no person"):
            app.change_contact(nobody, None, None)
        with pytest.raises(NotFoundError, match="no person"):
            app.mark_security(nobody, "Ingen")


def test_culled_contact_and_profile_read_as_null(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    p = town.guardian
    app.change_contact(p, "0701234567", "anna@example.se")
    app.change_profile(p, "image/png", PNG, "Hej")
    app.change_settings(p, {"notify.sms": True})
    shred(gallra, Scope(p, "contact", "-"))
    details = app.get_person_details(p)
    assert isinstance(details.mobile, Shredded) and isinstance(details.email, Shredded)
    assert details.profile_text == "Hej"
    app.change_contact(p, "0707654321", None)  # new details: the next generation
    assert app.get_person_details(p).mobile == "0707654321"
    shred(gallra, Scope(p, "profile", "-"))
    details = app.get_person_details(p)
    assert all(
        isinstance(v, Shredded)
        for v in (details.picture_type, details.picture, details.profile_text, details.settings)
    )


def test_a_culled_marking_reads_as_protected(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    app.mark_security(town.child, "Skyddad folkbokföring")
    app.mark_security(town.child, "Ingen")
    shred(gallra, Scope(town.child, "identity", "-"))
    assert app.get_person_details(town.child).protected is True


# -- placements -----------------------------------------------------------------------------


def test_a_placement_takes_the_units_only_school_form(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    app.place_child(town.child, town.preschool, town.bjornen, date(2026, 1, 7))
    [placement] = app.get_child(town.child).placements
    assert placement.school_form == "förskola" and placement.department_id == town.bjornen


def test_a_pupil_in_grundskola_and_fritidshem_at_once(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    start = date(2026, 8, 17)
    app.place_child(town.child, town.school, None, start, "grundskola")
    app.place_child(town.child, town.school, town.fritids, start, "fritidshem")
    forms = {p.school_form for p in app.get_child(town.child).placements}
    assert forms == {"grundskola", "fritidshem"}
    with pytest.raises(ConflictError, match="open placement"):
        app.place_child(town.child, town.school, None, start, "grundskola")


def test_placement_rules(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    c, day = town.child, date(2026, 8, 17)
    refused(RuleViolationError, "school_form", app.place_child, c, town.school, None, day)
    refused(RuleViolationError, "school_form", app.place_child, c, town.school, None, day, "x")
    refused(
        RuleViolationError, "school_form", app.place_child, c, town.school, None, day, "förskola"
    )
    refused(
        RuleViolationError,
        "department_id",
        app.place_child,
        c,
        town.school,
        None,
        day,
        "fritidshem",
    )
    refused(RuleViolationError, "department_id", app.place_child, c, town.preschool, None, day)
    refused(NotFoundError, "department_id", app.place_child, c, town.preschool, town.fritids, day)
    with pytest.raises(NotFoundError, match="no unit"):
        app.place_child(c, uuid4(), None, day)
    office = Unit(name="Barn- och utbildningsförvaltningen", organisation_type="Förvaltning")
    app.save(office)
    refused(RuleViolationError, "unit_id", app.place_child, c, office.id, None, day)
    with pytest.raises(NotFoundError, match="no child"):
        app.place_child(town.guardian, town.preschool, town.bjornen, day)
    assert app.get_child(c).placements == []


def test_a_move_ends_one_placement_and_starts_the_next(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    old = app.place_child(town.child, town.preschool, town.bjornen, date(2026, 1, 7))
    before = events(gallra, town.child)
    new = app.move_placement(town.child, old, town.preschool, town.ugglan, date(2026, 3, 2))
    assert events(gallra, town.child) == before + 2
    placements = {p.placement_id: p for p in app.get_child(town.child).placements}
    assert placements[old].end == date(2026, 3, 1)
    assert (placements[new].department_id, placements[new].start) == (town.ugglan, date(2026, 3, 2))
    assert placements[new].school_form == "förskola" and placements[new].end is None
    c, on = town.child, date(2026, 4, 1)
    refused(
        ConflictError, "placement_id", app.move_placement, c, old, town.preschool, town.ugglan, on
    )
    refused(NotFoundError, "placement_id", app.move_placement, c, uuid4(), town.preschool, None, on)
    refused(ConflictError, "unit_id", app.move_placement, c, new, town.preschool, town.ugglan, on)
    refused(
        RuleViolationError,
        "on",
        app.move_placement,
        c,
        new,
        town.preschool,
        town.bjornen,
        date(2026, 3, 2),
    )
    refused(NotFoundError, "department_id", app.move_placement, c, new, town.preschool, uuid4(), on)
    refused(RuleViolationError, "school_form", app.move_placement, c, new, town.school, None, on)


# -- groups ---------------------------------------------------------------------------------


def test_joining_and_leaving_a_group(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    placement = app.place_child(town.child, town.school, None, date(2026, 8, 17), "grundskola")
    group = group_at(gallra, town.school)
    membership = app.join_group(town.child, placement, group, date(2026, 8, 17))
    before = events(gallra, town.child)
    assert app.join_group(town.child, placement, group, date(2026, 8, 17)) == membership
    assert events(gallra, town.child) == before  # a retry records nothing
    [shown] = app.get_child(town.child).memberships
    assert (shown.membership_id, shown.group_id, shown.end) == (membership, group, None)
    refused(RuleViolationError, "end", app.leave_group, town.child, group, date(2026, 8, 1))
    app.leave_group(town.child, group, date(2026, 12, 18))
    assert app.get_child(town.child).memberships[0].end == date(2026, 12, 18)
    refused(NotFoundError, "group_id", app.leave_group, town.child, group, date(2026, 12, 19))


def test_group_rules(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    c, day = town.child, date(2026, 8, 17)
    at_school = app.place_child(c, town.school, town.fritids, day, "fritidshem")
    at_preschool = app.place_child(c, town.preschool, town.bjornen, day)
    group = group_at(gallra, town.school)
    refused(NotFoundError, "group_id", app.join_group, c, at_school, uuid4(), day)
    refused(NotFoundError, "group_id", app.join_group, c, at_school, town.fritids, day)
    refused(NotFoundError, "group_id", app.join_group, c, at_school, town.school, day)
    refused(RuleViolationError, "group_id", app.join_group, c, at_preschool, group, day)
    refused(NotFoundError, "placement_id", app.join_group, c, uuid4(), group, day)
    later = group_at(gallra, town.school, start=date(2026, 9, 1))
    refused(RuleViolationError, "start", app.join_group, c, at_school, later, day)
    ended = group_at(gallra, town.school, end=date(2026, 6, 12))
    refused(RuleViolationError, "start", app.join_group, c, at_school, ended, day)
    refused(RuleViolationError, "start", app.join_group, c, at_school, group, date(2026, 8, 1))
    assert app.get_child(c).memberships == []


def test_culled_placements_and_memberships_read_as_null(gallra: Gallra, town: Town) -> None:
    app = gallra.app
    placement = app.place_child(town.child, town.school, None, date(2026, 8, 17), "grundskola")
    app.join_group(town.child, placement, group_at(gallra, town.school), date(2026, 8, 17))
    shred(gallra, Scope(town.child, "placement", str(placement)))
    child = app.get_child(town.child)
    assert isinstance(child.placements[0].school_form, Shredded)
    assert isinstance(child.memberships[0].group_id, Shredded)
