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

Calendar maths and date parsing live in ``calendar.py``, time zones in
``timezones.py``; an optional time-zone argument is read once, by :func:`_optional_zone`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from ...errors import ERROR_QUERY_INVALID_DATE_VALUE
from ..values import normalize_number
from .calendar import (
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    MS_PER_SECOND,
    MS_PER_WEEK,
    Moment,
    add_months,
    apply_duration,
    component_to_int,
    days_from_civil,
    format_iso,
    number_to_int,
    parse_date_string,
    parse_duration,
    to_timestamp_ms,
    year4,
)
from .registry import FunctionContext, aql_function, warn_invalid_argument
from .timezones import (
    TZDB_VERSION,
    Zone,
    host_zone_name,
    localize,
    period_at,
    unlocalize,
    zone_info,
    zone_named,
    zone_names,
)

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


def _zone_arg(ctx: FunctionContext, name: str, value: Any) -> Zone | None:
    """A time-zone argument; warns when it is not a string, raises when it is unknown."""
    if type(value) is not str:
        warn_invalid_argument(ctx, name)
        return None
    return zone_named(value)


class _WallClock:
    """Whose clock a date function reads and writes dates on: UTC's, or a time zone's."""

    __slots__ = ("zone",)

    def __init__(self, zone: Zone | None = None) -> None:
        self.zone = zone

    def local(self, ms: int) -> int:
        """The UTC timestamp ``ms`` as wall-clock time on this clock."""
        return ms if self.zone is None else localize(ms, self.zone)

    def utc(self, local_ms: int) -> int:
        """A wall-clock time on this clock back in UTC."""
        return local_ms if self.zone is None else unlocalize(local_ms, self.zone)


_UTC = _WallClock()


def _optional_zone(
    ctx: FunctionContext, name: str, args: Sequence[Any], index: int
) -> _WallClock | None:
    """The clock of the optional time-zone argument ``args[index]``: UTC when it is not
    passed, None (warned) when it is not a string; an unknown zone raises."""
    if index >= len(args):
        return _UTC
    zone = _zone_arg(ctx, name, args[index])
    return None if zone is None else _WallClock(zone)


def _local_timepoint(ctx: FunctionContext, name: str, args: Sequence[Any]) -> int | None:
    """The date of ``args[0]``, as wall-clock time in the zone ``args[1]`` if given."""
    ms = _timepoint(ctx, name, args[0])
    if ms is None or len(args) < 2:  # most calls: no zone, nothing to convert
        return ms
    clock = _optional_zone(ctx, name, args, 1)
    return None if clock is None else clock.local(ms)


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
    parts = [component_to_int(a) for a in args]
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


def _register_extractor(name: str, max_args: int, extract: Callable[[Moment], Any]) -> None:
    def impl(ctx: FunctionContext, *args: Any) -> Any:
        ms = _local_timepoint(ctx, name, args)
        return None if ms is None else extract(Moment(ms))

    impl.__name__ = impl.__qualname__ = name.lower()
    impl.__doc__ = f"AQL {name}(date{', timezone' if max_args > 1 else ''})."
    aql_function(name, 1, max_args)(impl)


def _iso_week_year(m: Moment) -> dict[str, int]:
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
    m = Moment(ms)
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
    clock = _optional_zone(ctx, "DATE_TRUNC", args, 2)
    if clock is None:
        return None
    ms = clock.local(ms)
    flag = _unit_flag(unit)
    if flag is None or flag == WEEK:
        _warn_date(ctx)
        return None
    return _iso_result(ctx, clock.utc(_truncate(ms, flag)))


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
    clock = _optional_zone(ctx, "DATE_ROUND", args, 3)
    if clock is None:
        return None
    ms = clock.local(ms)
    count = number_to_int(amount)
    factor = _ROUND_FACTORS.get(unit)
    if count is None or count <= 0 or factor is None:
        warn_invalid_argument(ctx, "DATE_ROUND")
        return None
    bucket = factor * count
    quotient = abs(ms) // bucket  # C++ integer division truncates towards zero
    ms = (quotient if ms >= 0 else -quotient) * bucket
    return _iso_result(ctx, clock.utc(ms))


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


def _format_z(m: Moment) -> str:
    return (
        f"{year4(m.year)}-{m.month:02d}-{m.day:02d}"
        f"T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.millisecond:03d}Z"
    )


# in ArangoDB's order: the first placeholder that matches at a "%" wins
_FORMATTERS: dict[str, Callable[[Moment], str]] = {
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
    moment = Moment(ms)
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
    clock = _optional_zone(ctx, "DATE_FORMAT", args, 2)
    return None if clock is None else format_date(clock.local(ms), pattern)


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
        ms = add_months(ms, sign * years, sign * months)
    return ms + sign * int(shift)


def _add_or_subtract(ctx: FunctionContext, name: str, args: Sequence[Any], subtract: bool) -> Any:
    ms = _timepoint(ctx, name, args[0])
    if ms is None:
        return None
    n = len(args)
    # (date, amount, unit[, zone]) or (date, duration[, zone])
    by_unit = n == 4 or (n == 3 and type(args[1]) is not str)
    clock = _optional_zone(ctx, name, args, 3 if by_unit else 2)
    if clock is None:
        return None
    ms = clock.local(ms)
    if by_unit:
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
        duration = parse_duration(args[1])
        result = None if duration is None else apply_duration(ms, duration, subtract)
    if result is None:
        _warn_date(ctx)
        return None
    return _iso_result(ctx, clock.utc(result))


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
            zone = zone_named(fourth)
            first = localize(first, zone)
            if n == 4:
                second = localize(second, zone)
        else:
            warn_invalid_argument(ctx, name)
            return None
        if n > 4:
            zone5 = _zone_arg(ctx, name, args[4])
            if zone5 is None:
                return None
            if type(fourth) is bool:
                first = localize(first, zone5)
                if n == 5:
                    second = localize(second, zone5)
            else:
                second = localize(second, zone5)
            if n == 6:
                zone6 = _zone_arg(ctx, name, args[5])
                if zone6 is None:
                    return None
                second = localize(second, zone6)
    if flag is None:
        _warn_date(ctx)
        return None
    diff = (second - first) / _DIFF_DIVISORS[flag]
    if as_float:
        return normalize_number(diff)
    return _round_half_away(diff)


def _compare_parts(left: Moment, right: Moment, start: int, end: int) -> bool:
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
            first = localize(first, zone)
            if end_zone_index != zone_index:
                zone = _zone_arg(ctx, name, args[end_zone_index])
                if zone is None:
                    return None
            second = localize(second, zone)
    return _compare_parts(Moment(first), Moment(second), start, end)


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
    zone = zone_named(args[1])
    period = period_at(zone, ms // MS_PER_SECOND)
    local = ms + period.offset * MS_PER_SECOND
    text = _iso_result(ctx, local, utc=period.offset == 0 and period.dst == 0)
    if not detail:
        return text
    return {"local": text, "tzdb": TZDB_VERSION, "zoneInfo": zone_info(zone, ms)}


@aql_function("DATE_LOCALTOUTC", 2, 3)
def date_localtoutc(ctx: FunctionContext, *args: Any) -> Any:
    """The date read as wall-clock time in a zone, converted to UTC."""
    name = "DATE_LOCALTOUTC"
    parsed = _conversion_arguments(ctx, name, args)
    if parsed is None:
        return None
    ms, detail = parsed
    zone = zone_named(args[1])
    utc = unlocalize(ms, zone)
    text = _iso_result(ctx, utc)
    if not detail:
        return text
    return {"utc": text, "tzdb": TZDB_VERSION, "zoneInfo": zone_info(zone, utc)}


@aql_function("DATE_TIMEZONE", 0)
def date_timezone(ctx: FunctionContext) -> str:
    """The IANA name of the host's time zone."""
    return host_zone_name()


@aql_function("DATE_TIMEZONES", 0)
def date_timezones(ctx: FunctionContext) -> list[str]:
    """All IANA time-zone names (zones and links), sorted."""
    return sorted(zone_names())
