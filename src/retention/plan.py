"""The retention plan: rules as data, loaded and validated at start.

A rule names data categories and what triggers their culling:

- ``record-month``: rolling culling by the month a fact belongs to, which is what "culled after
  N years" means for attendance in the seed;
- ``no-longer-current``: the seed's "inaktualitet", a subject's data culled once the period has
  passed since it stopped being current (for Tempus: the child's last preschool or fritids
  placement ended, or a pick-up person was removed). The rule's school forms say which
  placements keep the data current, and its ``people`` whose data it lapses: children, and
  also guardians (when all their children have lapsed) or staff (when their duties end).
- ``last-of-subject``: what identifies a person (name, civic number) goes once nothing else of
  theirs is left: the period after the last of their other data was culled.

A plan must govern every category the events use (``require_complete``), so no kind of data is
kept for ever by omission.

Bad plans are refused with one line that names the rule at fault.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from domain.organisation import SchoolForm
from domain.personal import Category

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
RECORD_MONTH, NO_LONGER_CURRENT = "record-month", "no-longer-current"
LAST_OF_SUBJECT = "last-of-subject"
TRIGGERS = (RECORD_MONTH, NO_LONGER_CURRENT, LAST_OF_SUBJECT)
SHRED, ARCHIVE_THEN_SHRED = "shred", "archive-then-shred"
ACTIONS = (SHRED, ARCHIVE_THEN_SHRED)
CHILDREN, GUARDIANS, STAFF = "children", "guardians", "staff"
PEOPLE = (CHILDREN, GUARDIANS, STAFF)
"""Whose data a ``no-longer-current`` rule lapses: children (and their pick-up persons) when
their placements end, guardians when all their children have lapsed, staff when their duties
end; a guardian or staff member known to no child or duty lapses after registration."""


class PlanError(ValueError):
    """The plan file cannot be used as it stands."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    categories: tuple[str, ...]
    school_forms: tuple[str, ...]
    trigger: str
    period_months: int
    action: str
    cites: str
    people: tuple[str, ...] = (CHILDREN,)  # for no-longer-current: whose currency counts
    # Nothing in law keeps the data once its subject asks for erasure (GDPR art. 17): an
    # erasure request culls it at once, ahead of the rule's period.
    on_request: bool = False

    def cutoff_month(self, as_of: date) -> str:
        """Months strictly before the returned one are due on ``as_of``.

        Month M is due once its last day is ``period_months`` old: on or after the first day
        of M + 1 + period_months.
        """
        index = as_of.year * 12 + (as_of.month - 1) - self.period_months
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    def is_due(self, epoch: str, as_of: date) -> bool:
        """For a ``record-month`` rule: whether the month ``epoch`` is due on ``as_of``."""
        return (
            self.trigger == RECORD_MONTH
            and bool(_MONTH.match(epoch))
            and epoch < self.cutoff_month(as_of)
        )

    def current_until(self, as_of: date) -> date:
        """For a ``no-longer-current`` rule: data that stopped being current before the
        returned day is due on ``as_of`` (the same day ``period_months`` earlier, or the
        month's last day when that month is shorter)."""
        index = as_of.year * 12 + (as_of.month - 1) - self.period_months
        year, month = divmod(index, 12)
        for day in range(as_of.day, 27, -1):
            try:
                return date(year, month + 1, day)
            except ValueError:
                continue
        return date(year, month + 1, as_of.day)


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    version: str
    rules: tuple[Rule, ...]
    digest: str = ""  # SHA-256 of the rules' meaning (not comments, notes or citations)

    def rule_for(self, category: str) -> Rule | None:
        return next((r for r in self.rules if category in r.categories), None)


def _rule(raw: dict[str, Any], index: int) -> Rule:
    rid = raw.get("id") or f"#{index + 1}"
    try:
        rule = Rule(
            id=str(raw["id"]),
            categories=tuple(str(c) for c in raw["categories"]),
            school_forms=tuple(str(s) for s in raw.get("school_forms", ())),
            trigger=str(raw["trigger"]),
            period_months=int(raw["period_months"]),
            action=str(raw["action"]),
            cites=str(raw.get("cites", "")),
            people=tuple(str(p) for p in raw.get("people", (CHILDREN,))),
            on_request=raw.get("on_request", False),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise PlanError(f"retention rule {rid}: missing or malformed field {e}") from None
    known = {str(c) for c in Category}
    for category in rule.categories:
        if category not in known:
            raise PlanError(f"retention rule {rid}: unknown category {category!r}")
    if rule.trigger not in TRIGGERS:
        raise PlanError(f"retention rule {rid}: unknown trigger {rule.trigger!r}")
    forms = {str(f) for f in SchoolForm}
    for form in rule.school_forms:
        if form not in forms:
            raise PlanError(f"retention rule {rid}: unknown school form {form!r}")
    if rule.trigger == NO_LONGER_CURRENT and not rule.school_forms:
        raise PlanError(
            f"retention rule {rid}: a no-longer-current rule must name the school forms whose "
            "placements keep the data current"
        )
    for person in rule.people:
        if person not in PEOPLE:
            raise PlanError(f"retention rule {rid}: unknown people {person!r}")
    if "people" in raw and rule.trigger != NO_LONGER_CURRENT:
        raise PlanError(f"retention rule {rid}: only a no-longer-current rule names people")
    if not rule.people:
        raise PlanError(f"retention rule {rid}: people must name someone")
    if not isinstance(rule.on_request, bool):
        raise PlanError(f"retention rule {rid}: on_request must be true or false")
    if rule.on_request and rule.action != SHRED:
        raise PlanError(
            f"retention rule {rid}: what is preserved for the archive cannot be culled on request"
        )
    if rule.action not in ACTIONS:
        raise PlanError(f"retention rule {rid}: unknown action {rule.action!r}")
    if not 1 <= rule.period_months <= 12 * 100:
        raise PlanError(
            f"retention rule {rid}: period of {rule.period_months} months is impossible"
        )
    return rule


def parse_plan(text: str) -> RetentionPlan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PlanError(f"retention plan is not valid TOML: {e}") from None
    rules = tuple(_rule(raw, i) for i, raw in enumerate(data.get("rule", [])))
    seen: dict[str, str] = {}
    for rule in rules:
        for category in rule.categories:
            if category in seen:
                raise PlanError(
                    f"retention rule {rule.id}: category {category!r} is already governed by "
                    f"rule {seen[category]}"
                )
            seen[category] = rule.id
    if "version" not in data:
        raise PlanError("retention plan has no version")
    return RetentionPlan(version=str(data["version"]), rules=rules, digest=_digest(rules))


def _digest(rules: tuple[Rule, ...]) -> str:
    """What the rules do, canonically: a changed period, trigger or category changes it; a
    reworded note or comment does not."""
    meaning = [
        [r.id, sorted(r.categories), sorted(r.school_forms), r.trigger, r.period_months, r.action]
        # Children alone, the meaning before rules named people, adds nothing: a plan recorded
        # then keeps its digest.
        + ([] if r.people == (CHILDREN,) else [sorted(r.people)])
        + (["on-request"] if r.on_request else [])  # absent before: old digests stand
        for r in sorted(rules, key=lambda r: r.id)
    ]
    return hashlib.sha256(json.dumps(meaning, ensure_ascii=False).encode()).hexdigest()


def require_complete(plan: RetentionPlan) -> RetentionPlan:
    """Refuse a plan that leaves a category the events use without a rule."""
    governed = {c for rule in plan.rules for c in rule.categories}
    for category in Category:
        if str(category) not in governed:
            raise PlanError(
                f"retention plan {plan.version}: no rule governs category {str(category)!r}, "
                "which events use"
            )
    return plan


def load_plan(path: Path | None = None) -> RetentionPlan:
    """Load the plan at ``path``, or the default plan shipped with Gallra."""
    if path is None:
        text = resources.files("retention").joinpath("default_plan.toml").read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as e:
            raise PlanError(f"retention plan {path} cannot be read: {e.strerror}") from None
    return parse_plan(text)
