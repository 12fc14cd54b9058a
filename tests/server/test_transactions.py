"""Stream transactions: begin, join, commit, abort, isolation, declared collections,
size limit, idle timeout, concurrent writers, in-process and through python-arango, and
against the transaction exchanges recorded on ArangoDB 3.12."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from arango.exceptions import AQLQueryExecuteError, TransactionCommitError

from arangoml_meta.errors import ArangoMLMetaError
from tests.server.aql_server import Served, error_of, in_process, on_port, recorded, records

TRANSACTION_RECORDS = records("transaction")
TRX = "x-arango-trx-id"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with in_process(tmp_path) as c:
        yield c


@pytest.fixture
def db(client: Any) -> Any:
    store = client.server.databases.get("_system").connection()
    store.create_collection("c")
    store.create_collection("other")
    return store


def begin(client: Any, **body: Any) -> str:
    response = client.post("/_api/transaction/begin", json=body)
    assert response.status_code == 201, response.json()
    result = response.json()["result"]
    assert result["status"] == "running"
    return str(result["id"])


def aql(client: Any, query: str, trx: str | None = None, **body: Any) -> Any:
    headers = {TRX: trx} if trx else {}
    return client.post("/_api/cursor", json={"query": query, **body}, headers=headers)


def rows(response: Any) -> list[Any]:
    assert response.status_code == 201, response.json()
    return list(response.json()["result"])


# ---------------------------------------------------------------------- the recorded exchanges


@pytest.mark.skipif(not TRANSACTION_RECORDS, reason="the HTTP corpus (../shared) is not there")
@pytest.mark.parametrize("rec", TRANSACTION_RECORDS, ids=[r["id"] for r in TRANSACTION_RECORDS])
def test_recorded_transaction_exchange(tmp_path: Path, rec: dict[str, Any]) -> None:
    status, body, wanted = recorded(tmp_path, rec)
    assert status == rec["response"]["status"]
    if wanted.get("error"):
        assert (body["errorNum"], body["errorMessage"]) == (
            wanted["errorNum"],
            wanted["errorMessage"],
        )
    elif "transactions" in wanted:
        assert [t["state"] for t in body["transactions"]] == ["running"]
    elif not isinstance(wanted.get("result"), dict):  # a JavaScript transaction's result
        assert body == wanted
    else:
        assert body["result"]["status"] == wanted["result"]["status"]
        assert body["result"]["id"].isdigit()
        assert (body["code"], body["error"]) == (wanted["code"], wanted["error"])


# ---------------------------------------------------------------------- life of a transaction


def test_commit_keeps_the_writes_and_is_answered_again(client: Any, db: Any) -> None:
    trx = begin(client, collections={"write": "c"})
    rows(aql(client, "INSERT {_key: 'a'} INTO c", trx))
    committed = client.put(f"/_api/transaction/{trx}")
    assert committed.json() == {
        "code": 200,
        "error": False,
        "result": {"id": trx, "status": "committed"},
    }
    assert client.put(f"/_api/transaction/{trx}").json()["result"]["status"] == "committed"
    assert client.get(f"/_api/transaction/{trx}").json()["result"]["status"] == "committed"
    assert error_of(client.delete(f"/_api/transaction/{trx}")) == (
        400,
        1653,
        "transaction was already committed",
    )
    assert rows(aql(client, "FOR d IN c RETURN d._key")) == ["a"]


def test_abort_drops_the_writes(client: Any, db: Any) -> None:
    trx = begin(client, collections={"write": ["c"]})
    rows(aql(client, "INSERT {_key: 'a'} INTO c", trx))
    assert client.delete(f"/_api/transaction/{trx}").json()["result"]["status"] == "aborted"
    assert client.delete(f"/_api/transaction/{trx}").status_code == 200
    assert error_of(client.put(f"/_api/transaction/{trx}"))[:2] == (400, 1653)
    assert db.count("c") == 0


def test_writes_are_seen_inside_and_not_outside_until_commit(client: Any, db: Any) -> None:
    trx = begin(client, collections={"write": "c"})
    rows(aql(client, "INSERT {_key: 'a'} INTO c", trx))
    assert rows(aql(client, "RETURN LENGTH(c)", trx)) == [1]
    assert rows(aql(client, "RETURN LENGTH(c)")) == [0]
    client.put(f"/_api/transaction/{trx}")
    assert rows(aql(client, "RETURN LENGTH(c)")) == [1]


def test_a_read_only_transaction_reads_one_snapshot(client: Any, db: Any) -> None:
    trx = begin(client, collections={"read": "c"})
    rows(aql(client, "INSERT {} INTO c"))  # committed by another request meanwhile
    assert rows(aql(client, "RETURN LENGTH(c)", trx)) == [0]
    assert rows(aql(client, "RETURN LENGTH(c)")) == [1]
    client.put(f"/_api/transaction/{trx}")


def test_a_cursor_opened_in_a_transaction_outlives_it(client: Any, db: Any) -> None:
    trx = begin(client, collections={"write": "c"})
    first = aql(client, "FOR i IN 1..5 INSERT {i} INTO c RETURN NEW.i", trx, batchSize=2)
    client.put(f"/_api/transaction/{trx}")
    body = first.json()
    got = list(body["result"])
    while body["hasMore"]:  # the next batches come without the header, as python-arango asks
        body = client.post(f"/_api/cursor/{body['id']}").json()
        got += body["result"]
    assert got == [1, 2, 3, 4, 5]


def test_the_list_shows_the_running_transactions_of_the_database(client: Any, db: Any) -> None:
    client.server.databases.create("elsewhere")
    first = begin(client, collections={"read": "c"})
    second = begin(client, collections={})
    begin_elsewhere = client.post("/_db/elsewhere/_api/transaction/begin", json={"collections": {}})
    assert begin_elsewhere.status_code == 201
    client.put(f"/_api/transaction/{second}")
    listed = client.get("/_api/transaction").json()
    assert listed == {"transactions": [{"id": first, "state": "running"}]}
    other = begin_elsewhere.json()["result"]["id"]
    assert error_of(client.get(f"/_api/transaction/{other}"))[:2] == (404, 1655)


def test_abort_of_all_writers(client: Any, db: Any) -> None:
    writer = begin(client, collections={"write": "c"})
    reader = begin(client, collections={"read": "c"})
    assert client.delete("/_api/transaction/write").json() == {
        "error": False,
        "code": 200,
        "result": {},
    }
    assert client.get(f"/_api/transaction/{writer}").json()["result"]["status"] == "aborted"
    assert client.get(f"/_api/transaction/{reader}").json()["result"]["status"] == "running"


# ---------------------------------------------------------------------- declared collections


def test_a_write_to_a_collection_not_declared_for_writing_is_refused(client: Any, db: Any) -> None:
    trx = begin(client, collections={"write": "c", "read": "other"})
    refused = aql(client, "INSERT {} INTO other", trx)
    assert error_of(refused) == (
        400,
        1652,
        "AQL: unregistered collection used in transaction: other [write] (while executing)",
    )
    rows(aql(client, "INSERT {} INTO c", trx))  # the transaction goes on
    client.put(f"/_api/transaction/{trx}")
    assert (db.count("c"), db.count("other")) == (1, 0)


def test_the_connection_itself_refuses_undeclared_writes(client: Any, db: Any) -> None:
    """Whatever writes (the documents API, the import API), the transaction's connection
    refuses tables it did not declare for writing."""
    trx_id = begin(client, collections={"write": "c"})
    trx = client.server.transactions.get(trx_id)
    with pytest.raises(ArangoMLMetaError) as raised:
        trx.submit(lambda store: store.insert("other", {"x": 1})).result(timeout=10)
    assert raised.value.error_num == 1652
    assert raised.value.message == "unregistered collection used in transaction: other [write]"
    assert trx.submit(lambda store: store.insert("c", {"x": 1})).result(timeout=10)
    client.put(f"/_api/transaction/{trx_id}")
    assert (db.count("c"), db.count("other")) == (1, 0)


def test_a_read_only_transaction_cannot_write(client: Any, db: Any) -> None:
    trx = begin(client, collections={"read": "c"})
    assert error_of(aql(client, "INSERT {} INTO c", trx))[:2] == (400, 1652)
    trx_object = client.server.transactions.get(trx)
    with pytest.raises(ArangoMLMetaError) as raised:
        trx_object.submit(lambda store: store.insert("c", {})).result(timeout=10)
    assert raised.value.error_num == 1652


@pytest.mark.parametrize("allow_implicit", [True, False])
def test_allow_implicit_governs_reads_of_undeclared_collections(
    client: Any, db: Any, allow_implicit: bool
) -> None:
    db.insert("other", {"x": 1})
    trx = begin(client, collections={"read": "c"}, allowImplicit=allow_implicit)
    response = aql(client, "FOR d IN other RETURN d.x", trx)
    if allow_implicit:
        assert rows(response) == [1]
    else:
        status, num, message = error_of(response)
        assert (status, num) == (400, 1652) and "other [read]" in message


# ---------------------------------------------------------------------- limits


def test_the_size_limit_refuses_the_operation_that_passes_it(client: Any, db: Any) -> None:
    trx = begin(client, collections={"write": "c"}, maxTransactionSize=3000)
    rows(aql(client, "FOR i IN 1..5 INSERT {i} INTO c", trx))
    too_big = aql(client, "INSERT {text: @big} INTO c", trx, bindVars={"big": "x" * 5000})
    status, num, message = error_of(too_big)
    assert (status, num) == (500, 32)
    assert "maximal transaction size limit of 3000 bytes" in message
    assert client.get(f"/_api/transaction/{trx}").json()["result"]["status"] == "running"
    client.put(f"/_api/transaction/{trx}")
    assert db.count("c") == 5


def test_an_idle_transaction_is_aborted_and_blocks_no_one(tmp_path: Path) -> None:
    with in_process(tmp_path, transaction_idle_timeout=0.3, lock_timeout=5.0) as client:
        client.server.databases.get("_system").connection().create_collection("c")
        trx = begin(client, collections={"write": "c"})
        rows(aql(client, "INSERT {_key: 'lost'} INTO c", trx))
        started = time.monotonic()
        rows(aql(client, "INSERT {_key: 'kept'} INTO c"))  # waits for the idle abort only
        assert time.monotonic() - started < 4.0
        assert rows(aql(client, "FOR d IN c RETURN d._key")) == ["kept"]
        joined = aql(client, "RETURN 1", trx)
        assert error_of(joined) == (410, 1654, f"transaction {trx} has already been aborted")
        assert client.get(f"/_api/transaction/{trx}").json()["result"]["status"] == "aborted"
        assert error_of(client.put(f"/_api/transaction/{trx}")) == (
            400,
            1653,
            "transaction was already expired",
        )
        assert client.delete(f"/_api/transaction/{trx}").json()["result"]["status"] == "aborted"


def test_a_transaction_that_waited_to_begin_is_not_idle_at_once(tmp_path: Path) -> None:
    with in_process(tmp_path, transaction_idle_timeout=0.5, lock_timeout=5.0) as client:
        client.server.databases.get("_system").connection().create_collection("c")
        begin(client, collections={"write": "c"})  # left idle: aborted after 0.5 s
        waited = begin(client, collections={"write": "c"})  # waits for that abort
        rows(aql(client, "INSERT {_key: 'mine'} INTO c", waited))
        assert client.put(f"/_api/transaction/{waited}").json()["result"]["status"] == "committed"
        assert rows(aql(client, "FOR d IN c RETURN d._key")) == ["mine"]


def test_a_writer_that_waits_past_the_lock_timeout_gets_a_conflict(tmp_path: Path) -> None:
    with in_process(tmp_path, lock_timeout=0.3) as client:
        client.server.databases.get("_system").connection().create_collection("c")
        holder = begin(client, collections={"write": "c"})
        assert error_of(aql(client, "INSERT {} INTO c"))[:2] == (409, 1200)
        waiting = client.post("/_api/transaction/begin", json={"collections": {"write": "c"}})
        assert error_of(waiting)[:2] == (409, 1200)
        assert rows(aql(client, "RETURN LENGTH(c)")) == [0]  # readers do not wait
        client.put(f"/_api/transaction/{holder}")
        rows(aql(client, "INSERT {} INTO c"))


def test_running_transactions_are_bounded(client: Any, db: Any, monkeypatch: Any) -> None:
    from arangoml_meta.server import transactions

    monkeypatch.setattr(transactions, "MAX_RUNNING", 2)
    begin(client, collections={})
    begin(client, collections={})
    refused = client.post("/_api/transaction/begin", json={"collections": {}})
    assert error_of(refused)[:2] == (500, 32)


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "status", "num", "message"),
    [
        ({}, 400, 10, "missing 'collections'"),
        ({"collections": ["c"]}, 400, 10, "missing 'collections'"),
        ({"collections": {"write": 5}}, 400, 10, "invalid 'collections' attribute"),
        ({"collections": {"read": ["c", ""]}}, 400, 10, "invalid 'collections' attribute"),
        ({"collections": {}, "lockTimeout": -1}, 400, 10, "<lockTimeout> needs to be positive"),
        ({"collections": {"write": "nope"}}, 404, 1203, "collection or view not found: nope"),
    ],
)
def test_a_bad_begin_is_refused(
    client: Any, db: Any, body: dict[str, Any], status: int, num: int, message: str
) -> None:
    assert error_of(client.post("/_api/transaction/begin", json=body)) == (status, num, message)
    assert client.get("/_api/transaction").json() == {"transactions": []}


def test_unknown_and_malformed_ids(client: Any, db: Any) -> None:
    assert error_of(client.get("/_api/transaction/123")) == (404, 1655, "transaction not found")
    assert error_of(client.put("/_api/transaction/123")) == (
        404,
        1655,
        "transaction 123 not found on commit operation",
    )
    assert error_of(client.delete("/_api/transaction/123")) == (
        404,
        1655,
        "transaction 123 not found on abort operation",
    )
    assert error_of(client.get("/_api/transaction/abc")) == (400, 10, "Illegal transaction ID")
    assert error_of(client.put("/_api/transaction/0")) == (400, 10, "bad transaction ID")
    joined = aql(client, "RETURN 1", "123")
    assert error_of(joined) == (404, 1655, "transaction '123' not found")


def test_a_committed_transaction_cannot_be_joined(client: Any, db: Any) -> None:
    trx = begin(client, collections={})
    client.put(f"/_api/transaction/{trx}")
    assert error_of(aql(client, "RETURN 1", trx)) == (404, 1655, f"transaction '{trx}' not found")


def test_a_begin_inside_a_transaction_is_refused(client: Any, db: Any) -> None:
    trx = begin(client, collections={})
    nested = client.post("/_api/transaction/begin", json={"collections": {}}, headers={TRX: trx})
    assert error_of(nested)[:2] == (400, 10)


# ---------------------------------------------------------------------- python-arango


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with on_port(tmp_path, lock_timeout=10.0) as served:
        store = served.store()
        store.create_collection("c")
        store.create_collection("other")
        yield served


def test_python_arango_commits_and_aborts(served: Served) -> None:
    database = served.database()
    trx = database.begin_transaction(write=["c"])
    trx.aql.execute("INSERT {_key: 'a'} INTO c")
    assert [t["id"] for t in database.list_transactions()] == [trx.transaction_id]
    assert list(database.aql.execute("RETURN LENGTH(c)")) == [0]
    assert trx.commit_transaction() is True
    assert trx.transaction_status() == "committed"
    other = database.begin_transaction(write=["c"])
    other.aql.execute("INSERT {_key: 'b'} INTO c")
    assert other.abort_transaction() is True
    assert list(database.aql.execute("FOR d IN c RETURN d._key")) == ["a"]
    assert database.list_transactions() == []
    with pytest.raises(TransactionCommitError) as raised:
        other.commit_transaction()
    assert raised.value.error_code == 1653


def test_python_arango_sees_undeclared_writes_refused(served: Served) -> None:
    database = served.database()
    trx = database.begin_transaction(read=["other"], write=["c"])
    with pytest.raises(AQLQueryExecuteError) as raised:
        trx.aql.execute("INSERT {} INTO other")
    assert raised.value.error_code == 1652
    trx.abort_transaction()


def test_python_arango_inserts_through_a_transaction_database(served: Served) -> None:
    database = served.database()
    trx = database.begin_transaction(write=["c"])
    trx.collection("c").insert({"_key": "in-trx"})
    assert database.collection("c").count() == 0
    trx.commit_transaction()
    assert database.collection("c").get("in-trx") is not None


def test_concurrent_writers_are_serialised(served: Served) -> None:
    """Writers from threads, each in a stream transaction: each waits for the one before,
    none is lost, none interleaves with another."""
    database = served.database()
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            mine = served.database()
            trx = mine.begin_transaction(write=["c"])
            before = next(iter(trx.aql.execute("RETURN LENGTH(c)")))
            trx.aql.execute(
                "FOR i IN 1..3 INSERT {writer: @n, i, before: @before} INTO c",
                bind_vars={"n": n, "before": before},
            )
            trx.commit_transaction()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    befores = sorted(
        database.aql.execute("FOR d IN c COLLECT w = d.writer INTO g RETURN UNIQUE(g[*].d.before)")
    )
    # each writer saw all the rows of those that committed before it, and only those
    assert befores == [[0], [3], [6], [9], [12], [15]]
