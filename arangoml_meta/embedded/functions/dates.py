"""AQL's date functions (ArangoDB 3.12): every ``DATE_*`` function and ``IS_DATESTRING``.

Dates are numeric timestamps (milliseconds since the Unix epoch, valid from
``0000-01-01`` to ``9999-12-31T23:59:59.999Z``) or ISO 8601 strings; results
print as ``YYYY-MM-DDTHH:MM:SS.sssZ``. Calendar arithmetic is proleptic
Gregorian on integer milliseconds (so year 0 works, which ``datetime`` cannot
hold). Time zones come from the ``tzdata`` package through :mod:`zoneinfo`,
so every host gives the same answers.

The module follows ArangoDB's C++ implementation (``DateFunctions.cpp`` and
``lib/Basics/datetime.cpp``), quirks included: minutes of a negative UTC
offset are added (``-01:30`` reads as ``-00:30``), ``%yyyy`` pads year 9 to
``009``, DATE_FORMAT placeholders are case-sensitive, DATE_ROUND truncates
towards the epoch. Invalid input gives null plus a warning; an unknown time
zone, or a local time that a time zone skips or repeats, raises a
:class:`~arangoml_meta.errors.QueryError` as ArangoDB aborts the query.

It also exports plain helpers for the executor: :func:`parse_date`,
:func:`to_timestamp_ms` and :func:`shift_timestamp_by_duration` (WINDOW ranges).
"""

from __future__ import annotations

import bisect
import io
import math
import os
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from ...errors import ERROR_INTERNAL, ERROR_QUERY_INVALID_DATE_VALUE, QueryError
from ..values import INT64_MAX, INT64_MIN, normalize_number
from .registry import FunctionContext, aql_function, warn_invalid_argument

try:
    from tzdata import IANA_VERSION as _TZDB_VERSION
except ImportError:  # pragma: no cover - tzdata is a declared dependency
    _TZDB_VERSION = None

MS_PER_SECOND = 1_000
MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
MS_PER_WEEK = 7 * MS_PER_DAY
MIN_TIMESTAMP = -62_167_219_200_000  # 0000-01-01T00:00:00.000Z
MAX_TIMESTAMP = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

# unit flags, ordered like ArangoDB's DateSelectionModifier
MILLI, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR = range(1, 9)
_UNIT_ALIASES = (
    (YEAR, ("y", "year", "years")),
    (MONTH, ("m", "month", "months")),
    (WEEK, ("w", "week", "weeks")),
    (DAY, ("d", "day", "days")),
    (HOUR, ("h", "hour", "hours")),
    (MINUTE, ("i", "minute", "minutes")),
    (SECOND, ("s", "second", "seconds")),
    (MILLI, ("f", "millisecond", "milliseconds")),
)
_UNIT_FLAGS = {alias: flag for flag, aliases in _UNIT_ALIASES for alias in aliases}
_UNIT_MS = {
    WEEK: MS_PER_WEEK,
    DAY: MS_PER_DAY,
    HOUR: MS_PER_HOUR,
    MINUTE: MS_PER_MINUTE,
    SECOND: MS_PER_SECOND,
    MILLI: 1,
}
# DATE_DIFF divisors: a year is 365.2425 days, a month a twelfth of that
_DIFF_DIVISORS = {
    YEAR: 31_556_952_000.0,
    MONTH: 2_629_746_000.0,
    WEEK: float(MS_PER_WEEK),
    DAY: float(MS_PER_DAY),
    HOUR: float(MS_PER_HOUR),
    MINUTE: float(MS_PER_MINUTE),
    SECOND: float(MS_PER_SECOND),
    MILLI: 1.0,
}


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


class _Moment:
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


def _year4(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def format_iso(ms: int, utc: bool = True) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS.sssZ`` (no ``Z`` when not ``utc``); None outside years 0..9999."""
    m = _Moment(ms)
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


def _number_to_int(value: int | float) -> int | None:
    """``value`` truncated towards zero, or None when it is not a finite int64."""
    if type(value) is float and not math.isfinite(value):
        return None
    number = int(value)
    return number if INT64_MIN <= number <= INT64_MAX else None


_LEADING_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")


def _component_to_int(value: Any) -> int | None:
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
    return _number_to_int(value)


def to_timestamp_ms(value: Any) -> int | None:
    """The timestamp (ms since the epoch) a date argument denotes, or None if invalid."""
    t = type(value)
    if t is int or t is float:
        ms = _number_to_int(value)
        if ms is None or not MIN_TIMESTAMP <= ms <= MAX_TIMESTAMP:
            return None
        return ms
    if t is str:
        return parse_date_string(value)
    return None


def parse_date(value: Any) -> datetime | None:
    """An aware UTC ``datetime`` for a date argument; None if invalid or before year 1."""
    ms = to_timestamp_ms(value)
    if ms is None or _Moment(ms).year < 1:
        return None
    return _EPOCH + timedelta(milliseconds=ms)


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class _Duration:
    years: int
    months: int
    milliseconds: int  # weeks, days and time part together


_DURATION_RE = re.compile(
    r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:[.,]([0-9]{1,3}))?S)?)?"
)


def _parse_duration(text: str) -> _Duration | None:
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
    return _Duration(years, months, ms)


def _add_months(ms: int, years: int, months: int) -> int:
    """Shift the calendar date of ``ms`` by whole years and months, keeping day and time.

    A day past the end of the new month overflows (Jan 31 + 1 month = Mar 2 or 3).
    """
    m = _Moment(ms)
    total = m.month - 1 + months
    year = m.year + years + total // 12
    return days_from_civil(year, total % 12 + 1, m.day) * MS_PER_DAY + m.time_of_day()


def _apply_duration(ms: int, duration: _Duration, subtract: bool) -> int:
    sign = -1 if subtract else 1
    shifted = _add_months(ms, sign * duration.years, sign * duration.months)
    return shifted + sign * duration.milliseconds


def shift_timestamp_by_duration(
    timestamp_ms: int | float, duration: str, sign: int
) -> float | None:
    """``timestamp_ms`` plus (``sign`` > 0) or minus an ISO 8601 duration, in UTC.

    Returns None for an invalid duration or timestamp (as WINDOW ranges need).
    """
    if type(duration) is not str or not isinstance(timestamp_ms, (int, float)):
        return None
    parsed = _parse_duration(duration)
    ms = _number_to_int(timestamp_ms)
    if parsed is None or ms is None:
        return None
    return float(_apply_duration(ms, parsed, subtract=sign < 0))


# --------------------------------------------------------------------------- time zones

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# datetime cannot hold year 0 or 10000: look offsets up inside these bounds
_LOOKUP_MIN_S = -62_135_510_400  # 0001-01-02
_LOOKUP_MAX_S = 253_402_128_000  # 9999-12-30
_SCAN_STEP_S = 86_400
_SCAN_STEPS = 400


@dataclass(frozen=True)
class _Zone:
    """An IANA time zone: the ``ZoneInfo`` plus its explicit transition instants."""

    name: str
    info: ZoneInfo
    transitions: tuple[int, ...]  # seconds since the epoch, ascending
    has_rules: bool  # a DST rule continues after the last explicit transition


@dataclass(frozen=True)
class _Period:
    """What a zone says at an instant: offset and DST in seconds, abbreviation."""

    offset: int
    dst: int
    abbrev: str

    @property
    def key(self) -> tuple[int, bool, str]:
        return self.offset, self.dst != 0, self.abbrev


@cache
def _zone_names() -> frozenset[str]:
    try:
        text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset(available_timezones())
    return frozenset(text.split())


def _tzif_bytes(name: str) -> bytes | None:
    try:
        node = resources.files("tzdata.zoneinfo")
        for part in name.split("/"):
            node = node.joinpath(part)
        return node.read_bytes()
    except (ImportError, OSError):
        pass
    for base in TZPATH:
        try:
            with open(os.path.join(base, name), "rb") as handle:
                return handle.read()
        except OSError:
            continue
    return None


def _parse_tzif(data: bytes) -> tuple[tuple[int, ...], bool]:
    """Explicit transition instants and whether a DST rule follows them (TZif v1 to v4)."""
    try:
        if data[:4] != b"TZif":
            return (), False
        counts = struct.unpack(">6l", data[20:44])
        isut, isstd, leap, timecnt, typecnt, charcnt = counts
        if data[4:5] == b"\0":
            return struct.unpack(f">{timecnt}l", data[44 : 44 + 4 * timecnt]), False
        start = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut
        isut, isstd, leap, timecnt, typecnt, charcnt = struct.unpack(
            ">6l", data[start + 20 : start + 44]
        )
        body = start + 44
        times = struct.unpack(f">{timecnt}q", data[body : body + 8 * timecnt])
        footer = data[body + timecnt * 9 + typecnt * 6 + charcnt + leap * 12 + isstd + isut :]
        return times, b"," in footer
    except struct.error:
        return (), False


@cache
def _load_zone(name: str) -> _Zone | None:
    if name not in _zone_names():
        return None
    data = _tzif_bytes(name)
    if data is None:
        return None
    try:
        info = ZoneInfo.from_file(io.BytesIO(data), key=name)
    except ValueError:
        return None
    transitions, has_rules = _parse_tzif(data)
    return _Zone(name, info, tuple(transitions), has_rules)


def _zone(name: str) -> _Zone:
    """The named zone; an unknown name aborts the query as it does in ArangoDB."""
    zone = _load_zone(name)
    if zone is None:
        raise QueryError(f"{name} not found in timezone database", ERROR_INTERNAL)
    return zone


def _period_at(zone: _Zone, seconds: int) -> _Period:
    """The zone's offset, DST and abbreviation at a UTC instant (in seconds)."""
    seconds = min(max(seconds, _LOOKUP_MIN_S), _LOOKUP_MAX_S)
    local = (_EPOCH + timedelta(seconds=seconds)).astimezone(zone.info)
    offset = local.utcoffset() or timedelta(0)
    dst = local.dst() or timedelta(0)
    return _Period(int(offset.total_seconds()), int(dst.total_seconds()), local.tzname() or "")


def _localize(ms: int, zone: _Zone) -> int:
    """UTC timestamp to the same wall-clock reading in ``zone``, as a naive timestamp."""
    return ms + _period_at(zone, ms // MS_PER_SECOND).offset * MS_PER_SECOND


def _format_seconds(seconds: int) -> str:
    return (format_iso(seconds * MS_PER_SECOND, utc=False) or "")[:19].replace("T", " ")


def _format_local(ms: int) -> str:
    return (format_iso(ms, utc=False) or "").replace("T", " ")


def _unlocalize(local_ms: int, zone: _Zone) -> int:
    """Wall-clock reading in ``zone`` to UTC timestamp.

    A reading the zone skips or repeats raises, as ArangoDB's date library does.
    """
    local_s = local_ms // MS_PER_SECOND
    offsets = {_period_at(zone, local_s + k * _SCAN_STEP_S).offset for k in (-2, -1, 0, 1, 2)}
    valid = sorted(
        offset for offset in offsets if _period_at(zone, local_s - offset).offset == offset
    )
    if len(valid) == 1:
        return local_ms - valid[0] * MS_PER_SECOND
    if valid:
        readings = [
            f"{_format_local(local_ms)} {_period_at(zone, local_s - offset).abbrev} == "
            f"{_format_local(local_ms - offset * MS_PER_SECOND)} UTC"
            for offset in (valid[-1], valid[0])  # the earlier instant first
        ]
        message = f"{_format_local(local_ms)} is ambiguous.  It could be\n" + " or\n".join(readings)
        raise QueryError(message, ERROR_INTERNAL)
    low, high = local_s - max(offsets), local_s - min(offsets)
    before = _period_at(zone, low)
    while high - low > 1:
        mid = (low + high) // 2
        if _period_at(zone, mid).key == before.key:
            low = mid
        else:
            high = mid
    after = _period_at(zone, high)
    message = (
        f"{_format_local(local_ms)} is in a gap between\n"
        f"{_format_seconds(high + before.offset)} {before.abbrev} and\n"
        f"{_format_seconds(high + after.offset)} {after.abbrev} which are both equivalent to\n"
        f"{_format_seconds(high)} UTC"
    )
    raise QueryError(message, ERROR_INTERNAL)


def _bisect_change(zone: _Zone, same: int, other: int, key: tuple[int, bool, str]) -> int:
    """The instant next to ``same`` (key holds) at which the key starts or stops holding."""
    while abs(other - same) > 1:
        mid = (same + other) // 2
        if _period_at(zone, mid).key == key:
            same = mid
        else:
            other = mid
    return max(same, other)


def _rule_change(zone: _Zone, seconds: int, direction: int, bound: int | None) -> int | None:
    """The nearest rule-driven change of key from ``seconds`` in ``direction`` (+1 or -1)."""
    key = _period_at(zone, seconds).key
    current = seconds
    for _ in range(_SCAN_STEPS):
        probe = current + direction * _SCAN_STEP_S
        if bound is not None and direction < 0 and probe <= bound:
            probe = bound
        if _period_at(zone, probe).key != key:
            return _bisect_change(zone, current, probe, key)
        if probe == bound:
            return None
        current = probe
    return None


def _period_bounds(zone: _Zone, seconds: int) -> tuple[int | None, int | None]:
    """Begin and end (UTC seconds, None for open) of the zone's period around ``seconds``."""
    key = _period_at(zone, seconds).key
    transitions = zone.transitions
    last = transitions[-1] if transitions else None
    begin = None
    if zone.has_rules and (last is None or seconds > last):
        begin = _rule_change(zone, seconds, -1, last)
    if begin is None:
        index = bisect.bisect_right(transitions, seconds) - 1
        while index >= 0 and begin is None:
            if _period_at(zone, transitions[index] - 1).key != key:
                begin = transitions[index]
            index -= 1
    end = None
    for instant in transitions[bisect.bisect_right(transitions, seconds) :]:
        if _period_at(zone, instant).key != key:
            end = instant
            break
    if end is None and zone.has_rules:
        end = _rule_change(zone, max(seconds, last if last is not None else seconds), 1, None)
    return begin, end


def _zone_info(zone: _Zone, utc_ms: int) -> dict[str, Any]:
    """The ``zoneInfo`` object of DATE_UTCTOLOCAL / DATE_LOCALTOUTC."""
    seconds = utc_ms // MS_PER_SECOND
    period = _period_at(zone, seconds)
    begin, end = _period_bounds(zone, seconds)
    return {
        "name": period.abbrev,
        "begin": None if begin is None else format_iso(begin * MS_PER_SECOND),
        "end": None if end is None else format_iso(end * MS_PER_SECOND),
        "dst": period.dst != 0,
        "offset": period.offset,
    }


def _host_zone_name() -> str:
    """The host's IANA time zone: ``TZ``, then ``/etc/localtime``, then ``/etc/timezone``."""
    names = _zone_names()
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            candidates.append(handle.read().strip())
    except OSError:
        pass
    return next((name for name in candidates if name in names), "Etc/UTC")


# --------------------------------------------------------------------------- argument helpers


def _warn_date(ctx: FunctionContext) -> None:
    ctx.warn(ERROR_QUERY_INVALID_DATE_VALUE, "invalid date value")


def _timepoint(ctx: FunctionContext, name: str, value: Any) -> int | None:
    """A date argument as ms since the epoch; warns (and gives None) when it is not one."""
    t = type(value)
    if t is not int and t is not float and t is not str:
        warn_invalid_argument(ctx, name)
        return None
    ms = to_timestamp_ms(value)
    if ms is None:
        _warn_date(ctx)
    return ms


def _zone_arg(ctx: FunctionContext, name: str, value: Any) -> _Zone | None:
    """A time-zone argument; warns when it is not a string, raises when it is unknown."""
    if type(value) is not str:
        warn_invalid_argument(ctx, name)
        return None
    return _zone(value)


def _local_timepoint(ctx: FunctionContext, name: str, args: Sequence[Any]) -> int | None:
    """The date of ``args[0]``, as wall-clock time in the zone ``args[1]`` if given."""
    ms = _timepoint(ctx, name, args[0])
    if ms is None or len(args) < 2:
        return ms
    zone = _zone_arg(ctx, name, args[1])
    return None if zone is None else _localize(ms, zone)


def _iso_result(ctx: FunctionContext, ms: int, utc: bool = True) -> str | None:
    """The date string for a result; warns (and gives None) outside years 0..9999."""
    text = format_iso(ms, utc)
    if text is None:
        _warn_date(ctx)
    return text


def _unit_flag(value: Any) -> int | None:
    if type(value) is not str:
        return None
    return _UNIT_FLAGS.get(value.lower())


# --------------------------------------------------------------------------- current time & conversion


@aql_function("DATE_NOW", 0, deterministic=False)
def date_now(ctx: FunctionContext) -> int:
    """The current time in ms since the epoch."""
    return int(ctx.now_ms())


def _from_components(ctx: FunctionContext, name: str, args: Sequence[Any]) -> int | None:
    """ms since the epoch from (year, month, day[, hour, minute, second, ms]) arguments."""
    if len(args) < 3 or any(type(a) not in (int, float, str) for a in args):
        warn_invalid_argument(ctx, name)
        return None
    parts = [_component_to_int(a) for a in args]
    values = [p for p in parts if p is not None]
    if len(values) != len(parts):
        _warn_date(ctx)
        return None
    year, month, day, hour, minute, second, millisecond = values + [0] * (7 - len(values))
    if not 0 <= year <= 9999 or min(month, day, hour, minute, second, millisecond) < 0:
        _warn_date(ctx)
        return None
    # ArangoDB keeps month and day in unsigned chars; hours etc. overflow into days
    days = days_from_civil(year, month & 0xFF, day & 0xFF)
    return (
        days * MS_PER_DAY
        + hour * MS_PER_HOUR
        + minute * MS_PER_MINUTE
        + second * MS_PER_SECOND
        + min(millisecond, 999)
    )


def _date_from_args(ctx: FunctionContext, name: str, args: Sequence[Any]) -> int | None:
    if len(args) == 1:
        return _timepoint(ctx, name, args[0])
    return _from_components(ctx, name, args)


@aql_function("DATE_ISO8601", 1, 7)
def date_iso8601(ctx: FunctionContext, *args: Any) -> str | None:
    """The date as ``YYYY-MM-DDTHH:MM:SS.sssZ`` (from a date or from its components)."""
    ms = _date_from_args(ctx, "DATE_ISO8601", args)
    return None if ms is None else _iso_result(ctx, ms)


@aql_function("DATE_TIMESTAMP", 1, 7)
def date_timestamp(ctx: FunctionContext, *args: Any) -> int | None:
    """The date as ms since the epoch (from a date or from its components)."""
    return _date_from_args(ctx, "DATE_TIMESTAMP", args)


@aql_function("IS_DATESTRING", 1)
def is_datestring(ctx: FunctionContext, value: Any) -> bool:
    """Whether ``value`` is a string the date functions accept."""
    return type(value) is str and parse_date_string(value) is not None


# --------------------------------------------------------------------------- component extractors


def _register_extractor(name: str, max_args: int, extract: Callable[[_Moment], Any]) -> None:
    def impl(ctx: FunctionContext, *args: Any) -> Any:
        ms = _local_timepoint(ctx, name, args)
        return None if ms is None else extract(_Moment(ms))

    impl.__name__ = impl.__qualname__ = name.lower()
    impl.__doc__ = f"AQL {name}(date{', timezone' if max_args > 1 else ''})."
    aql_function(name, 1, max_args)(impl)


def _iso_week_year(m: _Moment) -> dict[str, int]:
    year, week = m.iso_week()
    return {"week": week, "year": year}


for _name, _max_args, _extract in (
    ("DATE_DAYOFWEEK", 2, lambda m: m.weekday),
    ("DATE_YEAR", 2, lambda m: m.year),
    ("DATE_MONTH", 2, lambda m: m.month),
    ("DATE_DAY", 2, lambda m: m.day),
    ("DATE_HOUR", 2, lambda m: m.hour),
    ("DATE_MINUTE", 2, lambda m: m.minute),
    ("DATE_SECOND", 1, lambda m: m.second),
    ("DATE_MILLISECOND", 1, lambda m: m.millisecond),
    ("DATE_DAYOFYEAR", 2, lambda m: m.day_of_year),
    ("DATE_ISOWEEK", 2, lambda m: m.iso_week()[1]),
    ("DATE_ISOWEEKYEAR", 2, _iso_week_year),
    ("DATE_LEAPYEAR", 2, lambda m: m.leap_year),
    ("DATE_QUARTER", 2, lambda m: m.quarter),
    ("DATE_DAYS_IN_MONTH", 2, lambda m: m.days_in_month),
):
    _register_extractor(_name, _max_args, _extract)


# --------------------------------------------------------------------------- truncation & rounding


def _truncate(ms: int, flag: int) -> int:
    m = _Moment(ms)
    if flag == YEAR:
        return days_from_civil(m.year, 1, 1) * MS_PER_DAY
    if flag == MONTH:
        return days_from_civil(m.year, m.month, 1) * MS_PER_DAY
    unit = _UNIT_MS[flag]
    return m.days * MS_PER_DAY + m.time_of_day() // unit * unit


@aql_function("DATE_TRUNC", 2, 3)
def date_trunc(ctx: FunctionContext, *args: Any) -> str | None:
    """The date cut down to the start of its year, month, day, hour, minute or second."""
    ms = _timepoint(ctx, "DATE_TRUNC", args[0])
    if ms is None:
        return None
    unit = args[1]
    if type(unit) is not str:
        warn_invalid_argument(ctx, "DATE_TRUNC")
        return None
    zone = None
    if len(args) == 3:
        zone = _zone_arg(ctx, "DATE_TRUNC", args[2])
        if zone is None:
            return None
        ms = _localize(ms, zone)
    flag = _unit_flag(unit)
    if flag is None or flag == WEEK:
        _warn_date(ctx)
        return None
    ms = _truncate(ms, flag)
    if zone is not None:
        ms = _unlocalize(ms, zone)
    return _iso_result(ctx, ms)


# DATE_ROUND matches its units case-sensitively and knows no weeks, months or years
_ROUND_FACTORS = {
    alias: _UNIT_MS[flag]
    for flag, aliases in _UNIT_ALIASES
    if flag in (DAY, HOUR, MINUTE, SECOND, MILLI)
    for alias in aliases
}


@aql_function("DATE_ROUND", 3, 4)
def date_round(ctx: FunctionContext, *args: Any) -> str | None:
    """The date binned into buckets of ``amount`` units counted from the epoch."""
    ms = _timepoint(ctx, "DATE_ROUND", args[0])
    if ms is None:
        return None
    amount, unit = args[1], args[2]
    if type(amount) not in (int, float) or type(unit) is not str:
        warn_invalid_argument(ctx, "DATE_ROUND")
        return None
    zone = None
    if len(args) == 4:
        zone = _zone_arg(ctx, "DATE_ROUND", args[3])
        if zone is None:
            return None
        ms = _localize(ms, zone)
    count = _number_to_int(amount)
    factor = _ROUND_FACTORS.get(unit)
    if count is None or count <= 0 or factor is None:
        warn_invalid_argument(ctx, "DATE_ROUND")
        return None
    bucket = factor * count
    quotient = abs(ms) // bucket  # C++ integer division truncates towards zero
    ms = (quotient if ms >= 0 else -quotient) * bucket
    if zone is not None:
        ms = _unlocalize(ms, zone)
    return _iso_result(ctx, ms)


# --------------------------------------------------------------------------- formatting


def _format_year4(year: int) -> str:
    if year < 0:
        return _pad_negative(year, 4)
    # ArangoDB's thresholds are off by one: year 9 prints as "009", 99 as "099"
    if year < 9:
        return "000" + str(year)
    if year < 99:
        return "00" + str(year)
    if year < 999:
        return "0" + str(year)
    return str(year)[-4:]


def _format_year6(year: int) -> str:
    if year < 0:
        return _pad_negative(year, 6)
    return "+" + str(year).zfill(6) if year <= 99999 else str(year)


def _pad_negative(year: int, width: int) -> str:
    return "-" + str(-year).zfill(width)


def _format_year2(year: int) -> str:
    if -10 < year < 10:
        return "0" + str(abs(year))
    return str(abs(year))[-2:]


def _format_z(m: _Moment) -> str:
    return (
        f"{_year4(m.year)}-{m.month:02d}-{m.day:02d}"
        f"T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.millisecond:03d}Z"
    )


# in ArangoDB's order: the first placeholder that matches at a "%" wins
_FORMATTERS: dict[str, Callable[[_Moment], str]] = {
    "%&": lambda m: "",
    "%yyyyyy": lambda m: _format_year6(m.year),
    "%mmmm": lambda m: _MONTH_NAMES[m.month - 1],
    "%yyyy": lambda m: _format_year4(m.year),
    "%wwww": lambda m: _WEEKDAY_NAMES[m.weekday],
    "%mmm": lambda m: _MONTH_NAMES[m.month - 1][:3],
    "%www": lambda m: _WEEKDAY_NAMES[m.weekday][:3],
    "%fff": lambda m: f"{m.millisecond:03d}",
    "%xxx": lambda m: f"{m.day_of_year:03d}",
    "%yy": lambda m: _format_year2(m.year),
    "%mm": lambda m: f"{m.month:02d}",
    "%dd": lambda m: f"{m.day:02d}",
    "%hh": lambda m: f"{m.hour:02d}",
    "%ii": lambda m: f"{m.minute:02d}",
    "%ss": lambda m: f"{m.second:02d}",
    "%kk": lambda m: f"{m.iso_week()[1]:02d}",
    "%t": lambda m: str(m.ms),
    "%z": _format_z,
    "%w": lambda m: str(m.weekday),
    "%y": lambda m: str(m.year),
    "%m": lambda m: str(m.month),
    "%d": lambda m: str(m.day),
    "%h": lambda m: str(m.hour),
    "%i": lambda m: str(m.minute),
    "%s": lambda m: str(m.second),
    "%f": lambda m: str(m.millisecond),
    "%x": lambda m: str(m.day_of_year),
    "%k": lambda m: str(m.iso_week()[1]),
    "%l": lambda m: "1" if m.leap_year else "0",
    "%q": lambda m: str(m.quarter),
    "%a": lambda m: str(m.days_in_month),
    "%%": lambda m: "%",
    "%": lambda m: "",
}
_FORMAT_RE = re.compile("|".join(re.escape(p) for p in _FORMATTERS))


def format_date(ms: int, pattern: str) -> str:
    """Expand DATE_FORMAT's ``%`` placeholders (case-sensitive) for timestamp ``ms``."""
    moment = _Moment(ms)
    return _FORMAT_RE.sub(lambda match: _FORMATTERS[match.group(0)](moment), pattern)


@aql_function("DATE_FORMAT", 2, 3)
def date_format(ctx: FunctionContext, *args: Any) -> str | None:
    """The date formatted with ``%`` placeholders, optionally in a time zone."""
    ms = _timepoint(ctx, "DATE_FORMAT", args[0])
    if ms is None:
        return None
    pattern = args[1]
    if type(pattern) is not str:
        warn_invalid_argument(ctx, "DATE_FORMAT")
        return None
    if len(args) == 3:
        zone = _zone_arg(ctx, "DATE_FORMAT", args[2])
        if zone is None:
            return None
        ms = _localize(ms, zone)
    return format_date(ms, pattern)


# --------------------------------------------------------------------------- arithmetic


def _add_unit(ms: int, amount: int | float, flag: int, subtract: bool) -> int | None:
    """``ms`` shifted by ``amount`` units as ArangoDB does it; None if not representable.

    Years and months move the calendar date (fractions cascade into months, then
    30-day months); the other units add fixed milliseconds, truncated.
    """
    exact = type(amount) is int
    try:
        units = float(amount)
    except OverflowError:
        return None
    if not math.isfinite(units):
        return None
    if units < 0:
        subtract, units = not subtract, -units
    sign = -1 if subtract else 1
    years = months = 0
    if flag in (YEAR, MONTH):
        if flag == YEAR:
            units, whole = math.modf(units)
            years = int(whole)
            units = 0.0 if exact else units * 12
        units, whole = math.modf(units)
        months = int(whole)
        units = 0.0 if exact else units * 30
        flag = DAY
    shift = _UNIT_MS[flag] * units
    if not math.isfinite(shift):
        return None
    if years or months:
        ms = _add_months(ms, sign * years, sign * months)
    return ms + sign * int(shift)


def _add_or_subtract(ctx: FunctionContext, name: str, args: Sequence[Any], subtract: bool) -> Any:
    ms = _timepoint(ctx, name, args[0])
    if ms is None:
        return None
    n = len(args)
    zone = None
    if n == 4 or (n == 3 and type(args[1]) is str):
        zone = _zone_arg(ctx, name, args[3 if n == 4 else 2])
        if zone is None:
            return None
        ms = _localize(ms, zone)
    if n == 4 or (n == 3 and zone is None):
        amount, unit = args[1], args[2]
        if type(amount) not in (int, float) or type(unit) is not str:
            warn_invalid_argument(ctx, name)
            return None
        flag = _unit_flag(unit)
        result = None if flag is None else _add_unit(ms, amount, flag, subtract)
    else:
        if type(args[1]) is not str:
            warn_invalid_argument(ctx, name)
            return None
        duration = _parse_duration(args[1])
        result = None if duration is None else _apply_duration(ms, duration, subtract)
    if result is None:
        _warn_date(ctx)
        return None
    if zone is not None:
        result = _unlocalize(result, zone)
    return _iso_result(ctx, result)


@aql_function("DATE_ADD", 2, 4)
def date_add(ctx: FunctionContext, *args: Any) -> str | None:
    """DATE_ADD(date, amount, unit[, timezone]) or DATE_ADD(date, isoDuration[, timezone])."""
    return _add_or_subtract(ctx, "DATE_ADD", args, subtract=False)


@aql_function("DATE_SUBTRACT", 2, 4)
def date_subtract(ctx: FunctionContext, *args: Any) -> str | None:
    """DATE_SUBTRACT(date, amount, unit[, timezone]) or (date, isoDuration[, timezone])."""
    return _add_or_subtract(ctx, "DATE_SUBTRACT", args, subtract=True)


def _round_half_away(value: float) -> int:
    whole = math.floor(abs(value))
    if abs(value) - whole >= 0.5:
        whole += 1
    return -whole if value < 0 else whole


@aql_function("DATE_DIFF", 3, 6)
def date_diff(ctx: FunctionContext, *args: Any) -> int | float | None:
    """DATE_DIFF(date1, date2, unit[, asFloat][, timezone1[, timezone2]]): date2 - date1."""
    name = "DATE_DIFF"
    first = _timepoint(ctx, name, args[0])
    if first is None:
        return None
    second = _timepoint(ctx, name, args[1])
    if second is None:
        return None
    if type(args[2]) is not str:
        warn_invalid_argument(ctx, name)
        return None
    flag = _unit_flag(args[2])
    as_float = False
    n = len(args)
    if n > 3:
        fourth = args[3]
        if type(fourth) is bool:
            as_float = fourth
        elif type(fourth) is str:
            zone = _zone(fourth)
            first = _localize(first, zone)
            if n == 4:
                second = _localize(second, zone)
        else:
            warn_invalid_argument(ctx, name)
            return None
        if n > 4:
            zone5 = _zone_arg(ctx, name, args[4])
            if zone5 is None:
                return None
            if type(fourth) is bool:
                first = _localize(first, zone5)
                if n == 5:
                    second = _localize(second, zone5)
            else:
                second = _localize(second, zone5)
            if n == 6:
                zone6 = _zone_arg(ctx, name, args[5])
                if zone6 is None:
                    return None
                second = _localize(second, zone6)
    if flag is None:
        _warn_date(ctx)
        return None
    diff = (second - first) / _DIFF_DIVISORS[flag]
    if as_float:
        return normalize_number(diff)
    return _round_half_away(diff)


def _compare_parts(left: _Moment, right: _Moment, start: int, end: int) -> bool:
    """DATE_COMPARE's fall-through: components from ``start`` down to ``end`` must match."""
    if start == WEEK:
        return True
    fields = (
        (YEAR, "year"),
        (MONTH, "month"),
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
        (SECOND, "second"),
        (MILLI, "millisecond"),
    )
    for flag, attribute in fields:
        if flag > start:
            continue
        if flag != YEAR and end > flag:
            return True
        if getattr(left, attribute) != getattr(right, attribute):
            return False
    return True


@aql_function("DATE_COMPARE", 3, 6)
def date_compare(ctx: FunctionContext, *args: Any) -> bool | None:
    """DATE_COMPARE(date1, date2, unitStart[, unitEnd][, timezone1[, timezone2]])."""
    name = "DATE_COMPARE"
    first = _timepoint(ctx, name, args[0])
    if first is None:
        return None
    second = _timepoint(ctx, name, args[1])
    if second is None:
        return None
    start = _unit_flag(args[2])
    if start is None:
        warn_invalid_argument(ctx, name)
        return None
    end = start
    n = len(args)
    if n > 3:
        parsed_end = _unit_flag(args[3])
        zone_index = end_zone_index = 0
        if parsed_end is None:
            if n == 6:
                warn_invalid_argument(ctx, name)
                return None
            zone_index, end_zone_index = 3, n - 1
        else:
            end = parsed_end
            if n > 4:
                zone_index, end_zone_index = 4, n - 1
        if zone_index:
            zone = _zone_arg(ctx, name, args[zone_index])
            if zone is None:
                return None
            first = _localize(first, zone)
            if end_zone_index != zone_index:
                zone = _zone_arg(ctx, name, args[end_zone_index])
                if zone is None:
                    return None
            second = _localize(second, zone)
    return _compare_parts(_Moment(first), _Moment(second), start, end)


# --------------------------------------------------------------------------- time zones


def _conversion_detail(ctx: FunctionContext, name: str, args: Sequence[Any]) -> bool | None:
    if len(args) < 3:
        return False
    if type(args[2]) is not bool:
        warn_invalid_argument(ctx, name)
        return None
    return bool(args[2])


def _conversion_arguments(
    ctx: FunctionContext, name: str, args: tuple[Any, ...]
) -> tuple[int, bool] | None:
    """The date (ms) and the zone-info flag of DATE_UTCTOLOCAL / DATE_LOCALTOUTC, or None (warned)."""
    ms = _timepoint(ctx, name, args[0])
    if ms is None:
        return None
    if type(args[1]) is not str:
        warn_invalid_argument(ctx, name)
        return None
    detail = _conversion_detail(ctx, name, args)
    if detail is None:
        return None
    return ms, detail


@aql_function("DATE_UTCTOLOCAL", 2, 3)
def date_utctolocal(ctx: FunctionContext, *args: Any) -> Any:
    """The UTC date as wall-clock time in a zone (``Z`` only where the offset is zero)."""
    name = "DATE_UTCTOLOCAL"
    parsed = _conversion_arguments(ctx, name, args)
    if parsed is None:
        return None
    ms, detail = parsed
    zone = _zone(args[1])
    period = _period_at(zone, ms // MS_PER_SECOND)
    local = ms + period.offset * MS_PER_SECOND
    text = _iso_result(ctx, local, utc=period.offset == 0 and period.dst == 0)
    if not detail:
        return text
    return {"local": text, "tzdb": _TZDB_VERSION, "zoneInfo": _zone_info(zone, ms)}


@aql_function("DATE_LOCALTOUTC", 2, 3)
def date_localtoutc(ctx: FunctionContext, *args: Any) -> Any:
    """The date read as wall-clock time in a zone, converted to UTC."""
    name = "DATE_LOCALTOUTC"
    parsed = _conversion_arguments(ctx, name, args)
    if parsed is None:
        return None
    ms, detail = parsed
    zone = _zone(args[1])
    utc = _unlocalize(ms, zone)
    text = _iso_result(ctx, utc)
    if not detail:
        return text
    return {"utc": text, "tzdb": _TZDB_VERSION, "zoneInfo": _zone_info(zone, utc)}


@aql_function("DATE_TIMEZONE", 0)
def date_timezone(ctx: FunctionContext) -> str:
    """The IANA name of the host's time zone."""
    return _host_zone_name()


@aql_function("DATE_TIMEZONES", 0)
def date_timezones(ctx: FunctionContext) -> list[str]:
    """All IANA time-zone names (zones and links), sorted."""
    return sorted(_zone_names())
