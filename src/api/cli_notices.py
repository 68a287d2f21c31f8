"""``gallra notices``: the outbox and the consent reminders, run by hand or from cron.

The serving process runs both on its own (see ``api.scheduler``); these commands are for an
operator who wants to run them now, or a deployment that runs jobs outside the server.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_shared import Backend, DataDir, day_option, opened, out

notices_cli = typer.Typer(help="Notices owed: delivery and reminders.", no_args_is_help=True)
On = Annotated[str | None, typer.Option(help="the day to act as of, YYYY-MM-DD (default today)")]


@notices_cli.command("deliver")
def deliver(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Hand every notice owed to the sender now."""
    with opened(backend, data_dir) as gallra:
        done = gallra.outbox.deliver()
        out.print(
            f"delivered {done.delivered}, failed {done.failed}, abandoned {done.abandoned} "
            f"(culled before delivery)"
        )


@notices_cli.command("remind-consent")
def remind_consent(backend: Backend = None, data_dir: DataDir = None, on: On = None) -> None:
    """Queue this school year's consent reminders for every adult responsible for a child in
    preschool on the day; reminders already queued are not queued again."""
    with opened(backend, data_dir) as gallra:
        day = day_option(on, gallra, "--on")
        children = gallra.access.placed_children(day)
        queued = gallra.app.queue_consent_reminders(children, day)
        out.print(f"queued {queued} consent reminders for {len(children)} placed children")
