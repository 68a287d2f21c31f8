"""The FastAPI application, built around an already wired Gallra."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.access_log import AccessCollector, collecting, write_log
from api.bootstrap import Gallra
from api.http import problems
from api.http.deps import AnyRole
from api.http.routes import (
    archive,
    attendance,
    audit,
    data_subject_rights,
    diet,
    documentation,
    gallring,
    groups,
    history,
    kiosk_sync,
    kiosks,
    lessons,
    organisation,
    overview,
    people,
    pickup,
    record_history,
    roster,
    schedules,
    staff,
    statistics,
    stay_notes,
    transition,
)
from api.scheduler import Scheduler

log = logging.getLogger("gallra.http")


async def _log_access(
    gallra: Gallra, request: Request, collector: AccessCollector, status: int
) -> None:
    """Resource is the route's template (never the concrete path); purpose is its tag."""
    if collector.role is None or not collector.subjects:
        return  # nothing to write: no principal, or nobody's records touched
    route = request.scope.get("route")
    template = route.path if isinstance(route, APIRoute) else "(no route)"
    resource = f"{request.method} {template}"
    purpose = str(route.tags[0]) if isinstance(route, APIRoute) and route.tags else "other"
    await run_in_threadpool(
        write_log,
        gallra.app,
        collector,
        method=request.method,
        resource=resource,
        purpose=purpose,
        status=status,
    )


def create_http_app(gallra: Gallra, *, background: bool | None = None) -> FastAPI:
    """The HTTP app; the projection runner runs in the background while it serves."""
    run_background = gallra.settings.background_projections if background is None else background

    scheduler = Scheduler(gallra)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_background:
            for runner in gallra.runners:
                runner.start()
            scheduler.start()  # the outbox and consent reminders
        try:
            yield
        finally:
            scheduler.stop()
            for runner in gallra.runners:
                runner.stop()

    app = FastAPI(
        title="Gallra",
        summary="Event-sourced school records, auditable for ever and forgotten on schedule.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.gallra = gallra
    problems.install(app)
    for module in (
        organisation,
        groups,
        people,
        staff,
        documentation,
        transition,
        lessons,
        attendance,
        kiosk_sync,
        history,
        kiosks,
        overview,
        schedules,
        pickup,
        roster,
        diet,
        stay_notes,
        statistics,
        gallring,
        archive,
        audit,
        record_history,
        data_subject_rights,
    ):
        app.include_router(module.router)

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """One access record per data subject the request touched, written before the answer
        leaves (the client has nothing yet): no answer goes out without its log."""
        with collecting() as collector:
            try:
                response = await call_next(request)
            except Exception:
                # An unexpected error answers 500 whatever we do; log the attempt all the same.
                try:
                    await _log_access(gallra, request, collector, 500)
                except Exception as error:
                    log.error("access log not written: %s", type(error).__name__)
                raise
            try:
                await _log_access(gallra, request, collector, response.status_code)
            except Exception as error:
                log.error("access log not written: %s", type(error).__name__)
                return problems.problem(500, "internal error", "the request could not be logged")
            return response

    @app.get("/health", tags=["health"])
    def health(_: AnyRole) -> dict[str, str]:
        """Whether the read side keeps up; any valid token may ask."""
        return {"status": "ok" if gallra.runner.error is None else "projection-stopped"}

    return app
