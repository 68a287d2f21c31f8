"""Bearer tokens: signed, expiring claims of a role (and whose or which department).

A token is ``base64url(json claims) "." base64url(HMAC-SHA256)`` under the token key from the
secrets file. Stateless on purpose for this slice: full access control (connections, revocation)
comes with the school side; the roles are already enforced on every endpoint. A kiosk's token
names its paired device, and is accepted only while that device is paired (``api.http.deps``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    ADMIN = "admin"  # municipal administration: organisation, registration, gallring
    STAFF = "staff"  # school and preschool staff: the children they are connected to
    GUARDIAN = "guardian"  # a guardian: their own children only
    STUDENT = "student"  # a student: their own record and documentation only
    KIOSK = "kiosk"  # a department's touch screen: check-in/out there only
    STATISTICIAN = "statistician"  # anonymous statistics only
    KITCHEN = "kitchen"  # a unit's kitchen: diet counts per unit and day, never names
    AUDITOR = "auditor"  # gallring records, read only


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    subject: UUID | None = None  # the person id of a guardian, student or staff member
    department: UUID | None = None  # the kiosk's department
    name: str = ""  # who, for records such as "decided by"
    device: UUID | None = None  # a kiosk's paired device (its kiosk id); a kiosk must have one
    unit: UUID | None = None  # a kitchen's unit: the only unit whose diet counts it reads


class TokenError(ValueError):
    """The token is missing, malformed, forged or expired (never says which part was wrong)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self, key: bytes, ttl: timedelta = timedelta(hours=12)) -> None:
        self._key = key
        self._ttl = ttl

    def issue(
        self, principal: Principal, now: datetime | None = None, ttl: timedelta | None = None
    ) -> str:
        """A token for the principal, valid for ``ttl`` (default: the issuer's)."""
        if principal.role == Role.KIOSK and principal.device is None:
            raise ValueError("a kiosk token must name its paired device")
        issued = now or datetime.now(UTC)
        claims = {
            "role": str(principal.role),
            "sub": str(principal.subject) if principal.subject else None,
            "dep": str(principal.department) if principal.department else None,
            "name": principal.name,
            "dev": str(principal.device) if principal.device else None,
            "unit": str(principal.unit) if principal.unit else None,
            "exp": int((issued + (ttl or self._ttl)).timestamp()),
        }
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def verify(self, token: str, now: datetime | None = None) -> Principal:
        try:
            body, signature = token.split(".")
            if not hmac.compare_digest(signature, self._sign(body)):
                raise TokenError("invalid token")
            claims = json.loads(_unb64(body))
            if claims["exp"] < (now or datetime.now(UTC)).timestamp():
                raise TokenError("token expired")
            principal = Principal(
                role=Role(claims["role"]),
                subject=UUID(claims["sub"]) if claims.get("sub") else None,
                department=UUID(claims["dep"]) if claims.get("dep") else None,
                name=str(claims.get("name", "")),
                device=UUID(claims["dev"]) if claims.get("dev") else None,
                unit=UUID(claims["unit"]) if claims.get("unit") else None,
            )
            if principal.role == Role.KIOSK and principal.device is None:
                raise TokenError("invalid token")  # issued before kiosks were paired devices
            return principal
        except TokenError:
            raise
        except (ValueError, KeyError, TypeError):
            raise TokenError("invalid token") from None
