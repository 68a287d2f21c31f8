"""JSON transcodings beyond the library's defaults, for the value types events carry."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

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


# Direct decoders for the types every event carries; others go through their Transcoding.
_FAST_DECODERS: dict[str, Callable[[Any], Any]] = {
    "uuid_hex": UUID,
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
}


class SealingTranscoder(JSONTranscoder):
    """The library's JSON format exactly (tested against it), made cheaper per event: the C
    encoder is built once instead of per call, documents are scanned directly, and tagged
    values of the common types are decoded without the generic lookup chain."""

    def __init__(self) -> None:
        self._decoders: dict[str, Callable[[Any], Any]] = {}
        super().__init__()
        make = getattr(json.encoder, "c_make_encoder", None)
        self._iterencode = (
            None
            if make is None
            else make(
                None,
                self._encode_obj,
                json.encoder.encode_basestring,
                None,
                ":",
                ",",
                False,
                False,
                True,
            )
        )

        # The C scanner the decoder built; typeshed does not declare the attribute.
        self._scan: Callable[[str, int], tuple[Any, int]] = self.decoder.scan_once  # type: ignore[attr-defined]

    def encode(self, obj: Any) -> bytes:
        if self._iterencode is None:
            return super().encode(obj)
        return "".join(self._iterencode(obj, 0)).encode("utf8")

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._decoders[transcoding.name] = _FAST_DECODERS.get(transcoding.name, transcoding.decode)

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2:
            name = d.get("_type_")
            if name is not None and "_data_" in d:
                decode = self._decoders.get(name)
                if decode is None:
                    return super()._decode_obj(d)  # the library's error for unknown types
                return decode(d["_data_"])
        return d

    def decode(self, data: bytes) -> Any:
        """Scan the one JSON document directly (the library's ``JSONDecoder.decode`` wrapper
        adds a whitespace pass and a call per event); anything but a whole document is
        refused as before."""
        text = data.decode("utf8")
        try:
            value, end = self._scan(text, 0)
        except StopIteration as e:
            raise json.JSONDecodeError("Expecting value", text, e.value) from None
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
        return value


def register_all(transcoder: JSONTranscoder) -> None:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO(), TimeAsISO()):
        transcoder.register(transcoding)


def make_transcoder() -> JSONTranscoder:
    transcoder = SealingTranscoder()
    register_all(transcoder)
    return transcoder
