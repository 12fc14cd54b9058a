"""AQL's numeric and bit functions (ArangoDB 3.12 "Numeric" and "Bit" functions).

This module owns the math functions (ABS … TAN), the aggregates over arrays of
numbers or values (MIN, MAX, SUM, AVERAGE, PRODUCT, MEDIAN, PERCENTILE,
VARIANCE*/STDDEV*), the vector functions (COSINE_SIMILARITY, L1_DISTANCE,
L2_DISTANCE), the DECAY_* scoring functions, RANGE, IN_RANGE and the 32-bit
BIT_* functions.

As in ArangoDB, arithmetic is done on doubles after AQL's numeric cast, and
every numeric result goes through ``values.normalize_number``: NaN and
infinity become null (SUM and PRODUCT, like the server, give 0 instead), whole
doubles print as integers. Aggregates ignore nulls; COLLECT's AGGREGATE reuses
them on the list of collected values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import partial
from typing import Any

from ...errors import (
    ERROR_QUERY_INVALID_ARITHMETIC_VALUE,
    ERROR_QUERY_NUMBER_OUT_OF_RANGE,
)
from ..values import compare, is_number, normalize_number
from .arguments import register, to_double, to_int64, warn, warn_array_expected
from .registry import FunctionContext, warn_invalid_argument

Number = int | float

_MAX_RANGE = 10_000_000
_BIT_MAX_VALUE = 2**32 - 1
_BIT_MAX_BITS = 32


def _warn_arithmetic(ctx: FunctionContext, function_name: str) -> None:
    warn(ctx, function_name, ERROR_QUERY_INVALID_ARITHMETIC_VALUE, "invalid arithmetic value")


def _warn_out_of_range(ctx: FunctionContext, function_name: str) -> None:
    warn(ctx, function_name, ERROR_QUERY_NUMBER_OUT_OF_RANGE, "number out of range")


def _number_or_null(compute: Callable[[], float]) -> Number | None:
    """Run a double computation; a domain error or overflow (NaN, ±inf) gives null."""
    try:
        result = compute()
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    return normalize_number(result)


def _number_or_zero(result: float) -> Number | None:
    """ArangoDB's numberValue(x, false): a non-finite result becomes 0."""
    if math.isnan(result) or math.isinf(result):
        return 0
    return normalize_number(result)


# --------------------------------------------------------------------------- math

_exp2: Callable[[float], float] = getattr(math, "exp2", lambda x: 2.0**x)

_UNARY: dict[str, tuple[Callable[[float], float], str]] = {
    "ABS": (abs, "ABS(value): the absolute value."),
    "ACOS": (math.acos, "ACOS(value): the arccosine, null outside [-1, 1]."),
    "ASIN": (math.asin, "ASIN(value): the arcsine, null outside [-1, 1]."),
    "ATAN": (math.atan, "ATAN(value): the arctangent."),
    "CEIL": (lambda x: float(math.ceil(x)), "CEIL(value): the smallest integer not below."),
    "COS": (math.cos, "COS(value): the cosine."),
    "DEGREES": (lambda x: x * (180.0 / math.pi), "DEGREES(rad): radians to degrees."),
    "EXP": (math.exp, "EXP(value): e raised to the value."),
    "EXP2": (_exp2, "EXP2(value): 2 raised to the value."),
    "FLOOR": (lambda x: float(math.floor(x)), "FLOOR(value): the largest integer not above."),
    "LOG": (math.log, "LOG(value): the natural logarithm, null for values <= 0."),
    "LOG2": (math.log2, "LOG2(value): the base-2 logarithm, null for values <= 0."),
    "LOG10": (math.log10, "LOG10(value): the base-10 logarithm, null for values <= 0."),
    "RADIANS": (lambda x: x * (math.pi / 180.0), "RADIANS(deg): degrees to radians."),
    "ROUND": (
        lambda x: float(math.floor(x + 0.5)),
        "ROUND(value): the nearest integer, halves rounded up (-2.5 → -2).",
    ),
    "SIN": (math.sin, "SIN(value): the sine."),
    "SQRT": (math.sqrt, "SQRT(value): the square root, null for negative values."),
    "TAN": (math.tan, "TAN(value): the tangent."),
}


def _make_unary(name: str, fn: Callable[[float], float], doc: str) -> None:
    def impl(ctx: FunctionContext, value: Any) -> Number | None:
        number = to_double(value)
        return _number_or_null(lambda: fn(number))

    impl.__name__ = name.lower()
    impl.__doc__ = doc
    register(name, 1)(impl)


for _name, (_fn, _doc) in _UNARY.items():
    _make_unary(_name, _fn, _doc)


@register("ATAN2", 2)
def atan2(ctx: FunctionContext, y: Any, x: Any) -> Number | None:
    """ATAN2(y, x): the arctangent of y / x, by quadrant."""
    return _number_or_null(lambda: math.atan2(to_double(y), to_double(x)))


@register("POW", 2)
def pow_(ctx: FunctionContext, base: Any, exponent: Any) -> Number | None:
    """POW(base, exp): base raised to exp, null when undefined or infinite."""
    return _number_or_null(lambda: math.pow(to_double(base), to_double(exponent)))


@register("PI", 0)
def pi(ctx: FunctionContext) -> Number | None:
    """PI(): 3.141592653589793."""
    return normalize_number(math.pi)


@register("RAND", 0, deterministic=False)
def rand(ctx: FunctionContext) -> Number | None:
    """RAND(): a pseudo-random number in [0, 1)."""
    return normalize_number(random.random())


# --------------------------------------------------------------------------- aggregates


@register("MIN", 1)
def min_(ctx: FunctionContext, value: Any) -> Any:
    """MIN(array): the smallest non-null element in AQL order, null if there is none."""
    if type(value) is not list:
        warn_array_expected(ctx, "MIN")
        return None
    best: Any = None
    for item in value:
        if item is not None and (best is None or compare(item, best) < 0):
            best = item
    return best


@register("MAX", 1)
def max_(ctx: FunctionContext, value: Any) -> Any:
    """MAX(array): the greatest element in AQL order, null if there is none."""
    if type(value) is not list:
        warn_array_expected(ctx, "MAX")
        return None
    best: Any = None
    for item in value:
        if item is not None and (best is None or compare(item, best) > 0):
            best = item
    return best


def _finite_numbers(value: list[Any]) -> list[float] | None:
    """The finite numbers of an array with nulls skipped; None if another type occurs."""
    out: list[float] = []
    for item in value:
        if item is None:
            continue
        if not is_number(item):
            return None
        number = float(item)
        if not (math.isnan(number) or math.isinf(number)):
            out.append(number)
    return out


@register("SUM", 1)
def sum_(ctx: FunctionContext, value: Any) -> Number | None:
    """SUM(array): the total of the numbers (nulls ignored, 0 if empty, null for non-numbers)."""
    if type(value) is not list:
        warn_array_expected(ctx, "SUM")
        return None
    numbers = _finite_numbers(value)
    if numbers is None:
        return None
    total = 0.0
    for number in numbers:
        total += number
    return _number_or_zero(total)


@register("PRODUCT", 1)
def product(ctx: FunctionContext, value: Any) -> Number | None:
    """PRODUCT(array): the product of the numbers (nulls ignored, 1 if empty)."""
    if type(value) is not list:
        warn_array_expected(ctx, "PRODUCT")
        return None
    numbers = _finite_numbers(value)
    if numbers is None:
        return None
    total = 1.0
    for number in numbers:
        total *= number
    return _number_or_zero(total)


@register("AVERAGE", 1, aliases=("AVG",))
def average(ctx: FunctionContext, value: Any) -> Number | None:
    """AVERAGE(array): the arithmetic mean (nulls ignored, null if there are no numbers)."""
    if type(value) is not list:
        warn_array_expected(ctx, "AVERAGE")
        return None
    numbers = _finite_numbers(value)
    if numbers is None:
        warn_array_expected(ctx, "AVERAGE")
        return None
    total = 0.0
    for number in numbers:
        total += number
    if not numbers or math.isinf(total):
        return None
    return _number_or_zero(total / len(numbers))


def _variance(ctx: FunctionContext, name: str, value: Any) -> tuple[float, int] | None:
    """Welford's sum of squared deviations and the count, or None after a warning."""
    if type(value) is not list:
        warn_array_expected(ctx, name)
        return None
    squares = 0.0
    mean = 0.0
    count = 0
    for item in value:
        if item is None:
            continue
        if not is_number(item):
            _warn_arithmetic(ctx, name)
            return None
        current = float(item)
        count += 1
        delta = current - mean
        mean += delta / count
        squares += delta * (current - mean)
    return squares, count


def _make_variance(name: str, sample: bool, root: bool, aliases: tuple[str, ...], doc: str) -> None:
    def impl(ctx: FunctionContext, value: Any) -> Number | None:
        result = _variance(ctx, name, value)
        if result is None:
            return None
        squares, count = result
        divisor = count - 1 if sample else count
        if divisor < 1:
            return None
        variance = squares / divisor
        return _number_or_null(lambda: math.sqrt(variance) if root else variance)

    impl.__name__ = name.lower()
    impl.__doc__ = doc
    register(name, 1, aliases=aliases)(impl)


_make_variance(
    "VARIANCE_POPULATION",
    False,
    False,
    ("VARIANCE",),
    "VARIANCE_POPULATION(array): the population variance.",
)
_make_variance(
    "VARIANCE_SAMPLE", True, False, (), "VARIANCE_SAMPLE(array): the sample variance (n - 1)."
)
_make_variance(
    "STDDEV_POPULATION",
    False,
    True,
    ("STDDEV",),
    "STDDEV_POPULATION(array): the population standard deviation.",
)
_make_variance(
    "STDDEV_SAMPLE", True, True, (), "STDDEV_SAMPLE(array): the sample standard deviation (n - 1)."
)


def _sorted_numbers(ctx: FunctionContext, name: str, value: Any) -> list[float] | None:
    """The numbers of an array, nulls skipped, ascending; None after a warning."""
    if type(value) is not list:
        warn_array_expected(ctx, name)
        return None
    numbers: list[float] = []
    for item in value:
        if item is None:
            continue
        if not is_number(item):
            _warn_arithmetic(ctx, name)
            return None
        numbers.append(float(item))
    numbers.sort()
    return numbers


@register("MEDIAN", 1)
def median(ctx: FunctionContext, value: Any) -> Number | None:
    """MEDIAN(array): the middle number, or the mean of the two middle numbers."""
    numbers = _sorted_numbers(ctx, "MEDIAN", value)
    if not numbers:
        return None
    middle = len(numbers) // 2
    if len(numbers) % 2 == 0:
        return _number_or_null(lambda: (numbers[middle - 1] + numbers[middle]) / 2)
    return normalize_number(numbers[middle])


@register("PERCENTILE", 2, 3)
def percentile(ctx: FunctionContext, value: Any, n: Any, method: Any = "rank") -> Number | None:
    """PERCENTILE(array, n, method): the n-th percentile, by "rank" or "interpolation"."""
    if type(value) is not list:
        warn_array_expected(ctx, "PERCENTILE")
        return None
    if not is_number(n) or not 0 < n <= 100:
        warn_invalid_argument(ctx, "PERCENTILE")
        return None
    if method not in ("rank", "interpolation"):
        warn_invalid_argument(ctx, "PERCENTILE")
        return None
    numbers = _sorted_numbers(ctx, "PERCENTILE", value)
    if not numbers:
        return None
    count = len(numbers)
    if count == 1:
        return normalize_number(numbers[0])
    p = float(n)
    if method == "interpolation":
        index = p * (count + 1) / 100.0
        pos = math.floor(index)
        if pos >= count:
            return normalize_number(numbers[-1])
        if pos <= 0:
            return None
        delta = index - pos
        return _number_or_null(lambda: delta * (numbers[pos] - numbers[pos - 1]) + numbers[pos - 1])
    pos = math.ceil(p * count / 100.0)
    if pos >= count:
        return normalize_number(numbers[-1])
    if pos <= 0:
        return None
    return normalize_number(numbers[pos - 1])


# --------------------------------------------------------------------------- vectors


def _vector_distance(
    ctx: FunctionContext,
    name: str,
    left: Any,
    right: Any,
    measure: Callable[[list[float], list[float]], float | None],
) -> Any:
    """Apply ``measure`` to two vectors, or row-wise when one argument is a matrix."""
    if type(left) is not list or type(right) is not list or not left or not right:
        warn_invalid_argument(ctx, name)
        return None
    if type(left[0]) is list or type(right[0]) is list:
        matrix, vector = (left, right) if type(left[0]) is list else (right, left)
        out: list[Any] = []
        for row in matrix:
            if type(row) is not list:
                warn_invalid_argument(ctx, name)
                return None
            result = _pair_distance(ctx, name, row, vector, measure)
            if result is None:
                return None
            out.append(result)
        return out
    return _pair_distance(ctx, name, left, right, measure)


def _pair_distance(
    ctx: FunctionContext,
    name: str,
    left: list[Any],
    right: list[Any],
    measure: Callable[[list[float], list[float]], float | None],
) -> Number | None:
    if len(left) != len(right) or not all(is_number(v) for v in (*left, *right)):
        warn_invalid_argument(ctx, name)
        return None
    result = measure([float(v) for v in left], [float(v) for v in right])
    if result is None:
        _warn_arithmetic(ctx, name)
        return None
    return _number_or_null(lambda: result)


def _cosine(left: list[float], right: list[float]) -> float | None:
    dot = left_sum = right_sum = 0.0
    for a, b in zip(left, right, strict=True):
        dot += a * b
        left_sum += a * a
        right_sum += b * b
    denominator = math.sqrt(left_sum) * math.sqrt(right_sum)
    return None if denominator == 0.0 else dot / denominator


def _l1(left: list[float], right: list[float]) -> float:
    total = 0.0
    for a, b in zip(left, right, strict=True):
        total += abs(a - b)
    return total


def _l2(left: list[float], right: list[float]) -> float:
    total = 0.0
    for a, b in zip(left, right, strict=True):
        total += (a - b) * (a - b)
    return math.sqrt(total)


@register("COSINE_SIMILARITY", 2)
def cosine_similarity(ctx: FunctionContext, x: Any, y: Any) -> Any:
    """COSINE_SIMILARITY(x, y): x·y / (|x| |y|); row-wise if one argument is a matrix."""
    return _vector_distance(ctx, "COSINE_SIMILARITY", x, y, _cosine)


@register("L1_DISTANCE", 2)
def l1_distance(ctx: FunctionContext, x: Any, y: Any) -> Any:
    """L1_DISTANCE(x, y): the Manhattan distance; row-wise if one argument is a matrix."""
    return _vector_distance(ctx, "L1_DISTANCE", x, y, _l1)


@register("L2_DISTANCE", 2)
def l2_distance(ctx: FunctionContext, x: Any, y: Any) -> Any:
    """L2_DISTANCE(x, y): the Euclidean distance; row-wise if one argument is a matrix."""
    return _vector_distance(ctx, "L2_DISTANCE", x, y, _l2)


# --------------------------------------------------------------------------- decay

_DecayFactory = Callable[[float, float, float, float], Callable[[float], float]]


def _gauss(origin: float, scale: float, offset: float, decay: float) -> Callable[[float], float]:
    sigma_sqr = -(scale * scale) / (2 * math.log(decay))

    def score(arg: float) -> float:
        distance = max(0.0, abs(arg - origin) - offset)
        return math.exp(-(distance * distance) / (2 * sigma_sqr))

    return score


def _exponential(
    origin: float, scale: float, offset: float, decay: float
) -> Callable[[float], float]:
    rate = math.log(decay) / scale
    return lambda arg: math.exp(rate * max(0.0, abs(arg - origin) - offset))


def _linear(origin: float, scale: float, offset: float, decay: float) -> Callable[[float], float]:
    s = scale / (1.0 - decay)
    return lambda arg: max((s - max(0.0, abs(arg - origin) - offset)) / s, 0.0)


def _decay(ctx: FunctionContext, name: str, factory: _DecayFactory, args: tuple[Any, ...]) -> Any:
    value, *params = args
    if (type(value) is not list and not is_number(value)) or not all(map(is_number, params)):
        warn_invalid_argument(ctx, name)
        return None
    origin, scale, offset, decay = (float(p) for p in params)
    if scale <= 0 or offset < 0 or decay <= 0 or decay >= 1:
        _warn_out_of_range(ctx, name)
        return None
    score = factory(origin, scale, offset, decay)
    if type(value) is not list:
        return _number_or_null(partial(score, float(value)))
    if not all(map(is_number, value)):
        warn_invalid_argument(ctx, name)
        return None
    return [_number_or_null(partial(score, float(v))) for v in value]


@register("DECAY_GAUSS", 5)
def decay_gauss(ctx: FunctionContext, *args: Any) -> Any:
    """DECAY_GAUSS(value, origin, scale, offset, decay): Gaussian decay score(s)."""
    return _decay(ctx, "DECAY_GAUSS", _gauss, args)


@register("DECAY_EXP", 5)
def decay_exp(ctx: FunctionContext, *args: Any) -> Any:
    """DECAY_EXP(value, origin, scale, offset, decay): exponential decay score(s)."""
    return _decay(ctx, "DECAY_EXP", _exponential, args)


@register("DECAY_LINEAR", 5)
def decay_linear(ctx: FunctionContext, *args: Any) -> Any:
    """DECAY_LINEAR(value, origin, scale, offset, decay): linear decay score(s)."""
    return _decay(ctx, "DECAY_LINEAR", _linear, args)


# --------------------------------------------------------------------------- ranges


@register("RANGE", 2, 3)
def range_(ctx: FunctionContext, start: Any, stop: Any, step: Any = None) -> Any:
    """RANGE(start, stop, step): numbers from start to stop inclusive.

    Without a step the bounds are truncated to integers and the range may run
    downward; with a step the bounds are used as given and the step's sign must
    match the direction. More than 10 million elements give null and a warning.
    """
    if step is None:
        low, high = to_int64(start), to_int64(stop)
        if abs(high - low) >= _MAX_RANGE:
            _warn_out_of_range(ctx, "RANGE")
            return None
        return list(range(low, high + 1) if low <= high else range(low, high - 1, -1))
    current, end, increment = to_double(start), to_double(stop), to_double(step)
    if increment == 0 or (current < end and increment < 0) or (current > end and increment > 0):
        warn_invalid_argument(ctx, "RANGE")
        return None
    if abs(end - current) / abs(increment) >= _MAX_RANGE:
        _warn_out_of_range(ctx, "RANGE")
        return None
    downward = increment < 0 and end <= current
    out: list[Any] = []
    while (current >= end) if downward else (current <= end):
        out.append(normalize_number(current))
        following = current + increment
        if following == current or len(out) > _MAX_RANGE:
            _warn_out_of_range(ctx, "RANGE")
            return None
        current = following
    return out


@register("IN_RANGE", 5)
def in_range(
    ctx: FunctionContext, value: Any, low: Any, high: Any, include_low: Any, include_high: Any
) -> Any:
    """IN_RANGE(value, low, high, includeLow, includeHigh): low <(=) value <(=) high, any types."""
    if type(include_low) is not bool or type(include_high) is not bool:
        warn_invalid_argument(ctx, "IN_RANGE")
        return None
    lower = compare(low, value)
    if lower > 0 or (lower == 0 and not include_low):
        return False
    upper = compare(value, high)
    return upper < 0 or (upper == 0 and include_high)


# --------------------------------------------------------------------------- bits


def _bit_value(value: Any, limit: int = _BIT_MAX_VALUE) -> int | None:
    """A number in 0 … limit (fractions truncated), else None."""
    if not is_number(value) or not value >= 0:
        return None
    number = int(value)
    return number if number <= limit else None


def _bit_combine(
    ctx: FunctionContext, name: str, args: tuple[Any, ...], op: Callable[[int, int], int]
) -> Any:
    if len(args) == 2:
        a, b = _bit_value(args[0]), _bit_value(args[1])
        if a is None or b is None:
            warn_invalid_argument(ctx, name)
            return None
        return op(a, b)
    if type(args[0]) is not list:
        warn_invalid_argument(ctx, name)
        return None
    result: int | None = None
    for item in args[0]:
        if item is None:
            continue
        number = _bit_value(item)
        if number is None:
            warn_invalid_argument(ctx, name)
            return None
        result = number if result is None else op(result, number)
    return result


@register("BIT_AND", 1, 2)
def bit_and(ctx: FunctionContext, *args: Any) -> Any:
    """BIT_AND(numbers) or BIT_AND(a, b): bitwise and (nulls in the array ignored)."""
    return _bit_combine(ctx, "BIT_AND", args, lambda a, b: a & b)


@register("BIT_OR", 1, 2)
def bit_or(ctx: FunctionContext, *args: Any) -> Any:
    """BIT_OR(numbers) or BIT_OR(a, b): bitwise or (nulls in the array ignored)."""
    return _bit_combine(ctx, "BIT_OR", args, lambda a, b: a | b)


@register("BIT_XOR", 1, 2)
def bit_xor(ctx: FunctionContext, *args: Any) -> Any:
    """BIT_XOR(numbers) or BIT_XOR(a, b): bitwise exclusive or (nulls in the array ignored)."""
    return _bit_combine(ctx, "BIT_XOR", args, lambda a, b: a ^ b)


def _bit_pair(value: Any, bits: Any, bits_limit: int = _BIT_MAX_BITS) -> tuple[int, int] | None:
    number, count = _bit_value(value), _bit_value(bits, bits_limit)
    if number is None or count is None:
        return None
    return number, count


def _mask(bits: int) -> int:
    return (1 << bits) - 1


@register("BIT_NEGATE", 2)
def bit_negate(ctx: FunctionContext, value: Any, bits: Any) -> Any:
    """BIT_NEGATE(number, bits): the negated number, keeping the lowest ``bits`` bits."""
    pair = _bit_pair(value, bits)
    if pair is None:
        warn_invalid_argument(ctx, "BIT_NEGATE")
        return None
    return ~pair[0] & _mask(pair[1])


@register("BIT_TEST", 2)
def bit_test(ctx: FunctionContext, value: Any, index: Any) -> Any:
    """BIT_TEST(number, index): whether bit ``index`` (0 … 31) is set."""
    pair = _bit_pair(value, index, _BIT_MAX_BITS - 1)
    if pair is None:
        warn_invalid_argument(ctx, "BIT_TEST")
        return None
    return bool(pair[0] & (1 << pair[1]))


@register("BIT_POPCOUNT", 1)
def bit_popcount(ctx: FunctionContext, value: Any) -> Any:
    """BIT_POPCOUNT(number): the number of set bits."""
    number = _bit_value(value)
    if number is None:
        warn_invalid_argument(ctx, "BIT_POPCOUNT")
        return None
    return bin(number).count("1")


def _bit_shift(ctx: FunctionContext, name: str, args: tuple[Any, Any, Any], left: bool) -> Any:
    value, shift, bits = args
    pair = _bit_pair(value, shift)
    width = _bit_value(bits, _BIT_MAX_BITS)
    if pair is None or width is None:
        warn_invalid_argument(ctx, name)
        return None
    number, amount = pair
    shifted = number << amount if left else number >> amount
    return shifted & _mask(width)


@register("BIT_SHIFT_LEFT", 3)
def bit_shift_left(ctx: FunctionContext, value: Any, shift: Any, bits: Any) -> Any:
    """BIT_SHIFT_LEFT(number, shift, bits): shifted left, keeping the lowest ``bits`` bits."""
    return _bit_shift(ctx, "BIT_SHIFT_LEFT", (value, shift, bits), left=True)


@register("BIT_SHIFT_RIGHT", 3)
def bit_shift_right(ctx: FunctionContext, value: Any, shift: Any, bits: Any) -> Any:
    """BIT_SHIFT_RIGHT(number, shift, bits): shifted right, keeping the lowest ``bits`` bits."""
    return _bit_shift(ctx, "BIT_SHIFT_RIGHT", (value, shift, bits), left=False)


@register("BIT_CONSTRUCT", 1)
def bit_construct(ctx: FunctionContext, positions: Any) -> Any:
    """BIT_CONSTRUCT(positions): the number with the bits at ``positions`` (0 … 31) set."""
    if type(positions) is not list:
        warn_invalid_argument(ctx, "BIT_CONSTRUCT")
        return None
    result = 0
    for item in positions:
        index = _bit_value(item, _BIT_MAX_BITS - 1)
        if index is None:
            warn_invalid_argument(ctx, "BIT_CONSTRUCT")
            return None
        result |= 1 << index
    return result


@register("BIT_DECONSTRUCT", 1)
def bit_deconstruct(ctx: FunctionContext, value: Any) -> Any:
    """BIT_DECONSTRUCT(number): the ascending positions of the set bits."""
    number = _bit_value(value)
    if number is None:
        warn_invalid_argument(ctx, "BIT_DECONSTRUCT")
        return None
    return [i for i in range(_BIT_MAX_BITS) if number & (1 << i)]


@register("BIT_TO_STRING", 2)
def bit_to_string(ctx: FunctionContext, value: Any, bits: Any) -> Any:
    """BIT_TO_STRING(number, bits): the lowest ``bits`` bits as a string of 0 and 1."""
    pair = _bit_pair(value, bits)
    if pair is None:
        warn_invalid_argument(ctx, "BIT_TO_STRING")
        return None
    number, count = pair
    return "".join("1" if number & (1 << i) else "0" for i in range(count - 1, -1, -1))


@register("BIT_FROM_STRING", 1)
def bit_from_string(ctx: FunctionContext, value: Any) -> Any:
    """BIT_FROM_STRING(bitstring): the number a string of up to 32 ``0``/``1`` digits denotes."""
    if type(value) is not str or len(value) > _BIT_MAX_BITS or value.strip("01"):
        warn_invalid_argument(ctx, "BIT_FROM_STRING")
        return None
    return int(value, 2) if value else 0
