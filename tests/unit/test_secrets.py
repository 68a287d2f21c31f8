"""Secrets outside the database: file permissions, key validation, environment, wrapping."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from retention.errors import KekError
from retention.keys.kek import Secrets, generate_secrets_file, load_secrets_file, secrets_from_env


def b64key(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


def secrets_with(kek: bytes, kek_id: str = "k1") -> Secrets:
    return Secrets(
        keks={kek_id: kek}, active_kek=kek_id, index_key=os.urandom(32), token_key=os.urandom(32)
    )


def write_secrets(path: Path, content: dict[str, object], mode: int = 0o600) -> Path:
    path.write_text(json.dumps(content))
    path.chmod(mode)
    return path


def good_content() -> dict[str, object]:
    return {
        "keks": {"k1": b64key()},
        "active_kek": "k1",
        "index_key": b64key(),
        "token_key": b64key(),
    }


# The secrets file


def test_generated_file_is_private_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "secrets.json"

    generate_secrets_file(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = json.loads(path.read_text())
    loaded = load_secrets_file(path)
    assert loaded.active_kek == "k1"
    assert loaded.keks == {"k1": base64.b64decode(content["keks"]["k1"])}
    assert loaded.index_key == base64.b64decode(content["index_key"])
    assert loaded.token_key == base64.b64decode(content["token_key"])
    assert len({loaded.keks["k1"], loaded.index_key, loaded.token_key}) == 3


def test_generate_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    generate_secrets_file(path)
    before = path.read_bytes()

    with pytest.raises(FileExistsError):
        generate_secrets_file(path)
    assert path.read_bytes() == before


def test_repr_shows_no_key_material(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    generate_secrets_file(path)
    content = json.loads(path.read_text())
    loaded = load_secrets_file(path)

    shown = repr(loaded) + str(loaded)

    assert content["keks"]["k1"] not in shown
    assert content["index_key"] not in shown
    assert content["token_key"] not in shown
    assert repr(loaded.keks["k1"]) not in shown
    assert "k1" in shown


def test_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = write_secrets(tmp_path / "secrets.json", good_content(), mode=0o644)

    with pytest.raises(KekError, match="chmod 600"):
        load_secrets_file(path)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("keks", {"k1": "not base64!"}, "KEK 'k1'"),
        ("keks", {"k1": base64.b64encode(bytes(16)).decode()}, "KEK 'k1'"),
        ("index_key", "%%%", "index_key"),
        ("index_key", base64.b64encode(bytes(16)).decode(), "index_key"),
        ("token_key", base64.b64encode(bytes(33)).decode(), "token_key"),
    ],
    ids=["kek-not-base64", "kek-16-bytes", "index-not-base64", "index-16-bytes", "token-33"],
)
def test_a_malformed_key_is_refused_naming_it(
    tmp_path: Path, field: str, value: object, named: str
) -> None:
    content = good_content() | {field: value}
    path = write_secrets(tmp_path / "secrets.json", content)

    with pytest.raises(KekError) as caught:
        load_secrets_file(path)
    assert named in str(caught.value)


def test_short_key_message_gives_its_length(tmp_path: Path) -> None:
    content = good_content() | {"index_key": base64.b64encode(bytes(16)).decode()}
    path = write_secrets(tmp_path / "secrets.json", content)

    with pytest.raises(KekError, match=r"32 bytes.*got 16"):
        load_secrets_file(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KekError, match="does not exist"):
        load_secrets_file(tmp_path / "absent.json")


@pytest.mark.parametrize("missing", ["keks", "active_kek", "index_key", "token_key"])
def test_a_file_lacking_a_field_is_refused(tmp_path: Path, missing: str) -> None:
    content = good_content()
    del content[missing]
    path = write_secrets(tmp_path / "secrets.json", content)

    with pytest.raises(KekError, match=missing):
        load_secrets_file(path)


def test_an_active_kek_that_is_not_loaded_is_refused(tmp_path: Path) -> None:
    path = write_secrets(tmp_path / "secrets.json", good_content() | {"active_kek": "k9"})

    with pytest.raises(KekError, match="'k9'"):
        load_secrets_file(path)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("{not json")
    path.chmod(0o600)

    with pytest.raises(KekError, match="cannot be read"):
        load_secrets_file(path)


# The environment


def test_no_gallra_kek_means_no_secrets_from_env() -> None:
    assert secrets_from_env({}) is None
    assert secrets_from_env({"GALLRA_INDEX_KEY": b64key(), "GALLRA_TOKEN_KEY": b64key()}) is None


def test_secrets_from_env() -> None:
    kek, index, token = b64key(), b64key(), b64key()

    found = secrets_from_env(
        {"GALLRA_KEK": kek, "GALLRA_INDEX_KEY": index, "GALLRA_TOKEN_KEY": token}
    )

    assert found is not None
    assert found.active_kek == "k1"
    assert found.keks == {"k1": base64.b64decode(kek)}
    assert found.index_key == base64.b64decode(index)
    assert found.token_key == base64.b64decode(token)


def test_secrets_from_env_with_kek_id_and_retired_keks() -> None:
    kek, old = b64key(), b64key()
    env = {
        "GALLRA_KEK": kek,
        "GALLRA_KEK_ID": "k2",
        "GALLRA_OLD_KEKS": f"k0:{old}",
        "GALLRA_INDEX_KEY": b64key(),
        "GALLRA_TOKEN_KEY": b64key(),
    }

    found = secrets_from_env(env)

    assert found is not None
    assert found.active_kek == "k2"
    assert found.keks == {"k2": base64.b64decode(kek), "k0": base64.b64decode(old)}
    # A key wrapped under the retired KEK still opens.
    retired = secrets_with(base64.b64decode(old), kek_id="k0")
    kek_id, wrapped = retired.wrap(b"d" * 32, b"scope")
    assert found.unwrap(kek_id, wrapped, b"scope") == b"d" * 32
    # New keys are wrapped by the active one.
    assert found.wrap(b"d" * 32, b"scope")[0] == "k2"


@pytest.mark.parametrize("missing", ["GALLRA_INDEX_KEY", "GALLRA_TOKEN_KEY"])
def test_gallra_kek_without_the_other_keys_is_refused(missing: str) -> None:
    env = {"GALLRA_KEK": b64key(), "GALLRA_INDEX_KEY": b64key(), "GALLRA_TOKEN_KEY": b64key()}
    del env[missing]

    with pytest.raises(KekError, match=missing):
        secrets_from_env(env)


def test_a_malformed_env_kek_is_refused_naming_it() -> None:
    env = {"GALLRA_KEK": b64key(16), "GALLRA_INDEX_KEY": b64key(), "GALLRA_TOKEN_KEY": b64key()}

    with pytest.raises(KekError, match="GALLRA_KEK"):
        secrets_from_env(env)


# Wrapping and check values


def test_wrap_unwrap_round_trip_bound_to_associated_data() -> None:
    keys = secrets_with(os.urandom(32))
    dek = os.urandom(32)

    kek_id, wrapped = keys.wrap(dek, b"subject/attendance/2024-03")

    assert kek_id == "k1"
    assert dek not in wrapped
    assert keys.unwrap(kek_id, wrapped, b"subject/attendance/2024-03") == dek
    with pytest.raises(KekError):
        keys.unwrap(kek_id, wrapped, b"subject/attendance/2024-04")


def test_unwrap_under_another_kek_or_unknown_id_is_refused() -> None:
    keys, other = secrets_with(os.urandom(32)), secrets_with(os.urandom(32))
    kek_id, wrapped = keys.wrap(os.urandom(32), b"ad")

    with pytest.raises(KekError, match="does not open"):
        other.unwrap(kek_id, wrapped, b"ad")
    with pytest.raises(KekError, match="not loaded"):
        keys.unwrap("k7", wrapped, b"ad")


def test_wrapping_twice_gives_different_bytes() -> None:
    keys = secrets_with(os.urandom(32))
    dek = os.urandom(32)

    assert keys.wrap(dek, b"ad") != keys.wrap(dek, b"ad")


def test_check_value_accepts_its_own_kek_and_rejects_another() -> None:
    keys, other = secrets_with(os.urandom(32)), secrets_with(os.urandom(32))

    keys.verify_check_value("k1", keys.check_value("k1"))
    with pytest.raises(KekError):
        keys.verify_check_value("k1", other.check_value("k1"))
    with pytest.raises(KekError):
        other.verify_check_value("k1", keys.check_value("k1"))


def test_a_retired_kek_may_not_reuse_the_active_id() -> None:
    import base64
    import os as _os

    def b64() -> str:
        return base64.b64encode(_os.urandom(32)).decode()

    env = {
        "GALLRA_KEK": b64(),
        "GALLRA_INDEX_KEY": b64(),
        "GALLRA_TOKEN_KEY": b64(),
        "GALLRA_OLD_KEKS": f"k1:{b64()}",
    }
    with pytest.raises(KekError, match="twice, or the active one"):
        secrets_from_env(env)


def test_retired_checkpoint_keys_from_env_and_file(tmp_path: Path) -> None:
    first, second = b64key(), b64key()
    env = {
        "GALLRA_KEK": b64key(),
        "GALLRA_INDEX_KEY": b64key(),
        "GALLRA_TOKEN_KEY": b64key(),
        "GALLRA_RETIRED_CHECKPOINT_KEYS": f"{first}, {second}",
    }
    found = secrets_from_env(env)
    assert found is not None
    assert found.retired_checkpoint_keys == (base64.b64decode(first), base64.b64decode(second))
    path = write_secrets(
        tmp_path / "s.json", {**good_content(), "retired_checkpoint_keys": [second]}
    )
    assert load_secrets_file(path).retired_checkpoint_keys == (base64.b64decode(second),)
    none = write_secrets(tmp_path / "t.json", good_content())
    assert load_secrets_file(none).retired_checkpoint_keys == ()


@pytest.mark.parametrize("bad", ["not base64!", b64key(16), 7])
def test_a_malformed_retired_checkpoint_key_is_refused_naming_it(
    tmp_path: Path, bad: object
) -> None:
    value = bad if isinstance(bad, int) else [bad]
    path = write_secrets(tmp_path / "s.json", {**good_content(), "retired_checkpoint_keys": value})
    with pytest.raises(KekError, match="retired_checkpoint_keys"):
        load_secrets_file(path)
