"""The Quickstart really works: ``gallra serve --demo`` as a real process, on a real port.

The server is started as the operator starts it (the ``gallra`` script beside this Python),
polled until it answers, spoken to over HTTP with tokens from ``gallra token``, and stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from api.bootstrap import build
from api.settings import Settings

STARTUP_SECONDS = 60


def gallra_command() -> list[str]:
    script = Path(sys.executable).parent / "gallra"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def clean_env() -> dict[str, str]:
    """The environment without the runner's own GALLRA_* settings, output unbuffered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GALLRA_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    port: int
    data_dir: Path
    stdout: Path
    stderr: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def serving(data_dir: Path, logs: Path, name: str) -> Iterator[Server]:
    """``gallra serve --demo`` on a free port, up and answering; always stopped after."""
    port = free_port()
    stdout, stderr = logs / f"{name}.stdout", logs / f"{name}.stderr"
    command = [
        *gallra_command(),
        "serve",
        "--demo",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        # the command is this venv's own script with fixed arguments
        process = subprocess.Popen(command, stdout=out, stderr=err, env=clean_env())  # noqa: S603
    server = Server(f"http://127.0.0.1:{port}", port, data_dir, stdout, stderr, process)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        with httpx.Client(base_url=server.url, timeout=5) as client:
            while True:
                if process.poll() is not None:
                    pytest.fail(
                        f"gallra serve exited with {process.returncode} before serving:\n"
                        f"{server.output()}\n{server.errors()}"
                    )
                try:
                    if client.get("/openapi.json").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"gallra serve did not answer within {STARTUP_SECONDS} s:\n"
                        f"{server.output()}\n{server.errors()}"
                    )
                time.sleep(0.2)
        yield server
    finally:
        stop(process)


def token(data_dir: Path, role: str) -> str:
    done = subprocess.run(  # noqa: S603 - this venv's own script, fixed arguments
        [*gallra_command(), "token", role, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout  # one line, never wrapped
    return lines[0].strip()


def max_notification_id(data_dir: Path) -> int:
    gallra = build(Settings(backend="sqlite", data_dir=data_dir))
    try:
        return gallra.app.recorder.max_notification_id() or 0
    finally:
        gallra.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    with serving(root / "var", root, "demo") as server:
        yield server


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_it_prints_the_docs_url_and_a_token_per_role(demo: Server) -> None:
    printed = demo.output()
    assert f"http://127.0.0.1:{demo.port}/docs" in printed
    assert "demo tokens" in printed
    for role in ("admin", "staff", "guardian", "kiosk", "statistician", "auditor"):
        assert role in printed
    assert "Traceback" not in printed + demo.errors()


def test_the_docs_are_served(demo: Server) -> None:
    with httpx.Client(base_url=demo.url, timeout=10) as client:
        spec = client.get("/openapi.json")
        assert spec.status_code == 200
        assert spec.json()["info"]["title"] == "Gallra"
        assert "/statistics/attendance" in spec.json()["paths"]
        assert client.get("/docs").status_code == 200


def test_a_token_from_the_cli_is_accepted_by_the_running_server(demo: Server) -> None:
    staff = token(demo.data_dir, "staff")
    with httpx.Client(base_url=demo.url, timeout=10) as client:
        health = client.get("/health", headers=bearer(staff))
        assert health.status_code == 200, health.text
        assert health.json() == {"status": "ok"}


def test_the_seeded_statistics_have_cells(demo: Server) -> None:
    statistician = token(demo.data_dir, "statistician")
    with httpx.Client(base_url=demo.url, timeout=30) as client:
        response = client.get("/statistics/attendance", headers=bearer(statistician))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dimensions"] == ["unit_id", "month"]
    assert body["cells"], body
    published = [c for c in body["cells"] if not c["suppressed"]]
    assert published, body  # 12 children per unit is above the threshold
    assert all(c["values"]["presence_minutes"] >= 0 for c in published)


def test_a_request_without_a_token_is_a_401_problem(demo: Server) -> None:
    with httpx.Client(base_url=demo.url, timeout=10) as client:
        for path in ("/health", "/statistics/attendance"):
            response = client.get(path)
            assert response.status_code == 401, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["status"] == 401
        forged = client.get("/health", headers=bearer("not.a-token"))
        assert forged.status_code == 401


def test_a_token_for_the_wrong_role_is_a_403(demo: Server) -> None:
    staff = token(demo.data_dir, "staff")
    with httpx.Client(base_url=demo.url, timeout=10) as client:
        response = client.get("/statistics/attendance", headers=bearer(staff))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_secrets_file_is_the_owners_only(demo: Server) -> None:
    secrets = demo.data_dir / "gallra.secrets.json"
    assert secrets.exists()
    assert secrets.stat().st_mode & 0o777 == 0o600


def test_a_second_start_on_the_same_data_dir_does_not_seed_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    with serving(data_dir, tmp_path, "first") as first:
        pass
    first_output = first.output() + first.errors()
    assert "seeding" in first_output
    seeded = max_notification_id(data_dir)
    assert seeded > 0

    with serving(data_dir, tmp_path, "second") as second:
        statistician = token(data_dir, "statistician")
        with httpx.Client(base_url=second.url, timeout=30) as client:
            response = client.get("/statistics/attendance", headers=bearer(statistician))
        assert response.status_code == 200, response.text
        assert response.json()["cells"]
    second_output = second.output() + second.errors()
    assert "seeding" not in second_output
    assert f"http://127.0.0.1:{second.port}/docs" in second_output
    assert max_notification_id(data_dir) == seeded
