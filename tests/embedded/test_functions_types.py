"""Type check and cast functions, from ArangoDB 3.12's "Type check and cast" page."""

from __future__ import annotations

import pytest

from arangoml_meta.embedded.values import type_name

from .conftest import call_function, call_with_warnings

ALL_TYPES = [None, True, 0, 1.5, "", "x", [], [1], {}, {"a": 1}]


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("IS_NULL", "null"),
        ("IS_BOOL", "bool"),
        ("IS_NUMBER", "number"),
        ("IS_STRING", "string"),
        ("IS_ARRAY", "array"),
        ("IS_LIST", "array"),
        ("IS_OBJECT", "object"),
        ("IS_DOCUMENT", "object"),
    ],
)
def test_type_checks_accept_only_their_type(name, accepted):
    results = [call_function(name, value) for value in ALL_TYPES]
    assert results == [type_name(value) == accepted for value in ALL_TYPES]


def test_type_checks_never_warn():
    _, warnings = call_with_warnings("IS_STRING", {"a": [1]})
    assert warnings == []


def test_is_bool_is_false_for_numbers_zero_and_one():
    assert [call_function("IS_BOOL", 0), call_function("IS_BOOL", 1)] == [False, False]


def test_is_number_is_false_for_booleans():
    assert call_function("IS_NUMBER", True) is False


def test_is_key_accepts_allowed_punctuation():
    assert call_function("IS_KEY", "a-b_c:d.e@f(g)+h,i=j;k$l!m*n'o%p") is True


@pytest.mark.parametrize("value", ["", "a/b", "a b", "ä", "a#b", "a?b", "a[0]", "x" * 255])
def test_is_key_rejects_invalid_strings(value):
    assert call_function("IS_KEY", value) is False


def test_is_key_accepts_254_characters():
    assert call_function("IS_KEY", "k" * 254) is True


def test_is_key_is_false_for_non_strings():
    assert call_function("IS_KEY", 123) is False


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (False, "bool"),
        (-4.56, "number"),
        (0, "number"),
        ("123", "string"),
        ([], "array"),
        ({"foo": None}, "object"),
    ],
)
def test_typename(value, name):
    assert call_function("TYPENAME", value) == name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (0, False),
        (-0.0, False),
        ("", False),
        ("0", True),
        ([], True),
        ({}, True),
        (-1, True),
    ],
)
def test_to_bool(value, expected):
    assert call_function("TO_BOOL", value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0),
        (False, 0),
        (True, 1),
        (-3.5, -3.5),
        ("  12.5  ", 12.5),
        ("1e3", 1000),
        ("abc", 0),
        ("", 0),
        ([], 0),
        (["7"], 7),
        ([1, 2], 0),
        ({"a": 1}, 0),
    ],
)
def test_to_number(value, expected):
    assert call_function("TO_NUMBER", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (123, "123"),
        (-1.23, "-1.23"),
        (2.0, "2"),
        (0.0000002, "2e-7"),
        ([1, 2, 3], "[1,2,3]"),
        ({"foo": "bar", "baz": None}, '{"foo":"bar","baz":null}'),
    ],
)
def test_to_string(value, expected):
    assert call_function("TO_STRING", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        (False, [False]),
        (5, [5]),
        ("foo", ["foo"]),
        ([1, 2, "foo"], [1, 2, "foo"]),
        ({"foo": 1, "bar": 2, "baz": [3, 4, 5]}, [1, 2, [3, 4, 5]]),
    ],
)
def test_to_array(value, expected):
    assert call_function("TO_ARRAY", value) == expected


def test_to_list_is_an_alias_of_to_array():
    assert call_function("TO_LIST", None) == []


# --------------------------------------------------------------------------- robustness


def test_to_string_of_absurdly_deep_value_is_null_with_warning():
    deep: list[object] = [1]
    for _ in range(100_000):
        deep = [deep]
    result, warnings = call_with_warnings("TO_STRING", deep)
    assert (result, len(warnings)) == (None, 1)
