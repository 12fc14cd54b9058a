"""Storage format 1: system attributes in columns; files of an older format converted once on open."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.embedded.codec import encode
from arangoml_meta.embedded.documents import REVISIONS
from arangoml_meta.embedded.edge_lists import forget
from arangoml_meta.embedded.layout import FORMAT
from arangoml_meta.errors import ArangoMLMetaError

from .helpers import error_num, make_db, run

V1_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v1" / "store.db"

RUNS = [
    {"_key": "a", "name": "first", "status": "done", "metrics": {"acc": 0.5}, "_meta": 1},
    {"_key": "b", "_from": "not/an-edge", "name": "second", "status": "failed", "n": 2},
    {"_key": "c"},
    {"_key": "d", "name": "fourth", "status": "done", "nested": {"deep": [1, {"x": None}]}},
]
LINKS = [
    {"_key": "1", "_from": "runs/a", "_to": "runs/b", "role": "input"},
    {"_key": "2", "_from": "runs/a", "_to": "runs/c", "role": "output"},
    {"_key": "3", "_from": "runs/b", "_to": "links/1", "role": "about"},
]
# (collection, fields, unique, sparse)
INDEXES = [
    ("runs", ["_rev"], False, False),
    ("runs", ["status"], False, False),
    ("runs", ["_key"], True, False),
    ("links", ["_from", "role"], True, False),
]


def _old_index_sql(table: str, iid: int, fields: list[str], unique: bool, sparse: bool) -> str:
    columns, conditions = [], []
    for name in fields:
        path = "$" + "".join(f'."{part}"' for part in name.split("."))
        type_sql = f"ifnull(json_type(doc, '{path}'), 'null')"
        columns += [type_sql, f"ifnull(json_extract(doc, '{path}'), '')"]
        conditions.append(f"{type_sql} <> 'null'")
    where = f" WHERE {' AND '.join(conditions)}" if sparse else ""
    kind = "UNIQUE INDEX" if unique else "INDEX"
    return f"CREATE {kind} {table}_i{iid} ON {table}({', '.join(columns)}){where}"


def write_format0(path: Path) -> dict[str, list[dict[str, Any]]]:
    """A store as releases before format 1 wrote it (every attribute in ``doc``, no
    ``user_version``); returns each collection's documents as stored, in order."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE _collections (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            edge INTEGER NOT NULL, key_counter INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE _indexes (id INTEGER PRIMARY KEY, collection_id INTEGER NOT NULL,
            name TEXT NOT NULL, fields TEXT NOT NULL, is_unique INTEGER NOT NULL,
            sparse INTEGER NOT NULL);
        CREATE TABLE _graphs (name TEXT PRIMARY KEY, definition TEXT NOT NULL);
        """
    )
    stored: dict[str, list[dict[str, Any]]] = {}
    ids = {}
    for cid, (name, edge, docs) in enumerate([("runs", False, RUNS), ("links", True, LINKS)], 1):
        ids[name] = cid
        numeric = [int(doc["_key"]) for doc in docs if doc["_key"].isdigit()]
        conn.execute(
            "INSERT INTO _collections VALUES (?, ?, ?, ?)",
            (cid, name, edge, max(numeric, default=0)),
        )
        ends = ", from_id TEXT NOT NULL, to_id TEXT NOT NULL" if edge else ""
        conn.execute(
            f"CREATE TABLE c{cid} (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            f"doc TEXT NOT NULL{ends})"
        )
        if edge:
            conn.execute(f"CREATE INDEX c{cid}_from ON c{cid}(from_id)")
            conn.execute(f"CREATE INDEX c{cid}_to ON c{cid}(to_id)")
        stored[name] = []
        for doc in reversed(docs):  # insertion order is seq order, not key order
            key = doc["_key"]
            full = {"_key": key, "_id": f"{name}/{key}", "_rev": REVISIONS.next()}
            if edge:
                full.update(_from=doc["_from"], _to=doc["_to"])
            full.update((k, v) for k, v in doc.items() if k not in full)
            stored[name].append(full)
            if edge:
                conn.execute(
                    f"INSERT INTO c{cid}(key, doc, from_id, to_id) VALUES (?, ?, ?, ?)",
                    (key, encode(full), full["_from"], full["_to"]),
                )
            else:
                conn.execute(f"INSERT INTO c{cid}(key, doc) VALUES (?, ?)", (key, encode(full)))
    for iid, (name, fields, unique, sparse) in enumerate(INDEXES, 1):
        conn.execute(
            "INSERT INTO _indexes VALUES (?, ?, ?, ?, ?, ?)",
            (iid, ids[name], f"idx_{iid}", json.dumps(fields), unique, sparse),
        )
        conn.execute(_old_index_sql(f"c{ids[name]}", iid, fields, unique, sparse))
    conn.commit()
    conn.close()
    return stored


def ordered(docs: list[dict[str, Any]]) -> list[list[tuple[str, Any]]]:
    """Documents with their attribute order, which comparing dicts would not check."""
    return [list(doc.items()) for doc in docs]


@pytest.fixture
def format0(tmp_path: Path) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    path = tmp_path / "store.db"
    return path, write_format0(path)


def test_a_format0_file_is_converted_on_open(format0) -> None:
    path, stored = format0
    with EmbeddedDatabase(str(path)) as db:
        for name, docs in stored.items():
            assert ordered(run(db, f"FOR d IN {name} RETURN d")) == ordered(docs)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # vacuumed
    for rev, text in conn.execute("SELECT rev, doc FROM c1 ORDER BY seq"):
        assert not {"_key", "_id", "_rev"} & set(json.loads(text))
        assert rev in {doc["_rev"] for doc in stored["runs"]}
    for text, from_id in conn.execute("SELECT doc, from_id FROM c2"):
        assert json.loads(text).keys() == {"role"} and from_id.startswith("runs/")
    body = conn.execute("SELECT doc FROM c1 WHERE key = 'b'").fetchone()[0]
    assert json.loads(body)["_from"] == "not/an-edge"  # a document collection's own attribute


def uses_index(db: EmbeddedDatabase, aql: str, index: str, **bind: Any) -> bool:
    """Whether one of the statements running ``aql`` searches ``index``."""
    forget(db.storage)  # read afresh, not from what an earlier run of ``aql`` kept
    statements: list[tuple[str, Any]] = []
    db.storage.tracer = lambda sql, params: statements.append((sql, list(params)))
    try:
        run(db, aql, **bind)
    finally:
        db.storage.tracer = None
    plans = [
        str(db.storage.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        for sql, params in statements
        if sql.startswith("SELECT")
    ]
    return any(f"INDEX {index} " in plan for plan in plans)


def test_a_converted_file_answers_as_before(format0) -> None:
    path, stored = format0
    runs = {doc["_key"]: doc for doc in stored["runs"]}
    with EmbeddedDatabase(str(path)) as db:
        rev = runs["d"]["_rev"]
        query = "FOR d IN runs FILTER d._rev == @rev RETURN d"
        assert run(db, query, rev=rev) == [runs["d"]]
        assert uses_index(db, query, "c1_i1", rev=rev)
        assert uses_index(db, "FOR d IN runs FILTER d.status == 'done' RETURN d._key", "c1_i2")
        assert run(db, "FOR d IN runs SORT d._key DESC LIMIT 2 RETURN d._key") == ["d", "c"]
        assert run(db, "FOR d IN runs FILTER d.metrics.acc > 0.1 RETURN d.name") == ["first"]
        walk = "FOR v, e IN 1..1 OUTBOUND 'runs/a' links RETURN [v._key, e.role, e._rev]"
        links = {doc["_key"]: doc for doc in stored["links"]}
        assert sorted(run(db, walk)) == [
            ["b", "input", links["1"]["_rev"]],
            ["c", "output", links["2"]["_rev"]],
        ]
        # the unique index over [_from, role] was built again
        duplicate = {"_from": "runs/a", "_to": "runs/d", "role": "input"}
        assert error_num(db.insert, "links", duplicate) == 1210
        db.insert("links", {**duplicate, "role": "other"})


def file_state(path: Path) -> tuple[bytes, int]:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes(), wal.stat().st_size if wal.exists() else 0


def test_opening_an_up_to_date_file_writes_nothing(format0) -> None:
    path, stored = format0
    EmbeddedDatabase(str(path)).close()  # converts
    before = file_state(path)
    with EmbeddedDatabase(str(path)) as db:
        assert ordered(run(db, "FOR d IN runs RETURN d")) == ordered(stored["runs"])
    assert file_state(path) == before


def test_a_file_of_a_newer_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    EmbeddedDatabase(str(path)).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {FORMAT + 1}")
    conn.close()
    with pytest.raises(ArangoMLMetaError, match="newer than this arangoml-meta"):
        EmbeddedDatabase(str(path))


def _open_once(path: str, barrier: Any) -> None:
    barrier.wait()
    EmbeddedDatabase(path).close()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork()")
def test_processes_opening_a_format0_file_at_once_convert_it_once(format0) -> None:
    path, stored = format0
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(3)
    processes = [fork.Process(target=_open_once, args=(str(path), barrier)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    with EmbeddedDatabase(str(path)) as db:
        # converting twice would have found no _rev in the JSON, and made new ones
        assert ordered(run(db, "FOR d IN runs RETURN d")) == ordered(stored["runs"])


def test_every_document_of_the_release_0_1_0_store_reads_as_it_was_stored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    shutil.copyfile(V1_FIXTURE, path)
    conn = sqlite3.connect(path)
    names = conn.execute("SELECT name, id FROM _collections").fetchall()
    raw = {
        name: [json.loads(text) for (text,) in conn.execute(f"SELECT doc FROM c{cid} ORDER BY seq")]
        for name, cid in names
    }
    conn.close()
    with EmbeddedDatabase(str(path)) as db:
        for name, docs in raw.items():
            assert ordered(run(db, f"FOR d IN {name} RETURN d")) == ordered(docs), name


# ---------------------------------------------------------------------- system attributes


CONDITIONS = [
    "d._rev == @rev",
    "d._rev IN [@rev, 1, null]",
    "d._rev != @rev",
    "d._rev < 5",
    "d._rev >= 5",
    "d._rev > null",
    "d._rev == null",
    "d._rev.x == null",
    "d._rev.x < 1",
    "d._key > 3",
    "d._key <= true",
    "d._key == 'a'",
    "d._key IN ['a', 'c', 7]",
    "d._key.x == null",
    "d._key.x > 0",
    "d._id == 'runs/a'",
    "d._id == 'other/a'",
    "d._id IN ['runs/b', 'runs/zzz']",
    "d._id < [1]",
    "d._from == 'not/an-edge'",
    "d._from == null",
    "d._meta == 1",
]
EDGE_CONDITIONS = [
    "d._from == 'runs/a'",
    "d._from == 'runs/a' AND d.role == 'output'",
    "d._to IN ['runs/b', 'links/1']",
    "d._to < 1",
    "d._from > []",
    "d._from.x == null",
    "d._to.x != null",
    "d._rev == @rev",
]
SYSTEM_INDEXES = [[], [["_rev"]], [["_key"]], [["_id"]], [["_key.x"]], [["status", "_rev"]]]
EDGE_INDEXES = [[], [["_from", "role"]], [["_to"]], [["_from.x"]], [["_rev"]]]


def answers(db: EmbeddedDatabase, collection: str, condition: str, rev: str) -> tuple[Any, Any]:
    """The keys a FILTER finds as the scan pushes it down, and as Python evaluates it on
    whole documents (MERGE keeps it out of the SQL)."""
    query = f"FOR d IN {collection} FILTER {condition} RETURN d._key"
    bind = {"rev": rev} if "@rev" in condition else {}
    pushed = run(db, query, **bind)
    in_python = query.replace("FILTER ", "LET w = MERGE(d, {}) FILTER ").replace("d.", "w.")
    return pushed, run(db, in_python, **bind)


FILTER_CASES = [("runs", CONDITIONS, fields) for fields in SYSTEM_INDEXES] + [
    ("links", EDGE_CONDITIONS, fields) for fields in EDGE_INDEXES
]


@pytest.mark.parametrize(("collection", "conditions", "indexes"), FILTER_CASES, ids=str)
def test_filters_on_system_attributes(collection, conditions, indexes) -> None:
    with make_db({"runs": RUNS}, {"links": LINKS}) as db:
        for fields in indexes:
            db.ensure_index(collection, fields)
        rev = run(db, f"FOR d IN {collection} FILTER d._key IN ['c', '2'] RETURN d._rev")[0]
        for condition in conditions:
            pushed, whole = answers(db, collection, condition, rev)
            assert pushed == whole, condition


def test_rev_equality_is_pushed_down_to_its_column_and_index() -> None:
    with make_db({"runs": RUNS}) as db:
        rev = run(db, "FOR d IN runs FILTER d._key == 'b' RETURN d._rev")[0]
        db.ensure_index("runs", ["_rev"])
        query = "FOR d IN runs FILTER d._rev == @rev RETURN d._key"
        assert run(db, query, rev=rev) == ["b"]
        table = db.storage.collection("runs").table
        index = f"{table}_i{db.storage.collection('runs').indexes[0].id}"
        assert uses_index(db, query, index, rev=rev)


def test_index_ordered_reads_over_system_attributes() -> None:
    with make_db({"runs": RUNS}) as db:
        expected = {
            "key": run(db, "FOR d IN runs SORT d._key DESC RETURN d._key")[:2],
            "rev": run(db, "FOR d IN runs SORT d._rev RETURN d._key")[:3],
        }
        db.ensure_index("runs", ["_key"])
        db.ensure_index("runs", ["_rev"])
        assert run(db, "FOR d IN runs SORT d._key DESC LIMIT 2 RETURN d._key") == expected["key"]
        assert run(db, "FOR d IN runs SORT d._rev LIMIT 3 RETURN d._key") == expected["rev"]


def test_unique_indexes_over_system_attributes() -> None:
    with make_db({"runs": RUNS}, {"links": LINKS}) as db:
        db.ensure_index("links", ["_from", "role"], unique=True)
        assert (
            error_num(db.insert, "links", {"_from": "runs/a", "_to": "runs/x", "role": "input"})
            == 1210
        )
        db.insert("links", {"_from": "runs/b", "_to": "runs/x", "role": "input"})
        # below a system attribute every document holds null: one at most, unless sparse
        db.ensure_index("runs", ["_key.x"], sparse=True, unique=True)
        assert error_num(db.ensure_index, "runs", ["_key.x"], unique=True) == 1210


def test_documents_read_with_system_attributes_first() -> None:
    with make_db({"runs": []}, {"links": []}) as db:
        new = run(
            db,
            "INSERT {z: 1, _meta: 2, _from: 'x', _rev: 'mine', _id: 'no/no'} INTO runs RETURN NEW",
        )[0]
        assert list(new) == ["_key", "_id", "_rev", "z", "_meta", "_from"]
        assert new["_rev"] != "mine" and new["_id"] == f"runs/{new['_key']}"
        assert ordered(run(db, "FOR d IN runs RETURN d")) == ordered([new])
        edge = db.insert("links", {"role": "r", "_to": "runs/1", "_from": "runs/2"})
        assert list(edge) == ["_key", "_id", "_rev", "_from", "_to", "role"]
        assert ordered([db.get("links", edge["_key"])]) == ordered([edge])


def test_modifications_keep_system_attributes_in_columns() -> None:
    with make_db({"runs": RUNS}) as db:
        old, new = run(
            db,
            "FOR d IN runs FILTER d._key == 'a' "
            "UPDATE d WITH {metrics: {f1: 1}, name: null, _rev: 'x'} IN runs "
            "OPTIONS {keepNull: false} RETURN [OLD, NEW]",
        )[0]
        assert list(new) == ["_key", "_id", "_rev", "status", "metrics", "_meta"]
        assert new["metrics"] == {"acc": 0.5, "f1": 1} and new["_rev"] not in (old["_rev"], "x")
        assert run(db, "FOR d IN runs FILTER d._rev == @r RETURN d", r=new["_rev"]) == [new]
        assert run(db, "FOR d IN runs FILTER d._rev == @r RETURN d", r=old["_rev"]) == []
        conflict = "REPLACE {_key: 'a', _rev: @r} WITH {} IN runs OPTIONS {ignoreRevs: false}"
        assert error_num(db.query, conflict, {"r": old["_rev"]}) == 1200
        replaced = run(
            db, conflict.replace("WITH {}", "WITH {y: 1}") + " RETURN NEW", r=new["_rev"]
        )
        assert list(replaced[0]) == ["_key", "_id", "_rev", "y"]
        upserted = run(
            db,
            "UPSERT {_rev: @r} INSERT {} UPDATE {found: true} IN runs RETURN NEW",
            r=replaced[0]["_rev"],
        )
        assert upserted[0]["_key"] == "a" and upserted[0]["found"] is True


def test_a_vertex_in_an_edge_collection_reads_whole() -> None:
    with make_db({"runs": RUNS}, {"links": LINKS}) as db:
        edge = db.get("links", "1")
        walk = "FOR v IN 1..1 OUTBOUND 'runs/b' links RETURN {}"
        assert run(db, walk.format("v")) == [edge]
        assert run(db, walk.format("[v._rev, v.role, v._id]")) == [
            [edge["_rev"], "input", "links/1"]
        ]
        runs = {doc["_key"]: doc for doc in run(db, "FOR d IN runs RETURN d")}
        walk = "FOR v IN 1..1 OUTBOUND 'runs/a' links SORT v._key RETURN [v._rev, v.name]"
        assert run(db, walk) == [[runs["b"]["_rev"], "second"], [runs["c"]["_rev"], None]]
