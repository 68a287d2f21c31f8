"""The retention plan: the shipped rule, the month arithmetic at its edges, and refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.personal import DOCUMENTATION, Category
from retention.plan import PlanError, Rule, load_plan, parse_plan, require_complete


def attendance_rule(period_months: int = 36) -> Rule:
    return Rule(
        id="r",
        categories=("attendance",),
        school_forms=(),
        trigger="record-month",
        period_months=period_months,
        action="shred",
        cites="",
    )


# The shipped plan


def test_default_plan_carries_the_tempus_attendance_rule() -> None:
    plan = load_plan()

    assert plan.version
    [rule] = [r for r in plan.rules if r.id == "tempus-attendance"]
    assert set(rule.categories) == {"attendance", "health", "day-sheet"}
    assert rule.trigger == "record-month"
    assert rule.action == "shred"
    assert rule.period_months == 36
    assert "gallras efter 3 år" in rule.cites
    assert plan.rule_for("attendance") is rule
    assert plan.rule_for("health") is rule
    identity = plan.rule_for("identity")
    assert identity is not None and identity.trigger == "last-of-subject"


# Month arithmetic


@pytest.mark.parametrize(
    ("epoch", "as_of", "due"),
    [
        ("2023-01", date(2026, 1, 31), False),
        ("2023-01", date(2026, 2, 1), True),
        ("2023-02", date(2026, 2, 1), False),
        ("2023-02", date(2026, 2, 28), False),
        ("2023-02", date(2026, 3, 1), True),
        ("2022-12", date(2025, 12, 31), False),
        ("2022-12", date(2026, 1, 1), True),
        ("2020-06", date(2026, 1, 1), True),
        ("2026-01", date(2026, 1, 15), False),
    ],
)
def test_month_is_due_once_its_last_day_is_period_old(epoch: str, as_of: date, due: bool) -> None:
    assert attendance_rule(36).is_due(epoch, as_of) is due


@pytest.mark.parametrize(
    ("as_of", "period", "cutoff"),
    [
        (date(2026, 1, 31), 36, "2023-01"),
        (date(2026, 2, 1), 36, "2023-02"),
        (date(2026, 1, 1), 1, "2025-12"),
        (date(2026, 1, 1), 12, "2025-01"),
        (date(2026, 12, 31), 11, "2026-01"),
    ],
)
def test_cutoff_month(as_of: date, period: int, cutoff: str) -> None:
    assert attendance_rule(period).cutoff_month(as_of) == cutoff


@pytest.mark.parametrize(
    "epoch",
    ["-", "6f1c2b1e-8a3d-4c55-9a0e-2b7d4f0c9e11", "", "2023", "2023-13", "2023-00", "1999-1"],
)
def test_a_non_month_epoch_is_never_due(epoch: str) -> None:
    assert attendance_rule(1).is_due(epoch, date(9999, 12, 31)) is False


# Refusals

GOOD_RULE = """
[[rule]]
id = "{id}"
categories = {categories}
trigger = "{trigger}"
period_months = {period}
action = "{action}"
"""


def plan_text(
    *,
    id: str = "my-rule",
    categories: str = '["attendance"]',
    trigger: str = "record-month",
    period: int = 36,
    action: str = "shred",
    version: bool = True,
) -> str:
    head = 'version = "t1"\n' if version else ""
    return head + GOOD_RULE.format(
        id=id, categories=categories, trigger=trigger, period=period, action=action
    )


def refusal(text: str) -> str:
    with pytest.raises(PlanError) as caught:
        parse_plan(text)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def test_a_good_plan_parses() -> None:
    plan = parse_plan(plan_text())

    assert plan.version == "t1"
    assert [r.id for r in plan.rules] == ["my-rule"]


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"categories": '["attendance", "grades"]'}, ["unknown category", "'grades'"]),
        ({"trigger": "enrolment-end"}, ["unknown trigger", "'enrolment-end'"]),
        ({"action": "delete"}, ["unknown action", "'delete'"]),
        ({"period": 0}, ["0 months"]),
        ({"period": 1201}, ["1201 months"]),
        ({"period": -3}, ["-3 months"]),
    ],
    ids=["category", "trigger", "action", "period-0", "period-1201", "period-negative"],
)
def test_a_bad_rule_is_refused_in_one_line_naming_it(
    overrides: dict[str, Any], words: list[str]
) -> None:
    message = refusal(plan_text(id="bad-rule", **overrides))

    assert "bad-rule" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("period", [1, 1200])
def test_the_period_limits_are_inclusive(period: int) -> None:
    assert parse_plan(plan_text(period=period)).rules[0].period_months == period


def test_two_rules_governing_one_category_are_refused_naming_both() -> None:
    text = plan_text(id="first", categories='["attendance", "health"]') + GOOD_RULE.format(
        id="second", categories='["health"]', trigger="record-month", period=12, action="shred"
    )

    message = refusal(text)

    assert "first" in message and "second" in message
    assert "'health'" in message


@pytest.mark.parametrize("field", ["categories", "trigger", "period_months", "action"])
def test_a_missing_field_is_refused_naming_rule_and_field(field: str) -> None:
    text = "\n".join(
        line for line in plan_text(id="lacking").splitlines() if not line.startswith(field)
    )

    message = refusal(text)

    assert "lacking" in message
    assert field in message


def test_a_rule_without_id_is_named_by_position() -> None:
    text = plan_text(id="first") + '\n[[rule]]\ncategories = ["health"]\n'

    message = refusal(text)

    assert "#2" in message
    assert "id" in message


def test_invalid_toml_is_refused() -> None:
    message = refusal('version = "t1"\n[[rule]\nid = ')

    assert "not valid TOML" in message


def test_a_plan_without_version_is_refused() -> None:
    message = refusal(plan_text(version=False))

    assert "no version" in message


def test_a_missing_plan_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "plan.toml"

    with pytest.raises(PlanError, match="cannot be read") as caught:
        load_plan(missing)
    assert str(missing) in str(caught.value)


def test_a_plan_file_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(plan_text(id="from-file"), encoding="utf-8")

    assert [r.id for r in load_plan(path).rules] == ["from-file"]


# The no-longer-current trigger ("inaktualitet")


def lapse_rule(period_months: int = 12) -> Rule:
    return Rule(
        id="lapse",
        categories=("schedule",),
        school_forms=("förskola",),
        trigger="no-longer-current",
        period_months=period_months,
        action="shred",
        cites="",
    )


def test_default_plan_culls_tempus_data_twelve_months_after_the_last_placement() -> None:
    plan = load_plan()

    rule = plan.rule_for("schedule")
    assert rule is not None and rule.id == "tempus-no-longer-current"
    assert rule.trigger == "no-longer-current" and rule.period_months == 12
    assert set(rule.categories) == {"schedule", "pickup", "diet", "calendar"}
    assert set(rule.school_forms) == {"förskola", "fritidshem"}
    assert "inaktualitet" in rule.cites
    staff = plan.rule_for("staff-schedule")
    assert staff is not None and staff.trigger == "record-month" and staff.period_months == 12


@pytest.mark.parametrize(
    ("as_of", "period", "until"),
    [
        (date(2027, 7, 1), 12, date(2026, 7, 1)),
        (date(2027, 6, 30), 12, date(2026, 6, 30)),
        (date(2027, 3, 31), 1, date(2027, 2, 28)),  # a shorter month: its last day
        (date(2028, 2, 29), 12, date(2027, 2, 28)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_data_that_stopped_being_current_before_this_day_is_due(
    as_of: date, period: int, until: date
) -> None:
    assert lapse_rule(period).current_until(as_of) == until


def test_a_no_longer_current_rule_never_culls_by_month() -> None:
    assert lapse_rule(1).is_due("2001-01", date(2030, 1, 1)) is False


def test_a_no_longer_current_rule_must_name_school_forms() -> None:
    message = refusal(plan_text(id="lapsing", categories='["diet"]', trigger="no-longer-current"))

    assert "lapsing" in message and "school forms" in message


def test_an_unknown_school_form_is_refused() -> None:
    text = plan_text(id="odd").replace("[[rule]]\n", '[[rule]]\nschool_forms = ["dagis"]\n')

    message = refusal(text)

    assert "odd" in message and "'dagis'" in message


def lapsing_text(people: str | None) -> str:
    text = plan_text(id="lapsing", categories='["contact"]', trigger="no-longer-current")
    extra = 'school_forms = ["förskola"]\n' + (f"people = {people}\n" if people else "")
    return text.replace("[[rule]]\n", "[[rule]]\n" + extra)


def test_a_no_longer_current_rule_lapses_children_unless_it_names_people() -> None:
    assert parse_plan(lapsing_text(None)).rules[0].people == ("children",)
    named = parse_plan(lapsing_text('["guardians", "staff"]')).rules[0]
    assert named.people == ("guardians", "staff")


@pytest.mark.parametrize(
    ("people", "words"),
    [('["pupils"]', ["unknown people", "'pupils'"]), ("[]", ["must name someone"])],
)
def test_bad_people_are_refused(people: str, words: list[str]) -> None:
    message = refusal(lapsing_text(people))
    assert "lapsing" in message and all(w in message for w in words)


def test_only_a_no_longer_current_rule_names_people() -> None:
    text = plan_text(id="monthly").replace("[[rule]]\n", '[[rule]]\npeople = ["staff"]\n')
    assert "only a no-longer-current rule" in refusal(text)


def test_naming_people_changes_the_digest_but_children_alone_does_not() -> None:
    default = parse_plan(lapsing_text(None)).digest
    assert parse_plan(lapsing_text('["children"]')).digest == default  # as recorded before
    assert parse_plan(lapsing_text('["children", "staff"]')).digest != default


def test_the_default_plan_lapses_guardians_and_staff_accounts() -> None:
    plan = load_plan()
    accounts, placements = plan.rule_for("contact"), plan.rule_for("placement")
    assert accounts is not None and placements is not None
    assert set(accounts.people) == {"children", "guardians", "staff"}
    assert set(placements.people) == {"children", "staff"}


# Completeness: every category the events use is governed


def test_the_default_plan_governs_every_category() -> None:
    plan = require_complete(load_plan())
    governed = {c for r in plan.rules for c in r.categories}
    assert governed == {str(c) for c in Category}


def test_a_plan_that_leaves_a_category_ungoverned_is_refused_in_one_line() -> None:
    with pytest.raises(PlanError) as caught:
        require_complete(parse_plan(plan_text()))  # attendance only
    message = str(caught.value)
    assert "\n" not in message and "no rule governs category" in message
    assert "'identity'" in message or "'health'" in message


def test_every_category_is_used_by_some_event() -> None:
    """The completeness check asks for a rule per category; a category no event uses would
    ask for a rule that governs nothing."""
    from test_declarations import EVENTS

    from domain.personal import CategoryOf, personal_fields, veil_of

    used: set[str] = set()
    for cls in EVENTS:
        veil = veil_of(cls)
        if veil is not None:
            used.add(str(veil.category))
        for field in personal_fields(cls):
            category = field.declaration.category
            if isinstance(category, CategoryOf):
                used |= {str(c) for c in DOCUMENTATION}
            else:
                used.add(str(category))
    assert used == {str(c) for c in Category}


def test_on_request_is_a_plain_flag_for_data_the_law_does_not_keep() -> None:
    plan = parse_plan(plan_text() + "on_request = true\n")
    assert plan.rules[0].on_request
    assert plan.digest != parse_plan(plan_text()).digest  # it changes what the plan does
    assert "true or false" in refusal(plan_text(id="bad-rule") + 'on_request = "yes"\n')
    preserved = plan_text(id="bad-rule", action="archive-then-shred") + "on_request = true\n"
    assert "archive" in refusal(preserved)


def test_the_default_plan_culls_only_optional_profiles_on_request() -> None:
    plan = load_plan()
    assert [(r.id, r.categories) for r in plan.rules if r.on_request] == [
        ("profiles-no-longer-current", ("profile",))
    ]
