"""`gallra token kitchen --unit ID`: a kitchen token names the one unit whose counts it reads."""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner, Result

from api.bootstrap import build
from api.cli import cli
from api.settings import Settings
from api.tokens import Role, TokenIssuer
from retention.keys.kek import load_secrets_file


@pytest.fixture(autouse=True)
def _no_gallra_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's own GALLRA_* variables (a KEK, a backend) must not leak into the CLI."""
    for name in list(os.environ):
        if name.startswith("GALLRA_"):
            monkeypatch.delenv(name)


def run(*args: str) -> Result:
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, list(args))


def test_a_kitchen_token_needs_a_unit(tmp_path: Path) -> None:
    result = run("token", "kitchen", "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("gallra: a kitchen token needs --unit")


def test_a_kitchen_token_carries_its_unit(tmp_path: Path) -> None:
    build(Settings(backend="sqlite", data_dir=tmp_path, create_secrets=True)).close()
    unit = uuid4()
    result = run("token", "kitchen", "--unit", str(unit), "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    secrets = load_secrets_file(tmp_path / "gallra.secrets.json")
    principal = TokenIssuer(secrets.token_key).verify(result.stdout.strip())
    assert (principal.role, principal.unit, principal.subject) == (Role.KITCHEN, unit, None)
