"""Attendance on a preschool/fritids department, one stream per department and day.

Why per department-day: check-ins are the highest-volume personal facts, and what survives
culling must not link one child over time. The stream's own id and its plaintext (department,
day, minutes present, a first-of-day flag) say nothing about who; the child reference, the
exact times and who dropped off or picked up are sealed under the child's attendance scope for
that month, and the absence reason under the child's health scope for that month.

Kiosk submissions carry a client id; a retry with the same id and content is a no-op, the same
id with other content is refused. The ids are random, so they link nothing either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, RuleViolationError, SubmissionMismatchError
from domain.personal import Category, MonthOf, Personal, Shredded

_ATT = Personal(Category.ATTENDANCE, subject="child_id", epoch=MonthOf("day"))
_HEALTH = Personal(Category.HEALTH, subject="child_id", epoch=MonthOf("day"))
_NAMESPACE = uuid5(NAMESPACE_URL, "https://gallra.example/department-day")


class AbsenceKind(StrEnum):
    """SS 12000 distinguishes reported absence from granted leave; Tempus adds 'other'."""

    SICK = "sick"
    LEAVE = "leave"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a kiosk or absence submission did: recorded now, or already recorded earlier."""

    submission_id: UUID
    duplicate: bool
    minutes: int | None = None


def department_day_id(department_id: UUID, day: date) -> UUID:
    """Derived from non-personal values only, so anyone can find the day's stream."""
    return uuid5(_NAMESPACE, f"{department_id}/{day.isoformat()}")


class DepartmentDay(Aggregate):
    class Opened(Aggregate.Created):
        department_id: UUID
        unit_id: UUID
        day: date

    class CheckedIn(Aggregate.Event):
        submission_id: UUID
        day: date
        first_of_day: bool
        child_id: Annotated[UUID | Shredded, _ATT]
        at: Annotated[datetime | Shredded, _ATT]
        by: Annotated[UUID | Shredded | None, _ATT]

    class CheckedOut(Aggregate.Event):
        submission_id: UUID
        day: date
        minutes: int
        child_id: Annotated[UUID | Shredded, _ATT]
        at: Annotated[datetime | Shredded, _ATT]
        by: Annotated[UUID | Shredded | None, _ATT]

    class AbsenceReported(Aggregate.Event):
        submission_id: UUID
        day: date
        first_of_day: bool
        child_id: Annotated[UUID | Shredded, _ATT]
        reported_by: Annotated[UUID | Shredded, _ATT]
        kind: Annotated[str | Shredded, _HEALTH]
        reason: Annotated[str | Shredded | None, _HEALTH]

    @classmethod
    def open(cls, department_id: UUID, unit_id: UUID, day: date) -> DepartmentDay:
        return cls._create(
            cls.Opened,
            id=department_day_id(department_id, day),
            department_id=department_id,
            unit_id=unit_id,
            day=day,
        )

    @event(Opened)
    def __init__(self, department_id: UUID, unit_id: UUID, day: date) -> None:
        self.department_id = department_id
        self.unit_id = unit_id
        self.day = day
        self.present: dict[UUID, datetime] = {}
        self.seen_children: set[UUID] = set()
        self.absent: set[UUID] = set()
        self.submissions: dict[UUID, tuple[str, UUID | Shredded, int | None]] = {}

    # -- idempotency -----------------------------------------------------------------------

    def _replay(self, submission_id: UUID, kind: str, child_id: UUID) -> Outcome | None:
        earlier = self.submissions.get(submission_id)
        if earlier is None:
            return None
        if earlier[0] != kind or earlier[1] != child_id:
            raise SubmissionMismatchError(
                f"submission {submission_id} was already used for another {earlier[0]}",
                field="submission_id",
            )
        return Outcome(submission_id, duplicate=True, minutes=earlier[2])

    # -- commands --------------------------------------------------------------------------

    def check_in(
        self, submission_id: UUID, child_id: UUID, at: datetime, by: UUID | None
    ) -> Outcome:
        if (done := self._replay(submission_id, "check-in", child_id)) is not None:
            return done
        if child_id in self.present:
            raise ConflictError(f"child {child_id} is already checked in", field="child_id")
        self._check_in(
            submission_id=submission_id,
            day=self.day,
            first_of_day=child_id not in self.seen_children,
            child_id=child_id,
            at=at,
            by=by,
        )
        return Outcome(submission_id, duplicate=False)

    @event(CheckedIn)
    def _check_in(
        self,
        submission_id: UUID,
        day: date,
        first_of_day: bool,
        child_id: UUID | Shredded,
        at: datetime | Shredded,
        by: UUID | Shredded | None,
    ) -> None:
        self.submissions[submission_id] = ("check-in", child_id, None)
        if isinstance(child_id, UUID) and isinstance(at, datetime):
            self.present[child_id] = at
            self.seen_children.add(child_id)

    def check_out(
        self, submission_id: UUID, child_id: UUID, at: datetime, by: UUID | None
    ) -> Outcome:
        if (done := self._replay(submission_id, "check-out", child_id)) is not None:
            return done
        since = self.present.get(child_id)
        if since is None:
            raise ConflictError(
                f"child {child_id} is not checked in on this department today", field="child_id"
            )
        if at < since:
            raise RuleViolationError("check-out cannot be before the check-in", field="at")
        minutes = math.floor((at - since).total_seconds() / 60)
        self._check_out(
            submission_id=submission_id,
            day=self.day,
            minutes=minutes,
            child_id=child_id,
            at=at,
            by=by,
        )
        return Outcome(submission_id, duplicate=False, minutes=minutes)

    @event(CheckedOut)
    def _check_out(
        self,
        submission_id: UUID,
        day: date,
        minutes: int,
        child_id: UUID | Shredded,
        at: datetime | Shredded,
        by: UUID | Shredded | None,
    ) -> None:
        self.submissions[submission_id] = ("check-out", child_id, minutes)
        if isinstance(child_id, UUID):
            self.present.pop(child_id, None)

    def report_absence(
        self,
        submission_id: UUID,
        child_id: UUID,
        reported_by: UUID,
        kind: AbsenceKind,
        reason: str | None,
    ) -> Outcome:
        if (done := self._replay(submission_id, "absence", child_id)) is not None:
            return done
        if child_id in self.absent:
            raise ConflictError(
                f"child {child_id} is already reported absent on {self.day}", field="child_id"
            )
        self._report_absence(
            submission_id=submission_id,
            day=self.day,
            first_of_day=child_id not in self.seen_children,
            child_id=child_id,
            reported_by=reported_by,
            kind=str(kind),
            reason=reason,
        )
        return Outcome(submission_id, duplicate=False)

    @event(AbsenceReported)
    def _report_absence(
        self,
        submission_id: UUID,
        day: date,
        first_of_day: bool,
        child_id: UUID | Shredded,
        reported_by: UUID | Shredded,
        kind: str | Shredded,
        reason: str | Shredded | None,
    ) -> None:
        self.submissions[submission_id] = ("absence", child_id, None)
        if isinstance(child_id, UUID):
            self.absent.add(child_id)
            self.seen_children.add(child_id)
