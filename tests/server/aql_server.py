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


@contextlib.contextmanager
def on_port(store: Path, **config: Any) -> Iterator[str]:
    """uvicorn serving a new server over ``store`` on a free loopback port; its URL."""
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
        yield f"http://127.0.0.1:{port}"
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
