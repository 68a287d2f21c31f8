"""A shift's times: start and end on one day, breaks within it, a type; checked on creation.

Kept apart from the roster so the rules of one shift read on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from domain.errors import RuleViolationError

MAX_SHIFT_MINUTES = 13 * 60
"""24 h less Arbetstidslagen's 11 h of daily rest (13 §): no one shift may be longer."""
MAX_BREAKS = 6

Break = tuple[time, time]


class ShiftType(StrEnum):
    """Tempus's types of shift (typ av arbetspass)."""

    ORDINARY = "ordinary"  # an ordinary shift with the children
    OPENING = "opening"  # opens the department in the morning
    CLOSING = "closing"  # closes it in the evening
    PLANNING = "planning"  # planning time, away from the children
    ON_CALL = "on-call"  # on call (jour), called in when needed


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _whole(t: time) -> time:
    """Shifts are kept to the minute, in local wall-clock time."""
    return t.replace(second=0, microsecond=0, tzinfo=None)


@dataclass(frozen=True, slots=True)
class ShiftTimes:
    """A shift's start, end (same day, wall clock), breaks and type, checked on creation."""

    start: time
    end: time
    breaks: tuple[Break, ...]
    shift_type: ShiftType

    @classmethod
    def parse(cls, start: time, end: time, breaks: list[Break], shift_type: str) -> ShiftTimes:
        try:
            kind = ShiftType(shift_type)
        except ValueError:
            raise RuleViolationError(
                f"shift_type must be one of {', '.join(ShiftType)}", field="shift_type"
            ) from None
        start, end = _whole(start), _whole(end)
        if end <= start:
            raise RuleViolationError("a shift must end after it starts", field="end")
        if _minutes(end) - _minutes(start) > MAX_SHIFT_MINUTES:
            raise RuleViolationError(
                f"a shift is at most {MAX_SHIFT_MINUTES // 60} hours (11 hours' daily rest)",
                field="end",
            )
        if len(breaks) > MAX_BREAKS:
            raise RuleViolationError(f"at most {MAX_BREAKS} breaks", field="breaks")
        ordered = sorted((_whole(b), _whole(e)) for b, e in breaks)
        previous_end: time | None = None
        for b_start, b_end in ordered:
            if b_end <= b_start:
                raise RuleViolationError("a break must end after it starts", field="breaks")
            if b_start < start or b_end > end:
                raise RuleViolationError("breaks must lie within the shift", field="breaks")
            if previous_end is not None and b_start < previous_end:
                raise RuleViolationError("breaks must not overlap", field="breaks")
            previous_end = b_end
        return cls(start, end, tuple(ordered), kind)

    @property
    def working_minutes(self) -> int:
        paused = sum(_minutes(e) - _minutes(s) for s, e in self.breaks)
        return _minutes(self.end) - _minutes(self.start) - paused

    def overlaps(self, start: time, end: time) -> bool:
        return self.start < end and start < self.end

    def encoded_breaks(self) -> list[list[time]]:
        return [[s, e] for s, e in self.breaks]
