"""The anonymity audit: how small a crowd a culled person's remnants hide in, and for how long
they can still be linked to each other.

Remnants that share a link value (a person's stream id, a sealed part's key id, a plaintext
id) are one person's, as far as an intruder can tell: they form a *trail*. A trail is *culled*
when it held personal data (a sealed part or a key row) and nothing in it opens any more.
For the culled trails only:

- **groups**: remnants sharing the same quasi-identifiers, counted in distinct trails. A group
  of one singles a culled person's record out;
- **span**: from the first to the last date a trail names, the time over which one culled
  person's remnants can still be put together;
- **profiles**: trails with the same set of quasi-identifiers. A profile no other trail has
  singles the trail out, whatever each record says alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from retention.anonymity.remnants import OWN_STREAMS, Remnant

Quasi = tuple[str, tuple[tuple[str, str], ...]]  # (kind, quasi-identifiers)


@dataclass(frozen=True, slots=True)
class Group:
    kind: str
    quasi: tuple[tuple[str, str], ...]
    trails: int  # distinct culled trails sharing these quasi-identifiers


@dataclass(frozen=True, slots=True)
class Trail:
    remnants: int
    span_days: int
    kinds: tuple[tuple[str, int], ...]  # what it is made of, most common first
    linked_by: tuple[str, ...]  # which kinds of value link it: "key", "id"
    own_stream: bool = False  # it runs through a person's own stream (``OWN_STREAMS``)


@dataclass(frozen=True, slots=True)
class AnonymityReport:
    remnants: int
    culled_remnants: int
    culled_trails: int
    threshold: int
    smallest_group: Group | None
    groups_below: int  # groups of culled remnants smaller than the threshold
    remnants_below: int  # culled remnants in those groups
    smallest_groups: tuple[Group, ...]  # a few of the smallest, for the report
    longest: Trail | None
    longest_elsewhere: Trail | None  # the longest that runs through no person's own stream
    spans: dict[str, int] = field(default_factory=dict)  # trails by span bucket
    unique_profiles: int = 0  # culled trails whose quasi-identifiers no other trail shares
    kinds_below: tuple[tuple[str, int], ...] = ()  # remnant kinds in small groups, counted
    # Of ``remnants_below``, those whose trail holds another record: what an intruder who
    # singles one out can tie to more. The rest stand alone, like one count of a table.
    linked_below: int = 0
    kinds_linked_below: tuple[tuple[str, int], ...] = ()  # the same, per kind
    # Of ``remnants_below``, those that show a readable value beyond their quasi-identifiers
    # (``Remnant.values``): what singling one out would tell, besides that it exists.
    telling_below: int = 0
    kinds_telling_below: tuple[tuple[str, int], ...] = ()  # the same, per kind

    @property
    def singled_out(self) -> bool:
        return self.groups_below > 0 or self.unique_profiles > 0


SPAN_BUCKETS: tuple[tuple[str, int], ...] = (
    ("one day", 0),
    ("up to a month", 31),
    ("up to a year", 366),
    ("more than a year", 10**6),
)


class _Links:
    """Union-find over remnant indexes, joined through the link values they share."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def audit(remnants: Iterable[Remnant], threshold: int = 5, listed: int = 10) -> AnonymityReport:
    items = list(remnants)
    culled = _culled_trails(items)
    groups = _groups(items, culled)
    below = [g for g in groups if g.trails < threshold]
    below_keys = {(g.kind, g.quasi) for g in below}
    kinds_below: Counter[str] = Counter()
    kinds_linked: Counter[str] = Counter()
    kinds_telling: Counter[str] = Counter()
    for members in culled.values():
        for i in members:
            if (items[i].kind, items[i].quasi) in below_keys:
                kinds_below[items[i].kind] += 1
                kinds_linked[items[i].kind] += len(members) > 1
                kinds_telling[items[i].kind] += bool(items[i].values)
    made = [_trail(items, members) for members in culled.values()]
    spans = dict.fromkeys((name for name, _ in SPAN_BUCKETS), 0)
    for trail in made:
        name = next(n for n, limit in SPAN_BUCKETS if trail.span_days <= limit)
        spans[name] += 1
    profiles = Counter(
        frozenset((items[i].kind, items[i].quasi) for i in members) for members in culled.values()
    )
    return AnonymityReport(
        remnants=len(items),
        culled_remnants=sum(len(m) for m in culled.values()),
        culled_trails=len(culled),
        threshold=threshold,
        smallest_group=groups[0] if groups else None,
        groups_below=len(below),
        remnants_below=sum(kinds_below.values()),
        smallest_groups=tuple(groups[:listed]),
        longest=max(made, key=_length, default=None),
        longest_elsewhere=max((t for t in made if not t.own_stream), key=_length, default=None),
        spans=spans,
        unique_profiles=sum(1 for n in profiles.values() if n == 1),
        kinds_below=tuple(kinds_below.most_common()),
        linked_below=sum(kinds_linked.values()),
        kinds_linked_below=tuple((k, kinds_linked[k]) for k, _ in kinds_below.most_common()),
        telling_below=sum(kinds_telling.values()),
        kinds_telling_below=tuple((k, kinds_telling[k]) for k, _ in kinds_below.most_common()),
    )


def culled_trails(remnants: Iterable[Remnant]) -> list[Trail]:
    """Every culled trail, described (for tests and a closer look)."""
    items = list(remnants)
    return [_trail(items, members) for members in _culled_trails(items).values()]


def _culled_trails(items: Sequence[Remnant]) -> dict[int, list[int]]:
    """The remnants (by index) of each culled trail, by the trail's first remnant."""
    links = _Links(len(items))
    first_with: dict[str, int] = {}
    for i, remnant in enumerate(items):
        for value in remnant.links:
            j = first_with.setdefault(value, i)
            if j != i:
                links.join(i, j)
    trails: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        trails[links.find(i)].append(i)
    return {
        root: members
        for root, members in trails.items()
        if any(items[i].sealed for i in members) and not any(items[i].live for i in members)
    }


def _groups(items: Sequence[Remnant], culled: dict[int, list[int]]) -> list[Group]:
    """Every set of quasi-identifiers a culled remnant carries, with its trails; smallest
    first."""
    owners: dict[Quasi, set[int]] = defaultdict(set)
    for root, members in culled.items():
        for i in members:
            owners[(items[i].kind, items[i].quasi)].add(root)
    found = [Group(kind, quasi, len(roots)) for (kind, quasi), roots in owners.items()]
    return sorted(found, key=lambda g: (g.trails, g.kind, g.quasi))


def _trail(items: Sequence[Remnant], members: list[int]) -> Trail:
    dates = [d for i in members for d in items[i].dates]
    span = (max(dates) - min(dates)).days if dates else 0
    kinds = Counter(items[i].kind for i in members)
    shared = Counter(value for i in members for value in set(items[i].links))
    linked_by = sorted({value.partition(":")[0] for value, n in shared.items() if n > 1})
    own = any(items[i].stream in OWN_STREAMS for i in members)
    return Trail(len(members), span, tuple(kinds.most_common()), tuple(linked_by), own)


def _length(trail: Trail) -> tuple[int, int]:
    return trail.span_days, trail.remnants
