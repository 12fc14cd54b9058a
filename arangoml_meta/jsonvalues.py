"""The values pipelines pass, as the JSON values the store keeps.

Pipeline code hands the store what pandas, numpy and scikit-learn give it:
``np.float64(0.93)``, ``np.int64(5)``, ``np.bool_(True)``, a ``datetime``, a
``Decimal``, a ``Path``, a ``UUID``, an enum member. Each has an obvious JSON
value, and :func:`as_json` gives it, recursively, before a document is
validated and written:

- numpy scalars and arrays: their Python value (``.item()`` / ``.tolist()``);
- ``datetime``: ISO 8601 in UTC as the store writes its own times
  (``YYYY-MM-DDTHH:MM:SS.sssZ``; a naive one is taken as UTC); ``date`` and
  ``time``: ``isoformat()``;
- ``Decimal``: the integer, or the float that prints as the same number; one
  that no float holds exactly is refused rather than rounded;
- ``Path``, ``UUID``: their text; an enum member: its value;
- tuples: arrays; other mappings: objects.

Anything else (a set, an object, ``bytes``) is not a JSON value and is refused
with 1227, naming where it was.

Numbers are kept exactly or refused, never rounded or turned into text, and the
same on every backend:

- ``NaN`` and infinities (``1e400`` reads as one) are refused: JSON has no such number;
- integers from -2**63 to 2**64-1 are stored and returned exactly (ArangoDB keeps
  them as int64 / uint64; AQL's arithmetic and comparisons on them, as ArangoDB's,
  are in doubles beyond 2**53); an integer beyond that range (2**70) is refused,
  as ArangoDB would read it as a rounded double: pass it as a string;
- other numbers are IEEE doubles, as JSON and ArangoDB read them.

:func:`check_bind_vars` applies the same rule to a query's bind parameters (1553),
and :func:`parse_json` to JSON text (the CLI's values): Python's reader would take
``NaN``, ``Infinity`` and ``1e400`` (as infinity) without a word.
"""

from __future__ import annotations

import enum
import json
import math
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from .environment import to_iso
from .errors import (
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    BindParameterError,
    DocumentError,
)

INT_MIN = -(2**63)  # the integers both backends store exactly: int64 ...
INT_MAX = 2**64 - 1  # ... and uint64


def as_json(value: Any, where: str = "value") -> Any:
    """``value`` with every part a JSON value (see the module docstring); 1227 otherwise,
    also for a value nested deeper than Python can follow (a few hundred levels)."""
    try:
        return _json_value(value, where)
    except RecursionError:
        raise _refused(
            f"{where} is nested too deeply (arrays or objects several hundred levels deep): "
            "store such a structure flatter, or as a file the document points to"
        ) from None


def _json_value(value: Any, where: str) -> Any:
    t = type(value)
    if t is str or t is bool or value is None:
        return value
    if t is int:
        return _exact(value, where)
    if t is float:
        return _finite(value, where)
    if t is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _refused(f"{where}: the attribute name {key!r} is not a string")
            ti = type(item)
            leaf = (
                ti is str
                or ti is bool
                or (ti is float and math.isfinite(item))
                or (ti is int and INT_MIN <= item <= INT_MAX)
            )
            out[key] = item if leaf else _json_value(item, f"{where}.{key}")
        return out
    if t is list or t is tuple:
        return [_json_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return _converted(value, where)


def _converted(value: Any, where: str) -> Any:
    module = type(value).__module__
    if (module == "numpy" or module.startswith("numpy.")) and hasattr(value, "tolist"):
        return _json_value(value.tolist(), where)  # scalars and arrays alike
    if isinstance(value, bool):  # a bool subclass
        return bool(value)
    if isinstance(value, enum.Enum):
        return _json_value(value.value, where)
    if isinstance(value, int):  # an int subclass (IntEnum is handled above)
        return _exact(int(value), where)
    if isinstance(value, float):
        return _finite(float(value), where)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal(value, where)
    if isinstance(value, (PurePath, uuid.UUID)):
        return str(value)
    if isinstance(value, Mapping):
        return _json_value(dict(value), where)
    raise _refused(f"{where}: a {type(value).__name__} is not a JSON value")


def _finite(number: float, where: str) -> float:
    if math.isfinite(number):
        return number
    raise _refused(f"{where}: {number!r} is not a JSON number")


def _exact(number: int, where: str) -> int:
    if INT_MIN <= number <= INT_MAX:
        return number
    raise _refused(
        f"{where}: the integer {number} is beyond 64 bits (-2**63 to 2**64-1) and would "
        "be rounded; pass it as a string"
    )


def _decimal(number: Decimal, where: str) -> int | float:
    if not number.is_finite():
        raise _refused(f"{where}: {number} is not a JSON number")
    if number == number.to_integral_value():
        return _exact(int(number), where)
    as_float = float(number)
    if Decimal(repr(as_float)) != number.normalize():
        raise _refused(
            f"{where}: {number} has more digits than a JSON number holds; "
            "pass it as a string, or round it"
        )
    return as_float


def _refused(message: str) -> DocumentError:
    return DocumentError(f"invalid document: {message}", ERROR_ARANGO_DOCUMENT_TYPE_INVALID)


def check_bind_vars(bind_vars: dict[str, Any] | None) -> dict[str, Any]:
    """``bind_vars`` with every value a JSON value, by :func:`as_json`; 1553 otherwise."""
    checked: dict[str, Any] = {}
    for name, value in (bind_vars or {}).items():
        try:
            checked[name] = as_json(value, f"bind parameter {name!r}")
        except DocumentError as exc:
            raise BindParameterError(
                exc.message.removeprefix("invalid document: "), ERROR_QUERY_BIND_PARAMETER_TYPE
            ) from None
    return checked


class NotAJSONNumber(ValueError):
    """JSON text holds a number no JSON value can: ``NaN``, ``Infinity``, ``1e400``."""

    def __init__(self, literal: str) -> None:
        super().__init__(f"{literal} is not a JSON number")
        self.literal = literal


def _no_constant(literal: str) -> Any:
    raise NotAJSONNumber(literal)


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise NotAJSONNumber(literal)
    return number


def parse_json(text: str) -> Any:
    """``json.loads`` that refuses ``NaN``, ``Infinity`` and numbers beyond a double
    (:class:`NotAJSONNumber`) instead of reading them as non-finite floats."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
