"""A type's schema is judged alike by the client and by the database (``schema_portability.py``).

The rule a collection gets leaves out what ArangoDB would judge otherwise than
the client (``format``, ``maxLength``, regular expressions outside the portable
subset), so a document the client accepted is stored on every backend; the
client still refuses what the full schema refuses. Schema translation runs
without a server; the store cases run on every backend kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.backends import Backend, EmbeddedBackend
from arangoml_meta.errors import BadParameterError, SchemaViolationError
from arangoml_meta.schema_portability import client_only, portable_pattern, server_rule
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import ArtifactType, arango_rule, builtin_types, check_schema
from tests.conftest import BACKEND_KINDS


def things(properties: dict[str, Any], **extra: Any) -> ArtifactType:
    schema = {"type": "object", "properties": properties, "required": ["name"], **extra}
    return ArtifactType("things", "artifact", "", schema)


# ---------------------------------------------------------------------- translation


@pytest.mark.parametrize(
    "pattern",
    [
        "^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}$",
        "^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$",
        "^environments/[0-9a-f]{32}$",
        "(?:ab)+?c*",
        "^a\\.b\\/c\\-d$",
        "x{2,}|y{3}",
        "[a\\-z\\]]",
    ],
)
def test_portable_patterns(pattern: str) -> None:
    assert portable_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("^a.b$", "'.' excludes \\r in ECMAScript, not in Python"),
        ("^\\d+$", "\\d is any Unicode digit in Python, 0-9 in ECMAScript"),
        ("\\w", "word characters differ"),
        ("\\s", "white space differs"),
        ("[^a]", "matches a part of a character on a byte engine"),
        ("[]a]", "an empty class in ECMAScript, ']' or 'a' in Python"),
        ("(?=a)", "lookahead"),
        ("(?<=a)b", "lookbehind"),
        ("(?P<x>a)", "Python's named group"),
        ("(?i)a", "inline flag"),
        ("é", "not ASCII: bytes on one engine, a character on the other"),
        ("a{,2}", "a quantifier in Python, literal text in ECMAScript"),
        ("(a)\\1", "back-reference"),
    ],
)
def test_patterns_that_are_not_portable(pattern: str, why: str) -> None:
    assert not portable_pattern(pattern), why


def test_the_server_rule_leaves_out_what_the_server_judges_otherwise() -> None:
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "label": {"type": "string", "minLength": 1, "maxLength": 4},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "digits": {"type": "string", "pattern": "^\\d+$"},
            "format": {"type": "string", "enum": ["csv", "parquet"]},  # a field named format
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 9}},
        },
    }
    rule = server_rule(schema)
    props = rule["properties"]
    assert props["when"] == {"type": "string"}
    assert props["label"] == {"type": "string", "minLength": 1}
    assert props["code"] == {"type": "string", "pattern": "^[A-Z]{3}$"}
    assert props["digits"] == {"type": "string"}
    assert props["format"] == {"type": "string", "enum": ["csv", "parquet"]}
    assert props["tags"]["items"] == {"type": "string"}
    assert schema["properties"]["label"]["maxLength"] == 4  # the type's own schema is kept
    assert client_only(schema) == [
        "#/properties/when/format",
        "#/properties/label/maxLength",
        "#/properties/digits/pattern",
        "#/properties/tags/items/maxLength",
    ]


def test_pattern_properties_that_are_not_portable_take_additional_properties_along() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^x-\\w+$": {"type": "string"}},
        "additionalProperties": False,
    }
    assert server_rule(schema) == {"type": "object"}
    portable = {**schema, "patternProperties": {"^x-[a-z]+$": {"type": "string"}}}
    assert server_rule(portable) == portable


def test_the_built_in_types_are_enforced_whole_by_the_server() -> None:
    for artifact_type in builtin_types():
        assert client_only(artifact_type.schema) == [], artifact_type.name
        assert arango_rule(artifact_type)["rule"]["properties"] == _without_annotations(
            artifact_type.schema["properties"]
        )


def _without_annotations(node: Any) -> Any:
    """A schema without its ``x-`` annotations (x-personal-data), which validate nothing."""
    if isinstance(node, dict):
        return {k: _without_annotations(v) for k, v in node.items() if not k.startswith("x-")}
    return node


def test_a_python_only_pattern_is_refused_when_the_type_is_registered() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string", "pattern": "(?P<n>a)"}}}
    with pytest.raises(BadParameterError, match="ECMAScript"):
        check_schema(schema)


# ---------------------------------------------------------------------- on every backend


@pytest.fixture(params=BACKEND_KINDS)
def store(request: pytest.FixtureRequest, open_test_backend: Callable[[str], Any]) -> MetadataStore:
    opened = MetadataStore(open_test_backend(request.param))
    opened.initialize()
    return opened


def test_what_the_client_accepts_is_stored_on_every_backend(store: MetadataStore) -> None:
    store.register_type(
        things(
            {
                "label": {"type": "string", "maxLength": 4},
                "when": {"type": "string", "format": "date-time"},
                "code": {"type": "string", "pattern": "^\\d{3}$"},
            }
        )
    )
    # 4 characters, 8 bytes of UTF-8: ArangoDB, which counts bytes, must not refuse it
    doc = store.register("things", "t", label="éééé", when="2024-01-02T03:04:05Z", code="123")
    assert store.get(doc["_id"])["label"] == "éééé"


@pytest.mark.parametrize(
    ("field", "value"),
    [("label", "ééééé"), ("when", "yesterday"), ("code", "\u0661\u0662\u0663")],
)
def test_what_the_full_schema_refuses_is_refused_on_every_backend(
    store: MetadataStore, field: str, value: str
) -> None:
    store.register_type(
        things(
            {
                "label": {"type": "string", "maxLength": 4},
                "when": {"type": "string", "format": "date-time"},
                "code": {"type": "string", "pattern": "^\\d{3}$"},  # ASCII digits, as ECMAScript
            }
        )
    )
    with pytest.raises(SchemaViolationError) as err:
        store.register("things", "t", **{field: value})
    assert err.value.error_num == 1620
    assert f"field '{field}'" in err.value.message
    assert store.query("FOR d IN things RETURN d") == []


class RecordingBackend(EmbeddedBackend):
    """An embedded backend that records the schema operations asked of it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.calls: list[tuple[str, str, bool]] = []

    def create_collection(self, name: str, edge: bool = False, schema: Any = None) -> None:
        self.calls.append(("create_collection", name, schema is not None))
        super().create_collection(name, edge, schema)

    def set_schema(self, name: str, schema: Any) -> None:
        self.calls.append(("set_schema", name, schema is not None))
        super().set_schema(name, schema)


def test_a_types_collection_is_created_with_its_schema_in_one_step(tmp_path: Path) -> None:
    # created first and given its schema after, a schema the server refuses (1621) left a
    # collection without a type
    backend = RecordingBackend(tmp_path / "store")
    store = MetadataStore(backend)
    store.initialize()
    backend.calls.clear()
    store.register_type(things({"x": {"type": "integer"}}))
    assert next(call for call in backend.calls if call[1] == "things") == (
        "create_collection",
        "things",
        True,
    )
    store.close()


def test_a_schema_the_database_refuses_creates_no_collection(backend: Backend) -> None:
    with pytest.raises(BadParameterError) as err:
        backend.create_collection("things", schema={"rule": {"type": 5}, "level": "moderate"})
    assert err.value.error_num == 1621
    assert not backend.has_collection("things")
