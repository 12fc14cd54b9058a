"""Helpers of the data areas' tests (databases, collections, indexes, documents, edges,
import): a server over a fresh store in process, and ArangoDB's error shape."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from arangoml_meta.server.app import Server, create_app
from arangoml_meta.server.state import ServerConfig

with warnings.catch_warnings():  # starlette's notice that it prefers httpx2
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


def make_server(store: Path) -> Server:
    """A server over ``store`` without authentication (every request is root)."""
    return Server(ServerConfig(store=store, auth=False))


@contextlib.contextmanager
def in_process(store: Path) -> Iterator[TestClient]:
    """Starlette's TestClient on a new server over ``store`` (closed at the end)."""
    with TestClient(create_app(make_server(store))) as client:
        yield client


def error_of(response: Any) -> tuple[int, int]:
    """The status and errorNum of an ArangoDB error reply (checking its shape)."""
    body = response.json()
    assert body["error"] is True
    assert body["code"] == response.status_code
    return response.status_code, body["errorNum"]


__all__ = ["TestClient", "error_of", "in_process", "make_server"]
