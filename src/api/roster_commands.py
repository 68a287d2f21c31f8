"""Staff shifts per department and day: start, end, breaks, type (issue 4)."""

from __future__ import annotations

from api.app_base import GallraBase


class RosterCommands(GallraBase):
    """Staff shifts per department and day: start, end, breaks, type (issue 4)."""
