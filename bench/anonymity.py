"""``python -m bench.anonymity [--size town|small] [--backend sqlite|postgres] [--out F]``.

Lives a synthetic municipality through three school years, culls it to the last under the
default plan (delivering to the archive and recording receipts on the way), and audits what
survives as an intruder with the files but no key reads it. The figures in docs/anonymity.md
come from here. A measurement, not a test: it exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from psycopg import sql
from rich.console import Console

from api.bootstrap import build
from api.cli_anonymity import show_report
from api.synthetic_municipality import SimulatedClock, Size, cull_everything
from api.synthetic_municipality import build as build_town
from bench.__main__ import _pg_from_env
from bench.apps import bench_settings, make_secrets
from retention.anonymity import audit_store

SIZES = {
    "small": Size(preschools=1, departments=2, children=6, classes=1, students=8, kiosk_days=2),
    "town": Size(
        preschools=3, departments=3, children=16, classes=4, students=22, kiosk_days=6,
        lesson_days=3,
    ),
}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anonymity", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="town")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--threshold", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the report as JSON to this path")
    args = parser.parse_args(argv)
    console = Console()
    pg = _pg_from_env()
    schema = f"gallra_bench_anon_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="gallra-anonymity-") as tmp:
        settings = bench_settings(args.backend, Path(tmp), "town.db", pg, schema)
        clock = SimulatedClock(datetime(2021, 7, 1, tzinfo=UTC))
        gallra = build(settings, secrets=make_secrets(), clock=clock)
        try:
            started = time.perf_counter()
            town = build_town(gallra.app, clock, SIZES[args.size])
            built = time.perf_counter() - started
            packages = cull_everything(gallra, clock, Path(tmp) / "archive")
            culled = time.perf_counter() - started - built
            app = gallra.app
            report = audit_store(
                app.recorder, app.keystore, app.mapper.transcoder.decode, args.threshold
            )
        finally:
            gallra.close()
            if args.backend == "postgres":
                with pg.connect() as conn:
                    conn.execute(
                        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                    )
    console.print(
        f"{args.size} on {args.backend}: {len(town.preschool_children)} preschool children, "
        f"{len(town.students)} students, {len(town.guardians)} guardians, "
        f"{len(town.staff)} staff; {town.events_written} events written in {built:.0f} s, "
        f"culled to the last in {culled:.0f} s ({len(packages)} archive packages)"
    )
    show_report(report)
    if args.out is not None:
        args.out.write_text(json.dumps(asdict(report), default=str, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
