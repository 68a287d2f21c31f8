"""Jobs that run by the calendar, inside the serving process: each is safe to run again.

- Consent reminders: from the configured day (default 1 August, before the school year starts
  in the middle of August) to the end of the year, if this school year's reminders have not all
  been queued, queue them (the seed: "Inför varje läsårsstart blir vårdnadshavare ... påmind om
  sina val"). Starting late still reminds; a crash half-way is finished by the next tick.
- The outbox: hand owed notices to the sender.
- The night close: once a day (the first tick of a new day), close the department-days before
  today that are not yet closed (``api.day_close``); a failure is retried on the next tick.
- The night checkpoint: after the night close, verify the log and sign a checkpoint at its
  end (ADR 0024), so what is appended is covered by a signature within a day. A log that
  does not verify gets no checkpoint, and the error log says which finding, never a value.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from api.day_close import close_finished_days
from retention.integrity.checkpoints import Checkpoint, CheckpointError
from retention.sealing import actor

if TYPE_CHECKING:
    from api.bootstrap import Gallra

log = logging.getLogger(__name__)


def reminder_day(setting: str, year: int) -> date:
    month, day = (int(part) for part in setting.split("-"))
    return date(year, month, day)


@dataclass(frozen=True)
class Tick:
    reminders_queued: int
    delivered: int


def tick(gallra: Gallra, today: date) -> Tick:
    """Run whatever is due on ``today``."""
    queued = 0
    start = reminder_day(gallra.settings.consent_reminder_date, today.year)
    app = gallra.app
    if start <= today and not app.consent_reminders_done(today):
        children = gallra.access.placed_children(today)
        queued = app.queue_consent_reminders(children, today)
        log.info("queued %d consent reminders", queued)
    return Tick(queued, gallra.outbox.deliver().delivered)


def close_days(gallra: Gallra, today: date) -> int:
    """Close the department-days before ``today``; returns how many were closed now."""
    run = close_finished_days(gallra, today - timedelta(days=1))
    if run.closed:
        log.info("closed %d department-days", run.closed)
    return run.closed


def sign_checkpoint(gallra: Gallra) -> Checkpoint | None:
    """Sign a checkpoint over the log if there is a key and something new; None otherwise."""
    if gallra.integrity.signer is None:
        return None
    try:
        made, _report = gallra.integrity.checkpoint()
    except CheckpointError as e:
        log.error("no checkpoint signed: %s", e)  # ids and findings only (ADR 0024)
        return None
    if made is not None:
        log.info("signed checkpoint %d through notification %d", made.seq, made.position)
    return made


class Scheduler:
    def __init__(self, gallra: Gallra) -> None:
        self.gallra = gallra
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed_on: date | None = None  # the day the night close last ran for

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="gallra-scheduler", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        from api.bootstrap import today

        interval = self.gallra.settings.outbox_interval_seconds
        while not self._stop.wait(interval):
            self.run_due(today(self.gallra))

    def run_due(self, day: date) -> None:
        """One tick: whatever is due on ``day``, recorded as done by the system."""
        try:
            with actor.acting_as(actor.SYSTEM):
                tick(self.gallra, day)
                if self._closed_on != day:
                    close_days(self.gallra, day)
                    sign_checkpoint(self.gallra)
                    self._closed_on = day
        except Exception as e:  # keep running; say what kind of fault, never a value
            log.error("scheduled jobs failed: %s", type(e).__name__)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
