"""The archive delivery end to end: built on the command line, listed and received over HTTP
and on the command line, and only then shredded by a run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

from fastapi.testclient import TestClient
from test_cli import assert_one_line_error, open_store, run

from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import documented
from conftest import Clock
from domain.personal import Shredded

DUE = "2028-04-01"


def preserved_store(tmp_path: Path) -> tuple[Path, UUID]:
    store = tmp_path / "var"
    clock = Clock(datetime(2026, 3, 16, 9, tzinfo=UTC))
    gallra = open_store(store, clock, create=True)
    try:
        entry = documented(gallra, clock, "betygsunderlag", date(2024, 9, 12))
    finally:
        gallra.close()
    return store, entry


def content(store: Path, entry: UUID) -> object:
    gallra = open_store(store)
    try:
        return gallra.app.get_entry(entry).current.content
    finally:
        gallra.close()


def test_built_on_the_command_line_received_there_then_shredded(tmp_path: Path) -> None:
    store, entry = preserved_store(tmp_path)
    out = tmp_path / "till-stadsarkivet"
    plan = run("retention", "plan", "--as-of", DUE, "--data-dir", str(store))
    assert "to be delivered to the city archive" in plan.stdout
    built = run(
        "archive", "build", "--out", str(out), "--by", "arkivarie", "--as-of", DUE,
        "--data-dir", str(store),
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    package = built.stdout.split()[1].rstrip(":")
    assert (out / package / "METS.xml").exists() and "1 records" in built.stdout
    again = run("archive", "build", "--out", str(out), "--by", "a", "--as-of", DUE,
                "--data-dir", str(store))  # fmt: skip
    assert "nothing is due for the archive" in again.stdout
    run("retention", "run", "--as-of", DUE, "--data-dir", str(store))
    assert content(store, entry) == "innehåll"  # delivered, not yet received

    listed = run("archive", "list", "--data-dir", str(store))
    assert package in listed.stdout and "awaited" in listed.stdout
    got = run("archive", "receipt", package, "--reference", "SA 2028/17", "--by", "arkivarie",
              "--data-dir", str(store))  # fmt: skip
    assert got.exit_code == 0 and "received" in got.stdout, got.output
    run("retention", "run", "--as-of", DUE, "--data-dir", str(store))
    assert isinstance(content(store, entry), Shredded)

    unknown = run("archive", "receipt", str(uuid4()), "--reference", "x", "--by", "a",
                  "--data-dir", str(store))  # fmt: skip
    assert_one_line_error(unknown, "no archive delivery with id")


def test_received_over_http_by_an_administrator_listed_for_auditors(tmp_path: Path) -> None:
    store, _ = preserved_store(tmp_path)
    built = run("archive", "build", "--out", str(tmp_path / "ut"), "--by", "arkivarie",
                "--as-of", DUE, "--data-dir", str(store))  # fmt: skip
    package = built.stdout.split()[1].rstrip(":")
    gallra = open_store(store)
    try:
        with TestClient(create_http_app(gallra, background=False)) as client:

            def as_(role: Role) -> dict[str, str]:
                return {"Authorization": f"Bearer {gallra.tokens.issue(Principal(role))}"}

            [listed] = client.get("/archive/deliveries", headers=as_(Role.AUDITOR)).json()
            assert listed["package_id"] == package and listed["received_on"] is None
            assert listed["records"] == 1 and listed["categories"] == ["betygsunderlag"]
            for role in (Role.STAFF, Role.GUARDIAN, Role.STATISTICIAN):
                assert client.get("/archive/deliveries", headers=as_(role)).status_code == 403
            url = f"/archive/deliveries/{package}/receipt"
            assert (
                client.post(url, json={"reference": "x"}, headers=as_(Role.AUDITOR)).status_code
                == 403
            )
            empty = client.post(url, json={"reference": ""}, headers=as_(Role.ADMIN))
            assert empty.status_code == 422 and empty.json()["field"] == "reference"
            ok = client.post(url, json={"reference": "SA 1"}, headers=as_(Role.ADMIN))
            assert ok.status_code == 200 and ok.json()["reference"] == "SA 1", ok.text
            assert (
                client.post(url, json={"reference": "SA 1"}, headers=as_(Role.ADMIN)).status_code
                == 200
            )
            other = client.post(url, json={"reference": "SA 2"}, headers=as_(Role.ADMIN))
            assert other.status_code == 409
            missing = client.post(f"/archive/deliveries/{uuid4()}/receipt", json={"reference": "x"},
                                  headers=as_(Role.ADMIN))  # fmt: skip
            assert missing.status_code == 404 and missing.json()["field"] == "package_id"
    finally:
        gallra.close()
