"""The sealing transcoder writes exactly the library's JSON, only faster."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import JSONTranscoder
from hypothesis import given
from hypothesis import strategies as st

from retention.sealing.transcodings import make_transcoder, register_all

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.uuids()
    | st.datetimes()
    | st.dates()
    | st.times(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), values, max_size=6))
def test_same_bytes_as_the_library_and_round_trips(document: dict[str, Any]) -> None:
    library = JSONTranscoder()
    register_all(library)
    ours = make_transcoder()
    encoded = ours.encode(document)
    assert encoded == library.encode(document)
    assert ours.decode(encoded) == library.decode(encoded)


def test_anything_but_one_whole_document_is_refused() -> None:
    import json

    import pytest

    ours = make_transcoder()
    for bad in (b"", b"{", b'{"a":1} x', b'{"a":1}{}', b"nul"):
        with pytest.raises(json.JSONDecodeError):
            ours.decode(bad)


def test_an_unknown_type_tag_is_the_librarys_error() -> None:
    import pytest
    from eventsourcing.persistence import TranscodingNotRegisteredError

    with pytest.raises(TranscodingNotRegisteredError):
        make_transcoder().decode(b'{"a":{"_type_":"nope","_data_":1}}')
