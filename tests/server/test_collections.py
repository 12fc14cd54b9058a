"""``/_api/collection`` in process: create, list, describe, change and drop collections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .data_server import TestClient, error_of, in_process

SCHEMA = {"rule": {"type": "object", "required": ["name"]}, "level": "strict", "message": "no"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        yield test_client


def create(client: TestClient, name: str = "products", **options: Any) -> dict[str, Any]:
    response = client.post("/_api/collection", json={"name": name, **options})
    assert response.status_code == 200, response.text
    return dict(response.json())


def names(client: TestClient, **params: Any) -> list[str]:
    return [c["name"] for c in client.get("/_api/collection", params=params).json()["result"]]


def test_create_answers_the_properties(client: TestClient) -> None:
    body = create(client, "testCollectionBasics")
    assert body["error"] is False and body["code"] == 200
    assert body["name"] == "testCollectionBasics"
    assert (body["type"], body["status"], body["statusString"]) == (2, 3, "loaded")
    assert body["waitForSync"] is False
    assert body["schema"] is None
    assert body["isSystem"] is False
    assert body["keyOptions"] == {"allowUserKeys": True, "type": "traditional", "lastValue": 0}
    assert body["id"].isdigit()


def test_an_edge_collection_is_type_3(client: TestClient) -> None:
    assert create(client, "links", type=3)["type"] == 3
    assert create(client, "other", type=2)["type"] == 2


def test_the_id_is_stable_and_names_the_collection(client: TestClient) -> None:
    made = create(client)
    by_name = client.get("/_api/collection/products").json()
    by_id = client.get(f"/_api/collection/{made['id']}").json()
    assert by_name == by_id
    assert by_name["id"] == made["id"]
    assert set(by_name) == {
        "error",
        "code",
        "id",
        "name",
        "status",
        "type",
        "isSystem",
        "globallyUniqueId",
    }


def test_properties_are_kept_and_echoed(tmp_path: Path) -> None:
    options = {
        "waitForSync": True,
        "cacheEnabled": True,
        "keyOptions": {"type": "autoincrement", "increment": 5, "allowUserKeys": False},
        "schema": SCHEMA,
        "numberOfShards": 3,
    }
    with in_process(tmp_path) as client:
        made = create(client, **options)
    with in_process(tmp_path) as client:  # restarted
        kept = client.get("/_api/collection/products/properties").json()
    for body in (made, kept):
        assert body["waitForSync"] is True
        assert body["cacheEnabled"] is True
        assert body["keyOptions"] == {
            "allowUserKeys": False,
            "type": "autoincrement",
            "offset": 0,
            "increment": 5,
            "lastValue": 0,
        }
        assert body["schema"] == {**SCHEMA, "type": "json"}


def test_a_duplicate_name_is_1207(client: TestClient) -> None:
    create(client)
    assert error_of(client.post("/_api/collection", json={"name": "products"})) == (409, 1207)


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": 7}, {"name": "1abc"}, {"name": "a b"}, {"name": "x" * 300}, []],
)
def test_an_illegal_name_is_1208(client: TestClient, body: Any) -> None:
    assert error_of(client.post("/_api/collection", json=body)) == (400, 1208)
    assert names(client) == []


def test_a_system_collection_needs_is_system(client: TestClient) -> None:
    assert error_of(client.post("/_api/collection", json={"name": "_mine"})) == (400, 1208)
    made = create(client, "_mine", isSystem=True)
    assert made["isSystem"] is True
    assert made["globallyUniqueId"] == "_mine"
    create(client, "users")
    assert names(client) == ["_mine", "users"]
    assert names(client, excludeSystem="true") == ["users"]
    assert error_of(client.delete("/_api/collection/_mine")) == (403, 11)
    assert client.delete("/_api/collection/_mine", params={"isSystem": "true"}).status_code == 200
    assert names(client) == ["users"]


@pytest.mark.parametrize(
    "key_options",
    [
        {"type": "snowflake"},
        {"type": "upgrade"},
        {"type": "autoincrement", "increment": 0},
        {"type": "autoincrement", "increment": 70000},
        {"type": "autoincrement", "offset": -1},
        {"allowUserKeys": "yes"},
        "traditional",
    ],
)
def test_bad_key_options_are_1232(client: TestClient, key_options: Any) -> None:
    response = client.post("/_api/collection", json={"name": "c", "keyOptions": key_options})
    assert error_of(response) == (400, 1232)
    assert names(client) == []


def test_a_schema_arangodb_would_refuse_is_1621_and_nothing_is_made(client: TestClient) -> None:
    for schema in ({"rule": "no"}, {"rule": {"type": 7}}, {"rule": {}, "level": "loose"}, 5):
        response = client.post("/_api/collection", json={"name": "c", "schema": schema})
        assert error_of(response) == (400, 1621)
    assert names(client) == []


def test_computed_values_are_refused(client: TestClient) -> None:
    response = client.post(
        "/_api/collection",
        json={"name": "c", "computedValues": [{"name": "x", "expression": "RETURN 1"}]},
    )
    assert error_of(response) == (501, 9)
    assert names(client) == []


def test_set_and_clear_a_schema(client: TestClient) -> None:
    create(client)
    changed = client.put("/_api/collection/products/properties", json={"schema": SCHEMA})
    assert changed.json()["schema"]["rule"] == SCHEMA["rule"]
    assert client.post("/_api/document/products", json={"x": 1}).json()["errorNum"] == 1620
    refused = client.put("/_api/collection/products/properties", json={"schema": {"rule": 1}})
    assert error_of(refused) == (400, 1621)
    assert client.get("/_api/collection/products/properties").json()["schema"] is not None
    cleared = client.put("/_api/collection/products/properties", json={"schema": None})
    assert cleared.json()["schema"] is None
    assert client.post("/_api/document/products", json={"x": 1}).status_code == 202


def test_set_wait_for_sync(client: TestClient) -> None:
    create(client)
    response = client.put("/_api/collection/products/properties", json={"waitForSync": True})
    assert response.status_code == 200
    assert response.json()["waitForSync"] is True
    assert response.headers["location"] == "/_db/_system/_api/collection/products/properties"
    assert client.post("/_api/document/products", json={}).status_code == 201


def test_count_figures_revision_and_checksum(client: TestClient) -> None:
    create(client)
    empty = client.get("/_api/collection/products/checksum").json()
    client.post("/_api/document/products", json=[{"_key": "a", "v": 1}, {"_key": "b"}])
    assert client.get("/_api/collection/products/count").json()["count"] == 2
    figures = client.get("/_api/collection/products/figures", params={"details": "true"}).json()
    assert figures["count"] == 2
    assert figures["figures"]["indexes"]["count"] == 1
    assert figures["figures"]["documentsSize"] > 0
    assert figures["figures"]["engine"]["documents"] == 2
    last = client.get("/_api/document/products/b").json()["_rev"]
    assert client.get("/_api/collection/products/revision").json()["revision"] == last
    full = client.get("/_api/collection/products/checksum").json()
    assert full["checksum"] != empty["checksum"]
    assert full["revision"] == last
    with_data = client.get("/_api/collection/products/checksum", params={"withData": "true"})
    assert with_data.json()["checksum"] != full["checksum"]
    again = client.get("/_api/collection/products/checksum").json()
    assert again["checksum"] == full["checksum"]  # the same documents: the same checksum
    client.patch("/_api/document/products/a", json={"v": 2})
    changed = client.get("/_api/collection/products/checksum", params={"withRevisions": "true"})
    assert changed.json()["checksum"] != full["checksum"]


def test_truncate_empties_and_keeps_the_collection(client: TestClient) -> None:
    create(client)
    client.post("/_api/document/products", json=[{}, {}, {}])
    response = client.put("/_api/collection/products/truncate")
    assert response.status_code == 200
    assert response.json()["name"] == "products"
    assert client.get("/_api/collection/products/count").json()["count"] == 0
    assert client.post("/_api/document/products", json={}).json()["_key"] == "4"


@pytest.mark.parametrize("action", ["load", "unload", "compact", "loadIndexesIntoMemory"])
def test_actions_without_an_effect_are_accepted(client: TestClient, action: str) -> None:
    create(client)
    response = client.put(f"/_api/collection/products/{action}")
    assert response.status_code == 200
    assert response.headers["location"] == f"/_db/_system/_api/collection/products/{action}"


def test_load_answers_the_count(client: TestClient) -> None:
    create(client)
    client.post("/_api/document/products", json=[{}, {}])
    assert client.put("/_api/collection/products/load").json()["count"] == 2


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("PUT", "/_api/collection", (400, 400)),
        ("PUT", "/_api/collection/products/unknown", (400, 400)),
        ("GET", "/_api/collection/products/unknown", (400, 400)),
        ("GET", "/_api/collection/products/shards", (501, 1471)),
        ("GET", "/_api/collection/missing", (404, 1203)),
        ("GET", "/_api/collection/missing/properties", (404, 1203)),
        ("PUT", "/_api/collection/missing/truncate", (404, 1203)),
        ("DELETE", "/_api/collection/missing", (404, 1203)),
    ],
)
def test_bad_requests(
    client: TestClient, method: str, path: str, expected: tuple[int, int]
) -> None:
    create(client)
    assert error_of(client.request(method, path)) == expected


def test_bad_properties_body_is_refused(client: TestClient) -> None:
    create(client)
    assert error_of(client.put("/_api/collection/products/properties", content="[1]")) == (
        400,
        400,
    )
    assert error_of(client.put("/_api/collection/products/properties", content="{")) == (
        400,
        600,
    )


def test_drop_answers_the_id_and_forgets_the_collection(client: TestClient) -> None:
    made = create(client)
    client.post("/_api/document/products", json={})
    response = client.delete(f"/_api/collection/{made['id']}")
    assert response.json() == {"error": False, "code": 200, "id": made["id"]}
    assert client.get("/_api/collection/products").status_code == 404
    again = create(client, waitForSync=False)
    assert again["waitForSync"] is False
    assert client.get("/_api/collection/products/count").json()["count"] == 0


def test_a_dropped_collections_properties_do_not_pass_to_a_new_one(client: TestClient) -> None:
    create(client, "first", waitForSync=True)
    client.delete("/_api/collection/first")
    assert create(client, "second")["waitForSync"] is False


def test_key_generators(client: TestClient) -> None:
    body = client.get("/_api/key-generators").json()
    assert sorted(body["keyGenerators"]) == [
        "autoincrement",
        "padded",
        "traditional",
        "upgrade",  # ArangoDB's internal one, listed as ArangoDB lists it, never accepted
        "uuid",
    ]


def test_collections_of_a_database_are_its_own(client: TestClient) -> None:
    client.post("/_api/database", json={"name": "other"})
    client.post("/_db/other/_api/collection", json={"name": "only_there"})
    assert names(client) == []
    listed = client.get("/_db/other/_api/collection").json()["result"]
    assert [c["name"] for c in listed] == ["only_there"]
    located = client.get("/_db/other/_api/collection/only_there/count")
    assert located.headers["location"] == "/_db/other/_api/collection/only_there/count"


# --------------------------------------------------------------------------- rename


def test_rename_keeps_documents_indexes_properties_and_graphs(client: TestClient) -> None:
    made = create(client, "products1", keyOptions={"type": "padded"})
    client.post("/_api/document/products1", json={"_key": "a", "n": 1})
    client.post("/_api/index?collection=products1", json={"type": "persistent", "fields": ["n"]})
    client.post("/_api/collection", json={"name": "links", "type": 3})
    graph = {"name": "g", "edgeDefinitions": [
        {"collection": "links", "from": ["products1"], "to": ["products1"]}]}  # fmt: skip
    assert client.post("/_api/gharial", json=graph).status_code in (201, 202)
    response = client.put("/_api/collection/products1/rename", json={"name": "products2"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["id"], body["type"], body["isSystem"]) == (
        "products2", made["id"], 2, False)  # fmt: skip
    assert client.get("/_api/document/products2/a").json()["n"] == 1
    assert error_of(client.get("/_api/collection/products1")) == (404, 1203)
    fields = [i["fields"] for i in client.get("/_api/index?collection=products2").json()["indexes"]]
    assert ["n"] in fields
    properties = client.get("/_api/collection/products2/properties").json()
    assert properties["keyOptions"]["type"] == "padded"
    definition = client.get("/_api/gharial/g").json()["graph"]["edgeDefinitions"][0]
    assert (definition["from"], definition["to"]) == (["products2"], ["products2"])
    rows = client.post("/_api/cursor", json={"query": "FOR d IN products2 RETURN d._id"}).json()[
        "result"
    ]
    assert rows == ["products2/a"]


def test_rename_refuses_taken_bad_and_system_names(client: TestClient) -> None:
    create(client, "one")
    create(client, "two")
    assert error_of(client.put("/_api/collection/one/rename", json={"name": "two"})) == (409, 1207)
    assert error_of(client.put("/_api/collection/one/rename", json={})) == (400, 1208)
    assert error_of(client.put("/_api/collection/one/rename", json={"name": "a/b"})) == (400, 1208)
    assert error_of(client.put("/_api/collection/one/rename", json={"name": "_x"})) == (400, 1208)
    assert error_of(client.put("/_api/collection/nope/rename", json={"name": "x"})) == (404, 1203)
    system = client.post("/_api/collection", json={"name": "_sys", "isSystem": True})
    assert system.status_code == 200
    assert error_of(client.put("/_api/collection/_sys/rename", json={"name": "plain"})) == (403, 11)
    assert {"one", "two"} <= set(names(client))


def test_aql_insert_keys_documents_by_the_collections_key_generator(client: TestClient) -> None:
    create(client, "padded", keyOptions={"type": "padded"})
    create(client, "counted", keyOptions={"type": "autoincrement", "offset": 10, "increment": 5})
    create(client, "closed", keyOptions={"allowUserKeys": False})
    client.post("/_api/document/counted", json={})
    rows = client.post(
        "/_api/cursor",
        json={"query": "FOR i IN 1..3 INSERT {i} INTO counted RETURN NEW._key"},
    ).json()["result"]
    assert rows == ["15", "20", "25"]
    keys = client.post(
        "/_api/cursor", json={"query": "FOR i IN 1..3 INSERT {i} INTO padded RETURN NEW._key"}
    ).json()["result"]
    assert keys == sorted(keys) and all(len(k) == 16 for k in keys)
    refused = client.post("/_api/cursor", json={"query": "INSERT {_key: 'mine'} INTO closed"})
    assert error_of(refused) == (400, 1222)
    assert client.post("/_api/cursor", json={"query": "INSERT {} INTO closed"}).status_code == 201
