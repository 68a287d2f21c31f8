"""The auditors' read model of the access log: events in, rows out, rows gone when culled.

A row holds ids, the route's template and the status, never a personal value, and names the
scope (subject, access-log, month) its record was sealed under. It goes when that scope's key
goes, as the acl_ rows do: on ``GallringRun.Executed`` by asking the key store which scopes the
run destroyed, and already on ``Decided`` for whole access-log months the run closes. A rebuild
decodes culled records with a ``Shredded`` subject and makes no row for them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.access_log import AccessRecord
from domain.errors import RuleViolationError
from domain.gallring import GallringRun
from domain.personal import Category
from projections.access import PeriodsPurged, ScopesPurged, ShreddedBy
from retention.keys.scope import Scope

if TYPE_CHECKING:
    from projections.runner import ProjectionRunner
    from projections.views.access_log import AccessLogViewSQL

ACCESS_LOG = str(Category.ACCESS_LOG)
_MONTH = re.compile(r"^\d{4}-\d{2}$")
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class AccessRow:
    """One access, as auditors see it: ids and what was asked, never what was answered."""

    record_id: UUID
    subject_id: UUID
    actor_id: UUID | None
    actor_role: str
    action: str
    resource: str
    purpose: str
    status: int
    day: date
    recorded_at: datetime
    scope: Scope


AccessLogChange = AccessRow | ScopesPurged | PeriodsPurged


class AccessLogProjection:
    name = "access-log"

    def __init__(self, shredded_by: ShreddedBy) -> None:
        self.shredded_by = shredded_by

    def reload(self) -> None:
        """Nothing is cached between pages."""

    @singledispatchmethod
    def changes(self, domain_event: Any) -> list[AccessLogChange]:
        return []

    @changes.register
    def _(self, e: AccessRecord.Recorded) -> list[AccessLogChange]:
        subject, actor = e.subject_id, e.actor_id
        if not isinstance(subject, UUID) or not (actor is None or isinstance(actor, UUID)):
            return []  # culled: no one left to name, and no scope to purge by
        scope = Scope(subject, ACCESS_LOG, f"{e.day.year:04d}-{e.day.month:02d}")
        return [
            AccessRow(
                e.originator_id,
                subject,
                actor,
                e.actor_role,
                e.action,
                e.resource,
                e.purpose,
                e.status,
                e.day,
                e.timestamp,
                scope,
            )
        ]

    @changes.register
    def _(self, e: GallringRun.Decided) -> list[AccessLogChange]:
        months = tuple(m for m in e.epochs if _MONTH.match(m))
        return [PeriodsPurged(e.category, months)] if e.category == ACCESS_LOG and months else []

    @changes.register
    def _(self, e: GallringRun.Executed) -> list[AccessLogChange]:
        scopes = tuple(s for s in self.shredded_by(e.originator_id) if s.category == ACCESS_LOG)
        return [ScopesPurged(scopes)] if scopes else []


@dataclass(frozen=True, slots=True)
class AccessPage:
    rows: Sequence[AccessRow]
    next_token: str | None


def page_token(row: AccessRow) -> str:
    """An opaque position after ``row``: its time and id, nothing else."""
    raw = json.dumps([row.recorded_at.isoformat(), row.record_id.hex]).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parse_page_token(token: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        at, record = json.loads(raw)
        position = datetime.fromisoformat(at), UUID(hex=record)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise RuleViolationError("not a page token from this log", field="page_token") from None
    if position[0].tzinfo is None:
        raise RuleViolationError("not a page token from this log", field="page_token")
    return position


class AccessLogQuery:
    """The auditors' questions; every answer first catches the view up."""

    def __init__(self, view: AccessLogViewSQL, runner: ProjectionRunner) -> None:
        self.view = view
        self.runner = runner

    def records(
        self,
        *,
        subject_id: UUID | None = None,
        actor_id: UUID | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
        after: str | None = None,
    ) -> AccessPage:
        """Records oldest first (by time, then id), filtered; ``since``/``until`` are days,
        both inclusive; ``after`` is the token of the previous page."""
        if not 1 <= limit <= MAX_LIMIT:
            raise RuleViolationError(f"limit must be 1 to {MAX_LIMIT}", field="limit")
        position = parse_page_token(after) if after else None
        self.runner.catch_up()
        rows = self.view.records(
            subject_id=subject_id,
            actor_id=actor_id,
            since=since,
            until=until,
            limit=limit + 1,
            after=position,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return AccessPage(rows, page_token(rows[-1]) if more else None)
