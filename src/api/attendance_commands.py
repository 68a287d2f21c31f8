"""Commands about attendance at a department: absence reports and their cancelling, the
night's close of a department-day, and reading a day's exceptions. The kiosk's check-ins and
check-outs, online and in batches, are in ``kiosk_sync_commands`` on the same streams.

Every range command is one transaction across its department-days, idempotent on the
client's submission id (a report) or by nature (a cancel, a close).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid5

from api.app_base import GallraBase
from domain.absence import AbsenceKind
from domain.attendance import DepartmentDay, department_day_id
from domain.attendance_facts import Outcome, Rule
from domain.compiled_month import CompiledMonth, compiled_month_id
from domain.errors import RuleViolationError
from domain.people import Child

MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_RANGE_DAYS = 93


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    day: date
    cancelled: bool  # False: there was no absence (left) to cancel that day


@dataclass(frozen=True, slots=True)
class DayException:
    """A fact staff should look at: a conflict, or a check-in the night closed."""

    submission_id: UUID
    child_id: UUID
    kind: str
    at: datetime
    rule: Rule


class AttendanceCommands(GallraBase):
    """Absence, the night close and a day's exceptions, by department-day stream."""

    def _department_day(self, department_id: UUID, unit_id: UUID, day: date) -> DepartmentDay:
        found = self._existing_day(department_id, day)
        return found if found is not None else DepartmentDay.open(department_id, unit_id, day)

    def _existing_day(self, department_id: UUID, day: date) -> DepartmentDay | None:
        return self._find(DepartmentDay, department_day_id(department_id, day))

    def _range(self, first_day: date, last_day: date) -> list[date]:
        if last_day < first_day:
            raise RuleViolationError("the last day is before the first", field="last_day")
        if (last_day - first_day).days >= MAX_RANGE_DAYS:
            raise RuleViolationError(
                f"a range covers at most {MAX_RANGE_DAYS} days", field="last_day"
            )
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        for day in days:
            self._refuse_culled(day)
        return days

    # -- absence ---------------------------------------------------------------------------

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
        try:
            absence_kind = AbsenceKind(kind)
        except ValueError:
            raise RuleViolationError(
                f"kind must be one of {', '.join(AbsenceKind)}", field="kind"
            ) from None
        days = self._range(first_day, last_day)
        child = self._get(Child, child_id, "child")

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
                day_submission = submission_id if n == 0 else derived_id(submission_id, day)
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

    def cancel_absence(
        self,
        child_id: UUID,
        cancelled_by: UUID,
        first_day: date,
        last_day: date,
        submission_id: UUID | None = None,
    ) -> list[CancelOutcome]:
        """Cancel the child's absence on each day of a range, in one transaction; with
        ``submission_id``, only the absence that report made. Cancelling again is a no-op."""
        days = self._range(first_day, last_day)
        child = self._get(Child, child_id, "child")

        def command() -> list[CancelOutcome]:
            outcomes: list[CancelOutcome] = []
            changed: list[DepartmentDay] = []
            for day in days:
                ids = None
                if submission_id is not None:
                    ids = frozenset({submission_id, derived_id(submission_id, day)})
                cancelled = False
                for placement in child.placements.values():
                    if not (placement.active_on(day) and isinstance(placement.department_id, UUID)):
                        continue
                    dd = self._existing_day(placement.department_id, day)
                    if dd is not None and dd.cancel_absence(child_id, cancelled_by, ids):
                        changed.append(dd)
                        cancelled = True
                outcomes.append(CancelOutcome(day, cancelled))
            if changed:
                self.save(*changed)
            return outcomes

        return self._retrying(command)  # type: ignore[no-any-return]

    # -- the night close -------------------------------------------------------------------

    def closes_at(self, day: date) -> datetime:
        """The local midnight after ``day``: every fact of the day is before it."""
        return datetime.combine(day + timedelta(days=1), time(0), self.tz).astimezone(UTC)

    def department_days_on(
        self, department_ids: list[UUID], day: date
    ) -> dict[UUID, DepartmentDay]:
        """Each department's day, by department, in one read; a day nothing happened on yet
        is left out."""
        found = self._get_many(DepartmentDay, [department_day_id(d, day) for d in department_ids])
        return {dd.department_id: dd for dd in found.values()}

    def close_department_day(
        self,
        department_id: UUID,
        day: date,
        placed_children: int,
        scheduled_children: int,
        scheduled_minutes: int,
        *,
        unit_id: UUID | None = None,
    ) -> bool:
        """Close a day that is over: open check-ins are closed with zero minutes and flagged,
        and the plan figures recorded. False when already closed, or when there is no
        stream and nobody was scheduled (a day nobody was expected makes no stream)."""
        if day >= self.local_day(self.clock()):
            raise RuleViolationError("only a day that is over can be closed", field="day")
        self._refuse_culled(day)

        def command() -> bool:
            dd = self._existing_day(department_id, day)
            if dd is None:
                if scheduled_children == 0:
                    return False
                if unit_id is None:
                    raise RuleViolationError("a new day needs its unit", field="unit_id")
                dd = DepartmentDay.open(department_id, unit_id, day)
            figures = (placed_children, scheduled_children, scheduled_minutes)
            if not dd.close(self.closes_at(day), *figures):
                return False
            self.save(dd)
            return True

        return self._retrying(command)  # type: ignore[no-any-return]

    # -- reading ---------------------------------------------------------------------------

    def day_exceptions(self, department_id: UUID, day: date) -> list[DayException]:
        """A day's conflicting facts and night-closed check-ins, in time order."""
        dd = self._existing_day(department_id, day)
        if dd is None:
            return []
        found: list[DayException] = []
        for child_id, facts in dd.facts.items():
            derived = dd.derived(child_id)
            for fact in facts:
                rule = derived.conflicts.get(fact.submission_id)
                if rule is None and fact.submission_id in derived.flagged:
                    rule = Rule.CLOSED_BY_NIGHT
                if rule is not None:
                    found.append(
                        DayException(fact.submission_id, child_id, str(fact.kind), fact.at, rule)
                    )
        return sorted(found, key=lambda e: (e.at, str(e.submission_id)))

    def department_day(self, department_id: UUID, day: date) -> DepartmentDay | None:
        return self._existing_day(department_id, day)

    def compile_month(
        self,
        sheet: str,
        month: str,
        days: list[dict[str, Any]],
        unit_days: list[dict[str, Any]] | None = None,
    ) -> bool:
        """Record a month's figures before its sheet is culled (ADR 0022); False if they
        already are (a run resumed after a crash compiles again and finds the first)."""
        if self._find(CompiledMonth, compiled_month_id(sheet, month)) is not None:
            return False
        self.save(CompiledMonth.compile(sheet, month, days, unit_days or []))
        return True

    def department_day_events(self, department_id: UUID, day: date) -> Iterator[Any]:
        return self.events.get(department_day_id(department_id, day))


def derived_id(submission_id: UUID, day: date) -> UUID:
    """A per-day id derived from the client's id, so a retried range report is a no-op."""
    return uuid5(submission_id, day.isoformat())
