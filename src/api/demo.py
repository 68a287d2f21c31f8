"""A small synthetic municipality for the demo server: no real person is in it.

Civic numbers are made from random dates and serials; the check digit is found by asking the
``personnummer`` library which of the ten candidates it accepts, so no checksum code lives here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4

from personnummer import personnummer as pnr

from api.application import GallraApplication

GIVEN = [
    "Alva",
    "Elsa",
    "Maja",
    "Ella",
    "Wilma",
    "Noah",
    "Hugo",
    "William",
    "Liam",
    "Elias",
    "Saga",
    "Alice",
    "Vera",
    "Olle",
    "Nils",
    "Ebba",
    "Lo",
    "Ture",
    "Sigrid",
    "Malte",
]
FAMILY = [
    "Lundström",
    "Nilsson",
    "Johansson",
    "Lindberg",
    "Forsberg",
    "Öberg",
    "Holmström",
    "Sandberg",
    "Berglund",
    "Lindqvist",
    "Nyström",
    "Backman",
]


def synthetic_personnummer(rng: random.Random, born: date) -> str:
    for _ in range(100):
        serial = rng.randint(1, 999)
        stem = f"{born:%Y%m%d}{serial:03d}"
        for check in range(10):
            candidate = f"{stem}{check}"
            if pnr.valid(candidate):
                return candidate
    raise RuntimeError("no valid synthetic number found")


@dataclass
class DemoMunicipality:
    units: dict[str, UUID] = field(default_factory=dict)
    departments: dict[str, UUID] = field(default_factory=dict)
    guardians: list[UUID] = field(default_factory=list)
    children: list[UUID] = field(default_factory=list)
    staff: list[UUID] = field(default_factory=list)


def past_days(today: date, recent: int, months_back: int) -> list[date]:
    """The last ``recent`` days, and the 10th of each of the ``months_back`` months before;
    weekdays only."""
    days = {today - timedelta(days=n) for n in range(1, recent + 1)}
    for n in range(1, months_back + 1):
        index = today.year * 12 + today.month - 1 - n
        days.add(date(index // 12, index % 12 + 1, 10))
    return sorted(d for d in days if d.weekday() < 5)


def _teacher(
    app: GallraApplication, rng: random.Random, demo: DemoMunicipality, start: date
) -> UUID:
    """A Förskollärare at the first preschool, assigned to its first department: staff see
    only the children they are connected to, so the demo needs someone connected."""
    born = date(rng.randint(1970, 1990), rng.randint(1, 12), rng.randint(1, 28))
    staff = app.register_staff(
        rng.choice(GIVEN), rng.choice(FAMILY), synthetic_personnummer(rng, born)
    )
    duty = app.assign_duty(staff, next(iter(demo.units.values())), "Förskollärare", start)
    app.assign_to_group(staff, duty, next(iter(demo.departments.values())), "Förskollärare", start)
    return staff


def seed(
    app: GallraApplication,
    *,
    today: date,
    children: int = 24,
    seed: int = 7,
    history_days: int = 20,
    months_back: int = 35,
    progress: Callable[[], None] | None = None,
) -> DemoMunicipality:
    """Two preschools with two departments each, children with guardians, a preschool teacher
    at the first (so the demo staff token sees children), and attendance: every weekday of the
    last weeks and one day a month for nearly three years, so the statistics have months to
    show and the retention plan soon has months to cull."""
    rng = random.Random(seed)
    demo = DemoMunicipality()
    for unit_name, departments in (
        ("Förskolan Norrsken", ("Björnen", "Ugglan")),
        ("Förskolan Älvkanten", ("Lodjuret", "Järven")),
    ):
        unit_id = app.create_unit(unit_name, "förskola")
        demo.units[unit_name] = unit_id
        for name in departments:
            demo.departments[name] = app.add_department(unit_id, name)
    department_unit = {
        d: demo.units[u]
        for u, ds in (
            ("Förskolan Norrsken", ("Björnen", "Ugglan")),
            ("Förskolan Älvkanten", ("Lodjuret", "Järven")),
        )
        for d in ds
    }
    start = date(today.year - 3, today.month, 1)
    placements: list[tuple[UUID, UUID, UUID]] = []
    for n in range(children):
        family = rng.choice(FAMILY)
        adult_born = date(rng.randint(1980, 1995), rng.randint(1, 12), rng.randint(1, 28))
        guardian = app.register_guardian(
            rng.choice(GIVEN), family, synthetic_personnummer(rng, adult_born)
        )
        demo.guardians.append(guardian)
        born = start - timedelta(days=rng.randint(200, 365 * 2))
        child = app.register_child(
            rng.choice(GIVEN),
            family,
            synthetic_personnummer(rng, born),
            [(guardian, "Vårdnadshavare")],
        )
        demo.children.append(child)
        department_name = list(department_unit)[n % len(department_unit)]
        department = demo.departments[department_name]
        app.place_child(child, department_unit[department_name], department, start)
        placements.append((child, department, guardian))
    demo.staff.append(_teacher(app, random.Random(seed + 1), demo, start))
    for day in past_days(today, history_days, months_back):
        if progress is not None:
            progress()
        for child, department, by in placements:
            if rng.random() < 0.1:
                app.report_absence(
                    uuid4(), child, by, day, day, rng.choice(["sick", "leave"]), None
                )
                continue
            arrive = datetime.combine(day, time(rng.randint(7, 8), rng.randint(0, 59)), app.tz)
            leave = datetime.combine(day, time(rng.randint(15, 16), rng.randint(0, 59)), app.tz)
            app.check_in(uuid4(), department, child, arrive, by)
            app.check_out(uuid4(), department, child, leave, by)
    return demo
