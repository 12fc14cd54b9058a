"""``POST /_api/import`` in process: the body formats, onDuplicate, complete, details."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .data_server import TestClient, error_of, in_process

DOCS = [
    {"_key": "abc", "value1": 25, "value2": "test", "allowed": True},
    {"_key": "foo", "name": "baz"},
    {"name": {"detailed": "detailed name", "short": "short name"}},
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        test_client.post("/_api/collection", json={"name": "products"})
        test_client.post("/_api/collection", json={"name": "links", "type": 3})
        yield test_client


def run(client: TestClient, body: str, **params: Any) -> Any:
    return client.post(
        "/_api/import", params={"collection": "products", **params}, content=body.encode()
    )


def counts(response: Any) -> tuple[int, int, int, int, int]:
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["error"] is False
    return body["created"], body["errors"], body["empty"], body["updated"], body["ignored"]


def count(client: TestClient, collection: str = "products") -> int:
    return int(client.get(f"/_api/collection/{collection}/count").json()["count"])


def get(client: TestClient, key: str) -> dict[str, Any]:
    response = client.get(f"/_api/document/products/{key}")
    assert response.status_code == 200
    return {k: v for k, v in response.json().items() if not k.startswith("_")}


@pytest.mark.parametrize("kind", ["list", "array", "auto"])
def test_a_json_array(client: TestClient, kind: str) -> None:
    assert counts(run(client, json.dumps(DOCS), type=kind)) == (3, 0, 0, 0, 0)
    assert get(client, "abc") == {"value1": 25, "value2": "test", "allowed": True}
    assert count(client) == 3


@pytest.mark.parametrize("kind", ["documents", "auto"])
def test_json_lines_count_empty_lines(client: TestClient, kind: str) -> None:
    body = "\n".join(json.dumps(d) for d in DOCS[:2]) + "\n\n  \n" + json.dumps(DOCS[2]) + "\n"
    assert counts(run(client, body, type=kind)) == (3, 0, 2, 0, 0)
    assert get(client, "foo") == {"name": "baz"}


def test_rows_under_a_header_line(client: TestClient) -> None:
    body = '[ "_key", "value1", "value2" ]\n[ "abc", 25, "test" ]\n\n[ "foo", null, "baz" ]'
    assert counts(run(client, body)) == (2, 0, 1, 0, 0)
    assert get(client, "abc") == {"value1": 25, "value2": "test"}
    assert get(client, "foo") == {"value2": "baz"}  # a null value is left out


def test_bad_rows_are_reported_by_line(client: TestClient) -> None:
    body = '["_key", "v"]\n["a", 1]\n["b"]\n{"c": 1}\n[oops\n["d", 4]'
    response = run(client, body, details="true")
    assert counts(response) == (2, 3, 0, 0, 0)
    assert response.json()["details"] == [
        "at position 2: wrong number of JSON values (got 1, expected 2)",
        "at position 3: no valid JSON array data",
        "at position 4: invalid JSON type (expecting object, probably parse error), "
        "offending context: [oops",
    ]


def test_duplicates_are_reported_with_details(client: TestClient) -> None:
    body = '{ "_key": "abc", "value1": 25 }\n{ "_key": "abc", "value1": "bar", "value2": "baz" }'
    response = run(client, body, type="documents", details="true")
    assert counts(response) == (1, 1, 0, 0, 0)
    assert response.json()["details"] == [
        "at position 1: creating document failed with error 'unique constraint violated', "
        'offending document: {"_key":"abc","value1":"bar","value2":"baz"}'
    ]
    assert get(client, "abc") == {"value1": 25}


def test_without_details_there_are_none(client: TestClient) -> None:
    response = run(client, json.dumps([{"_key": "a"}, {"_key": "a"}]), type="list")
    assert "details" not in response.json()


@pytest.mark.parametrize(
    ("on_duplicate", "expected_counts", "expected_doc"),
    [
        ("error", (0, 1, 0, 0, 0), {"a": 1, "b": {"x": 1}}),
        ("ignore", (0, 0, 0, 0, 1), {"a": 1, "b": {"x": 1}}),
        ("update", (0, 0, 0, 1, 0), {"a": 1, "b": {"x": 1, "y": 2}}),
        ("replace", (0, 0, 0, 1, 0), {"b": {"y": 2}}),
    ],
)
def test_on_duplicate(
    client: TestClient,
    on_duplicate: str,
    expected_counts: tuple[int, ...],
    expected_doc: dict[str, Any],
) -> None:
    client.post("/_api/document/products", json={"_key": "k", "a": 1, "b": {"x": 1}})
    body = json.dumps([{"_key": "k", "b": {"y": 2}}])
    assert counts(run(client, body, type="list", onDuplicate=on_duplicate)) == expected_counts
    assert get(client, "k") == expected_doc


def test_complete_imports_all_or_nothing(client: TestClient) -> None:
    body = '{ "_key": "abc", "value1": 25 }\n{ "_key": "abc", "value1": "bar" }'
    response = run(client, body, type="documents", complete="true")
    assert response.status_code == 409
    assert response.json() == {
        "code": 409,
        "error": True,
        "errorMessage": "unique constraint violated",
        "errorNum": 1210,
    }
    assert count(client) == 0


def test_complete_refuses_a_body_with_a_bad_line(client: TestClient) -> None:
    response = run(client, '{"a": 1}\n[1]', type="documents", complete="true")
    assert response.status_code == 400
    assert response.json()["errorNum"] == 1227
    assert count(client) == 0


def test_overwrite_empties_the_collection_first(client: TestClient) -> None:
    client.post("/_api/document/products", json=[{"_key": "old"}, {"_key": "abc"}])
    assert counts(run(client, json.dumps(DOCS), type="list", overwrite="true")) == (3, 0, 0, 0, 0)
    assert count(client) == 3
    assert client.get("/_api/document/products/old").status_code == 404


def test_edges_need_from_and_to(client: TestClient) -> None:
    body = '[ "name" ]\n[ "some name" ]\n[ "other name" ]'
    response = client.post(
        "/_api/import", params={"collection": "links", "details": "true"}, content=body
    )
    assert counts(response) == (0, 2, 0, 0, 0)
    assert response.json()["details"] == [
        "at position 1: missing '_from' or '_to' attribute, offending document: "
        '{"name":"some name"}',
        "at position 2: missing '_from' or '_to' attribute, offending document: "
        '{"name":"other name"}',
    ]
    assert count(client, "links") == 0


def test_edge_prefixes_complete_bare_keys(client: TestClient) -> None:
    body = '{"_key": "e1", "_from": "1", "_to": "other/2"}\n{"_key": "e2", "_from": 3, "_to": "4"}'
    response = client.post(
        "/_api/import",
        params={
            "collection": "links",
            "type": "documents",
            "fromPrefix": "nodes",
            "toPrefix": "v/",
        },
        content=body,
    )
    assert counts(response) == (2, 0, 0, 0, 0)
    e1 = client.get("/_api/document/links/e1").json()
    e2 = client.get("/_api/document/links/e2").json()
    assert (e1["_from"], e1["_to"]) == ("nodes/1", "other/2")
    assert (e2["_from"], e2["_to"]) == ("nodes/3", "v/4")


def test_invalid_edge_handles_fail_when_written(client: TestClient) -> None:
    body = json.dumps([{"_from": "a/1", "_to": "nothing"}, {"_from": "a/1", "_to": "b/2"}])
    response = client.post(
        "/_api/import",
        params={"collection": "links", "type": "list", "details": "true"},
        content=body,
    )
    assert counts(response) == (1, 1, 0, 0, 0)
    assert "invalid edge attribute" in response.json()["details"][0]


def test_documents_that_are_no_objects_are_reported(client: TestClient) -> None:
    response = run(client, json.dumps([1, {"a": 1}, "x"]), type="list", details="true")
    assert counts(response) == (1, 2, 0, 0, 0)
    assert response.json()["details"][0] == (
        "at position 1: invalid JSON type (expecting object), offending document: 1"
    )


def test_key_options_apply_to_imports(client: TestClient) -> None:
    client.post("/_api/collection", json={"name": "strict", "keyOptions": {"allowUserKeys": False}})
    response = client.post(
        "/_api/import",
        params={"collection": "strict", "type": "list"},
        content=json.dumps([{"_key": "mine"}, {"v": 1}]),
    )
    assert counts(response) == (1, 1, 0, 0, 0)


@pytest.mark.parametrize(
    ("params", "body", "expected"),
    [
        ({"type": "list"}, "[]", (400, 1204)),
        ({"collection": "missing", "type": "list"}, "[]", (404, 1203)),
        ({"collection": "products", "type": "csv"}, "[]", (400, 10)),
        ({"collection": "products", "type": "list"}, '{"a": 1}', (400, 400)),
        ({"collection": "products", "type": "list"}, "[{", (400, 400)),
        ({"collection": "products"}, '["a"]', (400, 400)),
        ({"collection": "products"}, '{"a": 1}\n[1]', (400, 400)),
    ],
)
def test_bad_requests(
    client: TestClient, params: dict[str, str], body: str, expected: tuple[int, int]
) -> None:
    assert error_of(client.post("/_api/import", params=params, content=body)) == expected
    assert count(client) == 0
