"""The kiosk's offline batch: 1,000 check-ins and check-outs of one department in one call.

A department of 25 children whose kiosk was offline for 20 days sends its in and out for each
child and day, shuffled (a kiosk may send in any order). Gallra runs the whole command,
``sync_kiosk_batch``: it checks every event (time, child, placement), reads the children and the
department-days it touches, derives presence in time order, seals, and saves every day in one
transaction. Bare eventsourcing appends the very same facts through the same aggregate, all
days in one save, with nothing checked and nothing sealed. Untimed: the department, the
children and their placements, and one check-in per child in every month used, so the month
keys exist (as on every kiosk day after a month's first).
"""

from __future__ import annotations

import gc
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from eventsourcing.application import Application

from api.application import GallraApplication
from api.kiosk_sync_commands import KioskEvent
from domain.attendance import DepartmentDay
from domain.attendance_facts import FactKind

CHILDREN = 25
DAYS = 20
FIRST_DAY = date(2025, 1, 6)
_KINDS = {"check-in": FactKind.CHECK_IN, "check-out": FactKind.CHECK_OUT}


@dataclass
class Department:
    department_id: UUID
    unit_id: UUID
    children: list[UUID]
    next_day: date = FIRST_DAY
    keyed_months: set[str] = field(default_factory=set)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def setup(app: Application[UUID], rng: random.Random) -> Department:
    """A department with placed children (Gallra), or just ids (bare: nothing is checked)."""
    if not isinstance(app, GallraApplication):
        return Department(_uuid(rng), _uuid(rng), [_uuid(rng) for _ in range(CHILDREN)])
    unit = app.create_unit("Förskolan Bänken", "förskola")
    department = app.add_department(unit, "Mätaren")
    children = []
    for n in range(CHILDREN):
        child = app.register_child("B", f"Nr{n}", f"202001{n + 1:02d}TF{n:02d}", [])
        app.place_child(child, unit, department, date(2024, 8, 1))
        children.append(child)
    return Department(department, unit, children)


def _events(dep: Department, rng: random.Random, days: list[date]) -> list[KioskEvent]:
    events = []
    for day in days:
        for child in dep.children:
            arrives = datetime(day.year, day.month, day.day, 6, tzinfo=UTC) + timedelta(
                minutes=rng.randrange(180)
            )
            leaves = arrives + timedelta(minutes=300 + rng.randrange(300))
            events.append(KioskEvent(_uuid(rng), "check-in", child, arrives))
            events.append(KioskEvent(_uuid(rng), "check-out", child, leaves))
    rng.shuffle(events)
    return events


def _key_months(app: Application[UUID], dep: Department, days: list[date]) -> None:
    """One fact per child in each month first used, on another department's day (untimed):
    the key scope is the child's month, whatever the stream."""
    if not isinstance(app, GallraApplication):
        return
    for month_day in sorted({d.replace(day=1) for d in days}):
        month = f"{month_day:%Y-%m}"
        if month in dep.keyed_months:
            continue
        dep.keyed_months.add(month)
        warm = DepartmentDay.open(_uuid(random.Random(month)), dep.unit_id, month_day)
        at = datetime(month_day.year, month_day.month, 1, 5, tzinfo=UTC)
        for child in dep.children:
            warm.record(_uuid(random.Random(child.int)), FactKind.CHECK_IN, child, at, None)
        app.save(warm)


def kiosk_batch(
    app: Application[UUID], rng: random.Random, dep: Department, batches: int
) -> tuple[int, float]:
    """``batches`` kiosk batches of CHILDREN x DAYS x 2 events; returns (events, seconds)."""
    total, elapsed = 0, 0.0
    for _ in range(batches):
        days = [dep.next_day + timedelta(days=n) for n in range(DAYS)]
        dep.next_day += timedelta(days=DAYS)
        _key_months(app, dep, days)
        events = _events(dep, rng, days)
        gc.collect()  # as every workload does before its clock starts
        started = time.perf_counter()
        if isinstance(app, GallraApplication):
            outcomes = app.sync_kiosk_batch(dep.department_id, None, events)
            elapsed += time.perf_counter() - started
            if any(o.status != "recorded" for o in outcomes):
                raise AssertionError("the kiosk batch did not record every event")
        else:
            elapsed += _bare_batch(app, dep, events)
        total += len(events)
    return total, elapsed


def _bare_batch(app: Application[UUID], dep: Department, events: list[KioskEvent]) -> float:
    started = time.perf_counter()  # gc.collect() ran just before, in kiosk_batch
    opened: dict[date, DepartmentDay] = {}
    for e in events:
        day = e.at.date()
        dd = opened.get(day)
        if dd is None:
            dd = opened[day] = DepartmentDay.open(dep.department_id, dep.unit_id, day)
        dd.record(e.submission_id, _KINDS[e.type], e.child_id, e.at, e.by)
    app.save(*opened.values())
    return time.perf_counter() - started
