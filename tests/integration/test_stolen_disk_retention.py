"""A stolen disk after the retention engine's full cycle: documentation culled by the plan and
preserved documentation shredded after the archive's receipt leave nothing readable, not even
with the KEK; a hold's reason never reaches the disk in plaintext; nothing reaches the logs.
The delivered package holds what it must, and only it."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from test_stolen_disk import _decryptable_parts, _wrapped_keys, raw_store

from api.bootstrap import Gallra
from conftest import Clock
from retention.keys.kek import Secrets

TALK, GRADE, DISPUTE = (f"{kind}-{uuid4().hex}" for kind in ("samtal", "betyg", "tvist"))
DUE = date(2028, 4, 1)  # both entries are due: 1.5 and 3.5 years after September 2024


def test_the_full_cycle_leaves_nothing_of_the_culled_documentation(
    gallra: Gallra, clock: Clock, secrets: Secrets, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = gallra.app
    school = app.create_unit("Skolan Stölden", "grundskola")
    student = app.register_child("Elev", "Stöld", "20120101TF01", [])
    app.place_child(student, school, None, date(2020, 8, 1), "grundskola")
    teacher = app.register_staff("L", "Ärare", "19800101TF02")
    app.assign_duty(teacher, school, "Lärare", date(2020, 8, 1))
    for category, text in (("samtal", TALK), ("betygsunderlag", GRADE)):
        app.write_entry(
            student_id=student, unit_id=school, author_id=teacher, category=category,
            school_form="grundskola", written_on=date(2024, 9, 12), title="T", content=text,
        )  # fmt: skip
    hold = uuid4()
    app.place_hold(hold, student, DISPUTE, "registrator")
    needles = [TALK.encode(), GRADE.encode(), DISPUTE.encode()]
    assert not any(n in raw_store(gallra) for n in needles)

    gallra.gallring.run(DUE, by="test")  # held: nothing goes
    opened = b"".join(_decryptable_parts(gallra, secrets))
    assert TALK.encode() in opened and GRADE.encode() in opened  # the checks below can fail

    app.lift_hold(hold, "registrator")
    wrapped = {
        w
        for scope, w in _wrapped_keys(gallra).items()
        if scope.subject == student and scope.category in ("samtal", "betygsunderlag")
    }
    built = gallra.archive.build(gallra.gallring.survey(DUE), tmp_path, "arkivarie")
    assert built is not None
    gallra.archive.record_receipt(built.package_id, "SA 2028/1", "arkivarie")
    gallra.gallring.run(DUE, by="test")
    for runner in gallra.runners:
        runner.catch_up()

    opened = b"".join(_decryptable_parts(gallra, secrets))
    assert TALK.encode() not in opened and GRADE.encode() not in opened
    raw = raw_store(gallra)
    assert len(wrapped) == 2 and not any(w in raw for w in wrapped)
    assert not any(n in raw for n in needles)
    package = b"".join(p.read_bytes() for p in built.path.rglob("*") if p.is_file())
    assert GRADE.encode() in package and TALK.encode() not in package  # preserved only
    assert DISPUTE.encode() not in package
    logged = "\n".join(r.getMessage() for r in caplog.records).encode()
    assert not any(n in logged for n in needles)
