"""`access grant | revoke | list` on every backend: ArangoDB users' grants, each change audited.

On the ArangoDB case (``serve`` in this suite, or a real ArangoDB) the test makes
users of its own on the server (users are the server's, not the database's) and
removes them afterwards; on the embedded store every command refuses, saying why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from arangoml_meta.audit.reading import RecordFilter, records
from arangoml_meta.cli import app
from arangoml_meta.store import MetadataStore, open_store

from .conftest import Cli, as_json, fails, succeeds


@pytest.fixture
def server(request: pytest.FixtureRequest, store: MetadataStore) -> Any:
    """The session's ArangoDB server: a test of users skips on the embedded store."""
    if store.backend.name != "arangodb":
        pytest.skip("users are ArangoDB's")
    return request.getfixturevalue("arango_server")


@pytest.fixture
def user(server: Any) -> Iterator[str]:
    """A user of the session's server, made for this test (a name no other test uses)."""
    name = f"user-{uuid.uuid4().hex[:8]}"
    status, body = server.request("POST", "/_api/user", {"user": name, "passwd": "secret"})
    assert status == 201, body
    yield name
    server.request("DELETE", f"/_api/user/{name}")


def audit_records(store: MetadataStore, user: str) -> list[dict[str, Any]]:
    return list(records(store.backend, RecordFilter(target=f"access/{user}")))


@pytest.mark.parametrize(
    "command",
    [["grant", "alice", "ro"], ["revoke", "alice"], ["list"], ["list", "alice"], ["sync"]],
    ids=" ".join,
)
def test_the_embedded_store_has_no_users_and_says_so(tmp_path: Path, command: list[str]) -> None:
    location = str(tmp_path / "store")
    open_store(location).close()
    runner = CliRunner()
    result = runner.invoke(app, ["--store", location, "access", *command])
    line = fails(result, "[9]", "has no users", "file system's permissions")
    assert "chmod" in line
    with open_store(location) as store:
        assert audit_records(store, "alice") == []


@pytest.mark.arangodb
def test_grant_list_and_revoke_are_audited(
    cli: Cli, store: MetadataStore, user: str, backend: Any
) -> None:
    database = backend.database
    granted = as_json(cli("access", "grant", user, "ro", "--format", "json"))
    assert granted == {
        "user": user, "database": database, "collection": None, "level": "ro", "previous": None
    }  # fmt: skip
    succeeds(cli("access", "grant", user, "rw", "--collection", "models"))
    succeeds(cli("access", "grant", user, "none", "--collection", "models"))
    rows = as_json(cli("access", "list", user, "--format", "json"))
    assert rows == [
        {"user": user, "database": database, "collection": None, "level": "ro"},
        {"user": user, "database": database, "collection": "models", "level": "none"},
    ]
    assert user in succeeds(cli("access", "list"))
    admin = as_json(cli("access", "list", backend.username, "--format", "json"))
    assert {"user": backend.username, "database": "_system", "collection": None, "level": "rw"} in (
        admin
    )  # an administrator's level bears on every database
    revoked = as_json(cli("access", "revoke", user, "--collection", "models", "--format", "json"))
    assert revoked["previous"] == "none" and revoked["level"] is None
    succeeds(cli("access", "revoke", user))
    assert as_json(cli("access", "list", user, "--format", "json")) == []
    records = audit_records(store, user)
    assert [(r["op"], r["detail"]["collection"], r["detail"]["level"], r["detail"]["previous"])
            for r in records] == [
        ("grant", None, "ro", None),
        ("grant", "models", "rw", None),
        ("grant", "models", "none", "rw"),
        ("revoke", "models", None, "none"),
        ("revoke", None, None, "ro"),
    ]  # fmt: skip
    assert {r["detail"]["database"] for r in records} == {database}
    assert {r["user"] for r in records} == {backend.username}  # who made the change
    assert {r["type"] for r in records} == {None}


@pytest.mark.arangodb
def test_the_server_refuses_what_it_cannot_grant_and_nothing_is_recorded(
    cli: Cli, store: MetadataStore, user: str
) -> None:
    fails(cli("access", "grant", user, "admin"), "[10]", "rw, ro, none")
    fails(cli("access", "grant", f"{user}-nobody", "ro"), "[1703]")
    fails(cli("access", "grant", user, "ro", "--collection", "no_such_collection"), "[1203]")
    assert audit_records(store, user) == []
    assert audit_records(store, f"{user}-nobody") == []


@pytest.mark.arangodb
def test_a_user_name_with_a_slash_reaches_the_server_whole(
    server: Any, cli: Cli, store: MetadataStore
) -> None:
    name = f"team/{uuid.uuid4().hex[:8]}"
    status, body = server.request("POST", "/_api/user", {"user": name, "passwd": "x"})
    assert status == 201, body
    try:
        succeeds(cli("access", "grant", name, "ro", "--collection", "datasets"))
        assert [
            r["collection"] for r in as_json(cli("access", "list", name, "--format", "json"))
        ] == ["datasets"]
        assert [r["target"] for r in audit_records(store, name)] == [f"access/{name}"]
    finally:
        server.request("DELETE", "/_api/user/" + name.replace("/", "%2F"))


@pytest.mark.arangodb
def test_who_had_access_answers_from_the_grants_made_here(
    cli: Cli, store: MetadataStore, user: str
) -> None:
    dataset = store.register("datasets", "iris", rows=150)["_id"]
    succeeds(cli("access", "grant", user, "rw", "--collection", "datasets"))
    succeeds(cli("access", "revoke", user, "--collection", "datasets"))
    rows = as_json(
        cli("query", "run", "who_had_access", "-p", f"artifact={dataset}", "-p",
            "since=2000-01-01", "--format", "json")
    )  # fmt: skip
    mine = [row for row in rows if row["user"] == user]
    assert [(r["level"], r["write"]) for r in mine] == [("rw", True)]
    assert [step["level"] for step in mine[0]["timeline"]] == ["none", "rw", "none"]
    changes = as_json(
        cli("query", "run", "access_changes", "-p", f"user={user}", "--format", "json")
    )
    assert [(c["op"], c["level"], c["previous"]) for c in changes] == [
        ("grant", "rw", None),
        ("revoke", None, "rw"),
    ]


@pytest.mark.arangodb
def test_sync_records_what_was_changed_around_the_library(
    server: Any, cli: Cli, store: MetadataStore, user: str, backend: Any
) -> None:
    database = backend.database
    succeeds(cli("access", "grant", user, "ro"))
    succeeds(cli("access", "grant", user, "rw", "--collection", "runs"))
    # around the library: the database's grant gone (its collections' with it), a new one
    status, _ = server.request("DELETE", f"/_api/user/{user}/database/{database}")
    assert status == 202
    status, _ = server.request(
        "PUT", f"/_api/user/{user}/database/{database}/models", {"grant": "rw"}
    )
    assert status == 200
    dry = as_json(cli("access", "sync", "--dry-run", "--format", "json"))
    mine = [c for c in dry if c["user"] == user]
    assert [(c["op"], c["collection"], c["level"], c["previous"]) for c in mine] == [
        ("revoke", None, None, "ro"),
        ("grant", "models", "rw", None),
        ("revoke", "runs", None, "rw"),  # the server dropped it with the database's grant
    ]
    assert all(c["observed"] for c in mine)
    assert [r["op"] for r in audit_records(store, user)] == ["grant", "grant"]  # a dry run
    succeeds(cli("access", "sync"))
    ops = [r["op"] for r in audit_records(store, user)]
    assert ops == ["grant", "grant", "revoke", "grant", "revoke"]
    changes = as_json(
        cli("query", "run", "access_changes", "-p", f"user={user}", "--format", "json")
    )
    assert [c["observed"] for c in changes] == [False, False, True, True, True]
    assert [
        c for c in as_json(cli("access", "sync", "--format", "json")) if c["user"] == user
    ] == []


@pytest.mark.arangodb
def test_only_an_administrator_changes_grants(
    server: Any, cli: Cli, store: MetadataStore, user: str, backend: Any
) -> None:
    status, _ = server.request(
        "PUT", f"/_api/user/{user}/database/{backend.database}", {"grant": "rw"}
    )
    assert status == 200
    as_user = {"ARANGO_USERNAME": user, "ARANGO_PASSWORD": "secret"}
    line = fails(cli("access", "grant", user, "rw", "--collection", "models", env=as_user))
    assert "administrator" in line, line
    fails(cli("access", "list", env=as_user), "administrator")
    assert audit_records(store, user) == []
