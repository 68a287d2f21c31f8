"""Pairing a kiosk and issuing its device token, the one way every caller (the HTTP route,
the CLI, the demo) does it, so the token's claims and lifetime cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from api.bootstrap import Gallra
from api.tokens import Principal, Role


@dataclass(frozen=True, slots=True)
class PairedKiosk:
    kiosk_id: UUID
    token: str


def device_token(gallra: Gallra, kiosk_id: UUID, department_id: UUID, name: str = "") -> str:
    """A kiosk's device token, valid ``kiosk_token_ttl_days``; unpairing revokes it sooner."""
    principal = Principal(
        Role.KIOSK, department=department_id, name=name or "kiosk", device=kiosk_id
    )
    ttl = timedelta(days=gallra.settings.kiosk_token_ttl_days)
    return gallra.tokens.issue(principal, ttl=ttl)


def pair_kiosk(
    gallra: Gallra, department_id: UUID, label: str, paired_by: UUID | None, name: str = ""
) -> PairedKiosk:
    """Pair a new kiosk to the department and issue its device token."""
    kiosk_id = gallra.app.pair_kiosk(department_id, label, paired_by)
    return PairedKiosk(kiosk_id, device_token(gallra, kiosk_id, department_id, name or label))


def demo_kiosk_token(gallra: Gallra, department_id: UUID) -> str:
    """The demo's kiosk token: a kiosk paired on the first start, reused by later starts (a
    restart writes nothing)."""
    kiosks = gallra.app.department_kiosks(department_id)
    kiosk_id = next((k.kiosk_id for k in kiosks if k.paired), None)
    if kiosk_id is None:
        kiosk_id = gallra.app.pair_kiosk(department_id, "demo kiosk", None)
    return device_token(gallra, kiosk_id, department_id, "demo-kiosk")
