"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

# Printable text including Swedish letters, quotes and control-free unicode: the values people
# type into name and reason fields.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 3, 1))


@st.composite
def kiosk_times(draw: st.DrawFn, day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, 6, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 240))
    )
    return start, start + timedelta(minutes=draw(st.integers(0, 600)))
