"""The operators' CLI end to end, in process: tokens, retention plan and run, rebuilds, errors.

Every test has a data directory of its own (SQLite). Errors must be one line on stderr that
starts with ``gallra:``, never a traceback.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner, Result

from api.bootstrap import Gallra, build
from api.cli import cli
from api.settings import Settings
from api.tokens import Role, TokenIssuer
from builders import enrolled_department
from conftest import Clock
from retention.keys.kek import generate_secrets_file, load_secrets_file

AS_OF = "2026-02-01"
# Rich sizes its output by COLUMNS; a wide console keeps table cells on one line, and a
# narrow one is what an operator's cron job (stdout not a terminal) gets.
WIDE = "200"
NARROW = "80"


@pytest.fixture(autouse=True)
def _no_gallra_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's own GALLRA_* variables (a KEK, a backend) must not leak into the CLI."""
    for name in list(os.environ):
        if name.startswith("GALLRA_"):
            monkeypatch.delenv(name)


def run(*args: str, columns: str = WIDE, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner(env={"COLUMNS": columns, **(env or {})})
    return runner.invoke(cli, list(args))


def assert_one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("gallra: "), line
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in line, line
    return line


def open_store(data_dir: Path, clock: Clock | None = None, create: bool = False) -> Gallra:
    settings = Settings(backend="sqlite", data_dir=data_dir, create_secrets=create)
    return build(settings, clock=clock) if clock is not None else build(settings)


def max_id(data_dir: Path) -> int:
    gallra = open_store(data_dir)
    try:
        return gallra.app.recorder.max_notification_id() or 0
    finally:
        gallra.close()


def make_history(data_dir: Path, children: int = 4) -> dict[str, object]:
    """A unit, a department and children with attendance (and one absence) on 2023-01-10."""
    clock = Clock(datetime(2023, 1, 10, 18, tzinfo=UTC))
    gallra = open_store(data_dir, clock, create=True)
    try:
        app = gallra.app
        unit, dep, kids = enrolled_department(app, children, "Förskolan Norrsken", "Björnen")
        day = date(2023, 1, 10)
        for n, child in enumerate(kids):
            guardian_id = next(iter(app.get_child(child).guardians))
            if n == 0:
                app.report_absence(uuid4(), child, guardian_id, day, day, "sick", "feber")
                continue
            start = datetime(2023, 1, 10, 7, tzinfo=UTC)
            app.check_in(uuid4(), dep, child, start, guardian_id)
            app.check_out(uuid4(), dep, child, start + timedelta(hours=8), guardian_id)
        return {"unit": unit, "dep": dep, "children": kids}
    finally:
        gallra.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def store(data_dir: Path) -> Path:
    make_history(data_dir)
    return data_dir


# -- errors --------------------------------------------------------------------------------


def test_a_token_without_a_secrets_file_is_one_line_of_error(tmp_path: Path) -> None:
    # a path as long as real deployments have: the message must not wrap at the console width
    data_dir = tmp_path / "kommunens-forskoleverksamhet" / "gallra-produktion" / "var"
    result = run("token", "admin", "--data-dir", str(data_dir), columns=NARROW)
    assert_one_line_error(result, "secrets file", "does not exist")
    assert result.stdout == ""


def test_a_bad_as_of_is_one_line_of_error(store: Path) -> None:
    for command in (["retention", "plan"], ["retention", "run"]):
        result = run(*command, "--as-of", "1 feb 2026", "--data-dir", str(store), columns=NARROW)
        line = assert_one_line_error(result)
        assert line.startswith("gallra: --as-of must be a date "), line
        assert "'1 feb 2026'" in line


def test_a_wrong_kek_is_refused_in_one_line(store: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "other.secrets.json"
    generate_secrets_file(other)
    before = max_id(store)
    for command in (["retention", "plan"], ["projections", "rebuild"], ["token", "admin"]):
        result = run(
            *command,
            "--data-dir",
            str(store),
            columns=NARROW,
            env={"GALLRA_SECRETS_FILE": str(other)},
        )
        assert_one_line_error(result, "KEK")
    assert max_id(store) == before


def test_a_guardian_token_needs_a_subject(data_dir: Path) -> None:
    result = run("token", "guardian", "--data-dir", str(data_dir), columns=NARROW)
    assert_one_line_error(result, "--subject")


def test_a_kiosk_token_needs_a_department(data_dir: Path) -> None:
    result = run("token", "kiosk", "--data-dir", str(data_dir), columns=NARROW)
    assert_one_line_error(result, "--department")


# -- tokens ----------------------------------------------------------------------------------


def test_a_kiosk_token_verifies_with_the_secrets_files_token_key(store: Path) -> None:
    gallra = open_store(store)  # a kiosk is paired to a department that exists
    try:
        department = enrolled_department(gallra.app, 0, "Förskolan Kiosk", "Entrén")[1]
    finally:
        gallra.close()
    result = run(
        "token", "kiosk", "--department", str(department), "--data-dir", str(store), columns="40"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # never wrapped, however narrow the console
    secrets = load_secrets_file(store / "gallra.secrets.json")
    principal = TokenIssuer(secrets.token_key).verify(lines[0].strip())
    assert principal.role == Role.KIOSK and principal.device is not None
    assert principal.department == department
    assert principal.subject is None


def test_a_guardian_token_carries_its_subject(store: Path) -> None:
    subject = uuid4()
    result = run("token", "guardian", "--subject", str(subject), "--data-dir", str(store))
    assert result.exit_code == 0, result.output
    secrets = load_secrets_file(store / "gallra.secrets.json")
    principal = TokenIssuer(secrets.token_key).verify(result.stdout.strip())
    assert (principal.role, principal.subject) == (Role.GUARDIAN, subject)


# -- retention -------------------------------------------------------------------------------


def test_retention_plan_lists_the_tempus_rule_and_changes_nothing(store: Path) -> None:
    before = max_id(store)
    result = run("retention", "plan", "--as-of", AS_OF, "--data-dir", str(store))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "tempus-attendance" in out
    assert "attendance" in out.replace("tempus-attendance", "")
    assert "health" in out
    assert "2023-01" in out
    assert "2023-02" not in out
    assert max_id(store) == before


def test_retention_plan_before_the_month_is_due_says_nothing_is_due(store: Path) -> None:
    result = run("retention", "plan", "--as-of", "2026-01-31", "--data-dir", str(store))
    assert result.exit_code == 0, result.output
    assert "nothing is due on 2026-01-31" in result.stdout
    assert "tempus-attendance" not in result.stdout


def test_retention_run_culls_once_and_a_dry_run_changes_nothing(store: Path) -> None:
    before = max_id(store)
    dry = run("retention", "run", "--as-of", AS_OF, "--dry-run", "--data-dir", str(store))
    assert dry.exit_code == 0, dry.output
    assert "tempus-attendance" in dry.stdout and "2023-01" in dry.stdout
    assert "keys destroyed" not in dry.stdout
    assert max_id(store) == before

    first = run("retention", "run", "--as-of", AS_OF, "--by", "arkivarie", "--data-dir", str(store))
    assert first.exit_code == 0, first.output
    reports = [line for line in first.stdout.splitlines() if "keys destroyed" in line]
    assert len(reports) == 3, first.stdout
    assert all("rule tempus-attendance" in line for line in reports)
    destroyed = {
        line.split("rule tempus-attendance, ")[1].split(",")[0]: int(
            line.split(" keys destroyed")[0].rsplit(", ", 1)[1]
        )
        for line in reports
    }
    assert destroyed == {"attendance": 4, "health": 1, "day-sheet": 1}  # one day's sheet
    after_run = max_id(store)
    assert after_run > before  # the gallring records

    gallra = open_store(store)
    try:
        records = gallra.gallring.records()
        assert {r.category for r in records} == {"attendance", "health", "day-sheet"}
        assert all(r.decided_by == "arkivarie" and r.finished_at for r in records)
    finally:
        gallra.close()

    second = run("retention", "run", "--as-of", AS_OF, "--data-dir", str(store))
    assert second.exit_code == 0, second.output
    assert f"nothing is due on {AS_OF}" in second.stdout
    assert max_id(store) == after_run

    dry_after = run("retention", "run", "--as-of", AS_OF, "--dry-run", "--data-dir", str(store))
    assert dry_after.exit_code == 0, dry_after.output
    assert f"nothing is due on {AS_OF}" in dry_after.stdout
    assert max_id(store) == after_run


# -- projections -----------------------------------------------------------------------------


def test_projections_rebuild_projects_every_event(store: Path) -> None:
    total = max_id(store)
    assert total > 0
    result = run("projections", "rebuild", "--data-dir", str(store))
    assert result.exit_code == 0, result.output
    assert f"projected {total} events" in result.stdout
    assert max_id(store) == total


def test_projections_rebuild_of_a_new_store_projects_its_plan_history_only(
    data_dir: Path,
) -> None:
    open_store(data_dir, create=True).close()  # a new store records the plan it started under
    result = run("projections", "rebuild", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert "projected 2 events" in result.stdout


# -- notices -------------------------------------------------------------------------------


def test_consent_reminders_are_queued_once_and_delivered(store: Path) -> None:
    """The store's four preschool children each have one guardian: four reminders."""
    first = run("notices", "remind-consent", "--data-dir", str(store), "--on", "2023-01-10")
    assert first.exit_code == 0, first.output
    assert "queued 4 consent reminders for 4 placed children" in first.output
    again = run("notices", "remind-consent", "--data-dir", str(store), "--on", "2023-01-10")
    assert "queued 0 consent reminders" in again.output
    delivered = run("notices", "deliver", "--data-dir", str(store))
    assert delivered.exit_code == 0, delivered.output
    assert "delivered 4, failed 0" in delivered.output
    assert "delivered 0, failed 0" in run("notices", "deliver", "--data-dir", str(store)).output


def test_a_bad_reminder_day_is_one_line_of_error(store: Path) -> None:
    result = run("notices", "remind-consent", "--data-dir", str(store), "--on", "1 augusti")
    assert_one_line_error(result, "--on must be a date")
