"""Rotating the KEK from the command line: add, rewrap, retire; events never change."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.bootstrap import build
from api.cli import cli
from api.settings import Settings


@pytest.fixture(autouse=True)
def _no_gallra_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("GALLRA_"):
            monkeypatch.delenv(name)


def test_rotate_the_kek_and_retire_the_old_one(tmp_path: Path) -> None:
    settings = Settings(
        backend="sqlite", data_dir=tmp_path, create_secrets=True, background_projections=False
    )
    gallra = build(settings)
    child = gallra.app.register_child("Saga", "Lind", "20200101TF01", [])
    events_before = [n.state for n in gallra.app.recorder.select_notifications(1, 100)]
    gallra.close()
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]

    refused = runner.invoke(cli, ["keys", "retire-kek", "k1", *args])
    assert refused.exit_code == 1 and "active" in refused.stderr

    added = runner.invoke(cli, ["keys", "add-kek", *args])
    assert added.exit_code == 0, added.output
    secrets_file = tmp_path / "gallra.secrets.json"
    content = json.loads(secrets_file.read_text())
    assert content["active_kek"] == "k2" and set(content["keks"]) == {"k1", "k2"}
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600

    early = runner.invoke(cli, ["keys", "retire-kek", "k1", *args])
    assert early.exit_code == 1 and "rewrap" in early.stderr
    assert len(early.stderr.strip().splitlines()) == 1

    rewrapped = runner.invoke(cli, ["keys", "rewrap", *args])
    assert rewrapped.exit_code == 0 and "re-wrapped 1 data keys" in rewrapped.stdout

    retired = runner.invoke(cli, ["keys", "retire-kek", "k1", *args])
    assert retired.exit_code == 0, retired.output
    assert set(json.loads(secrets_file.read_text())["keks"]) == {"k2"}

    again = build(settings.model_copy(update={"create_secrets": False}))
    try:
        assert again.app.get_child(child).given_name == "Saga"
        after = [n.state for n in again.app.recorder.select_notifications(1, 100)]
        assert after == events_before  # rotation never re-encrypts an event
    finally:
        again.close()
