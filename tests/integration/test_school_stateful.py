"""Random sequences of school-side commands against a model, on both backends.

After every step: the connections read model answers exactly what the model says (so a
disconnected teacher sees nothing), documentation is readable exactly where it should be, a
child never has two open placements in one school form, and every aggregate still loads. A
preschool transfer is checked at the step: refused exactly when the model has no consent.
Shredding goes through a gallring record, so read models purge as they do in production.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from api.bootstrap import Gallra
from api.http.documentation_policy import Reader
from api.settings import Settings
from api.tokens import Principal, Role
from domain.documentation import is_transition
from domain.errors import ConflictError, RuleViolationError
from domain.gallring import GallringRun
from domain.people import Child

TODAY = date(2026, 3, 16)
START = date(2025, 8, 15)
ENDED = date(2026, 3, 15)
_numbers = itertools.count(1)


def temporary(birth: str) -> str:
    """A fresh SS 12000 temporary number: no real person is named."""
    n = next(_numbers)
    return f"{birth}{chr(65 + n // 100 % 26)}{chr(65 + n // 2600 % 26)}{n % 100:02d}"


@dataclass
class Placed:
    unit: UUID
    form: str
    start: date
    open: bool = True
    groups: set[UUID] = field(default_factory=set)


@dataclass
class Kid:
    custodians: list[UUID]
    consents: set[UUID] = field(default_factory=set)
    placements: dict[UUID, Placed] = field(default_factory=dict)
    transfers: list[tuple[UUID, UUID, UUID]] = field(default_factory=list)  # from, to, via

    def consent_valid(self) -> bool:
        return bool(self.custodians) and set(self.custodians) <= self.consents

    def open_in(self, form: str) -> tuple[UUID, Placed] | None:
        return next(((p, v) for p, v in self.placements.items() if v.open and v.form == form), None)

    def sources(self, unit: UUID) -> set[UUID]:
        found: set[UUID] = set()
        frontier = {unit}
        while frontier:
            step = {a for a, b, _ in self.transfers if b in frontier}
            frontier = step - found - {unit}
            found |= step
        found.discard(unit)
        return found


class School(RuleBasedStateMachine):
    gallra: Gallra
    children = Bundle("children")

    def __init__(self) -> None:
        super().__init__()
        app = self.gallra.app
        self.pre = app.create_unit("Förskolan", "förskola")
        self.dept = app.add_department(self.pre, "Björnen")
        self.s1 = app.create_unit("Skola 1", "grundskola")
        self.s2 = app.create_unit("Skola 2", "grundskola")
        self.g1 = app.create_group(self.s1, "7A", "Klass", ["grundskola"], START)
        self.g2 = app.create_group(self.s2, "7B", "Klass", ["grundskola"], START)
        self.unit_of_group = {self.g1: self.s1, self.g2: self.s2}
        self.duties: dict[UUID, tuple[UUID, UUID, str]] = {}  # staff -> (duty, unit, role)
        for unit, role in ((self.s1, "Lärare"), (self.s2, "Lärare"), (self.s1, "Rektor")):
            self._staff(unit, role)
        self.t1, self.t2, self.rektor = list(self.duties)
        self.educator = self._staff(self.pre, "Förskollärare")
        duty = self.duties[self.educator][0]
        app.assign_to_group(self.educator, duty, self.dept, "Förskollärare", START)
        self.assignments: dict[UUID, tuple[UUID, UUID]] = {}  # staff -> (group, assignment)
        self.dept_staff = {self.educator}
        self.kids: dict[UUID, Kid] = {}
        self.entries: dict[UUID, tuple[UUID, UUID, str, str]] = {}  # student, unit, cat, form
        self.culled_entries: set[UUID] = set()
        self.culled_categories: set[tuple[UUID, str]] = set()  # this month's, fenced

    def _staff(self, unit: UUID, role: str) -> UUID:
        app = self.gallra.app
        staff = app.register_staff("S", "N", temporary("19700101"))
        duty = app.assign_duty(staff, unit, role, START)
        self.duties[staff] = (duty, unit, role)
        return staff

    # -- model of connections --------------------------------------------------------------

    def expected_units(self, staff: UUID, kid: Kid) -> frozenset[UUID]:
        if staff not in self.duties:
            return frozenset()
        _, duty_unit, role = self.duties[staff]
        units: set[UUID] = set()
        for placed in kid.placements.values():
            if not placed.open:
                continue
            if role == "Rektor" and placed.unit == duty_unit:
                units.add(placed.unit)
            if staff in self.assignments and self.assignments[staff][0] in placed.groups:
                units.add(placed.unit)
            if staff in self.dept_staff and placed.form == "förskola":
                units.add(placed.unit)
        return frozenset(units)

    # -- rules -----------------------------------------------------------------------------

    @initialize(target=children)
    def first_children(self) -> object:
        """Three children from the start: one leaving preschool for school 1, two at
        school 1 in 7A."""
        kids = [self.new_child(2), self.new_child(1), self.new_child(2)]
        self.place(kids[0], "pre")
        self.place(kids[0], "s1")
        for kid in kids[1:]:
            self.place(kid, "s1")
            self.join(kid, "g1")
        return multiple(*kids)

    @rule(target=children, custodians=st.integers(1, 2))
    def new_child(self, custodians: int) -> UUID:
        app = self.gallra.app
        adults = [app.register_guardian("G", "N", temporary("19800101")) for _ in range(custodians)]
        links = [(a, "Vårdnadshavare") for a in adults]
        kid = app.register_child("C", "N", temporary("20180101"), links)
        self.kids[kid] = Kid(adults)
        return kid

    @rule(kid=children, where=st.sampled_from(["pre", "s1", "s2"]))
    def place(self, kid: UUID, where: str) -> None:
        app, model = self.gallra.app, self.kids[kid]
        unit = {"pre": self.pre, "s1": self.s1, "s2": self.s2}[where]
        form = "förskola" if where == "pre" else "grundskola"
        dept = self.dept if where == "pre" else None
        if model.open_in(form) is not None:
            with pytest.raises(ConflictError):
                app.place_child(kid, unit, dept, START, form)
            return
        placement = app.place_child(kid, unit, dept, START, form)
        model.placements[placement] = Placed(unit, form, START)

    @rule(kid=children, form=st.sampled_from(["förskola", "grundskola"]))
    def end(self, kid: UUID, form: str) -> None:
        found = self.kids[kid].open_in(form)
        if found is None:
            return
        placement, placed = found
        if placed.start > ENDED:
            with pytest.raises(RuleViolationError):
                self.gallra.app.end_placement(kid, placement, ENDED)
            return
        self.gallra.app.end_placement(kid, placement, ENDED)
        placed.open = False
        placed.groups.clear()

    @rule(kid=children)
    def move(self, kid: UUID) -> None:
        model = self.kids[kid]
        found = model.open_in("grundskola")
        if found is None:
            return
        placement, placed = found
        target = self.s2 if placed.unit == self.s1 else self.s1
        if placed.start >= TODAY:
            with pytest.raises(RuleViolationError):
                self.gallra.app.move_placement(kid, placement, target, None, TODAY)
            return
        new = self.gallra.app.move_placement(kid, placement, target, None, TODAY)
        placed.open = False
        placed.groups.clear()
        model.placements[new] = Placed(target, "grundskola", TODAY)
        model.transfers.append((placed.unit, target, new))

    @rule(kid=children, group=st.sampled_from(["g1", "g2"]))
    def join(self, kid: UUID, group: str) -> None:
        group_id = self.g1 if group == "g1" else self.g2
        found = self.kids[kid].open_in("grundskola")
        if found is None or found[1].unit != self.unit_of_group[group_id]:
            return
        placement, placed = found
        self.gallra.app.join_group(kid, placement, group_id, placed.start)
        placed.groups.add(group_id)

    @rule(teacher=st.sampled_from(["t1", "t2"]), on=st.booleans())
    def assign(self, teacher: str, on: bool) -> None:
        staff = self.t1 if teacher == "t1" else self.t2
        group = self.g1 if teacher == "t1" else self.g2
        app = self.gallra.app
        if on and staff not in self.assignments:
            duty = self.duties[staff][0]
            self.assignments[staff] = (
                group,
                app.assign_to_group(staff, duty, group, "Lärare", START),
            )
        elif not on and staff in self.assignments:
            app.end_assignment(staff, self.assignments.pop(staff)[1], ENDED)

    @rule(kid=children, which=st.integers(0, 1), give=st.booleans())
    def consent(self, kid: UUID, which: int, give: bool) -> None:
        model = self.kids[kid]
        if not model.custodians or (kid, "consent") in self.culled_categories:
            return
        adult = model.custodians[which % len(model.custodians)]
        if give:
            self.gallra.app.give_consent(kid, adult)
            model.consents.add(adult)
        else:
            self.gallra.app.withdraw_consent(kid, adult)
            model.consents.discard(adult)

    @rule(kid=children, then_transfer=st.booleans())
    def everyone_consents(self, kid: UUID, then_transfer: bool) -> None:
        for which in range(len(self.kids[kid].custodians)):
            self.consent(kid, which, give=True)
        if then_transfer:
            self.transfer(kid)

    @rule(kid=children)
    def transfer(self, kid: UUID) -> None:
        model = self.kids[kid]
        found = model.open_in("grundskola")
        if found is None:
            return
        target, placed = found
        earlier = [
            v for p, v in model.placements.items() if p != target and v.start <= placed.start
        ]
        app = self.gallra.app
        if not earlier:
            with pytest.raises(RuleViolationError):
                app.transfer_documentation(kid, target)
            return
        source = max(earlier, key=lambda v: v.start)  # the first of ties, as the app picks
        if source.unit == placed.unit:
            with pytest.raises(RuleViolationError):
                app.transfer_documentation(kid, target)
            return
        if (source.unit, placed.unit, target) in model.transfers:
            app.transfer_documentation(kid, target)  # made already: a retry, not a new one
            return
        if source.form == "förskola" and not model.consent_valid():
            with pytest.raises(ConflictError) as refused:
                app.transfer_documentation(kid, target)
            assert refused.value.field == "consent"
            event("transfer refused for want of consent")
            return
        app.transfer_documentation(kid, target)
        event(f"transfer from {source.form}")
        if (source.unit, placed.unit, target) not in model.transfers:
            model.transfers.append((source.unit, placed.unit, target))

    @rule(kid=children, category=st.sampled_from(["samtal", "stodinsatser", "iup"]))
    def write(self, kid: UUID, category: str) -> None:
        model = self.kids[kid]
        for staff in (self.t1, self.t2, self.rektor, self.educator):
            units = self.expected_units(staff, model)
            if not units:
                continue
            unit = sorted(units)[0]
            form = "förskola" if unit == self.pre else "grundskola"
            if category == "iup" and form == "förskola":
                category = "samtal"
            if (kid, category) in self.culled_categories:
                return  # this month of it is culled and fenced: a write would be refused
            entry = self.gallra.app.write_entry(
                student_id=kid,
                unit_id=unit,
                author_id=staff,
                category=category,
                school_form=form,
                written_on=TODAY,
                title="t",
                content=uuid4().hex,
            )
            self.entries[entry] = (kid, unit, category, form)
            event("documentation written")
            return

    @rule(kid=children, what=st.sampled_from(["placement", "identity", "consent", "samtal"]))
    def shred(self, kid: UUID, what: str) -> None:
        app = self.gallra.app
        scopes = [r.scope for r in app.keystore.scopes(subject=kid) if r.scope.category == what]
        if not scopes:
            return
        scope = scopes[0]
        run = GallringRun(
            rule_id="test",
            plan_version="t",
            category=what,
            as_of=TODAY,
            epochs=[scope.epoch],
            key_ids=[],
            subjects=1,
            decided_by="test",
        )
        app.save(run)
        app.keystore.shred(run.id, scopes=[scope])
        app.evict_caches()
        run.record_execution(1, datetime.now(UTC))
        app.save(run)
        model = self.kids[kid]
        if what == "placement":
            placement = UUID(scope.epoch)
            model.placements.pop(placement, None)
            model.transfers = [t for t in model.transfers if t[2] != placement]
        elif what == "identity":
            model.custodians = []  # the guardianship links are identity data
        elif what == "consent":
            model.consents.clear()
            self.culled_categories.add((kid, what))
        else:
            self.culled_categories.add((kid, what))
            for entry, (student, _, category, _) in self.entries.items():
                if student == kid and category == "samtal":
                    self.culled_entries.add(entry)

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def connections_and_documentation_match_the_model(self) -> None:
        """A disconnected staff member sees no protected documentation; a connected one
        sees what was written at their units and the transition archive transferred there."""
        views = {entry: self.gallra.app.get_entry(entry) for entry in self.entries}
        for staff in (self.t1, self.t2, self.rektor, self.educator):
            for kid, model in self.kids.items():
                units = self.expected_units(staff, model)
                assert self.gallra.access.connected_units(staff, kid, TODAY) == units
                reader = Reader(self.gallra, Principal(Role.STAFF, subject=staff), kid, TODAY)
                archive = set().union(*(model.sources(u) for u in units))
                for entry, (student, unit, category, form) in self.entries.items():
                    if student != kid:
                        continue
                    expected = entry not in self.culled_entries and (
                        unit in units or (is_transition(category, form) and unit in archive)
                    )
                    assert reader.may_read(views[entry]) == expected, (staff, entry)
                    event(f"entry readable: {expected}")

    @invariant()
    def one_open_placement_per_school_form_and_everything_loads(self) -> None:
        app = self.gallra.app
        for kid in self.kids:
            child = app.repository.get(kid)
            assert isinstance(child, Child)
            forms = [p.school_form for p in child.placements.values() if p.open]
            assert len(forms) == len(set(forms))
            for guardian in self.kids[kid].custodians:
                app.repository.get(guardian)
        for staff in self.duties:
            app.repository.get(staff)
        for entry in self.entries:
            app.get_entry(entry)


def test_school_side_invariants_hold_under_random_commands(
    make_gallra: Callable[..., Gallra], backend_settings: Settings
) -> None:
    def fresh() -> School:
        School.gallra = make_gallra(fresh=True)
        return School()

    # Each example is a fresh store: a new PostgreSQL schema costs seconds, a new SQLite file
    # next to nothing. The commands' logic is the same on both, so PostgreSQL runs fewer.
    examples = 15 if backend_settings.backend == "sqlite" else 5
    run_state_machine_as_test(
        fresh, settings=settings(max_examples=examples, stateful_step_count=30, deadline=None)
    )
