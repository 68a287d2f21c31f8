"""JSON transcodings beyond the library's defaults, for the value types events carry."""

from __future__ import annotations

from datetime import date, time

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class TimeAsISO(Transcoding):
    type = time
    name = "time_iso"

    def encode(self, obj: time) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> time:
        return time.fromisoformat(data)


def register_all(transcoder: JSONTranscoder) -> None:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO(), TimeAsISO()):
        transcoder.register(transcoding)


def make_transcoder() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    register_all(transcoder)
    return transcoder
