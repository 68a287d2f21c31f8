"""KEK rotation on the secrets file: add a new active KEK, then retire the old one.

The order an operator follows (``gallra keys ...``): ``add-kek`` writes a new KEK and makes it
active (the old stays, so existing keys still open); ``rewrap`` re-wraps every live data key
under the active KEK (events are never touched); ``retire-kek ID`` drops the old KEK from the
file once no key row uses it. The file is rewritten atomically with mode 0600 each time.

The checkpoint key (ADR 0024) rotates in one step, ``rotate-checkpoint-key``: a new seed signs
from then on, and the old key's public half joins ``retired_checkpoint_keys``, so checkpoints
it signed still verify. Its private half is gone from the file: it can sign nothing more.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from retention.errors import KekError
from retention.integrity.checkpoints import Signer, public_bytes
from retention.keys.kek import load_secrets_file


def _write_atomically(path: Path, content: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".secrets-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(content, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> dict[str, Any]:
    load_secrets_file(path)  # validates the file and its permissions first
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def add_kek(path: Path) -> str:
    """Add a fresh KEK to the secrets file and make it the active one; returns its id."""
    data = _read(path)
    n = 1
    while f"k{n}" in data["keks"]:
        n += 1
    kek_id = f"k{n}"
    data["keks"][kek_id] = base64.b64encode(secrets.token_bytes(32)).decode()
    data["active_kek"] = kek_id
    _write_atomically(path, data)
    return kek_id


def retire_kek(path: Path, kek_id: str, keys_using: int) -> None:
    """Drop a KEK from the secrets file; refused while it is active or still wraps keys."""
    data = _read(path)
    if kek_id not in data["keks"]:
        raise KekError(f"the secrets file has no KEK {kek_id!r}")
    if data["active_kek"] == kek_id:
        raise KekError(f"KEK {kek_id!r} is the active one; add a new KEK first")
    if keys_using:
        raise KekError(f"KEK {kek_id!r} still wraps {keys_using} data keys; run rewrap first")
    del data["keks"][kek_id]
    _write_atomically(path, data)


def rotate_checkpoint_key(path: Path) -> bytes:
    """Put a fresh checkpoint key in the secrets file, keeping the old one's public key as
    retired; returns the new raw public key, for auditors to keep."""
    data = _read(path)
    retired: list[str] = list(data.get("retired_checkpoint_keys") or [])
    old = data.get("checkpoint_key")
    if old is not None:
        encoded = base64.b64encode(_public(base64.b64decode(old, validate=True))).decode()
        if encoded not in retired:
            retired.append(encoded)
    seed = secrets.token_bytes(32)
    data["checkpoint_key"] = base64.b64encode(seed).decode()
    data["retired_checkpoint_keys"] = retired
    _write_atomically(path, data)
    return _public(seed)


def _public(seed: bytes) -> bytes:
    return public_bytes(Signer(seed).public)
