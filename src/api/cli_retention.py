"""``gallra retention``: the dry run, gallring runs, and legal holds.

The dry run lists what is due per rule and, beside it, what is due but held back and why (a
legal hold, or preserved data waiting for the city archive's receipt).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

import typer
from rich.table import Table

from api.bootstrap import Gallra
from api.cli_shared import Backend, DataDir, day_option, fail, opened, out, progress_bar, show_table
from domain.errors import DomainError

retention_cli = typer.Typer(help="Gallring under the retention plan.", no_args_is_help=True)

AsOf = Annotated[str | None, typer.Option(help="date to plan for, YYYY-MM-DD (default today)")]
By = Annotated[str, typer.Option(help="who orders this, for the record (a role or staff id)")]


def _show_plan(gallra: Gallra, as_of: date) -> int:
    survey = gallra.gallring.survey(as_of)
    table = Table(title=f"gallring due on {as_of} (plan {gallra.plan.version})")
    for column in ("rule", "category", "months", "scopes", "subjects", "events", "note"):
        table.add_column(column, no_wrap=column in ("rule", "category"))
    for c in survey.culls:
        table.add_row(
            c.rule_id,
            c.category,
            _months(c.months),
            str(len(c.key_ids)),
            str(c.subjects),
            "?" if c.events is None else str(c.events),
            "resumes an interrupted run" if c.resumes else "",
        )
    out.print(table if survey.culls else f"nothing is due on {as_of}")
    if survey.held_back:
        held = Table(title="due but held back")
        for column in ("rule", "category", "months", "scopes", "subjects", "why"):
            held.add_column(column, no_wrap=column in ("rule", "category"))
        for h in survey.held_back:
            held.add_row(
                h.rule_id, h.category, _months(h.months), str(h.scopes), str(h.subjects), h.reason
            )
        out.print(held)
    return len(survey.culls)


def _months(months: tuple[str, ...]) -> str:
    return f"{months[0]} .. {months[-1]} ({len(months)})" if months else "-"


@retention_cli.command("plan")
def retention_plan(as_of: AsOf = None, backend: Backend = None, data_dir: DataDir = None) -> None:
    """Dry run: list what is due for culling, by rule, and what is held back, changing nothing."""
    with opened(backend, data_dir) as gallra:
        _show_plan(gallra, day_option(as_of, gallra))


@retention_cli.command("run")
def retention_run(
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option(help="only list what would be culled")] = False,
    by: By = "operator",
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Cull everything due under the retention plan, leaving a gallring record per rule."""
    with opened(backend, data_dir) as gallra:
        day = day_option(as_of, gallra)
        if dry_run:
            _show_plan(gallra, day)
            return
        with progress_bar() as progress:
            task = progress.add_task("culling", total=None)
            results = gallra.gallring.run(
                day,
                by=by,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        if not results:
            out.print(f"nothing is due on {day}")
        for r in results:
            out.print(
                f"run {r.run_id}: rule {r.rule_id}, {r.category}, {len(r.months)} months, "
                f"{r.keys_destroyed} keys destroyed, {r.subjects} subjects, "
                f"{'?' if r.events is None else r.events} events"
                + (" (resumed)" if r.resumed else "")
            )


@retention_cli.command("hold")
def hold(
    subject: Annotated[UUID, typer.Argument(help="the data subject (a child's or person's id)")],
    reason: Annotated[str, typer.Option(help="why culling must pause (sealed)")],
    by: By,
    until: Annotated[
        str | None, typer.Option(help="last day of the hold (default: lifted)")
    ] = None,
    hold_id: Annotated[UUID | None, typer.Option(help="a retry's hold id (default: new)")] = None,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Place a legal hold: nothing of the subject is culled until it is lifted or ends."""
    with opened(backend, data_dir) as gallra:
        last = day_option(until, gallra, "--until") if until is not None else None
        chosen = hold_id or uuid4()
        try:
            placed = gallra.app.place_hold(chosen, subject, reason, by, until=last)
        except DomainError as e:
            fail(str(e))
        out.print(f"hold {chosen} {'placed' if placed else 'was already placed'}")


@retention_cli.command("lift")
def lift(
    hold_id: Annotated[UUID, typer.Argument(help="the hold to lift")],
    by: By,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Lift a legal hold from today: the subject's culling resumes at the next run."""
    with opened(backend, data_dir) as gallra:
        try:
            lifted = gallra.app.lift_hold(hold_id, by)
        except DomainError as e:
            fail(str(e))
        out.print(f"hold {hold_id} {'lifted' if lifted else 'was already lifted'}")


@retention_cli.command("holds")
def holds(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Every legal hold ever placed, lifted ones too."""
    with opened(backend, data_dir) as gallra:
        rows = [
            (
                str(h.hold_id),
                str(h.subject_id),
                str(h.placed_on),
                h.placed_by,
                str(h.until or "-"),
                f"{h.lifted_on} by {h.lifted_by}" if h.lifted_on else "-",
                str(h.reason),
            )
            for h in gallra.app.legal_holds()
        ]
    columns = ("hold", "subject", "placed", "by", "until", "lifted", "reason")
    show_table("legal holds", columns, rows, "no legal holds")


@retention_cli.command("plans")
def plans(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Every retention plan version Gallra has run under, and since when."""
    with opened(backend, data_dir) as gallra:
        rows = [
            (a.version, a.adopted_at.isoformat(timespec="seconds"), a.sha256)
            for a in gallra.app.plan_adoptions()
        ]
    columns = ("version", "adopted", "rules digest (SHA-256)")
    show_table("retention plans in force", columns, rows, "no plan adopted yet")
