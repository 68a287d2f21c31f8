"""A gallring run killed with SIGKILL at many points, then run again, finishes the same culling:
nothing destroyed without a decision on record, nothing decided twice, nothing the plan keeps
(or a hold keeps) destroyed, and every decision executed in the end (both backends).

The run is the real command line (``python -m api.cli retention run``) in a child process,
killed at points spread from before its imports finish to after its last step.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

from test_gallring import make_history

from api.bootstrap import Gallra, build
from api.settings import Settings
from builders import documented
from conftest import Clock
from retention.keys.kek import generate_secrets_file, load_secrets_file
from retention.keys.scope import Scope

AS_OF = date(2026, 6, 1)  # January 2023's attendance and health, September 2024's samtal
KILLS = 10


def child_env(settings: Settings, secrets_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GALLRA_")}
    for name in ("backend", "data_dir", "pg_host", "pg_port", "pg_dbname", "pg_user"):
        env[f"GALLRA_{name.upper()}"] = str(getattr(settings, name))
    env["GALLRA_PG_PASSWORD"] = settings.pg_password
    env["GALLRA_PG_SCHEMA"] = settings.pg_schema
    env["GALLRA_SECRETS_FILE"] = str(secrets_file)
    env["GALLRA_BACKGROUND_PROJECTIONS"] = "false"
    return env


def start_run(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "api.cli", "retention", "run", "--as-of", str(AS_OF)]
    return subprocess.Popen(  # noqa: S603 - a fixed argv: this interpreter and our CLI
        [*command, "--by", "kill-test"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def check(gallra: Gallra, due: set[Scope], kept: set[Scope]) -> tuple[int, int]:
    """The invariants at any moment; returns (decisions, executed)."""
    records = gallra.gallring.records()
    keys = gallra.app.keystore
    destroyed = {r.scope for r in keys.scopes(include_shredded=True) if r.key_id is None}
    assert not destroyed & kept, "a scope the plan (or a hold) keeps was destroyed"
    by_decision = [{r.scope for r in keys.scopes(decision=run.id)} for run in records]
    assert destroyed <= set().union(*by_decision), "a key destroyed with no decision on record"
    categories = [(run.rule_id, run.category) for run in records]
    assert len(categories) == len(set(categories)), "a rule and category decided twice"
    return len(records), sum(run.finished_at is not None for run in records)


def test_a_run_killed_anywhere_is_finished_by_the_next(
    backend_settings: Settings, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.json"
    generate_secrets_file(secrets_file)
    settings = backend_settings.model_copy(update={"secrets_file": secrets_file})
    clock = Clock(datetime(2026, 3, 16, 9, tzinfo=UTC))
    gallra = build(settings, secrets=load_secrets_file(secrets_file), clock=clock)
    try:
        kids: list[UUID] = make_history(gallra, clock)["children"]  # type: ignore[assignment]
        documented(gallra, clock, "samtal", date(2024, 9, 12))
        gallra.app.place_hold(uuid4(), kids[2], "tvist", "kill-test")
        survey = gallra.gallring.survey(AS_OF)
        due_keys = {k for cull in survey.culls for k in cull.key_ids}
        live = gallra.app.keystore.scopes()
        due = {r.scope for r in live if r.key_id in due_keys}
        kept = {r.scope for r in live if r.key_id not in due_keys}
        assert {c.category for c in survey.culls} == {"attendance", "health", "samtal"}
        assert any(s.subject == kids[2] and s.category == "attendance" for s in kept)
    finally:
        gallra.close()

    env = child_env(settings, secrets_file)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "api.cli", "--help"], env=env, capture_output=True)
    startup = time.perf_counter() - started
    states: list[tuple[int, int]] = []
    for n in range(KILLS):
        proc = start_run(env)
        time.sleep(startup * 0.7 + n * 0.04)  # from mid-import to past the run's last step
        proc.kill()
        proc.wait()
        gallra = build(settings, secrets=load_secrets_file(secrets_file), clock=clock)
        try:
            states.append(check(gallra, due, kept))  # (decisions, executed) when killed
        finally:
            gallra.close()

    finished = subprocess.run(  # noqa: S603 - a fixed argv: this interpreter and our CLI
        [sys.executable, "-m", "api.cli", "retention", "run", "--as-of", str(AS_OF)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert finished.returncode == 0, (finished.stderr.decode(), states)
    gallra = build(settings, secrets=load_secrets_file(secrets_file), clock=clock)
    try:
        decisions, executed = check(gallra, due, kept)
        assert decisions == executed == 3, states
        destroyed = {
            r.scope for r in gallra.app.keystore.scopes(include_shredded=True) if r.key_id is None
        }
        assert destroyed == due
        assert gallra.gallring.planned(AS_OF) == []
    finally:
        gallra.close()
