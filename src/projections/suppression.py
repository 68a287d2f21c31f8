"""Statistical disclosure control for published tables of counts.

Anonymous statistics outlive culling, so they must not let a reader single out a child. A
cell built on fewer than ``threshold`` persons is hidden (primary suppression). Because totals
are published too, a lone hidden cell in a group could be recomputed as the total minus the
other cells, so one more cell of that group is hidden (secondary suppression), repeated until
no group along any published dimension has exactly one hidden cell that could be protected.

Only the standard library is used: the rules are simple and must be easy to audit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

TOTAL = "*"
"""Stands in a total's key for the dimension summed over; therefore never allowed in cell keys."""

Reason = Literal["primary", "secondary"]


@dataclass(frozen=True)
class Cell:
    """One row of a table before publication: its key, distinct persons and measures."""

    key: tuple[str, ...]
    persons: int
    values: Mapping[str, int]


@dataclass(frozen=True)
class PublishedCell:
    """A cell (or total) as it may be shown; a suppressed one carries no numbers at all."""

    key: tuple[str, ...]
    persons: int | None
    values: Mapping[str, int] | None
    suppressed: bool
    reason: Reason | None


def suppress(
    cells: Sequence[Cell], *, threshold: int = 5, group_dims: Sequence[int] = (0,)
) -> list[PublishedCell]:
    """Hide cells on fewer than ``threshold`` persons, then cells that totals would reveal.

    ``group_dims`` are the key positions that published totals sum over: a group is the cells
    whose keys agree everywhere except at that position. Whenever a group has exactly one
    suppressed cell, its smallest other cell (fewest persons, then lowest key, so the result is
    deterministic) is suppressed as well. Suppressing along one dimension can leave a lone
    suppressed cell in a group of another, so this repeats until nothing changes. A group whose
    only cell is suppressed cannot be protected here; ``totals`` hides its total instead.

    The result is in input order.
    """
    _check(cells, threshold, group_dims)
    reasons: dict[int, Reason] = {
        i: "primary" for i, cell in enumerate(cells) if cell.persons < threshold
    }
    # Groups in key order, so the result depends on the cells and not on their input order.
    groupings = [sorted(_groups(cells, dim).items()) for dim in dict.fromkeys(group_dims)]
    changed = True
    while changed:  # ends: every pass that changes something suppresses one more cell
        changed = False
        for groups in groupings:
            for _, members in groups:
                hidden = [i for i in members if i in reasons]
                shown = [i for i in members if i not in reasons]
                if len(hidden) == 1 and shown:
                    smallest = min(shown, key=lambda i: (cells[i].persons, cells[i].key))
                    reasons[smallest] = "secondary"
                    changed = True
    return [
        _publish(cell.key, cell.persons, cell.values, reasons.get(i))
        for i, cell in enumerate(cells)
    ]


def totals(
    cells: Sequence[Cell],
    *,
    threshold: int = 5,
    over_dim: int = 0,
    published: Sequence[PublishedCell] | None = None,
    group_persons: Mapping[tuple[str, ...], int] | None = None,
) -> list[PublishedCell]:
    """The total of each group summed over ``over_dim``, keyed with ``"*"`` at that position.

    Measures are summed per name (a measure a cell lacks counts as 0). Persons are summed too,
    which counts a child present in two cells of a group twice: the sum is only an upper bound
    on the distinct persons, so a total may pass the threshold while resting on fewer children.
    Callers that can count distinct persons per group should pass them in ``group_persons``
    (keyed by total key); those counts then replace the sums.

    A total on fewer than ``threshold`` persons is suppressed ("primary"). ``published`` is the
    output of ``suppress`` for these same cells (by default ``suppress`` along ``over_dim``
    alone); a total whose group holds exactly one suppressed cell is suppressed ("secondary"),
    since total minus the shown cells would give that cell away. Totals come in the order their
    groups first appear in ``cells``.
    """
    _check(cells, threshold, (over_dim,))
    if published is None:
        published = suppress(cells, threshold=threshold, group_dims=(over_dim,))
    elif [p.key for p in published] != [c.key for c in cells]:
        raise ValueError("published must be suppress() output for the same cells, in order")
    result = []
    for key, members in _groups(cells, over_dim).items():
        values: dict[str, int] = {}
        for i in members:
            for name, amount in cells[i].values.items():
                values[name] = values.get(name, 0) + amount
        persons = sum(cells[i].persons for i in members)
        if group_persons is not None and key in group_persons:
            persons = group_persons[key]
        hidden = sum(1 for i in members if published[i].suppressed)
        reason: Reason | None = None
        if persons < threshold:
            reason = "primary"
        elif hidden == 1:
            reason = "secondary"
        result.append(_publish(key, persons, values, reason))
    return result


def _publish(
    key: tuple[str, ...], persons: int, values: Mapping[str, int], reason: Reason | None
) -> PublishedCell:
    """Build the public form; a suppressed cell keeps its key and nothing else."""
    if reason is not None:
        return PublishedCell(key=key, persons=None, values=None, suppressed=True, reason=reason)
    return PublishedCell(
        key=key, persons=persons, values=dict(values), suppressed=False, reason=None
    )


def _groups(cells: Sequence[Cell], dim: int) -> dict[tuple[str, ...], list[int]]:
    """Cell indices per group along ``dim``, keyed by the group's total key."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, cell in enumerate(cells):
        key = (*cell.key[:dim], TOTAL, *cell.key[dim + 1 :])
        groups.setdefault(key, []).append(i)
    return groups


def _check(cells: Sequence[Cell], threshold: int, dims: Sequence[int]) -> None:
    """Refuse input the rules cannot protect, rather than publish something unsafe."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    if not cells:
        return
    width = len(cells[0].key)
    seen: set[tuple[str, ...]] = set()
    for cell in cells:
        if len(cell.key) != width:
            raise ValueError(f"every key must have {width} positions, got {cell.key!r}")
        if TOTAL in cell.key:
            raise ValueError(f"{TOTAL!r} marks totals and cannot be part of a key: {cell.key!r}")
        if cell.key in seen:
            raise ValueError(f"duplicate key {cell.key!r}")
        if cell.persons < 0:
            raise ValueError(f"persons cannot be negative: {cell.key!r}")
        seen.add(cell.key)
    for dim in dims:
        if not 0 <= dim < width:
            raise ValueError(f"dimension {dim} is outside keys of {width} positions")
