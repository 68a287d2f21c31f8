"""The Gallra application: the one command and query surface over the event store.

It returns ids and plain data, never aggregates. Every command either records all its events
in one transaction or none (several aggregates are saved together), and commands a client may
retry are idempotent. Concurrent writers to one stream are retried on version conflicts.
"""

from __future__ import annotations

from api.app_base import Clock, utc_now
from api.attendance_commands import MAX_CLOCK_SKEW, AttendanceCommands
from api.attendance_history import AttendanceHistory
from api.diet_commands import DietCommands
from api.documentation_commands import DocumentationCommands
from api.kiosk_device_commands import KioskDeviceCommands
from api.kiosk_sync_commands import KioskSyncCommands
from api.legal_hold_commands import LegalHoldCommands
from api.lesson_commands import LessonCommands
from api.organisation_commands import OrganisationCommands
from api.people_commands import PeopleCommands
from api.pickup_commands import PickupCommands
from api.plan_history_commands import PlanHistoryCommands
from api.roster_commands import RosterCommands
from api.schedule_commands import ScheduleCommands
from api.staff_commands import StaffCommands
from api.stay_note_commands import StayNoteCommands
from api.transition_commands import TransitionCommands
from api.views import ChildView, PersonView, PlacementView, UnitView


class GallraApplication(
    KioskSyncCommands,
    LegalHoldCommands,
    PlanHistoryCommands,
    ScheduleCommands,
    PickupCommands,
    KioskDeviceCommands,
    RosterCommands,
    DietCommands,
    StayNoteCommands,
    AttendanceHistory,
    AttendanceCommands,
    LessonCommands,
    DocumentationCommands,
    TransitionCommands,
    StaffCommands,
    PeopleCommands,
    OrganisationCommands,
):
    """Every command and query of Gallra, gathered from the mixins by concern."""

    name = "gallra"


__all__ = [
    "MAX_CLOCK_SKEW",
    "ChildView",
    "Clock",
    "GallraApplication",
    "PersonView",
    "PlacementView",
    "UnitView",
    "utc_now",
]
