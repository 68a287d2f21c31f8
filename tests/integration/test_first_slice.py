"""The first slice as a story: a preschool, a child, a week at the kiosk, an absence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from api.bootstrap import Gallra
from conftest import Clock
from domain.civic_number import InvalidCivicNumber
from domain.errors import ConflictError, NotFoundError, RuleViolationError, SubmissionMismatchError

PNR_CHILD = "20210412-2383"  # synthetic, valid check digit
PNR_GUARDIAN = "19811228-9874"


@pytest.fixture
def town(gallra: Gallra) -> dict[str, object]:
    app = gallra.app
    unit = app.create_unit("Förskolan Norrsken", "förskola")
    bjornen = app.add_department(unit, "Björnen")
    ugglan = app.add_department(unit, "Ugglan")
    guardian = app.register_guardian("Anna", "Lind", PNR_GUARDIAN)
    child = app.register_child("Saga", "Lind", PNR_CHILD, [(guardian, "Vårdnadshavare")])
    app.place_child(child, unit, bjornen, date(2026, 1, 7))
    return {
        "unit": unit,
        "bjornen": bjornen,
        "ugglan": ugglan,
        "guardian": guardian,
        "child": child,
    }


def at(clock: Clock, hours: float) -> datetime:
    return clock.now.replace(hour=0, minute=0) + timedelta(hours=hours)


def test_a_day_at_the_kiosk(gallra: Gallra, town: dict, clock: Clock) -> None:  # type: ignore[type-arg]
    app = gallra.app
    child, bjornen = town["child"], town["bjornen"]
    app.check_in(uuid4(), bjornen, child, at(clock, 6.5), town["guardian"])
    present = gallra.runner.catch_up() and gallra.view.present(bjornen)
    assert [row.child_id for row in present] == [child]
    outcome = app.check_out(uuid4(), bjornen, child, at(clock, 8.75), town["guardian"])
    assert outcome.minutes == 135
    gallra.runner.catch_up()
    assert gallra.view.present(bjornen) == []


def test_a_kiosk_retry_is_a_no_op_and_a_reused_id_is_refused(
    gallra: Gallra,
    town: dict,
    clock: Clock,  # type: ignore[type-arg]
) -> None:
    app = gallra.app
    submission = uuid4()
    first = app.check_in(submission, town["bjornen"], town["child"], at(clock, 7), None)
    again = app.check_in(submission, town["bjornen"], town["child"], at(clock, 7), None)
    assert (first.duplicate, again.duplicate) == (False, True)
    events = list(app.department_day_events(town["bjornen"], clock.now.date()))
    assert [type(e).__name__ for e in events] == ["Opened", "CheckedIn"]
    with pytest.raises(SubmissionMismatchError):
        app.check_out(submission, town["bjornen"], town["child"], at(clock, 8), None)


def test_kiosk_rules(gallra: Gallra, town: dict, clock: Clock) -> None:  # type: ignore[type-arg]
    app = gallra.app
    with pytest.raises(ConflictError, match="not checked in"):
        app.check_out(uuid4(), town["bjornen"], town["child"], at(clock, 8), None)
    with pytest.raises(RuleViolationError, match="no placement"):
        app.check_in(uuid4(), town["ugglan"], town["child"], at(clock, 7), None)
    app.check_in(uuid4(), town["bjornen"], town["child"], at(clock, 7), None)
    with pytest.raises(ConflictError, match="already checked in"):
        app.check_in(uuid4(), town["bjornen"], town["child"], at(clock, 7.5), None)
    with pytest.raises(RuleViolationError, match="before the check-in"):
        app.check_out(uuid4(), town["bjornen"], town["child"], at(clock, 6), None)
    with pytest.raises(RuleViolationError, match="future"):
        app.check_out(uuid4(), town["bjornen"], town["child"], clock.now + timedelta(hours=1), None)
    with pytest.raises(NotFoundError):
        app.check_in(uuid4(), town["bjornen"], uuid4(), at(clock, 7), None)


def test_absence_over_a_range_is_one_atomic_idempotent_command(
    gallra: Gallra,
    town: dict,
    clock: Clock,  # type: ignore[type-arg]
) -> None:
    app = gallra.app
    submission = uuid4()
    first = date(2026, 3, 17)
    outcomes = app.report_absence(
        submission,
        town["child"],
        town["guardian"],
        first,
        first + timedelta(days=2),
        "sick",
        "magsjuka",
    )
    assert [o.duplicate for o in outcomes] == [False, False, False]
    again = app.report_absence(
        submission,
        town["child"],
        town["guardian"],
        first,
        first + timedelta(days=2),
        "sick",
        "magsjuka",
    )
    assert [o.duplicate for o in again] == [True, True, True]
    before = app.recorder.max_notification_id()
    with pytest.raises(ConflictError, match="already reported absent"):
        # day 3 is new, but day 2 clashes: nothing at all may be written
        app.report_absence(
            uuid4(),
            town["child"],
            town["guardian"],
            first + timedelta(days=1),
            first + timedelta(days=3),
            "sick",
            None,
        )
    assert app.recorder.max_notification_id() == before
    with pytest.raises(RuleViolationError, match="kind"):
        app.report_absence(uuid4(), town["child"], town["guardian"], first, first, "bored", None)


def test_civic_numbers_are_validated_and_unique(gallra: Gallra, town: dict) -> None:  # type: ignore[type-arg]
    app = gallra.app
    with pytest.raises(InvalidCivicNumber) as caught:
        app.register_child("X", "Y", "20210412-2384", [])
    assert caught.value.reason == "checksum" and "2384" not in str(caught.value)
    before = app.recorder.max_notification_id()
    with pytest.raises(ConflictError, match="already registered"):
        app.register_child("Another", "Name", PNR_CHILD.replace("-", ""), [])
    assert app.recorder.max_notification_id() == before
    assert app.find_person("210412-2383") == town["child"]
    assert app.find_person(PNR_GUARDIAN) == town["guardian"]
    samordning = app.register_guardian("Omar", "Ali", "701063-2391")
    assert app.get_guardian(samordning).civic_kind == "samordningsnummer"


def test_unknown_ids_are_clear_errors(gallra: Gallra, town: dict) -> None:  # type: ignore[type-arg]
    app = gallra.app
    with pytest.raises(NotFoundError, match="no unit"):
        app.add_department(uuid4(), "X")
    with pytest.raises(NotFoundError, match="no department"):
        app.place_child(town["child"], town["unit"], uuid4(), date(2026, 1, 1))
    with pytest.raises(NotFoundError, match="no guardian"):
        app.register_child("A", "B", "20200101TF01", [(uuid4(), "Vårdnadshavare")])
    with pytest.raises(ConflictError, match="open placement"):
        app.place_child(town["child"], town["unit"], town["ugglan"], date(2026, 2, 1))


def test_the_child_stream_holds_sealed_data_only(gallra: Gallra, town: dict) -> None:  # type: ignore[type-arg]
    from retention.sealing import envelope

    app = gallra.app
    for stored in app.recorder.select_events(town["child"]):
        plaintext, parts = envelope.unpack(stored.state)
        readable = app.sealing_mapper.transcoder.decode(plaintext)
        assert set(readable) <= {"timestamp", "originator_topic", "placement_id", "class_version"}
        assert parts


def test_concurrent_check_ins_at_one_department_all_land(
    gallra: Gallra,
    town: dict,
    clock: Clock,  # type: ignore[type-arg]
) -> None:
    import threading

    app = gallra.app
    children = []
    for n in range(6):
        c = app.register_child("Barn", f"Nr{n}", f"2020010{n + 1}TF0{n}", [])
        app.place_child(c, town["unit"], town["bjornen"], date(2026, 1, 1))
        children.append(c)
    errors: list[BaseException] = []

    def arrive(child: object) -> None:
        try:
            app.check_in(uuid4(), town["bjornen"], child, at(clock, 7), None)  # type: ignore[arg-type]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=arrive, args=(c,)) for c in children]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    gallra.runner.catch_up()
    assert {r.child_id for r in gallra.view.present(town["bjornen"])} == set(children)


def test_times_without_offset_are_refused(gallra: Gallra, town: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(RuleViolationError, match="offset"):
        gallra.app.check_in(uuid4(), town["bjornen"], town["child"], datetime(2026, 3, 16, 7), None)


def test_check_in_day_is_the_local_day(gallra: Gallra, town: dict, clock: Clock) -> None:  # type: ignore[type-arg]
    # 23:30 UTC on 15 March is 00:30 on 16 March in Luleå
    late = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)
    gallra.app.check_in(uuid4(), town["bjornen"], town["child"], late, None)
    assert list(gallra.app.department_day_events(town["bjornen"], date(2026, 3, 16)))
