"""Commands and queries about lessons and per-lesson attendance in school."""

from __future__ import annotations

from api.app_base import GallraBase


class LessonCommands(GallraBase):
    """Lessons (SS 12000 CalendarEvent) and per-student attendance (SS 12000 Attendance)."""
