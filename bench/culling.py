"""Culling cost: it must grow with the scopes culled, not with the events sealed under them.

Two fresh Gallra stores hold the same number of scopes (children x one month of attendance);
in one every scope seals 10 events, in the other 100. What is timed is a gallring run that
culls all of them (planning, destroying keys, making it durable, recording it) and the read
models catching up with it (purging what they held of the culled month). The views are
caught up with the events before the clock starts, as they are in a running server.
Target: the dense run within 1.5x of the sparse one.
"""

from __future__ import annotations

import gc
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from psycopg import sql

from api.bootstrap import Gallra, build
from bench.apps import PgConfig, bench_settings, make_secrets
from domain.attendance import DepartmentDay
from domain.attendance_facts import FactKind

MONTH = date(2023, 1, 1)
CULL_ON = date(2026, 2, 1)  # January 2023's attendance is due (3 years)
TARGET = 1.5


@dataclass(frozen=True)
class CullTiming:
    scopes: int
    events_per_scope: int
    events: int
    seconds: float


def _fill(gallra: Gallra, scopes: int, per_scope: int) -> int:
    """``scopes`` children, each with ``per_scope`` kiosk facts in January 2023."""
    app = gallra.app
    unit, department = uuid.uuid4(), uuid.uuid4()
    days: dict[int, DepartmentDay] = {}
    for _ in range(scopes):
        child = uuid.uuid4()
        for n in range(per_scope):
            day = 2 + n % 28
            dd = days.get(day) or days.setdefault(
                day, DepartmentDay.open(department, unit, MONTH.replace(day=day))
            )
            at = datetime(2023, 1, day, 6, tzinfo=UTC) + timedelta(minutes=n)
            kind = FactKind.CHECK_IN if (n // 28) % 2 == 0 else FactKind.CHECK_OUT
            dd.record(uuid.uuid4(), kind, child, at, None)
        if sum(len(d.pending_events) for d in days.values()) > 2000:
            app.save(*days.values())  # untimed; saved in slices so no one save is huge
    app.save(*days.values())
    return scopes * per_scope


def _timed_cull(gallra: Gallra) -> float:
    gc.collect()
    started = time.perf_counter()
    results = gallra.gallring.run(CULL_ON, by="bench")
    for runner in gallra.runners:
        runner.catch_up()
    elapsed = time.perf_counter() - started
    if not any(r.category == "attendance" and r.keys_destroyed for r in results):
        raise AssertionError("the cull destroyed no attendance keys")
    return elapsed


def measure(backend: str, scopes: int, per_scope: int, data_dir: Path, pg: PgConfig) -> CullTiming:
    schema = f"gallra_bench_cull_{uuid.uuid4().hex[:10]}"
    settings = bench_settings(backend, data_dir / schema, "gallra.db", pg, schema)
    clock = lambda: datetime(2026, 2, 1, 12, tzinfo=UTC)  # noqa: E731
    gallra = build(settings, secrets=make_secrets(), clock=clock)
    try:
        events = _fill(gallra, scopes, per_scope)
        for runner in gallra.runners:
            runner.catch_up()
        return CullTiming(scopes, per_scope, events, _timed_cull(gallra))
    finally:
        gallra.close()
        if backend == "postgres":
            with pg.connect() as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )


def run_culling(backend: str, pg: PgConfig, scopes: int, rounds: int) -> dict[str, object]:
    """Sparse and dense stores in turns, ``rounds`` of each; medians and their ratio."""
    sparse: list[float] = []
    dense: list[float] = []
    with tempfile.TemporaryDirectory(prefix="gallra-bench-cull-") as tmp:
        for n in range(rounds):
            order = ((10, sparse), (100, dense)) if n % 2 == 0 else ((100, dense), (10, sparse))
            for per_scope, times in order:
                times.append(measure(backend, scopes, per_scope, Path(tmp), pg).seconds)
    sparse.sort()
    dense.sort()
    mid_sparse, mid_dense = sparse[len(sparse) // 2], dense[len(dense) // 2]
    return {
        "scopes": scopes,
        "sparse_events_per_scope": 10,
        "dense_events_per_scope": 100,
        "sparse_seconds": round(mid_sparse, 4),
        "dense_seconds": round(mid_dense, 4),
        "ratio": round(mid_dense / mid_sparse, 3),
        "samples": {"sparse": [round(s, 4) for s in sparse], "dense": [round(s, 4) for s in dense]},
    }
