"""A sparse persistent index of one field serves the filters that exclude null.

SQLite builds it as a partial index (``WHERE type <> 'null'``) and uses one only when
the query states that condition: an equality with a value that is not null states it
(as ArangoDB uses a sparse index only for such conditions); ``== null`` reads the
collection and still finds the documents the index leaves out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from arangoml_meta.embedded import EmbeddedDatabase

VALUES = ["a", None, "b", 1, "a", True, None, "a"]  # with documents without the field


@pytest.fixture
def db(tmp_path: Path):
    database = EmbeddedDatabase(str(tmp_path / "sparse.db"))
    database.create_collection("c")
    database.ensure_index("c", ["p"], sparse=True)
    docs = [{"_key": f"k{i}", "p": v} for i, v in enumerate(VALUES)]
    docs += [{"_key": f"m{i}"} for i in range(3)]
    database.insert_many("c", docs)
    yield database
    database.close()


def keys(db: EmbeddedDatabase, condition: str, bind: dict | None = None) -> list[str]:
    return db.query(f"FOR d IN c FILTER {condition} SORT d._key RETURN d._key", bind or {})


def plan_of(db: EmbeddedDatabase, condition: str, bind: dict) -> str:
    """The SQLite plan of the statement the query reads the collection with (the one
    applying the filter: the others read the primary index for the SORT, then documents
    by seq)."""
    storage = db.storage
    seen: list[str] = []
    storage.conn.set_trace_callback(seen.append)
    try:
        keys(db, condition, bind)
    finally:
        storage.conn.set_trace_callback(None)
    table = storage.collection("c").table
    (scan,) = [s for s in seen if f"FROM {table}" in s and "doc, '$.\"p\"'" in s]
    return " / ".join(row[-1] for row in storage.conn.execute(f"EXPLAIN QUERY PLAN {scan}"))


@pytest.mark.parametrize(
    ("condition", "bind", "expected"),
    [
        ("d.p == @v", {"v": "a"}, ["k0", "k4", "k7"]),
        ("d.p == @v", {"v": 1}, ["k3"]),
        ("d.p == @v", {"v": True}, ["k5"]),
        ("d.p IN @v", {"v": ["b", 1]}, ["k2", "k3"]),
        ("d.p == null", {}, ["k1", "k6", "m0", "m1", "m2"]),
    ],
)
def test_a_filter_finds_what_it_should(db, condition, bind, expected) -> None:
    assert keys(db, condition, bind) == expected


@pytest.mark.parametrize("value", ["a", 1])
def test_an_equality_reads_the_sparse_index(db, value) -> None:
    info = db.storage.collection("c")
    (index,) = info.indexes
    assert f"USING INDEX {info.table}_i{index.id} " in plan_of(db, "d.p == @v", {"v": value})


def test_null_is_not_looked_up_in_the_sparse_index(db) -> None:
    assert "USING INDEX" not in plan_of(db, "d.p == null", {})
