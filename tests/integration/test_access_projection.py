"""Access control from events: who reaches which student, and what culling takes away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import Gallra
from conftest import GallraFactory
from domain.documentation import DocumentEntry
from domain.gallring import GallringRun
from domain.organisation import Group
from domain.people import Child, Staff
from retention.keys.scope import Scope

DAY = date(2026, 3, 16)
START = date(2025, 8, 15)


@dataclass
class School:
    unit: UUID  # grundskola with a department and two groups
    other: UUID  # another unit
    dep: UUID
    g1: UUID
    g2: UUID
    k1: UUID  # in the department and g1
    k2: UUID  # at the unit without a department, in g2
    k3: UUID  # at the other unit
    p1: UUID  # k1's placement
    teacher: UUID  # mentor of g1
    teacher_duty: UUID
    teacher_assignment: UUID
    carer: UUID  # assigned to the department
    rektor: UUID
    janitor: UUID  # a duty at the unit, no group
    other_teacher: UUID  # a duty at the other unit, in g1 of the first (a stray assignment)


def new_staff(n: int) -> Staff:
    return Staff(
        given_name="S", family_name=f"T{n}", civic_number=f"1980010{n}TF0{n}", civic_kind="t"
    )


def school(gallra: Gallra) -> School:
    app = gallra.app
    unit = app.create_unit("Skolan", "grundskola")
    other = app.create_unit("Andra skolan", "grundskola")
    dep = app.add_department(unit, "Blå")
    g1, g2 = (
        Group(unit_id=unit, name=n, group_type="Klass", school_forms=["grundskola"], start=START)
        for n in ("7A", "7B")
    )
    app.save(g1, g2)
    k1, k2, k3 = (app.register_child("C", f"N{n}", f"2012020{n}TF0{n}", []) for n in (1, 2, 3))
    p1 = app.place_child(k1, unit, dep, START)
    p2 = app.place_child(k2, unit, None, START)
    app.place_child(k3, other, None, START)
    for kid, placement, group in ((k1, p1, g1), (k2, p2, g2)):
        child = app.repository.get(kid)
        assert isinstance(child, Child)
        child.join_group(placement, group.id, START)
        app.save(child)

    teacher, carer, rektor, janitor, far = (new_staff(n) for n in range(1, 6))
    teacher_duty = teacher.assign_duty(unit, "Lärare", START)
    assignment = teacher.assign_to_group(teacher_duty, g1.id, "Mentor", START)
    carer.assign_to_group(carer.assign_duty(unit, "Lärare", START), dep, "Lärare", START)
    rektor.assign_duty(unit, "Rektor", START)
    janitor.assign_duty(unit, "Annan personal", START)
    far.assign_to_group(far.assign_duty(other, "Lärare", START), g2.id, "Lärare", START)
    app.save(teacher, carer, rektor, janitor, far)
    return School(
        unit, other, dep, g1.id, g2.id, k1, k2, k3, p1,
        teacher.id, teacher_duty, assignment, carer.id, rektor.id, janitor.id, far.id,
    )  # fmt: skip


@pytest.fixture
def town(gallra: Gallra) -> School:
    return school(gallra)


def tables(gallra: Gallra) -> tuple[list[Any], list[Any], list[Any]]:
    """Every row of the access view, to compare a purged view with a rebuilt one."""
    view: Any = gallra.access.view
    out = []
    for table, key in (
        ("acl_belongs", "source_id, kind"),
        ("acl_doc_entries", "entry_id"),
        ("acl_guardians", "guardian_id, child_id"),
    ):
        with view.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {view._t(table)} ORDER BY {key}")
            out.append([tuple(dict(r).values()) for r in c.fetchall()])
    return out[0], out[1], out[2]


def run_gallring(gallra: Gallra, category: str, epochs: list[str], **shred: Any) -> GallringRun:
    """A gallring run recorded as the engine does: decided, keys destroyed, executed."""
    run = GallringRun(
        rule_id="test", plan_version="t", category=category, as_of=DAY, epochs=epochs,
        key_ids=[], subjects=1, decided_by="archivist",
    )  # fmt: skip
    gallra.app.save(run)
    destroyed = gallra.app.keystore.shred(run.id, **shred)
    gallra.app.evict_caches()
    run.record_execution(keys_destroyed=destroyed, finished_at=datetime.now(UTC))
    gallra.app.save(run)
    return run


# -- connections -------------------------------------------------------------------------------


def test_a_shared_group_connects_staff_and_student(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.connected_units(town.teacher, town.k1, DAY) == {town.unit}
    assert access.students_of(town.teacher, DAY) == [town.k1]
    assert access.members_of(town.g1, DAY) == [town.k1]
    assert access.staff_of(town.g1, DAY) == [town.teacher]
    assert access.connected_units(town.teacher, town.k1, date(2025, 8, 14)) == frozenset()


def test_a_department_connects_like_a_group(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.connected_units(town.carer, town.k1, DAY) == {town.unit}
    assert access.connected_units(town.carer, town.k2, DAY) == frozenset()  # no department
    assert access.members_of(town.dep, DAY) == [town.k1]
    assert access.staff_of(town.dep, DAY) == [town.carer]


def test_a_rektor_reaches_every_student_of_the_unit(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.connected_units(town.rektor, town.k2, DAY) == {town.unit}
    assert access.connected_units(town.rektor, town.k3, DAY) == frozenset()  # another unit
    assert access.students_of(town.rektor, DAY) == sorted([town.k1, town.k2])
    assert access.members_of(town.unit, DAY) == sorted([town.k1, town.k2])
    assert set(access.staff_of(town.unit, DAY)) == {
        town.teacher, town.carer, town.rektor, town.janitor,
    }  # fmt: skip


def test_other_groups_and_units_do_not_connect(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.connected_units(town.teacher, town.k2, DAY) == frozenset()  # g2, not g1
    assert access.connected_units(town.teacher, town.k3, DAY) == frozenset()  # other unit
    assert access.connected_units(town.janitor, town.k1, DAY) == frozenset()  # duty, no group
    assert access.connected_units(town.k2, town.k1, DAY) == frozenset()  # a classmate is no staff
    assert not access.may_see(town.k2, town.k1, DAY)
    # assigned to g2 under a duty at the other unit: connected through the group's students
    assert access.connected_units(town.other_teacher, town.k2, DAY) == {town.unit}


def test_ended_assignment_membership_and_placement_disconnect(gallra: Gallra, town: School) -> None:
    app, access = gallra.app, gallra.access
    assert access.connected_units(town.teacher, town.k1, DAY) == {town.unit}
    teacher = app.repository.get(town.teacher)
    assert isinstance(teacher, Staff)
    teacher.end_assignment(town.teacher_assignment, date(2026, 3, 1))
    app.save(teacher)
    assert access.connected_units(town.teacher, town.k1, DAY) == frozenset()
    assert access.connected_units(town.teacher, town.k1, date(2026, 3, 1)) == {town.unit}

    k2 = app.repository.get(town.k2)
    assert isinstance(k2, Child)
    k2.leave_group(town.g2, date(2026, 3, 1))
    app.save(k2)
    assert access.connected_units(town.other_teacher, town.k2, DAY) == frozenset()
    assert access.members_of(town.g2, DAY) == []

    app.end_placement(town.k1, town.p1, date(2026, 3, 1))
    for staff in (town.carer, town.rektor):
        assert access.connected_units(staff, town.k1, DAY) == frozenset()
        assert access.connected_units(staff, town.k1, date(2026, 2, 1)) == {town.unit}
    assert not access.may_see(town.janitor, town.k1, DAY)
    assert access.members_of(town.g1, DAY) == []  # the membership ended with the placement


def test_any_duty_at_the_unit_may_see_without_being_connected(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.connected_units(town.janitor, town.k1, DAY) == frozenset()
    assert access.may_see(town.janitor, town.k1, DAY)
    assert access.may_see(town.teacher, town.k2, DAY)  # a duty at k2's unit
    assert access.may_see(town.teacher, town.k1, DAY)  # connected
    assert not access.may_see(town.janitor, town.k3, DAY)
    assert not access.may_see(town.janitor, town.k1, date(2025, 8, 1))  # before the duty


def test_two_processes_apply_each_event_once(make_gallra: GallraFactory) -> None:
    a, b = make_gallra(), make_gallra()
    town = school(a)
    a.access.runner.catch_up()
    b.access.runner.catch_up()
    assert tables(a) == tables(b)
    assert b.access.students_of(town.teacher, DAY) == [town.k1]


# -- culling -----------------------------------------------------------------------------------


def test_rows_carry_the_scopes_their_events_were_sealed_under(gallra: Gallra, town: School) -> None:
    gallra.access.runner.catch_up()
    belongs, _, _ = tables(gallra)
    known = {r.scope for r in gallra.app.keystore.scopes()}
    assert len(belongs) == 14  # 3 placements, 1 department, 2 memberships, 5 duties, 3 groups
    for row in belongs:
        subject, category, epoch = row[-3:]
        subject = subject if isinstance(subject, UUID) else UUID(hex=subject)
        assert Scope(subject, category, epoch) in known


def test_a_gallring_run_purges_the_scopes_it_shredded(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.members_of(town.g1, DAY) == [town.k1]
    placement = Scope(town.k1, "placement", str(town.p1))
    duty = Scope(town.teacher, "placement", str(town.teacher_duty))
    run = run_gallring(gallra, "placement", [], scopes=[placement, duty])
    assert {r.scope for r in gallra.app.keystore.scopes(decision=run.id)} == {placement, duty}

    assert access.members_of(town.g1, DAY) == []  # the membership hung off the placement
    assert access.members_of(town.unit, DAY) == [town.k2]
    assert access.staff_of(town.g1, DAY) == []
    assert access.connected_units(town.rektor, town.k1, DAY) == frozenset()
    assert access.students_of(town.rektor, DAY) == [town.k2]
    assert town.teacher not in access.staff_of(town.unit, DAY)
    belongs, _, _ = tables(gallra)
    assert {row[0] for row in belongs}.isdisjoint({town.p1, town.p1.hex})

    purged = tables(gallra)
    assert gallra.access.runner.rebuild() == gallra.app.recorder.max_notification_id()
    assert tables(gallra) == purged


def write(gallra: Gallra, student: UUID, unit: UUID, category: str, on: date) -> UUID:
    entry = DocumentEntry.write(
        category=category, school_form="grundskola", student_id=student, unit_id=unit,
        author_id=student, written_on=on, title="Titel", content="Text",
    )  # fmt: skip
    gallra.app.save(entry)
    return entry.id


def test_entries_of_lists_a_students_entries_by_date(gallra: Gallra, town: School) -> None:
    late = write(gallra, town.k1, town.unit, "samtal", date(2026, 3, 2))
    early = write(gallra, town.k1, town.unit, "iup", date(2026, 1, 20))
    write(gallra, town.k2, town.unit, "samtal", date(2026, 2, 1))
    rows = gallra.access.entries_of(town.k1)
    assert [r.entry_id for r in rows] == [early, late]
    assert (rows[0].unit_id, rows[0].category, rows[0].school_form, rows[0].written_on) == (
        town.unit, "iup", "grundskola", date(2026, 1, 20),
    )  # fmt: skip
    assert gallra.access.entries_of(town.k3) == []


def test_a_month_culled_takes_its_entries_and_a_rebuild_agrees(
    gallra: Gallra, town: School
) -> None:
    january = write(gallra, town.k1, town.unit, "samtal", date(2026, 1, 20))
    other = write(gallra, town.k2, town.unit, "samtal", date(2026, 1, 21))
    february = write(gallra, town.k1, town.unit, "samtal", date(2026, 2, 3))
    kept = write(gallra, town.k1, town.unit, "iup", date(2026, 1, 22))
    assert len(gallra.access.entries_of(town.k1)) == 3

    run_gallring(gallra, "samtal", ["2026-01"], periods=[("samtal", "2026-01")])
    assert [r.entry_id for r in gallra.access.entries_of(town.k1)] == [kept, february]
    assert gallra.access.entries_of(town.k2) == []
    assert january != other

    purged = tables(gallra)
    gallra.access.runner.rebuild()
    assert tables(gallra) == purged


def test_a_decided_month_goes_before_its_keys(gallra: Gallra, town: School) -> None:
    write(gallra, town.k1, town.unit, "samtal", date(2026, 1, 20))
    run = GallringRun(
        rule_id="test", plan_version="t", category="samtal", as_of=DAY, epochs=["2026-01"],
        key_ids=[], subjects=1, decided_by="archivist",
    )  # fmt: skip
    gallra.app.save(run)
    assert gallra.access.entries_of(town.k1) == []


def test_a_key_id_cull_purges_by_decision(gallra: Gallra, town: School) -> None:
    entry = write(gallra, town.k1, town.unit, "larlogg", date(2026, 1, 20))
    write(gallra, town.k2, town.unit, "larlogg", date(2026, 1, 20))
    (record,) = gallra.app.keystore.scopes(category="larlogg", subject=town.k1)
    assert record.key_id is not None
    assert [r.entry_id for r in gallra.access.entries_of(town.k1)] == [entry]
    run_gallring(gallra, "larlogg", [], key_ids=[record.key_id])
    assert gallra.access.entries_of(town.k1) == []
    assert len(gallra.access.entries_of(town.k2)) == 1  # same month, another student
    purged = tables(gallra)
    gallra.access.runner.rebuild()
    assert tables(gallra) == purged


def test_a_fresh_process_after_culling_makes_no_culled_rows(
    make_gallra: GallraFactory,
) -> None:
    first = make_gallra()
    town = school(first)
    run_gallring(first, "placement", [], scopes=[Scope(town.k1, "placement", str(town.p1))])
    second = make_gallra()  # its view was never current: it projects culled events as such
    assert second.access.members_of(town.unit, DAY) == [town.k2]
    assert second.access.members_of(town.g1, DAY) == []  # the membership went with it
    assert second.access.members_of(town.dep, DAY) == []
    assert second.access.connected_units(town.teacher, town.k1, DAY) == frozenset()


# -- guardians and colleagues ------------------------------------------------------------------


@dataclass
class Families:
    both: UUID  # guardian of k1 and k2
    far: UUID  # guardian of k3, at the other unit
    none: UUID  # guardian of no child


def families(gallra: Gallra, town: School) -> Families:
    app = gallra.app
    both, far, none = (app.register_guardian("G", f"F{n}", f"1975030{n}TF0{n}") for n in (1, 2, 3))
    app.link_guardian(town.k1, both)
    app.link_guardian(town.k2, both, "Annan ansvarig")
    app.link_guardian(town.k3, far)
    return Families(both, far, none)


def test_guardianship_rows_name_each_guardians_children(gallra: Gallra, town: School) -> None:
    f = families(gallra, town)
    access = gallra.access
    assert access.children_of(f.both) == sorted([town.k1, town.k2])
    assert access.children_of(f.far) == [town.k3]
    assert access.children_of(f.none) == []
    assert access.children_of(town.k1) == []  # a child is nobody's guardian
    _, _, guardians = tables(gallra)
    known = {r.scope for r in gallra.app.keystore.scopes()}
    for row in guardians:
        subject, category, epoch = row[-3:]
        subject = subject if isinstance(subject, UUID) else UUID(hex=subject)
        assert (category, epoch) == ("identity", "-")
        assert Scope(subject, category, epoch) in known


def test_staff_see_a_guardian_through_a_child_they_see(gallra: Gallra, town: School) -> None:
    f = families(gallra, town)
    access = gallra.access
    for staff in (town.teacher, town.carer, town.rektor, town.janitor):
        assert access.may_see_guardian(staff, f.both, DAY)
        assert not access.may_see_guardian(staff, f.far, DAY)  # k3 is at the other unit
        assert not access.may_see_guardian(staff, f.none, DAY)
    assert access.may_see_guardian(town.other_teacher, f.far, DAY)  # a duty at k3's unit
    assert not access.may_see_guardian(town.janitor, f.both, date(2025, 8, 1))  # before
    assert not access.may_see_guardian(town.janitor, town.k1, DAY)  # not a guardian id
    assert not access.may_see_guardian(town.k2, f.both, DAY)  # a sibling is no staff

    app = gallra.app
    app.end_placement(town.k1, town.p1, date(2026, 3, 1))
    assert access.may_see_guardian(town.janitor, f.both, DAY)  # still k2 at the unit
    k2 = app.repository.get(town.k2)
    assert isinstance(k2, Child)
    app.end_placement(town.k2, next(iter(k2.placements)), date(2026, 3, 1))
    assert not access.may_see_guardian(town.janitor, f.both, DAY)
    assert access.may_see_guardian(town.janitor, f.both, date(2026, 3, 1))


def test_colleagues_share_a_unit_through_active_duties(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.share_unit(town.teacher, town.janitor, DAY)
    assert access.share_unit(town.janitor, town.rektor, DAY)
    # other_teacher's duty is at the other unit; an assignment to a group here is no duty
    assert not access.share_unit(town.teacher, town.other_teacher, DAY)
    assert not access.share_unit(town.teacher, town.k1, DAY)  # a student is no colleague
    assert not access.share_unit(town.k1, town.k2, DAY)
    assert not access.share_unit(town.teacher, town.janitor, date(2025, 8, 1))
    teacher = gallra.app.repository.get(town.teacher)
    assert isinstance(teacher, Staff)
    teacher.end_duty(town.teacher_duty, date(2026, 3, 1))
    gallra.app.save(teacher)
    assert not access.share_unit(town.teacher, town.janitor, DAY)
    assert access.share_unit(town.janitor, town.teacher, date(2026, 3, 1))


def test_seen_by_lists_every_child_a_staff_member_may_see(gallra: Gallra, town: School) -> None:
    access = gallra.access
    assert access.seen_by(town.janitor, DAY) == sorted([town.k1, town.k2])
    assert access.seen_by(town.other_teacher, DAY) == sorted([town.k2, town.k3])
    assert access.seen_by(town.k1, DAY) == []
    for staff in (town.teacher, town.janitor, town.other_teacher):
        for kid in (town.k1, town.k2, town.k3):
            assert (kid in access.seen_by(staff, DAY)) == access.may_see(staff, kid, DAY)


def test_culled_guardianship_goes_and_a_rebuild_agrees(
    make_gallra: GallraFactory,
) -> None:
    first = make_gallra()
    town = school(first)
    f = families(first, town)
    assert first.access.may_see_guardian(town.janitor, f.both, DAY)
    run_gallring(first, "identity", [], scopes=[Scope(town.k1, "identity", "-")])
    assert first.access.children_of(f.both) == [town.k2]
    assert first.access.children_of(f.far) == [town.k3]
    purged = tables(first)
    first.access.runner.rebuild()
    assert tables(first) == purged
    second = make_gallra()  # its view was never current: culled links make no rows
    assert second.access.children_of(f.both) == [town.k2]
    assert second.access.may_see_guardian(town.janitor, f.both, DAY)  # through k2
    run_gallring(first, "identity", [], scopes=[Scope(town.k2, "identity", "-")])
    for gallra in (first, second):
        assert gallra.access.children_of(f.both) == []
        assert not gallra.access.may_see_guardian(town.janitor, f.both, DAY)
        assert gallra.access.may_see(town.janitor, town.k1, DAY)  # placements stay
