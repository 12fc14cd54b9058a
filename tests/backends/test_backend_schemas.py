"""A collection's schema (``set_schema``) refuses an invalid write on every backend and path:
insert, update, replace, AQL, inside a transaction; removing it lets the write through."""

from __future__ import annotations

import pytest

from arangoml_meta.backends import Backend
from arangoml_meta.errors import SchemaViolationError

RULE = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


@pytest.fixture
def guarded(items: Backend) -> Backend:
    items.insert("items", {"_key": "a", "name": "iris"})
    items.set_schema("items", RULE)
    return items


@pytest.mark.parametrize(
    "write",
    [
        lambda b: b.insert("items", {"name": 1}),
        lambda b: b.insert_many("items", [{"name": "ok"}, {}]),
        lambda b: b.update("items", "a", {"name": None}),  # keepNull false: removes it
        lambda b: b.replace("items", "a", {"title": "iris"}),
        lambda b: b.query("INSERT {name: 2} INTO items"),
        lambda b: b.query("UPDATE 'a' WITH {name: []} IN items"),
    ],
    ids=["insert", "insert_many", "update", "replace", "aql-insert", "aql-update"],
)
def test_a_write_the_schema_refuses_is_1620_and_writes_nothing(guarded: Backend, write) -> None:
    with pytest.raises(SchemaViolationError) as caught:
        write(guarded)
    assert caught.value.error_num == 1620
    assert "items" in caught.value.message
    assert guarded.count("items") == 1
    assert guarded.get("items", "a")["name"] == "iris"


def test_a_refused_write_in_a_transaction_leaves_nothing(guarded: Backend) -> None:
    with pytest.raises(SchemaViolationError), guarded.transaction(write=["items"]) as session:
        session.insert("items", {"_key": "b", "name": "ok"})
        session.insert("items", {"_key": "c"})
    assert guarded.count("items") == 1


def test_without_the_schema_the_write_goes_through(guarded: Backend) -> None:
    guarded.set_schema("items", None)
    guarded.insert("items", {"name": 1})
    assert guarded.count("items") == 2
