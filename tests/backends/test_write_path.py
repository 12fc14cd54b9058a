"""AQL modifications and the document API write documents by the same rules.

Each rule is checked from both sides (``side``): the backend's ``insert`` /
``update`` / ``replace`` / ``delete``, and the AQL statement that does the same
(UPDATE with ``keepNull: false``, as the API's update is defined). The embedded
engine has one write path for both (``embedded/writes.py``); on ArangoDB both
are the server's. Bad input first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from arangoml_meta.backends import Backend
from arangoml_meta.errors import (
    DocumentError,
    DocumentNotFoundError,
    SchemaViolationError,
    UniqueConstraintError,
)

from .conftest import body

Document = dict[str, Any]
Write = Callable[[Backend, str, str, Document], Document]


def _aql(statement: str) -> Write:
    def run(backend: Backend, collection: str, key: str, doc: Document) -> Document:
        rows = backend.query(statement, {"key": key, "doc": doc, "@c": collection})
        return dict(rows[0])

    return run


UPDATES: dict[str, Write] = {
    "api": lambda backend, collection, key, patch: backend.update(collection, key, patch),
    "aql": _aql("UPDATE @key WITH @doc IN @@c OPTIONS { keepNull: false } RETURN NEW"),
}
REPLACES: dict[str, Write] = {
    "api": lambda backend, collection, key, doc: backend.replace(collection, key, doc),
    "aql": _aql("REPLACE @key WITH @doc IN @@c RETURN NEW"),
}
INSERTS: dict[str, Callable[[Backend, str, Document], Document]] = {
    "api": lambda backend, collection, doc: backend.insert(collection, doc),
    "aql": lambda backend, collection, doc: dict(
        backend.query("INSERT @doc INTO @@c RETURN NEW", {"doc": doc, "@c": collection})[0]
    ),
}
SIDES = ["api", "aql"]


def _remove(side: str, backend: Backend, collection: str, key: str) -> None:
    if side == "api":
        backend.delete(collection, key)
    else:
        backend.query("REMOVE @key IN @@c", {"key": key, "@c": collection})


@pytest.fixture
def edge(lineage: Backend) -> Document:
    (found,) = lineage.query("FOR e IN inputs RETURN e")
    return dict(found)


# ---------------------------------------------------------------------- edge handles


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize(
    "patch", [{"_from": "not a handle"}, {"_to": 5}, {"_from": "/x"}, {"_to": "runs/"}]
)
def test_update_of_an_edge_to_a_bad_handle_is_1233(
    lineage: Backend, edge: Document, side: str, patch: Document
) -> None:
    with pytest.raises(DocumentError) as err:
        UPDATES[side](lineage, "inputs", edge["_key"], patch)
    assert err.value.error_num == 1233
    assert lineage.get("inputs", edge["_key"]) == edge


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("missing", ["_from", "_to"])
def test_replace_of_an_edge_without_an_end_is_1233(
    lineage: Backend, edge: Document, side: str, missing: str
) -> None:
    doc = {"_from": "datasets/iris-v2", "_to": "runs/train-1", "role": "x"}
    del doc[missing]
    with pytest.raises(DocumentError) as err:
        REPLACES[side](lineage, "inputs", edge["_key"], doc)
    assert err.value.error_num == 1233
    assert lineage.get("inputs", edge["_key"]) == edge


@pytest.mark.parametrize("side", SIDES)
def test_insert_of_an_edge_with_a_bad_handle_is_1233(lineage: Backend, side: str) -> None:
    with pytest.raises(DocumentError) as err:
        INSERTS[side](lineage, "inputs", {"_from": "datasets", "_to": "runs/train-1"})
    assert err.value.error_num == 1233
    assert lineage.count("inputs") == 1


@pytest.mark.parametrize("side", SIDES)
def test_update_moves_an_edge_and_keeps_the_end_it_does_not_name(
    lineage: Backend, edge: Document, side: str
) -> None:
    moved = UPDATES[side](lineage, "inputs", edge["_key"], {"_from": "datasets/iris-v2"})
    assert (moved["_from"], moved["_to"]) == ("datasets/iris-v2", edge["_to"])
    found = lineage.query("FOR v IN 1 INBOUND 'runs/train-1' inputs RETURN v._key")
    assert list(found) == ["iris-v2"]


# ---------------------------------------------------------------------- keys


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("key", ["a b", "é", "a/b", "k" * 255, ""])
def test_insert_with_an_illegal_key_is_1221(items: Backend, side: str, key: str) -> None:
    with pytest.raises(DocumentError) as err:
        INSERTS[side](items, "items", {"_key": key})
    assert err.value.error_num == 1221
    assert items.count("items") == 0


@pytest.mark.parametrize("side", SIDES)
def test_a_key_of_254_bytes_is_legal(items: Backend, side: str) -> None:
    key = "k" * 254
    assert INSERTS[side](items, "items", {"_key": key})["_key"] == key


@pytest.mark.parametrize("side", SIDES)
def test_update_and_remove_of_a_missing_document_are_1202(items: Backend, side: str) -> None:
    for call in (
        lambda: UPDATES[side](items, "items", "missing", {"v": 1}),
        lambda: REPLACES[side](items, "items", "missing", {"v": 1}),
        lambda: _remove(side, items, "items", "missing"),
    ):
        with pytest.raises(DocumentNotFoundError) as err:
            call()
        assert err.value.error_num == 1202


# ---------------------------------------------------------------------- system attributes, _rev


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("write", ["update", "replace"])
def test_key_id_and_rev_in_the_body_are_ignored(items: Backend, side: str, write: str) -> None:
    old = items.insert("items", {"_key": "a", "v": 1})
    given = {"_key": "b", "_id": "other/b", "_rev": "stale", "v": 2}
    new = (UPDATES if write == "update" else REPLACES)[side](items, "items", "a", given)
    assert (new["_key"], new["_id"], new["v"]) == ("a", "items/a", 2)
    assert new["_rev"] not in (old["_rev"], "stale")
    assert items.get("items", "b") is None


# ---------------------------------------------------------------------- keepNull, mergeObjects


@pytest.mark.parametrize("side", SIDES)
def test_update_drops_nulls_and_merges_objects(items: Backend, side: str) -> None:
    items.insert("items", {"_key": "a", "gone": 1, "o": {"x": 1, "y": 1}, "kept": 1})
    patch = {"gone": None, "o": {"x": None, "z": {"n": None, "m": 1}}}
    new = UPDATES[side](items, "items", "a", patch)
    assert body(new) == {"o": {"y": 1, "z": {"m": 1}}, "kept": 1}
    assert items.get("items", "a") == new


# ---------------------------------------------------------------------- schema, unique indexes


@pytest.mark.parametrize("side", SIDES)
def test_an_update_against_the_schema_is_1620(items: Backend, side: str) -> None:
    items.insert("items", {"_key": "a", "n": 1})
    items.set_schema("items", {"type": "object", "properties": {"n": {"type": "number"}}})
    with pytest.raises(SchemaViolationError) as err:
        UPDATES[side](items, "items", "a", {"n": "one"})
    assert err.value.error_num == 1620
    assert items.get("items", "a")["n"] == 1  # type: ignore[index]


@pytest.mark.usefixtures("single_server")
@pytest.mark.parametrize("side", SIDES)
def test_an_update_onto_a_unique_value_is_1210(items: Backend, side: str) -> None:
    items.ensure_index("items", ["name"], unique=True)
    items.insert_many("items", [{"_key": "a", "name": "x"}, {"_key": "b", "name": "y"}])
    with pytest.raises(UniqueConstraintError) as err:
        UPDATES[side](items, "items", "b", {"name": "x"})
    assert err.value.error_num == 1210
    assert items.get("items", "b")["name"] == "y"  # type: ignore[index]


@pytest.mark.parametrize("side", SIDES)
def test_a_removed_document_is_gone_for_both_sides(items: Backend, side: str) -> None:
    items.insert_many("items", [{"_key": "a"}, {"_key": "b"}])
    _remove(side, items, "items", "a")
    assert items.get("items", "a") is None
    assert list(items.query("FOR d IN items RETURN d._key")) == ["b"]
