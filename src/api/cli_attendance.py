"""``gallra attendance``: the night close run by hand or from cron.

The serving process closes finished department-days on its own once a day (``api.scheduler``);
this is for an operator who wants it now, or a deployment that runs jobs outside the server.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer

from api.bootstrap import today
from api.cli_shared import Backend, DataDir, fail, opened, out, progress_bar
from api.day_close import close_finished_days

attendance_cli = typer.Typer(help="Attendance: the night close.", no_args_is_help=True)
Through = Annotated[
    str | None,
    typer.Option(help="the last day to close, YYYY-MM-DD (default yesterday; never today)"),
]


@attendance_cli.command("close-days")
def close_days(through: Through = None, backend: Backend = None, data_dir: DataDir = None) -> None:
    """Close every department-day up to --through (looking back the configured days) that is
    over and not yet closed: open check-ins closed with zero minutes, plan figures recorded."""
    with opened(backend, data_dir) as gallra:
        current = today(gallra)
        last = current - timedelta(days=1)
        if through is not None:
            try:
                last = date.fromisoformat(through)
            except ValueError:
                fail("--through must be a date, YYYY-MM-DD")
        if last >= current:
            fail("only days before today can be closed")
        with progress_bar() as progress:
            task = progress.add_task("closing department-days", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            run = close_finished_days(gallra, last, advance)
        out.print(f"closed {run.closed} of {run.considered} department-days through {last}")
