"""The CLI's value parsers, fuzzed: any text gives a JSON value a store keeps exactly, or one
of the project's errors — never another exception, a non-finite number, or an integer that
would be rounded."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arangoml_meta.cli.core import json_value, split_assignment
from arangoml_meta.errors import ArangoMLMetaError
from arangoml_meta.jsonvalues import INT_MAX, INT_MIN
from arangoml_meta.queries import PARAM_TYPES, QueryParam, StoredQuery, coerce_params
from arangoml_meta.refs import parse_ref

# text that looks like numbers and JSON as often as like anything else
NUMBERS = st.one_of(
    st.integers(-(2**80), 2**80).map(str),
    st.floats().map(repr),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "1e-400", "0x10"]),
)
TEXTS = st.one_of(st.text(max_size=30), NUMBERS, NUMBERS.map(lambda n: f'[{n}, {{"a": {n}}}]'))


def exact_json(value: Any) -> bool:
    """Whether ``value`` is a JSON value every backend keeps as it is."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return INT_MIN <= value <= INT_MAX
    if isinstance(value, list):
        return all(exact_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and exact_json(v) for k, v in value.items())
    return False


def floats_kept(value: Any) -> bool:
    """Whether ``value`` has no non-finite float (integers are the store's to check)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(floats_kept(item) for item in value)
    if isinstance(value, dict):
        return all(floats_kept(v) for v in value.values())
    return True


@given(TEXTS)
def test_json_value_gives_a_finite_value_or_refuses(text: str) -> None:
    try:
        value = json_value(text, "field")
    except ArangoMLMetaError as refused:
        assert refused.message
        return
    assert floats_kept(value)


@given(TEXTS)
def test_an_assignment_splits_or_refuses(text: str) -> None:
    try:
        key, value = split_assignment(text, "--param")
    except ArangoMLMetaError:
        assert "=" not in text or not text.partition("=")[0].strip()
        return
    assert f"{key}" in text and text.endswith(value)


@pytest.mark.parametrize("kind", sorted(PARAM_TYPES))
@given(text=TEXTS)
def test_a_parameter_is_its_type_or_refused(kind: str, text: str) -> None:
    query = StoredQuery("q", "t", "d", "a", False, [QueryParam("x", kind, None, False, "x")], "")
    try:
        value = coerce_params(query, {"x": text})["x"]
    except ArangoMLMetaError as refused:
        assert "'x'" in refused.message
        return
    if kind in ("integer", "number"):
        assert value is None or exact_json(value)
    else:
        assert floats_kept(value)


@given(st.text(max_size=40))
def test_a_reference_parses_or_refuses(text: str) -> None:
    try:
        ref = parse_ref(text)
    except ArangoMLMetaError as refused:
        assert refused.error_num == 1205
        return
    assert text.startswith(f"{ref.type}/")
    assert (ref.key is None) != (ref.name is None)
    assert ref.version is None or ref.version >= 1
