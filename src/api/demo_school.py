"""The demo's school: an organisation tree, a school unit with two classes, a head teacher and
a teacher, students with guardians, documentation and a week of lessons with attendance.

Everything is synthetic (see ``api.demo``): names from a short list, civic numbers from random
dates that the ``personnummer`` library accepts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from api.application import GallraApplication
from api.demo import FAMILY, GIVEN, synthetic_personnummer
from domain.lessons import AttendanceRow


@dataclass
class DemoSchool:
    unit: UUID | None = None
    groups: dict[str, UUID] = field(default_factory=dict)
    students: list[UUID] = field(default_factory=list)
    teacher: UUID | None = None
    rektor: UUID | None = None


def _person(rng: random.Random, first_year: int, last_year: int) -> tuple[str, str, str]:
    born = date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))
    return rng.choice(GIVEN), rng.choice(FAMILY), synthetic_personnummer(rng, born)


def seed_school(
    app: GallraApplication, *, today: date, students: int = 12, seed: int = 11
) -> DemoSchool:
    """Luleå kommun > Barn- och utbildningsförvaltningen > Örnässkolan (grundskola, fritidshem),
    classes 7A and 7B; the teacher is 7A's mentor; lessons on the last five weekdays."""
    rng = random.Random(seed)
    school = DemoSchool()
    term = date(today.year if today.month >= 8 else today.year - 1, 8, 17)
    top = app.create_unit("Luleå kommun", organisation_type="Huvudman")
    office = app.create_unit(
        "Barn- och utbildningsförvaltningen", organisation_type="Förvaltning", parent_id=top
    )
    unit = app.create_unit(
        "Örnässkolan",
        school_forms=["grundskola", "fritidshem"],
        parent_id=office,
        school_unit_code="12345678",
    )
    school.unit = unit
    for name in ("7A", "7B"):
        school.groups[name] = app.create_group(unit, name, "Klass", ["grundskola"], term)
    rektor = app.register_staff(*_person(rng, 1965, 1980))
    app.assign_duty(rektor, unit, "Rektor", term)
    teacher = app.register_staff(*_person(rng, 1975, 1995))
    duty = app.assign_duty(teacher, unit, "Lärare", term)
    app.assign_to_group(teacher, duty, school.groups["7A"], "Mentor", term)
    school.rektor, school.teacher = rektor, teacher
    for n in range(students):
        given, family, number = _person(rng, today.year - 14, today.year - 13)
        guardian = app.register_guardian(rng.choice(GIVEN), family, _person(rng, 1975, 1990)[2])
        student = app.register_child(given, family, number, [(guardian, "Vårdnadshavare")])
        placement = app.place_child(student, unit, None, term, "grundskola")
        app.join_group(student, placement, school.groups["7A" if n % 2 == 0 else "7B"], term)
        school.students.append(student)
    in_7a = school.students[::2]
    for n, student in enumerate(in_7a):
        app.write_entry(
            student_id=student,
            unit_id=unit,
            author_id=teacher,
            category="iup" if n % 2 == 0 else "samtal",
            school_form="grundskola",
            written_on=today - timedelta(days=7),
            title="Utvecklingssamtal" if n % 2 == 0 else "Samtal med vårdnadshavare",
            content="Mål för terminen: läsa en bok i månaden och öva multiplikation.",
        )
    days = [today - timedelta(days=n) for n in range(1, 8)]
    for day in sorted(d for d in days if d.weekday() < 5):
        starts = datetime.combine(day, time(9, 0), app.tz)
        lesson = app.create_lesson(
            unit,
            school.groups["7A"],
            "grundskola",
            "Matematik",
            starts,
            starts + timedelta(minutes=60),
        )
        rows = []
        for student in in_7a:
            late = rng.random() < 0.15
            rows.append(
                AttendanceRow(
                    student_id=student,
                    attendance_minutes=40 if late else 60,
                    invalid_absence_minutes=20 if late else 0,
                )
            )
        app.report_attendance(lesson, teacher, rows)
    return school
