"""Authentication and authorization of ``arangoml-meta serve``, as ArangoDB 3.12 answers.

In-process (Starlette's TestClient) for every path through ``auth.py`` and ``tokens.py``,
bad credentials of every kind included; end to end (uvicorn on a loopback port) with
python-arango's basic and JWT connections. Routes of other areas need not exist here:
the authorization answer (401 / 403) comes before routing, so a request that passes it
reaches the router and gets 404 for a path no area serves yet.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import stat
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from arangoml_meta.server.app import Server, create_app
from arangoml_meta.server.auth import (
    Authenticator,
    authorize_collections,
    collection_created,
    collection_dropped,
    database_created,
    database_dropped,
    database_users,
    may_read_collection,
    need_of,
)
from arangoml_meta.server.context import RequestContext
from arangoml_meta.server.grants import Level
from arangoml_meta.server.responses import HTTPError
from arangoml_meta.server.state import ServerConfig
from arangoml_meta.server.tokens import SECRET_FILE, own_secret, read_secret_file

with warnings.catch_warnings():  # starlette asks for httpx2; the httpx installed works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

ROOT_PASSWORD = "root-Pa55word-for-tests"
SECRET = "a-configured-jwt-secret-of-48-characters-length!"
ROOT = ("root", ROOT_PASSWORD)


def arango_error(code: int, error_num: int, message: str) -> dict[str, Any]:
    """ArangoDB's error body."""
    return {"code": code, "error": True, "errorMessage": message, "errorNum": error_num}


NOT_AUTHORIZED = arango_error(401, 11, "not authorized to execute this request")
FORBIDDEN = arango_error(403, 11, "forbidden")
CHALLENGES = ['Basic, realm="ArangoDB"', 'Bearer, token_type="JWT", realm="ArangoDB"']


def make_server(store: Path, **config: Any) -> Server:
    config.setdefault("root_password", ROOT_PASSWORD)
    return Server(ServerConfig(store=store, **config))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    server = make_server(tmp_path / "store")
    yield server
    server.close()


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with TestClient(create_app(server)) as client:
        yield client


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"bearer {token}"}


def add_user(client: TestClient, name: str, password: str, **grants: str) -> None:
    """A user with database grants (``_system="ro"``), made by root."""
    response = client.post("/_api/user", json={"user": name, "passwd": password}, auth=ROOT)
    assert response.status_code == 201, response.text
    for database, level in grants.items():
        path = f"/_api/user/{name}/database/{database}"
        assert client.put(path, json={"grant": level}, auth=ROOT).status_code == 200


def add_collection(server: Server, name: str, database: str = "_system") -> None:
    server.databases.get(database).connection().create_collection(name)


def add_database(server: Server, name: str) -> None:
    server.databases.create(name)


# --- who: credentials -----------------------------------------------------------------


def test_a_request_without_credentials_gets_401_with_the_challenge(client: TestClient) -> None:
    response = client.get("/_api/version")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHORIZED
    assert response.headers.get_list("www-authenticate") == CHALLENGES


def test_the_challenge_is_left_out_when_the_client_asks(client: TestClient) -> None:
    response = client.get("/_api/version", headers={"x-omit-www-authenticate": "1"})
    assert response.status_code == 401
    assert "www-authenticate" not in response.headers


@pytest.mark.parametrize(
    "path", ["/_admin/server/availability", "/_db/_system/_admin/server/availability"]
)
def test_availability_needs_no_credentials(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_root_gets_in_with_the_configured_password(client: TestClient) -> None:
    response = client.get("/_api/version", auth=ROOT)
    assert response.status_code == 200
    assert response.json()["server"] == "arango"


def test_root_has_an_empty_password_when_none_is_configured(tmp_path: Path) -> None:
    server = make_server(tmp_path / "s", root_password="")
    with TestClient(create_app(server)) as client:
        assert client.get("/_api/version", auth=("root", "")).status_code == 200
        assert client.get("/_api/version", auth=ROOT).status_code == 401


def test_the_root_password_applies_to_the_first_start_only(tmp_path: Path) -> None:
    make_server(tmp_path / "s").close()
    server = make_server(tmp_path / "s", root_password="another one")
    with TestClient(create_app(server)) as client:
        assert client.get("/_api/version", auth=ROOT).status_code == 200
        assert client.get("/_api/version", auth=("root", "another one")).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"root").decode(),  # no colon
        "Basic " + base64.b64encode(b":" + ROOT_PASSWORD.encode()).decode(),  # no user
        "Basic " + base64.b64encode(b"root:\xff\xfe").decode(),  # not UTF-8
        "Basic " + base64.b64encode(f"root:{ROOT_PASSWORD}x".encode()).decode(),
        "Basic " + base64.b64encode(f"nobody:{ROOT_PASSWORD}".encode()).decode(),
        "Digest " + base64.b64encode(f"root:{ROOT_PASSWORD}".encode()).decode(),
        "Basic",
        "",
        "bearer not.a.token",
        "bearer ",
    ],
    ids=[
        "bad-base64",
        "no-colon",
        "empty-user",
        "not-utf8",
        "wrong-password",
        "unknown-user",
        "unknown-method",
        "no-credentials",
        "empty-header",
        "garbage-token",
        "empty-token",
    ],
)
def test_credentials_that_do_not_hold_get_401(client: TestClient, authorization: str) -> None:
    response = client.get("/_api/version", headers={"authorization": authorization})
    assert response.status_code == 401
    assert response.json() == NOT_AUTHORIZED


def test_the_method_name_is_case_insensitive(client: TestClient) -> None:
    token = base64.b64encode(f"root:{ROOT_PASSWORD}".encode()).decode()
    assert client.get("/_api/version", headers={"authorization": f"BASIC {token}"}).is_success


def test_a_changed_password_applies_to_the_next_request(client: TestClient) -> None:
    add_user(client, "ann", "old-password", _system="rw")
    assert client.get("/_api/version", auth=("ann", "old-password")).status_code == 200
    response = client.patch("/_api/user/ann", json={"passwd": "new-password"}, auth=ROOT)
    assert response.status_code == 200
    assert client.get("/_api/version", auth=("ann", "old-password")).status_code == 401
    assert client.get("/_api/version", auth=("ann", "new-password")).status_code == 200


def test_an_inactive_user_cannot_get_in(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="rw")
    token = client.post("/_open/auth", json={"username": "ann", "password": "pw-ann"}).json()
    assert client.patch("/_api/user/ann", json={"active": False}, auth=ROOT).status_code == 200
    assert client.get("/_api/version", auth=("ann", "pw-ann")).status_code == 401
    assert client.get("/_api/version", headers=bearer(token["jwt"])).status_code == 401
    response = client.post("/_open/auth", json={"username": "ann", "password": "pw-ann"})
    assert response.status_code == 401


# --- who: JWT -------------------------------------------------------------------------


def test_open_auth_gives_a_user_token_as_arangodb_does(server: Server, client: TestClient) -> None:
    response = client.post("/_open/auth", json={"username": "root", "password": ROOT_PASSWORD})
    assert response.status_code == 200
    token = response.json()["jwt"]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    secret = (server.databases.system_file.parent / SECRET_FILE).read_text().strip()
    claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="arangodb")
    assert claims["preferred_username"] == "root"
    assert claims["exp"] - claims["iat"] == 3600
    assert abs(claims["iat"] - time.time()) < 60
    assert client.get("/_api/version", headers=bearer(token)).status_code == 200


def test_open_auth_refuses_wrong_credentials(client: TestClient) -> None:
    response = client.post("/_open/auth", json={"username": "root", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == arango_error(401, 401, "Wrong credentials")
    assert response.headers.get_list("www-authenticate") == CHALLENGES


@pytest.mark.parametrize(
    "body",
    [{"username": "root"}, {"password": ROOT_PASSWORD}, {"username": 1, "password": "x"}, [1]],
)
def test_open_auth_wants_a_user_name_and_a_password(client: TestClient, body: Any) -> None:
    response = client.post("/_open/auth", json=body)
    assert response.status_code == 400
    assert response.json()["errorNum"] == 400


def test_open_auth_refuses_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post("/_open/auth", content=b"{username: root")
    assert response.status_code == 400
    assert response.json()["errorNum"] == 600


def test_open_auth_is_post_only(client: TestClient) -> None:
    assert client.get("/_open/auth").status_code == 405


def _root_token(client: TestClient) -> str:
    body = {"username": "root", "password": ROOT_PASSWORD}
    return str(client.post("/_open/auth", json=body).json()["jwt"])


def _resign(token: str, secret: str, **changes: Any) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, "HS256")


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["preferred_username"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_tampered_expired_and_foreign_tokens_get_401(server: Server, client: TestClient) -> None:
    token = _root_token(client)
    secret = own_secret(server.databases.system_file)
    now = int(time.time())
    refused = {
        "tampered": _tampered(token),
        "expired": _resign(token, secret, iat=now - 7200, exp=now - 10),
        "other-secret": _resign(token, "another secret of at least thirty-two bytes"),
        "other-issuer": _resign(token, secret, iss="someone"),
        "no-issuer": _resign(token, secret, iss=None),
        "no-user": _resign(token, secret, preferred_username=None),
        "empty-user": _resign(token, secret, preferred_username=""),
        "unknown-user": _resign(token, secret, preferred_username="nobody"),
        "unsigned": jwt.encode({"preferred_username": "root", "iss": "arangodb"}, None, "none"),
        "no-typ": jwt.encode(
            {"preferred_username": "root", "iss": "arangodb"},
            secret,
            "HS256",
            headers={"typ": None},
        ),
        "other-alg": jwt.encode({"preferred_username": "root", "iss": "arangodb"}, secret, "HS512"),
    }
    for name, bad in refused.items():
        response = client.get("/_api/version", headers=bearer(bad))
        assert response.status_code == 401, name
        assert response.json() == NOT_AUTHORIZED, name
    assert client.get("/_api/version", headers=bearer(token)).status_code == 200


def test_a_token_used_before_is_refused_once_it_expires(tmp_path: Path) -> None:
    server = make_server(tmp_path / "s", session_timeout=1)
    with TestClient(create_app(server)) as client:
        token = _root_token(client)
        assert client.get("/_api/version", headers=bearer(token)).status_code == 200
        exp = jwt.decode(token, options={"verify_signature": False})["exp"]
        while time.time() < exp + 0.05:
            time.sleep(0.1)
        assert client.get("/_api/version", headers=bearer(token)).status_code == 401


def test_a_token_outlives_a_restart_of_the_server(tmp_path: Path) -> None:
    first = make_server(tmp_path / "s")
    with TestClient(create_app(first)) as client:
        token = _root_token(client)
    first.close()
    second = make_server(tmp_path / "s")
    with TestClient(create_app(second)) as client:
        assert client.get("/_api/version", headers=bearer(token)).status_code == 200


def test_the_own_secret_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    system_file = tmp_path / "store.db"
    secret = own_secret(system_file)
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert own_secret(system_file) == secret
    path.chmod(0o644)
    assert own_secret(system_file) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_store_file_keeps_its_secret_beside_it(tmp_path: Path) -> None:
    own_secret(tmp_path / "team.db")
    assert (tmp_path / f"team.db.{SECRET_FILE}").is_file()


def test_a_superuser_token_of_the_configured_secret_is_accepted(tmp_path: Path) -> None:
    server = make_server(tmp_path / "s", jwt_secret=SECRET)
    token = jwt.encode({"iss": "arangodb", "server_id": "starter"}, SECRET, "HS256")
    with TestClient(create_app(server)) as client:
        assert client.get("/_api/user", headers=bearer(token)).status_code == 200
        forged = jwt.encode({"iss": "arangodb", "server_id": "x"}, SECRET + "!", "HS256")
        assert client.get("/_api/user", headers=bearer(forged)).status_code == 401
        # user tokens are signed with the configured secret too
        claims = jwt.decode(_root_token(client), SECRET, algorithms=["HS256"])
        assert claims["preferred_username"] == "root"


def test_a_superuser_token_is_refused_without_a_configured_secret(server: Server) -> None:
    secret = own_secret(server.databases.system_file)
    token = jwt.encode({"iss": "arangodb", "server_id": "x"}, secret, "HS256")
    with TestClient(create_app(server)) as client:
        assert client.get("/_api/version", headers=bearer(token)).status_code == 401


def test_a_token_with_allowed_paths_is_good_for_those_only(tmp_path: Path) -> None:
    server = make_server(tmp_path / "s", jwt_secret=SECRET)
    claims = {"iss": "arangodb", "server_id": "x", "allowed_paths": ["/_api/version"]}
    token = jwt.encode(claims, SECRET, "HS256")
    with TestClient(create_app(server)) as client:
        assert client.get("/_api/version", headers=bearer(token)).status_code == 200
        assert client.get("/_api/user", headers=bearer(token)).status_code == 401
        bad = jwt.encode({**claims, "allowed_paths": "/_api/version"}, SECRET, "HS256")
        assert client.get("/_api/version", headers=bearer(bad)).status_code == 401


@pytest.mark.parametrize(("secret", "problem"), [("", "is empty"), ("x" * 65, "at most 64")])
def test_a_secret_arangodb_would_refuse_is_refused(
    tmp_path: Path, secret: str, problem: str
) -> None:
    with pytest.raises(Exception, match=problem):
        make_server(tmp_path / "s", jwt_secret=secret)


def test_a_secret_file_is_read_without_its_line_end(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    assert read_secret_file(path) == SECRET
    with pytest.raises(Exception, match="cannot read"):
        read_secret_file(tmp_path / "missing")


# --- may they: databases, collections, administration -----------------------------------


def test_a_user_without_a_grant_gets_401_for_the_database(
    server: Server, client: TestClient
) -> None:
    add_database(server, "team")
    add_user(client, "ann", "pw-ann", team="rw")
    assert client.get("/_db/team/_api/version", auth=("ann", "pw-ann")).status_code == 200
    response = client.get("/_api/version", auth=("ann", "pw-ann"))
    assert response.status_code == 401
    assert response.json() == NOT_AUTHORIZED


def test_a_missing_database_is_401_unless_the_user_could_see_it(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    response = client.get("/_db/nowhere/_api/version", auth=("ann", "pw-ann"))
    assert response.status_code == 401
    assert client.get("/_db/nowhere/_api/version").status_code == 401
    response = client.get("/_db/nowhere/_api/version", auth=ROOT)
    assert response.status_code == 404
    assert response.json()["errorNum"] == 1228


def test_a_read_only_user_reads_but_may_not_write(server: Server, client: TestClient) -> None:
    add_collection(server, "reports")
    add_user(client, "ann", "pw-ann", _system="ro")
    ann = ("ann", "pw-ann")
    # passing authorization, a request reaches the router: no document area here, 404
    assert client.get("/_api/document/reports/k1", auth=ann).status_code == 404
    response = client.post("/_api/document/reports", json={"a": 1}, auth=ann)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert client.post("/_api/collection", json={"name": "x"}, auth=ann).status_code == 403
    assert client.post("/_api/cursor", json={"query": "RETURN 1"}, auth=ann).status_code == 201
    query = {"query": "FOR r IN reports RETURN r"}
    assert client.post("/_api/cursor", json=query, auth=ann).status_code == 201
    response = client.post("/_api/cursor", json={"query": "INSERT {a: 1} INTO reports"}, auth=ann)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    begin = {"collections": {"write": ["reports"]}}
    response = client.post("/_api/transaction/begin", json=begin, auth=ann)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    begin = {"collections": {"read": ["reports"]}}
    assert client.post("/_api/transaction/begin", json=begin, auth=ann).status_code == 201


def test_a_collection_grant_overrides_the_database_grant(
    server: Server, client: TestClient
) -> None:
    add_collection(server, "reports")
    add_collection(server, "secrets")
    add_user(client, "ann", "pw-ann", _system="ro")
    add_user(client, "bob", "pw-bob", _system="rw")
    grant = {"grant": "rw"}
    assert client.put("/_api/user/ann/database/_system/reports", json=grant, auth=ROOT).is_success
    grant = {"grant": "none"}
    assert client.put("/_api/user/bob/database/_system/secrets", json=grant, auth=ROOT).is_success
    ann, bob = ("ann", "pw-ann"), ("bob", "pw-bob")
    assert client.post("/_api/document/reports", json={}, auth=ann).status_code == 202
    assert client.post("/_api/document/secrets", json={}, auth=ann).status_code == 403
    assert client.get("/_api/document/secrets/k", auth=bob).status_code == 403
    assert client.post("/_api/document/reports", json={}, auth=bob).status_code == 202
    # a listing leaves out what the user may not read
    listed = client.get("/_api/collection", auth=bob).json()["result"]
    assert "reports" in {c["name"] for c in listed} and "secrets" not in {c["name"] for c in listed}
    # a query names its collections: each one's grant applies, a @@ parameter's too
    query = {"query": "FOR s IN secrets RETURN s"}
    assert client.post("/_api/cursor", json=query, auth=bob).status_code == 403
    query = {"query": "FOR s IN @@c RETURN s", "bindVars": {"@c": "secrets"}}
    assert client.post("/_api/cursor", json=query, auth=bob).status_code == 403
    query = {"query": "FOR r IN reports RETURN r"}
    assert client.post("/_api/cursor", json=query, auth=bob).status_code == 201
    query = {"query": "INSERT {} INTO reports"}
    assert client.post("/_api/cursor", json=query, auth=ann).status_code == 201


def test_a_cursor_is_read_and_deleted_only_by_the_user_who_opened_it(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="rw")
    add_user(client, "bob", "pw-bob", _system="rw")
    ann, bob = ("ann", "pw-ann"), ("bob", "pw-bob")
    query = {"query": "FOR i IN 1..10 RETURN i", "batchSize": 2}
    opened = client.post("/_api/cursor", json=query, auth=ann).json()
    for method in (client.post, client.put, client.delete):
        response = method(f"/_api/cursor/{opened['id']}", auth=bob)
        assert (response.status_code, response.json()["errorNum"]) == (404, 1600)
    assert client.post(f"/_api/cursor/{opened['id']}", auth=ann).json()["result"] == [3, 4]
    assert client.delete(f"/_api/cursor/{opened['id']}", auth=ann).status_code == 202


def test_a_revoked_grant_applies_to_the_next_request(server: Server, client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="rw")
    ann = ("ann", "pw-ann")
    token = client.post("/_open/auth", json={"username": "ann", "password": "pw-ann"}).json()
    assert client.get("/_api/version", auth=ann).status_code == 200
    assert client.delete("/_api/user/ann/database/_system", auth=ROOT).status_code == 202
    assert client.get("/_api/version", auth=ann).status_code == 401
    assert client.get("/_api/version", headers=bearer(token["jwt"])).status_code == 401


def test_a_deleted_users_token_no_longer_works(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann", _system="rw")
    token = client.post("/_open/auth", json={"username": "ann", "password": "pw-ann"}).json()
    assert client.delete("/_api/user/ann", auth=ROOT).status_code == 202
    assert client.get("/_api/version", headers=bearer(token["jwt"])).status_code == 401


def test_administration_needs_read_write_on_system(server: Server, client: TestClient) -> None:
    add_database(server, "team")
    add_user(client, "ann", "pw-ann", team="rw")
    add_user(client, "bob", "pw-bob", _system="rw")
    ann, bob = ("ann", "pw-ann"), ("bob", "pw-bob")
    body = {"name": "another"}
    assert client.post("/_db/team/_api/database", json=body, auth=ann).status_code == 403
    assert client.post("/_db/team/_api/user", json={"user": "c"}, auth=ann).status_code == 403
    assert client.post("/_api/database", json=body, auth=bob).status_code == 201
    # its creator may use it (read-write), another user may not
    assert client.get("/_db/another/_api/collection", auth=bob).status_code == 200
    assert client.get("/_db/another/_api/collection", auth=ann).status_code == 401
    assert client.post("/_api/user", json={"user": "c"}, auth=bob).status_code == 201


def test_a_user_without_database_access_still_reads_their_own_record(client: TestClient) -> None:
    add_user(client, "ann", "pw-ann")
    ann = ("ann", "pw-ann")
    assert client.get("/_api/version", auth=ann).status_code == 401
    response = client.get("/_api/user/ann", auth=ann)
    assert response.status_code == 200
    assert response.json()["user"] == "ann"
    assert client.get("/_api/user/root", auth=ann).status_code == 403


def test_no_auth_makes_every_request_root(tmp_path: Path) -> None:
    server = make_server(tmp_path / "s", auth=False)
    with TestClient(create_app(server)) as client:
        assert client.get("/_api/version").status_code == 200
        assert client.get("/_api/user").json()["result"][0]["user"] == "root"
        assert client.get("/_db/nowhere/_api/version").json()["errorNum"] == 1228


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("GET", "", {}, "open"),
        ("POST", "_open/auth", {}, "open"),
        ("GET", "_admin/server/availability", {}, "open"),
        ("OPTIONS", "_api/document/c", {}, "open"),
        ("GET", "_api/version", {}, "db ro"),
        ("GET", "_admin/time", {}, "db ro"),
        ("PUT", "_admin/log/level", {}, "admin"),
        ("GET", "_api/user", {}, "db ro"),
        ("GET", "_api/user/ann", {}, "own"),
        ("GET", "_api/document/c/k", {}, "c ro"),
        ("HEAD", "_api/document/c/k", {}, "c ro"),
        ("POST", "_api/document/c", {}, "c rw"),
        ("PUT", "_api/document/c", {"onlyget": "true"}, "c ro"),
        ("DELETE", "_api/document/c/k", {}, "c rw"),
        ("GET", "_api/edges/e", {"vertex": "v/1"}, "e ro"),
        ("POST", "_api/import", {"collection": "c"}, "c rw"),
        ("GET", "_api/collection", {}, "db ro"),
        ("POST", "_api/collection", {}, "db rw"),
        ("GET", "_api/collection/c/properties", {}, "c ro"),
        ("PUT", "_api/collection/c/truncate", {}, "c rw"),
        ("PUT", "_api/collection/c/properties", {}, "db rw, c rw"),
        ("PUT", "_api/collection/c/rename", {}, "db rw, c rw"),
        ("PUT", "_api/collection/c/load", {}, "c ro"),
        ("DELETE", "_api/collection/c", {}, "db rw, c rw"),
        ("GET", "_api/index", {"collection": "c"}, "c ro"),
        ("POST", "_api/index", {"collection": "c"}, "db rw, c rw"),
        ("DELETE", "_api/index/c/12", {}, "db rw, c rw"),
        ("GET", "_api/gharial", {}, "db ro"),
        ("POST", "_api/gharial", {}, "db rw"),
        ("DELETE", "_api/gharial/g", {}, "db rw"),
        ("POST", "_api/gharial/g/edge", {}, "db rw"),
        ("PUT", "_api/gharial/g/edge/e", {}, "db rw"),
        ("POST", "_api/gharial/g/edge/e", {}, "e rw"),
        ("GET", "_api/gharial/g/vertex/v/k", {}, "v ro"),
        ("PATCH", "_api/gharial/g/vertex/v/k", {}, "v rw"),
        ("POST", "_api/cursor", {}, "db ro"),
        ("PUT", "_api/cursor/12", {}, "db ro"),
        ("POST", "_api/transaction/begin", {}, "db ro"),
        ("POST", "_api/database", {}, "admin"),
        ("DELETE", "_api/database/team", {}, "admin"),
        ("GET", "_api/database/current", {}, "db ro"),
        ("POST", "_api/aqlfunction", {}, "db rw"),
        ("GET", "_api/unknown", {}, "db ro"),
        ("POST", "_api/unknown", {}, "db rw"),
    ],
)
def test_each_route_needs_what_arangodb_asks(
    method: str, path: str, query: dict[str, str], expected: str
) -> None:
    need = need_of(method, [p for p in path.split("/") if p], query)
    if need.open:
        described = "open"
    elif need.own:
        described = "own"
    elif need.admin:
        described = "admin"
    else:
        parts = []
        if need.database == Level.RW or need.collection is None:
            parts.append(f"db {need.database.text}")
        if need.collection is not None:
            parts.append(f"{need.collection} {need.collection_level.text}")
        described = ", ".join(parts)
    assert described == expected


# --- what other areas call ------------------------------------------------------------


def context_of(server: Server, user: str | None, database: str = "_system") -> RequestContext:
    return RequestContext(server, server.databases.get(database), None, user)


def test_authorize_collections_checks_what_a_query_reads_and_writes(
    server: Server, client: TestClient
) -> None:
    for name in ("reports", "secrets", "log"):
        add_collection(server, name)
    add_user(client, "ann", "pw-ann", _system="ro")
    grant = {"grant": "rw"}
    assert client.put("/_api/user/ann/database/_system/log", json=grant, auth=ROOT).is_success
    grant = {"grant": "none"}
    assert client.put("/_api/user/ann/database/_system/secrets", json=grant, auth=ROOT).is_success
    ann = context_of(server, "ann")
    authorize_collections(ann, {"reports"}, set())
    authorize_collections(ann, {"reports", "log"}, {"log"})
    for read, write in [({"secrets"}, set()), (set(), {"reports"}), ({"log"}, {"reports"})]:
        with pytest.raises(HTTPError) as refused:
            authorize_collections(ann, read, write)
        assert (refused.value.status, refused.value.error_num) == (403, 11)
    assert may_read_collection(ann, "reports") and not may_read_collection(ann, "secrets")
    authorize_collections(context_of(server, ""), {"secrets"}, {"secrets"})  # superuser
    with pytest.raises(HTTPError):
        authorize_collections(context_of(server, None), {"reports"}, set())
    with pytest.raises(HTTPError):
        authorize_collections(context_of(server, "nobody"), {"reports"}, set())


def test_creating_and_dropping_keep_grants_as_arangodb_does(
    server: Server, client: TestClient
) -> None:
    add_database(server, "team")
    add_user(client, "ann", "pw-ann", team="ro")
    users = database_users([{"username": "carl", "passwd": "pw-carl"}, {"username": "ann"}])
    database_created(context_of(server, "ann"), "team", users)
    assert isinstance(server.auth, Authenticator)
    store = server.auth.users
    for name in ("ann", "carl"):
        assert store.get(name).grants.database_level("team") == Level.RW
        assert store.get(name).grants.collection_level("team", "anything") == Level.RW
    assert client.get("/_db/team/_api/version", auth=("carl", "pw-carl")).status_code == 200
    add_collection(server, "mine", "team")
    collection_created(context_of(server, "ann", "team"), "mine")
    assert store.get("ann").grants.configured_collection_level("team", "mine") == Level.RW
    collection_dropped(context_of(server, "ann", "team"), "mine")
    assert store.get("ann").grants.configured_collection_level("team", "mine") == Level.UNDEFINED
    database_dropped(context_of(server, "root"), "team")
    assert store.get("carl").grants.configured_database_level("team") == Level.UNDEFINED


@pytest.mark.parametrize(
    "given",
    [{"username": "x"}, [{"passwd": "x"}], [{"username": "x", "passwd": 1}], ["x"]],
)
def test_database_users_are_checked(given: Any) -> None:
    with pytest.raises(HTTPError) as refused:
        database_users(given)
    assert refused.value.status == 400


# --- credentials never shown ----------------------------------------------------------


def test_no_log_line_answer_or_stored_byte_shows_a_password(
    server: Server, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "pw-Never-Shown-0123"
    caplog.set_level(logging.DEBUG)
    bodies = []
    with caplog.at_level(logging.DEBUG):
        add_user(client, "ann", secret, _system="ro")
        for response in (
            client.get("/_api/version", auth=("ann", secret + "x")),
            client.get("/_api/version", auth=("nobody", secret)),
            client.post("/_open/auth", json={"username": "ann", "password": secret + "x"}),
            client.post("/_open/auth", content=f'{{"username": "ann", "password": "{secret}'),
            client.post("/_api/user", json={"user": "ann", "passwd": secret}, auth=ROOT),
            client.post("/_api/user/ann", json={"passwd": secret + "x"}, auth=ROOT),
            client.put("/_api/user/ann", json={"passwd": secret, "active": "no"}, auth=ROOT),
            client.post("/_api/document/c", json={"passwd": secret}, auth=("ann", secret)),
        ):
            assert response.status_code >= 400
            bodies.append(response.text)
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "".join(bodies)  # the answers are there to search
    assert secret not in logged and secret not in "".join(bodies)
    files = server.databases.system_file.parent.iterdir()
    stored = b"".join(p.read_bytes() for p in files if p.is_file())
    assert secret.encode() not in stored and b"$argon2id$" in stored


# --- end to end: python-arango over HTTP ----------------------------------------------


@dataclass
class Live:
    url: str
    server: Server


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """The server on a free loopback port (uvicorn in a thread), as ``serve`` runs it."""
    import uvicorn

    server = make_server(tmp_path / "store", jwt_secret=SECRET)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(server), log_level="info", timeout_graceful_shutdown=5)
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield Live(f"http://127.0.0.1:{port}", server)
    runner.should_exit = True
    thread.join(30)
    listener.close()


def test_python_arango_connects_with_basic_and_with_jwt(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    from arango import ArangoClient
    from arango.exceptions import ServerConnectionError, ServerVersionError

    caplog.set_level(logging.INFO)
    client = ArangoClient(hosts=live.url)
    for method in ("basic", "jwt"):
        db = client.db("_system", "root", ROOT_PASSWORD, auth_method=method)
        assert db.version() == "3.12.4"
    sys_db = client.db("_system", "root", ROOT_PASSWORD, auth_method="jwt")
    sys_db.create_user("ann", "pw-ann-e2e")
    ann = client.db("_system", "ann", "pw-ann-e2e", auth_method="jwt")
    with pytest.raises(ServerVersionError) as refused:
        ann.version()
    assert (refused.value.http_code, refused.value.error_code) == (401, 11)
    sys_db.update_permission("ann", "ro", "_system")
    assert ann.version() == "3.12.4"
    with pytest.raises(ServerConnectionError, match="bad username/password"):
        client.db("_system", "root", "wrong", verify=True)
    assert "pw-ann-e2e" not in caplog.text and ROOT_PASSWORD not in caplog.text
    assert "/_open/auth" in caplog.text  # the access log was there to search


def test_python_arango_verifies_a_connection(live: Live) -> None:
    from arango import ArangoClient

    client = ArangoClient(hosts=live.url)
    client.db("_system", "root", ROOT_PASSWORD, verify=True)
    client.db("_system", "root", ROOT_PASSWORD, verify=True, auth_method="jwt")


def test_python_arango_with_a_superuser_token(live: Live) -> None:
    from arango import ArangoClient

    token = jwt.encode(
        {
            "iss": "arangodb",
            "server_id": "ci",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        },
        SECRET,
        "HS256",
    )
    db = ArangoClient(hosts=live.url).db("_system", superuser_token=token)
    assert {u["username"] for u in db.users()} == {"root"}


# --- the serve command's options ------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--jwt-secret", SECRET, "--jwt-secret-file", "{tmp}/secret"], "not both"),
        (["--jwt-secret-file", "{tmp}/missing"], "cannot read"),
        (["--jwt-secret", "x" * 65], "at most 64"),
        (["--root-password-file", "{tmp}/missing"], "cannot read"),
    ],
)
def test_serve_refuses_credentials_it_cannot_use(
    tmp_path: Path, options: list[str], message: str
) -> None:
    from typer.testing import CliRunner

    from arangoml_meta.cli import app

    (tmp_path / "secret").write_text(SECRET)
    args = ["serve", "--store", str(tmp_path / "s"), "--port", "0"]
    args += [o.format(tmp=tmp_path) for o in options]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "s").exists()


def test_the_root_password_comes_from_the_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arangoml_meta.cli.serve import _root_password

    monkeypatch.setenv("ARANGO_ROOT_PASSWORD", "from-the-environment")
    assert _root_password(None) == "from-the-environment"
    path = tmp_path / "pw"
    path.write_text("from the file \nsecond line\n")
    assert _root_password(path) == "from the file "
    monkeypatch.delenv("ARANGO_ROOT_PASSWORD")
    assert _root_password(None) == ""
