"""The access projection without storage: culled fields make no rows and purge their scope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import AggregateCreated
from eventsourcing.utils import get_topic

from domain.documentation import DocumentEntry
from domain.gallring import GallringRun
from domain.people import Child, Staff
from domain.personal import Shredded
from projections.access import (
    AccessProjection,
    Belongs,
    Ended,
    PeriodsPurged,
    ScopesPurged,
)
from retention.keys.scope import Scope

CULLED = Shredded("placement")


def event(cls: type, **fields: Any) -> Any:
    """An event as the mapper would decode it, culled fields and all."""
    base: dict[str, Any] = {"originator_id": uuid4(), "timestamp": datetime.now(UTC)}
    if issubclass(cls, AggregateCreated):
        base.update(originator_version=1, originator_topic=get_topic(cls))
    else:
        base.update(originator_version=2)
    return cls(**{**base, **fields})


def test_a_placement_makes_unit_and_department_rows_under_its_scope() -> None:
    unit, dep, placement = uuid4(), uuid4(), uuid4()
    e = event(
        Child.Placed,
        placement_id=placement,
        unit_id=unit,
        department_id=dep,
        start=date(2026, 1, 1),
        school_form=None,
    )
    rows = AccessProjection(lambda _: []).changes(e)
    scope = Scope(e.originator_id, "placement", str(placement))
    assert [(r.kind, r.container_id, r.unit_id, r.scope) for r in rows] == [
        ("unit", unit, unit, scope),
        ("group", dep, unit, scope),
    ]


def test_culled_fields_make_no_row_and_purge_their_scope() -> None:
    projection = AccessProjection(lambda _: [])
    placement, duty = uuid4(), uuid4()
    ended = event(Child.PlacementEnded, placement_id=placement, end=CULLED)
    assert projection.changes(ended) == [
        ScopesPurged((Scope(ended.originator_id, "placement", str(placement)),))
    ]
    joined = event(
        Child.JoinedGroup,
        membership_id=uuid4(),
        placement_id=placement,
        group_id=CULLED,
        start=CULLED,
    )
    assert all(isinstance(c, ScopesPurged) for c in projection.changes(joined))
    assigned = event(
        Staff.AssignedToGroup,
        assignment_id=uuid4(),
        duty_id=duty,
        group_id=CULLED,
        role=CULLED,
        start=CULLED,
    )
    (purge,) = projection.changes(assigned)
    assert purge == ScopesPurged((Scope(assigned.originator_id, "placement", str(duty)),))
    written = event(
        DocumentEntry.Written,
        category="samtal",
        school_form="grundskola",
        **dict.fromkeys(
            ("student_id", "unit_id", "author_id", "written_on", "title", "content"),
            Shredded("samtal"),
        ),
    )
    assert projection.changes(written) == []


def test_ends_and_memberships_name_their_source() -> None:
    projection = AccessProjection(lambda _: [])
    duty, assignment = uuid4(), uuid4()
    ended = event(
        Staff.AssignmentEnded, assignment_id=assignment, duty_id=duty, end=date(2026, 2, 1)
    )
    assert projection.changes(ended) == [Ended(assignment, date(2026, 2, 1))]
    group = uuid4()
    assigned = event(
        Staff.AssignedToGroup,
        assignment_id=assignment,
        duty_id=duty,
        group_id=group,
        role="Mentor",
        start=date(2026, 1, 1),
    )
    (row,) = projection.changes(assigned)
    assert isinstance(row, Belongs) and (row.unit_id, row.via) == (None, duty)


def test_gallring_events_purge_what_the_run_destroyed() -> None:
    shredded = [Scope(uuid4(), "placement", str(uuid4()))]
    asked: list[UUID] = []

    def shredded_by(run: UUID) -> list[Scope]:
        asked.append(run)
        return shredded

    projection = AccessProjection(shredded_by)
    executed = event(GallringRun.Executed, keys_destroyed=1, finished_at=datetime.now(UTC))
    assert projection.changes(executed) == [ScopesPurged(tuple(shredded))]
    assert asked == [executed.originator_id]
    decided = event(
        GallringRun.Decided,
        rule_id="r",
        plan_version="v",
        category="samtal",
        as_of=date(2026, 3, 1),
        epochs=["2026-01", str(uuid4())],
        key_ids=[],
        subjects=1,
        decided_by="archivist",
    )
    assert projection.changes(decided) == [PeriodsPurged("samtal", ("2026-01",))]
