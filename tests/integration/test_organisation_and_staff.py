"""The organisation tree, groups and staff through the application, on both backends."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from api.application import GallraApplication
from api.bootstrap import Gallra
from domain.errors import ConflictError, DomainError, NotFoundError, RuleViolationError
from domain.personal import Shredded
from retention.sealing import envelope

STAFF_PNR = "19811228-9874"
START = date(2025, 8, 1)


@pytest.fixture
def app(gallra: Gallra) -> GallraApplication:
    return gallra.app


@pytest.fixture
def tree(app: GallraApplication) -> dict[str, UUID]:
    """Huvudman > Förvaltning > Skolenhet (grundskola, fritidshem), and a second Skolenhet."""
    top = app.create_unit("Luleå kommun", organisation_type="Huvudman")
    office = app.create_unit(
        "Barn- och utbildningsförvaltningen", organisation_type="Förvaltning", parent_id=top
    )
    school = app.create_unit(
        "Hertsöskolan F-6",
        organisation_type="Skolenhet",
        school_forms=["grundskola", "fritidshem"],
        parent_id=office,
        school_unit_code="12345678",
    )
    other = app.create_unit("Förskolan Norrsken", "förskola")
    department = app.add_department(school, "Fritids Röd")
    return {"top": top, "office": office, "school": school, "other": other, "dep": department}


def expect(
    error: type[DomainError], field: str | None, command: Any, *args: Any, **kw: Any
) -> None:
    """The command fails with this error class and field, and writes nothing."""
    app = command.__self__
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as caught:
        command(*args, **kw)
    assert type(caught.value) is error
    assert caught.value.field == field
    assert app.recorder.max_notification_id() == before


# -- the tree ------------------------------------------------------------------------------


def test_the_tree_is_navigable_from_every_node(
    app: GallraApplication, tree: dict[str, UUID]
) -> None:
    top = app.get_unit(tree["top"])
    assert (top.organisation_type, top.parent_id, top.school_forms) == ("Huvudman", None, [])
    assert top.subunits == [tree["office"]] and top.departments == {}
    office = app.get_unit(tree["office"])
    assert office.parent_id == tree["top"] and office.subunits == [tree["school"]]
    school = app.get_unit(tree["school"])
    assert school.organisation_type == "Skolenhet" and school.parent_id == tree["office"]
    assert school.school_forms == ["grundskola", "fritidshem"]
    assert school.school_form == "grundskola" and school.school_unit_code == "12345678"
    assert school.departments == {tree["dep"]: "Fritids Röd"} and school.subunits == []


def test_the_first_slices_call_still_makes_a_school_unit(
    app: GallraApplication, tree: dict[str, UUID]
) -> None:
    unit = app.get_unit(tree["other"])
    assert (unit.organisation_type, unit.school_forms, unit.parent_id) == (
        "Skolenhet",
        ["förskola"],
        None,
    )
    assert unit.school_unit_code is None


def test_a_child_unit_and_its_parents_record_are_one_transaction(
    app: GallraApplication, tree: dict[str, UUID]
) -> None:
    before = app.recorder.max_notification_id() or 0
    unit = app.create_unit("Hertsö förskola", school_forms=["förskola"], parent_id=tree["office"])
    notifications = app.recorder.select_notifications(start=before + 1, limit=10)
    assert [(n.originator_id, n.topic.rsplit(".", 1)[-1]) for n in notifications] == [
        (tree["office"], "SubunitAdded"),
        (unit, "Created"),
    ]


def test_concurrent_children_of_one_parent_all_land(
    app: GallraApplication, tree: dict[str, UUID]
) -> None:
    made: list[UUID] = []
    errors: list[BaseException] = []

    def create(n: int) -> None:
        try:
            made.append(app.create_unit(f"Skola {n}", "grundskola", parent_id=tree["office"]))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert set(app.get_unit(tree["office"]).subunits) == {tree["school"], *made}


@pytest.mark.parametrize(
    ("kw", "error", "field"),
    [
        (
            {"organisation_type": "Skolenhet", "school_forms": []},
            RuleViolationError,
            "school_forms",
        ),
        ({"organisation_type": "Skolenhet"}, RuleViolationError, "school_forms"),
        (
            {"organisation_type": "Förvaltning", "school_forms": ["grundskola"]},
            RuleViolationError,
            "school_forms",
        ),
        (
            {"organisation_type": "Huvudman", "school_form": "förskola"},
            RuleViolationError,
            "school_form",
        ),
        ({"organisation_type": "Kommun"}, RuleViolationError, "organisation_type"),
        ({"school_forms": ["dagis"]}, RuleViolationError, "school_forms"),
        ({"school_form": "dagis"}, RuleViolationError, "school_form"),
        (
            {"school_form": "förskola", "school_forms": ["förskola"]},
            RuleViolationError,
            "school_form",
        ),
        (
            {"school_form": "förskola", "school_unit_code": "1234567"},
            RuleViolationError,
            "school_unit_code",
        ),
        (
            {"school_form": "förskola", "school_unit_code": "123456789"},
            RuleViolationError,
            "school_unit_code",
        ),
        (
            {"school_form": "förskola", "school_unit_code": "1234567a"},
            RuleViolationError,
            "school_unit_code",
        ),
        (
            {"organisation_type": "Huvudman", "school_unit_code": "12345678"},
            RuleViolationError,
            "school_unit_code",
        ),
        ({"school_form": "förskola", "parent_id": uuid4()}, NotFoundError, "parent_id"),
    ],
)
def test_unit_rules(
    app: GallraApplication, kw: dict[str, Any], error: type[DomainError], field: str
) -> None:
    expect(error, field, app.create_unit, "Enhet", **kw)


def test_nothing_is_organised_below_a_school_unit_and_a_unit_needs_a_name(
    app: GallraApplication, tree: dict[str, UUID]
) -> None:
    expect(
        RuleViolationError,
        "parent_id",
        app.create_unit,
        "Under",
        "förskola",
        parent_id=tree["school"],
    )
    expect(RuleViolationError, "name", app.create_unit, "  ", "förskola")
    # the nodes above a school unit have no departments
    expect(RuleViolationError, "unit_id", app.add_department, tree["office"], "Björnen")


# -- groups --------------------------------------------------------------------------------


def test_groups_of_a_school_unit(app: GallraApplication, tree: dict[str, UUID]) -> None:
    klass = app.create_group(tree["school"], "3B", "Klass", ["grundskola"], START)
    fritids = app.create_group(
        tree["school"], "Fritids", "Avdelning", ["fritidshem"], START, date(2026, 6, 12)
    )
    assert app.get_unit(tree["school"]).groups == [klass, fritids]
    assert [g.id for g in app.list_groups(tree["school"])] == [klass, fritids]
    view = app.get_group(klass)
    assert (view.unit_id, view.name, view.group_type, view.school_forms) == (
        tree["school"],
        "3B",
        "Klass",
        ["grundskola"],
    )
    assert (view.start, view.end) == (START, None)
    app.end_group(klass, date(2026, 6, 12))
    assert app.get_group(klass).end == date(2026, 6, 12)
    expect(ConflictError, "end", app.end_group, klass, date(2026, 6, 13))
    assert app.list_groups(tree["other"]) == []


def test_a_group_and_its_units_record_are_one_transaction(
    app: GallraApplication, tree: dict[str, UUID]
) -> None:
    before = app.recorder.max_notification_id() or 0
    group = app.create_group(tree["school"], "4A", "Klass", ["grundskola"], START)
    notifications = app.recorder.select_notifications(start=before + 1, limit=10)
    assert [(n.originator_id, n.topic.rsplit(".", 1)[-1]) for n in notifications] == [
        (tree["school"], "GroupAdded"),
        (group, "Created"),
    ]


def test_group_rules(app: GallraApplication, tree: dict[str, UUID]) -> None:
    school, create = tree["school"], app.create_group
    expect(RuleViolationError, "school_forms", create, school, "X", "Klass", ["förskola"], START)
    expect(RuleViolationError, "school_forms", create, school, "X", "Klass", [], START)
    expect(RuleViolationError, "school_forms", create, school, "X", "Klass", ["dagis"], START)
    expect(RuleViolationError, "group_type", create, school, "X", "Kull", ["grundskola"], START)
    expect(RuleViolationError, "name", create, school, " ", "Klass", ["grundskola"], START)
    expect(
        RuleViolationError,
        "end",
        create,
        school,
        "X",
        "Klass",
        ["grundskola"],
        START,
        date(2025, 1, 1),
    )
    expect(RuleViolationError, "unit_id", create, tree["office"], "X", "Klass", [], START)
    expect(NotFoundError, "unit_id", create, uuid4(), "X", "Klass", ["grundskola"], START)
    group = create(school, "X", "Klass", ["grundskola"], START)
    expect(RuleViolationError, "end", app.end_group, group, date(2025, 7, 31))
    with pytest.raises(NotFoundError):
        app.get_group(uuid4())
    with pytest.raises(NotFoundError):
        app.get_group(school)  # a unit is not a group


# -- staff ---------------------------------------------------------------------------------


@pytest.fixture
def staff(app: GallraApplication) -> UUID:
    return app.register_staff("Karin", "Berg", STAFF_PNR)


def test_staff_are_registered_through_the_blind_index(app: GallraApplication, staff: UUID) -> None:
    view = app.get_staff(staff)
    assert (view.given_name, view.family_name, view.civic_kind) == ("Karin", "Berg", "personnummer")
    assert (view.duties, view.assignments) == ([], [])
    assert app.find_person(STAFF_PNR.replace("-", "")) == staff
    expect(ConflictError, "civic_number", app.register_staff, "Other", "Name", STAFF_PNR)
    expect(ConflictError, "civic_number", app.register_guardian, "Other", "Name", STAFF_PNR)
    with pytest.raises(NotFoundError):
        app.get_staff(uuid4())


def test_staff_streams_hold_sealed_data_only(
    app: GallraApplication, tree: dict[str, UUID], staff: UUID
) -> None:
    duty = app.assign_duty(staff, tree["school"], "Lärare", START)
    group = app.create_group(tree["school"], "3B", "Klass", ["grundskola"], START)
    assignment = app.assign_to_group(staff, duty, group, "Mentor", START)
    app.end_assignment(staff, assignment, date(2026, 1, 31))
    app.end_duty(staff, duty, date(2026, 6, 30))
    stored = list(app.recorder.select_events(staff))
    assert len(stored) == 5
    for event in stored:
        plaintext, parts = envelope.unpack(event.state)
        readable = app.sealing_mapper.transcoder.decode(plaintext)
        assert set(readable) <= {
            "timestamp",
            "originator_topic",
            "class_version",
            "duty_id",
            "assignment_id",
        }
        assert parts
        for value in (b"Karin", b"Berg", b"198112289874", b"8112289874", group.bytes):
            assert value not in event.state


def test_duties_and_assignments(app: GallraApplication, tree: dict[str, UUID], staff: UUID) -> None:
    duty = app.assign_duty(staff, tree["school"], "Lärare", START)
    group = app.create_group(tree["school"], "3B", "Klass", ["grundskola"], START)
    to_group = app.assign_to_group(staff, duty, group, "Mentor", START)
    to_department = app.assign_to_group(staff, duty, tree["dep"], "Fritidspedagog", START)
    view = app.get_staff(staff)
    [d] = view.duties
    assert (d.duty_id, d.unit_id, d.role, d.start, d.end) == (
        duty,
        tree["school"],
        "Lärare",
        START,
        None,
    )
    assert {(a.assignment_id, a.group_id, a.role) for a in view.assignments} == {
        (to_group, group, "Mentor"),
        (to_department, tree["dep"], "Fritidspedagog"),
    }
    app.end_assignment(staff, to_group, date(2026, 1, 31))
    expect(ConflictError, "assignment_id", app.end_assignment, staff, to_group, date(2026, 2, 1))
    app.end_duty(staff, duty, date(2026, 6, 30))
    ends = {a.assignment_id: a.end for a in app.get_staff(staff).assignments}
    assert ends == {to_group: date(2026, 1, 31), to_department: date(2026, 6, 30)}
    expect(ConflictError, "duty_id", app.end_duty, staff, duty, date(2026, 7, 1))
    expect(ConflictError, "duty_id", app.assign_to_group, staff, duty, group, "Lärare", START)


def test_retries_of_duties_and_assignments_write_nothing(
    app: GallraApplication, tree: dict[str, UUID], staff: UUID
) -> None:
    duty = app.assign_duty(staff, tree["school"], "Förskollärare", START)
    assignment = app.assign_to_group(staff, duty, tree["dep"], "Förskollärare", START)
    before = app.recorder.max_notification_id()
    assert app.assign_duty(staff, tree["school"], "Förskollärare", START) == duty
    assert app.assign_to_group(staff, duty, tree["dep"], "Förskollärare", START) == assignment
    assert app.recorder.max_notification_id() == before


def test_duty_rules(app: GallraApplication, tree: dict[str, UUID], staff: UUID) -> None:
    assign = app.assign_duty
    expect(RuleViolationError, "unit_id", assign, staff, tree["office"], "Rektor", START)
    expect(NotFoundError, "unit_id", assign, staff, uuid4(), "Rektor", START)
    expect(RuleViolationError, "role", assign, staff, tree["school"], "Vaktmästare", START)
    expect(NotFoundError, None, assign, uuid4(), tree["school"], "Rektor", START)
    duty = assign(staff, tree["school"], "Rektor", START)
    expect(RuleViolationError, "end", app.end_duty, staff, duty, date(2025, 7, 1))
    expect(NotFoundError, "duty_id", app.end_duty, staff, uuid4(), date(2026, 1, 1))


def test_assignment_rules(app: GallraApplication, tree: dict[str, UUID], staff: UUID) -> None:
    duty = app.assign_duty(staff, tree["school"], "Lärare", START)
    group = app.create_group(tree["school"], "3B", "Klass", ["grundskola"], START)
    elsewhere = app.create_group(tree["other"], "Myran", "Avdelning", ["förskola"], START)
    other_dep = app.add_department(tree["other"], "Myran")
    assign = app.assign_to_group
    expect(RuleViolationError, "group_id", assign, staff, duty, elsewhere, "Lärare", START)
    expect(NotFoundError, "group_id", assign, staff, duty, other_dep, "Lärare", START)
    expect(NotFoundError, "group_id", assign, staff, duty, uuid4(), "Lärare", START)
    expect(NotFoundError, "duty_id", assign, staff, uuid4(), group, "Lärare", START)
    expect(RuleViolationError, "role", assign, staff, duty, group, "Rektor", START)
    expect(RuleViolationError, "start", assign, staff, duty, group, "Lärare", date(2025, 7, 1))
    app.end_group(group, date(2025, 12, 19))
    expect(ConflictError, "group_id", assign, staff, duty, group, "Lärare", date(2026, 1, 7))
    expect(NotFoundError, "assignment_id", app.end_assignment, staff, uuid4(), date(2026, 1, 1))
    assignment = assign(staff, duty, group, "Lärare", START)
    expect(RuleViolationError, "end", app.end_assignment, staff, assignment, date(2025, 7, 1))


def test_culled_duties_read_as_shredded(
    app: GallraApplication, tree: dict[str, UUID], staff: UUID
) -> None:
    duty = app.assign_duty(staff, tree["school"], "Lärare", START)
    app.assign_to_group(staff, duty, tree["dep"], "Lärare", START)
    keystore = app.keystore
    placement = [r.scope for r in keystore.scopes(subject=staff) if r.scope.category == "placement"]
    assert placement
    keystore.shred(uuid4(), scopes=placement)
    app.evict_caches()
    view = app.get_staff(staff)
    assert view.given_name == "Karin"
    [d] = view.duties
    assert isinstance(d.unit_id, Shredded) and isinstance(d.role, Shredded)
    [a] = view.assignments
    assert isinstance(a.group_id, Shredded) and a.duty_id == duty
    expect(ConflictError, "duty_id", app.assign_to_group, staff, duty, tree["dep"], "Lärare", START)
