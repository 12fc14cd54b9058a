"""``/_api/cursor``: queries, their batches, cursors' lives and errors, in-process and
through python-arango, and against the cursor exchanges recorded on ArangoDB 3.12."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from arango.exceptions import AQLQueryExecuteError, CursorNextError

from arangoml_meta.server import query_run
from arangoml_meta.server.cursor_registry import Cursors, QueryCursor
from arangoml_meta.server.query_run import Spool
from arangoml_meta.server.query_tracking import QueryTracker
from arangoml_meta.server.responses import HTTPError
from tests.server.aql_server import (
    error_of,
    in_process,
    on_port,
    recorded,
    records,
    without_generated,
)

CURSOR_RECORDS = records("cursor")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with in_process(tmp_path) as c:
        yield c


@pytest.fixture
def db(client: Any) -> Any:
    """The store of the client's server (the test thread's own connection)."""
    store = client.server.databases.get("_system").connection()
    store.create_collection("c")
    return store


def cursor(client: Any, query: str, **body: Any) -> Any:
    return client.post("/_api/cursor", json={"query": query, **body})


def read_all(client: Any, first: Any, method: str = "POST") -> list[Any]:
    """Every row of a cursor, batch after batch."""
    body = first.json()
    rows = list(body["result"])
    while body["hasMore"]:
        response = client.request(method, f"/_api/cursor/{body['id']}")
        assert response.status_code == 200
        body = response.json()
        rows += body["result"]
    return rows


# ---------------------------------------------------------------------- the recorded exchanges

# records whose body cannot match, with the reason (their status and error number still must)
BODY_DIFFERS = {
    "RestCursorMemoryLimit#1": "the message names ArangoDB's plan nodes, which this engine lacks",
}


@pytest.mark.skipif(not CURSOR_RECORDS, reason="the HTTP corpus (../shared) is not there")
@pytest.mark.parametrize("rec", CURSOR_RECORDS, ids=[r["id"] for r in CURSOR_RECORDS])
def test_recorded_cursor_exchange(tmp_path: Path, rec: dict[str, Any]) -> None:
    status, body, wanted = recorded(tmp_path, rec)
    assert status == rec["response"]["status"]
    if wanted.get("error"):
        assert body["errorNum"] == wanted["errorNum"]
        if rec["id"] not in BODY_DIFFERS:
            assert body["errorMessage"] == wanted["errorMessage"]
        return
    assert without_generated(body["result"]) == without_generated(wanted["result"])
    for name in ("hasMore", "count", "cached", "nextBatchId", "code", "error"):
        assert body.get(name) == wanted.get(name), name
    assert ("id" in body) == ("id" in wanted)
    stats, wanted_stats = body["extra"]["stats"], wanted["extra"]["stats"]
    assert set(wanted_stats) - {"nodes"} <= set(stats)  # ArangoDB's names, all there
    for measured in ("writesExecuted", "writesIgnored", "fullCount", "httpRequests"):
        assert stats.get(measured) == wanted_stats.get(measured), measured
    assert body["extra"]["warnings"] == wanted["extra"]["warnings"]
    assert set(wanted["extra"]) <= set(body["extra"])


# ---------------------------------------------------------------------- batches and cursors


def test_a_result_that_fits_one_batch_comes_whole_without_a_cursor(client: Any, db: Any) -> None:
    response = cursor(client, "FOR i IN 1..3 RETURN i", count=True)
    assert response.status_code == 201
    body = response.json()
    assert body["result"] == [1, 2, 3]
    assert body["hasMore"] is False and body["count"] == 3 and body["cached"] is False
    assert "id" not in body and "nextBatchId" not in body
    assert body["extra"]["warnings"] == []
    assert body["extra"]["stats"]["writesExecuted"] == 0


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_batches_come_in_order_and_the_cursor_goes_after_the_last(
    client: Any, db: Any, method: str
) -> None:
    first = cursor(client, "FOR i IN 1..11 RETURN {i}", batchSize=3, count=True)
    body = first.json()
    assert body["hasMore"] is True and body["count"] == 11 and body["nextBatchId"] == "2"
    assert read_all(client, first, method) == [{"i": i} for i in range(1, 12)]
    gone = client.request(method, f"/_api/cursor/{body['id']}")
    assert error_of(gone) == (404, 1600, "cursor not found")


def test_every_batch_carries_the_count_and_the_statistics(client: Any, db: Any) -> None:
    first = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=2, count=True).json()
    second = client.post(f"/_api/cursor/{first['id']}").json()
    assert second["count"] == 5 and second["id"] == first["id"]
    assert second["extra"] == first["extra"] and second["nextBatchId"] == "3"


def test_a_large_result_is_spooled_and_read_back_whole(
    client: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_run, "SPOOL_IN_MEMORY", 10_000)  # to a file after 10 kB
    query = "FOR i IN 1..2500 RETURN {i, text: CONCAT('row ', i, ' ', @pad)}"
    first = cursor(client, query, bindVars={"pad": "x" * 100}, batchSize=1000, count=True)
    rows = read_all(client, first)
    assert [r["i"] for r in rows] == list(range(1, 2501))
    assert rows[-1]["text"] == "row 2500 " + "x" * 100


def test_a_spool_hands_out_batches_as_json_arrays() -> None:
    spool = Spool(batch_size=2)
    for value in [1, "two", {"three": 3}, [4], None]:
        spool.add(value)
    spool.done()
    assert (spool.count, spool.batches) == (5, 3)
    assert [spool.batch(n) for n in (1, 2, 3)] == [b'[1,"two"]', b'[{"three":3},[4]]', b"[null]"]
    spool.close()


def test_delete_drops_a_cursor(client: Any, db: Any) -> None:
    body = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=2).json()
    deleted = client.delete(f"/_api/cursor/{body['id']}")
    assert deleted.status_code == 202
    assert deleted.json() == {"id": body["id"], "error": False, "code": 202}
    assert error_of(client.post(f"/_api/cursor/{body['id']}"))[:2] == (404, 1600)
    assert error_of(client.delete(f"/_api/cursor/{body['id']}"))[:2] == (404, 1600)


def test_a_cursor_expires_after_its_ttl(client: Any, db: Any) -> None:
    body = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=2, ttl=0.2).json()
    time.sleep(0.5)
    assert error_of(client.post(f"/_api/cursor/{body['id']}"))[:2] == (404, 1600)
    assert len(client.server.cursors) == 0


def test_a_cursor_belongs_to_its_database(client: Any, db: Any) -> None:
    client.server.databases.create("other")
    body = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=2).json()
    elsewhere = client.post(f"/_db/other/_api/cursor/{body['id']}")
    assert error_of(elsewhere)[:2] == (404, 1600)
    assert client.post(f"/_db/_system/_api/cursor/{body['id']}").status_code == 200


def test_a_cursor_in_use_is_busy() -> None:
    spool = Spool(batch_size=1)
    for value in (1, 2):
        spool.add(value)
    spool.done()
    cursors = Cursors()
    tracker = QueryTracker()
    one = QueryCursor(
        "7", "_system", 30, retriable=False, count=None, tracker=tracker, entry=None, spool=spool
    )
    cursors.add(one)
    leased = cursors.lease("7", "_system")
    with pytest.raises(HTTPError) as raised:
        cursors.lease("7", "_system")
    assert (raised.value.status, raised.value.error_num) == (409, 1601)
    leased.release()
    assert cursors.lease("7", "_system") is one
    cursors.close()


def test_retry_answers_the_last_batch_again_with_allow_retry(client: Any, db: Any) -> None:
    first = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=2, options={"allowRetry": True})
    cid = first.json()["id"]
    second = client.post(f"/_api/cursor/{cid}")
    again = client.post(f"/_api/cursor/{cid}/2")
    assert again.status_code == 200 and again.json() == second.json()
    third = client.post(f"/_api/cursor/{cid}/3")  # the next batch by its id
    assert third.json()["result"] == [5] and third.json()["hasMore"] is False
    assert "id" in third.json()  # kept for a retry of the last batch
    assert client.post(f"/_api/cursor/{cid}/3").json() == third.json()
    assert error_of(client.post(f"/_api/cursor/{cid}/1")) == (404, 1600, "batch id not found")
    assert client.delete(f"/_api/cursor/{cid}").status_code == 202


def test_retry_needs_allow_retry(client: Any, db: Any) -> None:
    cid = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=2).json()["id"]
    refused = client.post(f"/_api/cursor/{cid}/1")
    assert error_of(refused) == (400, 400, "expecting allowRetry option to be true")
    assert client.post(f"/_api/cursor/{cid}/2").json()["result"] == [3, 4]  # the next is fine


# ---------------------------------------------------------------------- streamed queries


def test_a_streamed_query_gives_batches_and_its_statistics_last(client: Any, db: Any) -> None:
    first = cursor(client, "FOR i IN 1..7 RETURN i", batchSize=3, count=True, stream=True)
    body = first.json()
    assert first.status_code == 201 and body["hasMore"] is True
    assert "count" not in body and "extra" not in body  # count is not given when streamed
    rows, last = list(body["result"]), body
    while last["hasMore"]:
        last = client.post(f"/_api/cursor/{last['id']}").json()
        rows += last["result"]
    assert rows == list(range(1, 8))
    assert last["extra"]["stats"]["writesExecuted"] == 0


def test_a_streamed_query_reads_the_snapshot_it_began_with(client: Any, db: Any) -> None:
    db.insert_many("c", [{"n": n} for n in range(5)])
    body = cursor(
        client, "FOR d IN c SORT d.n RETURN d.n", batchSize=2, options={"stream": True}
    ).json()
    assert cursor(client, "INSERT {n: 99} INTO c").status_code == 201  # commits meanwhile
    rows = list(body["result"])
    while body["hasMore"]:
        body = client.post(f"/_api/cursor/{body['id']}").json()
        rows += body["result"]
    assert rows == [0, 1, 2, 3, 4]
    assert cursor(client, "RETURN LENGTH(c)").json()["result"] == [6]


def test_a_streamed_query_left_unread_expires(client: Any, db: Any) -> None:
    body = cursor(client, "FOR i IN 1..9 RETURN i", batchSize=2, ttl=0.2, stream=True).json()
    time.sleep(0.6)
    assert error_of(client.post(f"/_api/cursor/{body['id']}"))[:2] == (404, 1600)


def test_a_streamed_query_that_writes_runs_to_its_end(client: Any, db: Any) -> None:
    body = cursor(
        client, "FOR i IN 1..5 INSERT {i} INTO c RETURN NEW.i", batchSize=2, stream=True
    ).json()
    assert db.count("c") == 5  # before any further batch is read
    rows = list(body["result"])
    while body["hasMore"]:
        body = client.post(f"/_api/cursor/{body['id']}").json()
        rows += body["result"]
    assert rows == [1, 2, 3, 4, 5] and body["extra"]["stats"]["writesExecuted"] == 5


def test_a_streamed_query_that_fails_late_drops_its_cursor(client: Any, db: Any) -> None:
    query = "FOR i IN 1..10 RETURN i == 7 ? FAIL('seven') : i"
    body = cursor(client, query, batchSize=2, stream=True).json()
    assert body["result"] == [1, 2]
    failure = None
    for _ in range(5):
        response = client.post(f"/_api/cursor/{body['id']}")
        if response.status_code != 200:
            failure = response
            break
    assert failure is not None
    assert error_of(failure) == (400, 1569, "AQL: seven (while executing)")
    assert error_of(client.post(f"/_api/cursor/{body['id']}"))[:2] == (404, 1600)


def test_streamed_cursors_are_bounded(client: Any, db: Any) -> None:
    client.server.cursors.max_streaming = 2
    for _ in range(2):
        assert cursor(client, "FOR i IN 1..5 RETURN i", batchSize=1, stream=True).status_code == 201
    refused = cursor(client, "FOR i IN 1..5 RETURN i", batchSize=1, stream=True)
    status, num, message = error_of(refused)
    assert (status, num) == (500, 32) and "too many open streaming cursors" in message


# ---------------------------------------------------------------------- what queries report


def test_writes_are_counted_executed_and_ignored(client: Any, db: Any) -> None:
    db.insert("c", {"_key": "k1"})
    inserted = cursor(client, "FOR i IN 2..4 INSERT {_key: CONCAT('k', i)} INTO c").json()
    assert inserted["extra"]["stats"]["writesExecuted"] == 3
    query = "FOR k IN ['k1', 'nope', 'k2'] REMOVE k IN c OPTIONS {ignoreErrors: true}"
    stats = cursor(client, query).json()["extra"]["stats"]
    assert (stats["writesExecuted"], stats["writesIgnored"]) == (2, 1)


def test_a_writing_query_is_all_or_nothing(client: Any, db: Any) -> None:
    db.insert("c", {"_key": "k3"})
    failed = cursor(client, "FOR i IN 1..5 INSERT {_key: CONCAT('k', i)} INTO c")
    status, num, _ = error_of(failed)
    assert (status, num) == (409, 1210)
    assert db.count("c") == 1  # k1 and k2 were not kept


@pytest.mark.parametrize(
    ("query", "bind_vars", "full_count"),
    [
        ("FOR i IN 1..1000 FILTER i > 500 LIMIT 10 RETURN i", {}, 500),
        ("FOR i IN 1..20 SORT i DESC LIMIT 2, 3 RETURN i", {}, 20),
        ("FOR i IN 1..20 LIMIT 5 FILTER i > 2 LIMIT 1 RETURN i * @m", {"m": 2}, 3),
        ("FOR i IN 1..9 LET s = (FOR j IN 1..3 LIMIT 1 RETURN j) LIMIT 2 RETURN s", {}, 9),
        ("FOR d IN c FILTER d.n >= @low LIMIT 1 RETURN d", {"low": 3}, 7),
    ],
)
def test_full_count_counts_the_rows_the_last_top_level_limit_saw(
    client: Any, db: Any, query: str, bind_vars: dict[str, Any], full_count: int
) -> None:
    db.insert_many("c", [{"n": n} for n in range(10)])
    body = cursor(client, query, bindVars=bind_vars, options={"fullCount": True}).json()
    assert body["extra"]["stats"]["fullCount"] == full_count


def test_full_count_of_a_query_without_a_limit_is_not_given(client: Any, db: Any) -> None:
    body = cursor(client, "FOR i IN 1..5 RETURN i", options={"fullCount": True}).json()
    assert "fullCount" not in body["extra"]["stats"]


def test_full_count_of_a_query_that_writes_before_its_limit(client: Any, db: Any) -> None:
    query = "FOR i IN 1..6 INSERT {i} INTO c LIMIT 2 RETURN NEW.i"
    body = cursor(client, query, options={"fullCount": True}).json()
    assert body["result"] == [1, 2] and body["extra"]["stats"]["fullCount"] == 6
    assert db.count("c") == 2  # the count's own writes were rolled back


def test_fail_on_warning_fails_and_undoes_the_query(client: Any, db: Any) -> None:
    query = "FOR i IN 1..3 INSERT {i} INTO c RETURN 1 / (i - 2)"
    failed = cursor(client, query, options={"failOnWarning": True})
    assert error_of(failed) == (400, 1562, "AQL: division by zero (while executing)")
    assert db.count("c") == 0
    warned = cursor(client, query).json()
    assert warned["extra"]["warnings"] == [{"code": 1562, "message": "division by zero"}]


def test_max_warning_count_caps_the_warnings(client: Any, db: Any) -> None:
    body = cursor(client, "FOR i IN 1..5 RETURN i / 0", options={"maxWarningCount": 2}).json()
    assert len(body["extra"]["warnings"]) == 2


def test_profile_reports_the_phases_and_the_plan(client: Any, db: Any) -> None:
    body = cursor(client, "FOR i IN 1..3 RETURN i", options={"profile": 2}).json()
    profile = body["extra"]["profile"]
    assert next(iter(profile)) == "initializing" and profile["executing"] > 0
    types = [node["type"] for node in body["extra"]["plan"]["nodes"]]
    assert types == ["SingletonNode", "CalculationNode", "EnumerateListNode", "ReturnNode"]


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "status", "num", "message"),
    [
        (b"", 400, 1502, "query is empty"),
        (b"{}", 400, 600, "invalid JSON object"),
        (b'{"query": ', 400, 600, None),
        (b'{"query": 42}', 400, 1502, "query is empty"),
        (b'{"query": ""}', 400, 1502, "query is empty"),
        (b'{"query": "RETURN 1", "bindVars": [1]}', 400, 17, "expecting object for <bindVars>"),
        (b'{"query": "RETURN 1", "batchSize": 0}', 400, 17, None),
        (b'{"query": "RETURN 1", "batchSize": -2}', 400, 17, None),
    ],
)
def test_malformed_requests_are_refused(
    client: Any, body: bytes, status: int, num: int, message: str | None
) -> None:
    response = client.post("/_api/cursor", content=body)
    got = error_of(response)
    assert got[:2] == (status, num)
    if message is not None:
        assert got[2] == message


@pytest.mark.parametrize(
    ("query", "bind_vars", "status", "num", "message"),
    [
        (
            "FOR i IN 1..3 FILTER i = 1 RETURN i",
            {},
            400,
            1501,
            "AQL: syntax error, unexpected assignment near '= 1 RETURN i' at position 1:24 "
            "(while parsing)",
        ),
        (
            "RETURN @a + @b",
            {"a": 1},
            400,
            1551,
            "AQL: no value specified for declared bind parameter 'b' (while parsing)",
        ),
        (
            "RETURN 1",
            {"x": 1},
            400,
            1552,
            "AQL: bind parameter 'x' was not declared in the query (while parsing)",
        ),
        ("FOR d IN @@coll RETURN d", {"@coll": 5}, 400, 1553, None),
        (
            "FOR u IN unknowncoll RETURN u",
            {},
            404,
            1203,
            "AQL: collection or view not found: unknowncoll (while parsing)",
        ),
        ("RETURN NOSUCHFUNC()", {}, 400, 1540, None),
        ("RETURN FAIL('no')", {}, 400, 1569, "AQL: no (while executing)"),
    ],
)
def test_query_errors_carry_arangodbs_numbers(
    client: Any,
    db: Any,
    query: str,
    bind_vars: dict[str, Any],
    status: int,
    num: int,
    message: str | None,
) -> None:
    got = error_of(cursor(client, query, bindVars=bind_vars))
    assert got[:2] == (status, num)
    if message is not None:
        assert got[2] == message


def test_the_memory_limit_stops_a_query(client: Any, db: Any) -> None:
    got = error_of(cursor(client, "FOR i IN 1..100000 SORT i RETURN i", memoryLimit=100000))
    assert got[:2] == (500, 32) and "more memory than allowed" in got[2]


def test_a_query_without_a_memory_limit_gets_the_default_one(
    client: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arangoml_meta.server import cursors as cursors_module

    monkeypatch.setattr(cursors_module, "MEMORY_LIMIT", 50_000)
    query = "FOR i IN 1..10000 SORT i RETURN i"
    assert error_of(cursor(client, query))[:2] == (500, 32)
    unlimited = cursor(client, query, memoryLimit=0).json()  # 0 asks for none
    assert len(unlimited["result"]) == 1000 and unlimited["extra"]["stats"]["peakMemoryUsage"] == 0
    measured = cursor(client, "FOR i IN 1..10 SORT i RETURN i").json()
    assert measured["extra"]["stats"]["peakMemoryUsage"] > 0


def test_max_runtime_kills_a_query(client: Any, db: Any) -> None:
    query = "FOR i IN 1..100 RETURN SLEEP(0.05)"
    got = error_of(cursor(client, query, options={"maxRuntime": 0.2}))
    assert got[:2] == (410, 1500)


def test_refused_methods_and_paths(client: Any) -> None:
    assert error_of(client.put("/_api/cursor")) == (
        400,
        400,
        "expecting POST /_api/cursor/<cursor-id>",
    )
    assert error_of(client.delete("/_api/cursor"))[:2] == (400, 400)
    assert error_of(client.put("/_api/cursor/123123")) == (404, 1600, "cursor not found")
    assert error_of(client.patch("/_api/cursor"))[:2] == (405, 405)
    assert error_of(client.put("/_api/cursor/1/2"))[:2] == (400, 400)
    assert error_of(client.delete("/_api/cursor/1/2"))[:2] == (400, 400)


# ---------------------------------------------------------------------- python-arango


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with on_port(tmp_path_factory.mktemp("store")) as served:
        yield served.database()


@pytest.mark.parametrize("stream", [False, True])
def test_python_arango_reads_every_batch(served: Any, stream: bool) -> None:
    rows = served.aql.execute(
        "FOR i IN 1..25 RETURN {i}", batch_size=4, count=not stream, stream=stream
    )
    assert [row["i"] for row in rows] == list(range(1, 26))
    if not stream:
        assert rows.count() == 25
    assert rows.statistics()["modified"] == 0


def test_python_arango_retries_batches(served: Any) -> None:
    rows = served.aql.execute("FOR i IN 1..9 RETURN i", batch_size=2, allow_retry=True)
    assert list(rows) == list(range(1, 10))
    rows.close(ignore_missing=True)


def test_python_arango_sees_query_errors(served: Any) -> None:
    with pytest.raises(AQLQueryExecuteError) as raised:
        served.aql.execute("FOR i IN")
    assert raised.value.error_code == 1501 and raised.value.http_code == 400


def test_python_arango_sees_a_closed_cursor_gone(served: Any) -> None:
    rows = served.aql.execute("FOR i IN 1..9 RETURN i", batch_size=2)
    rows.close()
    with pytest.raises(CursorNextError) as raised:
        rows.fetch()
    assert raised.value.error_code == 1600


def test_concurrent_queries_each_read_their_own_cursor(served: Any) -> None:
    results: dict[int, list[int]] = {}

    def read(n: int) -> None:
        query = "FOR i IN 1..@n RETURN i"
        results[n] = list(served.aql.execute(query, bind_vars={"n": n}, batch_size=3))

    threads = [threading.Thread(target=read, args=(n,)) for n in range(10, 18)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: list(range(1, n + 1)) for n in range(10, 18)}
