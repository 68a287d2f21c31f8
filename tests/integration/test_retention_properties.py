"""Gallring against a model, over random histories of runs, legal holds, archive deliveries and
receipts at random dates (both backends): a scope is destroyed exactly when some run found it
due with no hold on its subject and, for preserved data, the archive's receipt recorded; and
the statistics never change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from api.bootstrap import Gallra
from conftest import Clock, GallraFactory
from domain.personal import VEILED, Category
from retention.keys.scope import Scope

END = date(2029, 12, 31)
SHEETS = frozenset(str(c) for c in VEILED)
ATTENDANCE_DAYS = [date(2022, 11, 14), date(2023, 6, 12), date(2024, 9, 2)]
DOC_DAYS = [date(2023, 5, 10), date(2024, 9, 12)]
CATEGORIES = ["samtal", "betygsunderlag", "iup", "extra-anpassningar"]
step = st.one_of(
    st.tuples(st.just("run"), st.dates(date(2025, 6, 1), date(2029, 12, 31))),
    st.tuples(st.just("hold"), st.integers(0, 5)),
    st.tuples(st.just("lift"), st.integers(0, 5)),
    st.tuples(st.just("deliver"), st.dates(date(2025, 6, 1), date(2029, 12, 31))),
    st.tuples(st.just("receive"), st.just(0)),
)
documents = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(CATEGORIES), st.sampled_from(DOC_DAYS)),
    max_size=5,
)
presence = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(ATTENDANCE_DAYS)), max_size=5)


def town(
    gallra: Gallra, clock: Clock, docs: list[tuple[int, str, date]], days: list[tuple[int, date]]
) -> tuple[list[UUID], UUID]:
    """Three preschool children with attendance, three students with documentation."""
    app = gallra.app
    preschool = app.create_unit("Förskolan Modellen", "förskola")
    dep = app.add_department(preschool, "Avd")
    school = app.create_unit("Modellskolan", "grundskola")
    teacher = app.register_staff("L", "Ärare", "19800101TF02")
    app.assign_duty(teacher, school, "Lärare", date(2020, 8, 1))
    children, students = [], []
    for n in range(3):
        child = app.register_child("B", "N", f"2020010{n + 1}TF0{n}", [])
        app.place_child(child, preschool, dep, date(2022, 8, 1))
        children.append(child)
        student = app.register_child("E", "N", f"2012010{n + 1}TF1{n}", [])
        app.place_child(student, school, None, date(2020, 8, 1), "grundskola")
        students.append(student)
    for who, category, day in docs:
        app.write_entry(
            student_id=students[who], unit_id=school, author_id=teacher, category=category,
            school_form="grundskola", written_on=day, title="T", content="text",
        )  # fmt: skip
    saved = clock.now
    for who, day in sorted(set(days), key=lambda d: d[1]):
        clock.now = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        app.check_in(uuid4(), dep, children[who], start, None)
        app.check_out(uuid4(), dep, children[who], start.replace(hour=15), None)
    clock.now = saved
    return [*children, *students], preschool


def destroyed(gallra: Gallra) -> set[Scope]:
    return {r.scope for r in gallra.app.keystore.scopes(include_shredded=True) if r.key_id is None}


def stats(gallra: Gallra, unit: UUID) -> list[tuple[object, ...]]:
    gallra.runner.catch_up()
    return [
        (r.month, r.children, r.presence_minutes, r.absence_days)
        for r in gallra.view.unit_months(unit_ids=[unit])
    ]


@settings(max_examples=12, deadline=None)
@given(docs=documents, days=presence, steps=st.lists(step, min_size=1, max_size=8))
def test_gallring_follows_the_plan_holds_and_receipts(
    make_gallra: GallraFactory,
    clock: Clock,
    tmp_path_factory: object,
    docs: list[tuple[int, str, date]],
    days: list[tuple[int, date]],
    steps: list[tuple[str, object]],
) -> None:
    gallra = make_gallra(fresh=True)
    subjects, unit = town(gallra, clock, docs, days)
    before = stats(gallra, unit)
    out = Path(str(tmp_path_factory.mktemp("sip")))  # type: ignore[attr-defined]
    holds: dict[UUID, UUID] = {}  # subject -> its standing hold
    pending: set[UUID] = set()  # key ids in packages built, not yet received
    received: set[UUID] = set()
    packages: list[UUID] = []
    expected: set[Scope] = set()

    def apply(action: str, arg: object) -> None:
        nonlocal pending, received
        if action == "hold" and subjects[arg] not in holds:  # type: ignore[index]
            hold = uuid4()
            gallra.app.place_hold(hold, subjects[arg], "tvist", "model")  # type: ignore[index]
            holds[subjects[arg]] = hold  # type: ignore[index]
        elif action == "lift" and subjects[arg] in holds:  # type: ignore[index]
            gallra.app.lift_hold(holds.pop(subjects[arg]), "model")  # type: ignore[index]
        elif action == "deliver":
            assert isinstance(arg, date)
            built = gallra.archive.build(gallra.gallring.survey(arg), out, "model")
            if built is not None:
                packages.append(built.package_id)
            pending = {k for d in gallra.archive.deliveries() if not d.received for k in d.key_ids}
        elif action == "receive":
            for package in packages:
                gallra.archive.record_receipt(package, f"SA {package.hex[:6]}", "model")
            received |= pending
            pending = set()
        elif action == "run":
            assert isinstance(arg, date)
            live = gallra.app.keystore.scopes()  # live scopes, as the run will see them
            sheets = []
            for r in live:
                rule = gallra.plan.rule_for(r.scope.category)
                if rule is None or not rule.is_due(r.scope.epoch, arg):
                    continue
                if r.scope.category in SHEETS:
                    sheets.append(r)
                    continue
                if r.scope.subject in holds:
                    continue
                if rule.action == "archive-then-shred" and r.key_id not in received:
                    continue
                expected.add(r.scope)
            # A sheet goes once nothing it may hide in its month lives on (ADR 0022).
            staying = {(r.scope.category, r.scope.epoch) for r in live if r.scope not in expected}
            for r in sheets:
                hidden = VEILED[Category(r.scope.category)]
                if not any((str(c), r.scope.epoch) in staying for c in hidden):
                    expected.add(r.scope)
            gallra.gallring.run(arg, by="model")
            assert destroyed(gallra) == expected, (action, arg)
            assert stats(gallra, unit) == before

    for action, arg in steps:
        apply(action, arg)
    # Whatever happened, the end: every hold lifted, everything due delivered and received;
    # then nothing the plan culls by the end may be left.
    for subject in list(holds):
        apply("lift", subjects.index(subject))
    for action, arg in (("deliver", END), ("receive", 0), ("run", END)):
        apply(action, arg)
    due = {
        r.scope
        for r in gallra.app.keystore.scopes(include_shredded=True)
        if (rule := gallra.plan.rule_for(r.scope.category)) is not None
        and rule.is_due(r.scope.epoch, END)
    }
    assert due <= destroyed(gallra)
