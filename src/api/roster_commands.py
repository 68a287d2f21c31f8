"""Staff shifts per department and day: start, end, breaks, type (issue 4).

Who may plan or read is decided at the API edge; here the rules are about the shift itself:
the department belongs to the unit, the staff member has a duty there on the day, the month is
not culled, and the roster's own rules (times, breaks, no overlap, 13 hours at most).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from uuid import UUID

from api.app_base import GallraBase
from domain.errors import NotFoundError, RuleViolationError
from domain.organisation import Unit
from domain.personal import Category, Shredded
from domain.roster import Break, DepartmentRoster, Shift, ShiftTimes, month_of, roster_id
from domain.staff import Staff
from retention.errors import ScopeShreddedError

PLANNED, CHANGED, UNCHANGED = "planned", "changed", "unchanged"


@dataclass(frozen=True)
class ShiftView:
    shift_id: UUID
    department_id: UUID
    unit_id: UUID
    day: date
    working_minutes: int | Shredded
    staff_id: UUID | Shredded
    start: time | Shredded
    end: time | Shredded
    breaks: tuple[Break, ...] | Shredded
    shift_type: str | Shredded


def _view(roster: DepartmentRoster, s: Shift) -> ShiftView:
    return ShiftView(
        s.shift_id,
        roster.department_id,
        roster.unit_id,
        s.day,
        s.working_minutes,
        s.staff_id,
        s.start,
        s.end,
        s.breaks,
        s.shift_type,
    )


class RosterCommands(GallraBase):
    """Staff shifts per department and day: start, end, breaks, type (issue 4)."""

    def put_shift(
        self,
        *,
        department_id: UUID,
        unit_id: UUID,
        shift_id: UUID,
        staff_id: UUID,
        day: date,
        start: time,
        end: time,
        breaks: list[Break],
        shift_type: str,
    ) -> str:
        """Plan a shift under a client-chosen id, or change its times, breaks or type: one
        command for a PUT. Answers planned, changed or unchanged (a retry records nothing)."""
        times = ShiftTimes.parse(start, end, breaks, shift_type)
        month = month_of(day)
        self._refuse_culled_shifts(month)
        unit = self._get(Unit, unit_id, "unit")
        if department_id not in unit.departments:
            raise NotFoundError(f"no department with id {department_id}", field="department_id")
        self._check_on_duty(staff_id, unit_id, day)

        def command() -> str:
            roster = self._roster(department_id, month) or DepartmentRoster.open(
                department_id, unit_id, month
            )
            if shift_id in roster.shifts:
                outcome = CHANGED if roster.change(shift_id, staff_id, day, times) else UNCHANGED
            else:
                outcome = PLANNED if roster.plan(shift_id, staff_id, day, times) else UNCHANGED
            if roster.pending_events:
                self.save(roster)
            return outcome

        return self._retrying(command)  # type: ignore[no-any-return]

    def cancel_shift(self, department_id: UUID, month: str, shift_id: UUID) -> bool:
        """Cancel a shift; False if it already was (a retried cancel records nothing)."""

        def command() -> bool:
            roster = self._roster(department_id, month)
            if roster is None:
                raise NotFoundError(f"no shift with id {shift_id}", field="shift_id")
            cancelled = roster.cancel(shift_id)
            if cancelled:
                self.save(roster)
            return cancelled

        return self._retrying(command)  # type: ignore[no-any-return]

    def roster_shifts(self, department_id: UUID, month: str) -> list[ShiftView]:
        """The department's shifts of the month, not cancelled, by day and start."""
        roster = self._roster(department_id, month)
        if roster is None:
            return []
        return [_view(roster, s) for s in roster.live_shifts()]

    # -- helpers ---------------------------------------------------------------------------

    def _roster(self, department_id: UUID, month: str) -> DepartmentRoster | None:
        return self._find(DepartmentRoster, roster_id(department_id, month))

    def _check_on_duty(self, staff_id: UUID, unit_id: UUID, day: date) -> None:
        try:
            staff = self._get(Staff, staff_id, "staff member")
        except NotFoundError as e:
            raise NotFoundError(str(e), field="staff_id") from None
        if not any(d.unit_id == unit_id and d.active_on(day) for d in staff.duties.values()):
            raise RuleViolationError(
                f"staff member {staff_id} has no duty at unit {unit_id} on {day}",
                field="staff_id",
            )

    def _refuse_culled_shifts(self, month: str) -> None:
        """A month whose shifts the plan has culled takes no new ones."""
        rule = None if self.plan is None else self.plan.rule_for(Category.STAFF_SCHEDULE)
        if rule is not None and rule.is_due(month, self.local_day(self.clock())):
            raise ScopeShreddedError(str(Category.STAFF_SCHEDULE), month)
