"""``gallra notices``: the outbox and the consent reminders, run by hand or from cron.

The serving process runs both on its own (see ``api.scheduler``); these commands are for an
operator who wants to run them now, or a deployment that runs jobs outside the server.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.bootstrap import Gallra, build, today
from api.settings import Settings

notices_cli = typer.Typer(help="Notices owed: delivery and reminders.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

Backend = Annotated[str | None, typer.Option(help="sqlite or postgres")]
DataDir = Annotated[Path | None, typer.Option(help="where the SQLite database and secrets live")]
On = Annotated[str | None, typer.Option(help="the day to act as of, YYYY-MM-DD (default today)")]


def _open(backend: str | None, data_dir: Path | None) -> Gallra:
    try:
        return build(Settings.from_env(backend=backend, data_dir=data_dir))
    except Exception as e:  # one line, never a traceback full of values
        err.print(f"gallra: cannot open the store: {type(e).__name__}", markup=False)
        raise typer.Exit(1) from None


def _day(value: str | None, gallra: Gallra) -> date:
    if value is None:
        return today(gallra)
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print("gallra: --on must be a date, YYYY-MM-DD", markup=False)
        raise typer.Exit(1) from None


@notices_cli.command("deliver")
def deliver(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Hand every notice owed to the sender now."""
    gallra = _open(backend, data_dir)
    try:
        done = gallra.outbox.deliver()
        out.print(
            f"delivered {done.delivered}, failed {done.failed}, abandoned {done.abandoned} "
            f"(culled before delivery)"
        )
    finally:
        gallra.close()


@notices_cli.command("remind-consent")
def remind_consent(backend: Backend = None, data_dir: DataDir = None, on: On = None) -> None:
    """Queue this school year's consent reminders for every adult responsible for a child in
    preschool on the day; reminders already queued are not queued again."""
    gallra = _open(backend, data_dir)
    try:
        day = _day(on, gallra)
        children = gallra.access.placed_children(day)
        queued = gallra.app.queue_consent_reminders(children, day)
        out.print(f"queued {queued} consent reminders for {len(children)} placed children")
    finally:
        gallra.close()
