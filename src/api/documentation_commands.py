"""Commands and queries about student documentation entries and their versions."""

from __future__ import annotations

from api.app_base import GallraBase


class DocumentationCommands(GallraBase):
    """Student documentation (elevdokumentation) with full version history."""
