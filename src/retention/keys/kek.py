"""The key-encryption key (KEK): wraps every data key, and is never stored in the database.

Several KEKs may be loaded at once (rotation: new keys are wrapped by the active one, old rows
are re-wrapped, events are never re-encrypted). Each wrapped key records the id of its KEK.
The database stores, per KEK id, a check value sealed by that KEK, so a wrong KEK is detected
at start instead of being discovered as "everything is shredded".
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from retention.errors import KekError

_CHECK_PLAINTEXT = b"gallra key-encryption key check v1"
NONCE_BYTES = 12


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KekError(f"{what} is not valid base64") from None
    if len(raw) != 32:
        raise KekError(f"{what} must be 32 bytes (base64 of 256 bits), got {len(raw)}")
    return raw


def _optional_key(text: object, what: str) -> bytes | None:
    """A key a deployment may not have yet (one made before it existed): None when absent."""
    return None if text is None else _decode_key(str(text), what)


def _retired_checkpoint_keys(items: object, what: str) -> tuple[bytes, ...]:
    """Public keys of checkpoint keys no longer signing: their checkpoints must still verify."""
    if items is None:
        return ()
    if isinstance(items, str):
        items = [item for item in items.split(",") if item.strip()]
    if not isinstance(items, list):
        raise KekError(f"{what} must be a list of base64 Ed25519 public keys")
    return tuple(_decode_key(str(item), f"{what}[{n}]") for n, item in enumerate(items))


@dataclass(frozen=True)
class Secrets:
    """Everything secret Gallra needs that must not live in the database."""

    keks: dict[str, bytes]  # kek id -> 32-byte key
    active_kek: str
    index_key: bytes  # HMAC key for the blind index of civic numbers
    token_key: bytes  # HMAC key for bearer tokens
    checkpoint_key: bytes | None = None  # Ed25519 seed that signs log checkpoints (ADR 0024)
    # raw Ed25519 public keys of earlier checkpoint keys, oldest first: verify, never sign
    retired_checkpoint_keys: tuple[bytes, ...] = ()
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.active_kek not in self.keks:
            raise KekError(f"active KEK {self.active_kek!r} is not among the loaded KEKs")
        for kek_id, key in self.keks.items():
            self._aead[kek_id] = AESGCM(key)

    def __repr__(self) -> str:
        return f"Secrets(keks={sorted(self.keks)}, active_kek={self.active_kek!r})"

    def wrap(self, dek: bytes, associated_data: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.active_kek].encrypt(nonce, dek, associated_data)
        return self.active_kek, nonce + sealed

    def unwrap(self, kek_id: str, wrapped: bytes, associated_data: bytes) -> bytes:
        aead = self._aead.get(kek_id)
        if aead is None:
            raise KekError(f"a data key is wrapped by KEK {kek_id!r}, which is not loaded")
        try:
            return aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], associated_data)
        except InvalidTag:
            raise KekError(f"KEK {kek_id!r} does not open this database's keys") from None

    def check_value(self, kek_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead[kek_id].encrypt(nonce, _CHECK_PLAINTEXT, kek_id.encode())

    def verify_check_value(self, kek_id: str, value: bytes) -> None:
        self.unwrap(kek_id, value, kek_id.encode())


def generate_secrets_file(path: Path) -> None:
    """Write fresh secrets to ``path`` with mode 0600 (the demo keeps them beside the database)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "keks": {"k1": base64.b64encode(secrets.token_bytes(32)).decode()},
        "active_kek": "k1",
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "token_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "checkpoint_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(content, f, indent=2)


def load_secrets_file(path: Path) -> Secrets:
    """Read a secrets file; a file readable by others is refused, as a leaked KEK ends culling."""
    try:
        mode = path.stat().st_mode & 0o777
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise KekError(f"secrets file {path} does not exist") from None
    except (OSError, json.JSONDecodeError) as e:
        raise KekError(f"secrets file {path} cannot be read: {type(e).__name__}") from None
    if mode & 0o077:
        raise KekError(f"secrets file {path} must be readable by its owner only (chmod 600)")
    try:
        keks = {k: _decode_key(v, f"KEK {k!r}") for k, v in dict(data["keks"]).items()}
        return Secrets(
            keks=keks,
            active_kek=str(data["active_kek"]),
            index_key=_decode_key(data["index_key"], "index_key"),
            token_key=_decode_key(data["token_key"], "token_key"),
            checkpoint_key=_optional_key(data.get("checkpoint_key"), "checkpoint_key"),
            retired_checkpoint_keys=_retired_checkpoint_keys(
                data.get("retired_checkpoint_keys"), "retired_checkpoint_keys"
            ),
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise KekError(f"secrets file {path} lacks {e}") from None


def secrets_from_env(env: dict[str, str]) -> Secrets | None:
    """Secrets from GALLRA_KEK (and GALLRA_INDEX_KEY, GALLRA_TOKEN_KEY, GALLRA_CHECKPOINT_KEY,
    GALLRA_RETIRED_CHECKPOINT_KEYS: base64 public keys, comma-separated), if GALLRA_KEK is set.

    For deployments whose secret store injects environment variables rather than files.
    GALLRA_OLD_KEKS may list retired KEKs as ``id:base64,id:base64`` during a rotation.
    """
    if "GALLRA_KEK" not in env:
        return None
    kek_id = env.get("GALLRA_KEK_ID", "k1")
    keks = {kek_id: _decode_key(env["GALLRA_KEK"], "GALLRA_KEK")}
    for item in filter(None, env.get("GALLRA_OLD_KEKS", "").split(",")):
        old_id, _, value = (part.strip() for part in item.partition(":"))
        if old_id in keks:
            raise KekError(f"GALLRA_OLD_KEKS names KEK {old_id!r} twice, or the active one")
        keks[old_id] = _decode_key(value, f"retired KEK {old_id!r}")
    for name in ("GALLRA_INDEX_KEY", "GALLRA_TOKEN_KEY"):
        if name not in env:
            raise KekError(f"GALLRA_KEK is set but {name} is not")
    return Secrets(
        keks=keks,
        active_kek=kek_id,
        index_key=_decode_key(env["GALLRA_INDEX_KEY"], "GALLRA_INDEX_KEY"),
        token_key=_decode_key(env["GALLRA_TOKEN_KEY"], "GALLRA_TOKEN_KEY"),
        checkpoint_key=_optional_key(env.get("GALLRA_CHECKPOINT_KEY"), "GALLRA_CHECKPOINT_KEY"),
        retired_checkpoint_keys=_retired_checkpoint_keys(
            env.get("GALLRA_RETIRED_CHECKPOINT_KEYS"), "GALLRA_RETIRED_CHECKPOINT_KEYS"
        ),
    )
