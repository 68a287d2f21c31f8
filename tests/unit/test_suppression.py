"""Published statistics never show a cell on too few children, nor let totals reveal one."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.suppression import Cell, PublishedCell, suppress, totals


def cell(unit: str, month: str, persons: int, minutes: int = 100) -> Cell:
    return Cell(
        key=(unit, month),
        persons=persons,
        values={"presence_minutes": minutes, "absence_days": persons},
    )


def reasons(published: Sequence[PublishedCell]) -> dict[tuple[str, ...], str | None]:
    return {p.key: p.reason for p in published}


# Primary suppression


@pytest.mark.parametrize(
    ("persons", "threshold", "hidden"),
    [(4, 5, True), (5, 5, False), (0, 5, True), (2, 3, True), (3, 3, False), (0, 1, True)],
)
def test_cells_below_threshold_are_suppressed(persons: int, threshold: int, hidden: bool) -> None:
    [published] = suppress([cell("a", "2024-03", persons)], threshold=threshold)

    assert published.suppressed is hidden
    assert published.reason == ("primary" if hidden else None)


def test_default_threshold_is_five() -> None:
    published = suppress([cell("a", "2024-03", 4), cell("b", "2024-03", 5)], group_dims=())

    assert reasons(published) == {("a", "2024-03"): "primary", ("b", "2024-03"): None}


def test_suppressed_cells_carry_no_numbers() -> None:
    [hidden, shown] = suppress([cell("a", "m", 1), cell("b", "m", 9, minutes=777)], group_dims=())

    assert hidden == PublishedCell(
        key=("a", "m"), persons=None, values=None, suppressed=True, reason="primary"
    )
    assert shown.persons == 9
    assert shown.values == {"presence_minutes": 777, "absence_days": 9}


def test_published_values_do_not_follow_later_changes_to_the_input() -> None:
    values = {"presence_minutes": 10}
    [published] = suppress([Cell(key=("a",), persons=7, values=values)], group_dims=())
    values["presence_minutes"] = 99

    assert published.values == {"presence_minutes": 10}


@pytest.mark.parametrize("threshold", [0, -1])
def test_threshold_below_one_is_refused(threshold: int) -> None:
    with pytest.raises(ValueError, match="threshold must be at least 1"):
        suppress([cell("a", "m", 7)], threshold=threshold)
    with pytest.raises(ValueError, match="threshold must be at least 1"):
        totals([cell("a", "m", 7)], threshold=threshold)


# Secondary suppression


def test_lone_suppressed_cell_hides_exactly_the_smallest_other_cell() -> None:
    cells = [cell("a", "m", 3), cell("b", "m", 9), cell("c", "m", 6), cell("d", "m", 12)]

    assert reasons(suppress(cells)) == {
        ("a", "m"): "primary",
        ("b", "m"): None,
        ("c", "m"): "secondary",
        ("d", "m"): None,
    }


def test_ties_for_smallest_are_broken_by_key() -> None:
    cells = [cell("a", "m", 1), cell("c", "m", 6), cell("b", "m", 6)]

    assert reasons(suppress(cells))[("b", "m")] == "secondary"
    assert reasons(suppress(cells))[("c", "m")] is None


def test_groups_are_formed_by_the_other_key_positions() -> None:
    cells = [cell("a", "m1", 2), cell("b", "m1", 8), cell("a", "m2", 7), cell("b", "m2", 9)]

    assert reasons(suppress(cells, group_dims=(0,))) == {
        ("a", "m1"): "primary",
        ("b", "m1"): "secondary",
        ("a", "m2"): None,
        ("b", "m2"): None,
    }


def test_group_with_two_suppressed_cells_needs_nothing_more() -> None:
    cells = [cell("a", "m", 1), cell("b", "m", 2), cell("c", "m", 6), cell("d", "m", 7)]

    assert [p.reason for p in suppress(cells)] == ["primary", "primary", None, None]


def test_group_where_every_cell_is_suppressed_needs_nothing_more() -> None:
    cells = [cell("a", "m", 1), cell("b", "m", 0), cell("c", "m", 4)]

    assert [p.reason for p in suppress(cells)] == ["primary"] * 3


def test_without_published_totals_there_is_no_secondary_suppression() -> None:
    cells = [cell("a", "m", 1), cell("b", "m", 6)]

    assert [p.reason for p in suppress(cells, group_dims=())] == ["primary", None]


def test_secondary_suppression_repeats_across_dimensions() -> None:
    # (a, m1) is hidden; hiding (b, m1) for the m1 total and (a, m2) for a's total leaves
    # (b, m2) alone to hide for m2 and b: the whole table goes.
    cells = [cell("a", "m1", 2), cell("b", "m1", 8), cell("a", "m2", 7), cell("b", "m2", 9)]

    assert reasons(suppress(cells, group_dims=(0, 1))) == {
        ("a", "m1"): "primary",
        ("b", "m1"): "secondary",
        ("a", "m2"): "secondary",
        ("b", "m2"): "secondary",
    }


def test_cascade_stops_once_every_group_has_two_hidden_cells() -> None:
    units, months = ["a", "b", "c"], ["m1", "m2", "m3"]
    persons = {("a", "m1"): 1, ("b", "m2"): 1}
    cells = [
        cell(u, m, persons.get((u, m), 10 + i)) for i, (u, m) in enumerate(_grid(units, months))
    ]

    published = suppress(cells, group_dims=(0, 1))

    hidden = {p.key for p in published if p.suppressed}
    assert hidden == {("a", "m1"), ("b", "m2"), ("a", "m2"), ("b", "m1")}
    assert reasons(published)[("a", "m2")] == "secondary"


def test_output_keeps_input_order() -> None:
    cells = [cell("c", "m", 9), cell("a", "m", 1), cell("b", "m", 7)]

    assert [p.key for p in suppress(cells)] == [("c", "m"), ("a", "m"), ("b", "m")]


def test_empty_table_publishes_nothing() -> None:
    assert suppress([]) == []
    assert totals([]) == []


@pytest.mark.parametrize(
    ("cells", "group_dims", "message"),
    [
        ([cell("a", "m", 7), cell("a", "m", 8)], (0,), "duplicate key"),
        ([cell("a", "m", 7), Cell(key=("b",), persons=7, values={})], (0,), "positions"),
        ([cell("*", "m", 7)], (0,), "marks totals"),
        ([cell("a", "m", -1)], (0,), "negative"),
        ([cell("a", "m", 7)], (2,), "outside keys"),
        ([cell("a", "m", 7)], (-1,), "outside keys"),
    ],
)
def test_malformed_tables_are_refused(
    cells: list[Cell], group_dims: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(cells, group_dims=group_dims)


# Totals


def test_totals_sum_measures_and_persons_per_group() -> None:
    cells = [
        Cell(key=("a", "m1"), persons=6, values={"presence_minutes": 100, "absence_days": 2}),
        Cell(key=("b", "m1"), persons=7, values={"presence_minutes": 50}),
        Cell(key=("a", "m2"), persons=8, values={"presence_minutes": 10, "absence_days": 1}),
    ]

    assert totals(cells, threshold=5, over_dim=0) == [
        PublishedCell(
            key=("*", "m1"),
            persons=13,
            values={"presence_minutes": 150, "absence_days": 2},
            suppressed=False,
            reason=None,
        ),
        PublishedCell(
            key=("*", "m2"),
            persons=8,
            values={"presence_minutes": 10, "absence_days": 1},
            suppressed=False,
            reason=None,
        ),
    ]
    assert [t.key for t in totals(cells, over_dim=1)] == [("a", "*"), ("b", "*")]


def test_total_below_threshold_is_suppressed() -> None:
    cells = [cell("a", "m", 2), cell("b", "m", 2)]

    [total] = totals(cells)

    assert (total.suppressed, total.reason, total.persons, total.values) == (
        True,
        "primary",
        None,
        None,
    )


def test_total_of_a_single_suppressed_cell_is_suppressed() -> None:
    [total] = totals([cell("a", "m", 3)])

    assert total.reason == "primary"


def test_total_revealing_a_lone_secondary_cell_is_suppressed() -> None:
    # (b, m1) is hidden for the m1 total; b's total over months would equal it.
    cells = [cell("a", "m1", 2), cell("b", "m1", 8), cell("a", "m2", 7)]
    published = suppress(cells, group_dims=(0, 1))
    assert reasons(published)[("b", "m1")] == "secondary"

    by_unit = {t.key: t for t in totals(cells, over_dim=1, published=published)}

    assert by_unit[("b", "*")].reason == "secondary"
    assert by_unit[("b", "*")].values is None


def test_total_over_two_suppressed_cells_is_shown() -> None:
    cells = [cell("a", "m", 3), cell("b", "m", 3), cell("c", "m", 9)]

    [total] = totals(cells)

    assert total.persons == 15
    assert not total.suppressed


def test_totals_without_published_cells_suppress_along_the_same_dimension() -> None:
    # Suppressing along dim 0 hides (b, m); without that, the total would reveal (a, m).
    cells = [cell("a", "m", 3), cell("b", "m", 9)]

    assert totals(cells) == totals(cells, published=suppress(cells))
    assert totals(cells, published=suppress(cells, group_dims=()))[0].reason == "secondary"


def test_distinct_persons_replace_the_upper_bound() -> None:
    # 6 + 6 "persons" may be the same 4 children counted in both cells.
    cells = [cell("a", "m", 6), cell("b", "m", 6)]

    [total] = totals(cells, group_persons={("*", "m"): 4})

    assert total.reason == "primary"


def test_totals_refuse_published_cells_of_another_table() -> None:
    cells = [cell("a", "m", 6), cell("b", "m", 6)]

    with pytest.raises(ValueError, match="same cells"):
        totals(cells, published=suppress(cells[:1]))


# Properties


def _grid(units: Sequence[str], months: Sequence[str]) -> list[tuple[str, str]]:
    return [(u, m) for m in months for u in units]


@st.composite
def tables(draw: st.DrawFn, *, sparse: bool) -> list[Cell]:
    units = [f"u{i}" for i in range(draw(st.integers(1, 4)))]
    months = [f"2024-{i + 1:02}" for i in range(draw(st.integers(1, 6)))]
    keys = _grid(units, months)
    if sparse:
        keys = [k for k in keys if draw(st.booleans())]
    return [
        Cell(
            key=key,
            persons=(persons := draw(st.integers(0, 20))),
            values={
                "presence_minutes": draw(st.integers(0, 10_000)),
                "absence_days": draw(st.integers(0, persons)),
            },
        )
        for key in keys
    ]


def _assert_nothing_recoverable(
    cells: list[Cell], published: list[PublishedCell], threshold: int, dims: Sequence[int]
) -> None:
    for c, p in zip(cells, published, strict=True):
        assert p.key == c.key
        if p.suppressed:
            assert p.persons is None and p.values is None
            assert p.reason == ("primary" if c.persons < threshold else "secondary")
        else:
            assert p.persons is not None and p.persons >= threshold
            assert p.reason is None
    for dim in dims:
        published_totals = totals(cells, threshold=threshold, over_dim=dim, published=published)
        for total in published_totals:
            members = [
                p
                for p in published
                if p.key[:dim] == total.key[:dim] and p.key[dim + 1 :] == total.key[dim + 1 :]
            ]
            hidden = [p for p in members if p.suppressed]
            if len(hidden) == 1:
                # Only a group with nothing else to hide can be left like this, and then the
                # total that would equal the hidden cell is hidden itself.
                assert len(members) == 1
                assert total.suppressed
            if not total.suppressed:
                assert total.persons is not None and total.persons >= threshold
                assert len(hidden) != 1


@given(tables(sparse=False), st.integers(1, 8))
def test_property_totals_over_units_reveal_no_suppressed_cell(
    cells: list[Cell], threshold: int
) -> None:
    published = suppress(cells, threshold=threshold, group_dims=(0,))

    _assert_nothing_recoverable(cells, published, threshold, (0,))


@given(tables(sparse=False))
def test_property_default_threshold(cells: list[Cell]) -> None:
    published = suppress(cells)

    assert all(p.persons >= 5 for p in published if p.persons is not None)
    _assert_nothing_recoverable(cells, published, 5, (0,))


@given(tables(sparse=True), st.integers(1, 8))
def test_property_totals_over_both_dimensions_reveal_no_suppressed_cell(
    cells: list[Cell], threshold: int
) -> None:
    published = suppress(cells, threshold=threshold, group_dims=(0, 1))

    _assert_nothing_recoverable(cells, published, threshold, (0, 1))


@given(tables(sparse=True).flatmap(lambda cells: st.tuples(st.just(cells), st.permutations(cells))))
def test_property_result_does_not_depend_on_input_order(
    table: tuple[list[Cell], list[Cell]],
) -> None:
    cells, shuffled = table

    original = {p.key: p for p in suppress(cells, group_dims=(0, 1))}
    reordered = {p.key: p for p in suppress(shuffled, group_dims=(0, 1))}

    assert original == reordered
