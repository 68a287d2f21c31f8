"""The night close: every department-day that is over is closed once.

For each day from ``through`` back ``settings.day_close_look_back_days`` days (default 7, so
a server that was down for a few days catches up, while a department-day older than a week
stays as the kiosks left it), every department with children placed that day and not yet
closed gets: the children placed (the access view), their scheduled minutes (the schedules;
None = no schedule), and the close. A department-day nobody checked in at and nobody was
scheduled for makes no stream. Each close is idempotent, so a job run twice, or by the CLI
and the server at once, closes each day once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from projections.views.placed_departments import placed_departments as departments_with_placements

if TYPE_CHECKING:
    from api.bootstrap import Gallra

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CloseRun:
    considered: int  # department-days looked at
    closed: int  # department-days closed now


def placed_departments(gallra: Gallra, day: date) -> dict[UUID, UUID]:
    """Departments (-> their unit) where some child has a placement on ``day``."""
    gallra.access.runner.catch_up()
    return departments_with_placements(gallra.access.view, day)


def close_finished_days(
    gallra: Gallra, through: date, progress: Progress | None = None
) -> CloseRun:
    """Close every department-day from ``through`` back the look-back period that is over
    (before today) and not yet closed."""
    today = gallra.app.local_day(gallra.app.clock())
    look_back = gallra.settings.day_close_look_back_days
    days = [d for d in (through - timedelta(days=n) for n in range(look_back)) if d < today]
    work: list[tuple[date, UUID, UUID]] = []
    gallra.runner.catch_up()
    for day in sorted(days):
        closed = gallra.view.closed_departments(day)
        for department, unit in sorted(placed_departments(gallra, day).items()):
            if department not in closed:
                work.append((day, department, unit))
    done = 0
    for n, (day, department, unit) in enumerate(work):
        children = gallra.access.members_of(department, day)
        minutes = gallra.app.scheduled_minutes_of(children, day)
        planned = [m for m in minutes.values() if m]  # a day off is not a scheduled child
        if gallra.app.close_department_day(
            department, day, len(children), len(planned), sum(planned), unit_id=unit
        ):
            done += 1
        if progress is not None:
            progress(n + 1, len(work))
    return CloseRun(len(work), done)
