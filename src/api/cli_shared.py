"""What every ``gallra`` subcommand shares: the store options, one-line failures, opening the
store, progress bars and date options."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from api.bootstrap import Gallra, build, today
from api.settings import Settings
from retention.errors import RetentionError
from retention.plan import PlanError
from retention.sealing import actor

out = Console()
err = Console(stderr=True)

Backend = Annotated[
    str | None, typer.Option(help="sqlite or postgres (default: GALLRA_BACKEND or sqlite)")
]
DataDir = Annotated[Path | None, typer.Option(help="where the SQLite database and secrets live")]


def store_settings(backend: str | None, data_dir: Path | None, **extra: object) -> Settings:
    return Settings.from_env(backend=backend, data_dir=data_dir, **extra)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 1: never a traceback full of values."""
    err.print(f"gallra: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def open_store(store: Settings) -> Gallra:
    try:
        return build(store)
    except (RetentionError, PlanError) as e:
        fail(str(e))
    except Exception as e:  # a database that is down, a bad path, ...
        fail(f"cannot open the store: {type(e).__name__}: {e}")


@contextmanager
def opened(backend: str | None, data_dir: Path | None) -> Iterator[Gallra]:
    """The store for one command, closed however the command ends; what the command writes
    is recorded as done by the operator."""
    with actor.acting_as(actor.OPERATOR):
        gallra = open_store(store_settings(backend, data_dir))
        try:
            yield gallra
        finally:
            gallra.close()


def show_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], empty: str
) -> None:
    """A listing as a table (long values folded), or one line saying there is nothing."""
    if not rows:
        out.print(empty)
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    out.print(table)


def progress_bar(*, transient: bool = False) -> Progress:
    """A bar on stderr; a transient one is gone once done (and not drawn at all where stderr
    is no terminal), so a failure after it stays the one line on stderr."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=transient,
        disable=transient and not err.is_terminal,
    )


def day_option(value: str | None, gallra: Gallra, option: str = "--as-of") -> date:
    """A YYYY-MM-DD option, or today in the municipality's time zone."""
    if value is None:
        return today(gallra)
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-11-28, not {value!r}")
