"""String order for AQL comparisons and SORT.

ArangoDB compares strings with an ICU collator (English rules, tertiary
strength, punctuation not ignorable, upper case first), not by code points:
``SORTED(['P', 'a', 'A', 'j', 'c', 'C'])`` is ``["A", "a", "C", "c", "j", "P"]``,
``"_" < "-" < "0"`` and ``"?" < "0"`` (punctuation before digits before
letters). This module approximates that order without ICU: a primary key
(punctuation and symbols, then digits, then letters case- and
accent-insensitively), then accents, then case (upper before lower), then code
points as the final tie break, so that only identical strings compare equal.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# ICU root order of the ASCII punctuation and symbols (all before digits).
_ASCII_SYMBOLS = "\t\n\x0b\x0c\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"

_GROUP_SYMBOL = 1
_GROUP_DIGIT = 2
_GROUP_LETTER = 3
_GROUP_OTHER = 4


def _ascii_weights() -> dict[str, tuple[int, int]]:
    weights: dict[str, tuple[int, int]] = {}
    for i, ch in enumerate(_ASCII_SYMBOLS):
        weights[ch] = (_GROUP_SYMBOL, i)
    for i in range(10):
        weights[str(i)] = (_GROUP_DIGIT, i)
    for i in range(26):
        weights[chr(ord("a") + i)] = (_GROUP_LETTER, i * 4)
        weights[chr(ord("A") + i)] = (_GROUP_LETTER, i * 4)
    return weights


_ASCII = _ascii_weights()


def _char_primary(ch: str) -> tuple[tuple[int, int], ...]:
    weight = _ASCII.get(ch)
    if weight is not None:
        return (weight,)
    if ord(ch) < 32:
        return ()  # other control characters are ignorable
    folded = ch.casefold()
    if folded != ch and all(c in _ASCII for c in folded):
        return tuple(_ASCII[c] for c in folded)
    category = unicodedata.category(ch)
    if category[0] in "PSZ":
        return ((_GROUP_SYMBOL, 1000 + ord(ch)),)
    if category == "Nd":
        return ((_GROUP_DIGIT, unicodedata.digit(ch, 0)),)
    if category[0] == "L" and ch.isascii():
        return ((_GROUP_LETTER, (ord(folded) - ord("a")) * 4),)
    return ((_GROUP_OTHER, ord(folded[0]) if folded else ord(ch)),)


@lru_cache(maxsize=131072)
def collation_key(text: str) -> tuple[tuple[object, ...], ...]:
    """A sort key whose order approximates ICU's root collation of ``text``."""
    primary: list[tuple[int, int]] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            secondary.append(ord(ch))
            continue
        weights = _char_primary(ch)
        primary.extend(weights)
        secondary.append(0)
        tertiary.append(0 if ch.isupper() else 1)
    return (tuple(primary), tuple(secondary), tuple(tertiary), (text,))


def compare_strings(left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` sorts before, equal to or after ``right``."""
    if left == right:
        return 0
    lk = collation_key(left)
    rk = collation_key(right)
    return -1 if lk < rk else 1
