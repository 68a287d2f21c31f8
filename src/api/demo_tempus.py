"""The demo's preschool side beyond check-ins: stay schedules, pick-up persons, diets, the
teacher's shifts, and every past day closed, so the overview, the kitchen's counts and the
preschool statistics have something to show. Synthetic people only."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from uuid import UUID, uuid4

from api.application import GallraApplication
from api.demo import FAMILY, GIVEN, DemoMunicipality, past_days
from domain.pickup import PickupDetails
from domain.schedule_terms import Entry, ScheduleTerms

_DIETS = ("gluten-free", "lactose-free", "vegetarian", "pork-free")


def seed_tempus(app: GallraApplication, demo: DemoMunicipality, *, today: date) -> None:
    rng = random.Random(11)
    placed: dict[UUID, list[UUID]] = {}  # department -> children
    weekday_minutes: dict[UUID, int] = {}  # child -> minutes its schedule plans a weekday
    units = {d: u for u in demo.units.values() for d in app.get_unit(u).departments}
    for child in demo.children:
        [placement] = app.get_child(child).placements
        assert isinstance(placement.department_id, UUID)
        assert isinstance(placement.start, date)
        placed.setdefault(placement.department_id, []).append(child)
        arrive, leave = time(7, rng.choice((0, 15, 30))), time(16, rng.choice((0, 15, 30)))
        entries = [Entry(0, day, arrive, leave) for day in range(1, 6)]
        terms = ScheduleTerms.checked(
            placement.placement_id, placement.start, None, 1, False, entries
        )
        app.lay_schedule(child, uuid4(), terms, None, guardian_deadline_days=None, approve=True)
        weekday_minutes[child] = entries[0].minutes
        if rng.random() < 0.3:
            app.set_diet(child, [rng.choice(_DIETS)], None)
        if rng.random() < 0.5:
            guardian = next(iter(app.get_child(child).guardians))
            phone = f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            who = PickupDetails(f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}", phone)
            app.add_pickup_person(child, uuid4(), who, guardian)
    _shifts(app, demo, units, today)
    for day in past_days(today, 20, 35):
        for department, children in placed.items():
            # the schedules just laid, without reading them back: Monday to Friday
            scheduled = [weekday_minutes[c] for c in children] if day.weekday() < 5 else []
            app.close_department_day(
                department,
                day,
                len(children),
                len(scheduled),
                sum(scheduled),
                unit_id=units[department],
            )


def _shifts(
    app: GallraApplication, demo: DemoMunicipality, units: dict[UUID, UUID], today: date
) -> None:
    """The teacher's shifts on the last weeks' weekdays, at the first department."""
    if not demo.staff:
        return
    department = next(iter(demo.departments.values()))
    for n in range(1, 21):
        day = today - timedelta(days=n)
        if day.weekday() < 5:
            app.put_shift(
                department_id=department,
                unit_id=units[department],
                shift_id=uuid4(),
                staff_id=demo.staff[0],
                day=day,
                start=time(7),
                end=time(15, 30),
                breaks=[(time(11, 30), time(12))],
                shift_type="opening",
            )
