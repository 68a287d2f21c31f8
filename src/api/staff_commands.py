"""Commands and queries about staff: registration, duties and group assignments."""

from __future__ import annotations

from api.app_base import GallraBase


class StaffCommands(GallraBase):
    """Staff members (SS 12000 Person with Duty) and their assignments to groups."""
