"""AQL values: type order, comparison, casts, number and JSON formatting.

AQL values are plain Python JSON values: ``None``, ``bool``, ``int``/``float``,
``str``, ``list`` and ``dict``. Values are never mutated once produced; every
operation that changes one builds a new value. This module holds the rules of
ArangoDB 3.12 that every other part of the engine relies on:

- type order ``null < bool < number < string < array < object``;
- :func:`compare` and :func:`equal` (arrays element-wise, objects by the union
  of their attribute names, a missing element or attribute counting as null);
- the implicit casts :func:`to_bool`, :func:`to_number`, :func:`to_string`,
  :func:`to_array`;
- numbers: doubles whose whole values print without ``.0``
  (:func:`normalize_number`, :func:`format_number`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .collation import collation_key, compare_strings

TYPE_NULL = 0
TYPE_BOOL = 1
TYPE_NUMBER = 2
TYPE_STRING = 3
TYPE_ARRAY = 4
TYPE_OBJECT = 5

_TYPE_RANK: dict[type, int] = {
    type(None): TYPE_NULL,
    bool: TYPE_BOOL,
    int: TYPE_NUMBER,
    float: TYPE_NUMBER,
    str: TYPE_STRING,
    list: TYPE_ARRAY,
    tuple: TYPE_ARRAY,
    dict: TYPE_OBJECT,
}

TYPE_NAMES = ("null", "bool", "number", "string", "array", "object")

_MAX_SAFE_INT = 2**53
# the range of ArangoDB's (VelocyPack's) signed integers
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def type_rank(value: Any) -> int:
    """The position of ``value``'s type in AQL's type order (null=0 … object=5)."""
    rank = _TYPE_RANK.get(type(value))
    if rank is None:
        raise TypeError(f"not an AQL value: {type(value).__name__}")
    return rank


def type_name(value: Any) -> str:
    """AQL's name for the type of ``value`` (as TYPENAME() prints it)."""
    return TYPE_NAMES[type_rank(value)]


def is_number(value: Any) -> bool:
    t = type(value)
    return t is int or t is float


# --------------------------------------------------------------------------- numbers


def normalize_number(value: int | float) -> int | float | None:
    """The AQL value for a numeric result: non-finite becomes null, whole doubles ints."""
    if type(value) is int:
        if INT64_MIN <= value <= INT64_MAX:
            return value
        return normalize_number(float(value))
    if value != value or value in (math.inf, -math.inf):
        return None
    if float(value).is_integer() and -_MAX_SAFE_INT <= value <= _MAX_SAFE_INT:
        return int(value)
    return value


def format_number(value: int | float) -> str:
    """Print a number the way ArangoDB / JavaScript do (``2.0`` → ``"2"``, ``1e-7``)."""
    if type(value) is int:
        return str(value)
    if value != value or value in (math.inf, -math.inf):
        return "null"
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    sign = "-" if value < 0 else ""
    _, digit_tuple, exp = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exp = int(exp) + len(digits) - len(stripped)
    digits = stripped or "0"
    # value = 0.DIGITS * 10**point
    point = len(digits) + exp
    k = len(digits)
    if k <= point <= 21:
        out = digits + "0" * (point - k)
    elif 0 < point <= 21:
        out = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        out = "0." + "0" * (-point) + digits
    else:
        exp = point - 1
        out = (
            digits[0]
            + ("." + digits[1:] if k > 1 else "")
            + "e"
            + ("+" if exp >= 0 else "-")
            + str(abs(exp))
        )
    return sign + out


_NUMBER_RE = re.compile(r"^\s*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)\s*$")


def string_to_number(text: str) -> int | float | None:
    """The number a string represents, or None when it is not a number literal."""
    if not _NUMBER_RE.match(text):
        return None
    stripped = text.strip()
    try:
        if re.fullmatch(r"[-+]?\d+", stripped):
            return normalize_number(int(stripped))
        return normalize_number(float(stripped))
    except (ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------- casts


def to_bool(value: Any) -> bool:
    """AQL truthiness: null, false, 0 and "" are false; arrays and objects are true."""
    t = type(value)
    if t is bool:
        return value
    if value is None:
        return False
    if t is int or t is float:
        return value != 0
    if t is str:
        return value != ""
    return True


def to_number(value: Any) -> int | float:
    """AQL's implicit numeric cast (TO_NUMBER)."""
    t = type(value)
    if t is int or t is float:
        return value
    if value is None:
        return 0
    if t is bool:
        return 1 if value else 0
    if t is str:
        number = string_to_number(value)
        return 0 if number is None else number
    if t is list or t is tuple:
        if len(value) == 0:
            return 0
        if len(value) == 1:
            return to_number(value[0])
        return 0
    return 0


def to_string(value: Any) -> str:
    """AQL's implicit string cast (TO_STRING): arrays and objects become JSON."""
    t = type(value)
    if t is str:
        return value
    if value is None:
        return ""
    if t is bool:
        return "true" if value else "false"
    if t is int or t is float:
        return format_number(value)
    return json_stringify(value)


def to_array(value: Any) -> list[Any]:
    """AQL's TO_ARRAY: null → [], array as is, object → its values, else [value]."""
    t = type(value)
    if t is list:
        return value
    if value is None:
        return []
    if t is dict:
        return list(value.values())
    if t is tuple:
        return list(value)
    return [value]


def _json_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def json_stringify(value: Any) -> str:
    """Compact JSON as ArangoDB prints it (numbers as :func:`format_number`)."""
    t = type(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int or t is float:
        return format_number(value)
    if t is str:
        return _json_string(value)
    if t is list or t is tuple:
        return "[" + ",".join(json_stringify(v) for v in value) + "]"
    if t is dict:
        return (
            "{"
            + ",".join(_json_string(k) + ":" + json_stringify(v) for k, v in value.items())
            + "}"
        )
    raise TypeError(f"not an AQL value: {t.__name__}")


# --------------------------------------------------------------------------- comparison


def compare(left: Any, right: Any) -> int:
    """-1, 0 or 1: AQL's total order over all values (used by comparisons and SORT)."""
    lt = _TYPE_RANK[type(left)]
    rt = _TYPE_RANK[type(right)]
    if lt != rt:
        return -1 if lt < rt else 1
    if lt in (TYPE_NUMBER, TYPE_BOOL):
        return -1 if left < right else (1 if left > right else 0)
    if lt == TYPE_STRING:
        return compare_strings(left, right)
    if lt == TYPE_NULL:
        return 0
    if lt == TYPE_ARRAY:
        n_left, n_right = len(left), len(right)
        for i in range(max(n_left, n_right)):
            c = compare(left[i] if i < n_left else None, right[i] if i < n_right else None)
            if c:
                return c
        return 0
    keys = sorted(set(left) | set(right), key=collation_key)
    for key in keys:
        c = compare(left.get(key), right.get(key))
        if c:
            return c
    return 0


def equal(left: Any, right: Any) -> bool:
    """AQL's ``==``: same type and same value (missing attributes count as null)."""
    lt = type(left)
    rt = type(right)
    if lt is rt:
        if lt is list:
            return compare(left, right) == 0
        if lt is dict:
            return compare(left, right) == 0
        return bool(left == right)
    if (lt is int or lt is float) and (rt is int or rt is float):
        return bool(left == right)
    return False


class SortKey:
    """Wraps a value so that Python's sort uses AQL's order (stable, any types)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: SortKey) -> bool:
        return compare(self.value, other.value) < 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and compare(self.value, other.value) == 0

    def __hash__(self) -> int:  # pragma: no cover - keys are never hashed
        return 0


def hashable(value: Any) -> Any:
    """A hashable stand-in such that equal AQL values give equal stand-ins."""
    t = type(value)
    if t is float:
        return int(value) if value.is_integer() else value
    if t is bool:
        return ("b", value)
    if t is list or t is tuple:
        # trailing nulls compare equal to missing elements
        items = list(value)
        while items and items[-1] is None:
            items.pop()
        return ("a", tuple(hashable(v) for v in items))
    if t is dict:
        return ("o", frozenset((k, hashable(v)) for k, v in value.items() if v is not None))
    return value


# --------------------------------------------------------------------------- access


def get_attribute(value: Any, name: str) -> Any:
    """``value.name``: null when ``value`` is not an object or lacks the attribute."""
    if type(value) is dict:
        return value.get(name)
    return None


def get_index(value: Any, index: Any) -> Any:
    """``value[index]`` for arrays (negative counts from the end) and objects."""
    t = type(value)
    if t is list:
        it = type(index)
        if it is str:
            number = string_to_number(index)
            if number is None:
                return None
            index = number
            it = type(index)
        if it is bool or not (it is int or it is float):
            return None
        if it is float:
            if not index.is_integer():
                return None
            index = int(index)
        if index < 0:
            index += len(value)
        if 0 <= index < len(value):
            return value[index]
        return None
    if t is dict:
        if type(index) is str:
            return value.get(index)
        if is_number(index):
            return value.get(format_number(index))
        return None
    return None


def value_at(doc: Any, path: Sequence[str]) -> Any:
    """The value at an attribute path (None when missing, as an index sees it)."""
    for name in path:
        if type(doc) is not dict:
            return None
        doc = doc.get(name)
    return doc
