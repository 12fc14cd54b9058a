"""Edge lists kept across queries (``edge_lists.py``) never outlive a write.

Each test walks once (filling the kept lists), changes the store in one way —
this connection or another, committed, pending or rolled back, edges or the
vertices the walk reads — and walks again: the answer must be what a fresh
connection sees.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.embedded.edge_lists import shared_edge_lists
from arangoml_meta.embedded.runtime import Runtime

from .helpers import make_db, run

WALK = """
FOR v, e, p IN 1..4 OUTBOUND @start e1, e2
  OPTIONS { uniqueVertices: 'global', order: 'bfs' }
  RETURN [v._id, v.name, LENGTH(p.edges), e._id, e._from, e._to, e.role]
"""
# the general walk (depth-first, with neighbors a vertex at a time)
DFS = "FOR v, e IN 1..4 OUTBOUND @start e1, e2 RETURN [v._id, v.name, e.role]"
START = "a/a0"


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


@pytest.fixture
def db(path: str) -> EmbeddedDatabase:
    database = make_db(
        {
            "a": [{"_key": f"a{i}", "name": f"A{i}"} for i in range(4)],
            "b": [{"_key": f"b{i}", "name": f"B{i}"} for i in range(3)],
        },
        {
            "e1": [
                {"_key": "x1", "_from": "a/a0", "_to": "b/b0", "role": "in"},
                {"_key": "x2", "_from": "b/b0", "_to": "a/a1", "role": "out"},
            ],
            "e2": [{"_key": "y1", "_from": "a/a1", "_to": "b/b1"}],
        },
        path=path,
    )
    return database


def walks(db: EmbeddedDatabase) -> tuple[list[Any], list[Any]]:
    return run(db, WALK, start=START), run(db, DFS, start=START)


def fresh(path: str) -> tuple[list[Any], list[Any]]:
    with EmbeddedDatabase(path) as other:
        return walks(other)


CHANGES: dict[str, Callable[[EmbeddedDatabase], Any]] = {
    "edge inserted": lambda db: db.insert("e2", {"_from": "b/b1", "_to": "a/a3", "role": "r"}),
    "edge removed": lambda db: run(db, "REMOVE 'x2' IN e1"),
    "edge changed": lambda db: run(db, "UPDATE 'x1' WITH {role: 'new'} IN e1"),
    "vertex renamed": lambda db: run(db, "UPDATE 'b0' WITH {name: 'renamed'} IN b"),
    "vertex removed": lambda db: run(db, "REMOVE 'a1' IN a"),
    "start removed": lambda db: run(db, "REMOVE 'a0' IN a"),
    "vertex added": lambda db: db.insert("a", {"_key": "a9", "name": "late"}),
    "edges truncated": lambda db: db.truncate("e1"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_committed_change_is_seen(db: EmbeddedDatabase, path: str, change: str) -> None:
    if change == "vertex added":  # an edge to it first, while it does not exist
        db.insert("e1", {"_from": "a/a1", "_to": "a/a9"})
    before = walks(db)
    assert walks(db) == before  # from the kept lists
    CHANGES[change](db)
    after = walks(db)
    assert after != before
    assert after == fresh(path)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_another_connection_s_commit_is_seen(db: EmbeddedDatabase, path: str, change: str) -> None:
    if change == "vertex added":
        db.insert("e1", {"_from": "a/a1", "_to": "a/a9"})
    before = walks(db)
    with EmbeddedDatabase(path) as other:
        CHANGES[change](other)
    after = walks(db)
    assert after != before
    assert after == fresh(path)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_pending_change_is_seen_and_its_rollback_too(
    db: EmbeddedDatabase, path: str, change: str
) -> None:
    if change == "vertex added":
        db.insert("e1", {"_from": "a/a1", "_to": "a/a9"})
    before = walks(db)
    with pytest.raises(ZeroDivisionError), db.transaction():
        assert walks(db) == before  # nothing written yet in this transaction: kept lists
        CHANGES[change](db)
        pending = walks(db)
        assert pending != before
        assert walks(db) == pending
        raise ZeroDivisionError
    assert walks(db) == before == fresh(path)


def test_a_failed_query_s_writes_are_forgotten(db: EmbeddedDatabase, path: str) -> None:
    before = walks(db)
    with pytest.raises(Exception):  # noqa: B017 (the duplicate key, whatever its class)
        run(db, "FOR k IN ['z1', 'x1'] INSERT {_key: k, _from: 'a/a0', _to: 'a/a2'} INTO e1")
    assert walks(db) == before == fresh(path)


def test_kept_lists_are_given_only_to_a_transaction_that_has_not_written(
    db: EmbeddedDatabase,
) -> None:
    storage = db.storage
    with db.transaction(write=False):
        kept = shared_edge_lists(storage)
        assert kept is not None
    run(db, WALK, start=START)
    with db.transaction():
        assert shared_edge_lists(storage) is kept
        assert kept  # what the walk read
        db.insert("a", {"_key": "new"})
        assert shared_edge_lists(storage) is None
    with db.transaction(write=False):
        assert shared_edge_lists(storage) is kept
        assert not kept  # emptied: the commit moved the stamp


def test_a_walk_over_lineage_read_before_reads_no_edges(db: EmbeddedDatabase) -> None:
    statements: list[str] = []
    db.storage.tracer = lambda sql, params: statements.append(sql)
    first = run(db, WALK, start=START)
    assert any(" AS e WHERE " in sql for sql in statements)  # the level statements
    statements.clear()
    assert run(db, WALK, start=START) == first
    assert not any(" AS e WHERE " in sql for sql in statements)
    assert not any("SELECT 1 FROM" in sql for sql in statements)  # nor the start's existence


def test_kept_lists_start_afresh_when_they_hold_too_much(
    db: EmbeddedDatabase, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arangoml_meta.embedded import edge_lists

    monkeypatch.setattr(edge_lists, "MAX_VERTICES", 2)
    run(db, WALK, start=START)
    with db.transaction(write=False):
        kept = edge_lists.kept_lists(db.storage)
        assert kept is not None and kept.lists and kept.exists
        for _ in range(edge_lists._SIZE_CHECKS):
            assert edge_lists.kept_lists(db.storage) is kept
        assert not kept.lists and not kept.exists
    assert walks(db) == fresh(path)


# a scan and a DOCUMENT() that find nothing yet: both are kept (edge_lists.kept_scan, and
# the miss among the vertices known not to exist)
READS = (
    "FOR d IN a FILTER d.name == 'late' RETURN d._key",
    "RETURN DOCUMENT('a/a9')._key",
)


def reads(db: EmbeddedDatabase) -> list[Any]:
    return [run(db, query) for query in READS]


def traced_reads(db: EmbeddedDatabase) -> tuple[list[Any], list[str]]:
    statements: list[str] = []
    db.storage.tracer = lambda sql, params: statements.append(sql)
    try:
        return reads(db), [sql for sql in statements if sql.startswith("SELECT")]
    finally:
        db.storage.tracer = None


def late(db: EmbeddedDatabase) -> None:
    db.insert("a", {"_key": "a9", "name": "late"})


@pytest.mark.parametrize("writer", ["this connection", "another connection", "transaction"])
def test_a_kept_scan_or_missing_document_does_not_outlive_a_write(
    db: EmbeddedDatabase, path: str, writer: str
) -> None:
    nothing = [[], [None]]
    assert reads(db) == nothing
    assert traced_reads(db) == (nothing, [])  # kept: no statement
    if writer == "this connection":
        late(db)
    elif writer == "another connection":
        with EmbeddedDatabase(path) as other:
            late(other)
    else:
        with db.transaction():
            assert reads(db) == nothing
            late(db)
            assert reads(db) == [["a9"], ["a9"]]
    assert reads(db) == [["a9"], ["a9"]]


def test_a_kept_scan_or_missing_document_sees_a_rollback(db: EmbeddedDatabase) -> None:
    with pytest.raises(ZeroDivisionError), db.transaction():
        late(db)
        assert reads(db) == [["a9"], ["a9"]]
        raise ZeroDivisionError
    assert reads(db) == [[], [None]]
    assert traced_reads(db) == ([[], [None]], [])


def test_a_large_scan_is_not_kept(db: EmbeddedDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    from arangoml_meta.embedded import edge_lists

    monkeypatch.setattr(edge_lists, "MAX_SCAN_ROWS", 3)
    query = "FOR d IN a RETURN d._key"
    assert run(db, query) == ["a0", "a1", "a2", "a3"]
    statements: list[str] = []
    db.storage.tracer = lambda sql, params: statements.append(sql)
    assert run(db, query) == ["a0", "a1", "a2", "a3"]
    assert any(sql.startswith("SELECT") for sql in statements)
    db.storage.tracer = None
    assert run(db, "FOR d IN b RETURN d._key") == ["b0", "b1", "b2"]  # small enough: kept
    statements.clear()
    db.storage.tracer = lambda sql, params: statements.append(sql)
    assert run(db, "FOR d IN b RETURN d._key") == ["b0", "b1", "b2"]
    assert not any(sql.startswith("SELECT") for sql in statements)


def test_one_query_keeps_no_more_than_the_bounds(
    db: EmbeddedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What one query keeps is bounded while it runs (its size is otherwise checked only
    between queries): scans by MAX_SCANS_ROWS, DOCUMENT() misses by MAX_VERTICES, and the
    uses of the kept lists inside it count towards their size checks."""
    from arangoml_meta.embedded import edge_lists

    monkeypatch.setattr(edge_lists, "MAX_SCANS_ROWS", 5)
    monkeypatch.setattr(edge_lists, "MAX_VERTICES", 3)
    names = ["A1", "A2", "A3", "A0", "A9", "A1", "A3"]
    scans = "FOR n IN @names RETURN (FOR d IN a FILTER d.name == n RETURN d._key)"
    expected = [["a1"], ["a2"], ["a3"], ["a0"], [], ["a1"], ["a3"]]
    assert run(db, scans, names=names) == expected
    assert run(db, scans, names=names) == expected
    misses = "FOR i IN 1..20 RETURN DOCUMENT(CONCAT('a/none', i))"
    assert run(db, misses) == [None] * 20
    with db.transaction(write=False):
        kept = edge_lists.kept_lists(db.storage)
        assert kept is not None
        assert kept.scan_rows <= 5 and len(kept.scans) < 6  # of the 6 answers asked
        assert len(kept.exists) <= 3
    walks_in_one = "FOR s IN ['a/a0', 'a/a1', 'b/b0'] RETURN (" + WALK.replace("@start", "s") + ")"
    assert run(db, walks_in_one) == [run(db, WALK, start=s) for s in ("a/a0", "a/a1", "b/b0")]
    with db.transaction(write=False):  # an execution's uses count, not only its first
        runtime = Runtime(db.storage)
        kept = runtime.kept()
        assert kept is not None
        calls = kept.calls
        assert runtime.kept() is kept and runtime.kept() is kept
        assert kept.calls == calls + 2
