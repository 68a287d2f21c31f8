"""Pick-up persons (hämtare) a guardian names for a child (issue 4)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.app_base import GallraBase


class PickupCommands(GallraBase):
    """Pick-up persons a guardian names for a child."""

    def pickup_person_ids(self, child_id: UUID, day: date) -> frozenset[UUID]:
        """The pick-up persons who may fetch the child on ``day`` (the kiosk's ``by``)."""
        return frozenset()
