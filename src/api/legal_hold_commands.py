"""Legal holds: place, lift and list them (issue 5). Gallring reads them through
``standing_holds`` and leaves every scope of a held subject alone."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api import access_log
from api.app_base import GallraBase
from domain.errors import NotFoundError
from domain.legal_hold import REGISTRY_ID, Hold, LegalHolds


class LegalHoldCommands(GallraBase):
    """Holds on subjects' data, kept in one registry stream."""

    def place_hold(
        self,
        hold_id: UUID,
        subject_id: UUID,
        reason: str,
        placed_by: str,
        until: date | None = None,
    ) -> bool:
        """Pause culling of everything held about ``subject_id``; the client chooses the hold
        id, so a retry is a no-op. False if this hold was placed already."""
        if not self.keystore.scopes(subject=subject_id):
            raise NotFoundError(
                f"no personal data is held for subject {subject_id}", field="subject_id"
            )
        today = self.local_day(self.clock())

        def command() -> bool:
            registry = self._registry() or LegalHolds.open()
            placed = registry.place(hold_id, subject_id, today, until, placed_by, reason)
            if placed:
                self.save(registry)
            return placed

        return self._retrying(command)  # type: ignore[no-any-return]

    def lift_hold(self, hold_id: UUID, lifted_by: str) -> bool:
        """Lift a hold from today on; False if it was lifted already."""
        today = self.local_day(self.clock())

        def command() -> bool:
            registry = self._registry()
            if registry is None:
                raise NotFoundError(f"no legal hold with id {hold_id}", field="hold_id")
            lifted = registry.lift(hold_id, today, lifted_by)
            if lifted:
                self.save(registry)
            return lifted

        return self._retrying(command)  # type: ignore[no-any-return]

    def legal_holds(self) -> list[Hold]:
        """Every hold ever placed, lifted ones too, oldest first."""
        registry = self._registry()
        if registry is None:
            return []
        access_log.note(registry)  # the reasons are read: every held subject is logged
        return sorted(registry.holds.values(), key=lambda h: (h.placed_on, str(h.hold_id)))

    def standing_holds(self, day: date) -> dict[UUID, list[Hold]]:
        """Subject -> the holds that pause its culling on ``day``."""
        registry = self._registry()
        return {} if registry is None else registry.standing(day)

    def _registry(self) -> LegalHolds | None:
        return self._find(LegalHolds, REGISTRY_ID)
