"""Where an index's string order (code points) may disagree with AQL's, next to one string.

SQLite orders strings by code point; AQL by a collation (``collation.py``):
``"a" < "B"`` there, ``":" < "0"``. Still, for a string ``b`` of ASCII
characters the two orders agree on every string ``s`` past ``b`` in code
point order, except those whose first character differing from ``b`` (at
position ``i``, after ``b[:i]``) is "unsafe" against ``b[i]``: a character
that does not carry exactly one primary weight, or whose weight is not
strictly past ``b[i]``'s. For any other ``s``, NFD leaves the ASCII prefix
and the starter at ``i`` alone, so the primary weights first differ at ``i``
and AQL orders ``s`` past ``b`` too. A string that extends ``b`` comes after
it in both orders (ascending); one ``b`` extends comes before it in both.

:func:`unsafe_ranges` lists the code point ranges of the strings at risk,
whose absence a few index seeks can check: then the rows up to ``b`` in
index order are all the rows that may sort up to ``b`` in AQL's order.
:func:`in_aql_order` shows that strings read in code point order (keys, ISO
timestamps) are in AQL's order too, without a collation key each.
"""

from __future__ import annotations

import functools
import itertools
import operator
from typing import Any

from .collation import collation_key

_ASCII_END = 0x80
_FIRST_PRINTABLE = 0x20
# (first string, end string or None for no end) of a range of strings
Range = tuple[str, str | None]


def _weight(ch: str) -> Any:
    """The one primary weight of a character, or None (ignorable, or more than one)."""
    primary = collation_key(ch)[0]
    return primary[0] if len(primary) == 1 else None


@functools.lru_cache(maxsize=256)
def _unsafe_codes(ch: str, ascending: bool) -> tuple[tuple[int, int | None], ...]:
    """Code point ranges ``[lo, hi)`` (``hi`` None: unbounded) of the characters past
    ``ch`` in code point order (above when ascending, below otherwise) that AQL may
    not order past ``ch``."""
    mine = _weight(ch)
    codes = range(ord(ch) + 1, _ASCII_END) if ascending else range(ord(ch))
    runs: list[tuple[int, int | None]] = []
    for code in codes:
        weight = _weight(chr(code))
        safe = (
            code >= _FIRST_PRINTABLE  # all controls count unsafe: one range, not two, a place
            and mine is not None
            and weight is not None
            and (weight > mine if ascending else weight < mine)
        )
        if safe:
            continue
        if runs and runs[-1][1] == code:
            runs[-1] = (runs[-1][0], code + 1)
        else:
            runs.append((code, code + 1))
    if ascending:  # every character beyond ASCII: its weights are not checked here
        if runs and runs[-1][1] == _ASCII_END:
            runs[-1] = (runs[-1][0], None)
        else:
            runs.append((_ASCII_END, None))
    return tuple(runs)


@functools.lru_cache(maxsize=1024)  # a page or the newest is read again and again
def unsafe_ranges(
    boundary: str, ascending: bool, last: str | None = None
) -> tuple[Range, ...] | None:
    """The ranges of strings past ``boundary`` in code point order (above it when
    ascending) that AQL may order before it or equal to it; None when ``boundary``
    is not ASCII (no such ranges are computed then).

    ``last``, the last string in code point order (the greatest when ascending),
    drops the ranges no string up to it can be in: those at the places of the
    prefix it shares with ``boundary``, and those wholly past it.
    """
    if not boundary.isascii():
        return None
    shared = 0 if last is None else _common_prefix(boundary, last)
    ranges: list[Range] = []
    for i in range(shared, len(boundary)):
        prefix = boundary[:i]
        for lo, hi in _unsafe_codes(boundary[i], ascending):
            first = prefix + chr(lo)
            end = prefix + chr(hi) if hi is not None else _successor(prefix)
            if last is not None and (
                first > last if ascending else end is not None and end <= last
            ):
                continue
            ranges.append((first, end))
    return tuple(ranges)


def _common_prefix(left: str, right: str) -> int:
    """How many first characters two strings share."""
    n = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        n += 1
    return n


def _successor(prefix: str) -> str | None:
    """The least string past every string starting with ``prefix`` (an ASCII one)."""
    if not prefix:
        return None
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_CHUNK = 1024  # strings checked at a time (:func:`in_aql_order`)
# each printable ASCII character (one primary weight each) -> a character whose code
# point ranks that weight among theirs: upper and lower case rank alike
_PRINTABLE = "".join(map(chr, range(_FIRST_PRINTABLE, _ASCII_END - 1)))
_WEIGHTS = sorted({_weight(ch) for ch in _PRINTABLE})
_RANKS = {ord(ch): chr(_FIRST_PRINTABLE + _WEIGHTS.index(_weight(ch))) for ch in _PRINTABLE}


def in_aql_order(texts: list[str]) -> bool:
    """Whether strings in code point order are in AQL's order too. Shown when all are
    printable ASCII and their primary weights (as strings of ranks) rise with them,
    strictly from one string to a different one: then the primary level alone orders
    each two as code points do. False when not shown (they may be in order all the same).
    """
    # each two neighbours: a chunk at a time, the next starting with the last one's end
    for start in range(0, max(len(texts) - 1, 1), _CHUNK):
        chunk = texts[start : start + _CHUNK + 1]
        joined = "".join(chunk)
        if not (joined.isascii() and joined.isprintable()):
            return False
        primary = [text.translate(_RANKS) for text in chunk]
        if not all(map(operator.le, primary, itertools.islice(primary, 1, None))):
            return False
        if len(set(primary)) != len(set(chunk)):  # rising: equal ones are neighbours
            return False
    return True
