"""The anonymity audit's arithmetic on hand-made remnants: trails, groups, spans, profiles."""

from __future__ import annotations

from datetime import date

from retention.anonymity import Remnant, audit, culled_trails


def remnant(
    kind: str,
    links: tuple[str, ...] = (),
    quasi: tuple[tuple[str, str], ...] = (),
    dates: tuple[date, ...] = (),
    sealed: int = 1,
    live: bool = False,
    values: tuple[str, ...] = (),
) -> Remnant:
    return Remnant(kind, kind.partition(".")[0], links, quasi, dates, sealed, live, values)


DAY = (("period", "2024-03-04"),)


def test_records_sharing_a_value_are_one_trail_and_its_span_runs_first_to_last() -> None:
    items = [
        remnant("Child.Registered", ("id:a",), dates=(date(2021, 8, 1),)),
        remnant("Child.Placed", ("id:a", "key:1"), dates=(date(2021, 8, 2),)),
        remnant("DepartmentDay.CheckedIn", ("key:1",), dates=(date(2024, 6, 1),)),
        remnant("DepartmentDay.CheckedIn", ("key:2",), dates=(date(2024, 6, 1),)),
    ]
    trails = sorted(culled_trails(items), key=lambda t: -t.remnants)
    assert [t.remnants for t in trails] == [3, 1]
    assert trails[0].span_days == (date(2024, 6, 1) - date(2021, 8, 1)).days
    assert trails[0].linked_by == ("id", "key")
    assert trails[1].linked_by == ()  # nothing shared: a value seen once links nothing
    assert trails[0].own_stream and not trails[1].own_stream
    report = audit(items)
    assert report.longest == trails[0] and report.longest_elsewhere == trails[1]
    assert report.spans["more than a year"] == 1 and report.spans["one day"] == 1


def test_a_trail_with_a_live_key_or_nothing_sealed_is_not_culled() -> None:
    items = [
        remnant("Child.Registered", ("id:a",)),
        remnant("key row: identity", ("id:a",), live=True),  # the person is still known
        remnant("Unit.Created", sealed=0),  # organisation data: nobody's
        remnant("Child.Registered", ("id:b",)),
    ]
    report = audit(items)
    assert report.culled_trails == 1 and report.culled_remnants == 1


def test_a_group_counts_trails_not_records() -> None:
    one_child = [remnant("DepartmentDay.CheckedIn", ("key:1",), DAY) for _ in range(6)]
    crowd = [remnant("DepartmentDay.CheckedOut", (f"key:{n}",), DAY) for n in range(10, 15)]
    report = audit([*one_child, *crowd], threshold=5)
    assert report.smallest_group is not None
    assert (report.smallest_group.kind, report.smallest_group.trails) == (
        "DepartmentDay.CheckedIn",
        1,
    )
    assert report.groups_below == 1 and report.remnants_below == 6
    assert report.kinds_below == (("DepartmentDay.CheckedIn", 6),)
    assert report.linked_below == 6  # one child's six records, tied by their key
    assert report.singled_out


def test_a_record_in_a_small_group_stands_alone_when_nothing_ties_it() -> None:
    """Three check-ins on a quiet day, each its own trail (a veiled record shows no key id),
    and one child's two check-outs that a shared key still ties together."""
    alone = [remnant("DepartmentDay.CheckedIn", (f"key:{n}",), DAY) for n in range(3)]
    tied = [remnant("DepartmentDay.CheckedOut", ("key:9",), DAY) for _ in range(2)]
    report = audit([*alone, *tied], threshold=5)
    assert report.remnants_below == 5 and report.linked_below == 2
    assert dict(report.kinds_linked_below) == {
        "DepartmentDay.CheckedIn": 0,
        "DepartmentDay.CheckedOut": 2,
    }


def test_a_record_in_a_small_group_tells_what_it_shows_beyond_its_group() -> None:
    """A check-out showing its minutes tells more than that it happened; one whose minutes
    are sealed does not."""
    shown = remnant("DepartmentDay.CheckedOut", ("key:1",), DAY, values=("minutes_delta",))
    sealed = remnant("DepartmentDay.CheckedOut", ("key:2",), DAY)
    report = audit([shown, sealed], threshold=5)
    assert report.remnants_below == 2 and report.telling_below == 1
    assert report.kinds_telling_below == (("DepartmentDay.CheckedOut", 1),)


def test_five_trails_alike_hide_each_other() -> None:
    items = [
        remnant(kind, (f"key:{n}",), DAY)
        for n in range(5)
        for kind in ("DepartmentDay.CheckedIn", "DepartmentDay.CheckedOut")
    ]
    report = audit(items, threshold=5)
    assert report.groups_below == 0 and report.unique_profiles == 0
    assert not report.singled_out
    # One of them doing one thing the others did not gives it a profile of its own.
    report = audit([*items, remnant("DepartmentDay.NightClosed", ("key:0",), DAY)], threshold=5)
    assert report.unique_profiles == 1 and report.groups_below == 1
