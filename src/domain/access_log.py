"""The access log (loggning): who read or changed whose personal data, through which route.

One stream per record, so nothing links one access to another beyond what is sealed: the
subject and the actor are sealed under the subject's access-log scope for the month, and are
culled with it on the access-log rule. What stays readable names no one: the day, the actor's
role, read or write, the route's template (never a concrete path), its purpose and the status
answered. Ids only: a record never holds a name, a civic number or anything the request said.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleViolationError
from domain.personal import Category, MonthOf, Personal, Shredded

_LOG = Personal(Category.ACCESS_LOG, subject="subject_id", epoch=MonthOf("day"))

READ: Final = "read"
WRITE: Final = "write"
ACTIONS: Final = (READ, WRITE)


class AccessRecord(Aggregate):
    """One access to one data subject's records."""

    class Recorded(Aggregate.Created):
        day: date
        actor_role: str
        action: str
        resource: str  # "GET /children/{child_id}": the route's template
        purpose: str  # the route's tag: "people", "documentation", "attendance", ...
        status: int
        subject_id: Annotated[UUID | Shredded, _LOG]
        actor_id: Annotated[UUID | Shredded | None, _LOG]

    @classmethod
    def record(
        cls,
        *,
        subject_id: UUID,
        actor_id: UUID | None,
        actor_role: str,
        action: str,
        resource: str,
        purpose: str,
        status: int,
        at: datetime,
        day: date,
    ) -> AccessRecord:
        """A record of an access at ``at`` (the application's clock) on the local ``day``."""
        if action not in ACTIONS:
            raise RuleViolationError(f"action must be one of {', '.join(ACTIONS)}", field="action")
        return cls._create(
            cls.Recorded,
            id=uuid4(),
            timestamp=at,
            day=day,
            actor_role=actor_role,
            action=action,
            resource=resource,
            purpose=purpose,
            status=status,
            subject_id=subject_id,
            actor_id=actor_id,
        )

    @event(Recorded)
    def __init__(
        self,
        day: date,
        actor_role: str,
        action: str,
        resource: str,
        purpose: str,
        status: int,
        subject_id: UUID | Shredded,
        actor_id: UUID | Shredded | None,
    ) -> None:
        self.day = day
        self.actor_role = actor_role
        self.action = action
        self.resource = resource
        self.purpose = purpose
        self.status = status
        self.subject_id = subject_id
        self.actor_id = actor_id
