"""The demo's school is seeded through the same commands as everything else, and hangs
together: the teacher reads 7A's documentation, not 7B's; lessons owe notices."""

from __future__ import annotations

from datetime import date

from api.bootstrap import Gallra
from api.demo_school import seed_school


def test_the_demo_school_hangs_together(gallra: Gallra) -> None:
    today = date(2026, 3, 16)
    school = seed_school(gallra.app, today=today)
    assert school.teacher is not None and school.unit is not None
    in_7a, in_7b = school.students[::2], school.students[1::2]
    for student in in_7a:
        assert gallra.access.connected_units(school.teacher, student, today) == {school.unit}
        assert gallra.access.entries_of(student)
    for student in in_7b:
        assert gallra.access.connected_units(school.teacher, student, today) == frozenset()
    assert school.rektor is not None
    for student in school.students:
        assert gallra.access.connected_units(school.rektor, student, today) == {school.unit}
    unit = gallra.app.get_unit(school.unit)
    assert unit.parent_id is not None and unit.school_unit_code == "12345678"
    assert gallra.outbox.owed()  # late arrivals in grundskola owe same-day notices
