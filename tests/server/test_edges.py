"""``GET /_api/edges/{collection}`` in process: a vertex's edges by direction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .data_server import TestClient, error_of, in_process

EDGES = [
    {"_key": "5", "_from": "nodes/1", "_to": "nodes/3"},
    {"_key": "6", "_from": "nodes/2", "_to": "nodes/1"},
    {"_key": "7", "_from": "nodes/4", "_to": "nodes/1"},
    {"_key": "8", "_from": "nodes/1", "_to": "nodes/1"},
    {"_key": "9", "_from": "nodes/2", "_to": "nodes/3"},
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        test_client.post("/_api/collection", json={"name": "nodes"})
        test_client.post("/_api/collection", json={"name": "edges", "type": 3})
        test_client.post("/_api/document/edges", json=EDGES)
        yield test_client


def keys(client: TestClient, **params: str) -> list[str]:
    response = client.get("/_api/edges/edges", params=params)
    assert response.status_code == 200
    body = response.json()
    assert (body["error"], body["code"]) == (False, 200)
    assert body["stats"]["scannedFull"] == 0
    return [edge["_key"] for edge in body["edges"]]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (None, ["5", "8", "6", "7"]),
        ("any", ["5", "8", "6", "7"]),
        ("out", ["5", "8"]),
        ("in", ["6", "7", "8"]),
    ],
)
def test_edges_by_direction(client: TestClient, direction: str | None, expected: list[str]) -> None:
    params = {"vertex": "nodes/1"}
    if direction is not None:
        params["direction"] = direction
    assert keys(client, **params) == expected


def test_edges_are_whole_documents(client: TestClient) -> None:
    client.patch("/_api/document/edges/6", json={"$label": "v2 -> v1"})
    edge = client.get("/_api/edges/edges", params={"vertex": "nodes/2", "direction": "out"})
    found = {e["_key"]: e for e in edge.json()["edges"]}
    assert found["6"]["$label"] == "v2 -> v1"
    assert found["6"]["_id"] == "edges/6"
    assert found["6"]["_rev"]


def test_a_vertex_without_edges_has_none(client: TestClient) -> None:
    assert keys(client, vertex="nodes/99") == []


def test_removed_edges_are_gone(client: TestClient) -> None:
    client.request("DELETE", "/_api/document/edges", json=["5", "8"])
    assert keys(client, vertex="nodes/1", direction="out") == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/_api/edges/edges", (400, 1205)),
        ("/_api/edges/edges?vertex=", (400, 1205)),
        ("/_api/edges/edges?vertex=nodes/1&direction=sideways", (400, 400)),
        ("/_api/edges/nodes?vertex=nodes/1", (400, 1218)),
        ("/_api/edges/missing?vertex=nodes/1", (404, 1203)),
    ],
)
def test_bad_requests(client: TestClient, path: str, expected: tuple[int, int]) -> None:
    assert error_of(client.get(path)) == expected
