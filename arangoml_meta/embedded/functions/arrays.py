"""AQL's array functions (ArangoDB 3.12 "Array functions"): APPEND … UNSHIFT.

This module owns the functions that build, search, slice and combine arrays,
plus LENGTH/COUNT (which also measure strings, numbers and objects), and the
set-like COUNT_DISTINCT, UNIQUE, SORTED and SORTED_UNIQUE that COLLECT's
AGGREGATE reuses on lists of collected values.

Semantics follow ArangoDB's C++ implementation: a non-array argument gives
``null`` and either the "array expected" warning (1563) or the
invalid-argument warning (1542), depending on the function, exactly as the
server registers them. Equality is AQL's ``==`` (``values.equal`` and
``values.hashable``), order is AQL's type and value order (``values.compare``).

Where ArangoDB leaves the result order unspecified, the order reproduces what
the server returns for small inputs: INTERSECTION, OUTERSECTION and MINUS walk
a ``std::unordered_map`` and so come out in reverse order of first
occurrence; UNION_DISTINCT keeps the order of first occurrence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from ...errors import (
    ERROR_QUERY_ARRAY_EXPECTED,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    QueryError,
)
from ..values import (
    INT64_MAX,
    INT64_MIN,
    SortKey,
    compare,
    equal,
    hashable,
    normalize_number,
    to_bool,
    to_number,
)
from .registry import FunctionContext, aql_function, warn_invalid_argument

_Impl = Callable[..., Any]


# --------------------------------------------------------------------------- helpers


def warn_array_expected(ctx: FunctionContext, function_name: str) -> None:
    """The warning ArangoDB registers when a function needs an array (1563)."""
    ctx.warn(ERROR_QUERY_ARRAY_EXPECTED, f"in function '{function_name}()': array expected")


def guarded(function_name: str) -> Callable[[_Impl], _Impl]:
    """Turn a RecursionError from absurdly deep values into null plus a warning."""

    def decorate(impl: _Impl) -> _Impl:
        @wraps(impl)
        def run(ctx: FunctionContext, *args: Any) -> Any:
            try:
                return impl(ctx, *args)
            except RecursionError:
                warn_invalid_argument(ctx, function_name)
                return None

        return run

    return decorate


def register(
    name: str,
    min_args: int,
    max_args: int | str | None = "same",
    *,
    aliases: tuple[str, ...] = (),
    deterministic: bool = True,
) -> Callable[[_Impl], _Impl]:
    """``aql_function`` plus the recursion guard."""

    def decorate(impl: _Impl) -> _Impl:
        wrapped = guarded(name)(impl)
        aql_function(name, min_args, max_args, aliases=aliases, deterministic=deterministic)(
            wrapped
        )
        return wrapped

    return decorate


def to_int64(value: Any) -> int:
    """AqlValue::toInt64: the numeric cast truncated toward zero, clamped to int64."""
    number = to_number(value)
    if type(number) is int:
        return number
    if number != number:
        return 0
    if number >= 9.2e18:
        return INT64_MAX
    if number <= -9.2e18:
        return INT64_MIN
    return int(number)


def to_double(value: Any) -> float:
    """AqlValue::toDouble: the numeric cast as a double."""
    return float(to_number(value))


def _argument(args: tuple[Any, ...], index: int) -> Any:
    return args[index] if index < len(args) else None


def _contains(haystack: list[Any], needle: Any) -> int:
    """Index of the first element equal to ``needle`` (AQL ``==``), or -1."""
    for i, item in enumerate(haystack):
        if equal(item, needle):
            return i
    return -1


def _unique_in_order(items: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out: list[Any] = []
    for item in items:
        key = hashable(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _sorted_runs(values: list[Any]) -> list[list[Any]]:
    """Stable AQL sort, grouped into runs of equal values (first occurrence first)."""
    runs: list[list[Any]] = []
    for value in sorted(values, key=SortKey):
        if runs and compare(runs[-1][0], value) == 0:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs


def _fpconv_length(number: float) -> int:
    """Characters ArangoDB's fpconv_dtoa prints for a finite double (LENGTH of a number)."""
    if number == 0:
        return 1
    negative = number < 0
    mantissa, exponent = repr(abs(number)).partition("e")[::2]
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    stripped = digits.rstrip("0")
    k = (int(exponent) if exponent else 0) - len(fraction) + (len(digits) - len(stripped))
    digits = stripped
    ndigits = len(digits)
    exp = abs(k + ndigits - 1)
    sign = 1 if negative else 0
    if k >= 0 and exp < ndigits + 7:
        return sign + ndigits + k
    if k < 0 and (k > -7 or exp < 4):
        offset = ndigits + k
        return sign + (ndigits + 2 - offset if offset <= 0 else ndigits + 1)
    ndigits = min(ndigits, 18 - sign)
    length = 1 + (ndigits if ndigits > 1 else 0) + 2
    if exp > 99:
        length += 2
    elif exp > 9:
        length += 1
    return sign + length + 1


# --------------------------------------------------------------------------- access


@register("FIRST", 1)
def first(ctx: FunctionContext, value: Any) -> Any:
    """FIRST(array): the first element, null for an empty array."""
    if type(value) is not list:
        warn_array_expected(ctx, "FIRST")
        return None
    return value[0] if value else None


@register("LAST", 1)
def last(ctx: FunctionContext, value: Any) -> Any:
    """LAST(array): the last element, null for an empty array."""
    if type(value) is not list:
        warn_array_expected(ctx, "LAST")
        return None
    return value[-1] if value else None


@register("NTH", 2)
def nth(ctx: FunctionContext, value: Any, position: Any) -> Any:
    """NTH(array, position): the element at a non-negative position, else null."""
    if type(value) is not list:
        warn_array_expected(ctx, "NTH")
        return None
    index = to_int64(position)
    if 0 <= index < len(value):
        return value[index]
    return None


@register("POSITION", 2, 3, aliases=("CONTAINS_ARRAY",))
def position(ctx: FunctionContext, value: Any, search: Any, return_index: Any = False) -> Any:
    """POSITION(array, search, returnIndex): membership as a bool, or the index (-1)."""
    if type(value) is not list:
        warn_array_expected(ctx, "POSITION")
        return None
    index = _contains(value, search)
    if to_bool(return_index):
        return index
    return index >= 0


@register("LENGTH", 1, aliases=("COUNT",))
def length(ctx: FunctionContext, value: Any) -> int:
    """LENGTH(value): elements, characters, attributes, printed digits; true 1, false/null 0."""
    t = type(value)
    if t is list or t is dict or t is str:
        return len(value)
    if t is bool:
        return 1 if value else 0
    if t is int or t is float:
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return 0
        return _fpconv_length(number)
    return 0


@register("REVERSE", 1)
def reverse(ctx: FunctionContext, value: Any) -> Any:
    """REVERSE(array | string): elements or characters in reverse order."""
    if type(value) is list:
        return value[::-1]
    if type(value) is str:
        return value[::-1]
    warn_array_expected(ctx, "REVERSE")
    return None


@register("SLICE", 2, 3)
def slice_(ctx: FunctionContext, value: Any, start: Any, count: Any = None) -> Any:
    """SLICE(array, start, length): negative start counts from the end, negative length too."""
    if type(value) is not list:
        warn_invalid_argument(ctx, "SLICE")
        return None
    n = len(value)
    lower = to_int64(start)
    if lower < 0:
        lower = max(n + lower, 0)
    if count is None:
        upper = n
    else:
        upper = to_int64(count)
        upper = lower + upper if upper >= 0 else max(n + upper, 0)
    return value[lower:upper] if lower < upper else []


@register("FLATTEN", 1, 2)
def flatten(ctx: FunctionContext, value: Any, depth: Any = 1) -> Any:
    """FLATTEN(array, depth): splice nested arrays into the result up to ``depth`` levels."""
    if type(value) is not list:
        warn_array_expected(ctx, "FLATTEN")
        return None
    max_depth = _flatten_depth(depth)
    out: list[Any] = []
    stack: list[tuple[list[Any], int, int]] = [(value, 0, 0)]
    while stack:
        items, index, level = stack.pop()
        while index < len(items):
            item = items[index]
            index += 1
            if type(item) is list and level < max_depth:
                stack.append((items, index, level))
                items, index, level = item, 0, level + 1
            else:
                out.append(item)
    return out


def _flatten_depth(depth: Any) -> int:
    number = to_double(depth)
    if number != number or number < 1:
        return 1
    return int(min(number, 2**31))


# --------------------------------------------------------------------------- building


@register("PUSH", 2, 3)
def push(ctx: FunctionContext, value: Any, element: Any, unique: Any = False) -> Any:
    """PUSH(array, value, unique): append one value (unless present, when unique)."""
    if value is None:
        return [element]
    if type(value) is not list:
        warn_invalid_argument(ctx, "PUSH")
        return None
    if to_bool(unique) and _contains(value, element) >= 0:
        return list(value)
    return [*value, element]


@register("APPEND", 2, 3)
def append(ctx: FunctionContext, value: Any, values: Any, unique: Any = False) -> Any:
    """APPEND(array, values, unique): append an array's elements (or a single value)."""
    if values is None or values == []:
        return value
    if value is None:
        return values
    if type(value) is not list:
        warn_invalid_argument(ctx, "APPEND")
        return None
    if not to_bool(unique):
        return [*value, *values] if type(values) is list else [*value, values]
    out = _unique_in_order(value)
    if type(values) is list:
        return _unique_in_order([*out, *values])
    if any(equal(item, values) for item in out):
        return out
    return [*out, values]


@register("UNSHIFT", 2, 3)
def unshift(ctx: FunctionContext, value: Any, element: Any, unique: Any = False) -> Any:
    """UNSHIFT(array, value, unique): prepend one value (unless present, when unique)."""
    if value is not None and type(value) is not list:
        warn_invalid_argument(ctx, "UNSHIFT")
        return None
    items = value or []
    if to_bool(unique) and _contains(items, element) >= 0:
        return list(items)
    return [element, *items]


@register("POP", 1)
def pop(ctx: FunctionContext, value: Any) -> Any:
    """POP(array): the array without its last element."""
    if value is None:
        return None
    if type(value) is not list:
        warn_invalid_argument(ctx, "POP")
        return None
    return value[:-1]


@register("SHIFT", 1)
def shift(ctx: FunctionContext, value: Any) -> Any:
    """SHIFT(array): the array without its first element."""
    if value is None:
        return None
    if type(value) is not list:
        warn_invalid_argument(ctx, "SHIFT")
        return None
    return value[1:]


@register("REMOVE_VALUE", 2, 3)
def remove_value(ctx: FunctionContext, value: Any, element: Any, limit: Any = None) -> Any:
    """REMOVE_VALUE(array, value, limit): drop occurrences of a value (at most ``limit``)."""
    if value is None:
        return []
    if type(value) is not list:
        warn_invalid_argument(ctx, "REMOVE_VALUE")
        return None
    remaining = None if limit is None else to_int64(limit)
    out: list[Any] = []
    for item in value:
        if remaining != 0 and equal(element, item):
            if remaining is not None:
                remaining -= 1
            continue
        out.append(item)
    return out


@register("REMOVE_VALUES", 2)
def remove_values(ctx: FunctionContext, value: Any, values: Any) -> Any:
    """REMOVE_VALUES(array, values): drop every element that occurs in ``values``."""
    if values is None:
        return value
    if value is None:
        return []
    if type(value) is not list or type(values) is not list:
        warn_invalid_argument(ctx, "REMOVE_VALUES")
        return None
    drop = {hashable(v) for v in values}
    return [item for item in value if hashable(item) not in drop]


@register("REMOVE_NTH", 2)
def remove_nth(ctx: FunctionContext, value: Any, position: Any) -> Any:
    """REMOVE_NTH(array, position): drop one element; negative positions count from the end."""
    if value is None:
        return []
    if type(value) is not list:
        warn_invalid_argument(ctx, "REMOVE_NTH")
        return None
    count = len(value)
    index = to_double(position)
    if index != index or index >= count or index < -count:
        return list(value)
    if index < 0:
        index += count
    target = int(index)
    return value[:target] + value[target + 1 :]


@register("REPLACE_NTH", 3, 4)
def replace_nth(ctx: FunctionContext, value: Any, position: Any, *rest: Any) -> Any:
    """REPLACE_NTH(array, position, value, padding): replace or append, padding the gap.

    A null position, or a position beyond the end without a padding value, fails the
    query (1542) as in ArangoDB.
    """
    replacement = rest[0]
    if type(value) is not list:
        warn_invalid_argument(ctx, "REPLACE_NTH")
        return None
    if position is None:
        raise _replace_nth_error()
    n = len(value)
    index = to_int64(position)
    if index < 0:
        index = max(n + index, 0)
    if index > n and len(rest) < 2:
        raise _replace_nth_error()
    if index < n:
        return [*value[:index], replacement, *value[index + 1 :]]
    padding = _argument(rest, 1)
    if index - n > 10_000_000:
        warn_invalid_argument(ctx, "REPLACE_NTH")
        return None
    return [*value, *([padding] * (index - n)), replacement]


def _replace_nth_error() -> QueryError:
    return QueryError(
        "invalid argument type in call to function 'REPLACE_NTH()'",
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    )


@register("INTERLEAVE", 2, None)
def interleave(ctx: FunctionContext, *arrays: Any) -> Any:
    """INTERLEAVE(array1, array2, ...): one element of each array in turn."""
    if any(type(a) is not list for a in arrays):
        warn_array_expected(ctx, "INTERLEAVE")
        return None
    out: list[Any] = []
    longest = max((len(a) for a in arrays), default=0)
    for i in range(longest):
        out.extend(a[i] for a in arrays if i < len(a))
    return out


# --------------------------------------------------------------------------- sets


@register("UNION", 2, None)
def union(ctx: FunctionContext, *arrays: Any) -> Any:
    """UNION(array1, array2, ...): all elements, duplicates kept."""
    if any(type(a) is not list for a in arrays):
        warn_invalid_argument(ctx, "UNION")
        return None
    return [item for a in arrays for item in a]


@register("UNION_DISTINCT", 2, None)
def union_distinct(ctx: FunctionContext, *arrays: Any) -> Any:
    """UNION_DISTINCT(array1, array2, ...): all distinct elements, first occurrence first."""
    if any(type(a) is not list for a in arrays):
        warn_invalid_argument(ctx, "UNION_DISTINCT")
        return None
    return _unique_in_order(item for a in arrays for item in a)


@register("INTERSECTION", 2, None)
def intersection(ctx: FunctionContext, *arrays: Any) -> Any:
    """INTERSECTION(array1, array2, ...): distinct elements present in every array."""
    if any(type(a) is not list for a in arrays):
        warn_array_expected(ctx, "INTERSECTION")
        return None
    firsts: dict[Any, Any] = {}
    for item in arrays[0]:
        firsts.setdefault(hashable(item), item)
    keep = set(firsts)
    for other in arrays[1:]:
        keep &= {hashable(item) for item in other}
    return [item for key, item in reversed(firsts.items()) if key in keep]


@register("OUTERSECTION", 2, None)
def outersection(ctx: FunctionContext, *arrays: Any) -> Any:
    """OUTERSECTION(array1, array2, ...): elements that occur exactly once in all arrays."""
    if any(type(a) is not list for a in arrays):
        warn_array_expected(ctx, "OUTERSECTION")
        return None
    counts: dict[Any, list[Any]] = {}
    for a in arrays:
        for item in a:
            entry = counts.setdefault(hashable(item), [item, 0])
            entry[1] += 1
    return [item for item, count in reversed(counts.values()) if count == 1]


@register("MINUS", 2, None)
def minus(ctx: FunctionContext, *arrays: Any) -> Any:
    """MINUS(array1, array2, ...): distinct elements of the first array not in the others."""
    if type(arrays[0]) is not list:
        warn_invalid_argument(ctx, "MINUS")
        return None
    firsts: dict[Any, Any] = {}
    for item in arrays[0]:
        firsts.setdefault(hashable(item), item)
    for other in arrays[1:]:
        if type(other) is not list:
            warn_invalid_argument(ctx, "MINUS")
            return None
        for item in other:
            firsts.pop(hashable(item), None)
    return list(reversed(firsts.values()))


@register("JACCARD", 2)
def jaccard(ctx: FunctionContext, left: Any, right: Any) -> Any:
    """JACCARD(array1, array2): |intersection| / |union| of the distinct elements (1 if both empty)."""
    if type(left) is not list or type(right) is not list:
        warn_array_expected(ctx, "JACCARD")
        return None
    lhs = {hashable(item) for item in left}
    rhs = {hashable(item) for item in right}
    total = len(lhs | rhs)
    if total == 0:
        return 1
    return normalize_number(len(lhs & rhs) / total)


@register("COUNT_DISTINCT", 1, aliases=("COUNT_UNIQUE",))
def count_distinct(ctx: FunctionContext, value: Any) -> Any:
    """COUNT_DISTINCT(array): the number of distinct elements (null counts as a value)."""
    if type(value) is not list:
        warn_array_expected(ctx, "COUNT_DISTINCT")
        return None
    return len({hashable(item) for item in value})


@register("UNIQUE", 1)
def unique(ctx: FunctionContext, value: Any) -> Any:
    """UNIQUE(array): the distinct elements in order of first occurrence."""
    if type(value) is not list:
        warn_array_expected(ctx, "UNIQUE")
        return None
    return _unique_in_order(value)


@register("SORTED", 1)
def sorted_(ctx: FunctionContext, value: Any) -> Any:
    """SORTED(array): the elements in AQL order (equal elements as their first occurrence)."""
    if type(value) is not list:
        warn_array_expected(ctx, "SORTED")
        return None
    return [run[0] for run in _sorted_runs(value) for _ in run]


@register("SORTED_UNIQUE", 1)
def sorted_unique(ctx: FunctionContext, value: Any) -> Any:
    """SORTED_UNIQUE(array): the distinct elements in AQL order."""
    if type(value) is not list:
        warn_array_expected(ctx, "SORTED_UNIQUE")
        return None
    return [run[0] for run in _sorted_runs(value)]
