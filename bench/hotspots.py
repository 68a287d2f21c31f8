"""Profile the Gallra side of one workload: ``python -m bench.hotspots append sqlite``.

Prints the top functions by cumulative and by own time (cProfile), for finding where the
sealing costs go. A diagnostic aid; the benchmark itself is ``python -m bench``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
from pathlib import Path

from bench import kiosk, workloads
from bench.__main__ import _pg_from_env
from bench.apps import open_pair


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotspots")
    parser.add_argument("workload", choices=("append", "batch", "replay", "kiosk"))
    parser.add_argument("backend", choices=("sqlite", "postgres"))
    parser.add_argument("--side", choices=("gallra", "bare"), default="gallra")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--new-keys", action="store_true", help="a new child for every event")
    args = parser.parse_args(argv)
    rng = random.Random(1)
    with (
        tempfile.TemporaryDirectory(prefix="gallra-bench-") as tmp,
        open_pair(args.backend, Path(tmp), _pg_from_env()) as pair,
    ):
        app = pair.gallra if args.side == "gallra" else pair.bare
        workloads.warm_up(app, rng)
        roster = None if args.new_keys else workloads.make_roster(app, rng)
        profiler = cProfile.Profile()
        if args.workload == "kiosk":
            department = kiosk.setup(app, rng)
            kiosk.kiosk_batch(app, rng, department, 1)  # warm the path untimed
            profiler.enable()
            events, seconds = kiosk.kiosk_batch(app, rng, department, 5)
        elif args.workload == "replay":
            workloads.batch_append(app, rng, 100, roster=roster)
            workloads.single_append(app, rng, 2000, roster)
            profiler.enable()
            events, seconds = workloads.replay(app)
        elif args.workload == "batch":
            profiler.enable()
            events, seconds = workloads.batch_append(app, rng, 100, roster=roster)
        else:
            profiler.enable()
            events, seconds = workloads.single_append(app, rng, 2000, roster)
        profiler.disable()
    print(f"{args.side} {args.workload} on {args.backend}: {events / seconds:,.0f} events/s")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
