"""The x-personal-data annotation: where it may stand, and the fields it marks."""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.errors import BadParameterError
from arangoml_meta.personal_fields import SALT, path_text, personal_fields, salt, salted_fields
from arangoml_meta.types import (
    ArtifactType,
    arango_rule,
    builtin_types,
    check_schema,
    compatible_change,
)

PERSONAL = {"type": "string", "x-personal-data": True}


def schema(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def test_marked_fields_are_found_at_any_depth_through_properties_and_items() -> None:
    marked = schema(
        email=PERSONAL,
        age={"type": "integer", "x-personal-data": False},
        profile={"type": "object", "properties": {"phone": PERSONAL, "city": {}}},
        columns={
            "type": "array",
            "items": {"type": "object", "properties": {"examples": PERSONAL}},
        },
    )
    check_schema(marked)
    assert [path_text(p) for p in personal_fields(marked)] == [
        "email",
        "profile.phone",
        "columns[].examples",
    ]


def test_the_builtin_types_mark_their_personal_fields() -> None:
    marked = {t.name: [path_text(p) for p in personal_fields(t.schema)] for t in builtin_types()}
    assert marked == {
        "datasets": ["statistics"],
        "featuresets": [],
        "runs": [],
        "models": [],
        "deployments": [],
        "serving_metrics": ["input_profile"],
        "projects": ["owner"],
    }


@pytest.mark.parametrize(
    "bad,message",
    [
        ({**schema(email=PERSONAL), "required": ["email"]}, "'email' is required"),
        (
            schema(
                profile={
                    "type": "object",
                    "required": ["phone"],
                    "properties": {"phone": PERSONAL},
                }
            ),
            "'profile.phone' is required",
        ),
        (schema(email={"type": "string", "x-personal-data": "yes"}), "true or false"),
        ({**schema(email={}), "x-personal-data": True}, "#: x-personal-data marks a field"),
        (
            schema(email={"anyOf": [PERSONAL, {"type": "null"}]}),
            "#/properties/email/anyOf/0: x-personal-data",
        ),
        ({**schema(email=PERSONAL), "additionalProperties": False}, "declare 'erased'"),
    ],
)
def test_marks_that_erasure_could_not_honour_are_refused(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(BadParameterError, match=message):
        check_schema(bad)


def test_a_closed_type_declaring_erased_may_have_personal_fields() -> None:
    check_schema(
        {
            **schema(email=PERSONAL, erased={"type": "object"}),
            "additionalProperties": False,
        }
    )


def test_a_field_inside_a_marked_one_goes_with_it() -> None:
    inner = {"type": "object", "required": ["phone"], "properties": {"phone": PERSONAL}}
    nested = schema(profile={**inner, "x-personal-data": True})
    check_schema(nested)
    assert personal_fields(nested) == [("profile",)]


def test_a_property_named_like_the_annotation_is_only_a_name() -> None:
    check_schema(schema(**{"x-personal-data": {"type": "string"}}))


def test_marking_a_field_is_a_compatible_change_and_the_server_never_sees_it() -> None:
    before = schema(email={"type": "string"})
    after = schema(email=PERSONAL)
    assert compatible_change(before, after) == []
    rule = arango_rule(ArtifactType("people", "artifact", "", after))["rule"]
    assert "x-personal-data" not in str(rule)


def test_the_fields_that_salt_a_document_are_the_top_of_each_marked_path() -> None:
    nested = schema(
        profile={"type": "object", "properties": {"phone": PERSONAL}},
        columns={"type": "array", "items": {"properties": {"samples": PERSONAL}}},
        city={"type": "string"},
    )
    assert salted_fields(nested) == {"profile", "columns"}
    assert salted_fields(schema(city={"type": "string"})) == frozenset()
    closed = {**schema(email=PERSONAL, erased={"type": "object"}), "additionalProperties": False}
    assert salted_fields(closed) == frozenset()  # a salt would break the schema: none
    declared = {**closed, "properties": {**closed["properties"], SALT: {"type": "string"}}}
    assert salted_fields(declared) == {"email"}


def test_a_salt_is_given_once_and_only_to_a_document_holding_such_a_field() -> None:
    doc: dict[str, Any] = {"name": "x", "email": "a@b.c"}
    salt(doc, frozenset({"email"}))
    first = doc[SALT]
    salt(doc, frozenset({"email"}))
    assert doc[SALT] == first and len(first) == 32
    plain: dict[str, Any] = {"name": "y"}
    salt(plain, frozenset({"email"}))
    assert SALT not in plain
