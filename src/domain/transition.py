"""The transition archive: consent to, and transfer of, a child's transition documentation.

Transition documentation (övergångsdokumentation) follows the child to another school or
school form within the municipality. From preschool it follows only with the guardians'
consent, which can be given and withdrawn at any time (the seed: "Utan samtycke sker ingen
överföring"). Gallra's reading of "the guardians": every guardian with custody must consent,
because deciding where a child's records go is a decision of custody that joint custodians
take together; a withdrawal by any one of them makes the consent invalid at once. A child with
no guardian with custody is consented for by its other responsible adults, all of them.

These events live in the child's own stream (``Child`` mixes this class in), sealed: consents
under the child's consent scope for the month they were given or withdrawn (so old consents
can be culled while the child keeps consenting), transfers under the receiving placement's
scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import SchoolForm
from domain.personal import Category, MonthOf, OwnStreamEvent, Personal, Shredded, ValueOf

_CONSENT = Personal(Category.CONSENT, epoch=MonthOf("on"))
_TRANSFER = Personal(Category.PLACEMENT, epoch=ValueOf("placement_id"))
GUARDIAN_WITH_CUSTODY = "Vårdnadshavare"


@dataclass(frozen=True, slots=True)
class Transfer:
    placement_id: UUID  # the receiving placement
    from_unit: UUID | Shredded
    to_unit: UUID | Shredded
    on: date | Shredded
    consented_by: list[UUID] | Shredded  # empty when it followed without consent (school age)


class TransitionArchive(Aggregate):
    """Consent and transfer; mixed into ``Child``, whose guardians and placements it reads."""

    Event = OwnStreamEvent  # one person's own stream: no readable record time (ADR 0023)

    guardians: dict[UUID, str | Shredded]

    class ConsentGiven(Aggregate.Event):
        guardian_id: Annotated[UUID | Shredded, _CONSENT]
        on: Annotated[date | Shredded, _CONSENT]

    class ConsentWithdrawn(Aggregate.Event):
        guardian_id: Annotated[UUID | Shredded, _CONSENT]
        on: Annotated[date | Shredded, _CONSENT]

    class DocumentationTransferred(Aggregate.Event):
        placement_id: UUID
        from_unit: Annotated[UUID | Shredded, _TRANSFER]
        to_unit: Annotated[UUID | Shredded, _TRANSFER]
        on: Annotated[date | Shredded, _TRANSFER]
        consented_by: Annotated[list[UUID] | Shredded, _TRANSFER]

    def _archive_init(self) -> None:
        self.consents: dict[UUID, bool] = {}
        self.culled_consents = 0
        self.transfers: list[Transfer] = []

    # -- consent ---------------------------------------------------------------------------

    def consenters(self) -> list[UUID]:
        """Whose consent is needed: every guardian with custody, else every responsible adult."""
        custody = [g for g, r in self.guardians.items() if r == GUARDIAN_WITH_CUSTODY]
        return sorted(custody or self.guardians)

    def consent_valid(self) -> bool:
        needed = self.consenters()
        return bool(needed) and all(self.consents.get(g, False) for g in needed)

    def _check_responsible(self, guardian_id: UUID) -> None:
        if guardian_id not in self.guardians:
            raise NotFoundError(
                f"person {guardian_id} is not responsible for child {self.id}",
                field="guardian_id",
            )

    def give_consent(self, guardian_id: UUID, on: date) -> None:
        self._check_responsible(guardian_id)
        if not self.consents.get(guardian_id, False):  # giving it again changes nothing
            self._consent_given(guardian_id=guardian_id, on=on)

    @event(ConsentGiven)
    def _consent_given(self, guardian_id: UUID | Shredded, on: date | Shredded) -> None:
        if isinstance(guardian_id, Shredded):
            self.culled_consents += 1
        else:
            self.consents[guardian_id] = True

    def withdraw_consent(self, guardian_id: UUID, on: date) -> None:
        self._check_responsible(guardian_id)
        if self.consents.get(guardian_id, False):
            self._consent_withdrawn(guardian_id=guardian_id, on=on)

    @event(ConsentWithdrawn)
    def _consent_withdrawn(self, guardian_id: UUID | Shredded, on: date | Shredded) -> None:
        if isinstance(guardian_id, Shredded):
            self.culled_consents += 1
        else:
            self.consents[guardian_id] = False

    # -- transfer --------------------------------------------------------------------------

    def transfer_documentation(
        self, from_unit: UUID, from_form: str | None, placement_id: UUID, to_unit: UUID, on: date
    ) -> Transfer:
        """Let the receiving placement's unit see the transition documentation of
        ``from_unit``. From preschool it needs valid consent now; from school age it follows
        the student. Transferring the same archive again is a retry and changes nothing."""
        if from_unit == to_unit:
            raise RuleViolationError("the documentation is already at that unit", field="unit_id")
        for done in self.transfers:
            if (done.from_unit, done.to_unit, done.placement_id) == (
                from_unit,
                to_unit,
                placement_id,
            ):
                return done
        consented: list[UUID] = []
        if from_form in (None, SchoolForm.FORSKOLA):
            if not self.consent_valid():
                raise ConflictError(
                    f"child {self.id}: no valid consent from every guardian with custody, so "
                    "the preschool's transition documentation is not transferred",
                    field="consent",
                )
            consented = self.consenters()
        self._transferred(
            placement_id=placement_id,
            from_unit=from_unit,
            to_unit=to_unit,
            on=on,
            consented_by=consented,
        )
        return self.transfers[-1]

    @event(DocumentationTransferred)
    def _transferred(
        self,
        placement_id: UUID,
        from_unit: UUID | Shredded,
        to_unit: UUID | Shredded,
        on: date | Shredded,
        consented_by: list[UUID] | Shredded,
    ) -> None:
        self.transfers.append(Transfer(placement_id, from_unit, to_unit, on, consented_by))

    def archive_sources(self, unit_id: UUID) -> frozenset[UUID]:
        """The units whose transition documentation ``unit_id`` holds, directly or through a
        chain of transfers (förskola -> förskoleklass -> grundskola)."""
        found: set[UUID] = set()
        frontier = {unit_id}
        while frontier:
            step = {
                t.from_unit
                for t in self.transfers
                if t.to_unit in frontier and isinstance(t.from_unit, UUID)
            }
            frontier = step - found - {unit_id}
            found |= step
        found.discard(unit_id)
        return frozenset(found)
