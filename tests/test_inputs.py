"""Bounded reading of user input (arangoml_meta/inputs.py): hostile files first, then good ones."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from arangoml_meta.errors import BadParameterError
from arangoml_meta.inputs import (
    MAX_DEPTH,
    MAX_EXPANDED_VALUES,
    MAX_INPUT_ENV,
    max_input_bytes,
    parse_json,
    parse_yaml,
    read_document,
    read_text,
)

BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_value(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


# --------------------------------------------------------------------------- hostile


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_an_endless_file_is_refused_at_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "1")
    with pytest.raises(BadParameterError, match="larger than 1 MiB") as caught:
        read_text("/dev/zero")
    assert caught.value.error_num == 10
    assert MAX_INPUT_ENV in str(caught.value)


def test_a_file_larger_than_the_limit_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "1")
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: 1 GiB that takes no disk
        handle.truncate(2**30)
    with pytest.raises(BadParameterError, match="larger than 1 MiB"):
        read_text(big)


def test_the_size_limit_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "two.json"
    path.write_text(json.dumps("x" * (2**20 + 10)))
    monkeypatch.setenv(MAX_INPUT_ENV, "1")
    with pytest.raises(BadParameterError):
        read_document(path)
    monkeypatch.setenv(MAX_INPUT_ENV, "2")
    assert read_document(path) == "x" * (2**20 + 10)


@pytest.mark.parametrize("setting", ["0", "-3", "lots", "1.5"])
def test_a_bad_size_limit_setting_is_an_error(
    setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, setting)
    with pytest.raises(BadParameterError, match=MAX_INPUT_ENV):
        max_input_bytes()


def test_a_small_file_is_read_without_setting_aside_the_whole_limit(tmp_path: Path) -> None:
    path = tmp_path / "small.aql"
    path.write_text("RETURN 1")
    tracemalloc.start()
    try:
        assert read_text(path) == "RETURN 1"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20  # a read of the 64 MiB limit at once allocated all of it


def test_the_default_size_limit_is_64_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_INPUT_ENV, raising=False)
    assert max_input_bytes() == 64 * 2**20


def test_json_nested_1100_deep_is_refused() -> None:
    with pytest.raises(BadParameterError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_json(nested_json(1100), "deep.json")


def test_json_nested_one_level_too_deep_is_refused_and_the_limit_itself_is_read() -> None:
    with pytest.raises(BadParameterError, match="nested more than"):
        parse_json(nested_json(MAX_DEPTH + 1), "deep.json")
    assert parse_json(nested_json(MAX_DEPTH), "deep.json") == nested_value(MAX_DEPTH)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1100])
def test_yaml_nested_too_deep_is_refused(depth: int) -> None:
    with pytest.raises(BadParameterError, match="nest"):  # ours, or libyaml's own limit
        parse_yaml(nested_json(depth), "deep.yaml")


def test_a_yaml_alias_bomb_is_refused() -> None:
    with pytest.raises(BadParameterError, match="aliases expand to") as caught:
        parse_yaml(BILLION_LAUGHS, "bomb.yaml")
    assert f"{MAX_EXPANDED_VALUES:,}" in str(caught.value)


def test_a_yaml_document_that_contains_itself_is_refused() -> None:
    with pytest.raises(BadParameterError, match="contains itself"):
        parse_yaml("a: &a [1, *a]\n", "loop.yaml")


def test_yaml_aliases_that_expand_to_little_are_read() -> None:
    value = parse_yaml("base: &b {lr: 0.1}\nfirst: *b\nsecond: *b\n", "params.yaml")
    assert value == {"base": {"lr": 0.1}, "first": {"lr": 0.1}, "second": {"lr": 0.1}}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400", "-2e308"])
def test_json_constants_that_no_json_document_holds_are_refused(constant: str) -> None:
    with pytest.raises(BadParameterError, match=f"{constant} is not a JSON number"):
        parse_json(f'{{"x": {constant}}}', "f.json")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(BadParameterError, match="not UTF-8 text"):
        read_text(path)


def test_a_missing_file_and_a_directory_are_errors(tmp_path: Path) -> None:
    with pytest.raises(BadParameterError, match="no such file"):
        read_text(tmp_path / "missing.json")
    with pytest.raises(BadParameterError, match="is a directory"):
        read_text(tmp_path)


def test_invalid_json_names_the_line_and_column() -> None:
    with pytest.raises(BadParameterError, match="line 2, column 1"):
        parse_json('{"a": 1,\n}', "f.json")


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(BadParameterError, match="not valid YAML at line 2"):
        parse_yaml("a: [1,\n b: }", "f.yaml")


# --------------------------------------------------------------------------- good


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"rows": 3}')
    assert read_document(path) == {"rows": 3}


def test_yaml_dates_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "d.yml"
    path.write_text("collected: 2025-01-02\nrows: 3\n")
    assert read_document(path) == {"collected": "2025-01-02", "rows": 3}
