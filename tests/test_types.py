"""Artifact types: built-in schemas, user type files, validation, ArangoDB rules, evolution."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from arangoml_meta.errors import (
    ERROR_ARANGO_ILLEGAL_NAME,
    ERROR_BAD_PARAMETER,
    ERROR_VALIDATION_FAILED,
    ArangoMLMetaError,
    BadParameterError,
    CollectionError,
    SchemaViolationError,
)
from arangoml_meta.types import (
    ARTIFACT_FIELDS,
    BUILTIN_NAMES,
    DRAFT_04,
    ENVELOPE_FIELDS,
    KINDS,
    SCHEMAS_DIR,
    ArtifactType,
    arango_rule,
    builtin_types,
    check_schema,
    check_type_name,
    compatible_change,
    load_type_file,
    name_advice,
    validate,
)

EXPECTED_KINDS = {
    "datasets": "artifact",
    "featuresets": "artifact",
    "runs": "execution",
    "models": "artifact",
    "deployments": "artifact",
    "serving_metrics": "artifact",
    "projects": "context",
}
# Written out here rather than imported, so that the test does not trust the code it checks.
DRAFT_04_VOCABULARY = {
    "$schema", "id", "$ref", "title", "description", "default", "format", "enum", "type",
    "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength",
    "minLength", "pattern", "items", "additionalItems", "maxItems", "minItems", "uniqueItems",
    "properties", "patternProperties", "additionalProperties", "required", "maxProperties",
    "minProperties", "dependencies", "definitions", "allOf", "anyOf", "oneOf", "not",
}  # fmt: skip
TYPES = {t.name: t for t in builtin_types()}


def keywords(schema: dict[str, Any]) -> set[str]:
    """Every keyword used anywhere in a schema (property names are not keywords)."""
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "definitions", "patternProperties"):
            for sub in value.values():
                found |= keywords(sub)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            found |= keywords(value)
    return found


def violation_fields(excinfo: pytest.ExceptionInfo[SchemaViolationError]) -> list[str]:
    return [v["field"] for v in excinfo.value.details["violations"]]


def write_schema(folder: Path, name: str, schema: dict[str, Any]) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(schema))
    return path


def user_schema(**properties: Any) -> dict[str, Any]:
    return {
        "$schema": DRAFT_04,
        "description": "An A/B experiment",
        "x-kind": "context",
        "type": "object",
        "properties": properties or {"arms": {"type": "integer", "minimum": 2}},
    }


# --------------------------------------------------------------------------- built-in schemas


def test_builtin_types_are_the_design_collections_with_their_kinds() -> None:
    assert {name: t.kind for name, t in TYPES.items()} == EXPECTED_KINDS
    assert [t.name for t in builtin_types()] == list(BUILTIN_NAMES)


def test_schemas_folder_holds_one_file_per_builtin_type() -> None:
    assert sorted(p.stem for p in SCHEMAS_DIR.glob("*.json")) == sorted(BUILTIN_NAMES)


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_schema_is_a_valid_draft_04_schema(name: str) -> None:
    schema = json.loads((SCHEMAS_DIR / f"{name}.json").read_text())
    assert schema["$schema"] == DRAFT_04
    Draft4Validator.check_schema(schema)
    check_schema(schema)


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_schema_uses_only_draft_04_keywords_and_the_annotations(name: str) -> None:
    assert keywords(TYPES[name].schema) - DRAFT_04_VOCABULARY <= {"x-kind", "x-personal-data"}


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_schema_is_annotated_and_open(name: str) -> None:
    schema = TYPES[name].schema
    assert schema["title"] and schema["description"] == TYPES[name].description
    assert schema["x-kind"] == EXPECTED_KINDS[name]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is True
    assert schema["required"] == ["name"]


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_every_builtin_type_carries_the_same_envelope(name: str) -> None:
    properties = TYPES[name].schema["properties"]
    reference = TYPES["datasets"].schema["properties"]
    fields = ARTIFACT_FIELDS if EXPECTED_KINDS[name] == "artifact" else ENVELOPE_FIELDS
    assert {f: properties.get(f) for f in fields} == {f: reference[f] for f in fields}
    assert ("version" in properties) == (EXPECTED_KINDS[name] == "artifact")


def test_artifact_version_is_an_integer_from_one() -> None:
    assert TYPES["models"].schema["properties"]["version"] == {
        "type": "integer",
        "minimum": 1,
        "description": "1, 2, ... per name within the type",
    }


def test_missing_schemas_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArangoMLMetaError, match="built-in schemas are incomplete") as excinfo:
        builtin_types(tmp_path / "nowhere")
    assert "nowhere" in str(excinfo.value)


def test_missing_builtin_schema_file_names_the_file(tmp_path: Path) -> None:
    for name in BUILTIN_NAMES[:-1]:
        (tmp_path / f"{name}.json").write_text((SCHEMAS_DIR / f"{name}.json").read_text())
    with pytest.raises(ArangoMLMetaError, match=r"projects\.json is missing"):
        builtin_types(tmp_path)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(BadParameterError, match="choose one of artifact, execution, context"):
        ArtifactType("things", "entity", "", {"type": "object"})
    assert KINDS == ("artifact", "execution", "context")


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "timestamp",
    ["2024-03-01T12:00:00.000Z", "1999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.123Z"],
)
def test_created_at_accepts_the_aql_iso_8601_form(timestamp: str) -> None:
    validate(TYPES["datasets"], {"name": "iris", "created_at": timestamp})


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-03-01",
        "2024-03-01T12:00:00Z",
        "2024-03-01T12:00:00.000",
        "2024-03-01T12:00:00.000+01:00",
        "2024-03-01 12:00:00.000Z",
        "2024-13-01T12:00:00.000Z",
        "2024-03-01T24:00:00.000Z",
        "2024-03-01T12:00:00.000000Z",
    ],
)
def test_created_at_refuses_other_forms(timestamp: str) -> None:
    with pytest.raises(
        SchemaViolationError, match=re.escape("YYYY-MM-DDTHH:MM:SS.sssZ")
    ) as excinfo:
        validate(TYPES["runs"], {"name": "train", "created_at": timestamp})
    assert violation_fields(excinfo) == ["created_at"]


def test_violation_names_the_field_path_and_carries_1620() -> None:
    with pytest.raises(SchemaViolationError) as excinfo:
        validate(TYPES["runs"], {"name": "train", "metrics": {"accuracy": "high"}})
    assert excinfo.value.error_num == ERROR_VALIDATION_FAILED
    assert excinfo.value.message == "runs: field 'metrics.accuracy': 'high' is not of type 'number'"


def test_all_violations_are_listed_in_one_error() -> None:
    doc = {
        "name": "train run",
        "status": "done",
        "environment": {"git": {"dirty": "yes"}},
        "metric_series": {"loss": [{"step": 1, "value": 0.5}, {"step": 2}]},
        "resources": {"peak_memory_bytes": -1},
    }
    with pytest.raises(SchemaViolationError) as excinfo:
        validate(TYPES["runs"], doc)
    fields = violation_fields(excinfo)
    assert fields == [
        "environment.git.dirty",
        "metric_series.loss[1].value",
        "name",
        "resources.peak_memory_bytes",
        "status",
    ]
    for field in fields:
        assert f"field '{field}'" in excinfo.value.message


def test_missing_required_field_is_named() -> None:
    with pytest.raises(SchemaViolationError) as excinfo:
        validate(TYPES["datasets"], {"rows": 3})
    assert excinfo.value.message == "datasets: field 'name': is required but missing"


def test_enum_violation_lists_the_allowed_values() -> None:
    with pytest.raises(SchemaViolationError, match=r"'done' is not one of \['running'"):
        validate(TYPES["runs"], {"name": "train", "status": "done"})


def test_undeclared_fields_are_allowed_and_system_attributes_ignored() -> None:
    doc = {
        "_key": "iris-v1",
        "_id": "datasets/iris-v1",
        "_rev": "_h1",
        "name": "iris",
        "owner_note": 1,
    }
    validate(TYPES["datasets"], doc)


def test_a_non_object_is_not_a_document() -> None:
    with pytest.raises(SchemaViolationError, match=r"datasets: the document: .* not a document"):
        validate(TYPES["datasets"], ["iris"])


def test_closed_user_type_names_each_unexpected_field(tmp_path: Path) -> None:
    schema = user_schema()
    schema["additionalProperties"] = False
    experiments = load_type_file(write_schema(tmp_path, "experiments", schema))
    with pytest.raises(SchemaViolationError) as excinfo:
        validate(experiments, {"_key": "ab-1", "name": "ab", "arms": 1, "colour": "red"})
    assert violation_fields(excinfo) == ["arms", "colour"]
    assert "field 'colour': is not a declared field" in excinfo.value.message


# --------------------------------------------------------------------------- ArangoDB rule


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_arango_rule_is_the_schema_without_annotations(name: str) -> None:
    artifact_type = TYPES[name]
    rule = arango_rule(artifact_type)
    assert rule["level"] == "moderate"
    assert f"'{name}'" in rule["message"]
    assert not {"$schema", "title", "description", "x-kind"} & set(rule["rule"])
    assert "x-kind" not in keywords(rule["rule"])
    Draft4Validator.check_schema(rule["rule"])
    assert not {k for k in keywords(rule["rule"]) if k.startswith("x-")}
    assert rule["rule"]["properties"] == _without_annotations(artifact_type.schema["properties"])
    assert "x-kind" in artifact_type.schema  # the type itself keeps its annotations


def _without_annotations(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_annotations(v) for k, v in node.items() if not k.startswith("x-")}
    return node


def test_arango_rule_enforces_what_validate_enforces() -> None:
    rule = arango_rule(TYPES["runs"])["rule"]
    assert Draft4Validator(rule).is_valid({"name": "train", "metrics": {"accuracy": 0.9}})
    assert not Draft4Validator(rule).is_valid({"name": "train", "metrics": {"accuracy": "high"}})


# --------------------------------------------------------------------------- user type files


def test_user_type_file_takes_its_name_kind_and_description(tmp_path: Path) -> None:
    experiments = load_type_file(write_schema(tmp_path, "experiments", user_schema()))
    assert (experiments.name, experiments.kind, experiments.schema_version) == (
        "experiments",
        "context",
        1,
    )
    assert experiments.description == "An A/B experiment"
    validate(experiments, {"name": "ab", "arms": 2, "created_at": "2024-03-01T12:00:00.000Z"})


def test_arguments_override_the_files_kind_and_description(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "experiments", user_schema())
    experiments = load_type_file(path, kind="artifact", description="Experiments")
    assert (experiments.kind, experiments.description) == ("artifact", "Experiments")
    assert experiments.schema["x-kind"] == "artifact"
    assert "version" in experiments.schema["properties"]


def test_user_type_gets_the_envelope(tmp_path: Path) -> None:
    experiments = load_type_file(write_schema(tmp_path, "experiments", user_schema()))
    properties = experiments.schema["properties"]
    assert set(ENVELOPE_FIELDS) <= set(properties)
    assert properties["name"] == TYPES["projects"].schema["properties"]["name"]
    assert experiments.schema["required"] == ["name"]
    with pytest.raises(SchemaViolationError, match="field 'created_at'"):
        validate(experiments, {"name": "ab", "created_at": "yesterday"})


def test_an_envelope_field_of_another_type_is_refused(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "experiments", user_schema(version={"type": "string"}))
    with pytest.raises(BadParameterError, match="field 'version' belongs to the envelope"):
        load_type_file(path, kind="artifact")


@pytest.mark.parametrize(
    "name", ["1experiments", "my experiments", "_experiments", "experiments/v2", "x" * 257, "expé"]
)
def test_type_name_must_be_a_collection_name(name: str) -> None:
    with pytest.raises(CollectionError, match="not a valid ArangoDB collection name") as excinfo:
        check_type_name(name)
    assert excinfo.value.error_num == ERROR_ARANGO_ILLEGAL_NAME


def test_a_type_file_is_named_after_a_valid_collection(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="'my experiments' is not a valid"):
        load_type_file(write_schema(tmp_path, "my experiments", user_schema()))


@pytest.mark.parametrize(
    "name", ["inputs", "outputs", "derivations", "artifact_types", "deletions", "store_info"]
)
def test_the_stores_own_collections_are_reserved(tmp_path: Path, name: str) -> None:
    with pytest.raises(CollectionError, match="metadata store itself"):
        load_type_file(write_schema(tmp_path, name, user_schema()))


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("experiments", None),
        ("serving_metrics", None),
        ("Experiments", "snake_case by convention, e.g. 'experiments'"),
        ("abTests", "snake_case by convention, e.g. 'ab_tests'"),
        ("label-sets", "snake_case by convention, e.g. 'label_sets'"),
        ("experiment", "plural nouns by convention, e.g. 'experiments'"),
    ],
)
def test_name_advice_recommends_snake_case_plurals(name: str, advice: str | None) -> None:
    result = name_advice(name)
    assert result == advice if advice is None else advice in (result or "")


@pytest.mark.parametrize(
    ("subschema", "complaint"),
    [
        ({"const": 2}, "'const' is a draft-06 keyword.*use 'enum' with one value"),
        ({"type": "integer", "exclusiveMinimum": 1}, "a number in 'exclusiveMinimum' is draft-06"),
        ({"examples": [2]}, "'examples' is a draft-06 keyword"),
        ({"if": {"type": "integer"}, "then": {"minimum": 2}}, "'if' is a draft-07 keyword"),
        ({"$comment": "why"}, "'\\$comment' is a draft-07 keyword"),
        ({"type": "array", "prefixItems": [{}]}, "'prefixItems' is a 2020-12 keyword"),
        ({"type": "object", "dependentRequired": {}}, "'dependentRequired' is a 2019-09 keyword"),
        ({"type": "array", "items": True}, "a boolean schema is draft-06"),
        ({"type": "string", "format": "uuid"}, "format 'uuid' is not a draft-04 format"),
        ({"$ref": "https://example.com/arms.json"}, "points outside the schema"),
        ({"tpye": "integer"}, "unknown keyword 'tpye'"),
    ],
)
def test_keywords_newer_than_draft_04_are_refused(
    tmp_path: Path, subschema: dict[str, Any], complaint: str
) -> None:
    path = write_schema(tmp_path, "experiments", user_schema(arms=subschema))
    with pytest.raises(BadParameterError, match=complaint) as excinfo:
        load_type_file(path)
    assert excinfo.value.error_num == ERROR_BAD_PARAMETER
    assert "#/properties/arms" in str(excinfo.value)


def test_a_later_draft_is_refused(tmp_path: Path) -> None:
    schema = {**user_schema(), "$schema": "https://json-schema.org/draft/2020-12/schema"}
    with pytest.raises(BadParameterError, match="ArangoDB validates draft-04 only"):
        load_type_file(write_schema(tmp_path, "experiments", schema))


@pytest.mark.parametrize(
    ("subschema", "where"),
    [
        ({"type": "strnig"}, "#/properties/arms/type"),
        ({"type": "string", "pattern": "("}, "#/properties/arms/pattern: '\\(' is not a 'regex'"),
        ({"type": "integer", "minimum": "2"}, "#/properties/arms/minimum"),
    ],
)
def test_an_invalid_draft_04_schema_is_refused(
    tmp_path: Path, subschema: dict[str, Any], where: str
) -> None:
    path = write_schema(tmp_path, "experiments", user_schema(arms=subschema))
    with pytest.raises(BadParameterError, match=where):
        load_type_file(path)


def test_a_schema_must_describe_documents(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "experiments", {"type": "array"})
    with pytest.raises(BadParameterError, match='declare "type": "object"'):
        load_type_file(path)


def test_keyword_names_may_be_field_names(tmp_path: Path) -> None:
    schema = user_schema(const={"type": "string"}, examples={"type": "array"})
    experiments = load_type_file(write_schema(tmp_path, "experiments", schema))
    validate(experiments, {"name": "ab", "const": "c", "examples": []})


def test_broken_json_says_where(tmp_path: Path) -> None:
    path = tmp_path / "experiments.json"
    path.write_text('{"type": "object",\n "properties": }')
    with pytest.raises(BadParameterError, match="not valid JSON at line 2"):
        load_type_file(path)


def test_missing_file_is_a_bad_parameter(tmp_path: Path) -> None:
    with pytest.raises(BadParameterError, match="no such schema file"):
        load_type_file(tmp_path / "experiments.json")


def test_unknown_kind_in_a_file_is_refused(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "experiments", {**user_schema(), "x-kind": "thing"})
    with pytest.raises(BadParameterError, match="unknown kind 'thing'"):
        load_type_file(path)


# --------------------------------------------------------------------------- evolution


def evolve(name: str, change: Any) -> list[str]:
    """Breaking changes of applying ``change`` to a copy of a built-in schema."""
    old = TYPES[name].schema
    new = copy.deepcopy(old)
    change(new)
    return compatible_change(old, new)


def props(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    for name in path:
        schema = schema["properties"][name]
    return schema


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_an_unchanged_schema_is_compatible(name: str) -> None:
    assert compatible_change(TYPES[name].schema, TYPES[name].schema) == []


COMPATIBLE = {
    "new optional property": lambda s: s["properties"].update(seed={"type": "integer"}),
    "required entry removed": lambda s: s.update(required=[]),
    "type widened to number": lambda s: props(s, "environment", "pid").update(type="number"),
    "type widened to a list": lambda s: props(s, "error").update(type=["string", "object"]),
    "type dropped": lambda s: props(s, "params").pop("type"),
    "enum removed": lambda s: props(s, "status").pop("enum"),
    "enum value added": lambda s: props(s, "status")["enum"].append("cancelled"),
    "minimum lowered": lambda s: props(s, "environment", "pid").update(minimum=-1),
    "pattern removed": lambda s: props(s, "created_at").pop("pattern"),
    "property removed from an open schema": lambda s: s["properties"].pop("error"),
    "description changed": lambda s: props(s, "error").update(description="What went wrong"),
}


@pytest.mark.parametrize("change", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_relaxing_changes_are_compatible(change: Any) -> None:
    assert evolve("runs", change) == []


BREAKING = {
    "new required field": (
        lambda s: s["required"].append("status"),
        "field 'status': is now required",
    ),
    "type narrowed": (
        lambda s: s["properties"]["metrics"].update(additionalProperties={"type": "integer"}),
        "field 'metrics.*': type narrowed from number to integer",
    ),
    "type added": (
        lambda s: props(s, "params").update(type="string"),
        "field 'params': type narrowed from object to string",
    ),
    "enum value removed": (
        lambda s: props(s, "status")["enum"].remove("failed"),
        "field 'status': no longer allows ['failed']",
    ),
    "enum added": (
        lambda s: props(s, "step").update(enum=["train", "evaluate"]),
        "field 'step': values now restricted to ['train', 'evaluate']",
    ),
    "minimum raised": (
        lambda s: props(s, "resources", "wall_seconds").update(minimum=1),
        "field 'resources.wall_seconds': minimum raised from 0 to 1",
    ),
    "minimum made exclusive": (
        lambda s: props(s, "resources", "wall_seconds").update(exclusiveMinimum=True),
        "field 'resources.wall_seconds': minimum 0 became exclusive",
    ),
    "maximum added": (
        lambda s: props(s, "environment", "pid").update(maximum=65535),
        "field 'environment.pid': maximum 65535 added",
    ),
    "pattern added": (
        lambda s: props(s, "created_by").update(pattern="^[a-z]+$"),
        "field 'created_by': pattern '^[a-z]+$' required",
    ),
    "items narrowed": (
        lambda s: props(s, "tags")["items"].update(maxLength=20),
        "field 'tags[]': maxLength 20 added",
    ),
    "nested required": (
        lambda s: props(s, "environment", "git").update(required=["commit"]),
        "field 'environment.git.commit': is now required",
    ),
    "closed": (
        lambda s: s.update(additionalProperties=False),
        "the document: undeclared fields are no longer allowed",
    ),
    "anyOf added": (
        lambda s: s.update(anyOf=[{"required": ["step"]}, {"required": ["status"]}]),
        "the document: 'anyOf' changed",
    ),
    "kind changed": (
        lambda s: s.update({"x-kind": "artifact"}),
        "the kind changed from execution to artifact",
    ),
}


@pytest.mark.parametrize(("change", "reason"), BREAKING.values(), ids=BREAKING.keys())
def test_tightening_changes_are_breaking(change: Any, reason: str) -> None:
    reasons = evolve("runs", change)
    assert any(r.startswith(reason) for r in reasons), reasons


def test_a_removed_property_of_a_closed_schema_is_no_longer_allowed() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    new = {"type": "object", "properties": {}, "additionalProperties": False}
    assert compatible_change(old, new) == ["field 'a': no longer allowed"]


def test_a_new_property_must_agree_with_the_old_additional_properties() -> None:
    old = {"type": "object", "additionalProperties": {"type": "number"}}
    new = {
        "type": "object",
        "properties": {"loss": {"type": "string"}},
        "additionalProperties": {"type": "number"},
    }
    assert compatible_change(old, new) == ["field 'loss': type narrowed from number to string"]


def test_every_breaking_change_is_reported() -> None:
    def change(s: dict[str, Any]) -> None:
        s["required"].append("step")
        props(s, "status")["enum"].remove("running")

    assert evolve("runs", change) == [
        "field 'step': is now required",
        "field 'status': no longer allows ['running']",
    ]
