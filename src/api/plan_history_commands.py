"""The retention plans Gallra has run under, recorded as each is first used (issue 5)."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from api.app_base import GallraBase
from domain.plan_history import HISTORY_ID, Adoption, PlanHistory


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
        start = 0
        while page := self.recorder.select_notifications(
            start=start, limit=100, inclusive_of_start=False
        ):
            if any(n.topic not in topics for n in page):
                return True
            start = page[-1].id
        return False

    def plan_adoptions(self) -> list[Adoption]:
        """Every plan version adopted, oldest first."""
        history = self._plan_history()
        return [] if history is None else list(history.adoptions)

    def _plan_history(self) -> PlanHistory | None:
        try:
            history: object = self.repository.get(HISTORY_ID)
        except AggregateNotFoundError:
            return None
        assert isinstance(history, PlanHistory)
        return history
