"""Preserved documentation goes to the city archive before Gallra forgets it: a package is
built in the E-ARK SIP layout, checked, recorded, and only its recorded receipt lets a run
shred what it holds (both backends)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from api.bootstrap import Gallra
from api.subject_access import as_json, as_markdown
from builders import documented
from conftest import Clock
from domain.errors import ConflictError, NotFoundError
from domain.personal import Shredded
from retention.archive.sip import problems
from retention.survey import AWAITING_ARCHIVE, AWAITING_RECEIPT

DUE = date(2028, 4, 1)  # betygsunderlag written in September 2024: 3.5 years


def reasons(gallra: Gallra, category: str) -> list[str]:
    return [h.reason for h in gallra.gallring.survey(DUE).held_back if h.category == category]


def test_a_receipt_and_only_a_receipt_lets_preserved_data_be_shredded(
    gallra: Gallra, clock: Clock, tmp_path: Path
) -> None:
    entry = documented(gallra, clock, "betygsunderlag", date(2024, 9, 12))
    assert reasons(gallra, "betygsunderlag") == [AWAITING_ARCHIVE]

    built = gallra.archive.build(gallra.gallring.survey(DUE), tmp_path, "arkivarie")
    assert built is not None
    assert (built.subjects, built.records, built.files, built.scopes) == (1, 1, 3, 1)
    assert problems(built.path) == []
    assert reasons(gallra, "betygsunderlag") == [AWAITING_RECEIPT]
    assert gallra.archive.build(gallra.gallring.survey(DUE), tmp_path, "arkivarie") is None

    data = built.path / "representations/rep1/data"
    [entry_json] = list(data.glob(f"*/{entry}.json"))
    assert json.loads(entry_json.read_text())["versions"][0]["content"] == "innehåll"
    [person] = list(data.glob("*/person.json"))
    identity = json.loads(person.read_text())
    assert (identity["given_name"], identity["family_name"]) == ("E", "Lev")
    assert identity["civic_number"] and "TF01" in identity["civic_number"]
    assert "innehåll" in next(data.glob(f"*/{entry}.txt")).read_text()

    gallra.gallring.run(DUE, by="test")  # delivered but not received: nothing goes
    gallra.app.evict_caches()
    assert gallra.app.get_entry(entry).current.content == "innehåll"

    assert gallra.archive.record_receipt(built.package_id, "SA 2028/17", "arkivarie") is True
    assert gallra.archive.record_receipt(built.package_id, "SA 2028/17", "arkivarie") is False
    with pytest.raises(ConflictError):
        gallra.archive.record_receipt(built.package_id, "SA 2028/99", "arkivarie")
    assert reasons(gallra, "betygsunderlag") == []
    [cull] = [c for c in gallra.gallring.planned(DUE) if c.category == "betygsunderlag"]
    assert cull.months == ("2024-09",)
    gallra.gallring.run(DUE, by="test")
    gallra.app.evict_caches()
    assert isinstance(gallra.app.get_entry(entry).current.content, Shredded)
    [delivery] = gallra.archive.deliveries()
    assert (delivery.reference, delivery.records, delivery.categories) == (
        "SA 2028/17",
        1,
        ["betygsunderlag"],
    )


def test_an_unknown_package_cannot_be_received(gallra: Gallra) -> None:
    with pytest.raises(NotFoundError) as caught:
        gallra.archive.record_receipt(uuid4(), "SA 1", "arkivarie")
    assert caught.value.field == "package_id"


def test_a_changed_package_fails_its_check(gallra: Gallra, clock: Clock, tmp_path: Path) -> None:
    documented(gallra, clock, "iup", date(2024, 9, 12))
    built = gallra.archive.build(gallra.gallring.survey(date(2026, 4, 1)), tmp_path, "arkivarie")
    assert built is not None and problems(built.path) == []
    data = built.path / "representations/rep1/data"
    [text] = list(data.glob("*/*.txt"))
    text.write_text(text.read_text() + "tillägg")
    (data / "extra.txt").write_text("ej listad")
    [person] = list(data.glob("*/person.json"))
    person.unlink()
    found = problems(built.path)
    assert any("does not match its SHA-256" in p for p in found), found
    assert any("extra.txt is in the package but not listed" in p for p in found), found
    assert any("person.json is listed in METS.xml but missing" in p for p in found), found
    (built.path / "METS.xml").write_text("<mets")
    assert problems(built.path) == ["METS.xml cannot be read as XML: ParseError"]


def test_a_package_that_cannot_be_recorded_is_not_left_behind(
    gallra: Gallra, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documented(gallra, clock, "betygsunderlag", date(2024, 9, 12))

    def store_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("the store went away")

    out = tmp_path / "till-arkivet"
    monkeypatch.setattr(gallra.app, "save", store_down)
    with pytest.raises(ConnectionError):
        gallra.archive.build(gallra.gallring.survey(DUE), out, "arkivarie")
    assert list(out.iterdir()) == []  # written, then removed: nothing half-delivered
    monkeypatch.undo()
    assert gallra.archive.deliveries() == []
    assert reasons(gallra, "betygsunderlag") == [AWAITING_ARCHIVE]


def test_the_register_extract_says_what_went_to_the_archive(
    gallra: Gallra, clock: Clock, tmp_path: Path
) -> None:
    """The archive is a recipient (GDPR art. 15): the extract names the delivery holding the
    person's records while Gallra still holds them too, and once Gallra's copy is culled,
    says so and under which archive reference they are kept; another's extract names none."""
    entry = documented(gallra, clock, "betygsunderlag", date(2024, 9, 12))
    student = gallra.app.get_entry(entry).student_id
    other = gallra.app.register_child("O", "Ther", "20120102TF03", [])
    before = gallra.subject_access.extract(student, "registrator")
    assert before.archived == [] and before.culled == []

    built = gallra.archive.build(gallra.gallring.survey(DUE), tmp_path, "arkivarie")
    assert built is not None
    [pending] = gallra.subject_access.extract(student, "registrator").archived
    assert pending.package_id == built.package_id
    assert pending.scopes == [("betygsunderlag", "2024-09")]
    assert pending.received_on is None and pending.reference is None
    gallra.archive.record_receipt(built.package_id, "SA 2028/17", "arkivarie")
    [received] = gallra.subject_access.extract(student, "registrator").archived
    assert received.reference == "SA 2028/17" and received.received_on is not None

    [run] = [r for r in gallra.gallring.run(DUE, by="test") if r.category == "betygsunderlag"]
    gallra.app.evict_caches()
    assert isinstance(gallra.app.get_entry(entry).current.content, Shredded)
    extract = gallra.subject_access.extract(student, "registrator")
    assert extract.archived == []  # nothing of theirs in the delivery is held here any more
    [culled] = [c for c in extract.culled if c.category == "betygsunderlag"]
    assert (culled.period, culled.run_id) == ("2024-09", run.run_id)
    assert culled.archive_references == ["SA 2028/17"]
    shown = as_json(extract)["culled"]
    assert {
        "category": "betygsunderlag",
        "period": "2024-09",
        "culled_at": culled.culled_at.isoformat(),
        "gallring_run_id": str(run.run_id),
        "rule_id": culled.rule_id,
        "kept_by_the_archive_under": ["SA 2028/17"],
    } in shown
    document = as_markdown(extract)
    assert "## Already culled" in document
    assert "| betygsunderlag 2024-09 |" in document and "| SA 2028/17 |" in document
    assert gallra.subject_access.extract(other, "registrator").archived == []
