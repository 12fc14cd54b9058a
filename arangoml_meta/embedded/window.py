"""The WINDOW operation: aggregates over neighbouring rows.

Row-based windows (``WINDOW { preceding: 1, following: 1 }``) count rows
around the current one in the current order; range-based windows
(``WINDOW value WITH { preceding: 10, following: "PT1H" }``) take the rows
whose range value lies within a numeric distance or an ISO 8601 duration of
the current row's, after ordering the rows by that value (as ArangoDB does).
The rows it keeps count toward the query's memory limit, and each row it
emits ticks its deadline (see ``limits.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Any

from ..aql import ast as A
from ..errors import ERROR_BAD_PARAMETER, BadParameterError
from .aggregates import aggregator
from .limits import Held, estimate_size, frame_size
from .values import SortKey, to_number

Frame = list[Any]


def _bound(value: Any) -> float | str | None:
    """A window bound: a row count / distance, "unbounded" (None) or a duration string."""
    if value is None or value == "unbounded":
        return None
    if isinstance(value, str):
        number = (
            to_number(value) if value.strip().lstrip("-").replace(".", "", 1).isdigit() else None
        )
        return number if number is not None else value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return value
    raise BadParameterError(f"invalid WINDOW bound: {value!r}", ERROR_BAD_PARAMETER)


def _shift(value: float, bound: float | str, sign: int) -> float:
    if isinstance(bound, str):
        from .functions.calendar import shift_timestamp_by_duration

        shifted = shift_timestamp_by_duration(value, bound, sign)
        if shifted is None:
            raise BadParameterError(f"invalid WINDOW duration: {bound!r}", ERROR_BAD_PARAMETER)
        return shifted
    return value + sign * bound


def compile_window(
    op: A.Window,
    compile_expr: Callable[[A.Node], Callable[[Frame], Any]],
    constant: Callable[[A.Node | None], Any],
) -> Callable[[Iterator[None], Frame], Iterator[None]]:
    spec = constant(op.spec)
    if not isinstance(spec, dict):
        raise BadParameterError("WINDOW specification must be an object", ERROR_BAD_PARAMETER)
    preceding = _bound(spec.get("preceding", 0))
    following = _bound(spec.get("following", 0))
    range_expr = compile_expr(op.range_expr) if op.range_expr is not None else None
    if range_expr is None and (isinstance(preceding, str) or isinstance(following, str)):
        # a duration needs a range (WITH RANGE_VALUE ...): rows are counted
        raise BadParameterError(
            'WINDOW row spec is invalid; bounds must be positive integers or "unbounded"',
            ERROR_BAD_PARAMETER,
        )
    aggregates: list[tuple[int, Callable[..., Any], Callable[[Frame], Any] | None]] = []
    for aggregate in op.aggregates:
        arg = compile_expr(aggregate.args[0]) if aggregate.args else None
        aggregates.append((aggregate.var.slot, aggregator(aggregate.function), arg))

    def window(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
        with Held(frame[0].budget) as held:
            yield from window_rows(upstream, frame, held)

    def window_rows(upstream: Iterator[None], frame: Frame, held: Held) -> Iterator[None]:
        rows: list[list[Any]] = []
        keys: list[float] = []
        args: list[list[Any]] = []
        budget = held.budget
        counts = budget.counts_memory
        for _ in upstream:
            saved = list(frame)
            row_args = [a(frame) if a is not None else None for _, _, a in aggregates]
            if counts:
                held.charge(frame_size(saved, rows[-1] if rows else None))
                held.charge(estimate_size(row_args))
            rows.append(saved)
            args.append(row_args)
            if range_expr is not None:
                keys.append(range_expr(frame))
        n = len(rows)
        if range_expr is not None:
            order = sorted(range(n), key=lambda i: SortKey(keys[i]))
            rows = [rows[i] for i in order]
            args = [args[i] for i in order]
            numeric = [float(to_number(keys[i])) for i in order]
        runtime = frame[0]
        for i in range(n):
            budget.tick()  # a row's window may be every row: the whole is quadratic
            if range_expr is None:
                lo = 0 if preceding is None else max(0, i - int(preceding))
                hi = n if following is None else min(n, i + int(following) + 1)
            else:
                value = numeric[i]
                lo = (
                    0
                    if preceding is None
                    else bisect.bisect_left(numeric, _shift(value, preceding, -1))
                )
                hi = (
                    n
                    if following is None
                    else bisect.bisect_right(numeric, _shift(value, following, 1))
                )
            frame[:] = rows[i]
            for j, (slot, impl, _) in enumerate(aggregates):
                frame[slot] = impl(runtime, [args[k][j] for k in range(lo, hi)])
            yield None

    return window
