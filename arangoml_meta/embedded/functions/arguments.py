"""What the function families share to check and cast their arguments, written once.

The int64 bounds AQL's integer casts clamp to; the ``ABSENT`` marker for an optional
argument that was not passed (null is a value, absence is not); the warnings ArangoDB words
the same way in every family ("in function 'NAME()': ..."); the ``guarded`` decorator that
turns a RecursionError from absurdly deep values into null plus the invalid-argument
warning, and ``register`` (``aql_function`` with that guard); and ``to_int64`` /
``to_double``, ``AqlValue::toInt64`` and ``toDouble`` over AQL's numeric cast.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from ...errors import ERROR_QUERY_ARRAY_EXPECTED
from ..values import INT64_MAX, INT64_MIN, to_number
from .registry import FunctionContext, aql_function, warn_invalid_argument

Impl = Callable[..., Any]


class _Absent:
    """Marks an optional argument that was not passed."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def warn(ctx: FunctionContext, function_name: str, code: int, message: str) -> None:
    """A warning worded as ArangoDB words a function's: ``in function 'NAME()': message``."""
    ctx.warn(code, f"in function '{function_name}()': {message}")


def warn_array_expected(ctx: FunctionContext, function_name: str) -> None:
    """The warning ArangoDB registers when a function needs an array (1563)."""
    warn(ctx, function_name, ERROR_QUERY_ARRAY_EXPECTED, "array expected")


def guarded(function_name: str) -> Callable[[Impl], Impl]:
    """Turn a RecursionError from absurdly deep values into null plus a warning."""

    def decorate(impl: Impl) -> Impl:
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
) -> Callable[[Impl], Impl]:
    """``aql_function`` plus the recursion guard."""

    def decorate(impl: Impl) -> Impl:
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
