"""A small synthetic municipality lived through three school years and culled to the last
(both backends): what an intruder with the files reads links no culled person beyond their own
stream, names nobody outside the event log (ADR 0020), and keeps no exact time (ADR 0019).

The town is built once per backend (about ten seconds), so one test checks it all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from api.bootstrap import Gallra
from api.synthetic_municipality import SimulatedClock, Size, build, cull_everything
from conftest import GallraFactory
from retention.anonymity import Remnant, Trail, audit, culled_trails, remnants_of
from store_scan import EVENT_TABLES, rows_naming

SMALL = Size(preschools=1, departments=2, children=5, classes=1, students=6, kiosk_days=2)
PERSON_STREAMS = (
    *("Child.", "Guardian.", "Staff.", "PersonRecord."),  # a person's own stream
    *("ScheduleBook.", "DietRecord.", "StayNotebook.", "ChildPickups."),  # a child's Tempus
)
A_HOLD = {"LegalHolds.HoldPlaced", "LegalHolds.HoldLifted"}
MONTH = 31


def remnants(gallra: Gallra) -> list[Remnant]:
    app = gallra.app
    return list(remnants_of(app.recorder, app.keystore, app.mapper.transcoder.decode))


def check_trail(trail: Trail) -> None:
    kinds = dict(trail.kinds)
    # No fence names anyone: a forgotten person's keys leave one tombstone, linked to nothing.
    assert not any(k.startswith("key row") for k in kinds) or kinds == {"key row: forgotten": 1}, (
        trail
    )
    assert kinds.get("Child.Registered", 0) <= 1, trail  # never two people in one trail
    own_stream = any(k.startswith(PERSON_STREAMS) for k in kinds)
    if not set(kinds) <= A_HOLD:
        # Kiosk days, lessons, notes: a month at most. A person's own stream keeps no record
        # time (ADR 0023), so it cannot be dated across months either.
        assert trail.span_days <= MONTH, trail
    # Once its scope is culled a hold names no one: it is never part of a person's trail.
    assert not (own_stream and A_HOLD & set(kinds)), trail


def test_a_municipality_culled_to_the_last_is_forgotten(
    make_gallra: GallraFactory, tmp_path: Path
) -> None:
    clock = SimulatedClock(datetime(2021, 7, 1, tzinfo=UTC))
    gallra = make_gallra(clock=clock)
    town = build(gallra.app, clock, SMALL)
    signed, _ = gallra.integrity.checkpoint()
    assert signed is not None
    assert cull_everything(gallra, clock, tmp_path / "archive")  # something was delivered
    # Culling destroyed keys, not bytes: the checkpoint signed before it still holds (ADR 0024).
    verified = gallra.integrity.verify()
    assert verified.ok and verified.checkpoints == 1 and verified.signed_through == signed.position
    assert verified.events > signed.events  # the gallring records came after it

    people = [*town.preschool_children, *town.students, *town.guardians]
    assert len(people) == 2 * (2 * 5 + 6) and town.held in people
    assert gallra.app.keystore.forgotten_among(people) == set(people)
    assert gallra.gallring.planned(date(2040, 1, 1)) == []  # nothing is left to cull
    for person in people:
        assert set(rows_naming(gallra, person)) <= EVENT_TABLES, person

    items = remnants(gallra)
    # A culled record holding sealed data keeps the month it was written, never the moment.
    exact = [
        r.kind
        for r in items
        if r.sealed and not r.live and "T" in dict(r.quasi).get("record time", "-")
    ]
    assert not exact, exact[:5]
    trails = culled_trails(items)
    assert len(trails) > 100
    for trail in trails:
        check_trail(trail)
    report = audit(items)
    assert report.culled_trails == len(trails)
    # A kiosk fact, an absence or a shift in a small group is alone and shows no value of its
    # own (ADR 0022): no stay's minutes or absence kind, no key shared with another record.
    below = dict(report.kinds_below)
    assert below.get("DepartmentDay.CheckedOut", 0) > 0  # quiet days exist: the check can fail
    linked, telling = dict(report.kinds_linked_below), dict(report.kinds_telling_below)
    for kind in ("DepartmentDay.CheckedIn", "DepartmentDay.CheckedOut"):
        assert linked.get(kind, 0) == telling.get(kind, 0) == 0, kind
    assert linked.get("DepartmentDay.AbsenceReported", 0) == 0
    assert telling.get("DepartmentDay.AbsenceReported", 0) == 0
    assert linked.get("DepartmentRoster.ShiftPlanned", 0) == 0
    assert report.longest is not None and report.longest.span_days == max(
        t.span_days for t in trails
    )
