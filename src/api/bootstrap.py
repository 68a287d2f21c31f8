"""The composition root: settings in, a wired Gallra out. Tests call it with their own parts."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory
from psycopg import sql

from api.access_log import make_access_log
from api.application import GallraApplication, utc_now
from api.archive_delivery import ArchiveDeliveries
from api.outbox import Outbox, RecordingSender, Sender, make_outbox
from api.record_history import RecordHistories
from api.settings import Settings
from api.subject_access import SubjectAccess
from api.subject_culled import culled_of
from api.tokens import TokenIssuer
from domain.errors import ConflictError
from domain.personal import Category
from projections.access import AccessControl, AccessProjection
from projections.access_log import AccessLogQuery
from projections.currency import Currency
from projections.lessons import LessonRecords
from projections.preschool_statistics import PreschoolStatistics
from projections.roster import RosterRecords
from projections.runner import AttendanceCache, ProjectionRunner
from projections.statistics import AttendanceStatistics
from projections.views.attendance import AttendanceViewSQL
from projections.views.currency import make_currency
from projections.views.lessons import make_lesson_records
from projections.views.postgres import PostgresAccessView, PostgresAttendanceView
from projections.views.roster import make_roster_records
from projections.views.sqlite import SQLiteAccessView, SQLiteAttendanceView
from retention.errors import KekError
from retention.gallring import Gallring
from retention.integrity.checkpoints import CheckpointStore
from retention.integrity.service import LogIntegrity
from retention.keys.kek import (
    Secrets,
    generate_secrets_file,
    load_secrets_file,
    secrets_from_env,
)
from retention.keys.scope import Scope
from retention.plan import PlanError, RetentionPlan, load_plan, require_complete

log = logging.getLogger(__name__)


@dataclass
class Gallra:
    """Everything wired: the application, its read side, gallring and token issuing."""

    settings: Settings
    app: GallraApplication
    view: AttendanceViewSQL
    runner: ProjectionRunner
    statistics: AttendanceStatistics
    gallring: Gallring
    plan: RetentionPlan
    tokens: TokenIssuer
    access: AccessControl
    outbox: Outbox
    audit: AccessLogQuery
    lessons: LessonRecords
    currency: Currency
    roster: RosterRecords
    preschool: PreschoolStatistics
    archive: ArchiveDeliveries
    integrity: LogIntegrity
    histories: RecordHistories
    subject_access: SubjectAccess
    # issue 4 read sides: one field each (schedules, tempus people and kiosks, roster), above
    clock: Callable[[], datetime] = field(default=utc_now)

    @property
    def runners(self) -> tuple[ProjectionRunner, ...]:
        """Every read model's runner: attendance, access control, outbox, access log, lessons."""
        return (
            self.runner,
            self.access.runner,
            self.outbox.runner,
            self.audit.runner,
            self.lessons.runner,
            self.roster.runner,
            self.currency.runner,
        )

    def catch_up(self) -> None:
        """Bring every read model up to the end of the log."""
        for runner in self.runners:
            runner.catch_up()

    def close(self) -> None:
        for runner in self.runners:
            runner.stop()
        self.app.close()


def load_or_create_secrets(settings: Settings) -> Secrets:
    from_env = secrets_from_env(dict(os.environ))
    if from_env is not None:
        return from_env
    path = settings.resolved_secrets_file
    if not path.exists() and settings.create_secrets:
        if settings.backend == "sqlite" and settings.sqlite_path.exists():
            raise KekError(
                f"database {settings.sqlite_path} exists but its secrets file {path} is missing; "
                "refusing to make new keys for it"
            )
        generate_secrets_file(path)
        log.info("generated a new secrets file at %s", path)
    return load_secrets_file(path)


def ensure_postgres_schema(settings: Settings) -> None:
    with psycopg.connect(
        host=settings.pg_host,
        port=settings.pg_port,
        dbname=settings.pg_dbname,
        user=settings.pg_user,
        password=settings.pg_password,
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.pg_schema))
        )


def build(
    settings: Settings,
    *,
    secrets: Secrets | None = None,
    clock: Callable[[], datetime] = utc_now,
    plan: RetentionPlan | None = None,
    sender: Sender | None = None,
) -> Gallra:
    secrets = secrets or load_or_create_secrets(settings)  # before touching any storage
    if settings.backend == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    else:
        ensure_postgres_schema(settings)
    plan = require_complete(plan or load_plan(settings.retention_plan))
    app = GallraApplication(
        settings.eventsourcing_env(), secrets=secrets, clock=clock, timezone=settings.timezone
    )
    app.plan = plan
    _adopt(app, plan)
    view: SQLiteAttendanceView | PostgresAttendanceView
    access_view: SQLiteAccessView | PostgresAccessView
    if isinstance(app.factory, SQLiteFactory):
        view = SQLiteAttendanceView(app.factory.datastore)
        access_view = SQLiteAccessView(app.factory.datastore)
    elif isinstance(app.factory, PostgresFactory):
        view = PostgresAttendanceView(app.factory.datastore)
        access_view = PostgresAccessView(app.factory.datastore)
    else:  # pragma: no cover - settings allow only the two
        raise TypeError(type(app.factory).__name__)
    view.create_table()
    access_view.create_table()
    checkpoints = CheckpointStore(app.keystore, postgres=isinstance(app.factory, PostgresFactory))
    checkpoints.create_table()
    runner = ProjectionRunner(app, view, AttendanceCache(view))

    def shredded_by(decision: UUID) -> list[Scope]:
        return [r.scope for r in app.keystore.scopes(decision=decision)]

    access_runner = ProjectionRunner(app, access_view, AccessProjection(shredded_by))

    def count_events(category: str, months: Sequence[str]) -> int:
        runner.catch_up()
        return view.events_in(category, months)

    currency = make_currency(app, shredded_by)
    roster = make_roster_records(app, shredded_by)

    def compile_sheets(category: str, months: Sequence[str]) -> None:
        """The figures of the months whose day or roster sheet is about to go (ADR 0022)."""
        if category == Category.DAY_SHEET:
            runner.catch_up()
            for month in months:
                app.compile_month(category, month, *view.month_figures(month))
            runner.catch_up()
        elif category == Category.ROSTER_SHEET:
            roster.runner.catch_up()
            for month in months:
                app.compile_month(category, month, roster.view.month_figures(month))
            roster.runner.catch_up()

    access = AccessControl(access_view, access_runner)
    archive = ArchiveDeliveries(app, access, clock)
    gallring = Gallring(
        app,
        app.keystore,
        plan,
        count_events=count_events,
        currency=currency,
        holds=app.standing_holds,
        archive=archive.state,
        clock=clock,
        compile_sheets=compile_sheets,
    )
    histories = RecordHistories(app, gallring.records)
    audit = make_access_log(app, shredded_by)
    gallra = Gallra(
        settings=settings,
        app=app,
        view=view,
        runner=runner,
        statistics=AttendanceStatistics(view, runner, threshold=settings.suppression_threshold),
        gallring=gallring,
        plan=plan,
        tokens=TokenIssuer(secrets.token_key, timedelta(hours=settings.token_ttl_hours)),
        access=access,
        archive=archive,
        integrity=LogIntegrity(
            app.recorder,
            checkpoints,
            secrets.checkpoint_key,
            clock,
            secrets.retired_checkpoint_keys,
        ),
        histories=histories,
        subject_access=SubjectAccess(
            histories,
            audit,
            archive.of_subject,
            partial(culled_of, gallring, archive.deliveries),
            app.org_names,
            clock,
        ),
        outbox=make_outbox(app, sender or RecordingSender(), clock),
        audit=audit,
        lessons=make_lesson_records(app, shredded_by),
        roster=roster,
        preschool=PreschoolStatistics(
            view, runner, roster, threshold=settings.suppression_threshold
        ),
        currency=currency,
        clock=clock,
    )
    gallring.settle = gallra.catch_up
    return gallra


def _adopt(app: GallraApplication, plan: RetentionPlan) -> None:
    """A plan change applies from its version on: record the version, and refuse other rules
    under one already adopted (closing the application, since it will not be used)."""
    try:
        app.adopt_plan(plan.version, plan.digest)
    except ConflictError as e:
        app.close()
        raise PlanError(str(e)) from None


def today(gallra: Gallra) -> date:
    return gallra.app.local_day(gallra.clock())
