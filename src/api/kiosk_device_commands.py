"""Pairing and unpairing a department's kiosk, a device and not a person (issue 4)."""

from __future__ import annotations

from api.app_base import GallraBase


class KioskDeviceCommands(GallraBase):
    """Pairing and unpairing a department's kiosk, a device and not a person (issue 4)."""
