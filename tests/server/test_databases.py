"""``/_api/database`` in process: list, create, describe and drop databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .data_server import TestClient, error_of, in_process


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        yield test_client


def databases(client: TestClient) -> list[str]:
    return list(client.get("/_api/database").json()["result"])


def test_a_new_server_has_the_system_database(client: TestClient) -> None:
    assert databases(client) == ["_system"]
    assert client.get("/_api/database/user").json()["result"] == ["_system"]
    assert client.get("/_api/database/current").json() == {
        "error": False,
        "code": 200,
        "result": {"id": "1", "name": "_system", "isSystem": True, "path": "none"},
    }


def test_create_use_and_drop_a_database(client: TestClient) -> None:
    users = [{"username": "admin", "passwd": "secret", "active": True}]
    response = client.post("/_db/_system/_api/database", json={"name": "mydb", "users": users})
    assert response.status_code == 201
    assert response.json() == {"error": False, "code": 201, "result": True}
    assert databases(client) == ["_system", "mydb"]
    current = client.get("/_db/mydb/_api/database/current").json()["result"]
    assert (current["name"], current["isSystem"]) == ("mydb", False)
    assert current["id"] != "1"
    assert client.post("/_db/mydb/_api/collection", json={"name": "c"}).status_code == 200
    dropped = client.delete("/_db/_system/_api/database/mydb")
    assert dropped.json() == {"error": False, "code": 200, "result": True}
    assert databases(client) == ["_system"]
    assert error_of(client.get("/_db/mydb/_api/collection")) == (404, 1228)


def test_a_database_dropped_and_made_again_is_empty(client: TestClient) -> None:
    client.post("/_api/database", json={"name": "again"})
    client.post("/_db/again/_api/collection", json={"name": "c"})
    client.delete("/_api/database/again")
    client.post("/_api/database", json={"name": "again"})
    assert client.get("/_db/again/_api/collection").json()["result"] == []


def test_databases_outlive_the_server(tmp_path: Path) -> None:
    with in_process(tmp_path) as client:
        client.post("/_api/database", json={"name": "kept"})
    with in_process(tmp_path) as client:
        assert databases(client) == ["_system", "kept"]


@pytest.mark.parametrize(
    "name", ["1abc", "_under", "a/b", "a:b", " lead", "trail ", "", "x" * 129, "e\u0301"]
)
def test_an_invalid_name_is_1229(client: TestClient, name: str) -> None:
    response = client.post("/_api/database", json={"name": name})
    assert error_of(response) == (400, 1229)
    assert response.json()["errorMessage"].startswith("database name invalid")
    assert databases(client) == ["_system"]


@pytest.mark.parametrize("body", ['{"users": []}', '{"name": 5}', "[]", '"mydb"'])
def test_a_body_without_a_name_is_1229(client: TestClient, body: str) -> None:
    assert error_of(client.post("/_api/database", content=body)) == (400, 1229)


def test_extended_names_are_allowed(client: TestClient) -> None:
    assert client.post("/_api/database", json={"name": "Données-2024 ü"}).status_code == 201
    assert "Données-2024 ü" in databases(client)


def test_a_duplicate_name_is_1207(client: TestClient) -> None:
    client.post("/_api/database", json={"name": "twice"})
    assert error_of(client.post("/_api/database", json={"name": "twice"})) == (409, 1207)
    assert error_of(client.post("/_api/database", json={"name": "_system"})) == (409, 1207)


def test_malformed_users_are_refused(client: TestClient) -> None:
    response = client.post("/_api/database", json={"name": "u", "users": [{"passwd": "x"}]})
    assert error_of(response) == (400, 400)
    assert databases(client) == ["_system"]


def test_only_the_system_database_manages_databases(client: TestClient) -> None:
    client.post("/_api/database", json={"name": "other"})
    assert error_of(client.get("/_db/other/_api/database")) == (403, 1230)
    assert error_of(client.post("/_db/other/_api/database", json={"name": "x"})) == (403, 1230)
    assert error_of(client.delete("/_db/other/_api/database/other")) == (403, 1230)
    assert client.get("/_db/other/_api/database/user").status_code == 200
    assert databases(client) == ["_system", "other"]


def test_dropping_a_missing_or_the_system_database_is_refused(client: TestClient) -> None:
    assert error_of(client.delete("/_api/database/missing")) == (404, 1228)
    assert error_of(client.delete("/_api/database/_system")) == (403, 11)


def test_a_missing_database_in_the_path_is_1228(client: TestClient) -> None:
    assert error_of(client.get("/_db/missing/_api/database/current")) == (404, 1228)


def test_dropping_a_database_aborts_its_stream_transactions(client: TestClient) -> None:
    client.post("/_api/database", json={"name": "gone"})
    client.post("/_db/gone/_api/collection", json={"name": "products"})
    begun = client.post(
        "/_db/gone/_api/transaction/begin", json={"collections": {"write": ["products"]}}
    )
    if begun.status_code == 404:
        pytest.skip("serve has no /_api/transaction/begin yet")
    trx = {"x-arango-trx-id": begun.json()["result"]["id"]}
    assert client.post("/_db/gone/_api/document/products", json={}, headers=trx).status_code == 202
    assert client.delete("/_api/database/gone").status_code == 200
    assert error_of(client.post("/_db/gone/_api/document/products", json={}, headers=trx)) == (
        404,
        1228,
    )
    client.post("/_api/database", json={"name": "gone"})  # the same name: a new, empty database
    assert client.get("/_db/gone/_api/collection").json()["result"] == []
