"""Structured filters → AQL with every path and value bound, never spliced.

``{"framework": "sklearn", "metrics.accuracy": {">": 0.9}, "tags": {"contains": "gdpr"}}``
becomes ``FILTER d.@p0 == @v0 AND d.@p1 > @v1 AND @v2 IN d.@p2`` with the
attribute paths bound as arrays of names. Unknown operators and malformed
paths are refused with a clear error.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import BadParameterError

OPERATORS: dict[str, str] = {
    "==": "d.@{p} == @{v}",
    "eq": "d.@{p} == @{v}",
    "!=": "d.@{p} != @{v}",
    "ne": "d.@{p} != @{v}",
    "<": "d.@{p} < @{v}",
    "lt": "d.@{p} < @{v}",
    "<=": "d.@{p} <= @{v}",
    "le": "d.@{p} <= @{v}",
    ">": "d.@{p} > @{v}",
    "gt": "d.@{p} > @{v}",
    ">=": "d.@{p} >= @{v}",
    "ge": "d.@{p} >= @{v}",
    "in": "d.@{p} IN @{v}",
    "not in": "d.@{p} NOT IN @{v}",
    "contains": "@{v} IN d.@{p}",
    "like": "LIKE(d.@{p}, @{v}, true)",
    "exists": "(@{v} ? d.@{p} != null : d.@{p} == null)",
}
_SEGMENT = re.compile(r"^[^.\x00]{1,254}$")


def attribute_path(path: str) -> list[str]:
    """``"metrics.accuracy"`` → ``["metrics", "accuracy"]`` (validated)."""
    if not isinstance(path, str) or not path:
        raise BadParameterError(f"invalid filter attribute {path!r}")
    segments = path.split(".")
    if not all(_SEGMENT.match(s) for s in segments):
        raise BadParameterError(f"invalid filter attribute {path!r}")
    return segments


def compile_filters(filters: dict[str, Any] | None, bind: dict[str, Any]) -> str:
    """AQL FILTER lines for ``filters`` on variable ``d``; adds the bind parameters to ``bind``."""
    if not filters:
        return ""
    clauses: list[str] = []
    for i, (path, condition) in enumerate(filters.items()):
        conditions = condition if isinstance(condition, dict) and condition else {"==": condition}
        for j, (op, value) in enumerate(conditions.items()):
            template = OPERATORS.get(str(op).lower())
            if template is None:
                raise BadParameterError(
                    f"unknown filter operator {op!r}; use one of {sorted(OPERATORS)}"
                )
            p, v = f"fp{i}", f"fv{i}_{j}"
            bind[p] = attribute_path(path)
            bind[v] = value
            clauses.append(template.format(p=p, v=v))
    return "FILTER " + " AND ".join(clauses)
