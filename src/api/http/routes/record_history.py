"""Auditors replay a record: its events in order, and its state at any moment. Sealed fields
are shown opened; culled ones are listed with the gallring run that culled them. Every replay
is on the access log, one record per person whose data it showed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from api import access_log
from api.http.deps import AuditorOnly, GallraDep
from api.record_history import Entry, ScanHistory

router = APIRouter(prefix="/audit", tags=["audit"])


class CulledPublic(BaseModel):
    field: str
    category: str
    gallring_run_id: UUID | None
    rule_id: str | None
    decided_as_of: date | None


class EntryPublic(BaseModel):
    version: int
    kind: str
    recorded_at: datetime | None
    time_known: str
    values: dict[str, Any]
    personal: dict[str, str]
    culled: list[CulledPublic]
    by: dict[str, Any] | None  # whose command wrote it: {"role", "id"}; None if not known


class RecordHistoryPublic(BaseModel):
    stream_id: UUID
    aggregate: str
    entries: list[EntryPublic]


class ScanHistoryPublic(BaseModel):
    about: UUID
    events_read: int
    records: list[RecordHistoryPublic]


class RecordStatePublic(BaseModel):
    stream_id: UUID
    aggregate: str
    at: datetime
    version: int
    uncertain_versions: list[int]
    state: dict[str, Any] | None


@router.get("/records/{stream_id}/history", response_model=RecordHistoryPublic)
def record_history(stream_id: UUID, gallra: GallraDep, _: AuditorOnly) -> RecordHistoryPublic:
    """Every event of the record, oldest first: when (exact while its first part lives, else
    its month, or unknown), every readable value, which fields are personal, and which are
    culled, with the gallring run whose decision culled them."""
    history = gallra.histories.history(stream_id)
    access_log.note_subjects(*history.subjects)
    return _record(history.stream_id, history.aggregate, history.entries)


@router.get("/subjects/{subject_id}/history", response_model=ScanHistoryPublic)
def subject_history(subject_id: UUID, gallra: GallraDep, _: AuditorOnly) -> ScanHistoryPublic:
    """Every event holding the person's data, record by record: their own records and each
    event of a shared record (a department-day, a lesson, a documentation entry, the access
    log) that names them. Reads the whole log; culled events name no one and are not found."""
    return _scan(gallra.histories.subject_history(subject_id))


@router.get("/units/{unit_id}/history", response_model=ScanHistoryPublic)
def unit_history(unit_id: UUID, gallra: GallraDep, _: AuditorOnly) -> ScanHistoryPublic:
    """The unit's own record and every event naming the unit or one of its departments."""
    return _scan(gallra.histories.unit_history(unit_id))


def _scan(history: ScanHistory) -> ScanHistoryPublic:
    access_log.note_subjects(*history.subjects)
    return ScanHistoryPublic(
        about=history.about,
        events_read=history.events_read,
        records=[_record(r.stream_id, r.aggregate, r.entries) for r in history.records],
    )


def _record(stream_id: UUID, aggregate: str, entries: list[Entry]) -> RecordHistoryPublic:
    return RecordHistoryPublic(
        stream_id=stream_id, aggregate=aggregate, entries=[_entry(e) for e in entries]
    )


def _entry(e: Entry) -> EntryPublic:
    return EntryPublic(
        version=e.version,
        kind=e.kind,
        recorded_at=e.recorded_at,
        time_known=e.time_known,
        values=e.values,
        personal=e.personal,
        by=e.by,
        culled=[
            CulledPublic(
                field=c.field,
                category=c.category,
                gallring_run_id=c.run_id,
                rule_id=c.rule_id,
                decided_as_of=c.decided_as_of,
            )
            for c in e.culled
        ],
    )


@router.get("/records/{stream_id}/state", response_model=RecordStatePublic)
def record_state(
    stream_id: UUID,
    gallra: GallraDep,
    _: AuditorOnly,
    at: Annotated[AwareDatetime, Query(description="the moment, with its time zone")],
) -> RecordStatePublic:
    """The record as it was at ``at``: the events surely recorded by then, applied in order.
    ``uncertain_versions`` are later events whose time was culled with their data, so that
    they may have come before ``at``; they are left out."""
    state = gallra.histories.state_at(stream_id, at)
    access_log.note_subjects(*state.subjects)
    return RecordStatePublic(
        stream_id=state.stream_id,
        aggregate=state.aggregate,
        at=state.at,
        version=state.version,
        uncertain_versions=state.uncertain,
        state=state.state,
    )
