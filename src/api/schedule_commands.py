"""Stay schedules (vistelseschema) laid by guardians and decided by staff (issue 4).

Laying checks the placement (förskola or fritidshem, open on the start date), the placement's
maximum hours a week and, for a guardian, the change deadline; a schedule id sent again with
the same terms is a no-op. Approval checks the maximum again, as it may have been set since.
See ``docs/tempus/schedules.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID

from api.app_base import GallraBase
from domain.errors import NotFoundError, RuleViolationError
from domain.people import Child, Placement
from domain.personal import Shredded
from domain.schedule_state import Decision
from domain.schedule_terms import (
    SCHEDULED_FORMS,
    ScheduleTerms,
    Times,
    check_deadline,
    check_weekly_hours_value,
)
from domain.stay_schedule import ScheduleBook, schedule_book_id

MAX_PLAN_DAYS = 93


@dataclass(frozen=True, slots=True)
class Laid:
    schedule_id: UUID
    state: str
    duplicate: bool  # the id was laid before with these very terms: nothing was recorded


@dataclass(frozen=True, slots=True)
class ScheduleView:
    """One schedule and its history; ``terms`` None: culled (it never applies)."""

    schedule_id: UUID
    state: str
    terms: ScheduleTerms | None
    laid_by: UUID | Shredded | None
    laid_at: datetime
    history: tuple[Decision, ...]
    in_force_until: date | None


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What the schedules in force plan on one day; ``minutes`` None: none applies."""

    day: date
    schedule_ids: tuple[UUID, ...]
    times: Times
    minutes: int | None


class ScheduleCommands(GallraBase):
    """Stay schedules laid by guardians and decided by staff."""

    # -- commands --------------------------------------------------------------------------

    def lay_schedule(
        self,
        child_id: UUID,
        schedule_id: UUID,
        terms: ScheduleTerms,
        laid_by: UUID | None,
        *,
        guardian_deadline_days: int | None,
        approve: bool = False,
    ) -> Laid:
        """Lay a schedule for one of the child's placements. A guardian passes the change
        deadline (``settings.schedule_change_deadline_days``); staff pass None, and may lay
        it approved directly."""

        def command() -> Laid:
            child = self._get(Child, child_id, "child")
            book = self._book(child_id) or ScheduleBook.open(child_id)
            existing = book.schedules.get(schedule_id)
            if existing is None:
                _check_placement(child, terms)
                if guardian_deadline_days is not None:
                    today = self.local_day(self.clock())
                    check_deadline(terms.start_date, today, guardian_deadline_days)
                terms.check_weekly_hours(_hours(child, terms.placement_id))
            recorded = book.lay(child_id, schedule_id, terms, laid_by)
            if approve:
                recorded = book.approve(child_id, schedule_id, laid_by) or recorded
            if recorded:
                self.save(book)
            return Laid(schedule_id, book.schedule(schedule_id).state, not recorded)

        return self._retrying(command)  # type: ignore[no-any-return]

    def approve_schedule(self, child_id: UUID, schedule_id: UUID, by: UUID | None) -> str:
        """Approve a requested schedule (``by`` None: an administrator); a retry is a no-op."""

        def command() -> str:
            book = self._existing_book(child_id)
            terms = book.schedule(schedule_id).terms
            if terms is not None:
                child = self._get(Child, child_id, "child")
                terms.check_weekly_hours(_hours(child, terms.placement_id))
            if book.approve(child_id, schedule_id, by):
                self.save(book)
            return str(book.schedule(schedule_id).state)

        return self._retrying(command)  # type: ignore[no-any-return]

    def reject_schedule(
        self, child_id: UUID, schedule_id: UUID, by: UUID | None, reason: str | None = None
    ) -> str:
        def command() -> str:
            book = self._existing_book(child_id)
            if book.reject(child_id, schedule_id, by, reason):
                self.save(book)
            return str(book.schedule(schedule_id).state)

        return self._retrying(command)  # type: ignore[no-any-return]

    def withdraw_schedule(self, child_id: UUID, schedule_id: UUID, by: UUID | None) -> str:
        """A guardian withdraws a schedule not yet decided."""

        def command() -> str:
            book = self._existing_book(child_id)
            if book.withdraw(child_id, schedule_id, by):
                self.save(book)
            return str(book.schedule(schedule_id).state)

        return self._retrying(command)  # type: ignore[no-any-return]

    def set_placement_hours(
        self, child_id: UUID, placement_id: UUID, weekly_hours: int | None
    ) -> bool:
        """Set a placement's maximum hours a week (None: none); False if unchanged.
        Schedules already approved stay; new ones and approvals are checked against it."""
        check_weekly_hours_value(weekly_hours)

        def command() -> bool:
            child = self._get(Child, child_id, "child")
            _placement_of(child, placement_id)
            changed = child.set_placement_hours(placement_id, weekly_hours)
            if changed:
                self.save(child)
            return changed

        return self._retrying(command)  # type: ignore[no-any-return]

    # -- queries ---------------------------------------------------------------------------

    def placement_hours(self, child_id: UUID, placement_id: UUID) -> int | Shredded | None:
        """A placement's maximum hours a week; None: no maximum."""
        child = self._get(Child, child_id, "child")
        _placement_of(child, placement_id)
        return child.placement_hours.get(placement_id)

    def schedule_books(self, child_ids: list[UUID]) -> dict[UUID, ScheduleBook]:
        """The children's schedule books, by child, in one read (a unit's requests)."""
        wanted = {schedule_book_id(c): c for c in child_ids}
        return {wanted[i]: b for i, b in self._get_many(ScheduleBook, list(wanted)).items()}

    def schedules_of(self, child_id: UUID) -> list[ScheduleView]:
        """Every schedule of the child with its history, newest first."""
        self._get(Child, child_id, "child")
        book = self._book(child_id)
        if book is None:
            return []
        views = [
            ScheduleView(
                s.schedule_id,
                str(s.state),
                s.terms,
                s.laid_by,
                s.laid_at,
                tuple(s.history),
                book.in_force_until(s.schedule_id),
            )
            for s in book.schedules.values()
        ]
        return sorted(views, key=lambda v: v.laid_at, reverse=True)

    def scheduled_minutes(self, child_id: UUID, day: date) -> int | None:
        """Minutes the child's approved schedule plans for ``day``; None without a schedule.

        The night close of a department-day and the kitchen's counts ask this.
        """
        return self.schedule_plan(child_id, day, day)[0].minutes

    def scheduled_minutes_of(self, child_ids: list[UUID], day: date) -> dict[UUID, int | None]:
        """``scheduled_minutes`` for many children in two reads (their records and their
        schedule books), not two per child: the night close, the overview and the kitchen
        ask it for a whole department or unit."""
        children = self._get_many(Child, child_ids)
        books = self.schedule_books(list(children))
        return {c: _day_plan(child, books.get(c), day).minutes for c, child in children.items()}

    def scheduled_times(self, child_id: UUID, day: date) -> Times | None:
        """The stretches planned on ``day`` ([]: scheduled off); None without a schedule."""
        plan = self.schedule_plan(child_id, day, day)[0]
        return None if plan.minutes is None else plan.times

    def schedule_plan(self, child_id: UUID, first: date, last: date) -> list[DayPlan]:
        """Day by day, what the schedules in force plan, over at most ``MAX_PLAN_DAYS``."""
        days = (last - first).days + 1
        if not 1 <= days <= MAX_PLAN_DAYS:
            raise RuleViolationError(
                f"a plan covers 1 to {MAX_PLAN_DAYS} days, from first to last", field="to"
            )
        child = self._get(Child, child_id, "child")
        book = self._book(child_id)
        return [
            _day_plan(child, book, date.fromordinal(first.toordinal() + n)) for n in range(days)
        ]

    # -- helpers ---------------------------------------------------------------------------

    def _book(self, child_id: UUID) -> ScheduleBook | None:
        try:
            return self._get(ScheduleBook, schedule_book_id(child_id), "schedule book")
        except NotFoundError:
            return None

    def _existing_book(self, child_id: UUID) -> ScheduleBook:
        book = self._book(child_id)
        if book is None:
            self._get(Child, child_id, "child")  # an unknown child is reported as such
            raise NotFoundError(f"child {child_id} has no schedules", field="schedule_id")
        return book


def _placement_of(child: Child, placement_id: UUID) -> Placement:
    placement = child.placements.get(placement_id)
    if placement is None:
        raise NotFoundError(
            f"child {child.id} has no placement {placement_id}", field="placement_id"
        )
    return placement


def _check_placement(child: Child, terms: ScheduleTerms) -> None:
    placement = _placement_of(child, terms.placement_id)
    if placement.school_form not in SCHEDULED_FORMS:
        raise RuleViolationError(
            f"placement {placement.placement_id} is not in förskola or fritidshem",
            field="placement_id",
        )
    if not placement.active_on(terms.start_date):
        raise RuleViolationError(
            f"placement {placement.placement_id} is not open on the start date",
            field="start_date",
        )


def _hours(child: Child, placement_id: UUID) -> int | None:
    hours = child.placement_hours.get(placement_id)
    return hours if isinstance(hours, int) else None  # a culled maximum no longer binds


def _day_plan(child: Child, book: ScheduleBook | None, day: date) -> DayPlan:
    """Sum over the child's preschool and fritids placements open on the day (normally one);
    a schedule applies only while its placement does."""
    ids: list[UUID] = []
    times: Times = []
    for placement in child.active_placements(day):
        if book is None or placement.school_form not in SCHEDULED_FORMS:
            continue
        found = book.in_force(placement.placement_id, day)
        if found is not None and found.terms is not None:
            ids.append(found.schedule_id)
            times += found.terms.times_on(day)
    times.sort()
    minutes = sum(_minutes(end) - _minutes(start) for start, end in times) if ids else None
    return DayPlan(day, tuple(ids), times, minutes)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
