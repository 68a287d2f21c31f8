"""The key store on both backends: creation, races, culling, fences, the KEK, the blind index."""

from __future__ import annotations

import hashlib
import hmac
import threading
from uuid import uuid4

import pytest

from api.bootstrap import Gallra
from conftest import GallraFactory, make_secrets
from retention.errors import KekError, ScopeShreddedError
from retention.keys.kek import Secrets
from retention.keys.scope import Scope
from retention.keys.store import KeyConflictError


def scope(category: str = "attendance", epoch: str = "2024-03") -> Scope:
    return Scope(uuid4(), category, epoch)


def test_a_scope_gets_one_key_however_often_it_is_asked_for(gallra: Gallra) -> None:
    keystore = gallra.app.keystore
    s = scope()
    first = keystore.keys_for_write([s])[s]
    keystore.evict()
    again = keystore.keys_for_write([s])[s]
    assert first.key_id == again.key_id
    nonce = b"\x00" * 12
    assert again.aead.decrypt(nonce, first.aead.encrypt(nonce, b"x", None), None) == b"x"


def test_two_concurrent_creators_of_one_scope_end_with_one_key(
    make_gallra: GallraFactory,
) -> None:
    # Two instances with their own pools and caches stand for two processes.
    stores = [make_gallra().app.keystore for _ in range(2)]
    for _round in range(10):
        s = scope()
        barrier = threading.Barrier(2)
        got: list[object] = [None, None]

        def create(
            i: int, s: Scope = s, barrier: threading.Barrier = barrier, got: list[object] = got
        ) -> None:
            barrier.wait()
            got[i] = stores[i].keys_for_write([s])[s].key_id

        threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got[0] == got[1]
        assert len([r for r in stores[0].scopes(subject=s.subject)]) == 1


def test_a_shredded_scope_reads_as_gone_and_can_never_be_keyed_again(gallra: Gallra) -> None:
    keystore = gallra.app.keystore
    s = scope()
    key = keystore.keys_for_write([s])[s]
    assert keystore.shred(uuid4(), scopes=[s]) == 1
    assert keystore.aead(key.key_id) is None
    with pytest.raises(ScopeShreddedError) as caught:
        keystore.keys_for_write([s])
    assert "attendance" in str(caught.value) and "2024-03" in str(caught.value)
    assert keystore.shred(uuid4(), scopes=[s]) == 0  # idempotent
    keystore.evict()
    assert keystore.aead(key.key_id) is None


def test_a_fenced_scope_that_never_had_a_key_stays_fenced(gallra: Gallra) -> None:
    s = scope()
    assert gallra.app.keystore.shred(uuid4(), scopes=[s]) == 0
    with pytest.raises(ScopeShreddedError):
        gallra.app.keystore.keys_for_write([s])


def test_a_closed_period_refuses_new_keys_for_every_subject(gallra: Gallra) -> None:
    keystore = gallra.app.keystore
    keystore.shred(uuid4(), periods=[("attendance", "2023-01")])
    with pytest.raises(ScopeShreddedError):
        keystore.keys_for_write([scope(epoch="2023-01")])
    keystore.keys_for_write([scope(epoch="2023-02")])  # the next month is open


def test_shredding_by_key_id_leaves_no_link_to_the_subject(gallra: Gallra) -> None:
    keystore = gallra.app.keystore
    s = scope()
    key = keystore.keys_for_write([s])[s]
    keystore.shred(uuid4(), key_ids=[key.key_id])
    records = keystore.scopes(subject=s.subject, include_shredded=True)
    assert [r.key_id for r in records] == [None]
    assert records[0].shredded_at is not None


def test_another_process_notices_a_shredding_on_its_next_read(make_gallra: GallraFactory) -> None:
    reader, culler = make_gallra().app.keystore, make_gallra().app.keystore
    s = scope()
    key = reader.keys_for_write([s])[s]
    assert reader.aead(key.key_id) is not None  # now cached in the reader
    culler.shred(uuid4(), key_ids=[key.key_id])
    reader.prefetch([key.key_id])  # every page read re-checks the shred generation
    assert reader.aead(key.key_id) is None
    with pytest.raises(ScopeShreddedError):
        reader.keys_for_write([s])


def test_a_database_with_keys_refuses_the_wrong_kek(
    make_gallra: GallraFactory, secrets: Secrets
) -> None:
    gallra = make_gallra()
    gallra.app.keystore.keys_for_write([scope()])
    gallra.close()
    with pytest.raises(KekError, match="does not open"):
        make_gallra(secrets=make_secrets("k1"))
    with pytest.raises(KekError, match="was not supplied"):
        make_gallra(secrets=make_secrets("k2"))


def test_rotating_the_kek_rewraps_keys_and_never_touches_events(
    make_gallra: GallraFactory, secrets: Secrets
) -> None:
    gallra = make_gallra()
    s = scope()
    key_id = gallra.app.keystore.keys_for_write([s])[s].key_id
    gallra.close()
    new = make_secrets("k2")
    both = Secrets(
        keks={**secrets.keks, **new.keks},
        active_kek="k2",
        index_key=secrets.index_key,
        token_key=secrets.token_key,
    )
    rotated = make_gallra(secrets=both)
    assert rotated.app.keystore.rewrap_all() == 1
    rotated.close()
    only_new = Secrets(
        keks=new.keks, active_kek="k2", index_key=secrets.index_key, token_key=secrets.token_key
    )
    after = make_gallra(secrets=only_new)
    assert after.app.keystore.aead(key_id) is not None


def test_blind_index_finds_claims_once_and_forgets_with_identity(gallra: Gallra) -> None:
    keystore = gallra.app.keystore
    subject, other = uuid4(), uuid4()
    assert keystore.index_claim("198112289874", subject) == subject
    assert keystore.index_claim("198112289874", other) == subject
    assert keystore.index_find("198112289874") == subject
    assert keystore.index_find("199001010017") is None
    keystore.shred(uuid4(), scopes=[Scope(subject, "identity", "-")])
    assert keystore.index_find("198112289874") is None


def test_blind_index_digest_is_keyed_by_the_secret_outside_the_database(
    gallra: Gallra, secrets: Secrets
) -> None:
    number = "198112289874"
    digest = gallra.app.keystore.index_digest(number)
    assert digest == hmac.new(secrets.index_key, number.encode(), hashlib.sha256).digest()
    assert digest != hashlib.sha256(number.encode()).digest()  # not brute-forceable unkeyed


def test_a_new_key_is_recorded_only_with_the_events_it_seals(gallra: Gallra, clock: object) -> None:
    from datetime import UTC, date, datetime

    from eventsourcing.persistence import IntegrityError

    from domain.attendance import DepartmentDay

    app = gallra.app
    dd = DepartmentDay.open(uuid4(), uuid4(), date(2026, 3, 16))
    app.save(dd)
    stale = app.repository.get(dd.id)
    dd.check_in(uuid4(), uuid4(), datetime(2026, 3, 16, 7, tzinfo=UTC), None)
    app.save(dd)
    before = len(app.keystore.scopes())
    child = uuid4()
    stale.check_in(uuid4(), child, datetime(2026, 3, 16, 7, tzinfo=UTC), None)
    with pytest.raises(IntegrityError):
        app.save(stale)  # loses the race for version 2: the events and their key roll back
    assert len(app.keystore.scopes()) == before
    assert app.keystore.scopes(subject=child) == []


def test_a_writer_that_lost_the_race_for_a_key_seals_again_with_the_winners(
    make_gallra: GallraFactory,
) -> None:
    a, b = make_gallra().app.keystore, make_gallra().app.keystore
    s = scope()
    use = b.keys_for([s])  # b makes a key in memory ...
    winner = a.keys_for_write([s])[s]  # ... while a records its own first
    with pytest.raises(KeyConflictError), b._transaction(commit=True) as c:
        b.record(c, use)
    b.forget([s])
    assert b.keys_for_write([s])[s].key_id == winner.key_id


def test_a_cached_key_destroyed_by_another_process_is_not_used_to_write(
    make_gallra: GallraFactory,
) -> None:
    writer, culler = make_gallra().app.keystore, make_gallra().app.keystore
    s = scope(epoch="2023-04")
    writer.keys_for_write([s])  # cached in the writer
    culler.shred(uuid4(), periods=[("attendance", "2023-04")])
    use = writer.keys_for([s])  # still served from the writer's cache ...
    with pytest.raises(KeyConflictError), writer._transaction(commit=True) as c:
        writer.record(c, use)  # ... but the write's own transaction sees it is gone
    writer.forget([s])
    with pytest.raises(ScopeShreddedError):
        writer.keys_for_write([s])


@pytest.mark.parametrize("backend_settings", ["postgres"], indirect=True)
def test_closing_a_period_waits_for_a_writer_creating_a_key_in_it(
    make_gallra: GallraFactory,
) -> None:
    """On PostgreSQL writers run concurrently: the period row's lock orders them."""
    writer, culler = make_gallra().app.keystore, make_gallra().app.keystore
    s = scope(epoch="2023-05")
    use = writer.keys_for([s])
    done = threading.Event()

    def cull() -> None:
        culler.shred(uuid4(), periods=[("attendance", "2023-05")])
        done.set()

    with writer._transaction(commit=True) as c:
        writer.record(c, use)
        thread = threading.Thread(target=cull)
        thread.start()
        assert not done.wait(0.5)  # the gallring waits for the writer's commit
    thread.join(10)
    assert done.is_set()
    assert [r.key_id for r in culler.scopes(subject=s.subject, include_shredded=True)] == [None]
