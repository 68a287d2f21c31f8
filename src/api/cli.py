"""The operators' command line: serve, tokens, retention runs, projection rebuilds.

Errors print one line to stderr and exit non-zero; long work shows a progress bar.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated
from uuid import UUID

import typer
from rich.progress import TaskID
from rich.table import Table

import api.cli_anonymity  # noqa: F401  (adds `retention anonymity`)
from api.bootstrap import Gallra, today
from api.cli_archive import archive_cli
from api.cli_attendance import attendance_cli
from api.cli_keys import keys_cli
from api.cli_log import log_cli
from api.cli_notices import notices_cli
from api.cli_retention import retention_cli
from api.cli_shared import (
    Backend,
    DataDir,
    err,
    fail,
    open_store,
    opened,
    out,
    progress_bar,
    store_settings,
)
from api.kiosk_pairing import demo_kiosk_token, pair_kiosk
from api.tokens import Principal, Role
from domain.civic_number import InvalidCivicNumber
from domain.errors import DomainError
from retention.errors import RetentionError
from retention.plan import PlanError
from retention.sealing import actor

cli = typer.Typer(
    help="Gallra: school records, auditable for ever and forgotten on schedule.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
projections_cli = typer.Typer(help="Read models.", no_args_is_help=True)
cli.add_typer(retention_cli, name="retention")
cli.add_typer(projections_cli, name="projections")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(notices_cli, name="notices")
cli.add_typer(attendance_cli, name="attendance")
cli.add_typer(archive_cli, name="archive")
cli.add_typer(log_cli, name="log")


@cli.command()
def serve(
    backend: Backend = None,
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="seed a synthetic municipality on first start")
    ] = False,
) -> None:
    """Run the HTTP API."""
    import uvicorn

    from api.http.app import create_http_app

    settings = store_settings(backend, data_dir, create_secrets=True if demo else None)
    with actor.acting_as(actor.OPERATOR):  # requests and scheduled jobs bind their own
        gallra = open_store(settings)
        if demo:
            _seed_demo(gallra, host, port)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_http_app(gallra), host=host, port=port, log_level="info")


def _seed_demo(gallra: Gallra, host: str, port: int) -> None:
    """Seed a new store with a synthetic municipality, then print tokens to try it with."""
    from api.demo import seed
    from api.demo_school import seed_school
    from api.demo_tempus import seed_tempus

    if not gallra.app.holds_records():  # a new store: only its plan history
        with progress_bar() as progress:
            task = progress.add_task("seeding a synthetic municipality", total=None)
            seeded = seed(gallra.app, today=today(gallra), progress=lambda: progress.advance(task))
            seed_tempus(gallra.app, seeded, today=today(gallra))
            school = seed_school(gallra.app, today=today(gallra))
        out.print(
            f"  {len(seeded.units)} preschools, {len(seeded.children)} children, "
            f"{len(seeded.guardians)} guardians; a school with {len(school.students)} "
            "students, documentation and lessons"
        )
    _print_demo_tokens(gallra, host, port)


def _print_demo_tokens(gallra: Gallra, host: str, port: int) -> None:
    app = gallra.app
    units = []
    start = 0
    from eventsourcing.utils import get_topic

    from domain.organisation import Unit
    from domain.people import Child, Staff

    child_id = guardian_id = department_id = staff_id = teacher_id = student_id = None
    kinds = (Unit.Created, Child.GuardianLinked, Staff.DutyAssigned, Staff.AssignedToGroup)
    topics = [get_topic(t) for t in (*kinds, Child.JoinedGroup)]
    for n in app.recorder.select_notifications(start=start, limit=10_000, topics=topics):
        found = UUID(str(n.originator_id))
        if n.topic == topics[0]:
            units.append(found)
        elif n.topic == topics[1] and child_id is None:
            child_id = found
        elif n.topic == topics[2] and staff_id is None:
            staff_id = found  # the demo's preschool teacher, connected to children
        elif n.topic == topics[3] and found != staff_id:
            teacher_id = found  # the school's mentor of 7A
        elif n.topic == topics[4] and student_id is None:
            student_id = found
    if child_id is not None:
        guardian_id = next(iter(app.get_child(child_id).guardians), None)
    if units:
        department_id = next(iter(app.get_unit(units[0]).departments), None)
    table = Table(title="demo tokens (valid 12 hours; make more with `gallra token ROLE`)")
    table.add_column("role")
    table.add_column("bearer token", overflow="fold")
    principals = [
        Principal(Role.ADMIN, name="demo-admin"),
        Principal(Role.STAFF, subject=staff_id, name="demo-staff"),
        Principal(Role.STAFF, subject=teacher_id, name="demo-teacher"),
        Principal(Role.STUDENT, subject=student_id, name="demo-student"),
        Principal(Role.GUARDIAN, subject=guardian_id, name="demo-guardian"),
        Principal(Role.STATISTICIAN, name="demo-statistician"),
        Principal(Role.AUDITOR, name="demo-auditor"),
        *([Principal(Role.KITCHEN, name="demo-kitchen", unit=units[0])] if units else []),
    ]
    for principal in principals:
        table.add_row(principal.name.removeprefix("demo-"), gallra.tokens.issue(principal))
    if department_id is not None:  # a kiosk is a paired device, paired on the first start
        table.add_row("kiosk", demo_kiosk_token(gallra, department_id))
    out.print(table)
    out.print(f"OpenAPI docs: http://{host}:{port}/docs  (Authorize with a token above)")
    if child_id:
        out.print(
            f"a demo child: {child_id}   its guardian: {guardian_id}   "
            f"the kiosk's department: {department_id}"
        )


@cli.command()
def token(
    role: Annotated[
        Role, typer.Argument(help="admin, staff, guardian, kiosk, statistician, kitchen, auditor")
    ],
    subject: Annotated[
        UUID | None, typer.Option(help="the person the token is for (a guardian's or staff id)")
    ] = None,
    department: Annotated[
        UUID | None, typer.Option(help="the kiosk's department id (pairs a new kiosk there)")
    ] = None,
    name: Annotated[str, typer.Option(help="who the token is for, for records")] = "",
    unit: Annotated[UUID | None, typer.Option(help="the kitchen's unit id")] = None,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Print a bearer token for a role; for a kiosk, pair a new kiosk at the department and
    print its device token (valid kiosk_token_ttl_days, revoked by unpairing)."""
    if role == Role.GUARDIAN and subject is None:
        fail("a guardian token needs --subject (the guardian's id)")
    if role == Role.KIOSK and department is None:
        fail("a kiosk token needs --department")
    if role == Role.KITCHEN and unit is None:
        fail("a kitchen token needs --unit (the unit whose diet counts it reads)")
    with opened(backend, data_dir) as gallra:
        if role == Role.KIOSK and department is not None:
            try:
                issued = pair_kiosk(gallra, department, name or "kiosk", None, name).token
            except DomainError as e:  # an unknown department, a bad label
                fail(str(e))
                return
        else:
            who = Principal(role, subject, department, name or str(role), unit=unit)
            issued = gallra.tokens.issue(who)
        out.print(issued, soft_wrap=True)


@projections_cli.command("rebuild")
def projections_rebuild(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Drop the read models and project every event again."""
    with opened(backend, data_dir) as gallra:
        total = gallra.app.recorder.max_notification_id() or 0
        counts = [0]
        with progress_bar() as progress:
            for runner in gallra.runners:
                task = progress.add_task(f"projecting {runner.view.tracking_name}", total=total)

                def advance(position: int, last: int, task: TaskID = task) -> None:
                    progress.update(task, completed=position, total=last)

                counts.append(runner.rebuild(advance))
        out.print(f"projected {max(counts)} events")


def main() -> None:
    try:
        cli()
    except (DomainError, InvalidCivicNumber, RetentionError, PlanError) as e:
        err.print(f"gallra: {e}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
