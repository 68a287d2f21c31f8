"""Kiosk tokens for tests: a kiosk is a paired device, so its token needs a paired kiosk.

``paired_kiosk_token`` pairs through the application when the department exists, and pairs a
device straight in the store when a test names a department nobody created (a kiosk "of
another department" that must be refused for what it is, not as an unknown token).
"""

from __future__ import annotations

from uuid import UUID, uuid4

from api.bootstrap import Gallra
from api.kiosk_pairing import device_token, pair_kiosk
from domain.errors import NotFoundError
from domain.kiosk import Kiosk


def paired_kiosk_token(gallra: Gallra, department_id: UUID | None = None) -> str:
    """A device token of a kiosk paired to ``department_id`` (a made-up one if None)."""
    claims = paired_kiosk_claims(gallra, department_id)
    return device_token(gallra, claims["device"], claims["department"])


def paired_kiosk_claims(gallra: Gallra, department_id: UUID | None = None) -> dict[str, UUID]:
    """``Principal`` keywords (department, device) of a newly paired kiosk, for tests that
    build their tokens from claims."""
    department = department_id or uuid4()
    try:
        kiosk_id = pair_kiosk(gallra, department, "test kiosk", None).kiosk_id
    except NotFoundError:  # a department the test never created
        kiosk = Kiosk.pair(department, uuid4(), "test kiosk", None)
        gallra.app.save(kiosk)
        kiosk_id = kiosk.id
    return {"department": department, "device": kiosk_id}


def kiosk_headers(gallra: Gallra, department_id: UUID | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {paired_kiosk_token(gallra, department_id)}"}
