"""The stored envelope: exact round trip, strict parsing, and associated data that binds."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retention.sealing import envelope
from retention.sealing.envelope import (
    MAGIC,
    NO_KEY,
    EnvelopeError,
    SealedPart,
    associated_data,
    is_veiled,
    key_ids,
    open_veil,
    pack,
    unpack,
    veil_plaintext,
)

sealed_parts = st.builds(
    SealedPart,
    key_id=st.binary(min_size=16, max_size=16),
    nonce=st.binary(min_size=12, max_size=12),
    ciphertext=st.binary(max_size=64),
)
envelopes = st.tuples(st.binary(max_size=64), st.lists(sealed_parts, max_size=3))


@given(envelopes)
def test_pack_unpack_round_trip(envelope: tuple[bytes, list[SealedPart]]) -> None:
    plaintext, parts = envelope

    packed = pack(plaintext, parts)

    assert packed[:2] == MAGIC
    assert unpack(packed) == (plaintext, [tuple(p) for p in parts])


@given(envelopes)
def test_key_ids_are_the_parts_key_ids_in_order(envelope: tuple[bytes, list[SealedPart]]) -> None:
    plaintext, parts = envelope

    shown = [p.key_id for p in parts if p.key_id != NO_KEY]
    assert list(key_ids(pack(plaintext, parts))) == shown


@given(envelopes)
def test_a_veiled_envelope_packs_like_any_other(
    envelope: tuple[bytes, list[SealedPart]],
) -> None:
    plaintext, parts = envelope

    packed = pack(plaintext, parts, veiled=True)

    assert is_veiled(packed) and not is_veiled(pack(plaintext, parts))
    assert unpack(packed) == (plaintext, [tuple(p) for p in parts])


@given(st.lists(st.binary(min_size=16, max_size=16), max_size=20), st.binary(max_size=40))
def test_a_veil_gives_back_the_key_ids_it_hides(hidden: list[bytes], fields: bytes) -> None:
    assert open_veil(veil_plaintext(hidden, fields)) == (hidden, fields)


@pytest.mark.parametrize("clear", [b"", b"\x02" + bytes(20)])
def test_a_short_veil_is_refused(clear: bytes) -> None:
    with pytest.raises(EnvelopeError):
        open_veil(clear)


@given(envelopes)
def test_every_truncation_is_refused(envelope: tuple[bytes, list[SealedPart]]) -> None:
    packed = pack(*envelope)

    for end in range(len(packed)):
        with pytest.raises(EnvelopeError):
            unpack(packed[:end])


@given(envelopes, st.binary(min_size=1, max_size=4))
def test_trailing_bytes_are_refused(envelope: tuple[bytes, list[SealedPart]], extra: bytes) -> None:
    with pytest.raises(EnvelopeError):
        unpack(pack(*envelope) + extra)


@pytest.mark.parametrize("magic", [b"G\x05", b"g\x01", b"\x00\x00", b'{"'])
def test_bad_magic_is_refused(magic: bytes) -> None:
    packed = pack(b"{}", [SealedPart(bytes(16), bytes(12), b"c")])

    with pytest.raises(EnvelopeError, match="bad magic"):
        unpack(magic + packed[2:])


def test_key_ids_of_a_foreign_blob_is_empty() -> None:
    assert list(key_ids(b'{"not": "an envelope"}')) == []


ORIGIN = UUID("6f1c2b1e-8a3d-4c55-9a0e-2b7d4f0c9e11")
KEY = bytes(range(16))
BASE = (ORIGIN, 3, "domain.child:CheckedIn", KEY)


@pytest.mark.parametrize(
    "other",
    [
        (uuid4(), 3, "domain.child:CheckedIn", KEY),
        (ORIGIN, 4, "domain.child:CheckedIn", KEY),
        (ORIGIN, 3, "domain.child:CheckedOut", KEY),
        (ORIGIN, 3, "domain.child:CheckedIn", bytes(16)),
        (str(ORIGIN), 3, "domain.child:CheckedIn", KEY),
    ],
    ids=["originator", "version", "topic", "key-id", "str-originator"],
)
def test_associated_data_differs_in_each_component(
    other: tuple[UUID | str, int, str, bytes],
) -> None:
    assert associated_data(*BASE) == associated_data(*BASE)
    assert associated_data(*other) != associated_data(*BASE)


@given(
    st.one_of(st.uuids(), st.text(max_size=40)),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(max_size=40),
    st.binary(min_size=16, max_size=16),
    st.data(),
)
def test_changing_any_one_component_changes_associated_data(
    origin: UUID | str, version: int, topic: str, key_id: bytes, data: st.DataObject
) -> None:
    base = associated_data(origin, version, topic, key_id)
    which = data.draw(st.sampled_from(["origin", "version", "topic", "key_id"]))
    if which == "origin":
        other = data.draw(st.one_of(st.uuids(), st.text(max_size=40)).filter(lambda o: o != origin))
        changed = associated_data(other, version, topic, key_id)
        if isinstance(other, str) and isinstance(origin, UUID) and other.encode() == origin.bytes:
            return  # the same bytes by construction; not a distinct originator in storage
    elif which == "version":
        other_version = data.draw(st.integers(-(2**63), 2**63 - 1).filter(lambda v: v != version))
        changed = associated_data(origin, other_version, topic, key_id)
    elif which == "topic":
        other_topic = data.draw(st.text(max_size=40).filter(lambda t: t != topic))
        changed = associated_data(origin, version, other_topic, key_id)
    else:
        other_key = data.draw(st.binary(min_size=16, max_size=16).filter(lambda k: k != key_id))
        changed = associated_data(origin, version, topic, other_key)

    assert changed != base


def test_str_originator_id_is_length_prefixed_utf8() -> None:
    ad = associated_data("child-åäö", 1, "t", KEY)
    text = "child-åäö".encode()

    assert ad.startswith(b"\xff" + len(text).to_bytes(4, "big") + text)
    assert ad.endswith(b"t" + KEY)
    assert len(ad) == 5 + len(text) + 8 + 1 + 16


def test_text_originator_ids_cannot_collide_with_topics() -> None:
    key = b"k" * 16
    assert envelope.associated_data("a", 0, "\x00x", key) != envelope.associated_data(
        "a\x00", 0, "x", key
    )


def test_key_ids_of_a_truncated_envelope_is_an_envelope_error() -> None:
    packed = envelope.pack(b"{}", [envelope.SealedPart(b"k" * 16, b"n" * 12, b"c" * 20)])
    with pytest.raises(envelope.EnvelopeError):
        list(envelope.key_ids(packed[:-5]))
