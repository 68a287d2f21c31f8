"""A plan change applies from its version on: each version is recorded the first time Gallra
runs under it, and other rules under a version already recorded are refused at start (both
backends)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from conftest import GallraFactory
from retention.plan import PlanError


def default_text() -> str:
    return resources.files("retention").joinpath("default_plan.toml").read_text("utf-8")


def test_versions_are_recorded_once_in_order_and_rules_never_change_under_one(
    make_gallra: GallraFactory, tmp_path: Path
) -> None:
    first = make_gallra()
    [adopted] = first.app.plan_adoptions()
    assert adopted.version == first.plan.version and adopted.sha256 == first.plan.digest
    make_gallra()  # started again under the same plan: nothing new
    assert len(first.app.plan_adoptions()) == 1

    reworded = tmp_path / "reworded.toml"
    reworded.write_text(default_text().replace("# Gallra's retention plan", "# Our plan"))
    assert len(make_gallra(retention_plan=reworded).app.plan_adoptions()) == 1  # same rules

    changed = tmp_path / "changed.toml"
    changed.write_text(default_text().replace("period_months = 36", "period_months = 48"))
    with pytest.raises(PlanError) as caught:
        make_gallra(retention_plan=changed)
    message = str(caught.value)
    assert "\n" not in message and "give the change a new version" in message

    version = first.plan.version
    changed.write_text(changed.read_text().replace(f'version = "{version}"', 'version = "2099.1"'))
    later = make_gallra(retention_plan=changed)
    assert [a.version for a in later.app.plan_adoptions()] == [version, "2099.1"]
    assert later.plan.rule_for("attendance").period_months == 48  # type: ignore[union-attr]
