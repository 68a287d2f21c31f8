"""Who is acting: the role and id of whoever's command the events being written record.

The HTTP layer binds a fresh ``Acting`` for each request and fills it once the bearer token
is verified; the sealing mapper reads it when it seals. An event with a sealed part keeps it
in its first part, so who did it is culled with what they did. An event with nothing
personal keeps only the role, readable: an id with no scope to seal it under would outlive
every rule. The command line acts as the ``operator`` (someone with a shell on the server),
the serving process's scheduled jobs as ``system``; neither has an id. Code that binds no
actor (tests, library use) records none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

RECORDED_BY = "_actor"  # where an event keeps its actor: no event field starts with "_"
OPERATOR = "operator"  # the command line: whoever has a shell on the server
SYSTEM = "system"  # the serving process's own scheduled jobs


@dataclass
class Acting:
    """Mutable on purpose: sync endpoints run in a copy of the request's context, which holds
    this same object, so filling it there is seen by the mapper in that thread too."""

    role: str | None = None
    actor_id: UUID | None = None

    def who(self) -> dict[str, str | None] | None:
        if self.role is None:
            return None
        return {"role": self.role, "id": None if self.actor_id is None else str(self.actor_id)}


_current: ContextVar[Acting | None] = ContextVar("gallra_acting", default=None)


@contextmanager
def acting() -> Iterator[Acting]:
    """Bind a fresh, empty actor for one request."""
    holder = Acting()
    token = _current.set(holder)
    try:
        yield holder
    finally:
        _current.reset(token)


@contextmanager
def acting_as(role: str) -> Iterator[Acting]:
    """Bind an actor known without a request: the command line, or a scheduled job."""
    holder = Acting(role=role)
    token = _current.set(holder)
    try:
        yield holder
    finally:
        _current.reset(token)


def current() -> Acting | None:
    return _current.get()
