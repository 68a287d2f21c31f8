"""Swedish civic numbers (personnummer, samordningsnummer, SS 12000 temporary numbers).

A civic number is the most sensitive identifier the system holds, so this value object is built
to keep it out of places it does not belong: ``repr``/``str`` are redacted and error messages
state a reason, never the number. Checksums and coordination-number rules come from the
``personnummer`` package rather than a hand-written Luhn check, so there is one implementation
of those rules to trust.

The century of a ten-digit number is resolved here from ``today`` (which callers and tests can
pin) instead of by the library, which always reads the system clock. The separator means what
Skatteverket says it means: ``-`` (or none) for someone who has not yet turned 100 on ``today``,
``+`` for someone who has. The resolved twelve-digit form is then validated by the library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from personnummer import personnummer as _personnummer


class CivicNumberKind(StrEnum):
    """What issued the number: Skatteverket (the first two) or the school's own register."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    TEMPORARY = "temporary"


class InvalidCivicNumber(ValueError):
    """A string that is not a civic number.

    The message and ``reason`` name what is wrong and never carry any part of the input, because
    exception texts end up in logs and API responses, where personal data must not go. For the
    same reason the exception is always raised outside the library's ``except`` block, so no
    chained exception (whose message does quote the input) travels with it.
    """

    reason: str

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[type[InvalidCivicNumber], tuple[str, str]]:
        # Keep the exception picklable (e.g. across worker processes) despite the extra argument.
        return (type(self), (str(self), self.reason))


FORMAT: Final = "format"
CHECKSUM: Final = "checksum"
DATE: Final = "date"
FUTURE: Final = "future"

_FORMAT_MESSAGE: Final = (
    "civic number must be ten or twelve digits, optionally with - or + before the last four"
)
_TEMPORARY_FORMAT_MESSAGE: Final = (
    "temporary number must be YYYYMMDD followed by two letters and two digits"
)

# ASCII only: ``\d`` would also accept digits from other scripts, which int() happily converts.
_SHORT: Final = re.compile(r"([0-9]{6})([-+]?)([0-9]{4})")
_LONG: Final = re.compile(r"([0-9]{8})-?([0-9]{4})")
_TEMPORARY: Final = re.compile(r"([0-9]{8})([A-Za-z]{2})([0-9]{2})")
_CANONICAL_NUMBER: Final = re.compile(r"[0-9]{12}")
_CANONICAL_TEMPORARY: Final = re.compile(r"[0-9]{8}[A-Z]{2}[0-9]{2}")
_HAS_LETTER: Final = re.compile(r"[A-Za-z]")

_COORDINATION_DAY_OFFSET: Final = 60


@dataclass(frozen=True, slots=True, repr=False)
class CivicNumber:
    """A validated civic number in normalised twelve-character form.

    ``value`` is ``YYYYMMDDNNNC`` for personnummer and samordningsnummer (the day of a
    samordningsnummer keeps its +60) and ``YYYYMMDD`` + two upper-case letters + two digits for
    temporary numbers. ``repr`` and ``str`` are redacted so that a number interpolated into a
    log line, an f-string or an assertion message does not leak; read ``value`` explicitly when
    the number itself is needed.
    """

    value: str
    kind: CivicNumberKind

    def __post_init__(self) -> None:
        # Direct construction must not bypass validation: the value object is always valid.
        kind, _ = _check_canonical(self.value)
        if kind is not self.kind:
            raise InvalidCivicNumber("civic number kind does not match its value", FORMAT)

    def __repr__(self) -> str:
        return f"CivicNumber(<{self.kind.value}, redacted>)"

    def __str__(self) -> str:
        return self.__repr__()

    @property
    def birth_date(self) -> date:
        """The date encoded in the number (for samordningsnummer with the 60 taken off the day)."""
        year, month, day = int(self.value[0:4]), int(self.value[4:6]), int(self.value[6:8])
        if self.kind is CivicNumberKind.SAMORDNINGSNUMMER:
            day -= _COORDINATION_DAY_OFFSET
        return date(year, month, day)

    @classmethod
    def parse(cls, raw: str, *, today: date | None = None) -> CivicNumber:
        """Parse and validate any accepted written form of a civic number.

        Accepted: ``YYMMDD-NNNC``, ``YYMMDDNNNC``, ``YYMMDD+NNNC``, ``YYYYMMDDNNNC``,
        ``YYYYMMDD-NNNC`` and, for temporary numbers, only ``YYYYMMDDLLNN`` (letters in any
        case). Temporary numbers have no short form here because nothing in them says which
        century is meant: the separator convention belongs to Skatteverket's numbers, and a
        school may have written ``-`` out of habit, so guessing could silently attach a record
        to the wrong child. Birth dates after ``today`` (default: the system date) are rejected.
        """
        today = date.today() if today is None else today
        text = raw.strip()

        if match := _SHORT.fullmatch(text):
            yymmdd, separator, last_four = match.groups()
            century = _century(yymmdd, centenarian=separator == "+", today=today)
            candidate = f"{century:02d}{yymmdd}{last_four}"
        elif match := _LONG.fullmatch(text):
            candidate = match.group(1) + match.group(2)
        elif _TEMPORARY.fullmatch(text):
            candidate = text.upper()
        elif _HAS_LETTER.search(text):
            raise InvalidCivicNumber(_TEMPORARY_FORMAT_MESSAGE, FORMAT)
        else:
            raise InvalidCivicNumber(_FORMAT_MESSAGE, FORMAT)

        kind, born = _check_canonical(candidate)
        if born > today:
            raise InvalidCivicNumber("civic number has a birth date in the future", FUTURE)
        return cls(candidate, kind)


def normalise(raw: str) -> str:
    """The normalised twelve-character form of ``raw``; raises :class:`InvalidCivicNumber`.

    A convenience for callers (imports, search boxes) that need the canonical string, e.g. as a
    lookup key, and not the value object.
    """
    return CivicNumber.parse(raw).value


def _century(yymmdd: str, *, centenarian: bool, today: date) -> int:
    """The century of a ten-digit number: the latest birthday on or before ``today`` (``-``), or
    the latest on or before ``today`` a hundred years ago (``+``).

    Compared as (month, day) tuples so that an impossible date is still given a century and is
    then reported as a date error, not a format error. Coordination days compare as real days.
    """
    yy, month, day = int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > _COORDINATION_DAY_OFFSET:
        day -= _COORDINATION_DAY_OFFSET
    base = today.year - 100 if centenarian else today.year
    year = base - (base - yy) % 100
    if year == base and (month, day) > (today.month, today.day):
        year -= 100
    return year // 100


def _check_canonical(candidate: str) -> tuple[CivicNumberKind, date]:
    """Validate a twelve-character canonical form; return its kind and birth date."""
    if _CANONICAL_TEMPORARY.fullmatch(candidate):
        born = _date_or_none(candidate, coordination_allowed=False)
        if born is None:
            raise InvalidCivicNumber("temporary number has an impossible date", DATE)
        return CivicNumberKind.TEMPORARY, born

    if not _CANONICAL_NUMBER.fullmatch(candidate):
        raise InvalidCivicNumber(_FORMAT_MESSAGE, FORMAT)

    # The date is checked here first because the library reports a bad date and a bad check
    # digit with the same exception; what it still rejects after this is the check digit.
    born = _date_or_none(candidate, coordination_allowed=True)
    if born is None:
        raise InvalidCivicNumber("civic number has an impossible date", DATE)

    failure: tuple[str, str] | None = None
    try:
        parsed = _personnummer.parse(candidate)
    except _personnummer.PersonnummerParseException:
        # Our patterns already guarantee the shape; the library additionally refuses serial 000.
        failure = ("civic number has an all-zero serial number, which is never issued", FORMAT)
    except _personnummer.PersonnummerException:
        failure = ("civic number has the wrong check digit", CHECKSUM)
    if failure is not None:
        # Raised outside the except block so the library's exception, whose message quotes the
        # input, is neither the cause nor the context of ours.
        raise InvalidCivicNumber(*failure)

    normalised: str = parsed.format(long_format=True)
    library_date: date = parsed.get_date()
    kind = (
        CivicNumberKind.SAMORDNINGSNUMMER
        if parsed.is_coordination_number()
        else CivicNumberKind.PERSONNUMMER
    )
    if normalised != candidate or library_date != born:  # pragma: no cover - library contract
        raise InvalidCivicNumber("civic number could not be normalised consistently", FORMAT)
    return kind, born


def _date_or_none(candidate: str, *, coordination_allowed: bool) -> date | None:
    year, month, day = int(candidate[0:4]), int(candidate[4:6]), int(candidate[6:8])
    if coordination_allowed and day > _COORDINATION_DAY_OFFSET:
        day -= _COORDINATION_DAY_OFFSET
    try:
        return date(year, month, day)
    except ValueError:
        return None
