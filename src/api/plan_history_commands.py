"""The retention plans Gallra has run under, recorded as each is first used (issue 5)."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from api.app_base import GallraBase
from domain.plan_history import HISTORY_ID, Adoption, PlanHistory
from retention.log_scan import notifications


class PlanHistoryCommands(GallraBase):
    def adopt_plan(self, version: str, digest: str) -> bool:
        """Record the plan version in force from now; refuse other rules under a version
        already adopted (ConflictError). Returns whether this version is new."""

        def command() -> bool:
            history = self._plan_history() or PlanHistory.open()
            adopted = history.adopt(version, digest, self.clock())
            if adopted:
                self.save(history)
            return adopted

        return self._retrying(command)  # type: ignore[no-any-return]

    def holds_records(self) -> bool:
        """Whether the store holds anything but its plan history (a new store holds only
        that: the plan is recorded as Gallra first starts)."""
        topics = {get_topic(PlanHistory.Opened), get_topic(PlanHistory.Adopted)}
        return any(n.topic not in topics for n in notifications(self.recorder, page=100))

    def plan_adoptions(self) -> list[Adoption]:
        """Every plan version adopted, oldest first."""
        history = self._plan_history()
        return [] if history is None else list(history.adoptions)

    def _plan_history(self) -> PlanHistory | None:
        return self._find(PlanHistory, HISTORY_ID)
