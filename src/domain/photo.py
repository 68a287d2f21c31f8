"""Photos people upload (a profile picture, a pick-up person's photo): JPEG or PNG only, at
most 256 KiB, recognised by their magic bytes rather than by what the client says they are.

One check for every photo, so the limits cannot drift apart. Errors name the field at fault,
never the content.
"""

from __future__ import annotations

import base64
import binascii

from domain.errors import RuleViolationError

MAX_PHOTO_BYTES = 256 * 1024
PHOTO_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


def check_photo(media_type: str, data: bytes, *, field: str, type_field: str) -> None:
    """Refuse anything but a JPEG or PNG of at most ``MAX_PHOTO_BYTES`` that is what its
    media type says."""
    magic = check_photo_type(media_type, field=type_field)
    if len(data) > MAX_PHOTO_BYTES:
        raise RuleViolationError(
            f"{field} is larger than {MAX_PHOTO_BYTES // 1024} KiB", field=field
        )
    if not data.startswith(magic):
        raise RuleViolationError(f"{field} is not a {media_type} image", field=field)


def check_photo_type(media_type: str, *, field: str) -> bytes:
    """The magic bytes a photo of this media type starts with; anything but JPEG or PNG is
    refused."""
    magic = PHOTO_TYPES.get(media_type)
    if magic is None:
        raise RuleViolationError(f"{field} must be one of {', '.join(PHOTO_TYPES)}", field=field)
    return magic


def decode_base64(text: str, *, field: str) -> bytes:
    """A photo sent as base64 text, decoded strictly."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolationError(f"{field} must be base64", field=field) from None
