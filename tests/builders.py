"""Small builders the stories share: a preschool department with enrolled children."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.application import GallraApplication
from api.bootstrap import Gallra


def enrolled_department(
    app: GallraApplication, children: int, unit: str, department: str
) -> tuple[UUID, UUID, list[UUID]]:
    """A unit with one department and ``children`` children placed there from 2022-08-01,
    each with a guardian (SS 12000 temporary numbers, so no real person is named)."""
    unit_id = app.create_unit(unit, "förskola")
    department_id = app.add_department(unit_id, department)
    kids: list[UUID] = []
    for n in range(children):
        guardian = app.register_guardian("G", f"Nr{n}", f"1980010{n + 1}AB0{n}")
        child = app.register_child(
            "C", f"Nr{n}", f"2020020{n + 1}TF0{n}", [(guardian, "Vårdnadshavare")]
        )
        app.place_child(child, unit_id, department_id, date(2022, 8, 1))
        kids.append(child)
    return unit_id, department_id, kids


def documented(gallra: Gallra, _clock: object, category: str, written_on: date) -> UUID:
    """One documentation entry of ``category`` about a grundskola student, written on the day."""
    app = gallra.app
    unit = app.create_unit("Skolan Berget", "grundskola")
    student = app.register_child("E", "Lev", "20120101TF01", [])
    app.place_child(student, unit, None, date(2020, 8, 1), "grundskola")
    author = app.register_staff("L", "Ärare", "19800101TF02")
    app.assign_duty(author, unit, "Lärare", date(2020, 8, 1))
    return app.write_entry(
        student_id=student, unit_id=unit, author_id=author, category=category,
        school_form="grundskola", written_on=written_on, title="T", content="innehåll",
    )  # fmt: skip
