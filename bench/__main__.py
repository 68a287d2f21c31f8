"""``python -m bench [--out results.json] [--quick] [--backends sqlite,postgres] [--skip-culling]``.

Exits 0 whatever the ratios are: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.apps import PgConfig, postgres_problem
from bench.culling import run_culling
from bench.report import show, write_json
from bench.runner import Plan, run_backend

BACKENDS = ("sqlite", "postgres")


def _backends(text: str) -> list[str]:
    names = [b.strip() for b in text.split(",") if b.strip()]
    unknown = [b for b in names if b not in BACKENDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"backends are {', '.join(BACKENDS)}; got {text!r}")
    return list(dict.fromkeys(names))


def _pg_from_env() -> PgConfig:
    env = os.environ
    return PgConfig(
        host=env.get("GALLRA_PG_HOST", "127.0.0.1"),
        port=int(env.get("GALLRA_PG_PORT", "5432")),
        dbname=env.get("GALLRA_PG_DBNAME", "test"),
        user=env.get("GALLRA_PG_USER", "postgres"),
        password=env.get("GALLRA_PG_PASSWORD", ""),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Gallra against bare eventsourcing, per backend."
    )
    parser.add_argument("--out", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--quick", action="store_true", help="a short smoke run, small counts")
    parser.add_argument(
        "--backends", type=_backends, default=list(BACKENDS), help="e.g. sqlite,postgres"
    )
    parser.add_argument("--rounds", type=int, help="override the number of interleaved rounds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-culling", action="store_true", help="leave out the culling-cost measurement"
    )
    args = parser.parse_args(argv)

    plan = Plan.quick() if args.quick else Plan.full()
    if args.rounds:
        plan = Plan(rounds=args.rounds, commands=plan.commands, saves=plan.saves)
    pg = _pg_from_env()
    console = Console(stderr=True)
    out = Console()
    results: dict[str, dict[str, Any]] = {}

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        for backend in args.backends:
            if backend == "postgres" and (problem := postgres_problem(pg)):
                console.print(f"[yellow]postgres skipped: {problem}")
                results[backend] = {"error": problem}
                continue
            task = progress.add_task(backend, total=plan.steps())
            started = [0]

            def step(label: str, task: Any = task, started: list[int] = started) -> None:
                # Called as each step begins: the previous one is then done.
                progress.update(task, completed=started[0], description=label)
                started[0] += 1

            results[backend] = run_backend(backend, plan, pg, step, seed=args.seed)
            progress.update(task, completed=plan.steps())
            if not args.skip_culling:
                progress.update(task, description=f"{backend}: culling, sparse and dense")
                scopes, rounds = (50, 1) if args.quick else (300, 3)
                results[backend]["culling"] = run_culling(backend, pg, scopes, rounds)

    show(out, results)
    if args.out is not None:
        write_json(args.out, results)
        out.print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
