"""The AQL statements the ArangoDB backend sends for document operations, run here.

``arango_session.py`` implements update, replace and delete_many as AQL (keys bound,
never put into URLs). The embedded engine follows ArangoDB's semantics, so running the
very same statements on it checks their text and meaning where no server is at hand;
with a server, ``test_backend_protocol.py`` runs them there too.
"""

from __future__ import annotations

import pytest

from arangoml_meta.backends import arango_session as arango_backend
from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.errors import DocumentNotFoundError


@pytest.fixture
def db() -> EmbeddedDatabase:
    database = EmbeddedDatabase(":memory:")
    database.create_collection("items")
    database.insert_many(
        "items", [{"_key": "a", "n": 1, "o": {"x": 1, "y": 2}}, {"_key": "b", "n": 2}]
    )
    return database


def test_update_merges_objects_and_drops_nulls(db: EmbeddedDatabase) -> None:
    patch = {"o": {"y": None, "z": 3}, "n": None}
    (new,) = db.query(arango_backend._UPDATE, {"key": "a", "body": patch, "@collection": "items"})
    assert (new["_key"], new["o"], "n" in new) == ("a", {"x": 1, "z": 3}, False)


def test_replace_keeps_the_key_and_nothing_else(db: EmbeddedDatabase) -> None:
    bind = {"key": "a", "body": {"m": None}, "@collection": "items"}
    (new,) = db.query(arango_backend._REPLACE, bind)
    assert {k: v for k, v in new.items() if not k.startswith("_")} == {"m": None}
    assert new["_key"] == "a"


def test_delete_many_removes_or_fails_with_1202(db: EmbeddedDatabase) -> None:
    with pytest.raises(DocumentNotFoundError) as err:
        db.query(arango_backend._DELETE_MANY, {"keys": ["a", "missing"], "@collection": "items"})
    assert err.value.error_num == 1202
    assert db.count("items") == 2  # one query: all or nothing
    db.query(arango_backend._DELETE_MANY, {"keys": ["a", "b"], "@collection": "items"})
    assert db.count("items") == 0
