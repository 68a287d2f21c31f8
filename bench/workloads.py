"""The workloads, identical for both sides (but verify, Gallra's alone). Each returns
(events, seconds).

Inputs (ids, times) and the aggregates' Opened events are made before the clock starts; what
is timed is the command (``check_in`` on an aggregate held in memory, then ``app.save``) or
the replay (paging notifications and decoding every event).
"""

from __future__ import annotations

import gc
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.sqlite import SQLiteFactory

from api.application import GallraApplication
from domain.attendance import DepartmentDay
from retention.integrity.checkpoints import CheckpointStore, Signer, known_keys
from retention.integrity.verify import verify_log

DAY = date(2026, 3, 16)
PAGE = 500


@dataclass(frozen=True)
class CheckIn:
    submission_id: UUID
    child_id: UUID
    at: datetime
    by: UUID


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


ROSTER = 400  # children of the municipality's departments in the measured month


def make_roster(app: Application[UUID], rng: random.Random) -> list[UUID]:
    """Children who already have attendance this month (so their month keys exist), as a
    kiosk sees them after the first day of a month. Recorded untimed."""
    children = [_uuid(rng) for _ in range(ROSTER)]
    day = DepartmentDay.open(_uuid(rng), _uuid(rng), DAY)
    start = datetime(DAY.year, DAY.month, DAY.day, 6, 0, tzinfo=UTC)
    for child in children:
        day.check_in(_uuid(rng), child, start, None)
    app.save(day)
    return children


def _inputs(
    rng: random.Random, count: int, roster: list[UUID] | None = None, per_day: int = 100
) -> list[CheckIn]:
    """Check-ins: new children (``roster`` None), or roster children distinct within each
    run of ``per_day`` (a child checks in once per department-day)."""
    start = datetime(DAY.year, DAY.month, DAY.day, 6, 0, tzinfo=UTC)
    if roster is None:
        children = [_uuid(rng) for _ in range(count)]
    else:
        children = []
        while len(children) < count:
            children += rng.sample(roster, min(per_day, count - len(children)))
    return [
        CheckIn(_uuid(rng), child, start + timedelta(seconds=rng.randrange(36000)), _uuid(rng))
        for child in children
    ]


def _open_days(app: Application[UUID], rng: random.Random, count: int) -> list[DepartmentDay]:
    """Department-days opened and saved untimed, so timed saves store check-ins only."""
    days = [DepartmentDay.open(_uuid(rng), _uuid(rng), DAY) for _ in range(count)]
    app.save(*days)
    return days


def _timed_start() -> float:
    gc.collect()
    return time.perf_counter()


def single_append(
    app: Application[UUID], rng: random.Random, commands: int, roster: list[UUID] | None
) -> tuple[int, float]:
    """N commands, each one check-in on one of many open department-days (a child checks in
    at most once per department-day)."""
    days = _open_days(app, rng, max(16, commands // 8 + 1))
    inputs = _inputs(rng, commands, roster, per_day=8)
    started = _timed_start()
    for n, c in enumerate(inputs):
        day = days[n // 8]
        day.check_in(c.submission_id, c.child_id, c.at, c.by)
        app.save(day)
    return commands, time.perf_counter() - started


def batch_append(
    app: Application[UUID],
    rng: random.Random,
    saves: int,
    size: int = 100,
    roster: list[UUID] | None = None,
) -> tuple[int, float]:
    """Saves of ``size`` check-ins each (different children) on one department-day per save."""
    days = _open_days(app, rng, saves)
    inputs = [_inputs(rng, size, roster) for _ in range(saves)]
    started = _timed_start()
    for day, batch in zip(days, inputs, strict=True):
        for c in batch:
            day.check_in(c.submission_id, c.child_id, c.at, c.by)
        app.save(day)
    return saves * size, time.perf_counter() - started


def replay(app: Application[UUID]) -> tuple[int, float]:
    """Every notification, in pages, decoded by the app's mapper (Gallra fetches keys per page).

    Gallra's key caches are emptied first, so fetching and unwrapping keys is part of it.
    """
    sealed = app if isinstance(app, GallraApplication) else None
    recorder = app.recorder
    mapper = app.mapper
    if sealed is not None:
        sealed.keystore.evict()
    count = 0
    last = 0
    started = _timed_start()
    while True:
        page = recorder.select_notifications(start=last, limit=PAGE, inclusive_of_start=False)
        if not page:
            break
        if sealed is not None:
            sealed.sealing_mapper.to_domain_events(page)  # one key query, one parse per page
        else:
            for notification in page:
                mapper.to_domain_event(notification)
        count += len(page)
        last = page[-1].id
        if len(page) < PAGE:
            break
    return count, time.perf_counter() - started


def verify(app: GallraApplication) -> tuple[int, float]:
    """The whole log verified (ADR 0024): every stream's chain and a checkpoint signed over it
    before the clock starts, so its signature and digest are checked too. Gallra only; its
    rate is compared with the bare side's replay."""
    store = CheckpointStore(app.keystore, postgres=not isinstance(app.factory, SQLiteFactory))
    store.create_table()
    signer = Signer(app.secrets.checkpoint_key or bytes(32))
    report = verify_log(app.recorder, store.all(), known_keys([signer.public]))
    if report.failure is not None:
        raise AssertionError(f"the bench's own log does not verify: {report.failure}")
    if report.signed_through != report.last_position:
        seq = report.checkpoints + 1
        at = datetime.now(UTC)
        store.add(signer.sign(seq, report.last_position, report.events, report.digest, at))
    started = _timed_start()
    report = verify_log(app.recorder, store.all(), known_keys([signer.public]))
    seconds = time.perf_counter() - started
    if not report.ok or report.checkpoints == 0:
        raise AssertionError(f"verification failed in the bench: {report}")
    return report.events, seconds


def warm_up(app: Application[UUID], rng: random.Random) -> None:
    """Import, resolve topics, fill statement caches and pools before anything is timed.

    Also checks that what was written reads back whole (so no side is fast by being wrong).
    """
    single_append(app, rng, 20, None)
    batch_append(app, rng, 2, 10)
    replay(app)
    page = app.recorder.select_notifications(start=None, limit=PAGE)
    if isinstance(app, GallraApplication):
        app.keystore.evict()
        if b'"child_id"' in b"".join(n.state for n in page):
            raise AssertionError("Gallra stored a personal field in plaintext")
    checked = [
        e for e in map(app.mapper.to_domain_event, page) if isinstance(e, DepartmentDay.CheckedIn)
    ]
    if len(checked) != 40 or not all(isinstance(e.child_id, UUID) for e in checked):
        raise AssertionError(f"{type(app).__name__}: check-ins did not read back whole")
