"""Request and response models of pick-up persons and paired kiosks (issue 4).

A pick-up person's photo travels as base64 in a PUT and comes back as image bytes from its own
URL; lists say only whether there is one. The kiosk's check-in list carries given names and
pick-up persons' names, never a civic number, a family name or a phone number.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.http.schemas import Model
from domain.kiosk import MAX_LABEL
from domain.photo import MAX_PHOTO_BYTES
from domain.pickup import MAX_NAME, MAX_PHONE

_PHOTO_B64 = 4 * -(-MAX_PHOTO_BYTES // 3)  # base64 length of the largest photo


class PickupPersonPut(Model):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    phone: str = Field(min_length=1, max_length=MAX_PHONE, description="6 to 20 digits")
    photo_type: str | None = Field(default=None, max_length=20, description="image/jpeg|png")
    photo: str | None = Field(default=None, max_length=_PHOTO_B64, description="base64")


class PickupPersonPublic(Model):
    person_id: UUID
    name: str | None
    phone: str | None
    has_photo: bool
    photo_type: str | None
    culled: list[str] = Field(default_factory=list)


class PickupPutAnswer(Model):
    person_id: UUID
    outcome: str = Field(description="added, changed or unchanged")


class KioskPair(Model):
    label: str = Field(min_length=1, max_length=MAX_LABEL, description="e.g. Björnen entré")


class KioskPaired(Model):
    kiosk_id: UUID
    token: str = Field(description="the device token; unpairing the kiosk revokes it")


class KioskPublic(Model):
    kiosk_id: UUID
    department_id: UUID
    unit_id: UUID
    label: str
    paired: bool


class HandoverGuardian(Model):
    guardian_id: UUID
    given_name: str | None
    culled: list[str] = Field(default_factory=list)


class HandoverPickupPerson(Model):
    person_id: UUID
    name: str | None
    has_photo: bool
    culled: list[str] = Field(default_factory=list)


class KioskChild(Model):
    """A child placed at the department today, as the check-in screen shows it."""

    child_id: UUID
    given_name: str | None
    present: bool
    present_since: datetime | None
    guardians: list[HandoverGuardian]
    pickup_persons: list[HandoverPickupPerson]
    culled: list[str] = Field(default_factory=list)
