"""Stay schedules on both backends: lay, approve, resolve; the book's stream holds no readable
date or time; culling one placement's schedule scope leaves everything loadable."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import UUID, uuid4

import pytest

from api.application import GallraApplication
from api.bootstrap import Gallra
from builders import enrolled_department
from domain.errors import NotFoundError, RuleViolationError, SubmissionMismatchError
from domain.personal import Shredded
from domain.schedule_terms import Entry, ScheduleTerms
from domain.stay_schedule import schedule_book_id
from retention.errors import ScopeShreddedError
from retention.keys.scope import Scope

START = date(2026, 4, 6)  # a Monday, three weeks after the test clock's 2026-03-16
STAFF = uuid4()


def weekdays(placement: UUID, start: date, begin: str, end: str) -> ScheduleTerms:
    entries = [Entry(0, d, time.fromisoformat(begin), time.fromisoformat(end)) for d in range(1, 6)]
    return ScheduleTerms.checked(placement, start, None, 1, False, entries)


def placement_of(gallra: Gallra, child: UUID) -> UUID:
    [placement] = [p for p in gallra.app.get_child(child).placements if p.end is None]
    return placement.placement_id


def test_lay_approve_and_resolve(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    placement = placement_of(gallra, child)
    schedule_id = uuid4()

    laid = app.lay_schedule(
        child, schedule_id, weekdays(placement, START, "07:30", "16:00"), None,
        guardian_deadline_days=14,
    )  # fmt: skip
    assert (laid.state, laid.duplicate) == ("requested", False)
    assert app.scheduled_minutes(child, START) is None  # requested is not yet a plan

    assert app.approve_schedule(child, schedule_id, STAFF) == "approved"
    app.evict_caches()
    assert app.scheduled_minutes(child, START) == 510
    assert app.scheduled_times(child, START) == [(time(7, 30), time(16, 0))]
    assert app.scheduled_minutes(child, START + timedelta(days=5)) == 0  # Saturday: off
    assert app.scheduled_minutes(child, START - timedelta(days=1)) is None

    [view] = app.schedules_of(child)
    assert view.state == "approved" and view.terms is not None
    assert [d.state for d in view.history] == ["requested", "approved"]
    assert view.history[1].by == STAFF

    # The book's stream (its own id derived from the child's) holds no readable date or time.
    for stored in app.recorder.select_events(schedule_book_id(child)):
        for secret in (b"2026-04-06", b"07:30", b"16:00", str(placement).encode()):
            assert secret not in stored.state


def test_retries_rules_and_the_deadline(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    placement = placement_of(gallra, child)
    terms = weekdays(placement, START, "08:00", "11:00")  # 15 hours a week
    schedule_id = uuid4()
    app.lay_schedule(child, schedule_id, terms, STAFF, guardian_deadline_days=None, approve=True)

    again = app.lay_schedule(
        child, schedule_id, terms, STAFF, guardian_deadline_days=None, approve=True
    )
    assert again.duplicate and again.state == "approved"
    with pytest.raises(SubmissionMismatchError):
        app.lay_schedule(
            child, schedule_id, weekdays(placement, START, "08:00", "12:00"), STAFF,
            guardian_deadline_days=None,
        )  # fmt: skip

    soon = weekdays(placement, date(2026, 3, 23), "08:00", "11:00")
    with pytest.raises(RuleViolationError) as late:
        app.lay_schedule(child, uuid4(), soon, None, guardian_deadline_days=14)
    assert late.value.field == "start_date"
    app.lay_schedule(child, uuid4(), soon, STAFF, guardian_deadline_days=None)  # staff may

    assert app.set_placement_hours(child, placement, 15)
    assert not app.set_placement_hours(child, placement, 15)
    app.evict_caches()
    assert app.placement_hours(child, placement) == 15
    with pytest.raises(RuleViolationError) as over:
        app.lay_schedule(
            child, uuid4(), weekdays(placement, START, "08:00", "11:01"), STAFF,
            guardian_deadline_days=None,
        )  # fmt: skip
    assert over.value.field == "entries"

    with pytest.raises(NotFoundError):
        app.approve_schedule(child, uuid4(), STAFF)


def test_only_open_preschool_and_fritids_placements_have_schedules(gallra: Gallra) -> None:
    app = gallra.app
    _, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    preschool = placement_of(gallra, child)
    school = app.create_unit("Tallskolan", "grundskola")
    in_school = app.place_child(child, school, None, date(2026, 3, 1))
    with pytest.raises(RuleViolationError) as refused:
        app.lay_schedule(
            child, uuid4(), weekdays(in_school, START, "08:00", "11:00"), STAFF,
            guardian_deadline_days=None,
        )  # fmt: skip
    assert refused.value.field == "placement_id"
    with pytest.raises(RuleViolationError) as refused:
        app.lay_schedule(
            child, uuid4(), weekdays(preschool, date(2022, 7, 25), "08:00", "11:00"), STAFF,
            guardian_deadline_days=None,
        )  # fmt: skip
    assert refused.value.field == "start_date"


def test_culling_one_placements_schedules_leaves_the_rest(gallra: Gallra) -> None:
    app = gallra.app
    unit, _, (child,) = enrolled_department(app, 1, "Förskolan Tallen", "Myran")
    first = placement_of(gallra, child)
    old, new = uuid4(), uuid4()
    app.lay_schedule(
        child, old, weekdays(first, START, "07:00", "15:00"), STAFF,
        guardian_deadline_days=None, approve=True,
    )  # fmt: skip
    app.reject_schedule(child, app_lay(app, child, first), STAFF, "Personalen har frågor")
    moved_on = START + timedelta(days=28)
    second = app.move_placement(child, first, unit, app.add_department(unit, "Ugglan"), moved_on)
    app.lay_schedule(
        child, new, weekdays(second, moved_on, "08:00", "14:00"), STAFF,
        guardian_deadline_days=None, approve=True,
    )  # fmt: skip
    app.set_placement_hours(child, first, 40)
    assert app.scheduled_minutes(child, START) == 480
    assert app.scheduled_minutes(child, moved_on) == 360

    destroyed = app.keystore.shred(uuid4(), scopes=[Scope(child, "schedule", str(first))])
    app.evict_caches()
    assert destroyed == 1

    views = {v.schedule_id: v for v in app.schedules_of(child)}
    assert len(views) == 3
    assert views[old].terms is None and views[old].state == "approved"
    assert isinstance(views[old].laid_by, Shredded)
    rejected = next(v for k, v in views.items() if k not in (old, new))
    assert rejected.state == "rejected" and isinstance(rejected.history[-1].reason, Shredded)
    assert views[new].terms is not None and views[new].in_force_until is None
    assert app.scheduled_minutes(child, START) is None  # a culled schedule never applies
    assert app.scheduled_minutes(child, moved_on) == 360
    assert [d.minutes for d in app.schedule_plan(child, START, START + timedelta(days=1))] == [
        None,
        None,
    ]
    with pytest.raises(ScopeShreddedError):  # the culled scope is never written again
        app_lay(app, child, first)

    app.keystore.shred(uuid4(), scopes=[Scope(child, "placement", str(first))])
    app.evict_caches()
    assert isinstance(app.placement_hours(child, first), Shredded)
    assert len(app.schedules_of(child)) == 3
    assert app.scheduled_minutes(child, moved_on + timedelta(days=1)) == 360


def app_lay(app: GallraApplication, child: UUID, placement: UUID) -> UUID:
    schedule_id = uuid4()
    app.lay_schedule(
        child, schedule_id, weekdays(placement, START + timedelta(days=7), "09:00", "12:00"),
        None, guardian_deadline_days=14,
    )  # fmt: skip
    return schedule_id
