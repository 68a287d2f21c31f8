"""Registerutdrag (GDPR art. 15): everything Gallra holds about one person, for an official
to hand over, as JSON and as a readable document.

It is built from the events (ADR 0025): the person's own records with their current state, and
each event of a shared record that names them, with anyone else's data in it left out. It
also shows every change made to their own records, corrections marked as such (art. 16), and
what the access log says about who read or changed their data, and which of their records
went to the city archive (a recipient: what Gallra has culled after delivery is kept there).
Producing it is itself a read of their data, and so is on the access log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.archive_delivery import Archived
from api.record_history import Entry, Progress, RecordHistories, StreamHistory, plain
from api.subject_culled import CulledScope
from domain.own_streams import own_streams
from projections.access_log import MAX_LIMIT, AccessLogQuery, AccessRow

CORRECTION = "Corrected"  # the suffix of the events that put a wrong value right
CHANGE = "Changed"  # the suffix of the events that replace a value (contact details, say)


@dataclass(frozen=True, slots=True)
class Change:
    record_id: UUID
    field: str
    before: Any
    after: Any
    at: datetime | None
    kind: str  # the event that changed it
    corrected: bool  # a rectification, not an ordinary change
    reason: Any = None


@dataclass(frozen=True, slots=True)
class Extract:
    subject_id: UUID
    produced_at: datetime
    produced_by: str
    records: list[StreamHistory]
    states: dict[UUID, dict[str, Any] | None]  # the person's own records as they are now
    changes: list[Change]
    access_log: list[AccessRow]
    events_read: int
    archived: list[Archived]  # deliveries holding records of theirs Gallra still holds
    culled: list[CulledScope]  # what gallring culled of theirs, and where it is kept
    names: dict[UUID, str]  # the units, departments and groups it mentions, by id


class SubjectAccess:
    def __init__(
        self,
        histories: RecordHistories,
        audit: AccessLogQuery,
        archived: Callable[[UUID], list[Archived]],
        culled: Callable[[UUID], list[CulledScope]],
        org_names: Callable[[Iterable[UUID], Iterable[UUID]], dict[UUID, str]],
        clock: Callable[[], datetime],
    ) -> None:
        self._histories = histories
        self._audit = audit
        self._archived = archived
        self._culled = culled
        self._org_names = org_names
        self._clock = clock

    def extract(self, subject: UUID, by: str, progress: Progress | None = None) -> Extract:
        produced_at = self._clock()
        history = self._histories.subject_history(subject, progress, theirs_only=True)
        own = own_streams(subject)
        # Only the person's own record is shown as it is now: a record derived from theirs
        # (a child's pick-up list, say) holds other people's data too, which only its events,
        # with that data left out, may show.
        states = {
            r.stream_id: self._histories.current(r.stream_id)
            for r in history.records
            if r.stream_id == subject
        }
        changes = [c for r in history.records if r.stream_id in own for c in _changes(r)]
        return Extract(
            subject,
            produced_at,
            by,
            history.records,
            states,
            changes,
            self._access_log(subject),
            history.events_read,
            self._archived(subject),
            self._culled(subject),
            self._names(history.records, states),
        )

    def _names(
        self, records: list[StreamHistory], states: dict[UUID, dict[str, Any] | None]
    ) -> dict[UUID, str]:
        """Names for the organisation ids the extract shows (units, departments, groups)."""
        found: dict[str, set[UUID]] = {"unit_id": set(), "group_id": set()}
        values = [e.values for r in records for e in r.entries] + [s for s in states.values() if s]
        for value in values:
            _collect_ids(value, found)
        return self._org_names(found["unit_id"], found["group_id"])

    def _access_log(self, subject: UUID) -> list[AccessRow]:
        rows: list[AccessRow] = []
        after: str | None = None
        while True:
            page = self._audit.records(subject_id=subject, limit=MAX_LIMIT, after=after)
            rows += page.rows
            if page.next_token is None:
                return rows
            after = page.next_token


def _changes(record: StreamHistory) -> list[Change]:
    """Every value of the record that a change or a correction replaced: from what, to what,
    when, and whether it was a correction (with its reason)."""
    last: dict[str, Any] = {}
    found: list[Change] = []
    for entry in record.entries:
        corrected = entry.kind.endswith(CORRECTION)
        changing = corrected or entry.kind.endswith(CHANGE)
        for name, value in entry.values.items():
            if name not in entry.personal or (name == "reason" and corrected):
                continue  # bookkeeping (a generation, say) is no change to their data
            if changing and last.get(name) != value:
                found.append(
                    Change(
                        record.stream_id,
                        name,
                        last.get(name),
                        value,
                        entry.recorded_at,
                        entry.kind,
                        corrected,
                        entry.values.get("reason") if corrected else None,
                    )
                )
            last[name] = value
    return found


def as_json(extract: Extract) -> dict[str, Any]:
    return {
        "subject_id": str(extract.subject_id),
        "produced_at": extract.produced_at.isoformat(),
        "produced_by": extract.produced_by,
        "events_read": extract.events_read,
        "records": [
            {
                "record_id": str(r.stream_id),
                "kind": r.aggregate,
                "now": extract.states.get(r.stream_id),
                "events": [_entry_json(e) for e in r.entries],
            }
            for r in extract.records
        ],
        "changes": [
            {
                "record_id": str(c.record_id),
                "field": c.field,
                "before": c.before,
                "after": c.after,
                "at": plain(c.at),
                "by_event": c.kind,
                "corrected": c.corrected,
                "reason": c.reason,
            }
            for c in extract.changes
        ],
        "names": {str(k): v for k, v in sorted(extract.names.items(), key=lambda kv: str(kv[0]))},
        "archive_deliveries": [
            {
                "package_id": str(a.package_id),
                "records": [{"category": c, "period": p} for c, p in a.scopes],
                "delivered_on": a.built_on.isoformat(),
                "received_on": plain(a.received_on),
                "archive_reference": a.reference,
            }
            for a in extract.archived
        ],
        "culled": [
            {
                "category": c.category,
                "period": c.period,
                "culled_at": c.culled_at.isoformat(),
                "gallring_run_id": plain(c.run_id),
                "rule_id": c.rule_id,
                "kept_by_the_archive_under": c.archive_references,
            }
            for c in extract.culled
        ],
        "access_log": [
            {
                "at": row.recorded_at.isoformat(),
                "actor_id": plain(row.actor_id),
                "actor_role": row.actor_role,
                "action": row.action,
                "resource": row.resource,
                "purpose": row.purpose,
                "status": row.status,
            }
            for row in extract.access_log
        ],
    }


def _entry_json(e: Entry) -> dict[str, Any]:
    return {
        "version": e.version,
        "kind": e.kind,
        "recorded_at": plain(e.recorded_at),
        "time_known": e.time_known,
        "by": e.by,
        "values": e.values,
        "culled": [
            {"field": c.field, "category": c.category, "gallring_run_id": plain(c.run_id)}
            for c in e.culled
        ],
        "left_out": e.redacted,
    }


def as_markdown(extract: Extract) -> str:
    """The extract as a document a person can read: their records now, every change and
    correction, what each record holds event by event, and who has read their data."""
    lines = [
        f"# Registerutdrag: {_name(extract)}",
        "",
        f"Everything Gallra holds about person `{extract.subject_id}`, produced "
        f"{extract.produced_at:%Y-%m-%d %H:%M} UTC by {extract.produced_by} "
        "(GDPR article 15).",
        "",
        "Values culled under the retention plan are gone and show as *culled*. Data about "
        "other people in the same records is left out.",
        "",
        "## Your records now",
        "",
    ]
    for record in extract.records:
        state = extract.states.get(record.stream_id)
        if record.stream_id not in extract.states:
            continue
        lines += [f"### {record.aggregate} `{record.stream_id}`", ""]
        for name, value in _named(state or {}, extract.names).items():
            if name in {"id", "version", "created_on", "modified_on"}:
                continue
            lines.append(f"- {name}: {_shown(value)}")
        lines.append("")
    lines += ["## Changes and corrections", ""]
    if not extract.changes:
        lines.append("Nothing has been changed since it was first recorded.")
    for c in extract.changes:
        when = "" if c.at is None else f" on {c.at:%Y-%m-%d}"
        what = "corrected" if c.corrected else "changed"
        why = f" (reason: {c.reason})" if c.corrected and c.reason else ""
        lines.append(f"- {c.field} {what}{when}: {_shown(c.before)} -> {_shown(c.after)}{why}")
    lines += ["", "## Everything recorded, record by record", ""]
    for record in extract.records:
        lines += [f"### {record.aggregate} `{record.stream_id}`", ""]
        lines += ["| when | by | what | details |", "|---|---|---|---|"]
        for e in record.entries:
            when = "unknown" if e.recorded_at is None else f"{e.recorded_at:%Y-%m-%d %H:%M}"
            if e.time_known == "month" and e.recorded_at is not None:
                when = f"{e.recorded_at:%Y-%m}"
            shown = _named(e.values, extract.names)
            details = "; ".join(f"{k}: {_shown(v)}" for k, v in shown.items())
            if e.culled:
                details += "; culled: " + ", ".join(c.field for c in e.culled)
            if e.redacted:
                details += "; left out (another person's data): " + ", ".join(e.redacted)
            lines.append(f"| {when} | {_by(e.by)} | {e.kind} | {_cell(details)} |")
        lines.append("")
    lines += _table_section(
        "Already culled",
        "Nothing of yours has been culled yet.",
        "These records were culled under the retention plan: no one can read them in Gallra "
        "any more. Where the law says they are to be preserved, the city archive keeps them "
        "under the reference given.",
        ("records", "culled", "rule", "kept by the city archive under"),
        [
            (
                f"{c.category} {c.period}",
                f"{c.culled_at:%Y-%m-%d}",
                _shown(c.rule_id),
                ", ".join(c.archive_references) or "-",
            )
            for c in extract.culled
        ],
    )
    lines += _table_section(
        "Delivered to the city archive, still held here",
        "Nothing Gallra holds of yours has gone to the archive yet.",
        "Records the law says are to be preserved went to the city archive. Once the archive "
        "has confirmed receipt, Gallra culls its own copy on schedule.",
        ("records", "delivered", "received", "the archive's reference", "package"),
        [
            (
                ", ".join(f"{category} {period}" for category, period in a.scopes),
                str(a.built_on),
                _shown(a.received_on),
                _shown(a.reference),
                f"`{a.package_id}`",
            )
            for a in extract.archived
        ],
    )
    lines += _table_section(
        "Who has read or changed your data",
        "The access log has no record of it (or those records are culled).",
        None,
        ("when", "who", "role", "what", "purpose"),
        [
            (
                f"{row.recorded_at:%Y-%m-%d %H:%M}",
                str(row.actor_id or "-"),
                row.actor_role,
                f"{row.action} {row.resource}",
                row.purpose,
            )
            for row in extract.access_log
        ],
    )
    return "\n".join(lines) + "\n"


_NAMED = ("unit_id", "department_id", "group_id")  # fields whose ids the document names


def _collect_ids(value: Any, found: dict[str, set[UUID]]) -> None:
    """Gather the ids under ``found``'s field names, however deep in the value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in found and isinstance(inner, str):
                with suppress(ValueError):
                    found[key].add(UUID(inner))
            else:
                _collect_ids(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _collect_ids(inner, found)


def _named(value: Any, names: dict[UUID, str]) -> Any:
    """The value with each unit, department and group id shown with its name."""
    if isinstance(value, dict):
        return {
            key: _with_name(inner, names) if key in _NAMED else _named(inner, names)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_named(inner, names) for inner in value]
    return value


def _with_name(value: Any, names: dict[UUID, str]) -> Any:
    try:
        name = names.get(UUID(value)) if isinstance(value, str) else None
    except ValueError:
        name = None
    return value if name is None else f"{name} ({value})"


def _table_section(
    title: str, empty: str, intro: str | None, columns: tuple[str, ...], rows: list[tuple[str, ...]]
) -> list[str]:
    """A section of the document: a table of its rows, or one line saying there are none."""
    lines = [f"## {title}", ""]
    if not rows:
        return [*lines, empty, ""]
    if intro is not None:
        lines += [intro, ""]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _name(extract: Extract) -> str:
    state = extract.states.get(extract.subject_id) or {}
    given, family = state.get("given_name"), state.get("family_name")
    if isinstance(given, str) and isinstance(family, str):
        return f"{given} {family}"
    return str(extract.subject_id)


def _shown(value: Any, nested: bool = False) -> str:
    """A value as a person reads it: no Python or JSON syntax, nested records in brackets."""
    if isinstance(value, dict) and set(value) == {"culled"}:
        return f"*culled ({value['culled']})*"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list | tuple):
        if not value:
            return "none"
        pairs = value.items() if isinstance(value, dict) else None
        shown = (
            ", ".join(f"{k}: {_shown(v, True)}" for k, v in pairs)
            if pairs is not None
            else ", ".join(_shown(v, True) for v in value)
        )
        return f"({shown})" if nested else shown
    return str(value)


def _by(who: dict[str, Any] | None) -> str:
    """Whose command wrote an event: the role, and the person or device if known."""
    if who is None:
        return "-"
    role = str(who.get("role") or "-")
    return role if who.get("id") is None else f"{role} {who['id']}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
