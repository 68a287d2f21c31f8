"""Keeps a view current with the notification log: exactly once, resumable, rebuildable.

One runner drives one projection/view pair (attendance, access control, ...), each view with
its own tracking name, so each is rebuilt and resumed on its own.

Both backends share one loop: read a page of notifications after the view's tracking
position, fetch the page's keys in one query, turn events into changes, and commit the changes
with the new position in one transaction. If another process committed the same page first,
the tracking row refuses ours, the transaction rolls back, and the loop reads on from the new
position: no event is applied twice.

SQLite has no subscriptions, so the view is pulled up to date when it is read (and by an
optional polling thread). PostgreSQL also runs a LISTEN/NOTIFY subscription in a thread that
pulls as soon as events are recorded.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Tracking

from projections.attendance import AttendanceProjection
from projections.views.attendance import AttendanceViewSQL
from retention.sealing.mapper import SealingMapper

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
C_co = TypeVar("C_co", covariant=True)
C_contra = TypeVar("C_contra", contravariant=True)


class Projection(Protocol[C_co]):
    """Events in, changes out; whatever it caches can be read back from its view."""

    def changes(self, domain_event: Any, /) -> Sequence[C_co]: ...

    def reload(self) -> None:
        """Replace the cache with what the view holds (empty after a reset)."""


class View(Protocol[C_contra]):
    """Commits a page of changes with its tracking position, in one transaction."""

    tracking_name: str

    def apply(self, changes: Sequence[C_contra], tracking: Tracking, /) -> None: ...

    def reset(self) -> None: ...

    def max_tracking_id(self, application_name: str, /) -> int | None: ...


class AttendanceCache(AttendanceProjection):
    """The attendance projection, reloading its stream -> department map from its view."""

    def __init__(self, view: AttendanceViewSQL) -> None:
        super().__init__(view.department_streams())
        self._view = view

    def reload(self) -> None:
        self.department_of.clear()
        self.department_of.update(self._view.department_streams())


class ProjectionRunner:
    """Any projection with its view; the pair agrees on the change types between them."""

    def __init__(
        self,
        app: Application[UUID],
        view: View[Any],
        projection: Projection[Any],
        *,
        page_size: int = 500,
    ) -> None:
        self.app = app
        self.view = view
        self.page_size = page_size
        self.projection = projection
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def mapper(self) -> SealingMapper:
        mapper = self.app.mapper
        assert isinstance(mapper, SealingMapper)
        return mapper

    def position(self) -> int:
        return self.view.max_tracking_id(self.view.tracking_name) or 0

    def catch_up(self, progress: Progress | None = None) -> int:
        """Process every recorded event not yet in the view; returns how many were read."""
        with self._lock:
            done = 0
            last = self.app.recorder.max_notification_id() or 0
            while True:
                start = self.position()
                page = self.app.recorder.select_notifications(
                    start=start, limit=self.page_size, inclusive_of_start=False
                )
                if not page:
                    return done
                changes: list[Any] = []
                for event in self.mapper.to_domain_events(page):
                    changes.extend(self.projection.changes(event))
                try:
                    self.view.apply(changes, Tracking(self.view.tracking_name, page[-1].id))
                except IntegrityError:
                    if self.position() <= start:
                        raise  # not a lost race: the view refused the changes themselves
                    # Another process recorded this page first; reload what it learned.
                    self.projection.reload()
                    continue
                done += len(page)
                if progress is not None:
                    progress(page[-1].id, max(last, page[-1].id))

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop the view and project every event again from the first."""
        with self._lock:
            self.view.reset()
            self.projection.reload()
        return self.catch_up(progress)

    # -- background ------------------------------------------------------------------------

    def start(self, poll_interval: float = 1.0) -> None:
        """Keep the view current in a thread: LISTEN/NOTIFY where the recorder has it."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run,
            args=(poll_interval,),
            name=f"gallra-projection-{self.view.tracking_name}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, poll_interval: float) -> None:
        try:
            self.catch_up()
            try:
                subscription = self.app.recorder.subscribe(gt=self.position())
            except NotImplementedError:
                while not self._stop.wait(poll_interval):
                    self.catch_up()
                return

            def heartbeat() -> None:
                # A NOTIFY sent while the subscription was still setting up its LISTEN is
                # lost; polling now and then picks up what such a gap left behind.
                try:
                    while not self._stop.wait(poll_interval):
                        self.catch_up()
                except BaseException as e:
                    self.error = e
                finally:
                    subscription.stop()

            with subscription:
                threading.Thread(target=heartbeat, name="gallra-heartbeat", daemon=True).start()
                for _notification in subscription:
                    if self._stop.is_set():
                        break
                    self.catch_up()
        except BaseException as e:  # surfaced by stop() and health checks
            self.error = e
            log.error("projection runner stopped: %s", type(e).__name__)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            with contextlib.suppress(RuntimeError):
                self._thread.join(timeout=10)
            self._thread = None
