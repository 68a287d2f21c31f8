"""``gallra retention anonymity``: what survives gallring, audited as an intruder holding the
database files (but no key) would read it (ADR 0020, docs/anonymity.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from api.cli_retention import retention_cli
from api.cli_shared import Backend, DataDir, opened, out, progress_bar, show_table
from retention.anonymity import AnonymityReport, audit_store


@retention_cli.command("anonymity")
def anonymity(
    threshold: Annotated[
        int | None,
        typer.Option(
            min=1, help="smallest group that hides a person (default: the suppression threshold)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Audit what survives gallring: smallest groups sharing quasi-identifiers, and the
    longest span over which one culled person's records still link."""
    with opened(backend, data_dir) as gallra:
        app = gallra.app
        with progress_bar() as bar:
            task = bar.add_task("reading the log", total=None)
            report = audit_store(
                app.recorder,
                app.keystore,
                app.mapper.transcoder.decode,
                threshold or gallra.settings.suppression_threshold,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if as_json:
        out.print_json(json.dumps(asdict(report), default=str))
        return
    show_report(report)


def show_report(report: AnonymityReport) -> None:
    longest = report.longest
    out.print(
        f"{report.remnants} records read; {report.culled_remnants} belong to "
        f"{report.culled_trails} culled trails (linked records of people culled to the last)."
    )
    out.print(
        f"smallest group: {report.smallest_group.trails if report.smallest_group else '-'}; "
        f"{report.groups_below} groups with {report.remnants_below} records hold fewer than "
        f"{report.threshold}; {report.unique_profiles} trails have a profile of their own."
    )
    out.print(
        f"of those records, {report.linked_below} are linked to another record of the same "
        f"trail; {report.telling_below} show a readable value beyond where, when and what."
    )
    for label, trail in (
        ("longest linkable span", longest),
        ("longest outside a person's own stream", report.longest_elsewhere),
    ):
        if trail is not None:
            made_of = ", ".join(f"{kind} x{n}" for kind, n in trail.kinds[:6])
            out.print(f"{label}: {trail.span_days} days ({made_of})")
    show_table(
        "trails by span", ("span", "trails"), [(k, str(v)) for k, v in report.spans.items()], ""
    )
    linked, telling = dict(report.kinds_linked_below), dict(report.kinds_telling_below)
    show_table(
        f"kinds of record in groups below {report.threshold}",
        ("kind", "records", "linked", "telling"),
        [
            (kind, str(n), str(linked.get(kind, 0)), str(telling.get(kind, 0)))
            for kind, n in report.kinds_below
        ],
        f"no culled record is in a group below {report.threshold}",
    )
