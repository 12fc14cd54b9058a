"""Users and their grants: ``/_api/user`` of ``arangoml-meta serve`` against ArangoDB 3.12.

The recorded exchanges of area ``user`` (``../shared/http-conformance/``) are replayed
and compared by the corpus's rules; the rest pins what the recordings do not show: bad
input, who may do what, how levels resolve (the examples of ArangoDB's user management
documentation), persistence, and python-arango's user management end to end.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.server.app import Server, create_app
from arangoml_meta.server.grants import Grants, Level, level_of
from arangoml_meta.server.users import TABLE

from .test_auth import (
    ROOT,
    ROOT_PASSWORD,
    Live,
    TestClient,
    add_collection,
    add_database,
    add_user,
    arango_error,
    client,
    live,
    make_server,
    server,
)

__all__ = ["client", "live", "server"]  # fixtures shared with test_auth.py

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "http-conformance"


def corpus_records(area: str) -> list[dict[str, Any]]:
    path = CORPUS / "http-corpus.jsonl"
    if not path.is_file():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r["area"] == area and r["deployment"] == "single"]


USER_RECORDS = corpus_records("user")


def run_setup(client: TestClient, server: Server, step: dict[str, Any]) -> None:
    op = step["op"]
    if op == "create_collection":
        edge = step.get("type") == "edge"
        server.databases.get("_system").connection().create_collection(step["name"], edge)
        return
    if op == "create_user":
        body = {"user": step["user"], "passwd": step.get("passwd") or ""}
        if step.get("active") is not None:
            body["active"] = step["active"]
        if step.get("extra") is not None:
            body["extra"] = step["extra"]
        response = client.post("/_api/user", json=body, auth=ROOT)
    elif op in ("grant_database", "grant_collection"):
        path = f"/_api/user/{quote(step['user'])}/database/{quote(step['database'])}"
        if op == "grant_collection":
            path += "/" + quote(step["collection"])
        response = client.put(path, json={"grant": step["grant"]}, auth=ROOT)
    else:
        pytest.fail(f"setup op {op} is not one of area user's")
    assert response.is_success, response.text


def quote(part: str) -> str:
    return urllib.parse.quote(part, safe="@")


def same_body(expected: Any, actual: Any, record: dict[str, Any]) -> None:
    """The corpus's rules ``exact`` and ``listing`` (no volatile body path in area user)."""
    assert not [v for v in record.get("volatile", []) if v["path"].startswith("/body")]
    listing = record.get("listing")
    if record["compare"] == "listing" and listing is not None:
        member = listing["path"].split("/")[-1]
        key = listing["key"]
        by_key = {entry[key]: entry for entry in actual[member]}
        for entry in expected[member]:
            if entry[key] in listing["entries"]:
                assert by_key.get(entry[key]) == entry
        expected = {k: v for k, v in expected.items() if k != member}
        actual = {k: v for k, v in actual.items() if k != member}
    assert actual == expected


@pytest.mark.skipif(not USER_RECORDS, reason="../shared/http-conformance is not here")
@pytest.mark.parametrize("record", USER_RECORDS, ids=[r["id"] for r in USER_RECORDS])
def test_the_recorded_exchanges_of_area_user(
    record: dict[str, Any], client: TestClient, server: Server
) -> None:
    for step in record["setup"]:
        run_setup(client, server, step)
    request = record["request"]
    response = client.request(
        request["method"],
        request["path"],
        json=request.get("body"),
        headers=request.get("headers", {}),
        auth=ROOT,
    )
    expected = record["response"]
    assert response.status_code == expected["status"], response.text
    media = expected["headers"]["content-type"].split(";")[0]
    if expected["body_format"] == "json":
        assert response.headers["content-type"].split(";")[0] == media
        same_body(expected["body"], response.json(), record)


# --- creating, reading, changing, deleting users --------------------------------------


def test_a_new_user_is_active_without_grants(client: TestClient) -> None:
    response = client.post(
        "/_api/user", json={"user": "ann", "passwd": "pw", "extra": {"team": "ml"}}, auth=ROOT
    )
    assert response.status_code == 201
    assert response.json() == {
        "user": "ann",
        "active": True,
        "extra": {"team": "ml"},
        "error": False,
        "code": 201,
    }
    levels = client.get("/_api/user/ann/database", auth=ROOT).json()
    assert levels == {"error": False, "code": 200, "result": {}}


@pytest.mark.parametrize(
    ("body", "status", "error_num"),
    [
        ({"passwd": "x"}, 400, 1700),
        ({"user": "", "passwd": "x"}, 400, 1700),
        ({"user": 7, "passwd": "x"}, 400, 1700),
        ({"user": "root", "passwd": "x"}, 409, 1702),
        ({"user": "ann", "passwd": 1234}, 400, 10),
        ({"user": "ann", "active": "yes"}, 400, 10),
        ({"user": "ann", "extra": "x"}, 400, 10),
        (["ann"], 400, 10),
    ],
)
def test_a_user_that_cannot_be_made_is_refused(
    client: TestClient, body: Any, status: int, error_num: int
) -> None:
    response = client.post("/_api/user", json=body, auth=ROOT)
    assert (response.status_code, response.json()["errorNum"]) == (status, error_num)
    users = client.get("/_api/user", auth=ROOT).json()["result"]
    assert [u["user"] for u in users] == ["root"]


def test_a_body_that_is_not_json_is_refused(client: TestClient) -> None:
    response = client.post("/_api/user", content=b'{"user": "ann"', auth=ROOT)
    assert (response.status_code, response.json()["errorNum"]) == (400, 600)


def test_unknown_users_are_not_found(client: TestClient) -> None:
    for response in (
        client.get("/_api/user/nobody", auth=ROOT),
        client.patch("/_api/user/nobody", json={"active": False}, auth=ROOT),
        client.put("/_api/user/nobody", json={"passwd": "x"}, auth=ROOT),
        client.delete("/_api/user/nobody", auth=ROOT),
        client.put("/_api/user/nobody/database/_system", json={"grant": "rw"}, auth=ROOT),
        client.get("/_api/user/nobody/database", auth=ROOT),
    ):
        assert response.status_code == 404
        assert response.json() == arango_error(404, 1703, "user not found")
    assert client.get("/_api/user/nobody/database/_system", auth=ROOT).json()["result"] == "none"


def test_patch_changes_what_is_given(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="rw")
    body = {"active": False, "extra": {"team": "ml"}}
    response = client.patch("/_api/user/ann", json=body, auth=ROOT)
    assert response.json()["active"] is False and response.json()["extra"] == {"team": "ml"}
    response = client.patch("/_api/user/ann", json={"active": True, "extra": {}}, auth=ROOT)
    assert response.json()["extra"] == {"team": "ml"}  # an empty extra changes nothing
    assert client.get("/_api/user/ann/database/_system", auth=ROOT).json()["result"] == "rw"
    assert client.get("/_api/version", auth=("ann", "pw-ann")).status_code == 200


def test_put_replaces_a_user_and_its_grants(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="rw")
    response = client.put("/_api/user/ann", json={"passwd": "new", "extra": {"a": 1}}, auth=ROOT)
    assert response.status_code == 200
    assert response.json()["extra"] == {"a": 1}
    assert client.get("/_api/user/ann/database/_system", auth=ROOT).json()["result"] == "none"
    assert client.post("/_api/user/ann", json={"passwd": "new"}, auth=ROOT).json()["result"]


def test_root_keeps_its_access_when_replaced(client: TestClient) -> None:
    response = client.put("/_api/user/root", json={"passwd": ROOT_PASSWORD}, auth=ROOT)
    assert response.status_code == 200
    assert client.get("/_api/user/root/database/_system", auth=ROOT).json()["result"] == "rw"
    assert client.get("/_api/user", auth=ROOT).status_code == 200


def test_delete_removes_a_user_but_never_root(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    response = client.delete("/_api/user/ann", auth=ROOT)
    assert (response.status_code, response.json()) == (202, {"error": False, "code": 202})
    assert client.get("/_api/user/ann", auth=ROOT).status_code == 404
    response = client.delete("/_api/user/root", auth=ROOT)
    assert (response.status_code, response.json()["errorNum"]) == (403, 11)


def test_head_reads_and_never_changes(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    assert client.head("/_api/user/ann", auth=ROOT).status_code == 200
    assert client.head("/_api/user/nobody", auth=ROOT).status_code == 404
    assert client.get("/_api/user/ann", auth=ROOT).status_code == 200


def test_checking_a_password(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    good = client.post("/_api/user/ann", json={"passwd": "pw-ann"}, auth=ROOT)
    assert good.json() == {"error": False, "code": 200, "result": True}
    bad = client.post("/_api/user/ann", json={"passwd": "nope"}, auth=ROOT)
    assert (bad.status_code, bad.json()["errorNum"]) == (404, 1703)


@pytest.mark.parametrize("name", ["team/ml ann@example.com", "ml: ann", "änn %2F"])
def test_any_name_can_be_addressed_percent_encoded(client: TestClient, name: str) -> None:
    assert client.post("/_api/user", json={"user": name, "passwd": "x"}, auth=ROOT).is_success
    path = "/_api/user/" + urllib.parse.quote(name, safe="")
    assert client.get(path, auth=ROOT).json()["user"] == name
    assert client.put(path + "/database/_system", json={"grant": "ro"}, auth=ROOT).is_success
    assert client.get(path + "/database/_system", auth=ROOT).json()["result"] == "ro"
    token = client.post("/_open/auth", json={"username": name, "password": "x"}).json()["jwt"]
    assert client.get(path, headers={"authorization": f"bearer {token}"}).status_code == 200
    # HTTP basic cannot carry a name with a colon (RFC 7617): the name ends at the first one
    expected = 401 if ":" in name else 200
    assert client.get("/_api/version", auth=(name, "x")).status_code == expected


# --- who may manage whom ---------------------------------------------------------------


def test_only_an_administrator_manages_other_users(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="ro")
    add_user(client, "bob", "pw-bob", _system="ro")
    ann = ("ann", "pw-ann")
    for response, error_num in (
        (client.get("/_api/user", auth=ann), 403),
        (client.get("/_api/user/bob", auth=ann), 403),
        (client.get("/_api/user/bob/database", auth=ann), 403),
        (client.post("/_api/user", json={"user": "c"}, auth=ann), 11),
        (client.patch("/_api/user/bob", json={"active": False}, auth=ann), 11),
        (client.put("/_api/user/bob", json={"passwd": ""}, auth=ann), 11),
        (client.delete("/_api/user/bob", auth=ann), 11),
        (client.put("/_api/user/ann/database/_system", json={"grant": "rw"}, auth=ann), 11),
        (client.delete("/_api/user/ann/database/_system", auth=ann), 11),
        (client.post("/_api/user/bob", json={"passwd": "pw-bob"}, auth=ann), 11),
    ):
        assert response.status_code == 403
        assert response.json()["errorNum"] == error_num
    assert client.get("/_api/user/bob", auth=ROOT).json()["active"] is True


def test_a_user_manages_their_own_record(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="ro")
    ann = ("ann", "pw-ann")
    assert client.get("/_api/user/ann", auth=ann).json()["user"] == "ann"
    assert client.get("/_api/user/ann/database", auth=ann).json()["result"] == {"_system": "ro"}
    assert client.patch("/_api/user/ann", json={"passwd": "pw-new"}, auth=ann).is_success
    assert client.get("/_api/user/ann", auth=("ann", "pw-new")).status_code == 200


def test_a_user_keeps_a_config_of_their_own(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="ro")
    ann = ("ann", "pw-ann")
    assert client.get("/_api/user/ann/config", auth=ann).json()["result"] is None
    assert client.put("/_api/user/ann/config/theme", json={"value": "dark"}, auth=ann).is_success
    assert client.put("/_api/user/ann/config/rows", json={"value": 50}, auth=ann).is_success
    config = client.get("/_api/user/ann/config", auth=ann).json()["result"]
    assert config == {"theme": "dark", "rows": 50}
    assert client.get("/_api/user/ann/config/rows", auth=ann).json()["result"] == 50
    assert client.delete("/_api/user/ann/config/rows", auth=ann).is_success
    assert client.put("/_api/user/ann/config/theme", json={"other": 1}, auth=ann).is_success
    assert client.get("/_api/user/ann/config", auth=ann).json()["result"] is None
    assert client.put("/_api/user/root/config/x", json={"value": 1}, auth=ann).status_code == 403


# --- grants ---------------------------------------------------------------------------


def test_a_collection_grant_needs_the_collection(server: Server, client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    add_collection(server, "reports")
    rw = {"grant": "rw"}
    for path, status, error_num in (
        ("/_api/user/ann/database/nowhere/reports", 404, 1228),
        ("/_api/user/ann/database/_system/missing", 404, 1203),
        ("/_api/user/ann/database/_system/_users", 400, 10),
        ("/_api/user/ann/database/*/reports", 400, 10),
    ):
        response = client.put(path, json=rw, auth=ROOT)
        assert (response.status_code, response.json()["errorNum"]) == (status, error_num), path
    assert client.put("/_api/user/ann/database/*/*", json=rw, auth=ROOT).is_success
    response = client.delete("/_api/user/ann/database/_system/missing", auth=ROOT)
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{"grant": "admin"}, {"grant": 1}, {}, ["rw"], None])
def test_a_grant_must_be_rw_ro_or_none(client: TestClient, body: Any) -> None:
    add_user(client, "ann", "pw-ann")
    response = client.put("/_api/user/ann/database/_system", json=body, auth=ROOT)
    assert (response.status_code, response.json()["errorNum"]) == (400, 10)
    assert client.get("/_api/user/ann/database/_system", auth=ROOT).json()["result"] == "none"


def test_root_cannot_lose_its_system_access(client: TestClient) -> None:
    for response in (
        client.put("/_api/user/root/database/_system", json={"grant": "ro"}, auth=ROOT),
        client.delete("/_api/user/root/database/_system", auth=ROOT),
        client.put("/_api/user/root/database/_system/*", json={"grant": "ro"}, auth=ROOT),
        client.delete("/_api/user/root/database/_system/*", auth=ROOT),
    ):
        assert (response.status_code, response.json()["errorNum"]) == (403, 11)
    assert client.get("/_api/user/root/database/_system", auth=ROOT).json()["result"] == "rw"


def test_the_full_listing_shows_configured_levels(server: Server, client: TestClient) -> None:
    add_database(server, "team")
    add_collection(server, "reports", "team")
    add_user(client, "ann", "pw-ann", team="ro")
    rw = {"grant": "rw"}
    assert client.put("/_api/user/ann/database/team/reports", json=rw, auth=ROOT).is_success
    full = client.get("/_api/user/ann/database?full=true", auth=ROOT).json()["result"]
    assert full == {
        "_system": {"permission": "undefined", "collections": {"*": "undefined"}},
        "team": {"permission": "ro", "collections": {"reports": "rw", "*": "undefined"}},
        "*": {"permission": "none"},
    }
    short = client.get("/_api/user/ann/database", auth=ROOT).json()["result"]
    assert short == {"team": "ro"}


def test_users_and_grants_survive_a_restart(tmp_path: Path) -> None:
    first = make_server(tmp_path / "s")
    with TestClient(create_app(first)) as client:
        add_user(client, "ann", "pw-ann", _system="ro")
    first.close()
    second = make_server(tmp_path / "s")
    with TestClient(create_app(second)) as client:
        assert client.get("/_api/user/ann/database/_system", auth=ROOT).json()["result"] == "ro"
        assert client.get("/_api/version", auth=("ann", "pw-ann")).status_code == 200
    second.close()


def test_a_hash_of_older_parameters_is_renewed_at_login(tmp_path: Path) -> None:
    from argon2 import PasswordHasher

    first = make_server(tmp_path / "s")
    with TestClient(create_app(first)) as client:
        add_user(client, "ann", "pw-ann", _system="ro")
    first.close()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("pw-ann")
    with sqlite3.connect(tmp_path / "s" / "store.db") as conn:
        query = f"SELECT record FROM {TABLE} WHERE name = 'ann'"
        record = json.loads(conn.execute(query).fetchone()[0])
        conn.execute(
            f"UPDATE {TABLE} SET record = ? WHERE name = 'ann'",
            (json.dumps({**record, "hash": weak}),),
        )
    second = make_server(tmp_path / "s")
    with TestClient(create_app(second)) as client:
        assert client.get("/_api/version", auth=("ann", "pw-ann")).status_code == 200
    second.close()
    with sqlite3.connect(tmp_path / "s" / "store.db") as conn:
        rows = dict(conn.execute(f"SELECT name, record FROM {TABLE}").fetchall())
    renewed = json.loads(rows["ann"])["hash"]
    assert renewed != weak and "$argon2id$v=19$m=19456,t=2,p=1$" in renewed


def test_users_are_outside_the_engines_catalog(server: Server, client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    db = server.databases.get("_system").connection()
    assert TABLE not in [c["name"] for c in db.collections()]
    assert db.query("FOR c IN COLLECTIONS() RETURN c.name") == []


# --- how levels resolve ----------------------------------------------------------------
# ArangoDB 3.12's "Managing Users", section "Permission Resolution", and auth::User: a
# specific grant wins; otherwise the higher of the same database's wildcard, the wildcard
# database's levels, the database level and _system's level. (The older example table on
# that page, from 3.2, would give shop1/customers no access; the resolution it describes
# next, and the server, give the higher level.)


def john_smith() -> Grants:
    grants = Grants("JohnSmith")
    grants.grant_database("*", Level.RO)
    grants.grant_collection("*", "*", Level.RW)
    grants.grant_collection("shop1", "products", Level.RO)
    grants.grant_collection("shop1", "*", Level.NONE)
    grants.grant_collection("shop2", "*", Level.RO)
    return grants


@pytest.mark.parametrize(
    ("database", "collection", "level"),
    [
        ("shop1", "products", Level.RO),  # a specific grant, lower than the wildcards
        ("shop1", "customers", Level.RW),  # "*"/"*" is higher than shop1/"*"
        ("shop2", "reviews", Level.RW),
        ("something", "else", Level.RW),
        ("*", "*", Level.RW),
        ("*", "else", Level.NONE),  # a wildcard database names no collection
    ],
)
def test_collection_levels_resolve_as_arangodb_resolves(
    database: str, collection: str, level: Level
) -> None:
    assert john_smith().collection_level(database, collection) == level


def test_without_wildcards_the_database_grant_decides() -> None:
    grants = Grants("ann")
    grants.grant_database("shop1", Level.RO)
    grants.grant_collection("shop1", "products", Level.RW)
    grants.grant_collection("shop2", "*", Level.RO)
    assert grants.collection_level("shop1", "products") == Level.RW
    assert grants.collection_level("shop1", "customers") == Level.RO
    assert grants.collection_level("shop2", "reviews") == Level.RO
    assert grants.database_level("shop2") == Level.NONE
    assert grants.collection_level("shop1", "*") == Level.NONE  # no "*" granted in shop1


def test_database_levels_resolve_as_documented() -> None:
    grants = Grants("JohnSmith")
    grants.grant_database("*", Level.RO)
    grants.grant_database("shop1", Level.RW)
    grants.grant_database("shop2", Level.NONE)
    levels = {db: grants.database_level(db) for db in ("shop1", "shop2", "something")}
    assert levels == {"shop1": Level.RW, "shop2": Level.NONE, "something": Level.RO}
    grants.grant_database("*", Level.NONE)
    assert grants.database_level("something") == Level.NONE


def test_system_access_reaches_every_database_without_a_grant_of_its_own() -> None:
    grants = Grants("admin")
    grants.grant_database("_system", Level.RW)
    grants.grant_database("locked", Level.NONE)
    assert grants.database_level("team") == Level.RW
    assert grants.collection_level("team", "c") == Level.RW
    assert grants.database_level("locked") == Level.NONE


@pytest.mark.parametrize(
    ("collection", "level"),
    [("_users", Level.NONE), ("_queues", Level.RO), ("_frontend", Level.RW), ("_graphs", Level.RO)],
)
def test_system_collections_follow_their_own_rules(collection: str, level: Level) -> None:
    grants = Grants("ann")
    grants.grant_database("_system", Level.RO)
    assert grants.collection_level("_system", collection) == level


def test_grants_round_trip_through_their_stored_form() -> None:
    grants = john_smith()
    assert Grants.from_json("JohnSmith", json.loads(json.dumps(grants.to_json()))) == grants


@pytest.mark.parametrize(
    ("text", "level"), [("rw", Level.RW), ("ro", Level.RO), ("none", Level.NONE)]
)
def test_level_names(text: str, level: Level) -> None:
    assert level_of(text) == level and level.text == text


# --- end to end: python-arango's user management ---------------------------------------


def test_python_arango_manages_users_and_permissions(live: Live) -> None:
    from arango import ArangoClient
    from arango.exceptions import PermissionUpdateError, UserCreateError

    add_collection(live.server, "reports")
    sys_db = ArangoClient(hosts=live.url).db("_system", "root", ROOT_PASSWORD)
    created = sys_db.create_user("ann", "pw-ann", active=True, extra={"team": "ml"})
    assert created == {"username": "ann", "active": True, "extra": {"team": "ml"}}
    assert sys_db.has_user("ann")
    with pytest.raises(UserCreateError) as duplicate:
        sys_db.create_user("ann", "x")
    assert duplicate.value.error_code == 1702
    assert sys_db.update_permission("ann", "ro", "_system")
    assert sys_db.update_permission("ann", "rw", "_system", "reports")
    assert sys_db.permission("ann", "_system") == "ro"
    assert sys_db.permission("ann", "_system", "reports") == "rw"
    permissions = sys_db.permissions("ann")
    assert permissions["_system"]["permission"] == "ro"
    assert permissions["_system"]["collections"]["reports"] == "rw"
    with pytest.raises(PermissionUpdateError) as bad:
        sys_db.update_permission("ann", "admin", "_system")
    assert bad.value.error_code == 10
    assert sys_db.reset_permission("ann", "_system", "reports")
    assert sys_db.permission("ann", "_system", "reports") == "ro"
    ann_db = ArangoClient(hosts=live.url).db("_system", "ann", "pw-ann", auth_method="jwt")
    assert ann_db.user("ann")["username"] == "ann"
    assert sys_db.delete_user("ann")
    assert not sys_db.delete_user("ann", ignore_missing=True)
