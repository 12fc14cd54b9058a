"""Proleptic Gregorian calendar maths on integer milliseconds, and parsing of dates and durations.

A date is a timestamp in milliseconds since the Unix epoch, valid from ``0000-01-01`` to
``9999-12-31T23:59:59.999Z`` (year 0 works, which ``datetime`` cannot hold).
:class:`Moment` splits one into calendar and clock fields; :func:`format_iso` prints it;
:func:`parse_date_string` reads the ISO 8601 forms ArangoDB accepts (its quirks included:
minutes of a negative UTC offset are added); :func:`parse_duration` and
:func:`apply_duration` read and apply an ISO 8601 duration. The executor uses
:func:`parse_date`, :func:`to_timestamp_ms` and :func:`shift_timestamp_by_duration` (WINDOW
ranges).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .arguments import INT64_MAX, INT64_MIN

MS_PER_SECOND = 1_000
MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
MS_PER_WEEK = 7 * MS_PER_DAY
MIN_TIMESTAMP = -62_167_219_200_000  # 0000-01-01T00:00:00.000Z
MAX_TIMESTAMP = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- calendar


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date; out-of-range days overflow."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number counted from 1970-01-01."""
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class Moment:
    """A millisecond timestamp split into calendar and clock fields."""

    __slots__ = ("day", "days", "hour", "millisecond", "minute", "month", "ms", "second", "year")

    def __init__(self, ms: int) -> None:
        self.ms = ms
        self.days, rest = divmod(ms, MS_PER_DAY)
        self.year, self.month, self.day = civil_from_days(self.days)
        self.hour, rest = divmod(rest, MS_PER_HOUR)
        self.minute, rest = divmod(rest, MS_PER_MINUTE)
        self.second, self.millisecond = divmod(rest, MS_PER_SECOND)

    @property
    def weekday(self) -> int:
        """0 for Sunday to 6 for Saturday."""
        return (self.days + 4) % 7

    @property
    def day_of_year(self) -> int:
        return self.days - days_from_civil(self.year, 1, 1) + 1

    @property
    def quarter(self) -> int:
        return (self.month + 2) // 3

    @property
    def leap_year(self) -> bool:
        return _is_leap(self.year)

    @property
    def days_in_month(self) -> int:
        return _days_in_month(self.year, self.month)

    def iso_week(self) -> tuple[int, int]:
        """(ISO week-numbering year, ISO week number)."""
        thursday = self.days + 3 - (self.days + 3) % 7
        year = civil_from_days(thursday)[0]
        return year, (thursday - days_from_civil(year, 1, 1)) // 7 + 1

    def time_of_day(self) -> int:
        return self.ms - self.days * MS_PER_DAY


def year4(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def format_iso(ms: int, utc: bool = True) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS.sssZ`` (no ``Z`` when not ``utc``); None outside years 0..9999."""
    m = Moment(ms)
    if not 0 <= m.year <= 9999:
        return None
    text = (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}"
        f"T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.millisecond:03d}"
    )
    return text + "Z" if utc else text


# --------------------------------------------------------------------------- parsing

_WHITESPACE = " \t\r\n"


def _digits(text: str, pos: int) -> tuple[int, int]:
    """(value, length) of the run of ASCII digits at ``pos`` (value 0 for no digits)."""
    end = pos
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    if end == pos:
        return 0, 0
    significant = text[pos:end].lstrip("0")
    if len(significant) > 9:  # larger than any field may be; keeps int() cheap
        return 10**9, end - pos
    return int(significant or "0"), end - pos


def _parse_clock(text: str, pos: int) -> tuple[int, int] | None:
    """Parse ``HH:MM[:SS[.fff...]]`` at ``pos``: (milliseconds into the day, new position)."""
    hour, n = _digits(text, pos)
    if n == 0 or n > 2 or hour > 23:
        return None
    pos += n
    if pos >= len(text) or text[pos] != ":":
        return None
    minute, n = _digits(text, pos + 1)
    if n == 0 or n > 2 or minute > 59:
        return None
    pos += 1 + n
    second = millisecond = 0
    if pos < len(text) and text[pos] == ":":
        second, n = _digits(text, pos + 1)
        if n == 0 or n > 2 or second > 59:
            return None
        pos += 1 + n
        if pos < len(text) and text[pos] == ".":
            _, n = _digits(text, pos + 1)
            if n == 0:
                return None
            millisecond = int(text[pos + 1 : pos + 1 + min(n, 3)].ljust(3, "0"))
            pos += 1 + n
    return hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * MS_PER_SECOND + millisecond, pos


def _parse_offset(text: str, pos: int) -> int | None:
    """Parse ``Z`` or ``±H[H]:M[M]`` ending the string: the offset in minutes.

    As in ArangoDB, only the hours take the sign: ``-01:30`` is -60 + 30 minutes.
    """
    if pos == len(text):
        return 0
    if text[pos] in "zZ":
        return 0 if pos + 1 == len(text) else None
    if text[pos] not in "+-":
        return None
    sign = 1 if text[pos] == "+" else -1
    hours, n = _digits(text, pos + 1)
    if n == 0 or n > 2 or hours > 23:
        return None
    pos += 1 + n
    if pos >= len(text) or text[pos] != ":":
        return None
    minutes, n = _digits(text, pos + 1)
    if n == 0 or n > 2 or minutes > 59 or pos + 1 + n != len(text):
        return None
    return sign * hours * 60 + minutes


def parse_date_string(text: str) -> int | None:
    """Milliseconds since the epoch for an ArangoDB date string, or None if it is invalid.

    Accepts ``[+]YYYY[-M[M][-D[D]]][(T| )HH:MM[:SS[.fff]]][Z|±HH:MM]`` with
    surrounding whitespace; days up to 31 in any month overflow into the next.
    """
    text = text.lstrip(_WHITESPACE)
    if text.startswith("+"):
        text = text[1:]
    elif text.startswith("-"):
        return None
    text = text.rstrip(_WHITESPACE)
    year, n = _digits(text, 0)
    if n == 0 or year > 9999:
        return None
    pos = n
    month = day = 1
    if pos < len(text) and text[pos] == "-":
        month, n = _digits(text, pos + 1)
        if n == 0 or n > 2 or not 1 <= month <= 12:
            return None
        pos += 1 + n
        if pos < len(text) and text[pos] == "-":
            day, n = _digits(text, pos + 1)
            if n == 0 or n > 2 or not 1 <= day <= 31:
                return None
            pos += 1 + n
    clock = 0
    if pos < len(text) and text[pos] in " T":
        parsed = _parse_clock(text, pos + 1)
        if parsed is None:
            return None
        clock, pos = parsed
    offset = _parse_offset(text, pos)
    if offset is None:
        return None
    ms = days_from_civil(year, month, day) * MS_PER_DAY + clock - offset * MS_PER_MINUTE
    if offset and not MIN_TIMESTAMP <= ms <= MAX_TIMESTAMP:
        return None
    return ms


def number_to_int(value: int | float) -> int | None:
    """``value`` truncated towards zero, or None when it is not a finite int64."""
    if type(value) is float and not math.isfinite(value):
        return None
    number = int(value)
    return number if INT64_MIN <= number <= INT64_MAX else None


_LEADING_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")


def component_to_int(value: Any) -> int | None:
    """A DATE_TIMESTAMP component as ArangoDB's toInt64 reads it (strings as ``stoll``)."""
    if type(value) is str:
        match = _LEADING_INT.match(value)
        if match is None:
            return 0
        digits = match.group(1).lstrip("+-").lstrip("0")
        if len(digits) > 19:
            return 0
        number = int(match.group(1))
        return number if INT64_MIN <= number <= INT64_MAX else 0
    return number_to_int(value)


def to_timestamp_ms(value: Any) -> int | None:
    """The timestamp (ms since the epoch) a date argument denotes, or None if invalid."""
    t = type(value)
    if t is int or t is float:
        ms = number_to_int(value)
        if ms is None or not MIN_TIMESTAMP <= ms <= MAX_TIMESTAMP:
            return None
        return ms
    if t is str:
        return parse_date_string(value)
    return None


def parse_date(value: Any) -> datetime | None:
    """An aware UTC ``datetime`` for a date argument; None if invalid or before year 1."""
    ms = to_timestamp_ms(value)
    if ms is None or Moment(ms).year < 1:
        return None
    return EPOCH + timedelta(milliseconds=ms)


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class Duration:
    years: int
    months: int
    milliseconds: int  # weeks, days and time part together


_DURATION_RE = re.compile(
    r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:[.,]([0-9]{1,3}))?S)?)?"
)


def parse_duration(text: str) -> Duration | None:
    """An ISO 8601 duration ``PnYnMnWnDTnHnMn.fffS`` (no sign, no fractions but seconds)."""
    if len(text) <= 1:
        return None
    match = _DURATION_RE.fullmatch(text)
    if match is None:
        return None
    years, months, weeks, days, hours, minutes, seconds = (
        int(g) if g else 0 for g in match.groups()[:7]
    )
    fraction = match.group(8) or ""
    ms = (
        weeks * MS_PER_WEEK
        + days * MS_PER_DAY
        + hours * MS_PER_HOUR
        + minutes * MS_PER_MINUTE
        + seconds * MS_PER_SECOND
        + (int(fraction.ljust(3, "0")) if fraction else 0)
    )
    return Duration(years, months, ms)


def add_months(ms: int, years: int, months: int) -> int:
    """Shift the calendar date of ``ms`` by whole years and months, keeping day and time.

    A day past the end of the new month overflows (Jan 31 + 1 month = Mar 2 or 3).
    """
    m = Moment(ms)
    total = m.month - 1 + months
    year = m.year + years + total // 12
    return days_from_civil(year, total % 12 + 1, m.day) * MS_PER_DAY + m.time_of_day()


def apply_duration(ms: int, duration: Duration, subtract: bool) -> int:
    sign = -1 if subtract else 1
    shifted = add_months(ms, sign * duration.years, sign * duration.months)
    return shifted + sign * duration.milliseconds


def shift_timestamp_by_duration(
    timestamp_ms: int | float, duration: str, sign: int
) -> float | None:
    """``timestamp_ms`` plus (``sign`` > 0) or minus an ISO 8601 duration, in UTC.

    Returns None for an invalid duration or timestamp (as WINDOW ranges need).
    """
    if type(duration) is not str or not isinstance(timestamp_ms, (int, float)):
        return None
    parsed = parse_duration(duration)
    ms = number_to_int(timestamp_ms)
    if parsed is None or ms is None:
        return None
    return float(apply_duration(ms, parsed, subtract=sign < 0))
