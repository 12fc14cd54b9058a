"""IANA time zones for the date functions, from the ``tzdata`` package.

Zones are read with :mod:`zoneinfo` plus the zone's TZif file for its explicit transition
instants (``zoneinfo`` does not expose them), so every host gives the same answers.
:func:`localize` and :func:`unlocalize` move a timestamp between UTC and a zone's
wall-clock time (a local time the zone skips or repeats raises a
:class:`~arangoml_meta.errors.QueryError`, as ArangoDB aborts the query);
:func:`zone_info` is the ``zoneInfo`` object of DATE_UTCTOLOCAL / DATE_LOCALTOUTC;
:func:`zone_named` raises for an unknown zone.
"""

from __future__ import annotations

import bisect
import io
import os
import struct
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from ...errors import ERROR_INTERNAL, QueryError
from .calendar import EPOCH, MS_PER_SECOND, format_iso

try:
    from tzdata import IANA_VERSION as TZDB_VERSION
except ImportError:  # pragma: no cover - tzdata is a declared dependency
    TZDB_VERSION = None


# datetime cannot hold year 0 or 10000: look offsets up inside these bounds
_LOOKUP_MIN_S = -62_135_510_400  # 0001-01-02
_LOOKUP_MAX_S = 253_402_128_000  # 9999-12-30
_SCAN_STEP_S = 86_400
_SCAN_STEPS = 400


@dataclass(frozen=True)
class Zone:
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
def zone_names() -> frozenset[str]:
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
def _load_zone(name: str) -> Zone | None:
    if name not in zone_names():
        return None
    data = _tzif_bytes(name)
    if data is None:
        return None
    try:
        info = ZoneInfo.from_file(io.BytesIO(data), key=name)
    except ValueError:
        return None
    transitions, has_rules = _parse_tzif(data)
    return Zone(name, info, tuple(transitions), has_rules)


def zone_named(name: str) -> Zone:
    """The named zone; an unknown name aborts the query as it does in ArangoDB."""
    zone = _load_zone(name)
    if zone is None:
        raise QueryError(f"{name} not found in timezone database", ERROR_INTERNAL)
    return zone


def period_at(zone: Zone, seconds: int) -> _Period:
    """The zone's offset, DST and abbreviation at a UTC instant (in seconds)."""
    seconds = min(max(seconds, _LOOKUP_MIN_S), _LOOKUP_MAX_S)
    local = (EPOCH + timedelta(seconds=seconds)).astimezone(zone.info)
    offset = local.utcoffset() or timedelta(0)
    dst = local.dst() or timedelta(0)
    return _Period(int(offset.total_seconds()), int(dst.total_seconds()), local.tzname() or "")


def localize(ms: int, zone: Zone) -> int:
    """UTC timestamp to the same wall-clock reading in ``zone``, as a naive timestamp."""
    return ms + period_at(zone, ms // MS_PER_SECOND).offset * MS_PER_SECOND


def _format_seconds(seconds: int) -> str:
    return (format_iso(seconds * MS_PER_SECOND, utc=False) or "")[:19].replace("T", " ")


def _format_local(ms: int) -> str:
    return (format_iso(ms, utc=False) or "").replace("T", " ")


def unlocalize(local_ms: int, zone: Zone) -> int:
    """Wall-clock reading in ``zone`` to UTC timestamp.

    A reading the zone skips or repeats raises, as ArangoDB's date library does.
    """
    local_s = local_ms // MS_PER_SECOND
    offsets = {period_at(zone, local_s + k * _SCAN_STEP_S).offset for k in (-2, -1, 0, 1, 2)}
    valid = sorted(
        offset for offset in offsets if period_at(zone, local_s - offset).offset == offset
    )
    if len(valid) == 1:
        return local_ms - valid[0] * MS_PER_SECOND
    if valid:
        readings = [
            f"{_format_local(local_ms)} {period_at(zone, local_s - offset).abbrev} == "
            f"{_format_local(local_ms - offset * MS_PER_SECOND)} UTC"
            for offset in (valid[-1], valid[0])  # the earlier instant first
        ]
        message = f"{_format_local(local_ms)} is ambiguous.  It could be\n" + " or\n".join(readings)
        raise QueryError(message, ERROR_INTERNAL)
    low, high = local_s - max(offsets), local_s - min(offsets)
    before = period_at(zone, low)
    while high - low > 1:
        mid = (low + high) // 2
        if period_at(zone, mid).key == before.key:
            low = mid
        else:
            high = mid
    after = period_at(zone, high)
    message = (
        f"{_format_local(local_ms)} is in a gap between\n"
        f"{_format_seconds(high + before.offset)} {before.abbrev} and\n"
        f"{_format_seconds(high + after.offset)} {after.abbrev} which are both equivalent to\n"
        f"{_format_seconds(high)} UTC"
    )
    raise QueryError(message, ERROR_INTERNAL)


def _bisect_change(zone: Zone, same: int, other: int, key: tuple[int, bool, str]) -> int:
    """The instant next to ``same`` (key holds) at which the key starts or stops holding."""
    while abs(other - same) > 1:
        mid = (same + other) // 2
        if period_at(zone, mid).key == key:
            same = mid
        else:
            other = mid
    return max(same, other)


def _rule_change(zone: Zone, seconds: int, direction: int, bound: int | None) -> int | None:
    """The nearest rule-driven change of key from ``seconds`` in ``direction`` (+1 or -1)."""
    key = period_at(zone, seconds).key
    current = seconds
    for _ in range(_SCAN_STEPS):
        probe = current + direction * _SCAN_STEP_S
        if bound is not None and direction < 0 and probe <= bound:
            probe = bound
        if period_at(zone, probe).key != key:
            return _bisect_change(zone, current, probe, key)
        if probe == bound:
            return None
        current = probe
    return None


def _period_bounds(zone: Zone, seconds: int) -> tuple[int | None, int | None]:
    """Begin and end (UTC seconds, None for open) of the zone's period around ``seconds``."""
    key = period_at(zone, seconds).key
    transitions = zone.transitions
    last = transitions[-1] if transitions else None
    begin = None
    if zone.has_rules and (last is None or seconds > last):
        begin = _rule_change(zone, seconds, -1, last)
    if begin is None:
        index = bisect.bisect_right(transitions, seconds) - 1
        while index >= 0 and begin is None:
            if period_at(zone, transitions[index] - 1).key != key:
                begin = transitions[index]
            index -= 1
    end = None
    for instant in transitions[bisect.bisect_right(transitions, seconds) :]:
        if period_at(zone, instant).key != key:
            end = instant
            break
    if end is None and zone.has_rules:
        end = _rule_change(zone, max(seconds, last if last is not None else seconds), 1, None)
    return begin, end


def zone_info(zone: Zone, utc_ms: int) -> dict[str, Any]:
    """The ``zoneInfo`` object of DATE_UTCTOLOCAL / DATE_LOCALTOUTC."""
    seconds = utc_ms // MS_PER_SECOND
    period = period_at(zone, seconds)
    begin, end = _period_bounds(zone, seconds)
    return {
        "name": period.abbrev,
        "begin": None if begin is None else format_iso(begin * MS_PER_SECOND),
        "end": None if end is None else format_iso(end * MS_PER_SECOND),
        "dst": period.dst != 0,
        "offset": period.offset,
    }


def host_zone_name() -> str:
    """The host's IANA time zone: ``TZ``, then ``/etc/localtime``, then ``/etc/timezone``."""
    names = zone_names()
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
