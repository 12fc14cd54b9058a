"""A ``$ref`` must name a subschema of the schema it is in: a dangling one is refused at registration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.errors import BadParameterError
from arangoml_meta.types import check_schema, load_type_file, validate


def schema(**extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"name": {"type": "string"}}, **extra}


def write(folder: Path, content: dict[str, Any]) -> Path:
    path = folder / "experiments.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("ref", "complaint"),
    [
        ("#/definitions/missing", "the schema defines #/definitions/arm"),
        ("#/definitions/arm/properties/nothing", "points to nothing"),
        ("#/properties/absent", "points to nothing"),
        ("#/definitions/arm/required/5", "points to nothing"),
        ("#/properties/name/type", "points to nothing"),  # a keyword's value, not a schema
        ("#no-such-id", "points to nothing"),
    ],
)
def test_a_dangling_ref_is_refused(tmp_path: Path, ref: str, complaint: str) -> None:
    content = schema(
        definitions={"arm": {"type": "object", "required": ["dose"]}},
        properties={"name": {"type": "string"}, "arm": {"$ref": ref}},
    )
    with pytest.raises(BadParameterError, match=complaint) as caught:
        load_type_file(write(tmp_path, content))
    assert f"#/properties/arm: $ref '{ref}' points to nothing in the schema" in str(caught.value)
    assert caught.value.error_num == 10


def test_a_schema_without_definitions_says_where_to_put_one() -> None:
    with pytest.raises(BadParameterError, match="add it under 'definitions'"):
        check_schema(schema(properties={"arm": {"$ref": "#/definitions/arm"}}))


def test_every_dangling_ref_is_named_at_once() -> None:
    content = schema(
        properties={"a": {"$ref": "#/definitions/x"}, "b": {"items": {"$ref": "#/definitions/y"}}}
    )
    with pytest.raises(BadParameterError) as caught:
        check_schema(content)
    assert [p.split(":")[0] for p in caught.value.details["problems"]] == [
        "#/properties/a",
        "#/properties/b/items",
    ]


@pytest.mark.parametrize(
    "ref",
    [
        "#",
        "#/definitions/arm",
        "#/definitions/a~1b",  # '/' escaped as ~1 in a JSON pointer
        "#/definitions/with%20space",
        "#/properties/name",
        "#/definitions/arm/properties/dose",
        "#/definitions/list/items/0",
        "#arm",  # a draft-04 id
    ],
)
def test_a_ref_to_a_subschema_is_accepted(tmp_path: Path, ref: str) -> None:
    definitions = {
        "arm": {"id": "#arm", "type": "object", "properties": {"dose": {"type": "number"}}},
        "a/b": {"type": "string"},
        "with space": {"type": "string"},
        "list": {"type": "array", "items": [{"type": "string"}]},
    }
    content = schema(
        definitions=definitions,
        properties={"name": {"type": "string"}, "arm": {"$ref": ref}},
    )
    experiments = load_type_file(write(tmp_path, content))
    assert experiments.schema["properties"]["arm"] == {"$ref": ref}


def test_a_resolved_ref_is_followed_by_validation(tmp_path: Path) -> None:
    content = schema(
        definitions={"arm": {"type": "object", "required": ["dose"]}},
        properties={"name": {"type": "string"}, "arm": {"$ref": "#/definitions/arm"}},
    )
    experiments = load_type_file(write(tmp_path, content))
    validate(experiments, {"name": "e1", "arm": {"dose": 1}})
    with pytest.raises(Exception, match="dose"):
        validate(experiments, {"name": "e1", "arm": {}})
