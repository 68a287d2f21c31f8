"""A synthetic municipality lived through three school years, for the anonymity audit.

Preschools with departments, a school with classes, staff on duty and on shifts, children who
arrive and leave at dates spread over the years, guardians who change their contact details,
kiosk days, absence with reasons, schedules, diets, pick-up persons, notes on a stay, lessons
with attendance, documentation of every kind, term summaries, consents and a legal hold. Every
action happens at its own simulated moment, so the event log's record times are spread as a
real one's are; ``simulated_time`` points the event library's clock at the simulation while
the municipality is built. Everything is random and synthetic (``api.demo``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from uuid import UUID, uuid4

import eventsourcing.domain

from api.application import GallraApplication
from api.bootstrap import Gallra
from api.demo import FAMILY, GIVEN, synthetic_personnummer
from domain.lessons import AttendanceRow
from domain.personal import DOCUMENTATION
from domain.pickup import PickupDetails
from domain.schedule_terms import Entry, ScheduleTerms
from domain.stay_notes import NoteContent
from domain.term_summary import Term

FIRST_DAY = date(2021, 8, 16)
LAST_DAY = date(2024, 6, 14)  # everyone has left by the end of this term
_DIETS = ("gluten-free", "lactose-free", "vegetarian", "pork-free")


@dataclass(frozen=True, slots=True)
class Size:
    preschools: int = 2
    departments: int = 3  # per preschool
    children: int = 12  # per department, over the three years
    classes: int = 2
    students: int = 14  # per class
    kiosk_days: int = 3  # kiosk days per month, each department
    lesson_days: int = 2  # lesson days per month, each class


class SimulatedClock:
    """The application's clock and the event library's, moved by the simulation."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def simulated_time(clock: Callable[[], datetime]) -> Iterator[None]:
    """Events are stamped with the simulated time while the municipality is built (the
    library reads ``datetime_now_with_tzinfo`` when it makes an event)."""
    original = eventsourcing.domain.datetime_now_with_tzinfo
    eventsourcing.domain.datetime_now_with_tzinfo = clock
    try:
        yield
    finally:
        eventsourcing.domain.datetime_now_with_tzinfo = original


@dataclass
class Municipality:
    preschool_children: list[UUID] = field(default_factory=list)
    students: list[UUID] = field(default_factory=list)
    guardians: list[UUID] = field(default_factory=list)
    staff: list[UUID] = field(default_factory=list)
    held: UUID | None = None
    hold_id: UUID | None = None
    events_written: int = 0


Action = tuple[datetime, int, Callable[[], object]]


class _Agenda:
    """Actions at simulated moments, run in time order (ties in the order they were added)."""

    def __init__(self) -> None:
        self.actions: list[Action] = []

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        self.actions.append((when, len(self.actions), action))

    def run(self, clock: SimulatedClock, progress: Callable[[], None] | None) -> None:
        for when, _, action in sorted(self.actions, key=lambda a: (a[0], a[1])):
            clock.now = when
            action()
            if progress is not None:
                progress()


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def _weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


def _sample_days(rng: random.Random, first: date, last: date, per_month: int) -> list[date]:
    by_month: dict[tuple[int, int], list[date]] = {}
    for day in _weekdays(first, last):
        by_month.setdefault((day.year, day.month), []).append(day)
    days: list[date] = []
    for month_days in by_month.values():
        days += rng.sample(month_days, min(per_month, len(month_days)))
    return sorted(days)


def build(
    app: GallraApplication,
    clock: SimulatedClock,
    size: Size = Size(),
    *,
    seed: int = 2021,
    progress: Callable[[], None] | None = None,
) -> Municipality:
    """Live the municipality through from 2021 to its last day; returns who is in it."""
    rng = random.Random(seed)
    town = Municipality()
    with simulated_time(clock):
        clock.now = _moment(FIRST_DAY - timedelta(days=30), 8)
        top = app.create_unit("Syntetiska kommun", organisation_type="Huvudman")
        departments: list[tuple[UUID, UUID]] = []
        for p in range(size.preschools):
            unit = app.create_unit(f"Förskolan {p + 1}", "förskola", parent_id=top)
            for d in range(size.departments):
                departments.append((unit, app.add_department(unit, f"Avdelning {p + 1}.{d + 1}")))
        school = app.create_unit(
            "Syntetskolan", school_forms=["grundskola", "fritidshem"], parent_id=top
        )
        agenda = _Agenda()
        families: list[_Family] = []
        for unit, department in departments:
            # The days a department is open in the sample: its children and staff share them.
            days = _sample_days(rng, FIRST_DAY, LAST_DAY, size.kiosk_days)
            _staff_at(app, rng, town, agenda, unit, department, days)
            for _ in range(size.children):
                families.append(_preschool_child(app, rng, town, agenda, unit, department, days))
        teacher = _register_staff(app, rng, town, school, "Lärare")
        classes = [
            app.create_group(school, f"{7 + c}A", "Klass", ["grundskola"], FIRST_DAY)
            for c in range(size.classes)
        ]
        pupils: dict[UUID, list[_Family]] = {group: [] for group in classes}
        for group in classes:
            for _ in range(size.students):
                _student(app, rng, town, agenda, school, group, teacher, pupils)
        for group in classes:
            _lessons(app, rng, agenda, school, group, teacher, pupils[group], size)
        _hold(app, rng, town, agenda, families)
        agenda.run(clock, progress)
        town.events_written = app.recorder.max_notification_id() or 0
    return town


def _register_staff(
    app: GallraApplication, rng: random.Random, town: Municipality, unit: UUID, role: str
) -> UUID:
    born = date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
    staff = app.register_staff(
        rng.choice(GIVEN), rng.choice(FAMILY), synthetic_personnummer(rng, born)
    )
    app.assign_duty(staff, unit, role, FIRST_DAY)
    town.staff.append(staff)
    return staff


def _staff_at(
    app: GallraApplication,
    rng: random.Random,
    town: Municipality,
    agenda: _Agenda,
    unit: UUID,
    department: UUID,
    days: list[date],
) -> None:
    """Three staff members per department, each on shift on most of its days."""
    for _ in range(3):
        staff = _register_staff(app, rng, town, unit, "Förskollärare")
        for day in days:
            if rng.random() < 0.2:
                continue
            start = time(rng.choice((6, 7, 8)), 30)
            agenda.at(
                _moment(day, 5),
                partial(
                    app.put_shift, department_id=department, unit_id=unit, shift_id=uuid4(),
                    staff_id=staff, day=day, start=start, end=time(start.hour + 8, 30),
                    breaks=[(time(11, 30), time(12))], shift_type="ordinary",
                ),
            )  # fmt: skip


class _Family:
    """A guardian and a child, registered when the simulation reaches the child's start;
    actions planned earlier read the ids from here when they run."""

    guardian: UUID
    child: UUID
    placement: UUID

    def __init__(self, start: date) -> None:
        self.start = start


def _family(
    app: GallraApplication,
    rng: random.Random,
    town: Municipality,
    agenda: _Agenda,
    start: date,
    end: date,
    born: date,
) -> _Family:
    """Registered the day before the child starts; the guardian changes contact details now
    and then while the child is there."""
    family, given = rng.choice(FAMILY), (rng.choice(GIVEN), rng.choice(GIVEN))
    adult = date(rng.randint(1978, 1995), rng.randint(1, 12), rng.randint(1, 28))
    numbers = synthetic_personnummer(rng, adult), synthetic_personnummer(rng, born)
    holder = _Family(start)

    def register() -> None:
        holder.guardian = app.register_guardian(given[0], family, numbers[0])
        holder.child = app.register_child(
            given[1], family, numbers[1], [(holder.guardian, "Vårdnadshavare")]
        )
        town.guardians.append(holder.guardian)

    agenda.at(_moment(start - timedelta(days=1), 8), register)
    for day in rng.sample(_weekdays(start, end), min(rng.randint(0, 2), (end - start).days)):
        mobile = f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        agenda.at(_moment(day, 20), partial(_change_contact, app, holder, mobile))
    return holder


def _change_contact(app: GallraApplication, family: _Family, mobile: str) -> None:
    app.change_contact(family.guardian, mobile, None)


def _preschool_child(
    app: GallraApplication,
    rng: random.Random,
    town: Municipality,
    agenda: _Agenda,
    unit: UUID,
    department: UUID,
    days: list[date],
) -> _Family:
    """A child who starts at a random day of the first two years and leaves at a random day
    at least four months later."""
    weekdays = _weekdays(FIRST_DAY, LAST_DAY)
    start = rng.choice(weekdays[: len(weekdays) * 2 // 3])
    end = rng.choice([d for d in weekdays if d > start + timedelta(days=120)] or [LAST_DAY])
    born = start - timedelta(days=rng.randint(400, 1500))
    family = _family(app, rng, town, agenda, start, end, born)
    arrive, leave = time(7, rng.choice((0, 30))), time(16, rng.choice((0, 30)))
    diet = rng.choice(_DIETS) if rng.random() < 0.3 else None
    phone = f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    pickup = PickupDetails(f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}", phone)
    consents = rng.random() < 0.5

    def place() -> None:
        family.placement = app.place_child(family.child, unit, department, start)
        town.preschool_children.append(family.child)
        entries = [Entry(0, d, arrive, leave) for d in range(1, 6)]
        terms = ScheduleTerms.checked(family.placement, start, None, 1, False, entries)
        app.lay_schedule(
            family.child, uuid4(), terms, None, guardian_deadline_days=None, approve=True
        )
        if diet is not None:
            app.set_diet(family.child, [diet], None)
        if rng.random() < 0.5:
            app.add_pickup_person(family.child, uuid4(), pickup, family.guardian)
        if consents:
            app.give_consent(family.child, family.guardian)

    agenda.at(_moment(start - timedelta(days=1), 10), place)
    for day in (d for d in days if start <= d <= end):
        if rng.random() < 0.12:
            kind = rng.choice(("sick", "leave"))
            reason = "Feber" if kind == "sick" and rng.random() < 0.5 else None
            moment = _moment(day, 6, rng.randint(0, 59))
            agenda.at(moment, partial(_absent, app, family, day, kind, reason))
            continue
        arrived = _moment(day, rng.randint(6, 8), rng.randint(0, 59))
        left = _moment(day, rng.randint(14, 16), rng.randint(0, 59))
        agenda.at(arrived, partial(_kiosk, app, family, department, arrived, True))
        agenda.at(left, partial(_kiosk, app, family, department, left, False))
    if rng.random() < 0.2:
        note_day = rng.choice(_sample_days(rng, start, end, 1))
        note = NoteContent(note_day, "Utflykt", "Följde med till skogen.", True)
        author = town.staff[-1]
        agenda.at(_moment(note_day, 12), partial(_note, app, family, note, author))
    agenda.at(_moment(end, 18), partial(_leave, app, family, end))
    return family


def _absent(
    app: GallraApplication, family: _Family, day: date, kind: str, reason: str | None
) -> None:
    app.report_absence(uuid4(), family.child, family.guardian, day, day, kind, reason)


def _kiosk(
    app: GallraApplication, family: _Family, department: UUID, at: datetime, arriving: bool
) -> None:
    act = app.check_in if arriving else app.check_out
    act(uuid4(), department, family.child, at, family.guardian)


def _note(app: GallraApplication, family: _Family, note: NoteContent, author: UUID) -> None:
    app.write_stay_note(family.child, uuid4(), kind="note", content=note, author_id=author)


def _leave(app: GallraApplication, family: _Family, end: date) -> None:
    app.end_placement(family.child, family.placement, end)


def _student(
    app: GallraApplication,
    rng: random.Random,
    town: Municipality,
    agenda: _Agenda,
    school: UUID,
    group: UUID,
    teacher: UUID,
    pupils: dict[UUID, list[_Family]],
) -> None:
    """A student in the class until the last day (a few join later), with documentation of a
    random kind now and then and a compiled absence each term."""
    weekdays = _weekdays(FIRST_DAY, LAST_DAY)
    start = FIRST_DAY if rng.random() < 0.8 else rng.choice(weekdays[: len(weekdays) // 2])
    born = date(2008, rng.randint(1, 12), rng.randint(1, 28))
    family = _family(app, rng, town, agenda, start, LAST_DAY, born)
    pupils[group].append(family)

    def place() -> None:
        family.placement = app.place_child(family.child, school, None, start, "grundskola")
        app.join_group(family.child, family.placement, group, start)
        town.students.append(family.child)

    agenda.at(_moment(start - timedelta(days=1), 9), place)
    categories = sorted(str(c) for c in DOCUMENTATION)
    for day in _sample_days(rng, start, LAST_DAY, 1):
        if rng.random() < 0.4:
            moment = _moment(day, 14, rng.randint(0, 59))
            agenda.at(
                moment, partial(_write, app, family, school, teacher, rng.choice(categories), day)
            )
    term = Term.of(start)
    while term.first <= LAST_DAY:
        closing = _moment(min(term.last, LAST_DAY), 17)
        minutes, lessons = rng.randint(0, 300), rng.randint(0, 6)
        agenda.at(closing, partial(_summarise, app, family, term, minutes, lessons))
        term = Term.of(term.last + timedelta(days=1))
    agenda.at(_moment(LAST_DAY, 19), partial(_leave, app, family, LAST_DAY))


def _write(
    app: GallraApplication,
    family: _Family,
    school: UUID,
    teacher: UUID,
    category: str,
    day: date,
) -> None:
    app.write_entry(
        student_id=family.child, unit_id=school, author_id=teacher, category=category,
        school_form="grundskola", written_on=day, title="Anteckning",
        content="Syntetisk text om elevens arbete.",
    )  # fmt: skip


def _summarise(
    app: GallraApplication, family: _Family, term: Term, minutes: int, lessons: int
) -> None:
    app.record_term_summary(family.child, term, minutes, lessons)


def _lessons(
    app: GallraApplication,
    rng: random.Random,
    agenda: _Agenda,
    school: UUID,
    group: UUID,
    teacher: UUID,
    students: list[_Family],
    size: Size,
) -> None:
    """A lesson on a few days a month, attendance reported for the students there by then."""
    for day in _sample_days(rng, FIRST_DAY, LAST_DAY, size.lesson_days):
        starts = _moment(day, 8)
        late = [rng.random() < 0.1 for _ in students]
        agenda.at(
            starts + timedelta(hours=1),
            partial(_lesson, app, school, group, teacher, starts, students, late),
        )


def _lesson(
    app: GallraApplication,
    school: UUID,
    group: UUID,
    teacher: UUID,
    starts: datetime,
    students: list[_Family],
    late: list[bool],
) -> None:
    lesson_id = app.create_lesson(
        school, group, "grundskola", "Matematik", starts, starts + timedelta(minutes=60)
    )
    rows = [
        AttendanceRow(
            student_id=family.child,
            attendance_minutes=45 if was_late else 60,
            invalid_absence_minutes=15 if was_late else 0,
        )
        for family, was_late in zip(students, late, strict=True)
        if family.start <= starts.date()
    ]
    if rows:
        app.report_attendance(lesson_id, teacher, rows)


def _hold(
    app: GallraApplication,
    rng: random.Random,
    town: Municipality,
    agenda: _Agenda,
    families: list[_Family],
) -> None:
    """A dispute over one child's records: held in March 2023, lifted in February 2026."""
    placed = date(2023, 3, 1)
    family = rng.choice([f for f in families if f.start < placed])
    hold = town.hold_id = uuid4()

    def place() -> None:
        town.held = family.child
        app.place_hold(hold, family.child, "Tvist om avgift", "registrator")

    agenda.at(_moment(placed, 9), place)
    agenda.at(_moment(date(2026, 2, 2), 9), partial(app.lift_hold, hold, "registrator"))


CULLING_DAYS = (date(2025, 9, 1), date(2027, 8, 1), date(2028, 2, 1), date(2033, 6, 1))
"""Run dates that pass every deadline of the default plan for a municipality whose last day
is ``LAST_DAY``: Tempus data a year after leaving, attendance after three years,
documentation after three and a half, a hold's reason after ten; identity a month after."""


def cull_everything(gallra: Gallra, clock: SimulatedClock, archive_dir: Path) -> list[str]:
    """Run gallring on each of ``CULLING_DAYS`` and a month after it, delivering what is to
    be preserved and recording the archive's receipt first; the packages built, by id."""
    delivered: list[str] = []
    for day in CULLING_DAYS:
        for as_of in (day, day + timedelta(days=40)):
            clock.now = _moment(as_of, 2)
            built = gallra.archive.build(gallra.gallring.survey(as_of), archive_dir, "arkivarie")
            if built is not None:
                gallra.archive.record_receipt(built.package_id, f"SA {as_of:%Y}", "arkivarie")
                delivered.append(str(built.package_id))
            gallra.gallring.run(as_of, by="synthetic")
            for runner in gallra.runners:
                runner.catch_up()
    return delivered
