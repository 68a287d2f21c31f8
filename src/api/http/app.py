"""The FastAPI application, built around an already wired Gallra."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.bootstrap import Gallra
from api.http import problems
from api.http.deps import AnyRole
from api.http.routes import (
    attendance,
    documentation,
    gallring,
    groups,
    lessons,
    organisation,
    people,
    staff,
    statistics,
    transition,
)


def create_http_app(gallra: Gallra, *, background: bool | None = None) -> FastAPI:
    """The HTTP app; the projection runner runs in the background while it serves."""
    run_background = gallra.settings.background_projections if background is None else background

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_background:
            for runner in gallra.runners:
                runner.start()
        try:
            yield
        finally:
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
        statistics,
        gallring,
    ):
        app.include_router(module.router)

    @app.get("/health", tags=["health"])
    def health(_: AnyRole) -> dict[str, str]:
        """Whether the read side keeps up; any valid token may ask."""
        return {"status": "ok" if gallra.runner.error is None else "projection-stopped"}

    return app
