"""``gallra log verify|checkpoint|public-key`` on a store on disk, in process: a log as written
verifies, a checkpoint is signed over it, an auditor's own public key checks it, and a row
altered behind the application's back fails the command with the event named."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from test_cli import assert_one_line_error, make_history, open_store, run

from raw_log import RawLog


def test_verify_sign_and_check_with_the_auditors_key(tmp_path: Path) -> None:
    store = tmp_path / "var"
    make_history(store)
    args = ("--data-dir", str(store))

    first = run("log", "verify", *args)
    assert first.exit_code == 0, first.output
    assert "the log verifies" in first.stdout and "no checkpoint yet" in first.stdout

    signed = run("log", "checkpoint", *args)
    assert signed.exit_code == 0, signed.output
    assert signed.stdout.startswith("signed checkpoint 1 through notification ")
    again = run("log", "checkpoint", *args)
    assert "nothing new since checkpoint 1" in again.stdout

    public = run("log", "public-key", *args).stdout.strip()
    assert len(base64.b64decode(public)) == 32
    kept = run("log", "verify", "--public-key", public, "--json", *args)
    report = json.loads(kept.stdout)
    assert kept.exit_code == 0 and report["ok"] and report["checkpoints"] == 1
    assert report["signed_through"] == report["last_position"] and report["unsigned"] == 0

    other = base64.b64encode(bytes(32)).decode()  # not the deployment's key
    refused = run("log", "verify", "--public-key", other, "--json", *args)
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["failure"]["finding"] == "unknown-key"
    bad = run("log", "verify", "--public-key", "not base64!", *args)
    assert_one_line_error(bad, "--public-key")

    gallra = open_store(store)
    try:
        raw = RawLog(gallra)
        target = raw.rows()[5]
        state = bytearray(target.state)
        state[12] ^= 0x01
        raw.set_state(target, bytes(state))
    finally:
        gallra.close()
    failed = run("log", "verify", "--json", *args)
    assert failed.exit_code == 1
    failure = json.loads(failed.stdout)["failure"]
    assert failure["finding"] == "altered" and failure["notification_id"] == target.id
    assert failure["stream"] == str(target.stream) and failure["version"] == target.version
    shown = run("log", "verify", *args)
    assert shown.exit_code == 1 and f"FAILED at notification {target.id}" in shown.stdout
    refused_sign = run("log", "checkpoint", *args)
    assert_one_line_error(refused_sign, "does not verify", "no checkpoint was signed")


def test_a_rotated_checkpoint_key_signs_anew_and_what_the_old_signed_still_verifies(
    tmp_path: Path,
) -> None:
    store = tmp_path / "var"
    make_history(store)
    args = ("--data-dir", str(store))
    assert run("log", "checkpoint", *args).exit_code == 0
    old = run("log", "public-key", *args).stdout.strip()

    rotated = run("keys", "rotate-checkpoint-key", *args)
    assert rotated.exit_code == 0, rotated.output
    new = rotated.stdout.split()[-1]
    assert new != old and len(base64.b64decode(new)) == 32
    assert run("log", "public-key", *args).stdout.strip() == new
    secrets = store / "gallra.secrets.json"
    assert secrets.stat().st_mode & 0o777 == 0o600
    assert json.loads(secrets.read_text())["retired_checkpoint_keys"] == [old]

    # the deployment verifies what the old key signed, and signs on with the new one
    kept = json.loads(run("log", "verify", "--json", *args).stdout)
    assert kept["ok"] and kept["checkpoints"] == 1
    gallra = open_store(store)
    try:
        gallra.app.create_unit("Förskolan Lärkan", "förskola")
    finally:
        gallra.close()
    assert run("log", "checkpoint", *args).stdout.startswith("signed checkpoint 2 ")
    both = run("log", "verify", "--public-key", old, "--public-key", new, "--json", *args)
    assert both.exit_code == 0 and json.loads(both.stdout)["checkpoints"] == 2
    # an auditor who kept only the new key is told which checkpoint it does not know
    only_new = json.loads(run("log", "verify", "--public-key", new, "--json", *args).stdout)
    assert only_new["failure"]["finding"] == "unknown-key"

    assert run("keys", "rotate-checkpoint-key", *args).exit_code == 0
    assert json.loads(secrets.read_text())["retired_checkpoint_keys"] == [old, new]
    assert json.loads(run("log", "verify", "--json", *args).stdout)["ok"]
