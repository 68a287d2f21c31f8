"""`gallra token kiosk` pairs a kiosk: its token names a paired device, an unknown department
is one line of error."""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

import pytest
from test_cli import assert_one_line_error, make_history, open_store, run

from api.tokens import Role


@pytest.fixture(autouse=True)
def _no_gallra_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GALLRA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def test_a_kiosk_token_names_a_device_paired_to_the_department(data_dir: Path) -> None:
    department = make_history(data_dir, children=1)["dep"]
    result = run(
        "token",
        "kiosk",
        "--department",
        str(department),
        "--name",
        "Björnen entré",
        "--data-dir",
        str(data_dir),
    )
    assert result.exit_code == 0, result.output
    gallra = open_store(data_dir)
    try:
        principal = gallra.tokens.verify(result.stdout.strip())
        assert principal.role == Role.KIOSK and principal.device is not None
        assert gallra.app.kiosk_paired(principal.device) == department
        [kiosk] = gallra.app.department_kiosks(department)  # type: ignore[arg-type]
        assert (kiosk.kiosk_id, kiosk.label) == (principal.device, "Björnen entré")
    finally:
        gallra.close()


def test_a_kiosk_for_an_unknown_department_is_one_line_of_error(data_dir: Path) -> None:
    make_history(data_dir, children=1)
    unknown = uuid4()
    result = run("token", "kiosk", "--department", str(unknown), "--data-dir", str(data_dir))
    assert_one_line_error(result, "no department", str(unknown))
