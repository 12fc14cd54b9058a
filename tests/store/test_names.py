"""The name rule (ASCII, stated in full in every refusal) and the @latest hint."""

from __future__ import annotations

import pytest

from arangoml_meta.errors import (
    ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
    DocumentError,
    DocumentNotFoundError,
    SchemaViolationError,
)
from arangoml_meta.refs import NAME_RULE, is_valid_name, parse_ref
from arangoml_meta.store import MetadataStore

from .conftest import counts


@pytest.mark.parametrize(
    "name,problem",
    [
        ("", "the name is empty"),
        ("a" * 201, "201 characters is too long"),
        ("-iris", "it starts with '-' (U+002D)"),
        ("über", "it starts with 'ü' (U+00FC)"),
        ("irés", "'é' (U+00E9) at position 3 is not allowed"),
        ("日本", "it starts with '日'"),
        ("iris 2", "' ' (U+0020) at position 5"),
        ("iris/2", "'/' (U+002F) at position 5"),
        ("iris\n", "'\\n' (U+000A) at position 5"),
        ("iris\u202e", "'\\u202e' (U+202E) at position 5"),
        ("iris:1", "':' (U+003A)"),
    ],
)
def test_a_name_outside_the_rule_is_refused_with_the_rule(
    store: MetadataStore, name: str, problem: str
) -> None:
    before = counts(store)
    with pytest.raises(SchemaViolationError) as raised:
        store.register("datasets", name)
    message = str(raised.value)
    assert problem in message
    assert NAME_RULE in message
    assert "\n" not in message and "\u202e" not in message  # shown escaped
    assert counts(store) == before


@pytest.mark.parametrize("name", ["a", "A" * 200, "iris-2024.v1_final", "0day"])
def test_names_within_the_rule_are_valid_keys(store: MetadataStore, name: str) -> None:
    assert is_valid_name(name)
    doc = store.register("datasets", name)
    assert store.get(doc["_id"]) == doc


@pytest.mark.parametrize("ref", ["datasets/irés@latest", "datasets/@1", "datasets/-x@latest"])
def test_a_reference_with_a_bad_name_states_the_rule(ref: str) -> None:
    with pytest.raises(DocumentError) as raised:
        parse_ref(ref)
    assert raised.value.error_num == ERROR_ARANGO_DOCUMENT_HANDLE_BAD
    assert NAME_RULE in str(raised.value)


def test_a_name_without_a_version_hints_at_latest(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    store.register("datasets", "iris")
    with pytest.raises(DocumentNotFoundError) as raised:
        store.get("datasets/iris")
    assert "did you mean datasets/iris@latest" in str(raised.value)
    assert "datasets/iris-v2" in str(raised.value)


def test_a_run_name_hints_at_latest(store: MetadataStore) -> None:
    with store.run("train") as run:
        pass
    with pytest.raises(DocumentNotFoundError) as raised:
        store.get("runs/train")
    assert f"did you mean runs/train@latest (the newest of that name, {run.id})" in str(
        raised.value
    )


@pytest.mark.parametrize("ref", ["datasets/nothing", "datasets/iris-v9", "datasets/ir%C3%A9s"])
def test_no_hint_when_no_such_name(store: MetadataStore, ref: str) -> None:
    store.register("datasets", "iris")
    with pytest.raises(DocumentNotFoundError) as raised:
        store.get(ref)
    assert "did you mean" not in str(raised.value)
