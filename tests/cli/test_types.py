"""`types list | show | register | evolve | diff` on every backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.store import MetadataStore

from .conftest import Cli, as_json, fails, succeeds

EXPERIMENTS = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "description": "An experiment and its goal",
    "properties": {
        "goal": {"type": "string"},
        "budget": {"type": "number", "minimum": 0},
    },
    "required": ["goal"],
}


def write_schema(folder: Path, name: str, schema: dict[str, Any]) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


@pytest.fixture
def experiments(cli: Cli, store: MetadataStore, tmp_path: Path) -> Path:
    """The type ``experiments`` registered from its schema file (returned, to be edited)."""
    path = write_schema(tmp_path, "experiments", EXPERIMENTS)
    succeeds(cli("types", "register", str(path)))
    return path


def evolved(path: Path, change: Any) -> Path:
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def test_list_shows_the_built_in_types(cli: Cli, store: MetadataStore) -> None:
    rows = as_json(cli("types", "list", "--format", "json"))
    runs = next(r for r in rows if r["name"] == "runs")
    assert (runs["kind"], runs["schema_version"]) == ("execution", 1)
    assert "datasets" in succeeds(cli("types", "list"))


def test_show_lists_fields_and_versions(cli: Cli, store: MetadataStore) -> None:
    out = succeeds(cli("types", "show", "models"))
    assert "framework" in out
    assert "Schema versions" in out
    shown = as_json(cli("types", "show", "models", "--format", "json"))
    assert shown["kind"] == "artifact"
    assert [v["schema_version"] for v in shown["versions"]] == [1]
    assert "framework" in shown["schema"]["properties"]


def test_register_creates_a_type_in_the_graph(
    cli: Cli, experiments: Path, store: MetadataStore
) -> None:
    shown = as_json(cli("types", "show", "experiments", "--format", "json"))
    assert shown["kind"] == "artifact"
    assert shown["description"] == "An experiment and its goal"
    assert "name" in shown["schema"]["required"]  # the envelope was added
    assert store.backend.has_collection("experiments")
    graph = store.backend.graph_definitions("lineage")
    derivations = next(d for d in graph if d["collection"] == "derivations")
    assert "experiments" in derivations["from"]
    assert succeeds(cli("artifacts", "add", "experiments", "e1", "goal=win"))


def test_register_takes_kind_and_description(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    path = write_schema(tmp_path, "teams", {"type": "object", "properties": {}})
    out = succeeds(
        cli("types", "register", str(path), "--kind", "context", "--description", "Teams")
    )
    assert "registered type teams (context" in out
    assert as_json(cli("types", "show", "teams", "--format", "json"))["description"] == "Teams"


def test_register_advises_on_a_name_against_convention(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    result = cli("types", "register", str(write_schema(tmp_path, "Experiment", EXPERIMENTS)))
    succeeds(result)
    assert "snake_case" in result.stderr


def test_register_twice_is_an_error(cli: Cli, experiments: Path) -> None:
    fails(cli("types", "register", str(experiments)), "already registered")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "object", "properties": {"a": {"const": 1}}}', "draft-06"),
        ('{"type": "array"}', '"type": "object"'),
    ],
)
def test_register_a_bad_schema_file_is_an_error(
    cli: Cli, store: MetadataStore, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "labels.json"
    path.write_text(content, encoding="utf-8")
    fails(cli("types", "register", str(path)), message)


def test_register_an_unknown_kind_is_an_error(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    path = write_schema(tmp_path, "labels", EXPERIMENTS)
    fails(cli("types", "register", str(path), "--kind", "gadget"), "unknown kind 'gadget'")


def test_register_a_missing_file_is_an_error(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    fails(cli("types", "register", str(tmp_path / "nothing.json")), "no such schema file")


def test_evolve_accepts_a_compatible_change_and_keeps_each_version(
    cli: Cli, experiments: Path, store: MetadataStore
) -> None:
    def add_optional_owner(schema: dict[str, Any]) -> None:
        schema["properties"]["owner"] = {"type": "string"}
        schema["properties"]["budget"]["minimum"] = -10

    out = succeeds(cli("types", "evolve", str(evolved(experiments, add_optional_owner))))
    assert "schema version 1 -> 2 (backward compatible)" in out
    shown = as_json(cli("types", "show", "experiments", "--format", "json"))
    assert [v["schema_version"] for v in shown["versions"]] == [1, 2]
    assert "owner" in shown["schema"]["properties"]
    first = as_json(cli("types", "show", "experiments", "--version", "1", "--format", "json"))
    assert "owner" not in first["schema"]["properties"]
    assert store.type("experiments").schema_version == 2
    succeeds(cli("artifacts", "add", "experiments", "e1", "goal=win", "owner=ann"))


def test_evolve_with_the_same_schema_changes_nothing(cli: Cli, experiments: Path) -> None:
    assert "unchanged (version 1)" in succeeds(cli("types", "evolve", str(experiments)))


def test_evolve_refuses_a_breaking_change(
    cli: Cli, experiments: Path, store: MetadataStore
) -> None:
    breaking = evolved(experiments, lambda s: s["required"].append("budget"))
    fails(
        cli("types", "evolve", str(breaking)), "field 'budget': is now required", "--allow-breaking"
    )
    assert store.type("experiments").schema_version == 1
    versions = as_json(cli("types", "show", "experiments", "--format", "json"))["versions"]
    assert len(versions) == 1


def test_evolve_allows_a_breaking_change_when_asked(cli: Cli, experiments: Path) -> None:
    breaking = evolved(experiments, lambda s: s["properties"]["goal"].update(maxLength=3))
    out = succeeds(cli("types", "evolve", str(breaking), "--allow-breaking"))
    assert "1 -> 2, breaking (allowed)" in out
    versions = as_json(cli("types", "show", "experiments", "--format", "json"))["versions"]
    assert versions[-1]["breaking"] == ["field 'goal': maxLength 3 added"]
    fails(cli("artifacts", "add", "experiments", "e1", "goal=world domination"), "goal")


def test_evolve_refuses_a_change_of_kind(cli: Cli, experiments: Path) -> None:
    changed = evolved(experiments, lambda s: s.update({"x-kind": "context"}))
    fails(cli("types", "evolve", str(changed), "--allow-breaking"), "kind cannot change")


def test_evolve_an_unknown_type_is_an_error(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    path = write_schema(tmp_path, "gadgets", EXPERIMENTS)
    fails(cli("types", "evolve", str(path)), "unknown artifact type 'gadgets'")


def test_diff_between_versions(cli: Cli, experiments: Path) -> None:
    succeeds(
        cli(
            "types",
            "evolve",
            str(evolved(experiments, lambda s: s["properties"].update(owner={"type": "string"}))),
        )
    )
    diff = as_json(cli("types", "diff", "experiments", "--format", "json"))
    assert (diff["from_version"], diff["to_version"], diff["compatible"]) == (1, 2, True)
    assert diff["changes"] == [
        {
            "pointer": "#/properties/owner",
            "change": "added",
            "before": None,
            "after": {"type": "string"},
        }
    ]
    assert "backward compatible" in succeeds(cli("types", "diff", "experiments"))


def test_diff_against_a_file_names_breaking_changes(cli: Cli, experiments: Path) -> None:
    changed = evolved(experiments, lambda s: s["properties"]["budget"].update(minimum=5))
    diff = as_json(
        cli("types", "diff", "experiments", "--against", str(changed), "--format", "json")
    )
    assert diff["compatible"] is False
    assert diff["breaking"] == ["field 'budget': minimum raised from 0 to 5"]
    assert diff["changes"][0]["pointer"] == "#/properties/budget/minimum"
    assert "breaking: field 'budget'" in succeeds(
        cli("types", "diff", "experiments", "--against", str(changed))
    )


def test_diff_an_unknown_version_is_an_error(cli: Cli, experiments: Path) -> None:
    fails(cli("types", "diff", "experiments", "--from", "7"), "no schema version 7")


@pytest.mark.parametrize("command", [["show", "gadgets"], ["diff", "gadgets"]])
def test_an_unknown_type_is_an_error(cli: Cli, store: MetadataStore, command: list[str]) -> None:
    fails(cli("types", *command), "unknown artifact type 'gadgets'", "registered: datasets")
