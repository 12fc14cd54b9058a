"""One property over the whole AQL function registry: no input makes a function crash.

Every registered function is called through the engine's call-by-name path (``CALL()``,
which checks the argument count as the parser does) with random AQL values, as many as its
arity allows and beyond it. The outcome is an AQL value (a warning and null included) or
the package's own error carrying an ArangoDB error number; never a Python exception.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.embedded.functions import REGISTRY, AqlFunction, NullContext, lookup
from arangoml_meta.errors import ArangoMLMetaError

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

# Strings each family gives meaning to: dates, durations, units, time zones, formats,
# regular expressions, LIKE patterns, analyzers, document handles and revisions, IPv4
# addresses, GeoJSON types and ellipsoids, function names (for CALL and APPLY), a long key.
_MEANINGFUL_STRINGS = [
    "2020-01-01",
    "2019-02-28T23:59:59.999Z",
    "2020-03-29T02:30:00",
    "P1Y2M3DT4H5M6.5S",
    "PT1.5S",
    "day",
    "m",
    "weeks",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "%yyyy-%mm-%dd %hh:%ii %www %z%%",
    "a.*b",
    "(",
    "[a-z]+",
    "\\p{L}+",
    "(?i)X",
    "%a_",
    "text_en",
    "text_de",
    "identity",
    "_key",
    "c/k",
    "a/b/c",
    "192.168.0.1",
    "Point",
    "polygon",
    "wgs84",
    "persons/alice",
    "_YU0HOEG---",
    "x::y",
    "NOT_NULL",
    "FAIL",
    "x" * 300,
]

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-50, 50),
    st.integers(_INT64_MIN, _INT64_MAX),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(_MEANINGFUL_STRINGS),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)

# One name per function (aliases share the implementation).
_FUNCTIONS = sorted({spec.name for spec in REGISTRY.values()})


class _QuietContext(NullContext):
    """A context without a database whose SLEEP() does not wait."""

    def sleep(self, seconds: float) -> None:
        pass


def _is_aql_value(value: Any) -> bool:
    if value is None or type(value) in (bool, str):
        return True
    if type(value) is int:
        return _INT64_MIN <= value <= _INT64_MAX
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is list:
        return all(_is_aql_value(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _is_aql_value(v) for k, v in value.items())
    return False


def test_the_registry_holds_every_family() -> None:
    families = {spec.impl.__module__.rsplit(".", 1)[-1] for spec in REGISTRY.values()}
    assert {"strings", "dates", "numeric", "arrays", "objects", "types", "misc", "geo"} <= families


def _call_checked(name: str, args: list[Any]) -> None:
    """Call ``name`` with ``args`` through CALL(); fail unless the outcome is an AQL value
    (warnings well formed) or the package's own error with an ArangoDB number."""
    call = lookup("CALL")
    assert call is not None
    ctx = _QuietContext()
    try:
        result = call.impl(ctx, name, *args)
    except ArangoMLMetaError as error:
        assert error.error_num is not None
        return
    assert _is_aql_value(result), f"{name}{tuple(args)!r} gave {result!r}"
    assert all(type(code) is int and type(text) is str for code, text in ctx.warnings)


@pytest.mark.parametrize("name", _FUNCTIONS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_VALUES, max_size=9), extra=st.integers(0, 2))
def test_any_arguments_give_an_aql_value_or_the_engines_error(
    name: str, values: list[Any], extra: int
) -> None:
    spec = lookup(name)
    assert spec is not None
    most = (spec.max_args if spec.max_args is not None else spec.min_args + 3) + extra
    _call_checked(name, values[:most])


def test_the_check_rejects_what_is_no_aql_value() -> None:
    for value in (math.nan, math.inf, 2**63, (1,), {1: "a"}, [b"x"], object()):
        assert not _is_aql_value(value)
    assert _is_aql_value({"a": [None, True, -(2**63), 1.5, "s", {}]})


def test_the_check_fails_on_a_python_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: Any, value: Any) -> Any:
        return value + 1  # TypeError for a string

    monkeypatch.setitem(REGISTRY, "BROKEN", AqlFunction("BROKEN", broken, 1, 1))
    _call_checked("BROKEN", [1])
    with pytest.raises(TypeError):
        _call_checked("BROKEN", ["a"])
    with pytest.raises(AssertionError):
        _call_checked("BROKEN", [2**63 - 1])  # an int past int64 is no AQL value
