"""How much memory and time a user's query may take: defaults, validation, parsing.

Every query a user writes or picks — :meth:`MetadataStore.query`, a stored
query (:func:`~arangoml_meta.queries.run_query`), ``arangoml-meta aql`` and
``arangoml-meta query run`` — runs with AQL's ``memoryLimit`` and
``maxRuntime`` options, by default :data:`DEFAULT_MEMORY_LIMIT` (1 GiB) and
:data:`DEFAULT_MAX_RUNTIME` (60 s), so a query that explodes (a 10^4 x 10^4
product, a deep traversal of a dense graph, a loop of ``SLEEP``) stops with
error 32 (resource limit) or 1500 (query killed) instead of running until the
machine gives out. Either limit can be raised, or switched off with 0. The
store's own queries (lineage walks, lookups) run without limits.

Both backends get the same options: the embedded engine accounts memory and
time itself (see ``embedded/limits.py``), ArangoDB through python-arango.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .errors import BadParameterError

GIB = 1 << 30
DEFAULT_MEMORY_LIMIT = GIB  # bytes
DEFAULT_MAX_RUNTIME = 60.0  # seconds

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?([KMGT]?)(?:I?B)?", re.IGNORECASE)
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class QueryLimits:
    """A query's memory limit (bytes) and maximum run time (seconds); 0: no limit."""

    memory_limit: int = DEFAULT_MEMORY_LIMIT
    max_runtime: float = DEFAULT_MAX_RUNTIME

    @classmethod
    def of(cls, memory_limit: int | None = None, max_runtime: float | None = None) -> QueryLimits:
        """The limits given (None: the default), checked: whole bytes and finite seconds, ≥ 0."""
        if memory_limit is None:
            memory_limit = DEFAULT_MEMORY_LIMIT
        elif (
            isinstance(memory_limit, bool) or not isinstance(memory_limit, int) or memory_limit < 0
        ):
            raise BadParameterError(
                f"memory_limit is a whole number of bytes, at least 0 (0: no limit), "
                f"not {memory_limit!r}"
            )
        if max_runtime is None:
            max_runtime = DEFAULT_MAX_RUNTIME
        elif (
            isinstance(max_runtime, bool)
            or not isinstance(max_runtime, (int, float))
            or not math.isfinite(max_runtime)
            or max_runtime < 0
        ):
            raise BadParameterError(
                f"max_runtime is a number of seconds, at least 0 (0: no limit), not {max_runtime!r}"
            )
        return cls(memory_limit, float(max_runtime))

    def options(self) -> dict[str, Any]:
        """ArangoDB's query options (0: not given, which is no limit)."""
        return {"memoryLimit": self.memory_limit, "maxRuntime": self.max_runtime}


def parse_memory_limit(text: str) -> int:
    """Bytes from ``1073741824``, ``512M``, ``1GiB``, ``1.5g`` (units are powers of 1024); 0: none."""
    match = _SIZE.fullmatch(text.strip(" "))
    if match is None:
        raise BadParameterError(
            f"--memory-limit: expected a size such as 1073741824, 512MiB or 2G (0: no limit), "
            f"not {text!r}"
        )
    number, unit = match.groups()
    size = Fraction(number) * _UNITS[unit.upper()]
    return max(1, int(size)) if size else 0  # a limit under a byte is a byte, not none


def parse_max_runtime(text: str) -> float:
    """Seconds from ``60`` or ``2.5``; 0: none."""
    seconds = text.strip(" ")
    if _SECONDS.fullmatch(seconds) is None or not math.isfinite(float(seconds)):
        raise BadParameterError(
            f"--max-runtime: expected a number of seconds such as 60 or 2.5 (0: no limit), "
            f"not {text!r}"
        )
    return float(seconds)


def format_size(nbytes: int) -> str:
    """``1073741824`` → ``1 GiB`` (exact units only; else bytes)."""
    for unit in ("T", "G", "M", "K"):
        size = _UNITS[unit]
        if nbytes >= size and nbytes % size == 0:
            return f"{nbytes // size} {unit}iB"
    return f"{nbytes} bytes"
