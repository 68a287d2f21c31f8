"""A stolen disk reveals nothing: no personal value in plaintext anywhere Gallra writes, and
after gallring, nothing of the culled data even for a thief who also has the KEK."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Notification

from api.bootstrap import Gallra
from conftest import PG, Clock
from retention.keys.kek import Secrets
from retention.keys.scope import Scope
from retention.sealing import envelope

GIVEN, FAMILY, REASON = "Zäkkarias", "Qvistrandh", "hemlig-diagnos-kawasaki"
CIVIC, GUARDIAN_CIVIC = "20190302-2380", "19790113-9357"


def personal_values() -> list[bytes]:
    values = [GIVEN, FAMILY, REASON, "201903022380", "1903022380", "197901139357", "Ölvira"]
    return [v.encode() for v in values]


def raw_store(gallra: Gallra) -> bytes:
    """Every byte Gallra keeps: the SQLite files, or every row of every table in the schema."""
    settings = gallra.settings
    if settings.backend == "sqlite":
        path = settings.sqlite_path
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks: list[bytes] = []
    with psycopg.connect(**PG) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (settings.pg_schema,),
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM {settings.pg_schema}."{table}"'):  # type: ignore[arg-type]
                for value in row:
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


def make_records(gallra: Gallra, clock: Clock) -> dict[str, object]:
    app = gallra.app
    unit = app.create_unit("Förskolan Polstjärnan", "förskola")
    dep = app.add_department(unit, "Renen")
    guardian = app.register_guardian("Ölvira", FAMILY, GUARDIAN_CIVIC)
    child = app.register_child(GIVEN, FAMILY, CIVIC, [(guardian, "Vårdnadshavare")])
    app.place_child(child, unit, dep, date(2022, 8, 1))
    old_day = date(2023, 1, 10)
    clock_now = clock.now
    clock.now = datetime(2023, 1, 10, 18, tzinfo=UTC)
    app.report_absence(uuid4(), child, guardian, old_day, old_day, "sick", REASON)
    start = datetime(2023, 1, 10, 7, tzinfo=UTC)
    app.check_in(uuid4(), dep, child, start, guardian)
    app.check_out(uuid4(), dep, child, start + timedelta(hours=7), guardian)
    clock.now = clock_now
    gallra.runner.catch_up()
    return {"child": child, "guardian": guardian, "dep": dep}


def test_no_personal_value_reaches_disk_or_logs(
    gallra: Gallra, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    make_records(gallra, clock)
    gallra.gallring.planned(date(2026, 3, 16))
    raw = raw_store(gallra)
    assert raw.count(envelope.CHAINED_MAGIC) >= 9  # the scan saw every stored event
    logged = "\n".join(r.getMessage() for r in caplog.records).encode()
    for value in personal_values():
        assert value not in raw, value
        assert value not in logged, value


def _decryptable_parts(gallra: Gallra, secrets: Secrets) -> list[bytes]:
    """What a thief holding the database and the KEK could open: every sealed part whose
    key row still exists, decrypted with keys unwrapped by hand."""
    keystore = gallra.app.keystore
    keys: dict[object, AESGCM] = {}
    for record in keystore.scopes(include_shredded=False):
        assert record.key_id is not None
        aead = keystore.aead(record.key_id)
        assert aead is not None
        keys[record.key_id.bytes] = aead
    opened: list[bytes] = []
    for n in gallra.app.recorder.select_notifications(start=1, limit=100_000):
        _, parts = envelope.unpack(n.state)
        if envelope.is_veiled(n.state):  # a day sheet names the parts' keys (ADR 0022)
            (sheet_id, sheet_nonce, sheet), hidden = parts[0], parts[1:]
            sheet_key = keys.get(sheet_id)
            if sheet_key is None:  # gone: the thief tries every key that is left
                for _, nonce, ciphertext in hidden:
                    opened += _any_key_opens(n, nonce, ciphertext, keys)
                continue
            ad = envelope.associated_data(n.originator_id, n.originator_version, n.topic, sheet_id)
            ids, _ = envelope.open_veil(sheet_key.decrypt(sheet_nonce, sheet, ad))
            parts = [(key_id, nonce, c) for key_id, (_, nonce, c) in zip(ids, hidden, strict=True)]
        for key_id, nonce, ciphertext in parts:
            aead = keys.get(key_id)
            if aead is None:
                continue
            ad = envelope.associated_data(n.originator_id, n.originator_version, n.topic, key_id)
            try:
                opened.append(aead.decrypt(nonce, ciphertext, ad))
            except InvalidTag:  # pragma: no cover - would mean tampering
                raise
    return opened


def _any_key_opens(
    n: Notification, nonce: bytes, ciphertext: bytes, keys: dict[object, AESGCM]
) -> list[bytes]:
    """A part whose key id is hidden, tried with every live key."""
    for key_id, aead in keys.items():
        assert isinstance(key_id, bytes)
        ad = envelope.associated_data(n.originator_id, n.originator_version, n.topic, key_id)
        try:
            return [aead.decrypt(nonce, ciphertext, ad)]
        except InvalidTag:
            continue
    return []


def test_after_gallring_the_culled_data_is_gone_even_with_the_kek(
    gallra: Gallra, clock: Clock, secrets: Secrets
) -> None:
    records = make_records(gallra, clock)
    before = b"".join(_decryptable_parts(gallra, secrets))
    assert REASON.encode() in before  # the check below can fail
    wrapped_before = _wrapped_keys(gallra)
    gallra.gallring.run(date(2026, 3, 16), by="archivist")
    after = b"".join(_decryptable_parts(gallra, secrets))
    assert REASON.encode() not in after
    assert records["child"].bytes not in after  # type: ignore[attr-defined]
    culled = {
        w for scope, w in wrapped_before.items() if scope.category in ("attendance", "health")
    }
    assert culled
    raw = raw_store(gallra)
    for wrapped in culled:
        assert wrapped not in raw
    if gallra.settings.backend == "sqlite":
        # secure_delete and the WAL checkpoint leave no copy of a destroyed key in the files
        assert (
            not Path(f"{gallra.settings.sqlite_path}-wal").exists()
            or Path(f"{gallra.settings.sqlite_path}-wal").stat().st_size == 0
            or all(w not in raw for w in culled)
        )
    # identity was not culled: the child's name is still readable to the authorised
    assert gallra.app.get_child(records["child"]).given_name == GIVEN  # type: ignore[arg-type]


def _wrapped_keys(gallra: Gallra) -> dict[Scope, bytes]:
    keystore = gallra.app.keystore
    out: dict[Scope, bytes] = {}
    with keystore._transaction(commit=False) as c:
        table = keystore._table(keystore.keys_table)
        c.execute(
            f"SELECT subject, category, epoch, wrapped FROM {table} WHERE wrapped IS NOT NULL"
        )
        for row in c.fetchall():
            out[Scope(keystore._uuid(row["subject"]), row["category"], row["epoch"])] = bytes(
                row["wrapped"]
            )
    return out


def test_a_subject_whose_every_scope_is_shredded_is_gone_even_with_the_kek(
    gallra: Gallra, clock: Clock, secrets: Secrets
) -> None:
    records = make_records(gallra, clock)
    child = records["child"]
    app = gallra.app
    assert app.find_person(CIVIC) == child
    scopes = [r.scope for r in app.keystore.scopes(subject=child)]  # type: ignore[arg-type]
    assert {s.category for s in scopes} >= {"identity", "placement", "attendance"}
    app.keystore.shred(uuid4(), scopes=scopes)
    app.keystore.make_deletion_durable()
    app.evict_caches()
    opened = b"".join(_decryptable_parts(gallra, secrets))
    for value in (GIVEN.encode(), b"201903022380", REASON.encode()):
        assert value not in opened
    view = app.get_child(child)  # type: ignore[arg-type]
    assert view.given_name is not None and not view.given_name  # the Shredded marker
    assert app.find_person(CIVIC) is None  # the blind-index row went with the identity
    assert app.get_guardian(records["guardian"]).family_name == FAMILY  # type: ignore[arg-type]
    gallra.runner.rebuild()  # every projection still loads
