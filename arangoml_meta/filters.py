"""Structured filters → AQL with every path and value bound, never spliced.

``{"framework": "sklearn", "metrics.accuracy": {">": 0.9}, "tags": {"contains": "gdpr"}}``
becomes ``FILTER d.@p0 == @v0 AND (IS_NUMBER(d.@p1) AND d.@p1 > @v1) AND @v2 IN d.@p2``
with the attribute paths bound as arrays of names. Unknown operators and
malformed paths are refused with a clear error.

What a condition means when the attribute is missing (or null) — AQL alone
would say ``null < 1`` is true, and ``"many" > 5`` too, by its type order:

- an ordering comparison (``<``, ``<=``, ``>``, ``>=``) matches only an
  attribute of the same JSON type as the value (a number with a number, a
  string with a string, ...), so it never matches a missing or null attribute;
  compared with ``null`` itself it keeps AQL's meaning (``{"<=": None}``
  matches missing and null, ``{">": None}`` anything set);
- ``==`` null (or ``{"exists": False}``) matches a missing attribute;
  ``!=`` a value matches a missing attribute (missing is not that value);
- ``in`` matches a missing attribute only when the list holds null;
  ``not in`` matches it unless the list holds null;
- ``contains`` and ``like`` never match a missing attribute (``like`` matches
  strings only; AQL would read null as ``""``).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import BadParameterError, DocumentError
from .jsonvalues import as_json

_EQUAL = "d.@{p} == @{v}"
_NOT_EQUAL = "d.@{p} != @{v}"
_IN = "d.@{p} IN @{v}"
_NOT_IN = "d.@{p} NOT IN @{v}"
_ORDERED = {
    "<": "d.@{p} < @{v}",
    "<=": "d.@{p} <= @{v}",
    ">": "d.@{p} > @{v}",
    ">=": "d.@{p} >= @{v}",
}
OPERATORS: dict[str, str] = {
    "==": _EQUAL,
    "eq": _EQUAL,
    "!=": _NOT_EQUAL,
    "ne": _NOT_EQUAL,
    "<": _ORDERED["<"],
    "lt": _ORDERED["<"],
    "<=": _ORDERED["<="],
    "le": _ORDERED["<="],
    ">": _ORDERED[">"],
    "gt": _ORDERED[">"],
    ">=": _ORDERED[">="],
    "ge": _ORDERED[">="],
    "in": _IN,
    "not in": _NOT_IN,
    "contains": "@{v} IN d.@{p}",
    "like": "IS_STRING(d.@{p}) AND LIKE(d.@{p}, @{v}, true)",
    "exists": "(@{v} ? d.@{p} != null : d.@{p} == null)",
}
ORDERING = frozenset(_ORDERED.values())
# the AQL test of "the same JSON type as the value", by the value's Python type
_SAME_TYPE: dict[type, str] = {
    bool: "IS_BOOL",
    int: "IS_NUMBER",
    float: "IS_NUMBER",
    str: "IS_STRING",
    list: "IS_ARRAY",
    dict: "IS_OBJECT",
}
_SEGMENT = re.compile(r"^[^.\x00]{1,254}$")


def attribute_path(path: str, what: str = "filter attribute") -> list[str]:
    """``"metrics.accuracy"`` → ``["metrics", "accuracy"]`` (validated)."""
    if not isinstance(path, str) or not path:
        raise BadParameterError(f"invalid {what} {path!r}")
    segments = path.split(".")
    if not all(_SEGMENT.match(s) for s in segments):
        raise BadParameterError(f"invalid {what} {path!r}")
    return segments


def condition(op: str, p: str, v: str, value: Any) -> str:
    """The AQL of one condition on ``d.@p`` against ``@v`` (see the module docstring)."""
    template = OPERATORS.get(str(op).lower())
    if template is None:
        raise BadParameterError(f"unknown filter operator {op!r}; use one of {sorted(OPERATORS)}")
    clause = template.format(p=p, v=v)
    if template in ORDERING and value is not None:
        same_type = _SAME_TYPE.get(type(value))
        if same_type is None:
            raise BadParameterError(
                f"filter operator {op!r} compares with a number, string, boolean, array or "
                f"object, not {value!r}"
            )
        clause = f"({same_type}(d.@{p}) AND {clause})"
    return clause


def compile_filters(filters: dict[str, Any] | None, bind: dict[str, Any]) -> str:
    """AQL FILTER lines for ``filters`` on variable ``d``; adds the bind parameters to ``bind``."""
    if not filters:
        return ""
    clauses: list[str] = []
    for i, (path, wanted) in enumerate(filters.items()):
        conditions = wanted if isinstance(wanted, dict) and wanted else {"==": wanted}
        for j, (op, value) in enumerate(conditions.items()):
            p, v = f"fp{i}", f"fv{i}_{j}"
            value = _json_value(value, path)
            clause = condition(op, p, v, value)
            bind[p] = attribute_path(path)
            bind[v] = value
            clauses.append(clause)
    return "FILTER " + " AND ".join(clauses)


def _json_value(value: Any, path: str) -> Any:
    """The value as the JSON value it is compared as (numpy scalars, datetimes, ...)."""
    try:
        return as_json(value, f"the filter on {path!r}")
    except DocumentError as exc:
        raise BadParameterError(exc.message.removeprefix("invalid document: ")) from None
