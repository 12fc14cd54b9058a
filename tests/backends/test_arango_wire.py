"""What the ArangoDB backend sends over HTTP, and what it makes of the answers, without ArangoDB.

A small HTTP server on a loopback port answers each request as a recorded
ArangoDB 3.12 answers it (the shapes of ``../shared/http-conformance/``), or
drops the connection after reading it; it records every request it got. So
the backend's real HTTP client, python-arango and ``requests`` all run, and a
test counts requests, reads the headers and bodies the server received, and
checks what the caller gets. The same behaviours against a real server are the
``[arangodb]`` cases of ``test_arango_live.py``.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from arangoml_meta.backends import open_backend
from arangoml_meta.backends.arango import ArangoBackend
from arangoml_meta.errors import (
    ArangoMLMetaError,
    BadParameterError,
    TransactionError,
    UniqueConstraintError,
)

DROP = "drop"  # answer: close the connection without a reply
DATABASE = {"id": "1", "name": "arangoml_meta", "isSystem": False, "path": "none"}
# passwords that a URL carries unencoded: each character ends a part of a URL somewhere
NASTY_PASSWORDS = ["p,ss", "a#b", "a?b=c", "a/b", "a@b", "x:y", "all,#?/@:of-them"]


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


Answer = tuple[int, Any] | str
Route = tuple[str, str, Callable[[Received], Answer]]


@dataclass
class ScriptedArango:
    """An HTTP server answering by ``routes`` (method, path regex, answer); 404 otherwise."""

    routes: list[Route] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def on(self, method: str, path: str, answer: Answer | Callable[[Received], Answer]) -> None:
        fixed = answer
        self.routes.insert(
            0,
            (method, path, answer if callable(answer) else (lambda _: fixed)),  # type: ignore[arg-type, return-value]
        )

    def answer(self, request: Received) -> Answer:
        for method, path, respond in self.routes:
            if method == request.method and re.fullmatch(path, request.path):
                return respond(request)
        return 404, {"error": True, "code": 404, "errorNum": 404, "errorMessage": "unknown path"}

    def requests(self, method: str, path: str) -> list[Received]:
        return [r for r in self.received if r.method == method and re.fullmatch(path, r.path)]


def _handler(server: ScriptedArango) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            request = Received(
                self.command,
                path,
                query,
                {k.lower(): v for k, v in self.headers.items()},
                json.loads(raw) if raw else None,
            )
            server.received.append(request)
            answer = server.answer(request)
            if answer == DROP:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, body = answer  # type: ignore[misc]
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def arango() -> Iterator[ScriptedArango]:
    """A scripted server that knows the store's database (``GET .../database/current``)."""
    scripted = ScriptedArango()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(scripted))
    httpd.daemon_threads = True
    scripted.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    scripted.on(
        "GET",
        r"/_db/[^/]+/_api/database/current",
        (200, {"error": False, "code": 200, "result": DATABASE}),
    )
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield scripted
    finally:
        httpd.shutdown()
        httpd.server_close()


def error_body(code: int, num: int, message: str) -> tuple[int, dict[str, Any]]:
    return code, {"error": True, "code": code, "errorNum": num, "errorMessage": message}


def with_password(url: str, user: str, password: str) -> str:
    return url.replace("http://", f"http://{user}:{password}@")


def basic_auth(request: Received) -> tuple[str, str]:
    scheme, _, token = request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    user, _, password = base64.b64decode(token).decode().partition(":")
    return user, password


# ---------------------------------------------------------------------- credentials


@pytest.mark.parametrize("secret", NASTY_PASSWORDS)
def test_a_password_with_url_characters_is_sent_whole_and_shown_nowhere(
    arango: ScriptedArango, secret: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    backend = ArangoBackend(with_password(arango.url, "alice", secret))
    try:
        assert backend.location == arango.url
        assert basic_auth(arango.received[0]) == ("alice", secret)
        for shown in (backend.location, repr(backend), str(vars(backend)), caplog.text):
            assert secret not in shown
    finally:
        backend.close()


@pytest.mark.parametrize("secret", NASTY_PASSWORDS)
def test_a_refused_password_is_not_in_the_error(arango: ScriptedArango, secret: str) -> None:
    arango.on("GET", r".*", error_body(401, 401, "not authorized to execute this request"))
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(with_password(arango.url, "alice", secret))
    assert err.value.error_num == 401
    assert arango.url in err.value.message
    assert secret not in str(err.value)


def test_a_url_with_a_user_but_no_password_takes_arango_password(
    arango: ScriptedArango, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARANGO_USERNAME", "someone-else")
    monkeypatch.setenv("ARANGO_PASSWORD", "from-the-environment")
    backend = open_backend(arango.url.replace("http://", "http://bob@"))
    backend.close()
    assert basic_auth(arango.received[0]) == ("bob", "from-the-environment")


def test_a_url_password_wins_over_arango_password(
    arango: ScriptedArango, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARANGO_PASSWORD", "from-the-environment")
    open_backend(with_password(arango.url, "bob", "from-the-url")).close()
    assert basic_auth(arango.received[0]) == ("bob", "from-the-url")


# ---------------------------------------------------------------------- sent once


def test_a_write_whose_connection_drops_is_sent_once_and_its_outcome_unknown(
    arango: ScriptedArango,
) -> None:
    arango.on("POST", r"/_db/arangoml_meta/_api/document/edges", DROP)
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(ArangoMLMetaError) as err:
            backend.insert("edges", {"_from": "a/1", "_to": "b/1"})
    finally:
        backend.close()
    assert len(arango.requests("POST", r".*/_api/document/edges")) == 1
    assert err.value.error_num == 2003
    assert err.value.details.get("outcome_unknown") is True
    assert "may or may not have carried it out" in err.value.message
    assert "POST /_db/arangoml_meta/_api/document/edges" in err.value.message


def test_a_transaction_begun_on_a_dropped_connection_is_begun_once(arango: ScriptedArango) -> None:
    arango.on("POST", r".*/_api/transaction/begin", DROP)
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(ArangoMLMetaError) as err, backend.transaction(write=["runs"]):
            pass
    finally:
        backend.close()
    assert len(arango.requests("POST", r".*/_api/transaction/begin")) == 1
    assert err.value.details.get("outcome_unknown") is True


def test_a_read_whose_connection_drops_is_asked_again(arango: ScriptedArango) -> None:
    arango.on("GET", r".*/_api/document/items/k", DROP)
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(ArangoMLMetaError) as err:
            backend.get("items", "k")
    finally:
        backend.close()
    assert len(arango.requests("GET", r".*/_api/document/items/k")) > 1  # a read changes nothing
    assert err.value.error_num == 2001


def test_a_write_no_host_received_goes_to_the_next_host(arango: ScriptedArango) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    stored = {"_key": "k", "_id": "items/k", "_rev": "_r1"}
    arango.on("POST", r".*/_api/document/items", (202, {**stored, "new": {**stored, "a": 1}}))
    backend = ArangoBackend(f"{closed},{arango.url}")
    try:
        for _ in range(2):  # whichever host python-arango's round robin starts with
            assert backend.insert("items", {"_key": "k", "a": 1})["a"] == 1
    finally:
        backend.close()
    assert len(arango.requests("POST", r".*/_api/document/items")) == 2


# ---------------------------------------------------------------------- timeouts


def cursor_reply(rows: list[Any]) -> tuple[int, dict[str, Any]]:
    return 201, {"result": rows, "hasMore": False, "error": False, "code": 201, "extra": {}}


@pytest.mark.parametrize(("timeout", "env"), [(2.0, None), (None, "7"), (None, None)])
def test_every_query_ends_on_the_server_before_the_client_stops_waiting(
    arango: ScriptedArango, monkeypatch: pytest.MonkeyPatch, timeout: float | None, env: str | None
) -> None:
    monkeypatch.delenv("ARANGOML_META_TIMEOUT", raising=False)
    if env is not None:
        monkeypatch.setenv("ARANGOML_META_TIMEOUT", env)
    arango.on("POST", r".*/_api/cursor", cursor_reply([1]))
    backend = ArangoBackend(arango.url, timeout=timeout)
    try:
        assert backend.query("RETURN 1") == [1]
    finally:
        backend.close()
    expected = timeout or float(env or 60.0)
    assert backend.timeout == expected
    (sent,) = arango.requests("POST", r".*/_api/cursor")
    assert 0 < sent.body["options"]["maxRuntime"] < expected


@pytest.mark.parametrize("setting", ["0", "-1", "soon", "nan", "1e9"])
def test_a_bad_timeout_setting_is_refused_before_any_request(
    arango: ScriptedArango, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    monkeypatch.setenv("ARANGOML_META_TIMEOUT", setting)
    with pytest.raises(BadParameterError, match="ARANGOML_META_TIMEOUT"):
        ArangoBackend(arango.url)
    assert arango.received == []


# ---------------------------------------------------------------------- get_many


def test_get_many_is_one_request_of_the_document_api(arango: ScriptedArango) -> None:
    def onlyget(request: Received) -> Answer:
        stored = {"a": {"_key": "a", "_id": "items/a", "_rev": "1", "n": 1},
                  "b": {"_key": "b", "_id": "items/b", "_rev": "2", "n": 2}}  # fmt: skip
        missing = {"error": True, "errorNum": 1202, "errorMessage": "document not found"}
        return 200, [stored.get(key, missing) for key in request.body]

    arango.on("PUT", r"/_db/arangoml_meta/_api/document/items", onlyget)
    backend = ArangoBackend(arango.url)
    try:
        found = backend.get_many("items", ["b", "missing", "a", "not a key/", "b"])
    finally:
        backend.close()
    assert [None if doc is None else doc["n"] for doc in found] == [2, None, 1, None, 2]
    (sent,) = arango.received[1:]
    assert sent.method == "PUT"
    assert sent.query in ("onlyget=true", "onlyget=1")  # python-arango sends 1
    assert sent.body == ["b", "missing", "a"]


def test_get_many_of_an_unknown_collection_is_1203(arango: ScriptedArango) -> None:
    arango.on(
        "PUT",
        r".*/_api/document/nothing",
        error_body(404, 1203, "collection or view not found: nothing"),
    )
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(ArangoMLMetaError) as err:
            backend.get_many("nothing", [])
    finally:
        backend.close()
    assert err.value.error_num == 1203


# ---------------------------------------------------------------------- all or nothing


def test_a_caught_failed_write_dooms_the_transaction(arango: ScriptedArango) -> None:
    arango.on(
        "POST", r".*/_api/transaction/begin", (201, {"result": {"id": "42", "status": "running"}})
    )
    arango.on(
        "DELETE", r".*/_api/transaction/42", (200, {"result": {"id": "42", "status": "aborted"}})
    )
    arango.on(
        "PUT", r".*/_api/transaction/42", (200, {"result": {"id": "42", "status": "committed"}})
    )
    stored = {"_key": "a", "_id": "items/a", "_rev": "1"}
    arango.on("POST", r".*/_api/document/items", (201, {**stored, "new": stored}))
    arango.on(
        "POST",
        r".*/_api/document/others",
        error_body(409, 1210, "unique constraint violated - in index primary of type primary"),
    )
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(TransactionError) as err, backend.transaction(write=["items", "others"]):
            backend.insert("items", {"_key": "a"})
            with pytest.raises(UniqueConstraintError):
                backend.insert("others", {"_key": "taken"})
    finally:
        backend.close()
    assert err.value.error_num == 1650
    assert "nothing was written" in err.value.message
    assert arango.requests("DELETE", r".*/_api/transaction/42")
    assert not arango.requests("PUT", r".*/_api/transaction/42")
    trx_ids = {
        r.headers.get("x-arango-trx-id") for r in arango.requests("POST", r".*/_api/document/.*")
    }
    assert trx_ids == {"42"}


def test_a_write_dropped_inside_a_transaction_wrote_nothing(arango: ScriptedArango) -> None:
    arango.on(
        "POST", r".*/_api/transaction/begin", (201, {"result": {"id": "7", "status": "running"}})
    )
    arango.on(
        "DELETE", r".*/_api/transaction/7", (200, {"result": {"id": "7", "status": "aborted"}})
    )
    arango.on("POST", r".*/_api/document/edges", DROP)
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(ArangoMLMetaError) as err, backend.transaction(write=["edges"]):
            backend.insert("edges", {"_from": "a/1", "_to": "b/1"})
    finally:
        backend.close()
    assert len(arango.requests("POST", r".*/_api/document/edges")) == 1
    assert arango.requests("DELETE", r".*/_api/transaction/7")  # aborted, never committed
    assert not arango.requests("PUT", r".*/_api/transaction/7")
    assert "nothing of it was written" in err.value.message


def test_a_read_of_many_documents_on_a_dropped_connection_is_asked_again(
    arango: ScriptedArango,
) -> None:
    arango.on("PUT", r".*/_api/document/items", DROP)
    backend = ArangoBackend(arango.url)
    try:
        with pytest.raises(ArangoMLMetaError) as err:
            backend.get_many("items", ["a"])
    finally:
        backend.close()
    assert len(arango.requests("PUT", r".*/_api/document/items")) > 1  # onlyget: a read
    assert err.value.error_num == 2001
