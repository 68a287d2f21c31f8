"""Bearer tokens: every role survives the round trip; forged, expired and garbage tokens do not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.tokens import Principal, Role, TokenError, TokenIssuer

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
TTL = timedelta(hours=12)
FIXED_MESSAGES = {"invalid token", "token expired"}


@pytest.fixture
def issuer() -> TokenIssuer:
    return TokenIssuer(secrets.token_bytes(32), ttl=TTL)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("role", list(Role))
def test_every_role_round_trips(issuer: TokenIssuer, role: Role) -> None:
    principal = Principal(
        role=role, subject=uuid4(), department=uuid4(), name="Anna Öberg", device=uuid4()
    )

    token = issuer.issue(principal, now=NOW)

    assert issuer.verify(token, now=NOW) == principal
    assert issuer.verify(token, now=NOW + TTL) == principal


def test_a_principal_without_subject_or_department_round_trips(issuer: TokenIssuer) -> None:
    principal = Principal(role=Role.STATISTICIAN)

    assert issuer.verify(issuer.issue(principal, now=NOW), now=NOW) == principal


def test_a_token_from_another_key_is_refused(issuer: TokenIssuer) -> None:
    other = TokenIssuer(secrets.token_bytes(32), ttl=TTL)
    token = other.issue(Principal(role=Role.ADMIN), now=NOW)

    with pytest.raises(TokenError, match="invalid token"):
        issuer.verify(token, now=NOW)


def test_a_changed_body_is_refused(issuer: TokenIssuer) -> None:
    token = issuer.issue(Principal(role=Role.GUARDIAN, subject=uuid4()), now=NOW)
    body, signature = token.split(".")
    claims = json.loads(unb64(body))
    assert claims["role"] == "guardian"
    claims["role"] = "admin"
    forged = b64(json.dumps(claims, separators=(",", ":")).encode()) + "." + signature

    with pytest.raises(TokenError, match="invalid token"):
        issuer.verify(forged, now=NOW)


def test_a_changed_signature_is_refused(issuer: TokenIssuer) -> None:
    token = issuer.issue(Principal(role=Role.STAFF), now=NOW)
    body, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(TokenError):
        issuer.verify(f"{body}.{flipped}", now=NOW)


def test_an_expired_token_is_refused(issuer: TokenIssuer) -> None:
    token = issuer.issue(Principal(role=Role.KIOSK, department=uuid4(), device=uuid4()), now=NOW)

    with pytest.raises(TokenError, match=r"^token expired$"):
        issuer.verify(token, now=NOW + TTL + timedelta(seconds=1))


def test_a_short_ttl_expires_early() -> None:
    issuer = TokenIssuer(secrets.token_bytes(32), ttl=timedelta(minutes=5))
    token = issuer.issue(Principal(role=Role.AUDITOR), now=NOW)

    assert issuer.verify(token, now=NOW + timedelta(minutes=5)).role is Role.AUDITOR
    with pytest.raises(TokenError, match="expired"):
        issuer.verify(token, now=NOW + timedelta(minutes=6))


def test_a_signed_token_with_an_unknown_role_is_refused() -> None:
    key = secrets.token_bytes(32)
    issuer = TokenIssuer(key)
    body = b64(json.dumps({"role": "superuser", "exp": 2**40}).encode())
    # Signed as the issuer signs: the key holder made a token of a role that does not exist.
    token = f"{body}.{b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"

    with pytest.raises(TokenError, match="invalid token"):
        issuer.verify(token)


@pytest.mark.parametrize(
    "token", ["", "a.b", "x", "...", ".", "a.b.c", "é.ü", "\ud800.x", "=.=", "e30.e30"]
)
def test_garbage_is_refused_with_token_error(issuer: TokenIssuer, token: str) -> None:
    with pytest.raises(TokenError) as caught:
        issuer.verify(token, now=NOW)
    assert str(caught.value) == "invalid token"


@given(st.text(max_size=80))
def test_arbitrary_text_raises_only_token_error(token: str) -> None:
    issuer = TokenIssuer(b"k" * 32)

    with pytest.raises(TokenError) as caught:
        issuer.verify(token, now=NOW)
    # A fixed message: nothing of the presented token is echoed back.
    assert str(caught.value) in FIXED_MESSAGES


def test_error_messages_never_contain_the_token(issuer: TokenIssuer) -> None:
    token = issuer.issue(Principal(role=Role.ADMIN, name="Root"), now=NOW)
    body, signature = token.split(".")
    attempts = [
        token,  # expired
        f"{body}.{signature[:-2]}",  # bad signature
        f"{body}x.{signature}",  # changed body
    ]

    for attempt in attempts:
        with pytest.raises(TokenError) as caught:
            issuer.verify(attempt, now=NOW + timedelta(days=2))
        message = str(caught.value)
        assert message in FIXED_MESSAGES
        assert attempt not in message
        assert body not in message and signature not in message
