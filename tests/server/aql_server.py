"""Helpers of the cursor, query and transaction tests: a server in-process (Starlette's
TestClient) or on a loopback port (uvicorn in a thread, for python-arango), and the
recorded ArangoDB exchanges of an area."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from arangoml_meta.server.app import Server, create_app
from arangoml_meta.server.state import ServerConfig

with warnings.catch_warnings():
    # this Starlette's TestClient warns that it runs on httpx (httpx2 is its future)
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "http-conformance"


def make_server(store: Path, **config: Any) -> Server:
    return Server(ServerConfig(store=store, auth=False, **config))


@contextlib.contextmanager
def in_process(store: Path, **config: Any) -> Iterator[Any]:
    """A TestClient on a new server over ``store`` (closed at the end)."""
    server = make_server(store, **config)
    with TestClient(create_app(server), raise_server_exceptions=False) as client:
        client.server = server  # type: ignore[attr-defined]
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A server on a loopback port: its URL, and the server (its store, its registries)."""

    def __init__(self, url: str, server: Server) -> None:
        self.url = url
        self.server = server

    def database(self) -> Any:
        """python-arango's handle of database ``_system`` (as root, no password)."""
        from arango import ArangoClient

        return ArangoClient(hosts=self.url).db("_system", username="root", password="")

    def store(self) -> Any:
        """The calling thread's own connection to the server's ``_system`` store."""
        return self.server.databases.get("_system").connection()


@contextlib.contextmanager
def on_port(store: Path, **config: Any) -> Iterator[Served]:
    """uvicorn serving a new server over ``store`` on a free loopback port."""
    import uvicorn

    server = make_server(store, **config)
    port = free_port()
    uv = uvicorn.Server(
        uvicorn.Config(create_app(server), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield Served(f"http://127.0.0.1:{port}", server)
    finally:
        uv.should_exit = True
        thread.join(timeout=20)


def records(*areas: str) -> list[dict[str, Any]]:
    """The corpus records of ``areas`` (empty when the corpus is not there)."""
    path = CORPUS / "http-corpus.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        found = [json.loads(line) for line in f]
    return [r for r in found if r["area"] in areas and r["deployment"] == "single"]


def record(record_id: str) -> dict[str, Any]:
    for r in records("cursor", "query", "transaction"):
        if r["id"] == record_id:
            return r
    raise KeyError(record_id)


# ---------------------------------------------------------------------- corpus replay


def _pointer(value: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _substitute(text: str, mapping: dict[str, str]) -> str:
    for recorded, actual in mapping.items():
        text = "/".join(actual if part == recorded else part for part in text.split("/"))
    return text


def replay(client: Any, rec: dict[str, Any]) -> Any:
    """Run a record's setup steps on ``client``'s server (collections, documents and
    indexes straight on its store; transactions and HTTP steps over HTTP), then send its
    request; the response. Only the steps the cursor, query and transaction records use."""
    db = client.server.databases.get("_system").connection()
    results: list[Any] = []
    mapping: dict[str, str] = {}
    for step in rec["setup"]:
        op = step["op"]
        result: Any = None
        if op == "create_collection":
            db.create_collection(step["name"], edge=step["type"] == "edge")
        elif op == "insert":
            result = db.insert_many(step["collection"], step["documents"])
        elif op == "ensure_index":
            index = step["index"]
            db.ensure_index(
                step["collection"],
                index["fields"],
                index.get("unique", False),
                index.get("sparse", False),
            )
        elif op == "begin_transaction":
            result = client.post("/_api/transaction/begin", json=step["body"]).json()["result"]
        elif op == "http":
            path = _substitute(step["path"], mapping)
            response = client.request(step["method"], path, json=step.get("body"))
            result = {"status": response.status_code, "body": response.json()}
        else:
            raise AssertionError(f"setup step {op} is not replayed here")
        results.append(result)
        for binding in rec["bindings"]:
            if binding["step"] == len(results) - 1:
                mapping[binding["recorded"]] = str(_pointer(result, binding["pointer"]))
    request = rec["request"]
    return client.request(
        request["method"], _substitute(request["path"], mapping), json=request.get("body")
    )


def without_generated(value: Any) -> Any:
    """``value`` without the attributes a server generates (``_key``, ``_id``, ``_rev``)."""
    if isinstance(value, list):
        return [without_generated(v) for v in value]
    if isinstance(value, dict):
        return {
            k: without_generated(v) for k, v in value.items() if k not in ("_key", "_id", "_rev")
        }
    return value


def recorded(store: Path, rec: dict[str, Any]) -> tuple[int, Any, Any]:
    """Replay ``rec`` on a new server over ``store``: the status and body it answered, and
    the body ArangoDB answered."""
    with in_process(store) as client:
        response = replay(client, rec)
    return response.status_code, response.json(), rec["response"]["body"]


def error_of(response: Any) -> tuple[int, int, str]:
    """An error answer's status, error number and message (checking its shape)."""
    body = response.json()
    assert body["error"] is True and body["code"] == response.status_code
    return response.status_code, body["errorNum"], body["errorMessage"]
