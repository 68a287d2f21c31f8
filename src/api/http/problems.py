"""Every error answers as RFC 9457 problem+json, with the field at fault where there is one.

Validation errors never echo the rejected input (it may be a civic number or a name);
unexpected errors answer 500 with no detail and are logged by type only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.civic_number import InvalidCivicNumber
from domain.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    RuleViolationError,
)
from retention.errors import ScopeShreddedError

log = logging.getLogger("gallra.http")
PROBLEM = "application/problem+json"


def problem(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any
) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _status(error: DomainError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, RuleViolationError):
        return 422
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        status = _status(error)
        extra = {"field": error.field} if error.field else {}
        return problem(
            status,
            error.code.replace("-", " "),
            str(error),
            type_=f"urn:gallra:problem:{error.code}",
            **extra,
        )

    @app.exception_handler(InvalidCivicNumber)
    async def _civic(_: Request, error: InvalidCivicNumber) -> JSONResponse:
        return problem(
            422,
            "invalid civic number",
            str(error),
            type_="urn:gallra:problem:invalid-civic-number",
            field="civic_number",
            reason=error.reason,
        )

    @app.exception_handler(ScopeShreddedError)
    async def _culled(_: Request, error: ScopeShreddedError) -> JSONResponse:
        return problem(
            409,
            "period culled",
            str(error),
            type_="urn:gallra:problem:period-culled",
            category=error.category,
            period=error.epoch,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return problem(
            422,
            "invalid request",
            f"{first['field']}: {first['message']}",
            type_="urn:gallra:problem:validation",
            field=first["field"],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        response = problem(error.status_code, str(error.detail), str(error.detail))
        for key, value in (error.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.error("unexpected %s while handling a request", type(error).__name__)
        return problem(500, "internal error", "the request could not be completed")
