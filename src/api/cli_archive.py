"""``gallra archive``: deliver preserved records to the city archive, and record its receipt.

``build`` writes one E-ARK SIP package of everything due for the archive and not yet
delivered, checks it, and records the delivery; the package holds the records in plaintext,
so write it straight to the archive's transfer area. ``receipt`` records the archive's
confirmation; only then may a gallring run shred what the package holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from api.cli_shared import Backend, DataDir, day_option, fail, opened, out, show_table
from domain.errors import DomainError

archive_cli = typer.Typer(help="Delivery to the city archive (Stadsarkivet).", no_args_is_help=True)

By = Annotated[str, typer.Option(help="who does this, for the record (a role or staff id)")]


@archive_cli.command("build")
def build_package(
    out_dir: Annotated[Path, typer.Option("--out", help="where to write the package")],
    by: By,
    as_of: Annotated[str | None, typer.Option(help="date to deliver for (default today)")] = None,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Build, check and record one package of everything due for the archive."""
    with opened(backend, data_dir) as gallra:
        day = day_option(as_of, gallra)
        try:
            built = gallra.archive.build(gallra.gallring.survey(day), out_dir, by)
        except (DomainError, OSError) as e:
            fail(str(e))
        if built is None:
            out.print(f"nothing is due for the archive on {day}")
            return
        out.print(
            f"package {built.package_id}: {built.subjects} subjects, {built.records} records, "
            f"{built.files} files, {built.scopes} scopes; checked; written to {built.path}"
        )


@archive_cli.command("receipt")
def receipt(
    package_id: Annotated[UUID, typer.Argument(help="the package the archive received")],
    reference: Annotated[str, typer.Option(help="the archive's receipt or registration number")],
    by: By,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Record the archive's receipt: the next run may shred what the package holds."""
    with opened(backend, data_dir) as gallra:
        try:
            new = gallra.archive.record_receipt(package_id, reference, by)
        except DomainError as e:
            fail(str(e))
        out.print(f"package {package_id} {'received' if new else 'was already received'}")


@archive_cli.command("list")
def list_deliveries(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Every delivery ever built, and whether the archive has confirmed it."""
    with opened(backend, data_dir) as gallra:
        rows = [
            (
                str(d.id),
                str(d.built_on),
                d.built_by,
                ", ".join(d.categories),
                str(d.subjects),
                str(d.records),
                f"{d.reference} ({d.received_on})" if d.received else "awaited",
            )
            for d in gallra.archive.deliveries()
        ]
    columns = ("package", "built", "by", "categories", "subjects", "records", "receipt")
    show_table("deliveries to the city archive", columns, rows, "no deliveries")
