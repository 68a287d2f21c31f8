"""``gallra attendance``: the night close run by hand or from cron.

The serving process closes finished department-days on its own once a day (``api.scheduler``);
this is for an operator who wants it now, or a deployment that runs jobs outside the server.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.bootstrap import Gallra, build, today
from api.day_close import close_finished_days
from api.settings import Settings

attendance_cli = typer.Typer(help="Attendance: the night close.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

Backend = Annotated[str | None, typer.Option(help="sqlite or postgres")]
DataDir = Annotated[Path | None, typer.Option(help="where the SQLite database and secrets live")]
Through = Annotated[
    str | None,
    typer.Option(help="the last day to close, YYYY-MM-DD (default yesterday; never today)"),
]


def _open(backend: str | None, data_dir: Path | None) -> Gallra:
    try:
        return build(Settings.from_env(backend=backend, data_dir=data_dir))
    except Exception as e:  # one line, never a traceback full of values
        err.print(f"gallra: cannot open the store: {type(e).__name__}", markup=False)
        raise typer.Exit(1) from None


@attendance_cli.command("close-days")
def close_days(through: Through = None, backend: Backend = None, data_dir: DataDir = None) -> None:
    """Close every department-day up to --through (looking back the configured days) that is
    over and not yet closed: open check-ins closed with zero minutes, plan figures recorded."""
    gallra = _open(backend, data_dir)
    try:
        current = today(gallra)
        last = current - timedelta(days=1)
        if through is not None:
            try:
                last = date.fromisoformat(through)
            except ValueError:
                err.print("gallra: --through must be a date, YYYY-MM-DD", markup=False)
                raise typer.Exit(1) from None
        if last >= current:
            err.print("gallra: only days before today can be closed", markup=False)
            raise typer.Exit(1)
        progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
        )
        with progress:
            task = progress.add_task("closing department-days", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            run = close_finished_days(gallra, last, advance)
        out.print(f"closed {run.closed} of {run.considered} department-days through {last}")
    finally:
        gallra.close()
