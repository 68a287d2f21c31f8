"""Stay schedules (vistelseschema) laid by guardians and decided by staff (issue 4)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from api.app_base import GallraBase


class ScheduleCommands(GallraBase):
    """Stay schedules laid by guardians and decided by staff."""

    def scheduled_minutes(self, child_id: UUID, day: date) -> int | None:
        """Minutes the child's approved schedule plans for ``day``; None without a schedule.

        The night close of a department-day and the kitchen's counts ask this.
        """
        return None
