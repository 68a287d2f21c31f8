"""Interleaved rounds: bare and Gallra take turns (who goes first alternates) per workload.

The machine is shared and noisy, so each side's figure is the median of its rounds, and the
ratio is median Gallra rate over median bare rate.
"""

from __future__ import annotations

import random
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from api.application import GallraApplication
from bench import kiosk, workloads
from bench.apps import Pair, PgConfig, open_pair

WORKLOADS = (
    "append",
    "batch",
    "replay",
    "append_new_keys",
    "batch_new_keys",
    "replay_all",
    "verify",  # Gallra verifies the log; bare replays it (there is nothing to verify)
    "kiosk_batch",  # last: its setup writes events only Gallra has, which replays would count
)
SIDES = ("bare", "gallra")
TARGETS = {"append": 0.7, "batch": 0.7, "kiosk_batch": 0.7, "replay": 0.8, "verify": 0.5}
# append/batch: children whose month keys exist (every kiosk day after a month's first);
# *_new_keys: every event a child never seen, so every event makes a key (worst case,
# reported without a target). replay: everything stored by then (children's keys reused,
# as over a real month); replay_all: again after the worst cases, half the events with a
# key of their own (reported without a target).


@dataclass(frozen=True)
class Plan:
    rounds: int
    commands: int  # single-append commands per round
    saves: int  # batch saves per round
    kiosk_batches: int  # kiosk batches of 1,000 events per round
    batch_size: int = 100

    @classmethod
    def full(cls) -> Plan:
        return cls(rounds=3, commands=2000, saves=100, kiosk_batches=5)

    @classmethod
    def quick(cls) -> Plan:
        return cls(rounds=1, commands=200, saves=10, kiosk_batches=1)

    def steps(self) -> int:
        return 2 + len(WORKLOADS) * self.rounds * len(SIDES)  # 2 warm-ups


Step = Callable[[str], None]


def _run(
    workload: str,
    app: Application[UUID],
    rng: random.Random,
    plan: Plan,
    roster: list[UUID],
    department: kiosk.Department,
) -> tuple[int, float]:
    if workload == "kiosk_batch":
        if not department.children:  # first use: set up, and warm the path untimed
            ready = kiosk.setup(app, rng)
            department.department_id, department.unit_id = ready.department_id, ready.unit_id
            department.children = ready.children
            kiosk.kiosk_batch(app, rng, department, 1)
        return kiosk.kiosk_batch(app, rng, department, plan.kiosk_batches)
    if workload == "append":
        return workloads.single_append(app, rng, plan.commands, roster)
    if workload == "append_new_keys":
        return workloads.single_append(app, rng, plan.commands, None)
    if workload == "batch":
        return workloads.batch_append(app, rng, plan.saves, plan.batch_size, roster)
    if workload == "batch_new_keys":
        return workloads.batch_append(app, rng, plan.saves, plan.batch_size, None)
    if workload == "verify" and isinstance(app, GallraApplication):
        return workloads.verify(app)
    return workloads.replay(app)  # replay, replay_all, and the bare side of verify


def run_backend(
    backend: str, plan: Plan, pg: PgConfig, step: Step, seed: int = 1
) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="gallra-bench-") as tmp,
        open_pair(backend, Path(tmp), pg) as pair,
    ):
        return _measure(pair, plan, step, seed)


def _measure(pair: Pair, plan: Plan, step: Step, seed: int) -> dict[str, Any]:
    apps: dict[str, Application[UUID]] = {"bare": pair.bare, "gallra": pair.gallra}
    rngs = {side: random.Random(f"{seed}-{side}") for side in SIDES}
    rosters: dict[str, list[UUID]] = {}
    departments = {side: kiosk.Department(UUID(int=0), UUID(int=0), []) for side in SIDES}
    for side in SIDES:
        step(f"{pair.backend}: warm-up {side}")
        workloads.warm_up(apps[side], rngs[side])
        rosters[side] = workloads.make_roster(apps[side], rngs[side])
    samples: dict[str, dict[str, list[float]]] = {w: {s: [] for s in SIDES} for w in WORKLOADS}
    replayed: dict[str, int] = {}
    for workload in WORKLOADS:
        for n in range(plan.rounds):
            order = SIDES if n % 2 == 0 else tuple(reversed(SIDES))
            for side in order:
                step(f"{pair.backend}: {workload} round {n + 1}/{plan.rounds} {side}")
                events, seconds = _run(
                    workload, apps[side], rngs[side], plan, rosters[side], departments[side]
                )
                samples[workload][side].append(events / seconds)
                if workload.startswith("replay") or workload == "verify":
                    replayed[f"{workload}/{side}"] = events
    for workload in ("replay", "replay_all", "verify"):
        if replayed[f"{workload}/bare"] != replayed[f"{workload}/gallra"]:
            raise AssertionError(f"the two stores replayed different event counts: {replayed}")
    medians = {w: {s: statistics.median(samples[w][s]) for s in SIDES} for w in WORKLOADS}
    result: dict[str, Any] = {
        f"{w}_ratio": round(medians[w]["gallra"] / medians[w]["bare"], 4) for w in WORKLOADS
    }
    for w in WORKLOADS:
        for s in SIDES:
            result[f"{w}_{s}_rate"] = round(medians[w][s], 1)
    result["samples"] = {
        w: {s: [round(r, 1) for r in samples[w][s]] for s in SIDES} for w in WORKLOADS
    }
    result["counts"] = {
        "rounds": plan.rounds,
        "append_commands": plan.commands,
        "batch_saves": plan.saves,
        "batch_size": plan.batch_size,
        "kiosk_batches": plan.kiosk_batches,
        "kiosk_batch_events": kiosk.CHILDREN * kiosk.DAYS * 2,
        "replay_events": replayed["replay/bare"],
        "replay_all_events": replayed["replay_all/bare"],
        "replay_page": workloads.PAGE,
    }
    return result
