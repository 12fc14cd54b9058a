"""``/_api/index`` for inverted indexes: ArangoDB 3.12's description, listing, dropping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .data_server import TestClient, error_of, in_process


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        test_client.post("/_api/collection", json={"name": "texts"})
        yield test_client


def add(client: TestClient, definition: dict[str, Any]) -> Any:
    return client.post("/_api/index", params={"collection": "texts"}, json=definition)


def listed(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/_api/index", params={"collection": "texts"}).json()["indexes"])


def test_create_find_list_and_drop(client: TestClient) -> None:
    client.post("/_api/document/texts", json={"title": "Running dogs"})
    response = add(
        client, {"type": "inverted", "fields": [{"name": "title", "analyzer": "text_en"}]}
    )
    assert response.status_code == 201
    made = response.json()
    assert (made["type"], made["isNewlyCreated"], made["analyzer"]) == (
        "inverted",
        True,
        "identity",
    )
    again = add(client, {"type": "inverted", "fields": [{"name": "title", "analyzer": "text_en"}]})
    assert (again.status_code, again.json()["id"]) == (200, made["id"])
    assert [i["type"] for i in listed(client)] == ["primary", "inverted"]
    number = made["id"].split("/")[1]
    found = client.get(f"/_api/index/texts/{number}").json()
    assert found["fields"] == made["fields"]
    assert client.delete(f"/_api/index/texts/{made['name']}").status_code == 200
    assert [i["type"] for i in listed(client)] == ["primary"]


@pytest.mark.parametrize(
    "definition",
    [
        {"type": "inverted", "fields": []},
        {"type": "inverted", "fields": ["a"], "analyzer": "nothing"},
        {"type": "inverted", "fields": [{"name": ""}]},
        {"type": "inverted", "fields": ["a"], "name": ""},
    ],
)
def test_a_bad_definition_is_400_10(client: TestClient, definition: dict[str, Any]) -> None:
    assert error_of(add(client, definition)) == (400, 10)
    assert len(listed(client)) == 1
