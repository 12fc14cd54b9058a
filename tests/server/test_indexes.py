"""``/_api/index`` in process: list, create, read and drop indexes; refused definitions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .data_server import TestClient, error_of, in_process


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        test_client.post("/_api/collection", json={"name": "products"})
        yield test_client


def add(client: TestClient, definition: dict[str, Any], collection: str = "products") -> Any:
    return client.post("/_api/index", params={"collection": collection}, json=definition)


def listed(client: TestClient, collection: str = "products") -> list[dict[str, Any]]:
    body = client.get("/_api/index", params={"collection": collection}).json()
    assert body["identifiers"] == {index["id"]: index for index in body["indexes"]}
    return list(body["indexes"])


def test_a_new_collection_has_its_primary_index(client: TestClient) -> None:
    assert listed(client) == [
        {
            "fields": ["_key"],
            "id": "products/0",
            "name": "primary",
            "selectivityEstimate": 1,
            "sparse": False,
            "type": "primary",
            "unique": True,
        }
    ]
    assert client.get("/_api/index/products/0").json()["name"] == "primary"


def test_an_edge_collection_lists_its_edge_index(client: TestClient) -> None:
    client.post("/_api/collection", json={"name": "links", "type": 3})
    indexes = listed(client, "links")
    assert [(i["type"], i["fields"]) for i in indexes] == [
        ("primary", ["_key"]),
        ("edge", ["_from", "_to"]),
    ]


def test_create_a_persistent_index_then_find_it_again(client: TestClient) -> None:
    response = add(client, {"type": "persistent", "fields": ["a", "b"], "unique": False})
    assert response.status_code == 201
    made = response.json()
    assert made["isNewlyCreated"] is True
    assert (made["type"], made["fields"], made["unique"], made["sparse"]) == (
        "persistent",
        ["a", "b"],
        False,
        False,
    )
    assert made["code"] == 201
    again = add(client, {"type": "persistent", "fields": ["a", "b"]})
    assert again.status_code == 200
    assert again.json()["isNewlyCreated"] is False
    assert again.json()["id"] == made["id"]
    assert len(listed(client)) == 2
    number = made["id"].split("/")[1]
    by_id = client.get(f"/_api/index/products/{number}").json()
    by_name = client.get(f"/_api/index/products/{made['name']}").json()
    assert by_id == by_name
    assert by_id["id"] == made["id"]


def test_sparse_named_and_legacy_types(client: TestClient) -> None:
    sparse = add(client, {"type": "persistent", "fields": ["p"], "sparse": True, "name": "by_p"})
    assert (sparse.json()["sparse"], sparse.json()["name"]) == (True, "by_p")
    for legacy in ("hash", "skiplist"):
        made = add(client, {"type": legacy, "fields": [legacy]}).json()
        assert made["type"] == "persistent"


def test_index_ids_never_clash_with_the_edge_index(client: TestClient) -> None:
    client.post("/_api/collection", json={"name": "links", "type": 3})
    made = add(client, {"type": "persistent", "fields": ["w"]}, "links").json()
    ids = [index["id"] for index in listed(client, "links")]
    assert len(set(ids)) == 3
    assert made["id"] not in ("links/0", "links/1", "links/2")
    assert client.get("/_api/index/links/1").json()["type"] == "edge"


def test_a_unique_index_cannot_be_built_over_duplicates(client: TestClient) -> None:
    client.post("/_api/document/products", json=[{"e": 1}, {"e": 1}])
    response = add(client, {"type": "persistent", "fields": ["e"], "unique": True})
    assert error_of(response) == (409, 1210)
    assert len(listed(client)) == 1


def test_drop_an_index(client: TestClient) -> None:
    made = add(client, {"type": "persistent", "fields": ["a"]}).json()
    number = made["id"].split("/")[1]
    response = client.delete(f"/_api/index/products/{number}")
    assert response.json() == {"id": made["id"], "error": False, "code": 200}
    assert len(listed(client)) == 1
    assert error_of(client.delete(f"/_api/index/products/{number}")) == (404, 1212)


def test_the_primary_index_cannot_be_dropped(client: TestClient) -> None:
    assert error_of(client.delete("/_api/index/products/0")) == (403, 11)
    assert len(listed(client)) == 1


@pytest.mark.parametrize(
    "definition",
    [
        {"type": "fulltext", "fields": ["t"]},
        {"type": "ttl", "fields": ["at"], "expireAfter": 10},
        {"type": "zkd", "fields": ["x", "y"], "fieldValueTypes": "double"},
        {"type": "mdi", "fields": ["x", "y"], "fieldValueTypes": "double"},
        {"type": "primary", "fields": ["_key"]},
        {"type": "nonsense", "fields": ["a"]},
        {"fields": ["a"]},
        {"type": "persistent"},
        {"type": "persistent", "fields": []},
        {"type": "persistent", "fields": "a"},
        {"type": "persistent", "fields": ["a", "a"]},
        {"type": "persistent", "fields": ["tags[*]"]},
        {"type": "persistent", "fields": ["a"], "unique": "yes"},
        {"type": "persistent", "fields": ["a"], "name": 5},
    ],
)
def test_an_index_the_engine_cannot_make_is_refused(
    client: TestClient, definition: dict[str, Any]
) -> None:
    assert error_of(add(client, definition)) == (400, 10)
    assert len(listed(client)) == 1


def test_a_name_taken_by_another_index_is_1207(client: TestClient) -> None:
    add(client, {"type": "persistent", "fields": ["a"], "name": "mine"})
    response = add(client, {"type": "persistent", "fields": ["b"], "name": "mine"})
    assert error_of(response) == (409, 1207)
    assert error_of(add(client, {"type": "persistent", "fields": ["b"], "name": "primary"})) == (
        409,
        1207,
    )
    assert len(listed(client)) == 2


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/_api/index", (400, 1204)),
        ("POST", "/_api/index", (400, 1204)),
        ("GET", "/_api/index?collection=missing", (404, 1203)),
        ("GET", "/_api/index/missing/0", (404, 1203)),
        ("GET", "/_api/index/products/999", (404, 1212)),
        ("DELETE", "/_api/index/products/nope", (404, 1212)),
    ],
)
def test_bad_requests(
    client: TestClient, method: str, path: str, expected: tuple[int, int]
) -> None:
    content = '{"type": "persistent", "fields": ["a"]}' if method == "POST" else None
    assert error_of(client.request(method, path, content=content)) == expected


def test_a_new_index_on_a_missing_collection_is_1203(client: TestClient) -> None:
    response = add(client, {"type": "persistent", "fields": ["a"]}, "missing")
    assert error_of(response) == (404, 1203)
