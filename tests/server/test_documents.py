"""``/_api/document`` in process: single and array forms, options, preconditions, errors.

Every test starts a server on a fresh store in ``tmp_path`` and talks to it with
Starlette's TestClient; what a write leaves behind is read back through the API
(and, where it matters that nothing was written, counted).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.server.app import create_app

from .data_server import TestClient, error_of, in_process, make_server


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with in_process(tmp_path) as test_client:
        yield test_client


def make(client: TestClient, name: str = "products", **options: Any) -> None:
    response = client.post("/_api/collection", json={"name": name, **options})
    assert response.status_code == 200, response.text


def count(client: TestClient, name: str = "products") -> int:
    return int(client.get(f"/_api/collection/{name}/count").json()["count"])


def insert(client: TestClient, doc: Any, name: str = "products", **params: Any) -> Any:
    response = client.post(f"/_api/document/{name}", json=doc, params=params)
    assert response.status_code in (201, 202), response.text
    return response.json()


# ---------------------------------------------------------------------- single documents


def test_insert_answers_identity_etag_and_location(client: TestClient) -> None:
    make(client)
    response = client.post("/_api/document/products", json={"Hello": "World"})
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"_id", "_key", "_rev"}
    assert body["_id"] == f"products/{body['_key']}"
    assert response.headers["etag"] == f'"{body["_rev"]}"'
    assert response.headers["location"] == f"/_db/_system/_api/document/products/{body['_key']}"
    stored = client.get(f"/_api/document/products/{body['_key']}")
    assert stored.status_code == 200
    assert stored.json() == {**body, "Hello": "World"}
    assert stored.headers["etag"] == f'"{body["_rev"]}"'


@pytest.mark.parametrize(
    ("collection_sync", "param", "status"),
    [(False, None, 202), (False, "true", 201), (True, None, 201), (True, "false", 201)],
)
def test_a_synced_insert_answers_201(
    client: TestClient, collection_sync: bool, param: str | None, status: int
) -> None:
    make(client, waitForSync=collection_sync)
    params = {} if param is None else {"waitForSync": param}
    assert client.post("/_api/document/products", json={}, params=params).status_code == status


def test_removal_answers_200_when_synced_and_202_otherwise(client: TestClient) -> None:
    make(client, "synced", waitForSync=True)
    make(client, "lazy")
    for name, status in (("synced", 200), ("lazy", 202)):
        insert(client, {"_key": "k"}, name)
        assert client.delete(f"/_api/document/{name}/k").status_code == status


def test_return_new_and_silent(client: TestClient) -> None:
    make(client)
    body = insert(client, {"_key": "a", "x": 1}, returnNew="true")
    assert body["new"] == {"_key": "a", "_id": "products/a", "_rev": body["_rev"], "x": 1}
    silent = client.post("/_api/document/products", json={"_key": "b"}, params={"silent": "true"})
    assert silent.status_code == 202
    assert silent.json() == {}
    assert "etag" not in silent.headers
    assert count(client) == 2


def test_insert_into_a_missing_collection_is_1203(client: TestClient) -> None:
    response = client.post("/_api/document/products", json={"Hello": "World"})
    assert error_of(response) == (404, 1203)
    assert response.json()["errorMessage"] == "collection or view not found: products"


def test_insert_by_query_parameter_and_without_any_collection(client: TestClient) -> None:
    make(client)
    assert client.post("/_api/document?collection=products", json={"a": 1}).status_code == 202
    assert error_of(client.post("/_api/document", json={"a": 1})) == (400, 1204)
    assert count(client) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"a": ', (400, 600)),
        ("", (400, 600)),
        ("42", (400, 1227)),
        ("null", (400, 1227)),
        ('"text"', (400, 1227)),
    ],
)
def test_insert_of_what_is_no_document_is_refused(
    client: TestClient, body: str, expected: tuple[int, int]
) -> None:
    make(client)
    assert error_of(client.post("/_api/document/products", content=body)) == expected
    assert count(client) == 0


@pytest.mark.parametrize("key", [111, "with space", "a/b", "x" * 255, ""])
def test_an_illegal_key_is_1221(client: TestClient, key: Any) -> None:
    make(client)
    response = client.post("/_api/document/products", json={"_key": key})
    assert error_of(response) == (400, 1221)
    assert response.json()["errorMessage"] == "illegal document key"
    assert count(client) == 0


def test_a_duplicate_key_is_1210_naming_the_key(client: TestClient) -> None:
    make(client)
    insert(client, {"_key": "abc", "v": 1})
    response = client.post("/_api/document/products", json={"_key": "abc", "v": 2})
    assert error_of(response) == (409, 1210)
    assert response.json()["errorMessage"] == (
        "unique constraint violated - in index primary of type primary over '_key'; "
        "conflicting key: abc"
    )
    assert client.get("/_api/document/products/abc").json()["v"] == 1


@pytest.mark.parametrize(
    ("mode", "status", "stored"),
    [
        ("ignore", 202, {"a": 1, "b": {"x": 1}}),
        ("replace", 202, {"b": {"y": 2}, "c": None}),
        ("update", 202, {"a": 1, "b": {"x": 1, "y": 2}, "c": None}),
        ("conflict", 409, {"a": 1, "b": {"x": 1}}),
    ],
)
def test_overwrite_modes(
    client: TestClient, mode: str, status: int, stored: dict[str, Any]
) -> None:
    make(client)
    first = insert(client, {"_key": "k", "a": 1, "b": {"x": 1}})
    response = client.post(
        "/_api/document/products",
        json={"_key": "k", "b": {"y": 2}, "c": None},
        params={"overwriteMode": mode, "returnOld": "true"},
    )
    assert response.status_code == status
    doc = client.get("/_api/document/products/k").json()
    assert {k: v for k, v in doc.items() if not k.startswith("_")} == stored
    if mode in ("replace", "update"):
        body = response.json()
        assert body["_oldRev"] == first["_rev"]
        assert body["old"]["a"] == 1
        assert body["_rev"] == doc["_rev"] != first["_rev"]
    if mode == "ignore":
        assert response.json()["_rev"] == first["_rev"] == doc["_rev"]


def test_overwrite_true_replaces(client: TestClient) -> None:
    make(client)
    insert(client, {"_key": "k", "a": 1})
    insert(client, {"_key": "k", "b": 2}, overwrite="true")
    doc = client.get("/_api/document/products/k").json()
    assert "a" not in doc
    assert doc["b"] == 2


def test_overwrite_of_a_missing_document_inserts_it(client: TestClient) -> None:
    make(client)
    body = insert(client, {"_key": "k", "a": 1}, overwriteMode="update", returnOld="true")
    assert "old" not in body and "_oldRev" not in body
    assert client.get("/_api/document/products/k").json()["a"] == 1


def test_read_a_missing_document_is_1202(client: TestClient) -> None:
    make(client)
    response = client.get("/_api/document/products/unknown-identifier")
    assert error_of(response) == (404, 1202)
    assert response.json()["errorMessage"] == "document not found"
    assert error_of(client.get("/_api/document/nothere/x")) == (404, 1203)


def test_if_none_match_answers_304_for_the_current_revision(client: TestClient) -> None:
    make(client)
    rev = insert(client, {"_key": "k"})["_rev"]
    unchanged = client.get("/_api/document/products/k", headers={"If-None-Match": f'"{rev}"'})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == f'"{rev}"'
    other = client.get("/_api/document/products/k", headers={"If-None-Match": '"_other---"'})
    assert other.status_code == 200
    assert other.json()["_rev"] == rev


def test_head_answers_status_and_etag_without_a_body(client: TestClient) -> None:
    make(client)
    rev = insert(client, {"_key": "k", "big": "x" * 100})["_rev"]
    found = client.head("/_api/document/products/k")
    assert found.status_code == 200
    assert found.content == b""
    assert found.headers["etag"] == f'"{rev}"'
    assert client.head("/_api/document/products/missing").status_code == 404
    assert client.head("/_api/document/products/k", headers={"If-Match": '"x"'}).status_code == 412


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_if_match_with_another_revision_is_412_and_changes_nothing(
    client: TestClient, method: str
) -> None:
    make(client)
    first = insert(client, {"_key": "k", "v": 1})
    other = insert(client, {"_key": "other"})["_rev"]
    response = client.request(
        method,
        "/_api/document/products/k",
        headers={"If-Match": f'"{other}"'},
        content=json.dumps({"v": 2}) if method in ("PUT", "PATCH") else None,
    )
    assert response.status_code == 412
    assert response.json() == {
        "error": True,
        "code": 412,
        "errorNum": 1200,
        "errorMessage": "conflict, _rev values do not match",
        "_id": "products/k",
        "_key": "k",
        "_rev": first["_rev"],
    }
    assert response.headers["etag"] == f'"{first["_rev"]}"'
    assert client.get("/_api/document/products/k").json() == {
        "_key": "k",
        "_id": "products/k",
        "_rev": first["_rev"],
        "v": 1,
    }


def test_if_match_with_the_current_revision_proceeds(client: TestClient) -> None:
    make(client)
    rev = insert(client, {"_key": "k", "v": 1})["_rev"]
    response = client.patch(
        "/_api/document/products/k", json={"v": 2}, headers={"If-Match": rev}
    )  # python-arango sends it unquoted
    assert response.status_code == 202
    assert response.json()["_oldRev"] == rev
    assert client.get("/_api/document/products/k").json()["v"] == 2


def test_rev_in_the_body_is_checked_only_with_ignore_revs_false(client: TestClient) -> None:
    make(client)
    insert(client, {"_key": "k", "v": 1})
    stale = {"_rev": "_stale_rev-", "v": 2}
    refused = client.put("/_api/document/products/k", json=stale, params={"ignoreRevs": "false"})
    assert refused.status_code == 412
    assert client.get("/_api/document/products/k").json()["v"] == 1
    accepted = client.put("/_api/document/products/k", json=stale)
    assert accepted.status_code == 202
    assert client.get("/_api/document/products/k").json()["v"] == 2


def test_replace_answers_old_revision_and_replaces_the_body(client: TestClient) -> None:
    make(client)
    first = insert(client, {"_key": "k", "a": 1})
    response = client.put(
        "/_api/document/products/k",
        json={"_key": "ignored", "b": 2},
        params={"returnOld": "true", "returnNew": "true"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["_key"] == "k"
    assert body["_oldRev"] == first["_rev"]
    assert body["old"]["a"] == 1
    assert body["new"] == {"_key": "k", "_id": "products/k", "_rev": body["_rev"], "b": 2}
    assert response.headers["etag"] == f'"{body["_rev"]}"'
    assert client.get("/_api/document/nothere/k").status_code == 404


def test_patch_merges_and_keeps_nulls_by_default(client: TestClient) -> None:
    make(client)
    insert(client, {"_key": "k", "one": "world"})
    client.patch("/_api/document/products/k", json={"hello": "world"})
    client.patch("/_api/document/products/k", json={"numbers": {"one": 1, "two": 2, "empty": None}})
    client.patch(
        "/_api/document/products/k",
        json={"hello": None, "numbers": {"four": 4}},
        params={"keepNull": "false"},
    )
    doc = client.get("/_api/document/products/k").json()
    assert {k: v for k, v in doc.items() if not k.startswith("_")} == {
        "one": "world",
        "numbers": {"one": 1, "two": 2, "empty": None, "four": 4},
    }


def test_patch_with_merge_objects_false_replaces_objects(client: TestClient) -> None:
    make(client)
    insert(client, {"_key": "k", "inhabitants": {"china": 1, "india": 2}})
    client.patch(
        "/_api/document/products/k",
        json={"inhabitants": {"pakistan": 3}},
        params={"mergeObjects": "false"},
    )
    assert client.get("/_api/document/products/k").json()["inhabitants"] == {"pakistan": 3}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_changing_a_missing_document_is_1202(client: TestClient, method: str) -> None:
    make(client)
    response = client.request(
        method, "/_api/document/products/gone", content="{}" if method != "DELETE" else None
    )
    assert error_of(response) == (404, 1202)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_single_change_needs_an_object(client: TestClient, method: str) -> None:
    make(client)
    insert(client, {"_key": "k"})
    response = client.request(method, "/_api/document/products/k", content="[1]")
    assert error_of(response) == (400, 1227)


def test_delete_answers_the_removed_identity_and_return_old(client: TestClient) -> None:
    make(client)
    first = insert(client, {"_key": "k", "v": 1})
    response = client.delete("/_api/document/products/k", params={"returnOld": "true"})
    assert response.status_code == 202
    body = response.json()
    assert body["_rev"] == first["_rev"]
    assert body["old"]["v"] == 1
    assert response.headers["location"] == "/_db/_system/_api/document/products/k"
    assert client.get("/_api/document/products/k").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_external_versioning_is_refused(client: TestClient, method: str) -> None:
    make(client)
    insert(client, {"_key": "k", "v": 1})
    path = "/_api/document/products" + ("" if method == "POST" else "/k")
    response = client.request(
        method, path, params={"versionAttribute": "v"}, json={"_key": "k", "v": 2}
    )
    assert error_of(response) == (501, 9)
    assert client.get("/_api/document/products/k").json()["v"] == 1


def test_get_without_a_key_is_refused(client: TestClient) -> None:
    make(client)
    assert client.get("/_api/document/products").status_code == 404


# ---------------------------------------------------------------------- edges and schemas


def test_an_edge_needs_valid_from_and_to(client: TestClient) -> None:
    make(client, "links", type=3)
    good = insert(client, {"_from": "v/1", "_to": "v/2", "w": 1}, "links")
    assert client.get(f"/_api/document/links/{good['_key']}").json()["_from"] == "v/1"
    for bad in ({"_to": "v/2"}, {"_from": "v/1", "_to": "no-slash"}, {"_from": 1, "_to": "v/2"}):
        response = client.post("/_api/document/links", json=bad)
        assert error_of(response) == (400, 1233)
    assert count(client, "links") == 1


def test_replacing_an_edge_needs_its_ends_and_updating_keeps_them(client: TestClient) -> None:
    make(client, "links", type=3)
    insert(client, {"_key": "e", "_from": "v/1", "_to": "v/2"}, "links")
    assert error_of(client.put("/_api/document/links/e", json={"w": 1})) == (400, 1233)
    assert client.patch("/_api/document/links/e", json={"w": 2}).status_code == 202
    edge = client.get("/_api/document/links/e").json()
    assert (edge["_from"], edge["_to"], edge["w"]) == ("v/1", "v/2", 2)


def test_a_collection_schema_refuses_a_document_with_1620(client: TestClient) -> None:
    schema = {"rule": {"type": "object", "required": ["name"]}, "level": "strict", "message": "no"}
    make(client, schema=schema)
    response = client.post("/_api/document/products", json={"other": 1})
    assert error_of(response) == (400, 1620)
    assert response.json()["errorMessage"] == "no"
    insert(client, {"_key": "k", "name": "ok"})
    assert error_of(client.put("/_api/document/products/k", json={"x": 1})) == (400, 1620)
    assert count(client) == 1


def test_a_unique_index_refuses_a_duplicate_value(client: TestClient) -> None:
    make(client)
    created = client.post(
        "/_api/index?collection=products",
        json={"type": "persistent", "fields": ["email"], "unique": True},
    )
    assert created.status_code == 201
    insert(client, {"email": "a@x"})
    assert error_of(client.post("/_api/document/products", json={"email": "a@x"})) == (409, 1210)
    assert count(client) == 1


# ---------------------------------------------------------------------- key generators


def test_allow_user_keys_false_refuses_a_key_with_1222(client: TestClient) -> None:
    make(client, keyOptions={"allowUserKeys": False})
    assert error_of(client.post("/_api/document/products", json={"_key": "mine"})) == (400, 1222)
    generated = insert(client, {"a": 1})
    assert generated["_key"].isdigit()


def test_autoincrement_keys_follow_offset_and_increment(client: TestClient) -> None:
    make(client, keyOptions={"type": "autoincrement", "offset": 10, "increment": 5})
    keys = [insert(client, {})["_key"] for _ in range(3)]
    assert keys == ["10", "15", "20"]
    insert(client, {"_key": "42"})
    assert insert(client, {})["_key"] == "45"
    assert error_of(client.post("/_api/document/products", json={"_key": "abc"})) == (400, 1221)


def test_an_array_insert_generates_the_same_keys_as_single_ones(client: TestClient) -> None:
    make(client, keyOptions={"type": "autoincrement", "offset": 10, "increment": 5})
    made = client.post("/_api/document/products", json=[{}, {}, {"_key": "31"}, {}]).json()
    assert [item["_key"] for item in made] == ["10", "15", "31", "35"]
    failing = client.post("/_api/document/products", json=[{}, {"_key": "x"}, {}]).json()
    assert failing[1]["errorNum"] == 1221
    keys = [int(failing[0]["_key"]), int(failing[2]["_key"])]
    assert 35 < keys[0] < keys[1]  # after a failure keys may skip values, never go back
    assert all(key % 5 == 0 for key in keys)


def test_padded_keys_sort_as_they_were_made(client: TestClient) -> None:
    make(client, keyOptions={"type": "padded"})
    keys = [insert(client, {})["_key"] for _ in range(20)]
    assert all(len(k) == 16 for k in keys)
    assert keys == sorted(keys)
    assert len(set(keys)) == 20


def test_uuid_keys_are_unique(client: TestClient) -> None:
    make(client, keyOptions={"type": "uuid"})
    keys = {insert(client, {})["_key"] for _ in range(5)}
    assert len(keys) == 5
    assert all(len(k) == 36 and k.count("-") == 4 for k in keys)


# ---------------------------------------------------------------------- arrays


def test_an_array_insert_reports_each_item_and_counts_errors(client: TestClient) -> None:
    make(client)
    response = client.post(
        "/_api/document/products",
        json=[{"_key": 111}, {"_key": "abc"}, "no object", {"_key": "abc"}, {"v": 1}],
    )
    assert response.status_code == 202
    body = response.json()
    assert body[0] == {"error": True, "errorNum": 1221, "errorMessage": "illegal document key"}
    assert body[1]["_id"] == "products/abc"
    assert body[2]["errorNum"] == 1227
    assert body[3]["errorNum"] == 1210
    assert body[4]["_key"]
    assert json.loads(response.headers["x-arango-error-codes"]) == {
        "1221": 1,
        "1227": 1,
        "1210": 1,
    }
    assert count(client) == 2


def test_an_array_insert_without_errors_has_no_error_codes_header(client: TestClient) -> None:
    make(client)
    response = client.post(
        "/_api/document/products", json=[{"v": 1}, {"v": 2}], params={"returnNew": "true"}
    )
    assert "x-arango-error-codes" not in response.headers
    assert [item["new"]["v"] for item in response.json()] == [1, 2]


def test_a_silent_array_answers_only_its_errors(client: TestClient) -> None:
    make(client)
    quiet = client.post("/_api/document/products", json=[{}, {}], params={"silent": "true"})
    assert quiet.json() == {}
    failing = client.post(
        "/_api/document/products", json=[{}, {"_key": "!bad key"}], params={"silent": "true"}
    )
    assert failing.json() == [
        {"error": True, "errorNum": 1221, "errorMessage": "illegal document key"}
    ]
    assert count(client) == 3


def test_a_failed_item_leaves_nothing_behind(client: TestClient) -> None:
    """An item refused by a unique index after its row was written is undone whole."""
    make(client)
    client.post(
        "/_api/index?collection=products",
        json={"type": "persistent", "fields": ["tag"], "unique": True},
    )
    response = client.post(
        "/_api/document/products",
        json=[{"_key": "a", "tag": {"x": 1}}, {"_key": "b", "tag": {"x": 1}}, {"_key": "c"}],
    )
    assert [item.get("errorNum") for item in response.json()] == [None, 1210, None]
    assert client.get("/_api/document/products/b").status_code == 404
    assert count(client) == 2


def test_array_replace_update_and_remove(client: TestClient) -> None:
    make(client)
    client.post("/_api/document/products", json=[{"_key": "1", "v": 1}, {"_key": "2", "v": 2}])
    replaced = client.put(
        "/_api/document/products", json=[{"_key": "1", "w": 1}, {"_key": "9"}, {"w": 0}]
    )
    assert replaced.status_code == 202
    assert [item.get("errorNum") for item in replaced.json()] == [None, 1202, 1205]
    assert json.loads(replaced.headers["x-arango-error-codes"]) == {"1202": 1, "1205": 1}
    updated = client.patch("/_api/document/products", json=[{"_key": "2", "x": 2}])
    assert updated.json()[0]["_oldRev"]
    assert client.get("/_api/document/products/1").json().get("v") is None
    assert client.get("/_api/document/products/2").json()["v"] == 2
    removed = client.request(
        "DELETE", "/_api/document/products", json=["1", "products/2", "other/3"]
    )
    assert [item.get("errorNum") for item in removed.json()] == [None, None, 1202]
    assert count(client) == 0


def test_array_removal_checks_revisions_with_ignore_revs_false(client: TestClient) -> None:
    make(client)
    made = client.post("/_api/document/products", json=[{"_key": "1"}, {"_key": "2"}]).json()
    response = client.request(
        "DELETE",
        "/_api/document/products",
        params={"ignoreRevs": "false"},
        json=[{"_key": "1", "_rev": made[0]["_rev"]}, {"_key": "2", "_rev": made[0]["_rev"]}],
    )
    assert response.json()[0]["_rev"] == made[0]["_rev"]
    assert response.json()[1]["errorNum"] == 1200
    assert count(client) == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_an_array_route_needs_an_array(client: TestClient, method: str) -> None:
    make(client)
    body = "42" if method == "DELETE" else '{"_key": "x"}'
    response = client.request(method, "/_api/document/products", content=body)
    assert error_of(response) == (400, 1227)


def test_batch_read_answers_documents_and_errors_in_order(client: TestClient) -> None:
    make(client)
    client.post(
        "/_api/document/products",
        json=[{"_key": "doc1", "hello": "world"}, {"_key": "doc2", "say": "hi"}],
    )
    response = client.put(
        "/_api/document/products",
        params={"onlyget": "true"},
        json=["doc1", {"_key": "doc2"}, "missing", 7],
    )
    assert response.status_code == 200
    body = response.json()
    assert body[0]["hello"] == "world"
    assert body[1]["say"] == "hi"
    assert body[2] == {"error": True, "errorNum": 1202, "errorMessage": "document not found"}
    assert body[3]["errorNum"] == 1205
    assert count(client) == 2  # a read changes nothing


def test_batch_read_of_a_missing_collection_is_1203(client: TestClient) -> None:
    response = client.put("/_api/document/nothere", params={"onlyget": "true"}, json=["a"])
    assert error_of(response) == (404, 1203)


# ---------------------------------------------------------------------- databases and transactions


def test_documents_of_another_database_are_apart(client: TestClient) -> None:
    assert client.post("/_api/database", json={"name": "other"}).status_code == 201
    assert client.post("/_db/other/_api/collection", json={"name": "products"}).status_code == 200
    make(client)
    created = client.post("/_db/other/_api/document/products", json={"_key": "k"})
    assert created.headers["location"] == "/_db/other/_api/document/products/k"
    assert client.get("/_db/other/_api/document/products/k").status_code == 200
    assert client.get("/_api/document/products/k").status_code == 404


def test_writes_inside_a_stream_transaction_are_seen_after_commit(client: TestClient) -> None:
    make(client)
    begun = client.post("/_api/transaction/begin", json={"collections": {"write": ["products"]}})
    if begun.status_code == 404:
        pytest.skip("serve has no /_api/transaction/begin yet")
    trx = {"x-arango-trx-id": begun.json()["result"]["id"]}
    assert client.post("/_api/document/products", json={"_key": "k"}, headers=trx).status_code in (
        201,
        202,
    )
    assert (
        client.post(
            "/_api/document/products", json=[{"_key": "k"}, {"_key": "j"}], headers=trx
        ).json()[0]["errorNum"]
        == 1210
    )
    assert client.get("/_api/document/products/k", headers=trx).status_code == 200
    assert (
        client.put(
            "/_api/document/products", params={"onlyget": "true"}, json=["j"], headers=trx
        ).json()[0]["_key"]
        == "j"
    )
    assert client.put(f"/_api/transaction/{trx['x-arango-trx-id']}").status_code == 200
    assert count(client) == 2


def test_a_stream_transaction_that_aborts_leaves_nothing(client: TestClient) -> None:
    make(client)
    begun = client.post("/_api/transaction/begin", json={"collections": {"write": ["products"]}})
    if begun.status_code == 404:
        pytest.skip("serve has no /_api/transaction/begin yet")
    trx_id = begun.json()["result"]["id"]
    client.post("/_api/document/products", json=[{}, {}], headers={"x-arango-trx-id": trx_id})
    assert client.delete(f"/_api/transaction/{trx_id}").status_code == 200
    assert count(client) == 0


def test_an_unknown_transaction_is_1655(client: TestClient) -> None:
    make(client)
    response = client.post(
        "/_api/document/products", json={}, headers={"x-arango-trx-id": "123456"}
    )
    assert error_of(response)[1] == 1655
    assert count(client) == 0


# ---------------------------------------------------------------------- python-arango end to end


@pytest.fixture(scope="module")
def arango_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """python-arango's client of a server on a free loopback port (uvicorn in a thread),
    shared by the module's end-to-end tests (each uses collections of its own)."""
    import socket
    import threading
    import time

    import uvicorn
    from arango import ArangoClient

    app = create_app(make_server(tmp_path_factory.mktemp("e2e")))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    client = ArangoClient(hosts=f"http://127.0.0.1:{port}")
    try:
        yield client
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def arango_db(arango_client: Any) -> Any:
    return arango_client.db("_system", username="root", password="")


def test_python_arango_documents(arango_db: Any) -> None:
    from arango.exceptions import DocumentInsertError, DocumentRevisionError

    col = arango_db.create_collection("e2e_docs")
    made = col.insert({"_key": "a", "x": 1}, return_new=True)
    assert made["new"]["x"] == 1
    assert col.get("a")["x"] == 1
    assert col.has("a") and not col.has("zz")
    assert col.get("zz") is None
    updated = col.update({"_key": "a", "y": 2}, return_old=True)
    assert updated["_old_rev"] == made["_rev"]
    assert updated["old"] == made["new"]
    replaced = col.replace({"_key": "a", "z": 3})
    assert col.get("a") == {"_key": "a", "_id": "e2e_docs/a", "_rev": replaced["_rev"], "z": 3}
    with pytest.raises(DocumentRevisionError):
        col.update({"_key": "a", "_rev": made["_rev"], "w": 4})  # check_rev: a stale _rev
    with pytest.raises(DocumentRevisionError):
        col.delete({"_key": "a", "_rev": made["_rev"]})
    with pytest.raises(DocumentInsertError) as duplicate:
        col.insert({"_key": "a"})
    assert duplicate.value.error_code == 1210
    results = col.insert_many([{"_key": "b"}, {"_key": "a"}, {"_key": "c", "v": 1}])
    assert isinstance(results[1], DocumentInsertError)
    assert results[1].error_code == 1210
    assert [d["_key"] for d in col.get_many(["a", "b", "c", "missing"])] == ["a", "b", "c"]
    col.update_many([{"_key": "b", "v": 2}, {"_key": "c", "v": 3}])
    assert [d.get("v") for d in col.get_many(["b", "c"])] == [2, 3]
    assert col.delete("a")["_key"] == "a"
    assert col.delete("a", ignore_missing=True) is False
    col.delete_many(["b", {"_key": "c"}])
    assert col.count() == 0


def test_python_arango_collections_and_indexes(arango_db: Any) -> None:
    from arango.exceptions import CollectionCreateError, IndexCreateError

    col = arango_db.create_collection("e2e_items", sync=True, key_generator="autoincrement")
    properties = col.properties()
    assert (properties["sync"], properties["key_options"]["key_generator"]) == (
        True,
        "autoincrement",
    )
    assert {"e2e_items"} <= {c["name"] for c in arango_db.collections()}
    with pytest.raises(CollectionCreateError):
        arango_db.create_collection("e2e_items")
    index = col.add_index({"type": "persistent", "fields": ["sku"], "unique": True})
    assert index["type"] == "persistent"
    assert any(i["id"] == index["id"] for i in col.indexes())
    with pytest.raises(IndexCreateError):
        col.add_index({"type": "fulltext", "fields": ["text"]})
    assert col.add_index({"type": "geo", "fields": ["loc"], "geoJson": True})["type"] == "geo"
    col.insert_many([{"sku": "a"}, {"sku": "b"}])
    assert col.count() == 2
    assert col.statistics()["documents_size"] > 0
    assert col.delete_index(index["id"]) is True
    col.configure(sync=False, schema={"rule": {"required": ["sku"]}, "level": "strict"})
    assert col.properties()["schema"]["rule"] == {"required": ["sku"]}
    col.truncate()
    assert col.count() == 0
    assert arango_db.delete_collection("e2e_items") is True
    assert not arango_db.has_collection("e2e_items")


def test_python_arango_databases_and_import(arango_client: Any, arango_db: Any) -> None:
    assert arango_db.create_database("e2e_other") is True
    assert "e2e_other" in arango_db.databases()
    other = arango_client.db("e2e_other", username="root", password="")
    other.create_collection("e2e_import").insert({"_key": "only-there"})
    col = arango_db.create_collection("e2e_import")
    result = col.import_bulk(
        [{"_key": "a"}, {"_key": "b"}, {"_key": "a"}], halt_on_error=False, details=True
    )
    assert (result["created"], result["errors"]) == (2, 1)
    assert col.count() == 2
    assert not col.has("only-there")
    assert other.collection("e2e_import").count() == 1
    assert arango_db.delete_database("e2e_other") is True
    assert "e2e_other" not in arango_db.databases()
