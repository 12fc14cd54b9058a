"""``/_api/index`` for geo and inverted indexes: ArangoDB 3.12's shapes, listing, finding,
dropping, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .data_server import TestClient, error_of, in_process


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        test_client.post("/_api/collection", json={"name": "places"})
        yield test_client


def add(client: TestClient, definition: dict[str, Any]) -> Any:
    return client.post("/_api/index", params={"collection": "places"}, json=definition)


def listed(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/_api/index", params={"collection": "places"}).json()["indexes"])


def test_a_geo_index_of_two_fields_is_described_as_arangodb_does(client: TestClient) -> None:
    response = add(client, {"type": "geo", "fields": ["lat", "lon"]})
    assert response.status_code == 201
    made = response.json()
    number = made["id"].split("/")[1]
    assert made == {
        "bestIndexedLevel": 17,
        "fields": ["lat", "lon"],
        "geoJson": False,
        "id": f"places/{number}",
        "isNewlyCreated": True,
        "legacyPolygons": False,
        "maxNumCoverCells": 8,
        "name": f"idx_{int(number) - 100}",
        "sparse": True,
        "type": "geo",
        "unique": False,
        "worstIndexedLevel": 4,
        "code": 201,
        "error": False,
    }
    found = client.get(f"/_api/index/places/{number}").json()
    assert {k: v for k, v in found.items() if k not in ("code", "error")} == {
        k: v for k, v in made.items() if k not in ("isNewlyCreated", "code", "error")
    }


def test_the_same_definition_finds_the_index_again(client: TestClient) -> None:
    made = add(client, {"type": "geo", "fields": ["loc"], "geoJson": True}).json()
    again = add(client, {"type": "geo", "fields": ["loc"], "geoJson": True})
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["isNewlyCreated"]) == (made["id"], False)
    other = add(client, {"type": "geo", "fields": ["loc"]})  # [lat, lon], not GeoJSON
    assert other.status_code == 201
    assert other.json()["geoJson"] is False
    assert len(listed(client)) == 3


def test_geo_and_persistent_indexes_are_listed_in_the_order_made(client: TestClient) -> None:
    add(client, {"type": "persistent", "fields": ["a"]})
    add(client, {"type": "geo1", "fields": ["loc"], "legacyPolygons": True, "name": "where"})
    add(client, {"type": "persistent", "fields": ["b"]})
    indexes = listed(client)
    assert [(i["type"], i["fields"]) for i in indexes] == [
        ("primary", ["_key"]),
        ("persistent", ["a"]),
        ("geo", ["loc"]),
        ("persistent", ["b"]),
    ]
    assert (indexes[2]["name"], indexes[2]["legacyPolygons"]) == ("where", True)
    figures = client.get("/_api/collection/places/figures").json()["figures"]
    assert figures["indexes"]["count"] == 4


def test_drop_a_geo_index_by_id_and_by_name(client: TestClient) -> None:
    first = add(client, {"type": "geo", "fields": ["lat", "lon"]}).json()
    add(client, {"type": "geo", "fields": ["loc"], "name": "by_loc"})
    client.post("/_api/document/places", json={"lat": 1, "lon": 2, "loc": [1, 2]})
    number = first["id"].split("/")[1]
    assert client.delete(f"/_api/index/places/{number}").json()["id"] == first["id"]
    assert client.delete("/_api/index/places/by_loc").status_code == 200
    assert [i["type"] for i in listed(client)] == ["primary"]
    assert error_of(client.delete(f"/_api/index/places/{number}")) == (404, 1212)
    # the collection's documents are still written and read without the index
    client.post("/_api/document/places", json={"lat": 3, "lon": 4})
    assert client.get("/_api/collection/places/count").json()["count"] == 2


def test_a_taken_name_is_1207(client: TestClient) -> None:
    add(client, {"type": "persistent", "fields": ["a"], "name": "mine"})
    assert error_of(add(client, {"type": "geo", "fields": ["loc"], "name": "mine"})) == (409, 1207)


def test_a_geo_index_of_a_missing_collection_is_1203(client: TestClient) -> None:
    response = client.post(
        "/_api/index", params={"collection": "nowhere"}, json={"type": "geo", "fields": ["l"]}
    )
    assert error_of(response) == (404, 1203)


@pytest.mark.parametrize(
    "definition",
    [
        {"type": "geo", "fields": []},
        {"type": "geo", "fields": ["a", "b", "c"]},
        {"type": "geo", "fields": "loc"},
        {"type": "geo", "fields": ["loc", "loc"]},
        {"type": "geo", "fields": ["loc", 5]},
        {"type": "geo", "fields": [""]},
        {"type": "geo", "fields": ["_id"]},
        {"type": "geo", "fields": ["points[*]"]},
        {"type": "geo", "fields": ["loc"], "geoJson": "yes"},
        {"type": "geo", "fields": ["loc"], "name": 5},
        {"type": "geo1", "fields": ["lat", "lon"]},
        {"type": "geo2", "fields": ["loc"]},
    ],
)
def test_a_bad_geo_definition_is_400_10(client: TestClient, definition: dict[str, Any]) -> None:
    assert error_of(add(client, definition)) == (400, 10)
    assert len(listed(client)) == 1


# --------------------------------------------------------------------------- inverted


def test_an_inverted_index_is_made_found_listed_and_dropped(client: TestClient) -> None:
    client.post("/_api/document/places", json={"title": "Running dogs"})
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
    found = client.get(f"/_api/index/places/{number}").json()
    assert found["fields"] == made["fields"]
    assert client.delete(f"/_api/index/places/{made['name']}").status_code == 200
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
def test_a_bad_inverted_definition_is_400_10(
    client: TestClient, definition: dict[str, Any]
) -> None:
    assert error_of(add(client, definition)) == (400, 10)
    assert len(listed(client)) == 1
