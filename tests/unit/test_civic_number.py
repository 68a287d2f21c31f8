"""Tests for the civic-number value object (personnummer, samordningsnummer, temporary numbers)."""

from __future__ import annotations

import pickle
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from personnummer import personnummer as library

from domain.civic_number import CivicNumber, CivicNumberKind, InvalidCivicNumber, normalise

TODAY = date(2025, 6, 1)  # pinned so century resolution and "future" are deterministic
REAL_TODAY = date.today()


def luhn(digits: str) -> str:
    """The check digit for the nine digits YYMMDDNNN (test fixture helper, not production code)."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def complete(first_eleven: str) -> str:
    """YYYYMMDDNNN -> YYYYMMDDNNNC with a correct check digit (computed over YYMMDDNNN)."""
    assert len(first_eleven) == 11
    return first_eleven + luhn(first_eleven[2:])


def wrong_check(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def parse(raw: str) -> CivicNumber:
    return CivicNumber.parse(raw, today=TODAY)


def rejection(raw: str, *, today: date = TODAY) -> InvalidCivicNumber:
    with pytest.raises(InvalidCivicNumber) as caught:
        CivicNumber.parse(raw, today=today)
    return caught.value


def test_luhn_helper_agrees_with_known_numbers() -> None:
    for known in ("199001010017", "198112289874", "197010632391"):
        assert complete(known[:11]) == known


# --- personnummer -----------------------------------------------------------------------------

GENERATED = complete("20101231123")


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (
            ["19900101-0017", "199001010017", "900101-0017", "9001010017", " 900101-0017\n"],
            "199001010017",
        ),
        (["811228-9874", "8112289874", "198112289874", "19811228-9874"], "198112289874"),
        (
            [GENERATED, f"{GENERATED[:8]}-{GENERATED[8:]}", f"{GENERATED[2:8]}-{GENERATED[8:]}"],
            GENERATED,
        ),
    ],
)
def test_personnummer_forms_normalise_to_the_same_value(forms: list[str], expected: str) -> None:
    parsed = {parse(form) for form in forms}
    assert len(parsed) == 1
    (number,) = parsed
    assert number.value == expected
    assert number.kind is CivicNumberKind.PERSONNUMMER
    assert number.birth_date == date(int(expected[:4]), int(expected[4:6]), int(expected[6:8]))


def test_normalise_returns_the_value() -> None:
    assert normalise("811228-9874") == "198112289874"
    assert normalise("19900101-0017") == "199001010017"


def test_a_short_form_from_this_century() -> None:
    number = parse(complete("20100505111")[2:])
    assert number.value.startswith("2010")


def test_leap_day_short_form() -> None:
    number = parse(complete("20000229123")[2:])
    assert number.birth_date == date(2000, 2, 29)


# --- century of ten-digit forms ---------------------------------------------------------------


def test_plus_separator_means_a_hundred_or_older() -> None:
    number = parse("811228+9874")
    assert number.value == "188112289874"
    assert number.birth_date == date(1881, 12, 28)


def test_plus_separator_gives_the_1900s_for_a_centenarian() -> None:
    value = complete("19200101123")
    number = parse(f"{value[2:8]}+{value[8:]}")
    assert number.value == value


@pytest.mark.parametrize(
    ("born", "separator", "expected_year"),
    [
        ("250601", "-", 2025),  # born today
        ("250602", "-", 1925),  # tomorrow's birthday in 2025 is in the future, so 99 years old
        ("250601", "+", 1925),  # turned 100 today
        ("250602", "+", 1825),  # 1925 would only be 99 today
        ("990101", "-", 1999),
        ("990101", "+", 1899),
    ],
)
def test_century_is_resolved_from_today(born: str, separator: str, expected_year: int) -> None:
    serial = "123"
    check = luhn(born + serial)
    number = parse(f"{born}{separator}{serial}{check}")
    assert number.birth_date.year == expected_year


def test_century_follows_the_given_today() -> None:
    raw = "811228-9874"
    assert CivicNumber.parse(raw, today=date(2025, 1, 1)).value == "198112289874"
    # On 2081-12-27 someone born 1981-12-28 is 99, and 2081-12-28 has not happened yet.
    assert CivicNumber.parse(raw, today=date(2081, 12, 27)).value == "198112289874"
    # From 2081-12-28 on, "-" means the child born that day; the 1981 person would need "+".
    assert CivicNumber.parse(raw, today=date(2081, 12, 28)).value == "208112289874"
    assert CivicNumber.parse(raw, today=date(2085, 1, 1)).value == "208112289874"
    assert CivicNumber.parse("811228+9874", today=date(2085, 1, 1)).value == "198112289874"


# --- samordningsnummer ------------------------------------------------------------------------


def test_samordningsnummer() -> None:
    assert library.parse("701063-2391").is_coordination_number()
    for form in ("701063-2391", "7010632391", "197010632391", "19701063-2391"):
        number = parse(form)
        assert number.value == "197010632391"
        assert number.kind is CivicNumberKind.SAMORDNINGSNUMMER
        assert number.birth_date == date(1970, 10, 3)


def test_generated_samordningsnummer_on_the_last_possible_day() -> None:
    value = complete("19991291123")  # 31 December + 60
    number = parse(value)
    assert number.kind is CivicNumberKind.SAMORDNINGSNUMMER
    assert number.birth_date == date(1999, 12, 31)


# --- invalid numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "19900101-0018",
        "900101-0010",
        "8112289875",
        "198112289870",
        "701063-2392",
        wrong_check(GENERATED),
    ],
)
def test_wrong_check_digit(raw: str) -> None:
    assert rejection(raw).reason == "checksum"


IMPOSSIBLE_DATES = [
    complete("19900230123"),  # 30 February
    complete("19900229123"),  # not a leap year
    complete("19901301123"),  # month 13
    complete("19900001123"),  # month 00
    complete("19900100123"),  # day 00
    complete("19900132123"),  # day 32
    complete("19900145123"),  # between ordinary and coordination days
    complete("19900192123"),  # 32 + 60
    complete("19900290123"),  # coordination day for 30 February
    complete("00000101123"),  # year 0
    complete("19900230123")[2:],  # short form
    complete("19901301123")[2:8] + "-" + complete("19901301123")[8:],
]


@pytest.mark.parametrize("raw", IMPOSSIBLE_DATES)
def test_impossible_date(raw: str) -> None:
    assert rejection(raw).reason == "date"


FUTURE = [
    complete("20250602123"),
    f"{complete('20250602123')[:8]}-{complete('20250602123')[8:]}",
    complete("20990101123"),
    complete("20250662123"),  # samordningsnummer for 2 June 2025
    "20250602TF01",
]


@pytest.mark.parametrize("raw", FUTURE)
def test_future_birth_date(raw: str) -> None:
    assert rejection(raw).reason == "future"


def test_future_is_relative_to_today() -> None:
    raw = complete("20250602123")
    assert CivicNumber.parse(raw, today=date(2025, 6, 2)).birth_date == date(2025, 6, 2)


BAD_FORMAT = [
    "",
    "   ",
    "abc",
    "19900101",
    "900101-001",  # nine digits
    "90010100170",  # eleven digits
    "1990010100170",  # thirteen digits
    "19900101+0017",  # a long form carries its century; + is not accepted there
    "19900101 0017",
    "900101--0017",
    "9001-01-0017",
    "1990-01-01-0017",
    "19900101_0017",
    "١٩٩٠٠١٠١٠٠١٧",  # digits from another script
    complete("19900101000"),  # serial 000 is never issued
]


@pytest.mark.parametrize("raw", BAD_FORMAT)
def test_bad_format(raw: str) -> None:
    assert rejection(raw).reason == "format"


# --- temporary numbers (SS 12000) -------------------------------------------------------------


@pytest.mark.parametrize("raw", ["20130101TF01", "20130101tf01", "20130101Tf01", " 20130101TF01 "])
def test_temporary_number(raw: str) -> None:
    number = parse(raw)
    assert number.value == "20130101TF01"
    assert number.kind is CivicNumberKind.TEMPORARY
    assert number.birth_date == date(2013, 1, 1)


def test_temporary_number_is_not_luhn_checked() -> None:
    assert {parse(f"20130101AB{n:02d}").kind for n in range(10)} == {CivicNumberKind.TEMPORARY}


BAD_TEMPORARY = [
    ("20130101T01F", "format"),  # letters in the wrong place
    ("2013010TF011", "format"),
    ("20130101TFF1", "format"),
    ("20130101TF1", "format"),
    ("20130101TF011", "format"),
    ("20130101ÅÄ01", "format"),
    ("20130101-TF01", "format"),
    ("130101-TF01", "format"),  # short form: the century cannot be inferred safely
    ("130101TF01", "format"),
    ("20130230TF01", "date"),
    ("20131301TF01", "date"),
    ("20130161TF01", "date"),  # no coordination days for temporary numbers
]


@pytest.mark.parametrize(("raw", "reason"), BAD_TEMPORARY)
def test_bad_temporary_number(raw: str, reason: str) -> None:
    assert rejection(raw).reason == reason


def test_temporary_short_form_explains_the_long_form() -> None:
    assert "YYYYMMDD" in str(rejection("130101-TF01"))


# --- no personal data in errors, repr or str --------------------------------------------------

ALL_INVALID = [
    "19900101-0018",
    "701063-2392",
    *IMPOSSIBLE_DATES,
    *FUTURE,
    *BAD_FORMAT,
    *(raw for raw, _ in BAD_TEMPORARY),
]


@pytest.mark.parametrize("raw", ALL_INVALID)
def test_error_never_contains_the_number(raw: str) -> None:
    error = rejection(raw)
    message = str(error)
    assert message
    assert error.reason in {"format", "checksum", "date", "future"}
    assert not re.search(r"\d", message), "no digit of any input may appear in a message"
    if raw.strip():
        assert raw.strip() not in message
        assert raw.strip().upper() not in message.upper()
    assert all(str(arg) == message for arg in error.args)
    # The library's exception quotes the input; it must not ride along as cause or context.
    assert error.__cause__ is None
    assert error.__context__ is None


def test_error_is_a_value_error_and_pickles_with_its_reason() -> None:
    error = rejection("19900101-0018")
    assert isinstance(error, ValueError)
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert restored.reason == "checksum"
    assert str(restored) == str(error)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("19900101-0017", "personnummer"),
        ("701063-2391", "samordningsnummer"),
        ("20130101TF01", "temporary"),
    ],
)
def test_repr_and_str_are_redacted(raw: str, kind: str) -> None:
    number = parse(raw)
    expected = f"CivicNumber(<{kind}, redacted>)"
    for shown in (repr(number), str(number), f"{number}", f"{number!r}", repr([number])):
        assert expected in shown
        assert number.value not in shown
        assert not re.search(r"\d", shown)


# --- the value object itself ------------------------------------------------------------------


def test_equal_values_are_equal_and_hash_alike() -> None:
    assert parse("811228-9874") == parse("198112289874")
    assert hash(parse("811228-9874")) == hash(parse("198112289874"))
    assert parse("811228-9874") != parse("19900101-0017")


def test_immutable() -> None:
    number = parse("19900101-0017")
    with pytest.raises(AttributeError):
        number.value = "198112289874"  # type: ignore[misc]


def test_direct_construction_is_validated() -> None:
    assert CivicNumber("199001010017", CivicNumberKind.PERSONNUMMER).value == "199001010017"
    with pytest.raises(InvalidCivicNumber) as caught:
        CivicNumber("199001010017", CivicNumberKind.SAMORDNINGSNUMMER)
    assert caught.value.reason == "format"
    for not_canonical in ("19900101-0017", "9001010017", "20130101tf01"):
        with pytest.raises(InvalidCivicNumber):
            CivicNumber(not_canonical, CivicNumberKind.PERSONNUMMER)
    with pytest.raises(InvalidCivicNumber) as caught:
        CivicNumber("199001010018", CivicNumberKind.PERSONNUMMER)
    assert caught.value.reason == "checksum"


# --- properties -------------------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=REAL_TODAY)
serials = st.integers(min_value=1, max_value=999)  # serial 000 is never issued (see BAD_FORMAT)


def is_under_hundred(born: date, today: date) -> bool:
    return (born.year + 100, born.month, born.day) > (today.year, today.month, today.day)


@given(born=birth_dates, serial=serials)
def test_any_luhn_completed_number_parses_and_any_other_check_digit_fails(
    born: date, serial: int
) -> None:
    value = complete(f"{born:%Y%m%d}{serial:03d}")
    number = CivicNumber.parse(value, today=REAL_TODAY)
    assert number.value == value
    assert number.kind is CivicNumberKind.PERSONNUMMER
    assert number.birth_date == born

    separator = "-" if is_under_hundred(born, REAL_TODAY) else "+"
    short = f"{value[2:8]}{separator}{value[8:]}"
    assert CivicNumber.parse(short, today=REAL_TODAY) == number

    for check in "0123456789":
        if check != value[-1]:
            error = rejection(value[:-1] + check, today=REAL_TODAY)
            assert error.reason == "checksum"


@given(born=birth_dates, serial=serials)
def test_any_luhn_completed_coordination_number_parses(born: date, serial: int) -> None:
    value = complete(f"{born:%Y%m}{born.day + 60:02d}{serial:03d}")
    number = CivicNumber.parse(value, today=REAL_TODAY)
    assert number.kind is CivicNumberKind.SAMORDNINGSNUMMER
    assert number.birth_date == born
