"""A preschool week the statistics stories share: schedules, kiosk facts, absence, the night."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4

from api.application import GallraApplication
from api.bootstrap import Gallra
from api.day_close import close_finished_days
from api.kiosk_sync_commands import KioskEvent
from builders import enrolled_department
from domain.schedule_terms import Entry, ScheduleTerms

WEEK = [date(2026, 3, 2) + timedelta(days=n) for n in range(5)]  # Monday to Friday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def history(gallra: Gallra) -> tuple[UUID, UUID, list[UUID]]:
    """Eight children with approved schedules; a week of kiosk facts; two days of one child's
    absence; one check-in left open; every day closed by the night job."""
    app = gallra.app
    unit, dep, kids = enrolled_department(app, 8, "Förskolan Räven", "Ugglan")
    weekday_schedules(app, kids, date(2026, 3, 1))
    guardian = next(iter(app.get_child(kids[0]).guardians))
    app.report_absence(uuid4(), kids[0], guardian, WEEK[0], WEEK[1], "sick", "feber")
    events = []
    for n, day in enumerate(WEEK):
        for k, child in enumerate(kids[1:]):
            events.append(KioskEvent(uuid4(), "check-in", child, at(day, 6, 30 + k)))
            if not (n == 4 and k == 0):  # Friday: one check-in left open
                events.append(KioskEvent(uuid4(), "check-out", child, at(day, 14, 5 * k)))
    outcomes = app.sync_kiosk_batch(dep, None, events[::-1])  # any order converges
    assert {o.status for o in outcomes} == {"recorded"}
    close_finished_days(gallra, WEEK[-1] + timedelta(days=2))
    return unit, dep, kids


def weekday_schedules(app: GallraApplication, kids: list[UUID], start: date) -> None:
    """An approved schedule for each child: Monday to Friday, 07:30 to 16:00 (510 minutes)."""
    for child in kids:
        [placement] = app.get_child(child).placements
        weekdays = [Entry(0, d, time(7, 30), time(16, 0)) for d in range(1, 6)]
        terms = ScheduleTerms.checked(placement.placement_id, start, None, 1, False, weekdays)
        app.lay_schedule(child, uuid4(), terms, None, guardian_deadline_days=None, approve=True)
