"""The CLI's own helpers: reading KEY=VALUE and printing cells."""

from __future__ import annotations

import pytest

from arangoml_meta.cli.core import json_value, nested_fields
from arangoml_meta.cli.output import cell
from arangoml_meta.errors import BadParameterError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("150", 150),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ('"150"', "150"),
        ("[1, 2]", [1, 2]),
        ("s3://lake/iris.csv", "s3://lake/iris.csv"),
        ("007", "007"),
        ('"NaN"', "NaN"),
        (str(2**64 - 1), 2**64 - 1),  # exact: whether it fits is the store's rule
        ("", ""),
    ],
)
def test_json_value_reads_json_else_text(text: str, value: object) -> None:
    assert json_value(text, "field") == value


@pytest.mark.parametrize(
    "text", ["NaN", "Infinity", "-Infinity", "1e400", " -1e999 ", "[1, NaN]", '{"a": 1e400}']
)
def test_json_value_refuses_numbers_json_cannot_hold(text: str) -> None:
    """Not kept as the text, nor as a rounded number: refused, saying how to mean the text."""
    with pytest.raises(BadParameterError, match=r"is not a number a JSON document can hold") as e:
        json_value(text, "field")
    assert f'field="{text.strip()}"' in str(e.value)


@pytest.mark.parametrize("text", ["[1, 2", '{"a": 1', '"open'])
def test_json_value_refuses_broken_json(text: str) -> None:
    with pytest.raises(BadParameterError, match="starts like JSON"):
        json_value(text, "field")


def test_nested_fields_follow_dots() -> None:
    assert nested_fields({"metrics.auc": 0.9, "metrics.f1": 0.8, "rows": 3}) == {
        "metrics": {"auc": 0.9, "f1": 0.8},
        "rows": 3,
    }
    with pytest.raises(BadParameterError, match="empty part"):
        nested_fields({"metrics..auc": 1})


def test_cells_are_text_or_compact_json() -> None:
    assert [cell(None), cell(True), cell(3), cell("a"), cell({"a": [1]})] == [
        "", "true", "3", "a", '{"a":[1]}',
    ]  # fmt: skip
