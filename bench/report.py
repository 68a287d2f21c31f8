"""The results as a table (rates in events/s, ratios against targets) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.culling import TARGET as CULLING_TARGET
from bench.runner import TARGETS, WORKLOADS

LABELS = {
    "append": "single append",
    "batch": "batch (100/save)",
    "append_new_keys": "single append, new key each",
    "batch_new_keys": "batch, new key each",
    "replay": "replay",
    "replay_all": "replay, half new keys",
    "verify": "verify the log (bare: replay)",
    "kiosk_batch": "kiosk batch (1,000 events, checked)",
}


def table(results: dict[str, dict[str, Any]]) -> Table:
    t = Table(title="Gallra vs bare eventsourcing (median events/s; ratio = Gallra / bare)")
    for column, justify in (
        ("backend", "left"),
        ("workload", "left"),
        ("bare /s", "right"),
        ("gallra /s", "right"),
        ("ratio", "right"),
        ("target", "right"),
        ("", "left"),
    ):
        t.add_column(column, justify=justify)  # type: ignore[arg-type]
    for backend, result in results.items():
        if "error" in result:
            t.add_row(backend, "-", "-", "-", "-", "-", f"[yellow]skipped: {result['error']}")
            continue
        for workload in WORKLOADS:
            ratio = result[f"{workload}_ratio"]
            target = TARGETS.get(workload)
            mark = "" if target is None else "[green]pass" if ratio >= target else "[red]miss"
            t.add_row(
                backend,
                LABELS[workload],
                f"{result[f'{workload}_bare_rate']:,.0f}",
                f"{result[f'{workload}_gallra_rate']:,.0f}",
                f"{ratio:.2f}",
                "-" if target is None else f">= {target:.1f}",
                mark,
            )
        t.add_section()
    return t


def culling_table(results: dict[str, dict[str, Any]]) -> Table | None:
    rows = [(b, r["culling"]) for b, r in results.items() if "culling" in r]
    if not rows:
        return None
    t = Table(title="Culling cost: the same scopes holding 10 and 100 events each (median s)")
    for column in ("backend", "scopes", "10 events each", "100 events each", "ratio", "target"):
        t.add_column(column, justify="left" if column == "backend" else "right")
    t.add_column("")
    for backend, c in rows:
        ok = c["ratio"] <= CULLING_TARGET
        t.add_row(
            backend,
            str(c["scopes"]),
            f"{c['sparse_seconds']:.3f}",
            f"{c['dense_seconds']:.3f}",
            f"{c['ratio']:.2f}",
            f"<= {CULLING_TARGET:.1f}",
            "[green]pass" if ok else "[red]miss",
        )
    return t


def show(console: Console, results: dict[str, dict[str, Any]]) -> None:
    console.print(table(results))
    culling = culling_table(results)
    if culling is not None:
        console.print(culling)


def write_json(path: Path, results: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
