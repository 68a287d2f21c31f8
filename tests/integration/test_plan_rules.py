"""Every record-month rule of the default plan, category by category: a record is kept on the
last day of its period and culled (or, if preserved, held back for the archive) on the next,
on both backends with the date passed in.

The record is a stand-in sealed under the category named by its readable field, so each rule
is tested apart from the features that write such data (those have their own tests).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, event

from api.bootstrap import Gallra
from domain.personal import CategoryOf, MonthOf, Personal, Shredded
from retention.plan import ARCHIVE_THEN_SHRED, RECORD_MONTH, load_plan
from retention.survey import AWAITING_ARCHIVE

_ANY = Personal(CategoryOf("category"), subject="subject_id", epoch=MonthOf("on"))
WRITTEN = date(2024, 9, 12)  # any day of September 2024


class Record(Aggregate):
    class Written(Aggregate.Created):
        category: str
        subject_id: UUID
        on: Annotated[date | Shredded, _ANY]
        text: Annotated[str | Shredded, _ANY]

    @event(Written)
    def __init__(self, category: str, subject_id: UUID, on: date, text: str) -> None:
        self.category, self.subject_id, self.on, self.text = category, subject_id, on, text


def first_due(period_months: int) -> date:
    """The first day of the month after September 2024 ends plus the period."""
    months = 2024 * 12 + 9 + period_months  # the month after September, 0-based, plus period
    return date(months // 12, months % 12 + 1, 1)


CASES = [
    pytest.param(rule.id, category, rule.period_months, rule.action, id=f"{rule.id}:{category}")
    for rule in load_plan().rules
    if rule.trigger == RECORD_MONTH
    for category in rule.categories
]


def test_every_record_month_category_is_covered() -> None:
    covered = {c.values[1] for c in CASES}
    assert {"attendance", "health", "access-log", "samtal", "betygsunderlag"} <= covered


@pytest.mark.parametrize(("rule_id", "category", "period", "action"), CASES)
def test_kept_the_last_day_and_culled_or_held_the_next(
    gallra: Gallra, rule_id: str, category: str, period: int, action: str
) -> None:
    record = Record(category=category, subject_id=uuid4(), on=WRITTEN, text="uppgift")
    gallra.app.save(record)
    due_on = first_due(period)
    last_kept = due_on - timedelta(days=1)

    def ours(as_of: date) -> tuple[list[object], list[object]]:
        survey = gallra.gallring.survey(as_of)
        culls = [c for c in survey.culls if (c.rule_id, c.category) == (rule_id, category)]
        held = [h for h in survey.held_back if (h.rule_id, h.category) == (rule_id, category)]
        return culls, held  # type: ignore[return-value]

    assert ours(last_kept) == ([], [])
    gallra.gallring.run(last_kept, by="test")
    assert gallra.app.repository.get(record.id).text == "uppgift"

    culls, held = ours(due_on)
    if action == ARCHIVE_THEN_SHRED:
        assert culls == [] and [h.reason for h in held] == [AWAITING_ARCHIVE]  # type: ignore[attr-defined]
    else:
        assert held == [] and [c.months for c in culls] == [("2024-09",)]  # type: ignore[attr-defined]
    gallra.gallring.run(due_on, by="test")
    gallra.app.evict_caches()
    text = gallra.app.repository.get(record.id).text
    if action == ARCHIVE_THEN_SHRED:
        assert text == "uppgift"
    else:
        assert isinstance(text, Shredded)
