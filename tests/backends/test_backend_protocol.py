"""The backend protocol, one behaviour a test, run on every backend (``backend`` fixture).

What the domain layer relies on: idempotent schema operations, documents with
ArangoDB's system attributes, update with ``keepNull: false`` and merged objects,
ArangoDB's error numbers, named graphs, AQL with bind parameters, and
transactions that commit at the end of the block or leave nothing behind.
"""

from __future__ import annotations

import pytest

from arangoml_meta.backends import Backend, Session, missing_ids
from arangoml_meta.errors import (
    AQLSyntaxError,
    ArangoMLMetaError,
    BindParameterError,
    CollectionError,
    CollectionNotFoundError,
    DocumentError,
    DocumentNotFoundError,
    GraphError,
    UniqueConstraintError,
)

from .conftest import body, definitions


class Boom(Exception):
    """An error raised by the caller inside a transaction."""


def test_backend_satisfies_the_protocol(backend: Backend) -> None:
    assert isinstance(backend, Session)
    assert backend.name in ("embedded", "arangodb")
    assert backend.location


# ---------------------------------------------------------------------- collections


def test_create_collection_twice_is_not_an_error(backend: Backend) -> None:
    backend.create_collection("items")
    backend.insert("items", {"_key": "a"})
    backend.create_collection("items")
    assert backend.has_collection("items")
    assert backend.count("items") == 1


def test_unknown_collection_does_not_exist(backend: Backend) -> None:
    assert not backend.has_collection("nothing_here")


def test_edge_collection_takes_edges(backend: Backend) -> None:
    backend.create_collection("edges", edge=True)
    backend.create_collection("edges", edge=True)
    edge = backend.insert("edges", {"_from": "a/1", "_to": "b/2", "role": "train"})
    assert (edge["_from"], edge["_to"], edge["role"]) == ("a/1", "b/2", "train")


def test_edge_collection_refuses_a_document_without_from_and_to(backend: Backend) -> None:
    backend.create_collection("edges", edge=True)
    with pytest.raises(DocumentError) as err:
        backend.insert("edges", {"role": "train"})
    assert err.value.error_num == 1233


@pytest.mark.parametrize("edge", [False, True])
def test_create_collection_of_the_other_kind_is_an_error(backend: Backend, edge: bool) -> None:
    backend.create_collection("items", edge=edge)
    with pytest.raises(CollectionError) as err:
        backend.create_collection("items", edge=not edge)
    assert err.value.error_num == 1218
    backend.create_collection("items", edge=edge)  # the same kind again is fine


def test_count_of_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError) as err:
        backend.count("nothing_here")
    assert err.value.error_num == 1203


def test_set_schema_is_idempotent(items: Backend) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    items.set_schema("items", schema)
    items.set_schema("items", schema)
    assert items.insert("items", {"name": "iris"})["name"] == "iris"
    items.set_schema("items", None)


# ---------------------------------------------------------------------- documents


def test_insert_returns_the_document_with_system_attributes(items: Backend) -> None:
    doc = items.insert("items", {"name": "iris", "tags": ["a"], "nested": {"x": None}})
    assert doc["_id"] == f"items/{doc['_key']}"
    assert doc["_rev"]
    assert body(doc) == {"name": "iris", "tags": ["a"], "nested": {"x": None}}


def test_insert_keeps_a_given_key(items: Backend) -> None:
    doc = items.insert("items", {"_key": "iris-v2", "rows": 147})
    assert (doc["_key"], doc["_id"]) == ("iris-v2", "items/iris-v2")


def test_get_returns_what_insert_returned(items: Backend) -> None:
    doc = items.insert("items", {"_key": "iris-v1", "rows": 150})
    assert items.get("items", "iris-v1") == doc


@pytest.mark.parametrize("key", ["a%b", "a:b@c", "a+b", "(x)=y;z"])
def test_keys_with_url_characters_round_trip(items: Backend, key: str) -> None:
    items.insert("items", {"_key": key, "v": 1})
    assert body(items.get("items", key)) == {"v": 1}
    assert items.update("items", key, {"v": 2})["v"] == 2


@pytest.mark.parametrize("key", ["missing", "not a key", "x/y", ""])
def test_get_of_a_missing_document_is_none(items: Backend, key: str) -> None:
    assert items.get("items", key) is None


def test_get_from_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError) as err:
        backend.get("nothing_here", "a")
    assert err.value.error_num == 1203


def test_insert_into_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError) as err:
        backend.insert("nothing_here", {"a": 1})
    assert err.value.error_num == 1203


def test_insert_of_a_non_object_is_a_document_error(items: Backend) -> None:
    with pytest.raises(DocumentError) as err:
        items.insert("items", ["not", "an", "object"])  # type: ignore[arg-type]
    assert err.value.error_num == 1227


def test_duplicate_key_is_a_unique_constraint_violation(items: Backend) -> None:
    items.insert("items", {"_key": "a"})
    with pytest.raises(UniqueConstraintError) as err:
        items.insert("items", {"_key": "a"})
    assert err.value.error_num == 1210


def test_update_merges_objects_and_drops_nulls(items: Backend) -> None:
    items.insert("items", {"_key": "a", "keep": 1, "gone": 1, "nested": {"x": 1, "y": 2}})
    new = items.update(
        "items",
        "a",
        {
            "gone": None,
            "nested": {"y": None, "z": 3},
            "fresh": {"k": None, "v": 1},
            "list": [1, None],
        },
    )
    expected = {"keep": 1, "nested": {"x": 1, "z": 3}, "fresh": {"v": 1}, "list": [1, None]}
    assert body(new) == expected
    assert body(items.get("items", "a")) == expected


def test_update_changes_the_revision_and_returns_the_stored_document(items: Backend) -> None:
    old = items.insert("items", {"_key": "a", "status": "running"})
    new = items.update("items", "a", {"status": "completed"})
    assert (new["_key"], new["_id"]) == ("a", "items/a")
    assert new["_rev"] != old["_rev"]
    assert items.get("items", "a") == new


def test_update_ignores_system_attributes_in_the_patch(items: Backend) -> None:
    items.insert("items", {"_key": "a"})
    new = items.update("items", "a", {"_key": "b", "_id": "items/b", "_rev": "x", "v": 1})
    assert (new["_key"], new["v"]) == ("a", 1)
    assert items.get("items", "b") is None


@pytest.mark.parametrize("key", ["missing", "not a key"])
def test_update_of_a_missing_document_is_1202(items: Backend, key: str) -> None:
    with pytest.raises(DocumentNotFoundError) as err:
        items.update("items", key, {"v": 1})
    assert err.value.error_num == 1202


def test_update_in_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError) as err:
        backend.update("nothing_here", "a", {"v": 1})
    assert err.value.error_num == 1203


def test_get_many_keeps_the_order_and_gives_none_for_missing(items: Backend) -> None:
    items.insert_many("items", [{"_key": "a", "n": 1}, {"_key": "b", "n": 2}])
    found = items.get_many("items", ["b", "missing", "a", "not a key", "b"])
    assert [None if d is None else d["n"] for d in found] == [2, None, 1, None, 2]
    assert items.get_many("items", []) == []


def test_missing_ids_names_what_no_document_has_in_the_order_given(items: Backend) -> None:
    items.create_collection("others")
    for i in range(0, 150, 2):  # more ids than one lookup statement of the embedded store takes
        items.insert("items", {"_key": f"k{i}"})
    items.insert("others", {"_key": "o"})
    ids = [f"items/k{i}" for i in range(150)]
    ids[10:10] = ["others/o", "others/p", "nothing_here/k1", "not an id", "items/k2"]
    absent = {"others/p", "nothing_here/k1", "not an id"}
    odd = {f"items/k{i}" for i in range(1, 150, 2)}
    expected = [doc_id for doc_id in ids if doc_id in absent or doc_id in odd]
    assert missing_ids(items, ids) == expected
    assert missing_ids(items, []) == []


def test_get_many_in_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError) as err:
        backend.get_many("nothing_here", ["a"])
    assert err.value.error_num == 1203


def test_replace_swaps_the_body_and_keeps_the_key(items: Backend) -> None:
    old = items.insert("items", {"_key": "a", "keep": 1, "nested": {"x": 1}})
    new = items.replace("items", "a", {"_key": "b", "_rev": "x", "nested": {"y": None}})
    assert (new["_key"], new["_id"]) == ("a", "items/a")
    assert new["_rev"] != old["_rev"]
    assert body(new) == {"nested": {"y": None}}  # a replacement keeps nulls and merges nothing
    assert items.get("items", "a") == new
    assert items.get("items", "b") is None


def test_replace_of_an_edge_needs_its_ends(lineage: Backend) -> None:
    (edge,) = lineage.query("FOR e IN inputs RETURN e")
    moved = lineage.replace(
        "inputs", edge["_key"], {"_from": "datasets/iris-v2", "_to": "runs/train-1", "role": "x"}
    )
    assert (moved["_from"], moved["role"]) == ("datasets/iris-v2", "x")
    with pytest.raises(DocumentError) as err:
        lineage.replace("inputs", edge["_key"], {"role": "no ends"})
    assert err.value.error_num == 1233
    assert lineage.get("inputs", edge["_key"]) == moved


@pytest.mark.parametrize("key", ["missing", "not a key"])
def test_replace_and_delete_of_a_missing_document_are_1202(items: Backend, key: str) -> None:
    for call in (lambda: items.replace("items", key, {"v": 1}), lambda: items.delete("items", key)):
        with pytest.raises(DocumentNotFoundError) as err:
            call()
        assert err.value.error_num == 1202


def test_delete_removes_the_document(items: Backend) -> None:
    items.insert_many("items", [{"_key": "a"}, {"_key": "b"}])
    items.delete("items", "a")
    assert items.get("items", "a") is None
    assert items.count("items") == 1


def test_delete_many_is_all_or_nothing(items: Backend) -> None:
    items.insert_many("items", [{"_key": k} for k in "abc"])
    with pytest.raises(DocumentNotFoundError):
        items.delete_many("items", ["a", "b", "missing"])
    assert items.count("items") == 3
    items.delete_many("items", ["c", "a"])
    assert [d["_key"] for d in items.query("FOR d IN items RETURN d")] == ["b"]


def test_delete_many_inside_a_transaction_is_undone_with_it(items: Backend) -> None:
    items.insert_many("items", [{"_key": k} for k in "ab"])
    with pytest.raises(Boom), items.transaction(write=["items"]) as session:
        session.delete_many("items", ["a", "b"])
        assert session.count("items") == 0
        raise Boom
    assert items.count("items") == 2


@pytest.mark.parametrize("operation", ["replace", "delete", "delete_many"])
def test_writes_in_unknown_collection_are_1203(backend: Backend, operation: str) -> None:
    calls = {
        "replace": lambda: backend.replace("nothing_here", "a", {"v": 1}),
        "delete": lambda: backend.delete("nothing_here", "a"),
        "delete_many": lambda: backend.delete_many("nothing_here", ["a"]),
    }
    with pytest.raises(CollectionNotFoundError) as err:
        calls[operation]()
    assert err.value.error_num == 1203


def test_insert_many_returns_the_documents_in_order(items: Backend) -> None:
    docs = items.insert_many("items", [{"_key": "a", "n": 1}, {"n": 2}, {"_key": "c", "n": 3}])
    assert [d["n"] for d in docs] == [1, 2, 3]
    assert [d["_key"] for d in docs][::2] == ["a", "c"]
    assert all(items.get("items", d["_key"]) == d for d in docs)


def test_insert_many_is_all_or_nothing(items: Backend) -> None:
    with pytest.raises(UniqueConstraintError):
        items.insert_many("items", [{"_key": "a"}, {"_key": "b"}, {"_key": "a"}])
    assert items.count("items") == 0


def test_insert_many_of_many_documents(items: Backend) -> None:
    docs = items.insert_many("items", [{"i": i} for i in range(2500)])
    assert len(docs) == 2500
    assert items.count("items") == 2500


def test_insert_many_into_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError):
        backend.insert_many("nothing_here", [])


def test_count_counts_documents(items: Backend) -> None:
    assert items.count("items") == 0
    items.insert_many("items", [{}, {}, {}])
    assert items.count("items") == 3


# ---------------------------------------------------------------------- indexes


@pytest.mark.usefixtures("single_server")
def test_unique_index_refuses_a_second_name_and_version(items: Backend) -> None:
    items.ensure_index("items", ["name", "version"], unique=True, sparse=True)
    items.insert("items", {"name": "iris", "version": 1})
    items.insert("items", {"name": "iris", "version": 2})
    with pytest.raises(UniqueConstraintError) as err:
        items.insert("items", {"name": "iris", "version": 1})
    assert err.value.error_num == 1210


@pytest.mark.usefixtures("single_server")
def test_sparse_unique_index_skips_documents_without_the_fields(items: Backend) -> None:
    items.ensure_index("items", ["name", "version"], unique=True, sparse=True)
    items.insert_many("items", [{"other": 1}, {"other": 2}])
    assert items.count("items") == 2


@pytest.mark.usefixtures("single_server")
def test_ensure_index_twice_is_not_an_error(items: Backend) -> None:
    for _ in range(2):
        items.ensure_index("items", ["name"], unique=True)
        items.ensure_index("items", ["created_at"])
    items.insert("items", {"name": "a"})
    with pytest.raises(UniqueConstraintError):
        items.insert("items", {"name": "a"})


@pytest.mark.usefixtures("single_server")
def test_unique_violation_by_update_is_1210(items: Backend) -> None:
    items.ensure_index("items", ["name"], unique=True)
    items.insert_many("items", [{"_key": "a", "name": "x"}, {"_key": "b", "name": "y"}])
    with pytest.raises(UniqueConstraintError):
        items.update("items", "b", {"name": "x"})
    assert items.get("items", "b")["name"] == "y"  # type: ignore[index]


def test_ensure_index_on_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError):
        backend.ensure_index("nothing_here", ["a"])


# ---------------------------------------------------------------------- graphs


LINEAGE = [
    {"collection": "inputs", "from": ["datasets"], "to": ["runs"]},
    {"collection": "outputs", "from": ["runs"], "to": ["datasets"]},
]


def test_save_graph_creates_it(lineage: Backend) -> None:
    assert not lineage.has_graph("lineage")
    lineage.save_graph("lineage", LINEAGE)
    assert lineage.has_graph("lineage")
    assert definitions(lineage, "lineage") == {
        "inputs": (["datasets"], ["runs"]),
        "outputs": (["runs"], ["datasets"]),
    }


def test_save_graph_again_replaces_the_edge_definitions(lineage: Backend) -> None:
    lineage.create_collection("models")
    lineage.create_collection("derivations", edge=True)
    lineage.save_graph("lineage", LINEAGE)
    lineage.save_graph(
        "lineage",
        [
            {"collection": "inputs", "from": ["models", "datasets"], "to": ["runs"]},
            {"collection": "derivations", "from": ["datasets"], "to": ["models"]},
        ],
    )
    assert definitions(lineage, "lineage") == {
        "inputs": (["datasets", "models"], ["runs"]),
        "derivations": (["datasets"], ["models"]),
    }


def test_save_graph_with_the_same_definitions_changes_nothing(lineage: Backend) -> None:
    lineage.save_graph("lineage", LINEAGE)
    lineage.save_graph("lineage", LINEAGE)
    assert set(definitions(lineage, "lineage")) == {"inputs", "outputs"}


def test_definitions_of_unknown_graph_is_1924(backend: Backend) -> None:
    with pytest.raises(GraphError) as err:
        backend.graph_definitions("nothing_here")
    assert err.value.error_num == 1924


def test_traversal_over_a_saved_graph(lineage: Backend) -> None:
    lineage.save_graph("lineage", LINEAGE)
    rows = lineage.query(
        "FOR v IN 1..5 OUTBOUND @start GRAPH @graph RETURN v._id",
        {"start": "datasets/iris-v1", "graph": "lineage"},
    )
    assert rows == ["runs/train-1", "datasets/iris-v2"]


# ---------------------------------------------------------------------- queries


def test_query_binds_values_and_collections(items: Backend) -> None:
    items.insert_many("items", [{"n": i} for i in range(5)])
    rows = items.query(
        "FOR d IN @@c FILTER d.n >= @min SORT d.n RETURN d.n", {"@c": "items", "min": 3}
    )
    assert rows == [3, 4]


def test_query_returns_every_row_of_a_large_result(backend: Backend) -> None:
    assert backend.query("FOR i IN 1..2500 RETURN i") == list(range(1, 2501))


def test_query_without_bind_vars(backend: Backend) -> None:
    assert backend.query("RETURN 1 + 1") == [2]
    assert backend.query("RETURN @x", {"x": {"a": [1, None]}}) == [{"a": [1, None]}]


def test_missing_bind_parameter_is_1551(backend: Backend) -> None:
    with pytest.raises(BindParameterError) as err:
        backend.query("RETURN @missing")
    assert err.value.error_num == 1551


def test_undeclared_bind_parameter_is_1552(backend: Backend) -> None:
    with pytest.raises(BindParameterError) as err:
        backend.query("RETURN 1", {"unused": 1})
    assert err.value.error_num == 1552


def test_syntax_error_is_1501(backend: Backend) -> None:
    with pytest.raises(AQLSyntaxError) as err:
        backend.query("FOR d IN RETURN")
    assert err.value.error_num == 1501


def test_query_of_unknown_collection_is_1203(backend: Backend) -> None:
    with pytest.raises(CollectionNotFoundError) as err:
        backend.query("FOR d IN nothing_here RETURN d")
    assert err.value.error_num == 1203


def test_modification_query_writes(items: Backend) -> None:
    rows = items.query("FOR i IN 1..3 INSERT {i} INTO items RETURN NEW.i")
    assert rows == [1, 2, 3]
    assert items.count("items") == 3


# ---------------------------------------------------------------------- transactions


def test_transaction_commits_at_the_end_of_the_block(items: Backend) -> None:
    with items.transaction(write=["items"]) as session:
        session.insert("items", {"_key": "a"})
        session.insert_many("items", [{"_key": "b"}])
        session.update("items", "a", {"v": 1})
    assert items.count("items") == 2
    assert items.get("items", "a")["v"] == 1  # type: ignore[index]


def test_transaction_sees_its_own_writes(items: Backend) -> None:
    with items.transaction(write=["items"], read=["items"]) as session:
        session.insert("items", {"_key": "a", "name": "iris"})
        assert session.get("items", "a")["name"] == "iris"  # type: ignore[index]
        assert session.query("FOR d IN items RETURN d._key") == ["a"]


def test_exception_in_transaction_leaves_nothing_behind(items: Backend) -> None:
    items.insert("items", {"_key": "a", "status": "running"})
    with pytest.raises(Boom), items.transaction(write=["items"]) as session:
        session.insert("items", {"_key": "b"})
        session.insert_many("items", [{"_key": "c"}, {"_key": "d"}])
        session.update("items", "a", {"status": "completed"})
        session.query("INSERT {_key: 'e'} INTO items")
        raise Boom
    assert items.query("FOR d IN items RETURN [d._key, d.status]") == [["a", "running"]]


def test_error_of_the_backend_in_transaction_aborts_it_and_keeps_its_number(items: Backend) -> None:
    items.insert("items", {"_key": "a"})
    with pytest.raises(UniqueConstraintError) as err, items.transaction(write=["items"]) as session:
        session.insert("items", {"_key": "b"})
        session.insert("items", {"_key": "a"})
    assert err.value.error_num == 1210
    assert items.get("items", "b") is None


def test_transaction_over_two_collections(lineage: Backend) -> None:
    with pytest.raises(Boom), lineage.transaction(write=["runs", "outputs"]) as session:
        session.insert("runs", {"_key": "train-2"})
        session.insert("outputs", {"_from": "runs/train-2", "_to": "datasets/iris-v2"})
        raise Boom
    assert lineage.count("runs") == 1
    assert lineage.count("outputs") == 1


def test_backend_calls_inside_a_transaction_belong_to_it(items: Backend) -> None:
    with pytest.raises(Boom), items.transaction(write=["items"]):
        items.insert("items", {"_key": "a"})
        assert items.count("items") == 1
        raise Boom
    assert items.count("items") == 0


def test_nested_transaction_belongs_to_the_outer_one(items: Backend) -> None:
    with pytest.raises(Boom), items.transaction(write=["items"]) as outer:
        outer.insert("items", {"_key": "a"})
        with items.transaction(write=["items"]) as inner:
            inner.insert("items", {"_key": "b"})
        raise Boom
    assert items.count("items") == 0


def test_transaction_on_unknown_collection_is_an_error(backend: Backend) -> None:
    with pytest.raises(ArangoMLMetaError), backend.transaction(write=["nothing_here"]) as session:
        session.insert("nothing_here", {})
