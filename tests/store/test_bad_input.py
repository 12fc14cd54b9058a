"""Bad input is refused with a clear error and writes nothing; user text is never executed."""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    BadParameterError,
    CollectionNotFoundError,
    DocumentError,
    DocumentNotFoundError,
    SchemaViolationError,
)
from arangoml_meta.store import MetadataStore

from .conftest import counts, register_tokenizers

INJECTIONS = [
    "x' OR 1==1 //",
    'x" OR 1==1 //',
    "x` RETURN 1 //",
    "1 || true",
    "@@c",
    "x}} FOR d IN datasets REMOVE d IN datasets //",
]


@pytest.fixture
def iris(store: MetadataStore) -> MetadataStore:
    store.register("datasets", "iris", rows=150, tags=["toy"])
    store.register("datasets", "iris", rows=147)
    return store


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rows": "many"}, "rows"),
        ({"rows": -1}, "rows"),
        ({"checksum": "not a digest"}, "checksum"),
        ({"columns": [{"dtype": "int64"}]}, "columns[0].name"),
        ({"personal_data": "yes"}, "personal_data"),
        ({"tags": "gdpr"}, "tags"),
        ({"tags": ["ok", 7]}, "tags[1]"),
        ({"project": "my project"}, "project"),
        ({"description": 42}, "description"),
    ],
)
def test_a_schema_violation_names_the_field_and_writes_nothing(
    iris: MetadataStore, fields: dict[str, Any], field: str
) -> None:
    before = counts(iris)
    with pytest.raises(SchemaViolationError) as raised:
        iris.register("datasets", "iris", **fields)
    assert f"field '{field}'" in str(raised.value)
    assert counts(iris) == before
    assert iris.get("datasets/iris@latest")["version"] == 2


@pytest.mark.parametrize("name", ["", " iris", "iris/2", "iris@2", "-iris", "a" * 201, *INJECTIONS])
def test_an_invalid_name_is_a_schema_violation(iris: MetadataStore, name: str) -> None:
    before = counts(iris)
    with pytest.raises(SchemaViolationError) as raised:
        iris.register("datasets", name)
    assert "field 'name'" in str(raised.value)
    assert counts(iris) == before


def test_undeclared_fields_are_kept_as_data(store: MetadataStore) -> None:
    registered = store.register("datasets", "iris", owner_team="flowers", extra={"a": [1]})
    assert (registered["owner_team"], registered["extra"]) == ("flowers", {"a": [1]})


def test_undeclared_fields_are_refused_by_a_closed_schema(store: MetadataStore, tmp_path) -> None:
    register_tokenizers(store, tmp_path, additionalProperties=False)
    with pytest.raises(SchemaViolationError) as raised:
        store.register("tokenizers", "bpe", vocabulary=32000, vocab_size=32000)
    assert "field 'vocab_size'" in str(raised.value)
    assert store.backend.count("tokenizers") == 0
    assert store.register("tokenizers", "bpe", vocabulary=32000, tags=["nlp"])["version"] == 1


@pytest.mark.parametrize("type_name", ["experiments", "artifact_types", "inputs", "store_info", ""])
def test_an_unknown_type_is_collection_not_found(store: MetadataStore, type_name: str) -> None:
    with pytest.raises(CollectionNotFoundError) as raised:
        store.register(type_name, "iris")
    assert raised.value.error_num == ERROR_ARANGO_DATA_SOURCE_NOT_FOUND == 1203


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.get("experiments/iris-v1"),
        lambda store: store.find("experiments"),
        lambda store: store.history("experiments", "iris"),
    ],
    ids=["get", "find", "history"],
)
def test_reading_an_unknown_type_is_collection_not_found(store: MetadataStore, call) -> None:
    with pytest.raises(CollectionNotFoundError):
        call(store)


@pytest.mark.parametrize(
    "fields",
    [
        {"version": 7},
        {"created_at": "2020-01-01T00:00:00.000Z"},
        {"created_by": "mallory"},
        {"_key": "mine"},
        {"_id": "datasets/x"},
    ],
)
def test_fields_the_store_sets_are_refused(iris: MetadataStore, fields: dict[str, Any]) -> None:
    before = counts(iris)
    with pytest.raises(BadParameterError) as raised:
        iris.register("datasets", "iris", **fields)
    assert next(iter(fields)) in str(raised.value)
    assert counts(iris) == before


def test_runs_are_not_registered_as_artifacts(store: MetadataStore) -> None:
    with pytest.raises(BadParameterError):
        store.register("runs", "train")
    assert store.backend.count("runs") == 0


@pytest.mark.parametrize(
    "ref",
    [
        "iris",
        "datasets",
        "datasets/",
        "/iris-v1",
        "datasets/iris@",
        "datasets/iris@0",
        "datasets/iris@-1",
        "datasets/iris@1.5",
        "datasets/iris@v2",
        "datasets/iris@²",
        "datasets/iris@\uff11",  # a fullwidth 1
        "datasets/iris@LATEST ",
        "datasets/a/b",
        "datasets/@1",
        "datasets/x' OR 1==1 //@1",
        "datasets/iris-v1 OR 1==1",
        "datasets/x' OR 1==1 //",
        None,
        42,
    ],
)
def test_a_malformed_reference_is_a_document_error(iris: MetadataStore, ref: Any) -> None:
    with pytest.raises(DocumentError):
        iris.get(ref)


@pytest.mark.parametrize("ref", ["datasets/iris-v3", "datasets/iris@3", "datasets/wine@latest"])
def test_a_missing_artifact_is_document_not_found(iris: MetadataStore, ref: str) -> None:
    with pytest.raises(DocumentNotFoundError) as raised:
        iris.get(ref)
    assert raised.value.error_num == 1202


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_filter_value_is_data(iris: MetadataStore, value: str) -> None:
    assert iris.find("datasets", {"name": value}) == []
    assert iris.find("datasets", {"name": {"like": value}}) == []
    assert iris.find("datasets", {"tags": {"contains": value}}) == []
    assert counts(iris)["datasets"] == 2


@pytest.mark.parametrize("path", [*INJECTIONS, "a` RETURN 1 //", "name` || true || d.`x"])
def test_a_filter_path_is_data(iris: MetadataStore, path: str) -> None:
    assert iris.find("datasets", {path: 1}) == []
    assert counts(iris)["datasets"] == 2


def test_a_stored_value_that_looks_like_aql_is_found_as_data(iris: MetadataStore) -> None:
    iris.register("datasets", "notes", description="x' OR 1==1 //")
    found = iris.find("datasets", {"description": "x' OR 1==1 //"})
    assert [d["_key"] for d in found] == ["notes-v1"]


@pytest.mark.parametrize("path", ["", ".", "a..b", "metrics.", ".metrics", 7, None])
def test_a_malformed_filter_path_is_refused(iris: MetadataStore, path: Any) -> None:
    with pytest.raises(BadParameterError):
        iris.find("datasets", {path: 1})


@pytest.mark.parametrize("op", ["===", "REMOVE", "matches", "~", ""])
def test_an_unknown_filter_operator_is_refused(iris: MetadataStore, op: str) -> None:
    with pytest.raises(BadParameterError) as raised:
        iris.find("datasets", {"rows": {op: 1}})
    assert "operator" in str(raised.value)


@pytest.mark.parametrize("sort", ["name` RETURN 1 //", "rows; REMOVE d IN datasets"])
def test_a_sort_path_is_data(iris: MetadataStore, sort: str) -> None:
    with pytest.raises(BadParameterError, match="cannot sort datasets by"):
        iris.find("datasets", sort=sort)  # a field no document has, not AQL
    assert len(iris.find("datasets")) == 2
