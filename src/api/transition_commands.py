"""Commands and queries about guardians' consent and the transition archive."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from api.app_base import GallraBase
from domain.errors import RuleViolationError
from domain.notices import Notice, NoticeKind, ReminderRound
from domain.organisation import SchoolForm
from domain.people import Child, Placement
from domain.personal import Shredded
from domain.transition import TransitionArchive


@dataclass(frozen=True)
class ConsentView:
    child_id: UUID
    needed_from: list[UUID]
    given: dict[UUID, bool]
    valid: bool
    guardians_of: frozenset[UUID]  # every responsible adult, to decide who may see this


@dataclass(frozen=True)
class ConsentChange:
    guardian_id: UUID | Shredded
    given: bool
    at: datetime


@dataclass(frozen=True)
class TransferView:
    placement_id: UUID
    from_unit: UUID | Shredded
    to_unit: UUID | Shredded
    on: date | Shredded
    consented_by: list[UUID] | Shredded


def _source(child: Child, target: Placement) -> Placement:
    """The placement the child comes from: the latest other one that started before."""
    if not isinstance(target.start, date):
        raise RuleViolationError("the receiving placement is culled", field="placement_id")
    earlier = [
        p
        for p in child.placements.values()
        if p.placement_id != target.placement_id
        and isinstance(p.start, date)
        and p.start <= target.start
        and isinstance(p.unit_id, UUID)
    ]
    if not earlier:
        raise RuleViolationError(
            "the child has no earlier placement to transfer documentation from",
            field="placement_id",
        )
    return max(earlier, key=lambda p: p.start)  # type: ignore[arg-type, return-value]


class TransitionCommands(GallraBase):
    """Consent (samtycke) in preschool and the transfer of transition documentation."""

    def _consent(self, child: Child) -> ConsentView:
        return ConsentView(
            child.id,
            child.consenters(),
            dict(child.consents),
            child.consent_valid(),
            frozenset(child.guardians),
        )

    def give_consent(self, child_id: UUID, guardian_id: UUID) -> ConsentView:
        return self._change_consent(child_id, guardian_id, give=True)

    def withdraw_consent(self, child_id: UUID, guardian_id: UUID) -> ConsentView:
        return self._change_consent(child_id, guardian_id, give=False)

    def _change_consent(self, child_id: UUID, guardian_id: UUID, *, give: bool) -> ConsentView:
        def command() -> ConsentView:
            child = self._get(Child, child_id, "child")
            today = self.local_day(self.clock())
            if give:
                child.give_consent(guardian_id, today)
            else:
                child.withdraw_consent(guardian_id, today)
            self.save(child)
            return self._consent(child)

        return self._retrying(command)  # type: ignore[no-any-return]

    def get_consent(self, child_id: UUID) -> ConsentView:
        return self._consent(self._get(Child, child_id, "child"))

    def consent_history(self, child_id: UUID) -> list[ConsentChange]:
        """Every consent given or withdrawn, in order: the full history stays for auditors."""
        self._get(Child, child_id, "child")
        changes = []
        for e in self.repository.event_store.get(child_id):
            if isinstance(e, TransitionArchive.ConsentGiven | TransitionArchive.ConsentWithdrawn):
                given = isinstance(e, TransitionArchive.ConsentGiven)
                changes.append(ConsentChange(e.guardian_id, given, e.timestamp))
        return changes

    def transfer_documentation(self, child_id: UUID, placement_id: UUID) -> TransferView:
        """Transfer the transition documentation of the child's previous unit to the unit of
        ``placement_id``; from preschool it needs valid consent at this moment."""

        def command() -> TransferView:
            child = self._get(Child, child_id, "child")
            target = child._placement(placement_id)
            source = _source(child, target)
            if not isinstance(target.unit_id, UUID) or not isinstance(target.start, date):
                raise RuleViolationError("the receiving placement is culled", field="placement_id")
            assert isinstance(source.unit_id, UUID)  # _source picks readable ones only
            form = source.school_form if isinstance(source.school_form, str) else None
            done = child.transfer_documentation(
                source.unit_id, form, placement_id, target.unit_id, target.start
            )
            self.save(child)
            return TransferView(
                done.placement_id, done.from_unit, done.to_unit, done.on, done.consented_by
            )

        return self._retrying(command)  # type: ignore[no-any-return]

    def archive_sources(self, child_id: UUID, units: frozenset[UUID]) -> frozenset[UUID]:
        """The units whose transition documentation is held at any of ``units``."""
        child = self._get(Child, child_id, "child")
        return frozenset().union(*(child.archive_sources(u) for u in units))

    # -- reminders -------------------------------------------------------------------------

    def consent_reminders_done(self, on: date) -> bool:
        return self._exists(self.keystore.derived_id("consent-round", school_year(on)))

    def queue_consent_reminders(self, children: Iterable[UUID], on: date) -> int:
        """Queue, for every responsible adult of every child in preschool on ``on``, a
        reminder of their consent choices for the coming school year; returns how many were
        queued now. Safe to repeat: each reminder's id is derived from adult, child and year."""
        year = school_year(on)
        queued = seen = 0
        for child_id in children:
            child = self._get(Child, child_id, "child")
            if not any(p.school_form == SchoolForm.FORSKOLA for p in child.active_placements(on)):
                continue
            seen += 1
            notices = []
            for adult in sorted(child.guardians):
                notice_id = self.keystore.derived_id("consent-reminder", adult, child_id, year)
                if self._exists(notice_id):
                    continue
                notices.append(
                    Notice(
                        id=notice_id,
                        kind=NoticeKind.CONSENT_REMINDER,
                        category="consent",
                        subject_id=child_id,
                        day=on,
                        recipients=[adult],
                        details={
                            "school_year": year,
                            "consent_given": child.consents.get(adult, False),
                            "consent_valid": child.consent_valid(),
                        },
                    )
                )
            if notices:
                self.save(*notices)
                queued += len(notices)
        round_id = self.keystore.derived_id("consent-round", year)
        if not self._exists(round_id):
            self.save(ReminderRound(id=round_id, school_year=year, children=seen, notices=queued))
        return queued


def school_year(on: date) -> str:
    """The school year (läsår) a date falls in or leads up to: from July, the coming one."""
    start = on.year if on.month >= 7 else on.year - 1
    return f"{start}/{start + 1}"
