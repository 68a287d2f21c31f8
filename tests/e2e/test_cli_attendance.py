"""``gallra attendance close-days`` end to end on a SQLite store of its own."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from api.bootstrap import build
from api.cli import cli
from api.settings import Settings
from builders import enrolled_department
from conftest import Clock


@pytest.fixture(autouse=True)
def _no_gallra_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GALLRA_"):
            monkeypatch.delenv(name)


def test_close_days_closes_a_day_left_open_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    now = datetime.now(UTC)
    day = (now - timedelta(days=3)).date()
    clock = Clock(now)
    gallra = build(Settings(backend="sqlite", data_dir=data_dir, create_secrets=True), clock=clock)
    try:
        _, dep, kids = enrolled_department(gallra.app, 2, "Förskolan Lönnen", "Myggan")
        start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        gallra.app.check_in(uuid4(), dep, kids[0], start)
    finally:
        gallra.close()
    runner = CliRunner(env={"COLUMNS": "200"})
    args = ["attendance", "close-days", "--data-dir", str(data_dir)]
    first = runner.invoke(cli, [*args, "--through", (day + timedelta(days=1)).isoformat()])
    assert first.exit_code == 0, first.output
    assert "closed 1 of" in first.stdout
    again = runner.invoke(cli, args)  # default: through yesterday; nothing left to close
    assert again.exit_code == 0 and "closed 0 of" in again.stdout
    local_today = now.astimezone(ZoneInfo("Europe/Stockholm")).date()
    today = runner.invoke(cli, [*args, "--through", local_today.isoformat()])
    assert today.exit_code == 1 and today.stderr.startswith("gallra: only days before today")
    bad = runner.invoke(cli, [*args, "--through", "yesterday"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr
    gallra = build(Settings(backend="sqlite", data_dir=data_dir), clock=clock)
    try:
        closed = gallra.app.department_day(dep, day)
        assert closed is not None and closed.closed and closed.totals.flagged == 1
        # the replay says the command line closed the day and the check-in left open; the
        # check-in itself, written with no actor bound (as by a library caller), says nothing
        by = {e.kind: e.by for e in gallra.histories.history(closed.id).entries}
        operator = {"role": "operator", "id": None}
        assert by["DepartmentDay.DayClosed"] == by["DepartmentDay.NightClosed"] == operator
        assert by["DepartmentDay.CheckedIn"] is None
    finally:
        gallra.close()
