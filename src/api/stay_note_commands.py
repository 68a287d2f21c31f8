"""Calendar events and notes on a child's stay, free text sealed (issue 4)."""

from __future__ import annotations

from api.app_base import GallraBase


class StayNoteCommands(GallraBase):
    """Calendar events and notes on a child's stay, free text sealed (issue 4)."""
