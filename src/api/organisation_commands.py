"""Commands and queries about the organisation tree and its groups."""

from __future__ import annotations

from api.app_base import GallraBase


class OrganisationCommands(GallraBase):
    """The organisation tree (SS 12000 Organisation) and groups (SS 12000 Group)."""
