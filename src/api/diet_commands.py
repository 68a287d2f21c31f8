"""Diet information per child, sealed as health data; kitchen counts (issue 4)."""

from __future__ import annotations

from api.app_base import GallraBase


class DietCommands(GallraBase):
    """Diet information per child, sealed as health data; kitchen counts (issue 4)."""
