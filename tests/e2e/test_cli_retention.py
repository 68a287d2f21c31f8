"""``gallra retention hold|lift|holds`` and the dry run's held-back table, in process."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID, uuid4

from test_cli import AS_OF, assert_one_line_error, make_history, max_id, open_store, run


def attendance_keys(data_dir: Path, child: UUID) -> list[UUID | None]:
    gallra = open_store(data_dir)
    try:
        return [
            r.key_id
            for r in gallra.app.keystore.scopes(subject=child, include_shredded=True)
            if r.scope.category == "attendance"
        ]
    finally:
        gallra.close()


def test_a_hold_placed_on_the_command_line_keeps_the_child_through_a_run(tmp_path: Path) -> None:
    store = tmp_path / "var"
    kids: list[UUID] = make_history(store)["children"]  # type: ignore[assignment]
    held = kids[1]
    placed = run(
        "retention", "hold", str(held), "--reason", "överklagande", "--by", "registrator",
        "--data-dir", str(store),
    )  # fmt: skip
    assert placed.exit_code == 0, placed.output
    hold_id = placed.stdout.split()[1]
    assert "placed" in placed.stdout

    dry = run("retention", "plan", "--as-of", AS_OF, "--data-dir", str(store))
    assert dry.exit_code == 0, dry.output
    assert "due but held back" in dry.stdout and "legal hold" in dry.stdout

    done = run("retention", "run", "--as-of", AS_OF, "--data-dir", str(store))
    assert done.exit_code == 0, done.output
    assert attendance_keys(store, held) != [None]  # kept
    assert attendance_keys(store, kids[2]) == [None]  # culled

    listed = run("retention", "holds", "--data-dir", str(store))
    assert hold_id in listed.stdout and "överklagande" in listed.stdout

    lifted = run("retention", "lift", hold_id, "--by", "registrator", "--data-dir", str(store))
    assert lifted.exit_code == 0 and "lifted" in lifted.stdout, lifted.output
    again = run("retention", "lift", hold_id, "--by", "registrator", "--data-dir", str(store))
    assert "was already lifted" in again.stdout
    run("retention", "run", "--as-of", AS_OF, "--data-dir", str(store))
    assert attendance_keys(store, held) == [None]


def test_hold_errors_are_one_line(tmp_path: Path) -> None:
    store = tmp_path / "var"
    kids: list[UUID] = make_history(store)["children"]  # type: ignore[assignment]
    before = max_id(store)
    unknown = run(
        "retention", "hold", str(uuid4()), "--reason", "x", "--by", "r", "--data-dir", str(store)
    )
    assert_one_line_error(unknown, "no personal data is held for subject")
    bad_until = run(
        "retention", "hold", str(kids[1]), "--reason", "x", "--by", "r", "--until", "snart",
        "--data-dir", str(store),
    )  # fmt: skip
    assert_one_line_error(bad_until, "--until must be a date")
    no_reason = run(
        "retention", "hold", str(kids[1]), "--reason", " ", "--by", "r", "--data-dir", str(store)
    )
    assert_one_line_error(no_reason, "a hold needs a reason")
    no_hold = run("retention", "lift", str(uuid4()), "--by", "r", "--data-dir", str(store))
    assert_one_line_error(no_hold, "no legal hold with id")
    assert max_id(store) == before  # nothing half-written


def test_the_plans_in_force_are_listed(tmp_path: Path) -> None:
    store = tmp_path / "var"
    make_history(store)
    listed = run("retention", "plans", "--data-dir", str(store))
    assert listed.exit_code == 0, listed.output
    gallra = open_store(store)
    try:
        assert gallra.plan.version in listed.stdout and gallra.plan.digest[:16] in listed.stdout
    finally:
        gallra.close()


def test_the_anonymity_audit_reports_without_naming_anyone(tmp_path: Path) -> None:
    store = tmp_path / "var"
    kids: list[UUID] = make_history(store)["children"]  # type: ignore[assignment]
    assert run("retention", "run", "--as-of", AS_OF, "--data-dir", str(store)).exit_code == 0
    shown = run("retention", "anonymity", "--data-dir", str(store))
    assert shown.exit_code == 0, shown.output
    assert "culled trails" in shown.stdout and "longest linkable span" in shown.stdout
    as_json = run("retention", "anonymity", "--json", "--threshold", "3", "--data-dir", str(store))
    report = json.loads(as_json.stdout)
    assert report["threshold"] == 3 and report["culled_trails"] > 0
    assert not any(str(kid) in shown.stdout + as_json.stdout for kid in kids)
    bad = run("retention", "anonymity", "--threshold", "0", "--data-dir", str(store))
    assert bad.exit_code != 0
