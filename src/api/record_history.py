"""An auditor's replay of one record: every event of its stream in order, what each said,
which fields are personal, which were culled and by which gallring run, and the record's
state as it was at any moment (time travel).

Culled fields are never an error: they are listed with their category and the gallring run
whose decision names the key they were sealed under. A culled event may have lost its exact
time with its first part (ADR 0019, 0023); time travel then places it between its
neighbours' known times, and says so when it cannot tell whether it came before the moment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent

from domain.errors import NotFoundError
from domain.gallring import GallringRun
from domain.organisation import Unit
from domain.own_streams import own_streams
from domain.personal import SELF, Shredded
from retention.sealing.actor import RECORDED_BY
from retention.sealing.mapper import NO_TIME, SealingMapper
from retention.sealing.plan import SealPlan, seal_plan

EXACT, MONTH, UNKNOWN = "exact", "month", "unknown"
_PAGE = 500
_NOT_VALUES = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", RECORDED_BY}
)
Progress = Callable[[int], None]
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Culled:
    field: str
    category: str
    run_id: UUID | None  # the gallring run whose decision names the part's key
    rule_id: str | None
    decided_as_of: date | None


@dataclass(frozen=True, slots=True)
class Entry:
    version: int
    kind: str  # the event's class, e.g. "Child.Registered"
    recorded_at: datetime | None  # exact, or the month's first instant, or None
    time_known: str  # exact | month | unknown
    values: dict[str, Any]  # every field still readable, as JSON values
    personal: dict[str, str]  # each declared personal field present or culled -> category
    culled: list[Culled]
    redacted: list[str] = dataclasses.field(default_factory=list)  # another person's data
    # whose command wrote it: role and id, role only (nothing personal in it, or the
    # operator's command line, or the system's scheduled jobs), or None (written with no
    # actor bound, before actors were recorded, or culled with its part)
    by: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RecordHistory:
    stream_id: UUID
    aggregate: str
    entries: list[Entry]
    subjects: list[UUID]  # whose personal data the replay showed: for the access log


@dataclass(frozen=True, slots=True)
class RecordState:
    stream_id: UUID
    aggregate: str
    at: datetime
    version: int  # the last version applied; 0 when the record did not exist yet
    uncertain: list[int]  # versions whose time is culled and may lie before ``at``
    state: dict[str, Any] | None
    subjects: list[UUID]


@dataclass(frozen=True, slots=True)
class StreamHistory:
    stream_id: UUID
    aggregate: str
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class ScanHistory:
    """The events of many records about one subject or unit, record by record."""

    about: UUID
    records: list[StreamHistory]
    subjects: list[UUID]
    events_read: int  # the whole log is read to find them


class GallringIndex:
    """The gallring runs by the key ids their decisions name, and by category."""

    def __init__(self, runs: Iterable[GallringRun]) -> None:
        self.by_key: dict[bytes, GallringRun] = {}
        self.by_category: dict[str, list[GallringRun]] = {}
        for run in runs:
            for key_id in run.key_ids:
                self.by_key[key_id.bytes] = run
            self.by_category.setdefault(run.category, []).append(run)

    def run_for(
        self, category: str, key_ids: Sequence[bytes], month: str | None
    ) -> GallringRun | None:
        for key_id in key_ids:
            run = self.by_key.get(key_id)
            if run is not None and run.category == category:
                return run
        # a key the decision does not list (made late in a closed period): the category's run
        # for the event's month, if exactly one says so
        runs = self.by_category.get(category, [])
        fitting = [r for r in runs if month is None or month in r.epochs]
        return fitting[0] if len(fitting) == 1 else None


class RecordHistories:
    """Replays and time travel over one application's store."""

    def __init__(self, app: Any, runs: Any) -> None:
        self._app = app
        self._runs = runs  # () -> Iterable[GallringRun]

    def history(self, stream_id: UUID) -> RecordHistory:
        stored, events = self._read(stream_id)
        mapper: SealingMapper = self._app.sealing_mapper
        index = GallringIndex(self._runs())
        entries = [
            _entry(event, key_ids, index)
            for key_ids, event in zip(mapper.key_ids_of_page(stored), events, strict=True)
        ]
        return RecordHistory(
            stream_id, _aggregate_name(events[0]), entries, _subjects(stream_id, events)
        )

    def state_at(self, stream_id: UUID, at: datetime) -> RecordState:
        _stored, events = self._read(stream_id)
        times = [_time(_plan(e), e) for e in events]
        version, uncertain = _as_of(times, at)
        aggregate: Any = None
        for event in events[:version]:
            aggregate = event.mutate(aggregate)
        shown = events[:version]
        return RecordState(
            stream_id,
            _aggregate_name(events[0]),
            at,
            version,
            uncertain,
            None if aggregate is None else _state(aggregate),
            _subjects(stream_id, shown),
        )

    def subject_history(
        self, subject: UUID, progress: Progress | None = None, *, theirs_only: bool = False
    ) -> ScanHistory:
        """Every event holding the subject's data, wherever it is: their own streams (and
        those whose ids are made from theirs), and each event in a shared stream (a
        department-day, a lesson, a documentation entry, the access log) whose opened fields
        name them. Culled events name no one and are not found, which is the point."""
        own = own_streams(subject)
        # An event names the subject in an opened field only if a part of it is sealed under
        # a live key of theirs (a group's scope is its subject's): the others need no opening.
        theirs = {r.key_id.bytes for r in self._app.keystore.scopes(subject=subject) if r.key_id}

        def could_be(stream: UUID | str, key_ids: list[bytes]) -> bool:
            return stream in own or not theirs.isdisjoint(key_ids)

        def about(stream: UUID, event: Any) -> bool:
            return stream in own or subject in _subjects(stream, [event])

        return self._scan(
            subject, about, progress, keep=own if theirs_only else None, could_be=could_be
        )

    def unit_history(self, unit_id: UUID, progress: Progress | None = None) -> ScanHistory:
        """The unit's own record and every event that names it or one of its departments."""
        try:
            unit = self._app.repository.get(unit_id)
        except AggregateNotFoundError:
            unit = None
        if not isinstance(unit, Unit):
            raise NotFoundError(f"no unit {unit_id}")
        ids = {unit_id, *unit.departments}

        def about(stream: UUID, event: Any) -> bool:
            return stream == unit_id or any(
                getattr(event, name, None) in ids for name in ("unit_id", "department_id")
            )

        return self._scan(unit_id, about, progress)

    def _scan(
        self,
        about: UUID,
        wanted: Callable[[UUID, Any], bool],
        progress: Progress | None,
        keep: frozenset[UUID] | None = None,
        could_be: Callable[[UUID | str, list[bytes]], bool] | None = None,
    ) -> ScanHistory:
        """Read the whole log a page at a time, keeping the events ``wanted`` says are about
        ``about``. ``could_be`` (stream, key ids) passes over events before they are opened:
        it must pass every event ``wanted`` would keep."""
        mapper: SealingMapper = self._app.sealing_mapper
        index = GallringIndex(self._runs())
        records: dict[UUID, StreamHistory] = {}
        shown: list[Any] = []
        read = 0
        start: int | None = None
        while True:
            page = self._app.recorder.select_notifications(
                start, _PAGE, inclusive_of_start=start is None
            )
            # each event with its key ids when read before opening it (the subject's filter)
            pairs: list[tuple[StoredEvent, list[bytes] | None]] = [(n, None) for n in page]
            if could_be is not None:
                ids = mapper.key_ids_of_page(page)
                pairs = [
                    (n, k) for n, k in zip(page, ids, strict=True) if could_be(n.originator_id, k)
                ]
            opened = mapper.to_domain_events([n for n, _ in pairs])
            kept = [
                (n, k, event)
                for (n, k), event in zip(pairs, opened, strict=True)
                if wanted(event.originator_id, event)
            ]
            unread = iter(mapper.key_ids_of_page([n for n, k, _ in kept if k is None]))
            for _, known, event in kept:
                key_ids = known if known is not None else next(unread)
                stream: UUID = event.originator_id
                record = records.get(stream)
                if record is None:
                    record = records[stream] = StreamHistory(stream, _aggregate_name(event), [])
                record.entries.append(_entry(event, key_ids, index, keep))
                shown.append((stream, event))
            read += len(page)
            if progress is not None:
                progress(len(page))
            if len(page) < _PAGE:
                break
            start = page[-1].id
        subjects: dict[UUID, None] = {}
        for stream, event in shown:
            subjects.update(dict.fromkeys(_subjects(stream, [event])))
        return ScanHistory(about, list(records.values()), list(subjects), read)

    def current(self, stream_id: UUID) -> dict[str, Any] | None:
        """The record as it is now: every event applied."""
        aggregate: Any = None
        for event in self._read(stream_id)[1]:
            aggregate = event.mutate(aggregate)
        return None if aggregate is None else _state(aggregate)

    def _read(self, stream_id: UUID) -> tuple[list[StoredEvent], list[Any]]:
        stored = list(self._app.recorder.select_events(stream_id))
        if not stored:
            raise NotFoundError(f"no record {stream_id}")
        return stored, self._app.sealing_mapper.to_domain_events(stored)


def _plan(event: object) -> SealPlan:
    cls: type = type(event)
    return seal_plan(cls)


def _aggregate_name(event: Any) -> str:
    return type(event).__qualname__.rpartition(".")[0] or type(event).__qualname__


def _time(plan: SealPlan, event: Any) -> tuple[datetime | None, str]:
    """When the event was recorded, and how well that is known now: the exact time lives in
    the first sealed part, so it goes with that part's key."""
    at = getattr(event, "timestamp", None)
    if not isinstance(at, datetime) or at == NO_TIME:
        return None, UNKNOWN
    if not plan.groups:
        return at, EXACT
    if isinstance(getattr(event, plan.groups[0].fields[0], None), Shredded):
        return at, MONTH
    return at, EXACT


def _as_of(times: list[tuple[datetime | None, str]], at: datetime) -> tuple[int, list[int]]:
    """How many versions surely came at or before ``at``, and the later ones that may have.

    Versions are in time order, so each event lies between the last known time before it and
    the first known time after it; a month-only time bounds it to its month."""
    lower: list[datetime | None] = []
    running: datetime | None = None
    for time, _known in times:
        if time is not None and (running is None or time > running):
            running = time  # an exact time, or its month's first instant
        lower.append(running)
    upper: list[datetime | None] = [None] * len(times)
    running = None
    for i in range(len(times) - 1, -1, -1):
        time, known = times[i]
        if known == EXACT and time is not None:
            bound = time
        elif known == MONTH and time is not None:
            bound = _next_month(time) - _TICK
        else:
            bound = None
        if bound is not None and (running is None or bound < running):
            running = bound
        upper[i] = running
    version = 0
    for i, bound in enumerate(upper):
        if bound is not None and bound <= at:
            version = i + 1
    uncertain = [
        i + 1
        for i in range(version, len(times))
        if lower[i] is None or lower[i] <= at  # type: ignore[operator]
    ]
    return version, uncertain


def _next_month(at: datetime) -> datetime:
    return at.replace(year=at.year + at.month // 12, month=at.month % 12 + 1, day=1)


def _entry(
    event: Any, key_ids: list[bytes], index: GallringIndex, keep: frozenset[UUID] | None = None
) -> Entry:
    """One event as an auditor reads it; with ``keep``, the fields of anyone else (a
    pick-up person in a child's list, say) are left out and named in ``redacted``."""
    plan = _plan(event)
    recorded_at, known = _time(plan, event)
    month = None if recorded_at is None else f"{recorded_at:%Y-%m}"
    categories = dict(plan.declared)
    others = set() if keep is None else _others_fields(plan, event, keep)
    values: dict[str, Any] = {}
    personal: dict[str, str] = {}
    culled: list[Culled] = []
    redacted: list[str] = []
    for name, value in _fields(event):
        if name in others:
            redacted.append(name)
            continue
        if name in categories:
            category = value.category if isinstance(value, Shredded) else str(categories[name])
            personal[name] = category
        if isinstance(value, Shredded):
            run = index.run_for(value.category, key_ids, month)
            culled.append(
                Culled(
                    name,
                    value.category,
                    None if run is None else run.id,
                    None if run is None else run.rule_id,
                    None if run is None else run.as_of,
                )
            )
            continue
        values[name] = plain(value)
    return Entry(
        event.originator_version,
        type(event).__qualname__,
        recorded_at,
        known,
        values,
        personal,
        culled,
        redacted,
        _recorded_by(event),
    )


def _recorded_by(event: Any) -> dict[str, Any] | None:
    who = vars(event).get(RECORDED_BY)
    return dict(who) if isinstance(who, dict) else None


def _others_fields(plan: SealPlan, event: Any, keep: frozenset[UUID]) -> set[str]:
    """The personal fields of the event whose subject is someone not in ``keep``."""
    fields: set[str] = set()
    for group in plan.groups:
        stream = event.originator_id
        subject = stream if group.subject == SELF else getattr(event, group.subject, None)
        if isinstance(subject, UUID) and subject not in keep:
            fields.update(group.fields)
    return fields


def _fields(event: Any) -> list[tuple[str, Any]]:
    return [
        (name, value)
        for name, value in vars(event).items()
        if name not in _NOT_VALUES and not name.startswith("_")
    ]


def _subjects(stream_id: UUID, events: Iterable[Any]) -> list[UUID]:
    """Whose personal data these events show (opened fields only): each group's subject."""
    found: dict[UUID, None] = {}
    for event in events:
        plan = _plan(event)
        for group in plan.groups:
            first = getattr(event, group.fields[0], None)
            if isinstance(first, Shredded):
                continue  # culled: it shows no one
            subject = stream_id if group.subject == SELF else getattr(event, group.subject, None)
            if isinstance(subject, UUID):
                found[subject] = None
    return list(found)


def _state(aggregate: Any) -> dict[str, Any]:
    state = {
        "id": str(aggregate.id),
        "version": aggregate.version,
        "created_on": plain(aggregate.created_on),
        "modified_on": plain(aggregate.modified_on),
    }
    for name, value in vars(aggregate).items():
        if not name.startswith("_"):
            state[name] = plain(value)
    return state


def plain(value: Any) -> Any:
    """A JSON value: a culled field as ``{"culled": category}``, ids and times as text."""
    if isinstance(value, Shredded):
        return {"culled": value.category}
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)
