"""The kiosk's offline sync: batches of check-ins and check-outs placed by their own time,
and the nightly close of check-ins left open (issue 4)."""

from __future__ import annotations

from api.app_base import GallraBase


class KioskSyncCommands(GallraBase):
    """The kiosk's offline sync: batches of check-ins and check-outs placed by their own time,."""
