"""Which persistent index gives a scan in the order of its SORT (and LIMIT).

``FOR d IN c FILTER d.name == @n SORT d.version DESC LIMIT 1`` need not decode
every version of the name. When the SORT's first key is an attribute path that
a persistent index holds right after fields the pushed-down FILTER pins with
equalities (``==``, ``IN``), or that an index leads with, the FOR stage reads
the rows in that index's order (see ``sorted_reads.py``) and stops early. What
it may yield instead of every row is :class:`SortHint`'s to say; which index
and which ranges of it to read is :func:`index_order`'s. A SORT on one key
that no LIMIT follows (``FOR b IN audit_log SORT b._key RETURN b``) reads the
same way, every row, so that a cursor streams them instead of the SORT
holding them all.

A sparse index holds no document with null in any of its fields: it serves
only when the FILTER excludes null at the fields after the sort path and pins
the ones before to other values; the sort path's own nulls are read without it.

The primary index counts as one more, over ``_key``: as in ArangoDB it is
sorted (SQLite's index on the ``key`` column, in code point order; the reads
in ``sorted_reads.py`` put its strings in AQL's order as any index's). The
FILTER's ranges of ``_key`` (``d._key > @k``) bound its reads where a few seeks
show that no row outside a bound may satisfy them (see ``sorted_reads.py``).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..aql import ast as A
from .planner import EXACT_LIMIT, Pushed, joined, safe_path
from .storage import CollectionInfo, IndexInfo

Frame = list[Any]
# SQL over an index's expressions, and its parameters
Condition = tuple[str, tuple[Any, ...]]

# A pinned field has one index prefix per value it may take: at most this many
# prefixes (every combination of the pinned fields) are read and merged.
_MAX_PREFIXES = 16


# the primary index as a persistent one: a unique, dense index over ``_key``
PRIMARY = IndexInfo(0, "primary", ["_key"], unique=True, sparse=False, type="primary")


@dataclass
class SortHint:
    """The SORT and LIMIT right after a FOR's FILTERs, as far as the FOR stage uses them.

    The FOR stage may then yield, instead of every row, a prefix of the rows
    in the order of the first SORT key that holds the first ``offset + count``
    rows that pass the FILTERs and the whole run of rows whose first key
    equals the last of them (when ``more_keys``), in insertion order within
    such runs. Every row of the SORT's first ``offset + count`` is in that
    prefix, and the stable SORT orders the prefix as it orders them in the
    whole input (even across the iterations of an enclosing loop).

    With ``finish`` the FOR stage does the SORT and LIMIT itself (one SORT
    key, one row from upstream): in index order it yields just the LIMIT's
    rows; otherwise it runs ``finish`` (the SORT and LIMIT stages) over its rows.
    Without ``limits`` (a SORT that no LIMIT follows; always with ``finish``)
    it yields every row, in index order as they are read, or runs ``finish``
    (the SORT stage).
    """

    path: list[str | Callable[[Frame], Any]]  # the first key: a path of the FOR's variable
    ascending: Callable[[Frame], bool]  # the first key's direction
    # LIMIT's offset and count (raising as it does); None: no LIMIT
    limits: Callable[[Frame], tuple[int, int]] | None
    more_keys: bool
    finish: Callable[[Iterator[None], Frame], Iterator[None]] | None = None
    # the only key when it is a distance, not a path (``path`` is empty): a geo index may
    # read in its order (see geo_nearest.py)
    key: A.Node | None = None
    # read in index order only when SQL decides the whole FILTER: the stage then stops
    # early for sure, where FILTERs that drop most rows would have it read every row by
    # the index, at twice a scan's cost (a union of scans, see union_scans.py)
    exact_only: bool = False


@dataclass
class IndexOrder:
    """The ranges of one index to read, in AQL's order of the first SORT key."""

    info: CollectionInfo
    path: list[str]  # the first SORT key
    where: str  # the scan's SQL but for the pins (each prefix says as much)
    params: list[Any]
    prefixes: list[Condition]  # the pinned fields' prefixes (disjoint) to read and merge
    partial: tuple[str, ...]  # a sparse index's own conditions (SQLite needs them to use it)
    skip_null: bool  # the FILTER excludes null at the path
    # the primary index's ranges: (operator, string) of ``_key OP string`` in the FILTER
    bounds: tuple[tuple[str, str], ...] = ()


def index_order(info: CollectionInfo, path: list[str], pushed: list[Pushed]) -> IndexOrder | None:
    """The index that reads the scan in the order of ``path``, with most fields pinned.

    ``pushed`` are the FILTER's conditions in the scan's SQL (as they read in
    this execution), which every row read satisfies.
    """
    if not safe_path(path):
        return None
    pins: dict[tuple[str, ...], list[tuple[Condition, bool]]] = {}
    pinned_by: dict[tuple[str, ...], Pushed] = {}
    not_null: set[tuple[str, ...]] = set()
    for condition in pushed:
        field = tuple(condition.path)
        if _excludes_null(condition):
            not_null.add(field)
        if field not in pins and (allowed := _pin(info, condition)) is not None:
            pins[field] = allowed
            pinned_by[field] = condition
    best: tuple[int, IndexInfo] | None = None
    for index in (*info.indexes, PRIMARY):
        fields = _split(tuple(index.fields))
        if tuple(path) not in fields:
            continue
        at = fields.index(tuple(path))
        if not all(f in pins for f in fields[:at]):
            continue
        if math.prod(len(pins[f]) for f in fields[:at]) > _MAX_PREFIXES:
            continue
        if index.sparse and (
            any(null for f in fields[:at] for _, null in pins[f])
            or not all(f in not_null for f in fields[at + 1 :])
        ):
            continue
        if best is None or at > best[0]:
            best = (at, index)
    if best is None:
        return None
    at, index = best
    fields = _split(tuple(index.fields))
    pinned = [[condition for condition, _ in pins[f]] for f in fields[:at]]
    prefixes: list[Condition] = [
        (" AND ".join(sql for sql, _ in combination), tuple(p for _, ps in combination for p in ps))
        for combination in itertools.product(*pinned)
    ]
    # a pin's own SQL would only be checked again, row by row; SQL "1" narrows nothing
    used = [pinned_by[f] for f in fields[:at]]
    where, params = joined([c for c in pushed if c.sql != "1" and not any(c is u for u in used)])
    partial: tuple[str, ...] = ()
    if index.sparse:
        partial = tuple(f"{info.typed_value_sql(f)[0]} <> 'null'" for f in fields)
    bounds = _key_bounds(pushed) if index is PRIMARY else ()
    return IndexOrder(info, path, where, params, prefixes, partial, tuple(path) in not_null, bounds)


_RANGES = frozenset(("<", "<=", ">", ">="))


def _key_bounds(pushed: list[Pushed]) -> tuple[tuple[str, str], ...]:
    """The FILTER's ranges of ``_key`` over strings (others hold for every key or none)."""
    return tuple(
        (c.op, c.value)
        for c in pushed
        if c.path == ["_key"] and c.op in _RANGES and type(c.value) is str
    )


@functools.lru_cache(maxsize=1024)
def _split(fields: tuple[str, ...]) -> list[tuple[str, ...]]:
    """An index's fields as attribute paths (a query plans with them every execution)."""
    return [tuple(f.split(".")) for f in fields]


def _equal_to(
    info: CollectionInfo, path: list[str], value: Any
) -> list[tuple[Condition, bool]] | None:
    """The index prefixes holding values equal to ``value``, each with whether it is null."""
    type_sql, value_sql = info.typed_value_sql(path)
    if value is None:
        return [((f"{type_sql} = 'null'", ()), True)]
    if type(value) is bool:
        return [((f"{type_sql} = '{'true' if value else 'false'}'", ()), False)]
    if type(value) is str:
        return [((f"{type_sql} = 'text' AND {value_sql} = ?", (value,)), False)]
    if type(value) in (int, float) and abs(value) < EXACT_LIMIT:
        # a whole number is stored as an integer, but a real equals it too
        types = ("integer", "real") if float(value).is_integer() else ("real",)
        return [((f"{type_sql} = '{t}' AND {value_sql} = ?", (value,)), False) for t in types]
    return None


def _pin(info: CollectionInfo, condition: Pushed) -> list[tuple[Condition, bool]] | None:
    """The index prefixes an ``==`` or ``IN`` condition allows (None: not a pin)."""
    if condition.op == "==":
        return _equal_to(info, condition.path, condition.value)
    if condition.op != "IN" or type(condition.value) is not list:
        return None
    prefixes: dict[Condition, bool] = {}
    for item in condition.value:
        equal = _equal_to(info, condition.path, item)
        if equal is None:
            return None
        prefixes.update(equal)  # equal items (1 and 1.0 too) give one prefix
    return list(prefixes.items())


def _excludes_null(condition: Pushed) -> bool:
    """Whether no document with null (or nothing) at the path satisfies the condition."""
    if condition.op in ("==", ">", ">="):
        return condition.value is not None
    return condition.op == "IN" and type(condition.value) is list and None not in condition.value
