"""Transactions: a query is all-or-nothing, db.transaction() commits or rolls back.

ArangoDB runs each modification query as one transaction on a single server
("executed transactionally in an all-or-nothing fashion"); the embedded
engine also offers explicit (nested) transactions via ``db.transaction()``.
"""

from __future__ import annotations

import pytest

from arangoml_meta.errors import ArangoMLMetaError, TransactionError

from .helpers import error_num, make_db, run


@pytest.fixture
def db():
    with make_db({"c": [{"_key": f"k{i}", "v": i} for i in range(5)], "other": []}) as database:
        yield database


def snapshot(db, collection="c"):
    return run(db, f"FOR d IN {collection} RETURN d")


class Boom(Exception):
    pass


# --------------------------------------------------------------------------- failing queries change nothing


def test_insert_batch_failing_on_30th_document_inserts_nothing(db):
    before = snapshot(db)
    query = "FOR i IN 1..50 INSERT {_key: i == 30 ? 'k1' : CONCAT('n', i), v: i} INTO c"
    assert error_num(db.query, query) == 1210
    assert db.count("c") == 5
    assert snapshot(db) == before


def test_insert_batch_failing_on_unique_index_inserts_nothing(db):
    db.ensure_index("c", ["v"], unique=True)
    query = "FOR i IN 100..149 INSERT {v: i == 129 ? 3 : i} INTO c"
    assert error_num(db.query, query) == 1210
    assert db.count("c") == 5


def test_failed_update_batch_updates_nothing(db):
    before = snapshot(db)
    query = "FOR k IN ['k0', 'k1', 'missing', 'k2'] UPDATE k WITH {v: -1} IN c"
    assert error_num(db.query, query) == 1202
    assert snapshot(db) == before


def test_failed_remove_batch_removes_nothing(db):
    assert error_num(db.query, "FOR k IN ['k0', 'k1', 'missing'] REMOVE k IN c") == 1202
    assert db.count("c") == 5


def test_failed_replace_batch_replaces_nothing(db):
    before = snapshot(db)
    query = "FOR d IN c REPLACE d WITH {v: d.v == 3 ? FAIL('stop') : 0} IN c"
    assert error_num(db.query, query) == 1569
    assert snapshot(db) == before


def test_failed_upsert_batch_changes_nothing(db):
    before = snapshot(db)
    query = "FOR i IN 1..5 UPSERT {v: i} INSERT {_key: 'k0'} UPDATE {seen: true} IN c"
    # v: 1..4 exist and get updated; v: 5 inserts key k0 again -> unique violation
    assert error_num(db.query, query) == 1210
    assert snapshot(db) == before


def test_runtime_error_after_writes_rolls_them_back(db):
    query = "FOR i IN 1..10 INSERT {v: i} INTO other LET x = (i == 7 ? FAIL('boom') : 1) RETURN x"
    assert error_num(db.query, query) == 1569
    assert db.count("other") == 0


def test_failure_rolls_back_writes_to_every_collection(db):
    query = (
        "FOR i IN 1..5 INSERT {v: i} INTO other "
        "LET r = (INSERT {_key: i == 4 ? 'k0' : CONCAT('x', i)} INTO c RETURN NEW) RETURN 1"
    )
    assert error_num(db.query, query) == 1210
    assert db.count("other") == 0
    assert db.count("c") == 5


def test_key_generator_state_does_not_break_after_a_failed_query(db):
    with pytest.raises(ArangoMLMetaError):
        db.query("FOR i IN 1..3 INSERT {v: i == 3 ? FAIL('x') : i} INTO other")
    run(db, "FOR i IN 1..3 INSERT {v: i} INTO other")
    assert db.count("other") == 3


def test_successful_query_commits(db):
    run(db, "FOR i IN 1..3 INSERT {v: i} INTO other")
    assert db.count("other") == 3


# --------------------------------------------------------------------------- db.transaction()


def test_transaction_commits_on_success(db):
    with db.transaction():
        db.insert("other", {"_key": "a"})
        db.query("INSERT {_key: 'b'} INTO other")
    assert sorted(d["_key"] for d in snapshot(db, "other")) == ["a", "b"]


def test_transaction_rolls_back_on_exception(db):
    with pytest.raises(Boom), db.transaction():
        db.insert("other", {"_key": "a"})
        db.query("UPDATE 'k0' WITH {v: 100} IN c")
        db.query("REMOVE 'k1' IN c")
        raise Boom
    assert db.count("other") == 0
    assert db.get("c", "k0")["v"] == 0
    assert db.get("c", "k1") is not None


def test_transaction_sees_its_own_writes(db):
    with db.transaction():
        db.insert("other", {"_key": "a", "v": 1})
        assert run(db, "FOR d IN other RETURN d.v") == [1]
        db.query("UPDATE 'a' WITH {v: 2} IN other")
        assert db.get("other", "a")["v"] == 2


def test_error_inside_transaction_rolls_back_everything(db):
    with pytest.raises(ArangoMLMetaError), db.transaction():
        db.insert("other", {"_key": "a"})
        db.insert("other", {"_key": "a"})
    assert db.count("other") == 0


def test_failed_query_inside_transaction_undoes_only_itself(db):
    with db.transaction():
        db.insert("other", {"_key": "kept"})
        with pytest.raises(ArangoMLMetaError):
            db.query("FOR i IN 1..5 INSERT {_key: i == 4 ? 'kept' : CONCAT('q', i)} INTO other")
        db.insert("other", {"_key": "also"})
    assert sorted(d["_key"] for d in snapshot(db, "other")) == ["also", "kept"]


def test_nested_transaction_rollback_keeps_outer_work(db):
    with db.transaction():
        db.insert("other", {"_key": "outer1"})
        with pytest.raises(Boom), db.transaction():
            db.insert("other", {"_key": "inner"})
            db.query("UPDATE 'k0' WITH {v: 'inner'} IN c")
            raise Boom
        db.insert("other", {"_key": "outer2"})
    assert [d["_key"] for d in snapshot(db, "other")] == ["outer1", "outer2"]
    assert db.get("c", "k0")["v"] == 0


def test_nested_transaction_commit_is_undone_by_outer_rollback(db):
    with pytest.raises(Boom), db.transaction():
        with db.transaction():
            db.insert("other", {"_key": "inner"})
        assert db.count("other") == 1
        raise Boom
    assert db.count("other") == 0


def test_deeply_nested_savepoints(db):
    with db.transaction():
        db.insert("other", {"_key": "l1"})
        with db.transaction():
            db.insert("other", {"_key": "l2"})
            with pytest.raises(Boom), db.transaction():
                db.insert("other", {"_key": "l3"})
                raise Boom
            db.insert("other", {"_key": "l2b"})
    assert [d["_key"] for d in snapshot(db, "other")] == ["l1", "l2", "l2b"]


def test_transaction_can_be_reused_after_rollback(db):
    with pytest.raises(Boom), db.transaction():
        db.insert("other", {"_key": "a"})
        raise Boom
    with db.transaction():
        db.insert("other", {"_key": "a"})
    assert db.count("other") == 1


def test_read_only_transaction_refuses_writes(db):
    with db.transaction(write=False):
        with pytest.raises(ArangoMLMetaError):
            db.insert("other", {})
        assert run(db, "FOR d IN c RETURN d._key") == [f"k{i}" for i in range(5)]
    assert db.count("other") == 0


def test_a_read_block_inside_a_write_transaction_refuses_writes_too(db):
    with db.transaction():
        db.insert("other", {"_key": "outer"})
        with db.transaction(write=False):
            with pytest.raises(TransactionError):
                db.insert("other", {"_key": "inner"})
            with pytest.raises(TransactionError):
                run(db, "INSERT {_key: 'query'} INTO other")
        db.insert("other", {"_key": "after"})  # the write transaction writes again
    assert sorted(d["_key"] for d in run(db, "FOR d IN other RETURN d")) == ["after", "outer"]


# --------------------------------------------------------------------------- consistent reads


def test_query_reading_and_writing_one_collection_sees_a_snapshot(db):
    run(db, "FOR d IN c INSERT {v: d.v} INTO c")
    assert db.count("c") == 10


def test_update_of_every_document_visits_each_once(db):
    run(db, "FOR d IN c UPDATE d WITH {v: d.v + 10} IN c")
    assert sorted(d["v"] for d in snapshot(db)) == [10, 11, 12, 13, 14]


def test_reader_on_another_handle_does_not_see_uncommitted_writes(tmp_path):
    path = str(tmp_path / "store.db")
    with make_db({"c": [{"_key": "a"}]}, path=path) as writer, make_db(path=path) as reader:
        with writer.transaction():
            writer.insert("c", {"_key": "b"})
            assert run(reader, "FOR d IN c RETURN d._key") == ["a"]
        assert run(reader, "FOR d IN c RETURN d._key") == ["a", "b"]


def test_read_transaction_sees_one_snapshot(tmp_path):
    path = str(tmp_path / "store.db")
    with make_db({"c": [{"_key": "a"}]}, path=path) as writer, make_db(path=path) as reader:
        with reader.transaction(write=False):
            first = run(reader, "FOR d IN c RETURN d._key")
            writer.insert("c", {"_key": "b"})
            second = run(reader, "FOR d IN c RETURN d._key")
            count = run(reader, "RETURN LENGTH(c)")
        assert first == second == ["a"]
        assert count == [1]
        assert run(reader, "FOR d IN c RETURN d._key") == ["a", "b"]


def test_aggregate_and_scan_in_one_query_agree(tmp_path):
    path = str(tmp_path / "store.db")
    with make_db({"c": [{"v": 1}, {"v": 2}]}, path=path) as db:
        rows = run(db, "LET total = SUM(FOR d IN c RETURN d.v) FOR d IN c RETURN [total, d.v]")
    assert rows == [[3, 1], [3, 2]]


# --------------------------------------------------------------------------- all or nothing


def test_an_all_or_nothing_transaction_takes_no_savepoints(db):
    statements = []
    db.storage.tracer = lambda sql, params: statements.append(sql)
    with db.storage.atomic(write=True, savepoints=False):
        db.insert_many("other", [{"_key": "a"}])
        db.insert_many("other", [{"_key": "b"}])
    db.storage.tracer = None
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE"))]
    assert db.count("other") == 2


def test_a_failed_write_caught_inside_dooms_the_all_or_nothing_transaction(db):
    doomed = pytest.raises(TransactionError, match="nothing was written")
    with doomed, db.storage.atomic(write=True, savepoints=False):
        db.insert("other", {"_key": "a"})
        with pytest.raises(ArangoMLMetaError):
            db.insert_many("other", [{"_key": "b"}, {"_key": "k1"}, {"_key": "b"}])
    assert db.count("other") == 0
    with db.storage.atomic(write=True, savepoints=False):  # the next one is not doomed
        db.insert("other", {"_key": "c"})
    assert db.count("other") == 1
