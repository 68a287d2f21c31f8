"""Erasure requests (GDPR art. 17): what of a person would be culled, when, under which rule,
and what the law keeps; carried out where the plan allows culling on request.

Most of what a school or preschool records is needed for its duties in law (art. 17.3 b), and
some is preserved for the city archive (art. 17.3 d). For those the answer is the date the
retention plan culls them, or the event that starts their period. What a rule marks
``on_request`` (optional data, such as a profile picture) is culled at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from retention.gallring import Gallring, GallringResult
from retention.plan import (
    ARCHIVE_THEN_SHRED,
    LAST_OF_SUBJECT,
    NO_LONGER_CURRENT,
    RECORD_MONTH,
    Rule,
)

NOW = "now, on this request"
HELD = "a legal hold keeps everything of theirs until it is lifted"
DUTIES = "needed for the school's and preschool's duties in law (GDPR art. 17.3 b)"
ARCHIVE = "preserved for the city archive (arkivlagen; GDPR art. 17.3 d)"


@dataclass(frozen=True, slots=True)
class ErasureItem:
    category: str
    epoch: str  # the period the data is sealed under ("-": the person's whole life)
    rule_id: str
    culled: str  # when: a date, "now, on this request", or the event that starts the period
    culled_on: date | None  # the date, when the plan fixes one
    kept_because: str | None  # why the law keeps it until then (None: culled now)


@dataclass(frozen=True, slots=True)
class ErasureAnswer:
    subject_id: UUID
    as_of: date
    items: list[ErasureItem]
    erased: list[GallringResult]  # the runs that carried it out (empty for a preview)


def answer_erasure(
    gallring: Gallring, subject: UUID, as_of: date, *, by: str, execute: bool
) -> ErasureAnswer:
    """Say what the plan does with each kind of the person's data; with ``execute``, cull
    what may be culled on request first, so the answer lists only what stays."""
    held = gallring.holds is not None and subject in set(gallring.holds(as_of))
    erased = gallring.erase(subject, as_of, by=by) if execute and not held else []
    live = [r for r in gallring.keystore.scopes(subject=subject) if r.key_id is not None]
    items: list[ErasureItem] = []
    for record in sorted(live, key=lambda r: (r.scope.category, r.scope.epoch)):
        category, epoch = record.scope.category, record.scope.epoch
        rule = gallring.plan.rule_for(category)
        if rule is None:  # the plan governs every category it is adopted with
            continue
        when, on = _when(rule, epoch)
        if held:
            kept: str | None = HELD
        elif rule.on_request:
            when, on, kept = NOW, as_of, None  # a preview: this is what a request culls
        else:
            kept = ARCHIVE if rule.action == ARCHIVE_THEN_SHRED else DUTIES
        items.append(ErasureItem(category, epoch, rule.id, when, on, kept))
    return ErasureAnswer(subject, as_of, items, erased)


def _when(rule: Rule, epoch: str) -> tuple[str, date | None]:
    if rule.trigger == RECORD_MONTH and len(epoch) == 7:
        year, month = int(epoch[:4]), int(epoch[5:])
        index = year * 12 + month + rule.period_months  # the month after, plus the period
        on = date(index // 12, index % 12 + 1, 1)
        return f"on {on.isoformat()}", on
    if rule.trigger == NO_LONGER_CURRENT:
        return f"{rule.period_months} months after it stops being current", None
    if rule.trigger == LAST_OF_SUBJECT:
        return "once nothing else of theirs is left", None
    return "as the plan says", None
