"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL tests get a schema of their own, dropped afterwards. Where PostgreSQL cannot be
reached they are skipped with a reason, except under CI=true, where that fails the run.
"""

from __future__ import annotations

import base64
import os
import secrets as pysecrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from api.bootstrap import Gallra, build
from api.settings import Settings
from retention.keys.kek import Secrets

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

PG = {
    "host": os.environ.get("GALLRA_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("GALLRA_PG_PORT", "5432")),
    "dbname": os.environ.get("GALLRA_PG_DBNAME", "test"),
    "user": os.environ.get("GALLRA_PG_USER", "postgres"),
    "password": os.environ.get("GALLRA_PG_PASSWORD", ""),
}


def _postgres_reachable() -> str | None:
    try:
        with psycopg.connect(connect_timeout=3, **PG):
            return None
    except psycopg.Error as e:
        return f"{type(e).__name__}"


_PG_PROBLEM = _postgres_reachable()


def pytest_sessionstart(session: pytest.Session) -> None:
    if _PG_PROBLEM and os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(
            f"CI=true but PostgreSQL at {PG['host']}:{PG['port']} is unreachable ({_PG_PROBLEM})"
        )


def make_secrets(kek_id: str = "k1") -> Secrets:
    return Secrets(
        keks={kek_id: pysecrets.token_bytes(32)},
        active_kek=kek_id,
        index_key=pysecrets.token_bytes(32),
        token_key=pysecrets.token_bytes(32),
        checkpoint_key=pysecrets.token_bytes(32),
    )


class Clock:
    """A settable clock, so rules about time are tested at any date."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))


@pytest.fixture
def secrets() -> Secrets:
    return make_secrets()


@pytest.fixture(params=["sqlite", "postgres"])
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a fresh, empty store on each backend."""
    if request.param == "sqlite":
        yield Settings(backend="sqlite", data_dir=tmp_path, background_projections=False)
        return
    if _PG_PROBLEM:
        pytest.skip(f"PostgreSQL unreachable: {_PG_PROBLEM}")
    schema = f"gallra_test_{uuid.uuid4().hex[:12]}"
    yield Settings(
        backend="postgres",
        pg_host=PG["host"],
        pg_port=PG["port"],
        pg_dbname=PG["dbname"],
        pg_user=PG["user"],
        pg_password=PG["password"],
        pg_schema=schema,
        pg_pool_size=2,
        data_dir=tmp_path,
        background_projections=False,
    )
    with psycopg.connect(autocommit=True, **PG) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # type: ignore[arg-type]


GallraFactory = Callable[..., Gallra]


@pytest.fixture
def make_gallra(
    backend_settings: Settings, secrets: Secrets, clock: Clock
) -> Iterator[GallraFactory]:
    """Open (and reopen) Gallra on the test's store; everything opened is closed after."""
    opened: list[Gallra] = []
    schemas: set[str] = set()

    def factory(**overrides: object) -> Gallra:
        """Open Gallra; ``fresh=True`` gives a store of its own (a new file or schema)."""
        if overrides.pop("fresh", False):
            suffix = uuid.uuid4().hex[:8]
            overrides.setdefault("data_dir", backend_settings.data_dir / suffix)
            if backend_settings.backend == "postgres":
                overrides.setdefault("pg_schema", f"{backend_settings.pg_schema}_{suffix}")
        settings = backend_settings.model_copy(
            update={k: v for k, v in overrides.items() if k in Settings.model_fields}
        )
        if settings.backend == "postgres":
            schemas.add(settings.pg_schema)
        gallra = build(
            settings,
            secrets=overrides.get("secrets", secrets),  # type: ignore[arg-type]
            clock=overrides.get("clock", clock),  # type: ignore[arg-type]
            sender=overrides.get("sender"),  # type: ignore[arg-type]
        )
        opened.append(gallra)
        return gallra

    yield factory
    for gallra in opened:
        gallra.close()
    if schemas:
        with psycopg.connect(autocommit=True, **PG) as conn:
            for schema in schemas:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # type: ignore[arg-type]


@pytest.fixture
def gallra(make_gallra: GallraFactory) -> Gallra:
    return make_gallra()


def b64key() -> str:
    return base64.b64encode(pysecrets.token_bytes(32)).decode()
