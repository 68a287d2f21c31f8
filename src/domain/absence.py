"""Absence on a department-day: its kinds, and reporting and cancelling it.

The events themselves are ``DepartmentDay.AbsenceReported`` and ``AbsenceCancelled`` (their
topics name the department-day); this mixin holds the commands, so the department-day's
module keeps to the kiosk's facts. The kind is readable (the statistics count absence by
type); the free-text reason is sealed as health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from domain.attendance_facts import Derived, Outcome
from domain.errors import ConflictError
from domain.personal import Shredded

if TYPE_CHECKING:
    from domain.attendance import Content

UNKNOWN_KIND = "unknown"  # an absence whose kind was culled before it became readable


class AbsenceKind(StrEnum):
    """SS 12000 distinguishes reported absence from granted leave; Tempus adds 'other'."""

    SICK = "sick"
    LEAVE = "leave"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Absence:
    submission_id: UUID
    kind: str
    counted: bool  # counted the child among the day's children
    reason: str | Shredded | None = None  # for the child's own history, never a statistic


_KIND_VALUES = frozenset(str(k) for k in AbsenceKind)


def kind_of(kind: object) -> str:
    """An absence kind for counting: a culled or unknown one counts as 'unknown'."""
    return kind if isinstance(kind, str) and kind in _KIND_VALUES else UNKNOWN_KIND


class _Day(Protocol):
    """What the absence commands need of the department-day."""

    day: date
    absences: dict[UUID, Absence]

    @property
    def AbsenceReported(self) -> Any: ...

    @property
    def AbsenceCancelled(self) -> Any: ...

    def _seen(self, submission_id: UUID, content: Content) -> bool: ...

    def derived(self, child_id: UUID) -> Derived: ...

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...


class AbsenceDesk:
    """Reporting and cancelling a child's absence for the day (mixed into DepartmentDay)."""

    def report_absence(
        self: _Day,
        submission_id: UUID,
        child_id: UUID,
        reported_by: UUID,
        kind: AbsenceKind,
        reason: str | None,
    ) -> Outcome:
        if self._seen(submission_id, ("absence", child_id, None, None)):
            return Outcome(submission_id, duplicate=True)
        if child_id in self.absences:
            raise ConflictError(
                f"child {child_id} is already reported absent on {self.day}", field="child_id"
            )
        self.trigger_event(
            self.AbsenceReported,
            submission_id=submission_id,
            day=self.day,
            first_of_day=self.derived(child_id).totals.present_children == 0,
            kind=str(kind),
            child_id=child_id,
            reported_by=reported_by,
            reason=reason,
        )
        return Outcome(submission_id, duplicate=False)

    def cancel_absence(
        self: _Day,
        child_id: UUID,
        cancelled_by: UUID,
        submission_ids: frozenset[UUID] | None = None,
    ) -> bool:
        """Cancel the child's absence (only if it was reported under one of
        ``submission_ids``, when given); nothing to cancel is a no-op."""
        absence = self.absences.get(child_id)
        if absence is None:
            return False
        if submission_ids is not None and absence.submission_id not in submission_ids:
            return False
        self.trigger_event(
            self.AbsenceCancelled,
            cancels=absence.submission_id,
            day=self.day,
            kind=absence.kind,
            counted=absence.counted,
            child_id=child_id,
            cancelled_by=cancelled_by,
        )
        return True
