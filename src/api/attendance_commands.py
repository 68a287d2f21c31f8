"""Commands about attendance at a department: the kiosk's check-in and check-out, and
absence reports, each idempotent on the client's submission id."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from api.app_base import GallraBase
from domain.attendance import AbsenceKind, DepartmentDay, Outcome, department_day_id
from domain.errors import RuleViolationError
from domain.people import Child

MAX_CLOCK_SKEW = timedelta(minutes=5)


class AttendanceCommands(GallraBase):
    """Check-in, check-out and absence at a department, by department-day stream."""

    # -- attendance ------------------------------------------------------------------------

    def _placed_unit(self, child_id: UUID, department_id: UUID, day: date) -> UUID:
        child = self._get(Child, child_id, "child")
        placement = child.placement_at(department_id, day)
        if placement is None or not isinstance(placement.unit_id, UUID):
            raise RuleViolationError(
                f"child {child_id} has no placement at department {department_id} on {day}",
                field="child_id",
            )
        return placement.unit_id

    def _department_day(self, department_id: UUID, unit_id: UUID, day: date) -> DepartmentDay:
        try:
            aggregate: Aggregate = self.repository.get(department_day_id(department_id, day))
        except AggregateNotFoundError:
            return DepartmentDay.open(department_id, unit_id, day)
        assert isinstance(aggregate, DepartmentDay)
        return aggregate

    def _checked_time(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise RuleViolationError("time must include a UTC offset", field="at")
        if at - self.clock() > MAX_CLOCK_SKEW:
            raise RuleViolationError("time is in the future", field="at")
        return at.astimezone(UTC)

    def check_in(
        self,
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None = None,
    ) -> Outcome:
        """Check a child in at its department; a retried submission is a no-op."""
        return self._at_kiosk(
            DepartmentDay.check_in, submission_id, department_id, child_id, at, by
        )

    def check_out(
        self,
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None = None,
    ) -> Outcome:
        """Check a child out; the outcome carries the minutes present."""
        return self._at_kiosk(
            DepartmentDay.check_out, submission_id, department_id, child_id, at, by
        )

    def _at_kiosk(
        self,
        action: Callable[[DepartmentDay, UUID, UUID, datetime, UUID | None], Outcome],
        submission_id: UUID,
        department_id: UUID,
        child_id: UUID,
        at: datetime,
        by: UUID | None,
    ) -> Outcome:
        at = self._checked_time(at)
        day = self.local_day(at)
        self._refuse_culled(day)
        unit_id = self._placed_unit(child_id, department_id, day)

        def command() -> Outcome:
            dd = self._department_day(department_id, unit_id, day)
            outcome = action(dd, submission_id, child_id, at, by)
            if not outcome.duplicate:
                self.save(dd)
            return outcome

        return self._retrying(command)  # type: ignore[no-any-return]

    def report_absence(
        self,
        submission_id: UUID,
        child_id: UUID,
        reported_by: UUID,
        first_day: date,
        last_day: date,
        kind: str,
        reason: str | None,
    ) -> list[Outcome]:
        """Report absence for each day of a range, all days in one transaction."""
        if last_day < first_day:
            raise RuleViolationError("the last day is before the first", field="last_day")
        if (last_day - first_day).days > 92:
            raise RuleViolationError("an absence report covers at most 93 days", field="last_day")
        try:
            absence_kind = AbsenceKind(kind)
        except ValueError:
            raise RuleViolationError(
                f"kind must be one of {', '.join(AbsenceKind)}", field="kind"
            ) from None
        child = self._get(Child, child_id, "child")
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        for day in days:
            self._refuse_culled(day)

        def command() -> list[Outcome]:
            outcomes: list[Outcome] = []
            changed: list[DepartmentDay] = []
            for n, day in enumerate(days):
                placement = next((p for p in child.placements.values() if p.active_on(day)), None)
                if placement is None or not isinstance(placement.department_id, UUID):
                    raise RuleViolationError(
                        f"child {child_id} has no placement on {day}", field="first_day"
                    )
                assert isinstance(placement.unit_id, UUID)
                dd = self._department_day(placement.department_id, placement.unit_id, day)
                day_submission = submission_id if n == 0 else _derived(submission_id, day)
                outcome = dd.report_absence(
                    day_submission, child_id, reported_by, absence_kind, reason
                )
                outcomes.append(outcome)
                if not outcome.duplicate:
                    changed.append(dd)
            if changed:
                self.save(*changed)
            return outcomes

        return self._retrying(command)  # type: ignore[no-any-return]

    def department_day_events(self, department_id: UUID, day: date) -> Iterator[Any]:
        return self.events.get(department_day_id(department_id, day))


def _derived(submission_id: UUID, day: date) -> UUID:
    """A per-day id derived from the client's id, so a retried range report is a no-op."""
    from uuid import uuid5

    return uuid5(submission_id, day.isoformat())
