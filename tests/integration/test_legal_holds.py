"""Legal holds pause a subject's culling; preserved documentation waits for the archive; the
documentation rules cull on the day the plan says and not a day before (both backends)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from test_gallring import make_history

from api.bootstrap import Gallra
from builders import documented
from conftest import Clock
from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.personal import Shredded
from retention.survey import AWAITING_ARCHIVE, LEGAL_HOLD

JAN_2023_DUE = date(2026, 2, 1)  # the first day January 2023's attendance is due


def attendance_shredded(gallra: Gallra, child: UUID) -> bool:
    """Whether the child's January 2023 attendance scope is gone."""
    return any(
        r.scope.category == "attendance" and r.scope.epoch == "2023-01" and r.key_id is None
        for r in gallra.app.keystore.scopes(subject=child, include_shredded=True)
    )


def test_a_hold_pauses_one_subjects_culling_and_leaves_its_month_open(
    gallra: Gallra, clock: Clock
) -> None:
    town = make_history(gallra, clock)
    kids: list[UUID] = town["children"]  # type: ignore[assignment]
    held = kids[1]  # checked in (kids[0] reported absent)
    hold = uuid4()
    assert gallra.app.place_hold(hold, held, "överklagande hos Skolinspektionen", "admin-1")

    survey = gallra.gallring.survey(JAN_2023_DUE)
    [attendance] = [c for c in survey.culls if c.category == "attendance"]
    assert attendance.subjects == 5 and len(attendance.key_ids) == 5
    assert attendance.months == ()  # January 2023 is not closed while one child's scope stays
    [on_hold] = [h for h in survey.held_back if h.category == "attendance"]
    assert (on_hold.reason, on_hold.subjects, on_hold.months) == (LEGAL_HOLD, 1, ("2023-01",))

    gallra.gallring.run(JAN_2023_DUE, by="test")
    assert not attendance_shredded(gallra, held)
    assert all(attendance_shredded(gallra, k) for k in kids[2:])
    assert gallra.gallring.planned(JAN_2023_DUE) == []  # held: nothing more is due

    assert gallra.app.lift_hold(hold, "admin-2")
    [after] = [c for c in gallra.gallring.planned(JAN_2023_DUE) if c.category == "attendance"]
    assert after.months == ("2023-01",) and after.subjects == 1  # now the month closes
    gallra.gallring.run(JAN_2023_DUE, by="test")
    assert attendance_shredded(gallra, held)


def test_a_hold_holds_until_its_last_day_whatever_date_a_run_is_for(
    gallra: Gallra, clock: Clock
) -> None:
    town = make_history(gallra, clock)
    held = town["children"][1]  # type: ignore[index]
    today = clock.now.date()
    gallra.app.place_hold(uuid4(), held, "begäran om utlämnande", "admin", until=today)
    assert gallra.gallring.survey(today).held_back  # stands on its last day
    later = gallra.gallring.survey(date(today.year + 1, 1, 1))
    assert not any(h.reason == LEGAL_HOLD for h in later.held_back)
    earlier = gallra.gallring.survey(date(2026, 2, 1))  # a run now, for a date before the hold
    assert any(h.reason == LEGAL_HOLD for h in earlier.held_back)


def test_placing_and_lifting_are_idempotent_and_checked(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    child = town["children"][1]  # type: ignore[index]
    hold = uuid4()
    assert gallra.app.place_hold(hold, child, "tvist", "admin") is True
    assert gallra.app.place_hold(hold, child, "tvist", "admin") is False  # a retry
    with pytest.raises(ConflictError):
        gallra.app.place_hold(hold, child, "annat skäl", "admin")
    with pytest.raises(NotFoundError) as unknown:
        gallra.app.place_hold(uuid4(), uuid4(), "tvist", "admin")
    assert unknown.value.field == "subject_id"
    with pytest.raises(RuleViolationError) as blank:
        gallra.app.place_hold(uuid4(), child, "  ", "admin")
    assert blank.value.field == "reason"
    with pytest.raises(RuleViolationError) as backwards:
        gallra.app.place_hold(uuid4(), child, "tvist", "admin", until=date(2020, 1, 1))
    assert backwards.value.field == "until"
    assert gallra.app.lift_hold(hold, "admin") is True
    assert gallra.app.lift_hold(hold, "admin") is False
    with pytest.raises(NotFoundError):
        gallra.app.lift_hold(uuid4(), "admin")
    [listed] = gallra.app.legal_holds()
    assert (listed.subject_id, listed.reason, listed.lifted_by) == (child, "tvist", "admin")


def test_a_holds_reason_is_sealed(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    needle = uuid4().hex
    gallra.app.place_hold(uuid4(), town["children"][1], f"ärende {needle}", "admin")  # type: ignore[index]
    stored = b"".join(
        n.state for n in gallra.app.recorder.select_notifications(start=1, limit=10**6)
    )
    assert needle.encode() not in stored


def test_whom_a_hold_held_is_sealed_and_goes_with_its_scope(gallra: Gallra, clock: Clock) -> None:
    town = make_history(gallra, clock)
    child: UUID = town["children"][1]  # type: ignore[index]
    hold = uuid4()
    gallra.app.place_hold(hold, child, "tvist", "admin")
    [stored] = [
        n
        for n in gallra.app.recorder.select_notifications(start=1, limit=10**6)
        if n.topic.endswith("HoldPlaced")
    ]
    assert child.bytes not in stored.state and str(child).encode() not in stored.state
    assert child.hex.encode() not in stored.state
    [listed] = gallra.app.legal_holds()
    assert listed.subject_id == child  # readable while the scope lives
    gallra.app.lift_hold(hold, "admin")
    [scope] = [
        r.scope
        for r in gallra.app.keystore.scopes(subject=child)
        if r.scope.category == "legal-hold"
    ]
    gallra.app.keystore.shred(uuid4(), scopes=[scope])
    gallra.app.evict_caches()
    [culled] = gallra.app.legal_holds()
    assert isinstance(culled.subject_id, Shredded) and isinstance(culled.reason, Shredded)
    assert culled.lifted_on is not None  # the dates stay for the record
    assert gallra.app.standing_holds(date(2026, 3, 1)) == {}


# -- the documentation rules of the default plan ---------------------------------------------


@pytest.mark.parametrize(
    ("category", "last_kept", "first_due"),
    [
        ("samtal", date(2026, 3, 31), date(2026, 4, 1)),  # 1.5 years after September 2024
        ("larlogg", date(2026, 3, 31), date(2026, 4, 1)),
        ("extra-anpassningar", date(2028, 3, 31), date(2028, 4, 1)),  # 3.5 years
        ("kunskapstabell", date(2028, 3, 31), date(2028, 4, 1)),
    ],
)
def test_documentation_is_culled_the_day_its_period_ends(
    gallra: Gallra, clock: Clock, category: str, last_kept: date, first_due: date
) -> None:
    entry = documented(gallra, clock, category, date(2024, 9, 12))
    assert not [c for c in gallra.gallring.planned(last_kept) if c.category == category]
    gallra.gallring.run(last_kept, by="test")
    assert gallra.app.get_entry(entry).current.content == "innehåll"
    [cull] = [c for c in gallra.gallring.planned(first_due) if c.category == category]
    assert cull.months == ("2024-09",)
    gallra.gallring.run(first_due, by="test")
    gallra.app.evict_caches()
    assert isinstance(gallra.app.get_entry(entry).current.content, Shredded)


@pytest.mark.parametrize(
    ("category", "first_due"),
    [("betygsunderlag", date(2028, 4, 1)), ("iup", date(2026, 4, 1))],
)
def test_preserved_documentation_waits_for_the_archive(
    gallra: Gallra, clock: Clock, category: str, first_due: date
) -> None:
    entry = documented(gallra, clock, category, date(2024, 9, 12))
    survey = gallra.gallring.survey(first_due)
    assert not [c for c in survey.culls if c.category == category]
    [held] = [h for h in survey.held_back if h.category == category]
    assert (held.reason, held.subjects, held.months) == (AWAITING_ARCHIVE, 1, ("2024-09",))
    gallra.gallring.run(date(2040, 1, 1), by="test")  # however late: no receipt, no culling
    gallra.app.evict_caches()
    assert gallra.app.get_entry(entry).current.content == "innehåll"
