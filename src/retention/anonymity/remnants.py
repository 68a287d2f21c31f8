"""What an intruder holding the database files reads, record by record, without the keys.

A *remnant* is one stored event or one key row as it stands after gallring: its kind, the
values that could link it to other remnants (stream ids, key ids, plaintext ids), the
quasi-identifiers it carries (place, school form, period and a few readable attributes) and
the dates it names. The audit (``retention.anonymity.audit``) groups and links them; this
module only reads. Nothing here opens a sealed part: the audit sees what survives, not what a
key would show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.own_streams import DERIVED
from domain.personal import VEILED
from retention.keys.culling import ScopeRecord
from retention.sealing import envelope
from retention.sealing.mapper import NO_TIME

SHARED_STREAMS: Final = frozenset(
    {
        # Streams holding many people's records (or none): their id links nobody.
        "DepartmentDay",
        "Lesson",
        "DepartmentRoster",
        "LegalHolds",
        "GallringRun",
        "ArchiveDelivery",
        "PlanHistory",
        "ReminderRound",
        "Unit",
        "Group",
        "Kiosk",
        "DepartmentKiosks",
    }
)
"""Every other stream is taken to be one person's (the safe side: it links all it holds)."""

PLACE_FIELDS: Final = ("department_id", "group_id", "unit_id")
"""Where a record is, finest first; organisation ids are quasi-identifiers, not links."""
ORGANISATION_FIELDS: Final = frozenset({*PLACE_FIELDS, "parent_id", "subunit_id", "kiosk_id"})
PERIOD_FIELDS: Final = ("day", "month", "term")
"""The period a record is about, when it names one; otherwise its record time is."""
ATTRIBUTE_FIELDS: Final = ("category", "course", "kind", "school_form")
"""Readable attributes an outsider may know or guess, kept as quasi-identifiers too."""
_SKIPPED: Final = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp"}
)
PERSON_STREAMS: Final = frozenset({"Child", "Guardian", "Staff"})
OWN_STREAMS: Final = PERSON_STREAMS | {
    # events a person's stream inherits from its bases and mixins, named by them
    "PersonRecord",
    "TransitionArchive",
    # a child's Tempus streams, their ids made from the child's (``DERIVED``)
    "ScheduleBook",
    "DietRecord",
    "StayNotebook",
    "ChildPickups",
}
"""Streams that are one person's own, whatever else they hold: a trail through one of them is
that person's life in the system, told by event types and times."""


@dataclass(frozen=True, slots=True)
class Remnant:
    kind: str  # "Child.Placed", or "key row: attendance"
    stream: str  # the aggregate class, or "key store"
    links: tuple[str, ...]  # values shared with other remnants of the same person
    quasi: tuple[tuple[str, str], ...]  # quasi-identifiers, as (name, value)
    dates: tuple[date, ...]
    sealed: int  # sealed parts (a key row counts as one)
    live: bool  # some key it names still opens
    # Readable fields that tell more than where, when and what kind: a stay's minutes, a
    # flag. Names only; what a record in a small group would give away beyond existing.
    values: tuple[str, ...] = ()


def from_events(
    notifications: Iterable[Notification],
    decode: Callable[[bytes], dict[str, Any]],
    live_keys: frozenset[bytes],
) -> Iterator[Remnant]:
    """The remnants of stored events; ``live_keys`` are the key ids that still exist."""
    stream_quasi: dict[str, dict[str, str]] = {}
    for notification in notifications:
        origin = str(notification.originator_id)
        data = notification.state
        plaintext, parts = envelope.unpack(data)
        state = decode(plaintext)
        qualname = notification.topic.partition(":")[2]
        stream = qualname.partition(".")[0]
        # A veil's key is a department-day's, shared by all its records: no link; the parts
        # under it show no key id at all (ADR 0022).
        shown = parts[1:] if envelope.is_veiled(data) else parts
        links = [f"key:{part[0].hex()}" for part in shown if part[0] != envelope.NO_KEY]
        if stream not in SHARED_STREAMS:
            links.append(f"id:{origin}")
            if stream in PERSON_STREAMS:
                links += [f"id:{derive(UUID(origin))}" for derive in DERIVED]
        links += _plain_links(state)
        # A stream's place and period (a department-day's department and day) hold for
        # every record in it, though only its first event names them.
        inherited = stream_quasi.setdefault(origin, {})
        own = _quasi(state)
        inherited.update((k, v) for k, v in own.items() if k in ("place", "period", "school_form"))
        quasi = {**inherited, **own}
        quasi.setdefault("period", _time_text(state.get("timestamp")))
        quasi["record time"] = _time_text(state.get("timestamp"))
        yield Remnant(
            kind=qualname,
            stream=stream,
            links=tuple(links),
            quasi=tuple(sorted(quasi.items())),
            dates=tuple(_dates(state)),
            sealed=len(parts),
            live=any(part[0] in live_keys for part in parts),  # a veiled one: its veil's
            values=_values(state),
        )


def from_key_rows(rows: Iterable[ScopeRecord]) -> Iterator[Remnant]:
    """The key store's rows: a destroyed key's row still names its subject and scope. A day
    sheet's row is a department-day's, no person's: not a remnant of anyone."""
    for row in rows:
        scope = row.scope
        if scope.category in VEILED:  # a StrEnum key matches its text
            continue
        month = _epoch_month(scope.epoch)
        yield Remnant(
            kind=f"key row: {scope.category}",
            stream="key store",
            links=(f"id:{scope.subject}",),
            quasi=(("category", scope.category), ("period", scope.epoch)),
            dates=(month,) if month is not None else (),
            sealed=1,
            live=row.key_id is not None,
        )


def _plain_links(state: dict[str, Any]) -> list[str]:
    return [
        f"id:{value}"
        for name, value in state.items()
        if isinstance(value, UUID) and name not in ORGANISATION_FIELDS and name not in _SKIPPED
    ]


_NOT_VALUES: Final = frozenset(
    {*_SKIPPED, *ORGANISATION_FIELDS, *PERIOD_FIELDS, *ATTRIBUTE_FIELDS, "class_version"}
)


def _values(state: dict[str, Any]) -> tuple[str, ...]:
    """The readable fields beyond quasi-identifiers, links and structure (set, not empty)."""
    return tuple(
        sorted(
            name
            for name, value in state.items()
            if name not in _NOT_VALUES
            and not isinstance(value, UUID)
            and value not in (None, "", [], {}, 0, False)
        )
    )


def _quasi(state: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in PLACE_FIELDS:
        if isinstance(state.get(name), UUID):
            found["place"] = str(state[name])
            break
    for name in PERIOD_FIELDS:
        value = state.get(name)
        if isinstance(value, date | str) and value:
            found["period"] = value.isoformat() if isinstance(value, date) else value
            break
    for name in ATTRIBUTE_FIELDS:
        value = state.get(name)
        if isinstance(value, str) and value:
            found[name] = value
    return found


def _time_text(value: object) -> str:
    """A record time as precisely as it is stored: a month start reads as the month, and a
    person's own stream's placeholder as none (ADR 0023)."""
    if not isinstance(value, datetime) or value == NO_TIME:
        return "-"
    moment = value.astimezone(UTC)
    if moment.time() == datetime.min.time():
        return f"{moment:%Y-%m}" if moment.day == 1 else f"{moment:%Y-%m-%d}"
    return moment.isoformat()


def _dates(state: dict[str, Any]) -> Iterator[date]:
    for name, value in state.items():
        if name in ("originator_id", "originator_version"):
            continue
        if isinstance(value, datetime):
            if value != NO_TIME:
                yield value.astimezone(UTC).date()
        elif isinstance(value, date):
            yield value


def _epoch_month(epoch: str) -> date | None:
    try:
        return date(int(epoch[:4]), int(epoch[5:7]), 1) if len(epoch) == 7 else None
    except ValueError:
        return None
