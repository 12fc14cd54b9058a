"""JavaScript transactions (``POST /_api/transaction``): the action in its sandbox, its
operations in one transaction, committed when it returns and undone when it throws, its
limits, its bad input and the user's grants."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from arangoml_meta.server.app import Server, create_app
from arangoml_meta.server.state import ServerConfig
from tests.conftest import ServeProcess
from tests.server.aql_server import error_of, in_process, on_port

with warnings.catch_warnings():  # starlette asks for httpx2; the httpx installed works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

DB = "const db = require('@arangodb').db;"


# The time limit counts from when the transaction begins, the sandbox's start included:
# generous here, so that a loaded machine does not stop a short action (the runaway test
# takes a server of its own with a short limit).
TIME_LIMIT = 10.0


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with in_process(tmp_path, js_time_limit=TIME_LIMIT, js_memory_limit=16 << 20) as c:
        store = c.server.databases.get("_system").connection()
        store.create_collection("c")
        store.create_collection("other")
        yield c


def keys(client: Any, collection: str) -> list[str]:
    query = {"query": "FOR d IN @@c SORT d._key RETURN d._key", "bindVars": {"@c": collection}}
    return list(client.post("/_api/cursor", json=query).json()["result"])


def js(client: Any, action: str, auth: Any = None, **body: Any) -> Any:
    body.setdefault("collections", {"write": ["c"]})
    return client.post("/_api/transaction", json={"action": action, **body}, auth=auth)


def result(response: Any) -> Any:
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["error"], body["code"]) == (False, 200)
    return body["result"]


# ---------------------------------------------------------------------- commit and abort


def test_the_writes_of_an_action_that_returns_are_committed(client: Any) -> None:
    action = f"""function () {{ {DB}
        db.c.save({{_key: 'a'}}); db.other.insert({{_key: 'b'}}); return 'worked!'; }}"""
    assert result(js(client, action, collections={"write": ["c", "other"]})) == "worked!"
    assert (keys(client, "c"), keys(client, "other")) == (["a"], ["b"])


def test_an_action_without_a_return_value_answers_null(client: Any) -> None:
    assert result(js(client, f"function () {{ {DB} db.c.save({{}}); }}")) is None
    assert len(keys(client, "c")) == 1


def test_a_thrown_string_aborts_with_1650(client: Any) -> None:
    action = f"function () {{ {DB} db.c.save({{_key: 'a'}}); throw 'doh!'; }}"
    assert error_of(js(client, action)) == (500, 1650, "doh!")
    assert keys(client, "c") == []


def test_a_thrown_arango_error_keeps_its_number_and_status(client: Any) -> None:
    action = f"""function () {{ {DB}
        const {{ArangoError, errors}} = require('@arangodb');
        db.c.save({{_key: 'a'}});
        throw new ArangoError({{errorNum: errors.ERROR_ARANGO_DOCUMENT_NOT_FOUND.code,
                               errorMessage: 'no such thing'}}); }}"""
    assert error_of(js(client, action)) == (404, 1202, "no such thing")
    assert keys(client, "c") == []


@pytest.mark.parametrize(
    ("thrown", "wanted"),
    [
        ("42", (500, 1650, "42")),
        ("null", (500, 1650, "null")),
        ("new Error('broken')", (500, 1650, "Error: broken")),
        ("new RangeError('far')", (500, 1650, "RangeError: far")),
        ("new TypeError('not a function')", (400, 17, "not a function")),
        ("{errorNum: 1203, message: 'gone'}", (404, 1203, "gone")),
        ("{what: 1}", (500, 1650, "an unknown error occured while executing the transaction")),
    ],
)
def test_a_thrown_value_is_read_as_arangodb_reads_it(
    client: Any, thrown: str, wanted: tuple[int, int, str]
) -> None:
    assert error_of(js(client, f"function () {{ throw {thrown}; }}")) == wanted


def test_a_failed_operation_not_caught_aborts_with_its_error(client: Any) -> None:
    action = f"function () {{ {DB} db.c.save({{_key: 'abc'}}); db.c.save({{_key: 'abc'}}); }}"
    assert error_of(js(client, action)) == (
        409,
        1210,
        "unique constraint violated - in index primary of type primary over '_key'; "
        "conflicting key: abc",
    )
    assert keys(client, "c") == []


def test_a_failed_operation_caught_is_undone_alone(client: Any) -> None:
    action = f"""function () {{ {DB}
        db.c.save({{_key: 'a'}});
        try {{ db.c.save({{_key: 'a'}}); }} catch (e) {{
            db.c.save({{_key: 'caught-' + e.errorNum + '-' + (e instanceof ArangoError)}}); }}
        return db.c.count(); }}"""
    assert result(js(client, action)) == 2
    assert keys(client, "c") == ["a", "caught-1210-true"]


# ---------------------------------------------------------------------- declared collections


def test_writing_an_undeclared_collection_is_refused(client: Any) -> None:
    action = f"function () {{ {DB} db.c.save({{_key: 'a'}}); db.other.save({{}}); }}"
    status, num, message = error_of(js(client, action))
    assert (status, num) == (400, 1652) and "other" in message
    assert keys(client, "c") == [] and keys(client, "other") == []


def test_a_read_only_transaction_cannot_write(client: Any) -> None:
    action = f"function () {{ {DB} db.c.save({{}}); }}"
    assert error_of(js(client, action, collections={"read": "c"}))[:2] == (400, 1652)
    assert keys(client, "c") == []


def test_reading_an_undeclared_collection_is_allowed_unless_implicit_reads_are_not(
    client: Any,
) -> None:
    client.post("/_api/document/other", json={"_key": "x"})
    action = f"function () {{ {DB} return db.other.document('x')._key; }}"
    assert result(js(client, action)) == "x"
    refused = js(client, action, collections={"write": "c", "allowImplicit": False})
    assert error_of(refused)[:2] == (400, 1652)


def test_an_unknown_declared_collection_is_1203(client: Any) -> None:
    response = js(client, "function () { return true; }", collections={"read": "products"})
    assert error_of(response) == (404, 1203, "collection or view not found: products")


def test_a_transaction_waits_for_the_write_lock_up_to_its_lock_timeout(client: Any) -> None:
    begun = client.post("/_api/transaction/begin", json={"collections": {"write": "c"}})
    trx = begun.json()["result"]["id"]
    started = time.monotonic()
    response = js(client, f"function () {{ {DB} db.c.save({{}}); }}", lockTimeout=0.3)
    assert error_of(response)[:2] == (409, 1200)
    assert time.monotonic() - started < 5
    client.delete(f"/_api/transaction/{trx}")
    assert result(js(client, f"function () {{ {DB} db.c.save({{}}); }}")) is None


# ---------------------------------------------------------------------- the JavaScript API


def test_params_are_passed_to_the_action(client: Any) -> None:
    action = "function (params) { return [params.a + 1, params.list.length, typeof params]; }"
    assert result(js(client, action, params={"a": 41, "list": [1, 2]})) == [42, 2, "object"]
    assert result(js(client, "function (params) { return params === undefined; }")) is True


def test_a_query_runs_inside_the_transaction_and_sees_its_writes(client: Any) -> None:
    action = f"""function (params) {{ {DB}
        db.c.save({{_key: 'a', n: 1}}); db.c.save({{_key: 'b', n: 2}});
        const cursor = db._query('FOR d IN c FILTER d.n >= @min SORT d.n RETURN d._key',
                                 {{min: params.min}}, {{count: true}});
        const first = [cursor.hasNext(), cursor.next(), cursor.count()];
        const rest = cursor.toArray();
        const {{aql}} = require('@arangodb');
        const tagged = db._query(aql`FOR d IN ${{db.c}} FILTER d.n == ${{2}} RETURN d._key`);
        const object = db._query({{query: 'RETURN LENGTH(c)'}}).toArray();
        return [first, rest, cursor.hasNext(), tagged.toArray(), object]; }}"""
    assert result(js(client, action, params={"min": 1})) == [
        [True, "a", 2],
        ["b"],
        False,
        ["b"],
        [2],
    ]
    assert keys(client, "c") == ["a", "b"]


def test_a_query_error_throws_arangodb_error(client: Any) -> None:
    action = f"function () {{ {DB} return db._query('FOR d IN c RETURN'); }}"
    status, num, message = error_of(js(client, action))
    assert (status, num) == (400, 1501) and message.startswith("AQL: ")
    action = f"function () {{ {DB} return db._query('INSERT {{}} INTO other').toArray(); }}"
    assert error_of(js(client, action))[:2] == (400, 1652)


def test_the_collection_operations(client: Any) -> None:
    action = f"""function () {{ {DB}
        const c = db._collection('c');
        const made = c.insert({{_key: 'a', n: 1, keep: 1}});
        c.save([{{_key: 'b', n: 2}}, {{_key: 'a'}}]);
        const read = c.document('a').n;
        const byId = db._document('c/b').n;
        const exists = [c.exists('a') !== false, c.exists('zz')];
        c.update('a', {{n: 10, keep: null}}, {{keepNull: false}});
        const updated = c.document('a');
        c.replace({{_key: 'b'}}, {{m: 3}});
        const replaced = c.document('b');
        c.remove('b');
        let missing;
        try {{ c.document('b'); }} catch (e) {{ missing = e.errorNum; }}
        return [made._id, read, byId, exists, updated.n, 'keep' in updated,
                replaced.m, 'n' in replaced, missing, c.count(), c.toArray().length,
                c.name(), c.type(), c.byExample({{n: 10}}).toArray().length,
                c.firstExample({{n: 99}}), c.any()._key]; }}"""
    assert result(js(client, action)) == [
        "c/a",
        1,
        2,
        [True, False],
        10,
        False,
        3,
        False,
        1202,
        1,
        1,
        "c",
        2,
        1,
        None,
        "a",
    ]


def test_an_array_operation_answers_each_item(client: Any) -> None:
    action = f"""function () {{ {DB}
        return db.c.save([{{_key: 'a'}}, {{_key: 'a'}}]).map((r) => r.errorNum || r._key); }}"""
    assert result(js(client, action)) == ["a", 1210]
    assert keys(client, "c") == ["a"]


def test_a_revision_in_the_selector_is_checked(client: Any) -> None:
    action = f"""function () {{ {DB}
        const made = db.c.save({{_key: 'a'}});
        db.c.update(made, {{n: 1}});
        try {{ db.c.update(made, {{n: 2}}); }} catch (e) {{ return e.errorNum; }} }}"""
    assert result(js(client, action)) == 1200


def test_truncate_empties_the_collection_in_the_transaction(client: Any) -> None:
    client.post("/_api/document/c", json=[{"_key": "a"}, {"_key": "b"}])
    assert result(js(client, f"function () {{ {DB} db.c.truncate(); return db.c.count(); }}")) == 0
    assert keys(client, "c") == []


def test_unknown_collections_are_null_or_undefined_as_in_arangodb(client: Any) -> None:
    action = f"""function () {{ {DB}
        return [db._collection('nope'), db.nope === undefined, db['c'].name(),
                db._collections().map((c) => c.name()).sort(), db._name()]; }}"""
    assert result(js(client, action)) == [None, True, "c", ["c", "other"], "_system"]


def test_console_output_goes_to_the_servers_log(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="arangoml_meta.server.js"):
        assert result(js(client, "function () { console.log('hello', {a: 1}); }")) is None
    assert any('hello {"a":1}' in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------- the sandbox


def test_a_runaway_action_is_stopped_by_the_time_limit(tmp_path: Path) -> None:
    with in_process(tmp_path, js_time_limit=2.0, js_memory_limit=16 << 20) as client:
        client.server.databases.get("_system").connection().create_collection("c")
        started = time.monotonic()
        action = f"function () {{ {DB} db.c.save({{_key: 'a'}}); while (true) {{}} }}"
        status, num, message = error_of(js(client, action))
        assert (status, num) == (500, 32) and "time limit (2 s)" in message
        assert time.monotonic() - started < 10
        assert keys(client, "c") == []
        assert result(js(client, f"function () {{ {DB} db.c.save({{}}); return 1; }}")) == 1


def test_an_action_that_holds_too_much_memory_is_stopped(client: Any) -> None:
    action = "function () { const a = []; while (true) a.push(new Array(100000).fill(1)); }"
    status, num, message = error_of(js(client, action))
    assert (status, num) == (500, 32) and "memory limit" in message


@pytest.mark.parametrize("module", ["fs", "child_process", "net", "@arangodb/request", "os"])
def test_the_file_system_network_and_processes_are_out_of_reach(client: Any, module: str) -> None:
    action = f"function () {{ return require('{module}'); }}"
    status, num, message = error_of(js(client, action))
    assert (status, num) == (500, 3100) and f"cannot locate module '{module}'" in message


def test_the_engine_offers_no_file_or_process_globals(client: Any) -> None:
    action = """function () {
        return ['std', 'os', 'process', 'scriptArgs', 'fetch', 'XMLHttpRequest', 'setTimeout',
                '__arangomlHost'].filter((name) => typeof globalThis[name] !== 'undefined'); }"""
    assert result(js(client, action)) == []


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1], "expecting object input data"),
        ({"action": "function () {}"}, "missing/invalid collections definition for transaction"),
        ({"collections": {}}, "missing/invalid action definition for transaction"),
        ({"collections": {}, "action": 1}, "missing/invalid action definition for transaction"),
        (
            {"collections": {"read": 1}, "action": "function () {}"},
            "invalid collection definition for transaction:  There is no array in 'read'",
        ),
        (
            {"collections": {"write": ["c", 2]}, "action": "function () {}"},
            "invalid collection definition for transaction:  Collection name #1 in array "
            "'write' is not a string",
        ),
        (
            {"collections": {}, "action": "function () {}", "lockTimeout": "x"},
            "<lockTimeout> must be a valid numeric value",
        ),
        (
            {"collections": {}, "action": "function () {}", "lockTimeout": -1},
            "<lockTimeout> needs to be positive",
        ),
        (
            {"collections": {}, "action": "function () {}", "waitForSync": 1},
            "<waitForSync> must be a boolean value",
        ),
    ],
)
def test_bad_input_is_400_with_arangodb_messages(client: Any, body: Any, message: str) -> None:
    assert error_of(client.post("/_api/transaction", json=body)) == (400, 10, message)


def test_an_action_that_does_not_compile_is_400(client: Any) -> None:
    status, num, message = error_of(js(client, "function ( {"))
    assert (status, num) == (400, 10)
    assert message.startswith("missing/invalid action definition for transaction - SyntaxError")


# ---------------------------------------------------------------------- grants

ROOT = ("root", "root-pw")


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[TestClient]:
    server = Server(ServerConfig(store=tmp_path / "store", root_password=ROOT[1]))
    with TestClient(create_app(server)) as c:
        store = server.databases.get("_system").connection()
        for name in ("reports", "secrets"):
            store.create_collection(name)
        assert c.post("/_api/user", json={"user": "ann", "passwd": "pw"}, auth=ROOT).is_success
        grants = {"": "ro", "/reports": "ro", "/secrets": "none"}
        for path, grant in grants.items():
            url = f"/_api/user/ann/database/_system{path}"
            assert c.put(url, json={"grant": grant}, auth=ROOT).is_success
        yield c


ANN = ("ann", "pw")


def test_declared_collections_need_the_users_grants(secured: TestClient) -> None:
    action = "function () { return 1; }"
    assert result(js(secured, action, auth=ANN, collections={"read": "reports"})) == 1
    writing = js(secured, action, auth=ANN, collections={"write": "reports"})
    assert error_of(writing)[:2] == (403, 11)
    hidden = js(secured, action, auth=ANN, collections={"read": "secrets"})
    assert error_of(hidden)[:2] == (403, 11)


def test_each_operation_needs_the_users_grant_on_its_collection(secured: TestClient) -> None:
    reading = f"function () {{ {DB} return db.secrets.count(); }}"
    assert error_of(js(secured, reading, auth=ANN, collections={}))[:2] == (403, 11)
    querying = f"function () {{ {DB} return db._query('FOR s IN secrets RETURN s').toArray(); }}"
    assert error_of(js(secured, querying, auth=ANN, collections={}))[:2] == (403, 11)
    listing = f"function () {{ {DB} return db._collections().map((c) => c.name()); }}"
    assert "secrets" not in result(js(secured, listing, auth=ANN, collections={}))
    assert result(js(secured, reading, auth=ROOT, collections={})) == 0


# ---------------------------------------------------------------------- python-arango


def test_python_arango_executes_a_javascript_transaction(tmp_path: Path) -> None:
    from arango.exceptions import TransactionExecuteError

    with on_port(tmp_path) as served:
        served.store().create_collection("c")
        db = served.database()
        action = f"function (params) {{ {DB} db.c.save({{_key: params.key}}); return 'ok'; }}"
        assert db.execute_transaction(action, params={"key": "a"}, write=["c"]) == "ok"
        assert db.collection("c").has("a")
        with pytest.raises(TransactionExecuteError) as raised:
            db.execute_transaction(f"function () {{ {DB} db.c.save({{_key: 'a'}}); }}", write=["c"])
        assert raised.value.error_code == 1210


def test_the_limits_are_options_of_serve(tmp_path: Path) -> None:
    serve = ServeProcess(tmp_path, "--js-time-limit", "0.5", "--js-memory-limit", "8")
    try:
        assert serve.wait_until_ready() is None
        runaway = {"collections": {}, "action": "function () { while (true) {} }"}
        status, body = serve.server.request("POST", "/_api/transaction", runaway)
        assert (status, body["errorNum"]) == (500, 32) and "(0.5 s)" in body["errorMessage"]
        hungry = {"collections": {}, "action": "function () { return 'x'.repeat(1 << 24); }"}
        status, body = serve.server.request("POST", "/_api/transaction", hungry)
        assert (status, body["errorNum"]) == (500, 32) and "8388608 bytes" in body["errorMessage"]
    finally:
        serve.stop()
