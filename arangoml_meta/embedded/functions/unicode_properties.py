"""Unicode properties for ICU regular expressions: the code points of ``\\p{...}``.

General categories come from :mod:`unicodedata`; binary and POSIX-like properties
(``Alphabetic``, ``White_Space``, ``[:alnum:]``, ...) are approximated from the categories,
and scripts from character names (Python has no script property). A name is matched
loosely as ICU does (case, spaces, ``_`` and ``-`` ignored; ``gc=``/``sc=`` prefixes). An
unknown name raises :class:`UnknownPropertyError`, which the regex translator reports as
an invalid pattern.
"""

from __future__ import annotations

import functools
import re
import unicodedata


class UnknownPropertyError(ValueError):
    """A ``\\p{...}`` name that is no category, binary property or script."""


@functools.lru_cache(maxsize=1)
def _category_runs() -> tuple[tuple[int, int, str], ...]:
    """Runs ``(first, last, general category)`` covering all code points."""
    runs: list[tuple[int, int, str]] = []
    start, current = 0, unicodedata.category("\x00")
    for cp in range(1, 0x110000):
        category = unicodedata.category(chr(cp))
        if category != current:
            runs.append((start, cp - 1, current))
            start, current = cp, category
    runs.append((start, 0x10FFFF, current))
    return tuple(runs)


Ranges = tuple[tuple[int, int], ...]


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    next_start = 0
    for lo, hi in ranges:
        if lo > next_start:
            out.append((next_start, lo - 1))
        next_start = hi + 1
    if next_start <= 0x10FFFF:
        out.append((next_start, 0x10FFFF))
    return tuple(out)


def categories(*prefixes: str) -> Ranges:
    return _merge([(lo, hi) for lo, hi, cat in _category_runs() if cat.startswith(prefixes)])


def _chars(text: str) -> Ranges:
    return _merge([(ord(ch), ord(ch)) for ch in text])


WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_GENERAL_CATEGORIES = {
    "letter": "L",
    "casedletter": "LC",
    "uppercaseletter": "Lu",
    "lowercaseletter": "Ll",
    "titlecaseletter": "Lt",
    "modifierletter": "Lm",
    "otherletter": "Lo",
    "mark": "M",
    "combiningmark": "M",
    "nonspacingmark": "Mn",
    "spacingmark": "Mc",
    "enclosingmark": "Me",
    "number": "N",
    "decimalnumber": "Nd",
    "letternumber": "Nl",
    "othernumber": "No",
    "punctuation": "P",
    "connectorpunctuation": "Pc",
    "dashpunctuation": "Pd",
    "openpunctuation": "Ps",
    "closepunctuation": "Pe",
    "initialpunctuation": "Pi",
    "finalpunctuation": "Pf",
    "otherpunctuation": "Po",
    "symbol": "S",
    "mathsymbol": "Sm",
    "currencysymbol": "Sc",
    "modifiersymbol": "Sk",
    "othersymbol": "So",
    "separator": "Z",
    "spaceseparator": "Zs",
    "lineseparator": "Zl",
    "paragraphseparator": "Zp",
    "other": "C",
    "control": "Cc",
    "format": "Cf",
    "surrogate": "Cs",
    "privateuse": "Co",
    "unassigned": "Cn",
}
_CATEGORY_CODES = {code.lower(): code for code in _GENERAL_CATEGORIES.values()}


def _binary_property(key: str) -> Ranges | None:
    """Binary and POSIX-like properties (approximated from general categories)."""
    if key == "any":
        return ((0, 0x10FFFF),)
    if key == "ascii":
        return ((0, 0x7F),)
    if key == "assigned":
        return complement(categories("Cn"))
    if key in ("alphabetic", "alpha"):
        return categories("L", "Nl")
    if key in ("whitespace", "space", "wspace"):
        return _chars(WHITE_SPACE)
    if key in ("uppercase", "upper"):
        return categories("Lu")
    if key in ("lowercase", "lower"):
        return categories("Ll")
    if key in ("digit",):
        return categories("Nd")
    if key == "alnum":
        return _merge([*categories("L", "Nl"), *categories("Nd")])
    if key == "xdigit":
        return _merge([*categories("Nd"), (0x41, 0x46), (0x61, 0x66)])
    if key == "blank":
        return _merge([*categories("Zs"), (0x09, 0x09)])
    if key in ("punct",):
        return categories("P")
    if key in ("cntrl",):
        return categories("Cc")
    if key in ("word",):
        return _merge([*categories("L", "M", "Nd", "Pc"), (0x200C, 0x200D)])
    if key in ("graph", "print"):
        invisible = [*_chars(WHITE_SPACE), *categories("Cc", "Cs", "Cn")]
        graph = complement(_merge(invisible))
        return _merge([*graph, *categories("Zs")]) if key == "print" else graph
    return None


@functools.lru_cache(maxsize=1)
def _scripts_by_name() -> dict[str, Ranges]:
    """Scripts approximated by character names: the code points named ``<SCRIPT> ...``."""
    found: dict[str, list[tuple[int, int]]] = {}
    for cp in range(0x110000):
        name = unicodedata.name(chr(cp), "")
        if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")):
            found.setdefault("han", []).append((cp, cp))
        elif name:
            found.setdefault(name.split(" ", 1)[0].lower(), []).append((cp, cp))
    return {script: _merge(cps) for script, cps in found.items()}


def _script_ranges(script: str) -> Ranges | None:
    return _scripts_by_name().get("han" if script == "hani" else script)


@functools.lru_cache(maxsize=256)
def property_ranges(name: str) -> Ranges:
    """The code point ranges of ``\\p{name}`` (ICU loose matching of the name)."""
    key = re.sub(r"[\s_\-]", "", name).lower()
    for prefix in ("generalcategory=", "gc="):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    script = None
    for prefix in ("script=", "sc="):
        if key.startswith(prefix):
            script = key[len(prefix) :]
    if script is None:
        code = _CATEGORY_CODES.get(key) or _GENERAL_CATEGORIES.get(key)
        if key == "l&":
            code = "LC"
        if code == "LC":
            return categories("Lu", "Ll", "Lt")
        if code is not None:
            return categories(code)
        binary = _binary_property(key)
        if binary is not None:
            return binary
        script = key
    ranges = _script_ranges(script) if script.isalpha() else None
    if ranges is None:
        raise UnknownPropertyError(f"unknown property {name}")
    return ranges
