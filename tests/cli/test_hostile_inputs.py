"""Hostile input through every way the CLI reads it: one error line, exit 1, nothing written.

Files (``artifacts add --file``, schema files, stored query files, ``aql @FILE``),
stdin (``aql -``) and JSON-typed arguments (``FIELD=VALUE``, ``--bind``,
``--param``): an endless file, a YAML alias bomb and JSON nested 1,100 deep.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from arangoml_meta.store import MetadataStore
from tests.test_inputs import BILLION_LAUGHS, nested_json

from .conftest import Cli, fails, succeeds

needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
SMALL_LIMIT = {"ARANGOML_META_MAX_INPUT_MB": "1"}


def endless(tmp_path: Path, name: str) -> Path:
    """``name`` in tmp_path, a link to /dev/zero (so that its suffix is the one a command wants)."""
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    return link


def nothing_stored(store: MetadataStore) -> bool:
    return store.find("datasets") == []


# --------------------------------------------------------------------------- artifacts add --file


@needs_dev_zero
@pytest.mark.parametrize("name", ["zeros.json", "zeros.yaml"])
def test_artifacts_add_from_an_endless_file_is_one_error_line(
    cli: Cli, store: MetadataStore, tmp_path: Path, name: str
) -> None:
    fails(
        cli("artifacts", "add", "datasets", "iris", "--file", str(endless(tmp_path, name))),
        "larger than 64 MiB",
        "ARANGOML_META_MAX_INPUT_MB",
    )
    assert nothing_stored(store)


def test_artifacts_add_from_a_yaml_alias_bomb_is_one_error_line(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    fails(cli("artifacts", "add", "datasets", "iris", "--file", str(bomb)), "aliases expand to")
    assert nothing_stored(store)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_artifacts_add_from_a_file_nested_1100_deep_is_one_error_line(
    cli: Cli, store: MetadataStore, tmp_path: Path, suffix: str
) -> None:
    deep = tmp_path / f"deep{suffix}"
    deep.write_text('{"x": ' + nested_json(1100) + "}")
    fails(cli("artifacts", "add", "datasets", "iris", "--file", str(deep)), "nest")
    assert nothing_stored(store)


def test_artifacts_add_from_a_file_with_few_aliases_stores_them_written_out(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    fields = tmp_path / "iris.yaml"
    fields.write_text("split: &s {train: 0.8}\nfirst: *s\nrows: 150\n")
    succeeds(cli("artifacts", "add", "datasets", "iris", "--file", str(fields)))
    (stored,) = store.find("datasets")
    assert stored["first"] == stored["split"] == {"train": 0.8}


# --------------------------------------------------------------------------- arguments


def test_a_field_value_nested_1100_deep_is_one_error_line(cli: Cli, store: MetadataStore) -> None:
    fails(cli("artifacts", "add", "datasets", "iris", f"x={nested_json(1100)}"), "nested more than")
    assert nothing_stored(store)


def test_a_bind_value_nested_1100_deep_is_one_error_line(cli: Cli) -> None:
    fails(cli("aql", "RETURN @x", "--bind", f"x={nested_json(1100)}"), "nested more than")


@pytest.mark.parametrize("param", ["value", "types"])  # an "any" and an "array" parameter
def test_a_stored_query_parameter_nested_1100_deep_is_one_error_line(
    cli: Cli, store: MetadataStore, param: str
) -> None:
    fails(
        cli("query", "run", "search_artifacts", "-p", f"{param}={nested_json(1100)}"),
        f"parameter '{param}'",
        "nested more than",
    )


# --------------------------------------------------------------------------- aql, schemas, queries


@needs_dev_zero
def test_aql_from_an_endless_file_is_one_error_line(cli: Cli) -> None:
    fails(cli("aql", "@/dev/zero", env=SMALL_LIMIT), "/dev/zero: larger than 1 MiB")


def test_aql_from_too_much_stdin_is_one_error_line(cli: Cli) -> None:
    query = "RETURN 1 " + "/* padding */ " * 80_000  # over 1 MiB
    fails(cli("aql", "-", input=query, env=SMALL_LIMIT), "stdin: larger than 1 MiB")


@needs_dev_zero
def test_registering_an_endless_schema_file_is_one_error_line(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    fails(
        cli("types", "register", str(endless(tmp_path, "experiments.json")), env=SMALL_LIMIT),
        "larger than 1 MiB",
    )
    assert "experiments" not in {t.name for t in store.types()}


def test_registering_a_schema_nested_1100_deep_is_one_error_line(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    schema = tmp_path / "experiments.json"
    schema.write_text('{"type": "object", "x-deep": ' + nested_json(1100) + "}")
    fails(cli("types", "register", str(schema)), "nested more than")
    assert "experiments" not in {t.name for t in store.types()}


def test_a_huge_stored_query_file_is_one_error_line(cli: Cli, tmp_path: Path) -> None:
    with (tmp_path / "huge.aql").open("wb") as handle:  # sparse: 1 GiB that takes no disk
        handle.truncate(2**30)
    fails(
        cli("query", "run", "huge", "--dir", str(tmp_path), env=SMALL_LIMIT),
        "larger than 1 MiB",
    )


def test_a_schema_file_within_bounds_still_registers(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    schema = tmp_path / "experiments.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"goal": {"type": "string"}}}))
    succeeds(cli("types", "register", str(schema)))
    assert "experiments" in {t.name for t in store.types()}
