"""What the law asks of a student's attendance beyond the day: following up repeated or long
absence (skollagen 7 kap 19 a §) and the term's compiled invalid absence.

Thresholds are per school unit, with defaults (ADR 0014) when a unit has set none. The flags
are computed from per-lesson figures only, so this module needs no store. A term summary is an
aggregate of its own, because it must outlive the per-lesson detail it was compiled from: the
seed says "Sammanställd ogiltig frånvaro från en termin kan komma att bevaras på
betygsdokument", while the detail is culled after three years.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Annotated, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, RuleViolationError
from domain.personal import Category, Personal, Shredded, ValueOf

# A summary is sealed per student and term under a category of its own, so the plan can keep
# it with the grade documents after the per-lesson detail is culled.
_SUMMARY = Personal(Category.TERM_ABSENCE, subject="student_id", epoch=ValueOf("term"))
_TERM = re.compile(r"^(HT|VT)(\d{4})$")

SHARE, INVALID_DAYS, CONSECUTIVE = "absence-share", "invalid-days", "consecutive-days"
THRESHOLD_LIMITS = {
    "absence_percent": (1, 100),
    "percent_window_days": (1, 366),
    "percent_min_lessons": (1, 1000),
    "invalid_days": (1, 366),
    "window_days": (1, 366),
    "consecutive_days": (1, 366),
}


@dataclass(frozen=True, slots=True)
class AbsenceThresholds:
    """When a student's absence must be looked into; the defaults are ADR 0014's."""

    absence_percent: int = 10  # valid + invalid, of the scheduled minutes ...
    percent_window_days: int = 28  # ... over these days ...
    percent_min_lessons: int = 20  # ... once at least this many lessons were reported
    invalid_days: int = 3  # days with invalid absence ...
    window_days: int = 30  # ... within these days (also the window of the next rule)
    consecutive_days: int = 5  # school days in a row absent from every lesson

    def __post_init__(self) -> None:
        for name, (low, high) in THRESHOLD_LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise RuleViolationError(f"must be a whole number {low} to {high}", field=name)
        for name in ("invalid_days", "consecutive_days"):
            if getattr(self, name) > self.window_days:
                raise RuleViolationError("must not exceed window_days", field=name)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def look_back_days(self) -> int:
        return max(self.percent_window_days, self.window_days)


class LessonFigures(Protocol):
    """One student's report at one lesson, as the read model holds it."""

    @property
    def day(self) -> date: ...
    @property
    def scheduled_minutes(self) -> int: ...
    @property
    def attendance_minutes(self) -> int: ...
    @property
    def valid_absence_minutes(self) -> int: ...
    @property
    def invalid_absence_minutes(self) -> int: ...
    @property
    def other_attendance_minutes(self) -> int: ...


@dataclass(frozen=True, slots=True)
class AbsenceFlag:
    rule: str  # SHARE | INVALID_DAYS | CONSECUTIVE
    since: date
    until: date
    figures: dict[str, int]


def _missed(row: LessonFigures) -> bool:
    present = row.attendance_minutes + row.other_attendance_minutes
    return present == 0 and row.valid_absence_minutes + row.invalid_absence_minutes > 0


def absence_flags(
    rows: Iterable[LessonFigures], as_of: date, t: AbsenceThresholds
) -> list[AbsenceFlag]:
    """The rules one student's reported lessons up to ``as_of`` break; lessons that nobody
    reported are not counted (they are scheduled, but nothing is known of them)."""
    past = [r for r in rows if r.day <= as_of]
    flags: list[AbsenceFlag] = []
    since = as_of - timedelta(days=t.percent_window_days - 1)
    share = [r for r in past if r.day >= since]
    scheduled = sum(r.scheduled_minutes for r in share)
    valid = sum(r.valid_absence_minutes for r in share)
    invalid = sum(r.invalid_absence_minutes for r in share)
    if (
        len(share) >= t.percent_min_lessons
        and scheduled > 0
        and (valid + invalid) * 100 >= t.absence_percent * scheduled
    ):
        figures = {"lessons": len(share), "scheduled_minutes": scheduled}
        figures |= {"absence_minutes": valid + invalid, "valid_absence_minutes": valid}
        figures |= {"invalid_absence_minutes": invalid, "threshold_percent": t.absence_percent}
        flags.append(AbsenceFlag(SHARE, since, as_of, figures))
    since = as_of - timedelta(days=t.window_days - 1)
    recent = [r for r in past if r.day >= since]
    invalid_days = sorted({r.day for r in recent if r.invalid_absence_minutes > 0})
    if len(invalid_days) >= t.invalid_days:
        minutes = sum(r.invalid_absence_minutes for r in recent)
        figures = {"days": len(invalid_days), "invalid_absence_minutes": minutes}
        figures["threshold_days"] = t.invalid_days
        flags.append(AbsenceFlag(INVALID_DAYS, invalid_days[0], invalid_days[-1], figures))
    run = _longest_absent_run(recent)
    if run and len(run) >= t.consecutive_days:
        figures = {"days": len(run), "threshold_days": t.consecutive_days}
        flags.append(AbsenceFlag(CONSECUTIVE, run[0], run[-1], figures))
    return flags


def _longest_absent_run(rows: Sequence[LessonFigures]) -> list[date]:
    """The longest run of the student's school days (days with a reported lesson) on which
    every lesson was missed; days without lessons neither count nor break a run."""
    days: dict[date, bool] = {}
    for r in rows:
        days[r.day] = days.get(r.day, True) and _missed(r)
    best: list[date] = []
    current: list[date] = []
    for day in sorted(days):
        current = [*current, day] if days[day] else []
        if len(current) > len(best):
            best = current
    return best


@dataclass(frozen=True, slots=True)
class Term:
    """A school term: HT from 1 August to 31 December, VT from 1 January to 31 July."""

    code: str
    first: date
    last: date

    @classmethod
    def parse(cls, value: str) -> Term:
        match = _TERM.match(value)
        if match is None or not 2000 <= int(match[2]) <= 2100:
            raise RuleViolationError("a term is HT or VT and a year, e.g. HT2026", field="term")
        return cls._make(match[1] == "HT", int(match[2]))

    @classmethod
    def of(cls, day: date) -> Term:
        return cls._make(day.month >= 8, day.year)

    @classmethod
    def _make(cls, autumn: bool, year: int) -> Term:
        if autumn:
            return cls(f"HT{year}", date(year, 8, 1), date(year, 12, 31))
        return cls(f"VT{year}", date(year, 1, 1), date(year, 7, 31))

    def months(self) -> list[date]:
        """The first day of each month of the term."""
        return [date(self.first.year, m, 1) for m in range(self.first.month, self.last.month + 1)]


class TermSummary(Aggregate):
    """A student's invalid absence in one term; one stream per student and term, its id
    derived under the index key, so compiling twice records once and a recompile with other
    figures is a correction."""

    class Compiled(Aggregate.Created):
        term: str
        compiled_on: date
        student_id: Annotated[UUID | Shredded, _SUMMARY]
        invalid_absence_minutes: Annotated[int | Shredded, _SUMMARY]
        invalid_absence_lessons: Annotated[int | Shredded, _SUMMARY]

    class Corrected(Aggregate.Event):
        term: str
        compiled_on: date
        student_id: Annotated[UUID | Shredded, _SUMMARY]
        invalid_absence_minutes: Annotated[int | Shredded, _SUMMARY]
        invalid_absence_lessons: Annotated[int | Shredded, _SUMMARY]

    @event(Compiled)
    def __init__(
        self,
        id: UUID,  # derived from the student and the term
        term: str,
        compiled_on: date,
        student_id: UUID | Shredded,
        invalid_absence_minutes: int | Shredded,
        invalid_absence_lessons: int | Shredded,
    ) -> None:
        self.term = term
        self.compiled_on = compiled_on
        self.student_id = student_id
        self.invalid_absence_minutes = invalid_absence_minutes
        self.invalid_absence_lessons = invalid_absence_lessons
        self.corrections = 0

    def data_subjects(self) -> list[UUID]:
        """Whose data this is, for the access log: the student, unless culled."""
        return [self.student_id] if isinstance(self.student_id, UUID) else []

    def recompile(self, on: date, minutes: int, lessons: int) -> bool:
        """Record other figures as a correction; the same figures again record nothing."""
        if (self.invalid_absence_minutes, self.invalid_absence_lessons) == (minutes, lessons):
            return False
        if not isinstance(self.student_id, UUID):
            raise ConflictError(f"term summary {self.id} is culled", field="term")
        self._corrected(
            term=self.term,
            compiled_on=on,
            student_id=self.student_id,
            invalid_absence_minutes=minutes,
            invalid_absence_lessons=lessons,
        )
        return True

    @event(Corrected)
    def _corrected(
        self,
        term: str,
        compiled_on: date,
        student_id: UUID | Shredded,
        invalid_absence_minutes: int | Shredded,
        invalid_absence_lessons: int | Shredded,
    ) -> None:
        self.compiled_on = compiled_on
        self.invalid_absence_minutes = invalid_absence_minutes
        self.invalid_absence_lessons = invalid_absence_lessons
        self.corrections += 1
