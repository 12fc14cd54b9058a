"""Collections, documents, keys and durability of the embedded store.

Key and name rules follow ArangoDB's naming conventions (keys: 1-254 bytes of
``a-zA-Z0-9_-:.@()+,=;$!*'%``; collection names: a letter or ``_`` then letters,
digits, ``_`` and ``-``, up to 256 bytes in 3.12).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.embedded.documents import RevisionClock

from .helpers import error_num, make_db, run, strip_system

REPO_ROOT = Path(__file__).resolve().parents[2]

VALID_KEYS = [
    "a",
    "A",
    "0",
    "123",
    "a-b_c:d.e@f(g)+h,i=j;k$l!m*n'o%p",
    "_underscore",
    "-dash",
    "k" * 254,
]
INVALID_KEYS = [
    "",
    "a/b",
    "a b",
    "ä",
    "日本",
    "a#b",
    "a?b",
    "a[0]",
    "a&b",
    "k" * 255,
    "tab\t",
    'q"',
]


@pytest.fixture
def db():
    with make_db({"docs": []}, {"edges": []}) as database:
        yield database


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize("key", VALID_KEYS)
def test_valid_keys_are_kept(db, key):
    stored = db.insert("docs", {"_key": key})
    assert stored["_key"] == key
    assert stored["_id"] == f"docs/{key}"
    assert db.get("docs", key)["_key"] == key


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_invalid_keys_are_rejected(db, key):
    assert error_num(db.insert, "docs", {"_key": key}) == 1221
    assert db.count("docs") == 0


@pytest.mark.parametrize("key", [1, 1.5, None, True, ["a"], {"a": 1}])
def test_non_string_keys_are_rejected(db, key):
    assert error_num(db.insert, "docs", {"_key": key}) == 1221


@pytest.mark.parametrize("key", VALID_KEYS[:4] + INVALID_KEYS[:4])
def test_query_insert_applies_the_same_key_rules(db, key):
    if key in VALID_KEYS:
        assert run(db, "INSERT {_key: @k} INTO docs RETURN NEW._key", k=key) == [key]
    else:
        assert error_num(db.query, "INSERT {_key: @k} INTO docs", {"k": key}) == 1221


def test_keys_are_case_sensitive(db):
    db.insert("docs", {"_key": "myKey", "v": 1})
    db.insert("docs", {"_key": "MyKEY", "v": 2})
    assert db.get("docs", "myKey")["v"] == 1
    assert db.get("docs", "MyKEY")["v"] == 2


def test_duplicate_key_is_a_unique_constraint_violation(db):
    db.insert("docs", {"_key": "k"})
    assert error_num(db.insert, "docs", {"_key": "k"}) == 1210


def test_generated_keys_are_unique_valid_strings(db):
    stored = [db.insert("docs", {}) for _ in range(20)]
    generated = [d["_key"] for d in stored]
    assert len(set(generated)) == 20
    assert all(isinstance(k, str) and 1 <= len(k) <= 254 for k in generated)
    assert run(db, "FOR d IN docs RETURN IS_KEY(d._key)") == [True] * 20


def test_generated_keys_never_collide_with_explicit_ones(db):
    for i in range(1, 6):
        db.insert("docs", {"_key": str(i)})
    generated = {db.insert("docs", {})["_key"] for _ in range(10)}
    assert not generated & {"1", "2", "3", "4", "5"}
    assert db.count("docs") == 15


def test_a_batch_generates_keys_above_its_own_explicit_ones(db):
    stored = db.insert_many("docs", [{"a": 1}, {"_key": "7"}, {"_key": "x"}, {"b": 2}])
    keys = [doc["_key"] for doc in stored]
    assert keys[1:3] == ["7", "x"]
    assert int(keys[0]) > 7 and int(keys[3]) > 7 and len(set(keys)) == 4
    assert db.count("docs") == 4


# --------------------------------------------------------------------------- system attributes


def test_insert_returns_id_and_rev(db):
    stored = db.insert("docs", {"_key": "a", "v": 1})
    assert stored["_id"] == "docs/a"
    assert isinstance(stored["_rev"], str) and stored["_rev"]
    assert db.get("docs", "a") == stored


def test_given_id_and_rev_are_ignored_on_insert(db):
    stored = db.insert("docs", {"_key": "a", "_id": "other/zzz", "_rev": "bogus"})
    assert stored["_id"] == "docs/a"
    assert stored["_rev"] != "bogus"


def test_every_revision_is_distinct(db):
    revs = [db.insert("docs", {})["_rev"] for _ in range(50)]
    assert len(set(revs)) == 50


def _digits_by_division(tick: int) -> str:
    """The plain definition of a revision's digits: base 64, most significant first."""
    out = []
    while tick:
        tick, digit = divmod(tick, 64)
        out.append(RevisionClock.ALPHABET[digit])
    return "".join(reversed(out))


@given(st.integers(min_value=1, max_value=2**72 - 1))
def test_revision_digits_are_base_64_without_leading_zeros(tick):
    assert RevisionClock.digits(tick) == _digits_by_division(tick)


def test_revisions_increase_and_decode_to_the_time_they_were_made(db):
    before = datetime.now(timezone.utc).isoformat(timespec="milliseconds")[:23]
    revs = [db.insert("docs", {})["_rev"] for _ in range(20)]
    after = datetime.now(timezone.utc).isoformat(timespec="milliseconds")[:23]
    order = [(len(r), [RevisionClock.ALPHABET.index(c) for c in r]) for r in revs]
    assert order == sorted(order) and len(set(revs)) == 20
    for rev in (revs[0], revs[-1]):
        (decoded,) = run(db, "RETURN DECODE_REV(@rev)", rev=rev)
        assert before <= decoded["date"][:23] <= after


def test_update_changes_rev_but_not_key_or_id(db):
    old = db.insert("docs", {"_key": "a", "v": 1})
    (new,) = run(db, "UPDATE 'a' WITH {v: 2, _key: 'b', _id: 'x/y'} IN docs RETURN NEW")
    assert (new["_key"], new["_id"], new["v"]) == ("a", "docs/a", 2)
    assert new["_rev"] != old["_rev"]


def test_get_missing_document_is_none(db):
    assert db.get("docs", "nope") is None


@pytest.mark.parametrize(
    "doc",
    [
        {"s": "text", "u": "日本語 ✓", "n": None, "t": True, "f": False},
        {"i": 42, "neg": -7, "big": 2**53, "f": 1.5, "small": 1e-7, "large": 1e300},
        {"nested": {"a": [1, {"b": [2, [3]]}], "e": {}}, "arr": []},
        {"dotted.name": 1, "with space": 2, "": 3},
    ],
)
def test_documents_round_trip(db, doc):
    stored = db.insert("docs", doc)
    assert strip_system(db.get("docs", stored["_key"])) == doc


def test_whole_double_equals_integer_after_storage(db):
    db.insert("docs", {"_key": "a", "v": 1.0})
    assert run(db, "FOR d IN docs FILTER d.v == 1 RETURN d._key") == ["a"]


# --------------------------------------------------------------------------- order


def test_collection_scan_follows_insertion_order(db):
    order = ["m", "a", "z", "10", "2", "b"]
    for key in order:
        db.insert("docs", {"_key": key})
    assert run(db, "FOR d IN docs RETURN d._key") == order


def test_insert_many_keeps_input_order(db):
    db.insert_many("docs", [{"_key": k} for k in "qwerty"])
    assert run(db, "FOR d IN docs RETURN d._key") == list("qwerty")


# --------------------------------------------------------------------------- insert_many


def test_insert_many_is_all_or_nothing(db):
    docs = [{"_key": f"k{i}"} for i in range(10)] + [{"_key": "k3"}]
    assert error_num(db.insert_many, "docs", docs) == 1210
    assert db.count("docs") == 0


def test_insert_many_rejects_a_bad_key_without_writing(db):
    assert error_num(db.insert_many, "docs", [{"_key": "ok"}, {"_key": "not ok"}]) == 1221
    assert db.count("docs") == 0


@pytest.mark.parametrize("bad", [1, "doc", None, [{"a": 1}]])
def test_documents_must_be_objects(db, bad):
    assert error_num(db.insert_many, "docs", [bad]) == 1227


@pytest.mark.parametrize(
    "bad",
    [
        float("nan"),
        float("inf"),
        {1: "an integer attribute name"},
        {"\udc00": "a lone surrogate in a name"},
        "a lone \ud800 surrogate",
        [b"bytes"],
        10**400,  # no double holds it
    ],
)
def test_values_that_are_not_json_are_1227_and_nothing_is_written(db, bad):
    db.insert("docs", {"_key": "kept", "v": 1})
    assert error_num(db.insert_many, "docs", [{"_key": "a"}, {"v": {"deep": [bad]}}]) == 1227
    assert run(db, "FOR d IN docs RETURN d._key") == ["kept"]


def test_stored_numbers_are_json_numbers_of_arangodb(db):
    values = [1.0, -0.0, 0.1, 1e-7, 1.5e300, 2**63 - 1, -(2**63), 2**64 - 1, 2**70, -(2**70)]
    db.insert("docs", {"_key": "n", "v": values})
    stored = run(db, "RETURN DOCUMENT('docs/n').v")[0]
    # whole doubles are integers; beyond 64 bits an integer is a double, as ArangoDB reads it
    assert stored == [1, 0, 0.1, 1e-7, 1.5e300, 2**63 - 1, -(2**63), 2**64 - 1, 2.0**70, -(2.0**70)]
    assert [type(v) for v in stored[-2:]] == [float, float]
    assert type(stored[0]) is int


# --------------------------------------------------------------------------- edges


def test_edge_documents_keep_from_and_to(db):
    stored = db.insert("edges", {"_from": "docs/a", "_to": "docs/b", "label": "x"})
    assert (stored["_from"], stored["_to"], stored["label"]) == ("docs/a", "docs/b", "x")


def test_edges_may_point_to_missing_documents(db):
    stored = db.insert("edges", {"_from": "nowhere/a", "_to": "docs/missing"})
    assert stored["_to"] == "docs/missing"


@pytest.mark.parametrize(
    "edge",
    [
        {},
        {"_from": "docs/a"},
        {"_to": "docs/a"},
        {"_from": "docs/a", "_to": None},
        {"_from": "docs/a", "_to": 5},
        {"_from": "docs/a", "_to": "docs"},
        {"_from": "docs/a", "_to": "docs/"},
        {"_from": "/a", "_to": "docs/a"},
        {"_from": "docs/a b", "_to": "docs/a"},
        {"_from": "docs/a", "_to": ["docs/b"]},
    ],
)
def test_edges_need_valid_from_and_to(db, edge):
    assert error_num(db.insert, "edges", edge) == 1233
    assert db.count("edges") == 0


def test_query_insert_of_edge_without_from_and_to(db):
    assert error_num(db.query, "FOR i IN 1..3 INSERT {} INTO edges") == 1233
    assert db.count("edges") == 0


def test_document_collection_accepts_from_and_to_as_plain_attributes(db):
    stored = db.insert("docs", {"_from": 1, "_to": "whatever"})
    assert (stored["_from"], stored["_to"]) == (1, "whatever")


# --------------------------------------------------------------------------- collections


def test_unknown_collection(db):
    assert error_num(db.insert, "nope", {}) == 1203
    assert error_num(db.get, "nope", "a") == 1203
    assert error_num(db.count, "nope") == 1203
    assert error_num(db.query, "FOR d IN nope RETURN d") == 1203
    assert error_num(db.query, "INSERT {} INTO nope") == 1203


def test_duplicate_collection(db):
    assert error_num(db.create_collection, "docs") == 1207
    assert error_num(db.create_collection, "docs", edge=True) == 1207
    assert error_num(db.create_collection, "edges") == 1207


@pytest.mark.parametrize("name", ["", "1abc", "-abc", "a b", "a/b", "ä", "a.b", "a$b", "x" * 257])
def test_illegal_collection_names(db, name):
    assert error_num(db.create_collection, name) == 1208
    assert not db.has_collection(name)


@pytest.mark.parametrize("name", ["a", "Abc", "a_b-c", "a1", "x" * 256])
def test_legal_collection_names(db, name):
    db.create_collection(name)
    assert db.has_collection(name)


def test_collection_names_are_case_sensitive(db):
    db.create_collection("Docs")
    db.insert("Docs", {"_key": "x"})
    assert db.count("docs") == 0 and db.count("Docs") == 1


def test_collections_list_types(db):
    assert {(c["name"], c["type"]) for c in db.collections()} == {
        ("docs", "document"),
        ("edges", "edge"),
    }


def test_drop_collection(db):
    db.insert("docs", {"_key": "a"})
    db.drop_collection("docs")
    assert not db.has_collection("docs")
    assert error_num(db.query, "FOR d IN docs RETURN d") == 1203
    db.create_collection("docs")
    assert db.count("docs") == 0


def test_truncate_keeps_the_collection(db):
    db.insert_many("docs", [{}, {}, {}])
    db.truncate("docs")
    assert db.count("docs") == 0
    assert db.has_collection("docs")


# --------------------------------------------------------------------------- durability


def test_data_survives_close_and_reopen(tmp_path):
    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as db:
        db.create_collection("docs")
        db.create_collection("edges", edge=True)
        db.insert_many("docs", [{"_key": "a", "v": 1}, {"_key": "b", "v": [1, {"x": None}]}])
        db.insert("edges", {"_from": "docs/a", "_to": "docs/b"})
        db.ensure_index("docs", ["v"], unique=True)
        db.create_graph("g", [{"collection": "edges", "from": ["docs"], "to": ["docs"]}])
        db.query("UPDATE 'a' WITH {v: 2} IN docs")
    with EmbeddedDatabase(path) as db:
        assert run(db, "FOR d IN docs RETURN [d._key, d.v]") == [["b", [1, {"x": None}]], ["a", 2]]
        assert run(db, "FOR v IN 1 OUTBOUND 'docs/a' GRAPH 'g' RETURN v._key") == ["b"]
        assert [i["unique"] for i in db.indexes("docs") if i["type"] == "persistent"] == [True]
        assert error_num(db.insert, "docs", {"v": 2}) == 1210


def test_generated_keys_continue_after_reopen(tmp_path):
    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as db:
        db.create_collection("docs")
        first = {db.insert("docs", {})["_key"] for _ in range(5)}
    with EmbeddedDatabase(path) as db:
        second = {db.insert("docs", {})["_key"] for _ in range(5)}
        assert db.count("docs") == 10
    assert not first & second


def test_generated_keys_of_one_handle_are_consecutive(tmp_path):
    with EmbeddedDatabase(str(tmp_path / "store.db")) as db:
        db.create_collection("docs")
        keys = [db.insert("docs", {})["_key"] for _ in range(100)]
        keys += [d["_key"] for d in db.insert_many("docs", [{}] * 100)]
    assert keys == [str(k) for k in range(1, 201)]


def test_keys_reserved_in_a_rolled_back_transaction_are_forgotten(tmp_path):
    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as db, EmbeddedDatabase(path) as other:
        db.create_collection("docs")
        committed = [db.insert("docs", {})["_key"] for _ in range(3)]
        with pytest.raises(RuntimeError), db.transaction():
            db.insert("docs", {})  # reserves keys past the committed ones, then rolls back
            raise RuntimeError("abandon the step")
        mine = db.insert("docs", {})["_key"]
        theirs = other.insert("docs", {})["_key"]
        assert committed == ["1", "2", "3"]
        assert mine == "4"  # the counter went back, and so did the keys handed out
        assert theirs not in {*committed, mine}
        assert db.count("docs") == 5


def test_an_explicit_numeric_key_stored_by_another_handle_is_never_generated(tmp_path):
    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as db, EmbeddedDatabase(path) as other:
        db.create_collection("docs")
        other.insert("docs", {"_key": "x"})  # (db's next transaction sees the catalog is current)
        for _ in range(4):
            db.insert("docs", {})  # keys 1-4, with more reserved for this handle
        other.insert("docs", {"_key": "6"})
        generated = [db.insert("docs", {})["_key"] for _ in range(20)]
        assert "6" not in generated
        assert len(set(generated)) == 20 and all(int(k) > 6 for k in generated)


def _insert_many_times(path: str, count: int, explicit_from: int) -> None:
    with EmbeddedDatabase(path) as db:
        for i in range(count):
            with db.transaction():
                db.insert("docs", {})
                if i % 7 == 0:  # explicit numeric keys, each above every key stored before
                    db.insert("docs", {"_key": str(explicit_from + 10**6 * i)})


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_two_processes_generating_keys_at_once_never_share_one(tmp_path):
    import multiprocessing

    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as db:
        db.create_collection("docs")
        db.insert("docs", {})  # this process holds a reservation while its children write
        fork = multiprocessing.get_context("fork")
        children = [
            fork.Process(target=_insert_many_times, args=(path, 150, start))
            for start in (10**9, 2 * 10**9)
        ]
        for child in children:
            child.start()
        for child in children:
            child.join(60)
        assert [child.exitcode for child in children] == [0, 0]
        db.insert("docs", {})
        keys = run(db, "FOR d IN docs RETURN d._key")
    assert len(keys) == 2 + 2 * (150 + 22)
    assert len(set(keys)) == len(keys)


def test_two_handles_on_one_file_see_each_others_commits(tmp_path):
    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as writer, EmbeddedDatabase(path) as reader:
        writer.create_collection("docs")
        writer.insert("docs", {"_key": "a"})
        assert run(reader, "FOR d IN docs RETURN d._key") == ["a"]


def _run_child(script: str, path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_committed_write_survives_a_killed_process(tmp_path):
    path = tmp_path / "store.db"
    child = _run_child(
        """
        import os, sys
        from arangoml_meta.embedded import EmbeddedDatabase
        db = EmbeddedDatabase(sys.argv[1])
        db.create_collection("docs")
        db.insert_many("docs", [{"_key": f"c{i}", "v": i} for i in range(10)])
        db.query("FOR i IN 10..19 INSERT {_key: CONCAT('c', i), v: i} INTO docs")
        with db.transaction():
            for i in range(50):
                db.insert("docs", {"_key": f"u{i}"})
                if i == 25:
                    print("killing", flush=True)
                    os._exit(9)
        """,
        path,
    )
    assert child.returncode == 9, child.stderr
    assert "killing" in child.stdout
    with EmbeddedDatabase(str(path)) as db:
        assert run(db, "FOR d IN docs RETURN d._key") == [f"c{i}" for i in range(20)]
        assert db.get("docs", "u0") is None
        db.insert("docs", {"_key": "after"})
        assert db.count("docs") == 21


def test_query_killed_mid_write_leaves_no_partial_result(tmp_path):
    path = tmp_path / "store.db"
    child = _run_child(
        """
        import os, sys
        from arangoml_meta.embedded import EmbeddedDatabase
        db = EmbeddedDatabase(sys.argv[1])
        db.create_collection("docs")
        db.insert("docs", {"_key": "committed"})
        inserts = []
        def die(sql):  # every statement SQLite runs: the 40th row written is the last
            if sql.startswith("INSERT"):
                inserts.append(sql)
            if len(inserts) == 40:
                os._exit(9)
        db.storage.conn.set_trace_callback(die)
        db.query("FOR i IN 1..1000 INSERT {v: i} INTO docs")
        print("not killed", flush=True)
        """,
        path,
    )
    assert child.returncode == 9, (child.stdout, child.stderr)
    with EmbeddedDatabase(str(path)) as db:
        assert run(db, "FOR d IN docs RETURN d._key") == ["committed"]


def _nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_deep_documents_are_stored_and_read_back(db):
    deep = _nested(300)  # deeper than orjson writes (255): the standard library does
    db.insert("docs", {"_key": "deep", "v": deep})
    assert db.get("docs", "deep")["v"] == deep
    assert run(db, "RETURN DOCUMENT('docs/deep').v") == [deep]


def test_too_deep_a_document_is_1227_not_a_recursion_error(db):
    assert error_num(db.insert, "docs", {"v": _nested(5000)}) == 1227
    assert db.count("docs") == 0


def _offset_in_child(conn) -> None:
    from arangoml_meta.embedded.documents import REVISIONS

    REVISIONS.next()
    conn.send(REVISIONS._offset)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_process_does_not_continue_its_parents_revision_clock() -> None:
    import multiprocessing

    from arangoml_meta.embedded.documents import REVISIONS

    REVISIONS.next()
    fork = multiprocessing.get_context("fork")
    parent_end, child_end = fork.Pipe()
    child = fork.Process(target=_offset_in_child, args=(child_end,))
    child.start()
    child_offset = parent_end.recv()
    child.join()
    # each process counts from its own random place (one chance in 2**19 to be equal)
    assert child_offset != REVISIONS._offset


# --------------------------------------------------------------------------- lean appends


def append(db: EmbeddedDatabase, collection: str, doc: dict) -> dict:
    """``Storage.append_row`` in a write transaction, as the audit log's writer calls it."""
    with db.storage.atomic(write=True):
        return db.storage.append_row(db.storage.collection(collection), doc)


def test_an_appended_row_reads_as_an_inserted_document(db):
    doc = {"_key": "000000000007", "seq": 7, "records": [{"op": "create", "n": None}]}
    stored = append(db, "docs", doc)
    assert stored["_id"] == "docs/000000000007" and stored["_rev"]
    assert db.get("docs", "000000000007") == stored
    rows = run(db, "FOR d IN docs FILTER d.seq == 7 RETURN [d._key, d.records[0].op]")
    assert rows == [["000000000007", "create"]]


def test_an_appended_duplicate_key_is_1210_and_keeps_the_first(db):
    first = append(db, "docs", {"_key": "k", "n": 1})
    assert error_num(append, db, "docs", {"_key": "k", "n": 2}) == 1210
    assert db.get("docs", "k") == first


def test_an_appended_key_is_checked(db):
    assert error_num(append, db, "docs", {"_key": "a/b"}) == 1221
    assert run(db, "FOR d IN docs RETURN d") == []


def test_appended_values_are_stored_as_every_document_is(db):
    stored = append(db, "docs", {"_key": "big", "n": 2**70, "whole": {"x": [1.0]}})
    assert stored["n"] == float(2**70) == db.get("docs", "big")["n"]
    assert db.get("docs", "big")["whole"] == {"x": [1]}
    assert error_num(append, db, "docs", {"_key": "nan", "n": [float("nan")]}) == 1227
    assert error_num(append, db, "docs", {"_key": "set", "n": {1, 2}}) == 1227
    assert [d["_key"] for d in run(db, "FOR d IN docs RETURN d")] == ["big"]


def test_a_collection_with_a_schema_or_edges_takes_the_generic_insert(db):
    db.set_schema("docs", {"rule": {"required": ["seq"]}, "level": "strict"})
    assert error_num(append, db, "docs", {"_key": "k"}) == 1620
    assert error_num(append, db, "edges", {"_key": "e", "_from": "docs/a"}) == 1233


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(min_size=1, max_size=4).filter(lambda k: k[0] != "_"), _VALUES))
def test_an_appended_document_is_stored_as_an_insert_stores_it(body):
    with make_db({"docs": []}) as appended, make_db({"docs": []}) as inserted:
        outcomes = []
        for db, write in ((appended, append), (inserted, EmbeddedDatabase.insert)):
            try:
                outcomes.append(strip_system(write(db, "docs", {"_key": "k", **body})))
            except Exception as exc:  # the two must fail alike
                outcomes.append(getattr(exc, "error_num", type(exc)))
        assert outcomes[0] == outcomes[1]
        rows = [
            [strip_system(d) for d in run(db, "FOR d IN docs RETURN d")]
            for db in (appended, inserted)
        ]
        assert rows[0] == rows[1]


def test_an_appended_numeric_key_moves_the_key_generator_on(db):
    append(db, "docs", {"_key": "000000000041"})
    assert int(db.insert("docs", {})["_key"]) > 41


def test_keys_appended_in_order_move_the_key_counter_once_a_block(tmp_path):
    """The audit log's writer: one explicit key a commit. The counter is moved a block
    ahead, not once a commit, and every generated key, this handle's or another's, is
    still above every explicit one."""
    path = str(tmp_path / "store.db")
    with EmbeddedDatabase(path) as db, EmbeddedDatabase(path) as other:
        db.create_collection("docs")
        statements: list[str] = []
        db.storage.conn.set_trace_callback(statements.append)
        for n in range(1, 301):
            append(db, "docs", {"_key": f"{n:012d}"})
        db.storage.conn.set_trace_callback(None)
        updates = [s for s in statements if s.startswith("UPDATE _collections")]
        assert 0 < len(updates) <= 12
        assert int(other.insert("docs", {})["_key"]) > 300
        assert int(db.insert("docs", {})["_key"]) > 300
        other.insert("docs", {"_key": "900"})  # another handle's key: this one's floor is gone
        assert int(db.insert("docs", {})["_key"]) > 900


def test_a_rolled_back_counter_move_is_not_trusted(db):
    with pytest.raises(RuntimeError), db.storage.atomic(write=True):
        db.storage.append_row(db.storage.collection("docs"), {"_key": "50"})
        raise RuntimeError("the transaction goes")
    append(db, "docs", {"_key": "40"})  # the counter is 40 now, not the rolled-back 50's block
    generated = int(db.insert("docs", {})["_key"])
    assert generated > 40
    assert db.get("docs", str(generated)) is not None
