"""Inverted indexes: ArangoDB's definition and description, and the terms kept per document.

The planner does not use them (see ``inverted_index.py``): a query over a collection
with one gives what it gives without.
"""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.errors import ERROR_BAD_PARAMETER

from .helpers import error_num, make_db, run


def held(db: EmbeddedDatabase, collection: str = "c") -> dict[str, list[tuple[str, str]]]:
    """Key -> the (path, term) pairs the collection's inverted index holds for it."""
    storage = db.storage
    info = storage.collection(collection)
    (index,) = info.inverted_indexes
    found: dict[str, list[tuple[str, str]]] = {}
    for key, path, term in storage.rows(
        f"SELECT key, path, term FROM {info.table} JOIN {index.table(info)} USING (seq) "
        "ORDER BY key, path, term",
        (),
    ):
        found.setdefault(key, []).append((path, term))
    return found


def test_the_description_is_arangodbs() -> None:
    with make_db({"c": []}) as db:
        made = db.ensure_inverted_index(
            "c", {"fields": ["a", {"name": "b", "analyzer": "text_en"}]}
        )
        assert made["fields"] == [
            {"name": "a"},
            {"name": "b", "analyzer": "text_en", "features": ["frequency", "position", "norm"]},
        ]
        assert (made["analyzer"], made["features"]) == ("identity", ["frequency", "norm"])
        assert (made["type"], made["sparse"], made["unique"], made["version"]) == (
            "inverted",
            True,
            False,
            1,
        )
        assert made["primarySort"] == {"fields": [], "compression": "lz4"}
        assert made["writebufferSizeMax"] == 33554432
        again = db.ensure_inverted_index(
            "c", {"fields": ["a", {"name": "b", "analyzer": "text_en"}]}
        )
        assert again == made
        assert [i["type"] for i in db.indexes("c")] == ["primary", "inverted"]


def test_options_are_kept_and_reported() -> None:
    with make_db({"c": []}) as db:
        made = db.ensure_inverted_index(
            "c",
            {
                "fields": [{"name": "t", "features": ["frequency"], "searchField": True}],
                "analyzer": "text_de",
                "commitIntervalMsec": 250,
                "writeBufferIdle": 8,
                "consolidationPolicy": {"segmentsBytesMax": 1024},
                "includeAllFields": True,
            },
            name="words",
        )
        assert made["name"] == "words"
        assert made["fields"] == [{"name": "t", "features": ["frequency"], "searchField": True}]
        assert made["features"] == ["frequency", "position", "norm"]
        assert (made["commitIntervalMsec"], made["writebufferIdle"]) == (250, 8)
        assert made["consolidationPolicy"]["segmentsBytesMax"] == 1024
        assert made["consolidationPolicy"]["type"] == "tier"


@pytest.mark.parametrize(
    "definition",
    [
        {"fields": []},
        {"fields": "a"},
        {"fields": [5]},
        {"fields": [{"analyzer": "identity"}]},
        {"fields": ["a", "a"]},
        {"fields": ["_id"]},
        {"fields": ["a"], "analyzer": "no_such_analyzer"},
        {"fields": [{"name": "a", "analyzer": "custom::mine"}]},
        {"fields": ["a"], "features": ["speed"]},
        {"fields": ["a"], "includeAllFields": "yes"},
        {"fields": ["a"], "commitIntervalMsec": -1},
        {"fields": [{"name": "a", "nested": ["b"]}]},
    ],
)
def test_a_bad_definition_is_error_10(definition: dict[str, Any]) -> None:
    with make_db({"c": []}) as db:
        assert error_num(db.ensure_inverted_index, "c", definition) == ERROR_BAD_PARAMETER
        assert len(db.indexes("c")) == 1


def test_terms_of_every_kind_of_value() -> None:
    docs = [
        {"_key": "text", "a": "Hello World", "b": "The quick foxes"},
        {"_key": "values", "a": [1, True, None], "b": {"x": "y"}},
        {"_key": "missing"},
        {"_key": "objects", "a": [{"c": "One"}, {"c": "Two"}]},
    ]
    with make_db({"c": docs}) as db:
        db.ensure_inverted_index(
            "c", {"fields": ["a", {"name": "b", "analyzer": "text_en"}, "a[*].c"]}
        )
        terms = held(db)
        assert terms["text"] == [("a", "Hello World"), ("b", "fox"), ("b", "quick"), ("b", "the")]
        assert "missing" not in terms
        assert ("a", "/w==") in terms["values"] and ("a", "") in terms["values"]
        assert not any(path == "b" for path, _ in terms["values"])  # an object: includeAllFields
        assert [t for t in terms["objects"] if t[0] == "a.c"] == [("a.c", "One"), ("a.c", "Two")]


def test_include_all_fields_indexes_every_attribute() -> None:
    with make_db({"c": [{"_key": "k", "a": "x", "o": {"p": "y"}}]}) as db:
        db.ensure_inverted_index("c", {"fields": [], "includeAllFields": True})
        assert held(db) == {"k": [("a", "x"), ("o.p", "y")]}


def test_every_write_keeps_the_terms_current() -> None:
    with make_db({"c": [{"_key": "a", "t": "one"}]}) as db:
        db.ensure_inverted_index("c", {"fields": ["t"]})
        db.insert("c", {"_key": "b", "t": "two"})
        run(db, "UPDATE 'a' WITH {t: 'uno'} IN c")
        run(db, "REPLACE 'b' WITH {t: ['dos', 'zwei']} IN c")
        assert held(db) == {"a": [("t", "uno")], "b": [("t", "dos"), ("t", "zwei")]}
        run(db, "REMOVE 'a' IN c")
        assert list(held(db)) == ["b"]
        db.truncate("c")
        assert held(db) == {}


def test_drop_the_index_and_its_table() -> None:
    with make_db({"c": [{"t": "x"}]}) as db:
        made = db.ensure_inverted_index("c", {"fields": ["t"]})
        table = db.storage.collection("c").table
        db.storage.drop_index("c", made["name"])
        names = [n for (n,) in db.storage.rows("SELECT name FROM sqlite_master", ())]
        assert not [n for n in names if n.startswith(f"{table}_v")]
        db.insert("c", {"t": "y"})
        assert db.count("c") == 2


def test_queries_scan_as_without_the_index() -> None:
    docs = [{"_key": str(i), "t": f"word {i % 3}"} for i in range(30)]
    with make_db({"c": docs, "plain": docs}) as db:
        db.ensure_inverted_index("c", {"fields": ["t"]})
        query = "FOR d IN @@c FILTER d.t == 'word 1' SORT d._key RETURN d._key"
        assert run(db, query, **{"@c": "c"}) == run(db, query, **{"@c": "plain"})
