"""The ArangoDB backend without a server: credentials, error mapping, transactions, store selection.

python-arango's client is replaced by a small fake where a test needs one; the
behaviour against a real server is the protocol suite's ``[arangodb]`` cases.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from arango import ArangoClient
from arango.exceptions import (
    AQLQueryExecuteError,
    ArangoClientError,
    ArangoServerError,
    DatabaseCreateError,
    DatabasePropertiesError,
    DocumentInsertError,
    DocumentParseError,
    TransactionCommitError,
)
from arango.request import Request
from arango.response import Response

from arangoml_meta.backends import EmbeddedBackend, open_backend
from arangoml_meta.backends import arango as arango_module
from arangoml_meta.backends.arango import (
    ArangoBackend,
    schema_property,
    split_credentials,
    translate_error,
)
from arangoml_meta.errors import (
    AQLSyntaxError,
    ArangoMLMetaError,
    BadParameterError,
    BindParameterError,
    CollectionNotFoundError,
    ConflictError,
    DocumentError,
    DocumentNotFoundError,
    GraphError,
    SchemaViolationError,
    TransactionError,
    UniqueConstraintError,
)

SECRET = "s3cr%t-pass"
SERVER = "http://db.example:8529"


def server_error(
    cls: type[ArangoServerError], num: int | None, http: int, message: str | None
) -> ArangoServerError:
    """A python-arango server error as the driver builds it from a response."""
    body = {"error": True, "code": http, "errorNum": num, "errorMessage": message}
    response = Response("get", f"{SERVER}/_db/x/_api/x", {}, http, "Status", json.dumps(body))
    response.body, response.error_code, response.error_message = body, num, message
    response.is_success = False
    return cls(response, Request("get", "/_api/x"))


# ---------------------------------------------------------------------- URLs and credentials


@pytest.mark.parametrize(
    ("url", "public", "username", "password"),
    [
        ("http://root:s3cret@db.example:8529", "http://db.example:8529", "root", "s3cret"),
        ("https://alice:p%40ss%3Aw@db:8530/", "https://db:8530", "alice", "p@ss:w"),
        ("http://bob@db:8529", "http://db:8529", "bob", None),
        ("http://db:8529", "http://db:8529", None, None),
        ("HTTP://u:p@db:8529", "http://db:8529", "u", "p"),
        ("http://u:p@[::1]:8529/arango/?token=x#f", "http://[::1]:8529/arango", "u", "p"),
        ("http://u:p@a:8529,http://u:p@b:8529", "http://a:8529,http://b:8529", "u", "p"),
    ],
)
def test_split_credentials(
    url: str, public: str, username: str | None, password: str | None
) -> None:
    assert split_credentials(url) == (public, username, password)


# ---------------------------------------------------------------------- a fake python-arango client


class FakeTransaction:
    def __init__(self, events: list[Any], fail_abort: bool = False) -> None:
        self.events = events
        self.fail_abort = fail_abort

    def commit_transaction(self) -> bool:
        self.events.append("commit")
        return True

    def abort_transaction(self) -> bool:
        self.events.append("abort")
        if self.fail_abort:
            raise ConnectionAbortedError("gone")
        return True


def not_authorized(cls: type[ArangoServerError]) -> ArangoServerError:
    """ArangoDB's answer to wrong credentials, and to a database the user may not use."""
    return server_error(cls, 11, 401, "not authorized to execute this request")


class FakeDatabase:
    def __init__(self, client: FakeClient, name: str) -> None:
        self.client, self.name = client, name

    def properties(self) -> dict[str, Any]:
        client = self.client
        if not client.credentials_ok or self.name in client.no_access:
            raise not_authorized(DatabasePropertiesError)
        if self.name not in client.databases:
            if client.hidden:  # as ArangoDB answers a user without a grant for that name
                raise not_authorized(DatabasePropertiesError)
            raise server_error(DatabasePropertiesError, 1228, 404, "database not found")
        return {"name": self.name}

    def create_database(self, name: str) -> bool:
        self.client.events.append(("create_database", name))
        if self.client.create_error is not None:
            raise self.client.create_error
        if not self.client.credentials_ok:
            raise not_authorized(DatabaseCreateError)
        if name in self.client.databases:
            raise server_error(DatabaseCreateError, 1207, 409, "duplicate database name")
        self.client.databases.add(name)
        return True

    def request(self, request: Request) -> Response:
        """A custom request: here only reading one's own user record."""
        self.client.events.append(("request", request.method, self.name, request.endpoint))
        status = 200 if self.client.credentials_ok else 401
        response = Response(request.method, f"{SERVER}{request.endpoint}", {}, status, "", "{}")
        response.is_success = status == 200
        return response

    def begin_transaction(self, write: list[str], read: list[str]) -> FakeTransaction:
        self.client.events.append(("begin", write, read))
        return FakeTransaction(self.client.events, self.client.fail_abort)


class FakeClient:
    """Stands in for ``arango.ArangoClient``: records what the backend asks of it."""

    last: FakeClient
    # how the server answers, set on the class before the backend makes its client
    credentials_ok = True
    hidden = False  # a missing database is answered 401, as to a user without a grant for it
    no_access: frozenset[str] = frozenset()  # existing databases this user may not use

    def __init__(self, hosts: str, **options: Any) -> None:
        self.hosts = hosts
        self.logins: list[tuple[str, str, str]] = []
        self.events: list[Any] = []
        self.databases = {"_system", "arangoml_meta"}
        self.create_error: Exception | None = None
        self.fail_abort = False
        FakeClient.last = self

    def db(self, name: str, username: str, password: str) -> FakeDatabase:
        self.logins.append((name, username, password))
        return FakeDatabase(self, name)

    def close(self) -> None:
        self.events.append("close")


@pytest.fixture
def fake_client(monkeypatch: pytest.MonkeyPatch) -> type[FakeClient]:
    monkeypatch.setattr(arango_module, "ArangoClient", FakeClient)
    return FakeClient


# ---------------------------------------------------------------------- credentials are never shown


def test_location_and_repr_carry_no_credentials(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(f"http://root:{SECRET.replace('%', '%25')}@db.example:8529/")
    assert backend.location == SERVER
    assert fake_client.last.hosts == SERVER
    assert SECRET not in repr(backend)
    assert SECRET not in str(vars(backend))
    assert fake_client.last.logins[0] == ("arangoml_meta", "root", SECRET)


def test_explicit_credentials_win_over_the_url(fake_client: type[FakeClient]) -> None:
    ArangoBackend("http://url-user:url-pass@db:8529", username="alice", password="")
    assert fake_client.last.logins[0][1:] == ("alice", "")


def test_credentials_default_to_root_without_password(fake_client: type[FakeClient]) -> None:
    ArangoBackend("http://db:8529")
    assert fake_client.last.logins[0][1:] == ("root", "")


def test_unreachable_server_is_a_clear_error_without_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(f"http://root:{SECRET.replace('%', '%25')}@127.0.0.1:{port}", "x")
    assert err.value.error_num == 2001  # ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT
    assert err.value.message.startswith(f"cannot reach ArangoDB at http://127.0.0.1:{port}")
    assert "ARANGOML_META_STORE" in str(err.value)
    for text in (str(err.value), repr(err.value), caplog.text):
        assert SECRET not in text
        assert SECRET.replace("%", "%25") not in text


# ---------------------------------------------------------------------- the database


def test_missing_database_is_created(fake_client: type[FakeClient]) -> None:
    ArangoBackend(SERVER, "team_meta")
    assert ("create_database", "team_meta") in fake_client.last.events
    assert [login[0] for login in fake_client.last.logins] == ["team_meta", "_system"]


def test_database_created_by_another_process_meanwhile_is_fine(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    duplicate = server_error(DatabaseCreateError, 1207, 409, "duplicate database name")
    monkeypatch.setattr(FakeDatabase, "create_database", _raiser(duplicate))
    assert ArangoBackend(SERVER, "team_meta").database == "team_meta"


def test_database_the_user_may_not_create_is_a_clear_error(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    forbidden = server_error(DatabaseCreateError, 11, 403, "forbidden")
    monkeypatch.setattr(FakeDatabase, "create_database", _raiser(forbidden))
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(f"http://root:{SECRET}@db:8529", "team_meta")
    assert err.value.error_num == 1228
    assert "ARANGOML_META_DATABASE" in str(err.value)
    assert SECRET not in str(err.value)
    assert "close" in fake_client.last.events


def test_missing_database_answered_401_is_created(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # ArangoDB answers 401, not 404 (1228), for a missing database to a user who has no
    # grant for that name (anyone but root and '*' grants), e.g. an admin user
    monkeypatch.setattr(fake_client, "hidden", True)
    ArangoBackend(f"http://alice:{SECRET}@db:8529", "team_meta")
    events = fake_client.last.events
    assert ("request", "get", "_system", "/_api/user/alice") in events  # credentials accepted
    assert ("create_database", "team_meta") in events


def test_wrong_credentials_are_not_taken_for_a_missing_database(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_client, "credentials_ok", False)
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(f"http://alice:{SECRET}@db:8529", "team_meta")
    assert "ARANGO_USERNAME / ARANGO_PASSWORD" in str(err.value)
    assert SECRET not in str(err.value)
    assert not [e for e in fake_client.last.events if e[0] == "create_database"]


def test_database_the_user_may_not_use_is_a_clear_error(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_client, "no_access", frozenset({"arangoml_meta"}))
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(SERVER)
    assert err.value.error_num == 11
    assert "exists" in str(err.value) and "may not use it" in str(err.value)
    assert "close" in fake_client.last.events


def test_database_created_meanwhile_by_this_user_is_used(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 401 (no grant yet), then 1207: another process of this user created it, and ArangoDB
    # granted its creator access
    monkeypatch.setattr(fake_client, "hidden", True)

    def created_meanwhile(self: FakeDatabase, name: str) -> bool:
        self.client.databases.add(name)
        raise server_error(DatabaseCreateError, 1207, 409, "duplicate database name")

    monkeypatch.setattr(FakeDatabase, "create_database", created_meanwhile)
    assert ArangoBackend(SERVER, "team_meta").database == "team_meta"


def test_hidden_database_the_user_may_not_create_is_a_clear_error(
    fake_client: type[FakeClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_client, "hidden", True)
    forbidden = server_error(DatabaseCreateError, 11, 403, "forbidden")
    monkeypatch.setattr(FakeDatabase, "create_database", _raiser(forbidden))
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(SERVER, "team_meta")
    assert "does not exist" in str(err.value) and "may not use it" in str(err.value)
    assert "ARANGOML_META_DATABASE" in str(err.value)


def _raiser(error: Exception) -> Any:
    def raise_it(*args: Any, **kwargs: Any) -> None:
        raise error

    return raise_it


# ---------------------------------------------------------------------- error mapping


@pytest.mark.parametrize(
    ("cls", "num", "http", "expected"),
    [
        (DocumentInsertError, 1202, 404, DocumentNotFoundError),
        (DocumentInsertError, 1203, 404, CollectionNotFoundError),
        (DocumentInsertError, 1210, 409, UniqueConstraintError),
        (DocumentInsertError, 1200, 409, ConflictError),
        (DocumentInsertError, 1620, 400, SchemaViolationError),
        (AQLQueryExecuteError, 1501, 400, AQLSyntaxError),
        (AQLQueryExecuteError, 1551, 400, BindParameterError),
        (AQLQueryExecuteError, 1552, 400, BindParameterError),
        (AQLQueryExecuteError, 1203, 404, CollectionNotFoundError),
        (AQLQueryExecuteError, 1924, 404, GraphError),
        (TransactionCommitError, 1655, 404, TransactionError),
        (TransactionCommitError, 1652, 400, TransactionError),
    ],
)
def test_server_error_maps_by_number(
    cls: type[ArangoServerError], num: int, http: int, expected: type[ArangoMLMetaError]
) -> None:
    error = translate_error(server_error(cls, num, http, "what the server said"), SERVER)
    assert type(error) is expected
    assert error.error_num == num
    assert error.message.startswith("what the server said")


def test_expired_transaction_says_why() -> None:
    error = translate_error(
        server_error(TransactionCommitError, 1655, 404, "transaction '1' not found"), SERVER
    )
    assert "60 s" in error.message


def test_refused_credentials_name_the_settings_not_the_values() -> None:
    error = translate_error(
        server_error(DatabasePropertiesError, 11, 401, "not authorized"), SERVER
    )
    assert type(error) is ArangoMLMetaError
    assert error.error_num == 11
    assert SERVER in error.message
    assert "ARANGO_USERNAME / ARANGO_PASSWORD" in error.message


def test_missing_permission_is_its_own_message() -> None:
    error = translate_error(server_error(DocumentInsertError, 11, 403, "forbidden"), SERVER)
    assert "permission denied" in error.message


def test_answer_without_arango_error_asks_whether_it_is_arangodb() -> None:
    error = translate_error(server_error(DatabasePropertiesError, None, 502, None), SERVER)
    assert "is the URL that of an ArangoDB server?" in error.message


@pytest.mark.parametrize(
    "exc",
    [ConnectionAbortedError("Can't connect to host(s)"), requests.ConnectionError("refused")],
)
def test_connection_failure_is_a_clear_error(exc: Exception) -> None:
    error = translate_error(exc, SERVER)
    assert type(error) is ArangoMLMetaError
    assert error.message.startswith(f"cannot reach ArangoDB at {SERVER}")


def test_read_timeout_is_not_reported_as_an_unreachable_server() -> None:
    error = translate_error(requests.ReadTimeout("read timed out"), SERVER)
    assert type(error) is ArangoMLMetaError
    assert error.message.startswith(f"ArangoDB at {SERVER} did not answer within 60 s")
    assert "cannot reach" not in error.message


def test_http_client_does_not_resend_a_request_that_timed_out() -> None:
    """A server that accepts connections but does not answer: one request, one timeout.

    (urllib3 would send a GET 4 times, and python-arango start over 3 times: 12 requests.)
    """
    accepted: list[socket.socket] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        server.settimeout(0.1)
        port = server.getsockname()[1]
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    accepted.append(server.accept()[0])
                except OSError:
                    continue

        thread = threading.Thread(target=accept)
        thread.start()
        http = arango_module._HTTPClient(connect_timeout=2.0, read_timeout=0.2)
        client = ArangoClient(hosts=f"http://127.0.0.1:{port}", http_client=http)
        try:
            with pytest.raises(requests.ReadTimeout):
                client.db("x").properties()
        finally:
            client.close()
            stop.set()
            thread.join()
            for connection in accepted:
                connection.close()
    assert len(accepted) == 1


def test_client_errors_are_project_errors() -> None:
    assert type(translate_error(ArangoClientError("bad"), SERVER)) is ArangoMLMetaError
    error = translate_error(DocumentParseError('bad collection name in document ID "x"'), SERVER)
    assert isinstance(error, DocumentError)
    assert error.error_num == 1205


@pytest.mark.parametrize("value", [{"when": datetime(2024, 1, 1)}, {"x": float("nan")}])
def test_values_that_are_not_json_are_project_errors(value: dict[str, Any]) -> None:
    with pytest.raises(BadParameterError):
        arango_module._serialize(value)


# ---------------------------------------------------------------------- transactions


def test_transaction_commits_at_the_end(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(SERVER)
    with backend.transaction(write=["runs"], read=["runs", "datasets"]) as session:
        assert session.in_transaction
    assert fake_client.last.events == [("begin", ["runs"], ["datasets"]), "commit"]


def test_transaction_aborts_on_error(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(SERVER)
    with pytest.raises(KeyError), backend.transaction(write="runs"):
        raise KeyError("boom")
    assert fake_client.last.events == [("begin", ["runs"], []), "abort"]


def test_failed_abort_does_not_hide_the_error(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(SERVER)
    fake_client.last.fail_abort = True
    with pytest.raises(KeyError), backend.transaction(write=["runs"]):
        raise KeyError("boom")


def test_nested_transaction_joins_the_open_one(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(SERVER)
    with backend.transaction(write=["runs", "outputs"]) as outer:
        with backend.transaction(write=["outputs"]) as inner:
            assert inner is outer
        assert backend._session() is outer
    assert backend._session() is not outer
    assert fake_client.last.events == [("begin", ["runs", "outputs"], []), "commit"]


def test_nested_transaction_cannot_add_write_collections(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(SERVER)
    with (
        pytest.raises(TransactionError) as err,
        backend.transaction(write=["runs"]),
        backend.transaction(write=["runs", "outputs"]),
    ):
        pass
    assert err.value.error_num == 1652
    assert "outputs" in err.value.message
    assert fake_client.last.events[-1] == "abort"


def test_transaction_belongs_to_its_thread(fake_client: type[FakeClient]) -> None:
    backend = ArangoBackend(SERVER)
    seen: list[Any] = []
    with backend.transaction(write=["runs"]) as session:
        thread = threading.Thread(target=lambda: seen.append(backend._session()))
        thread.start()
        thread.join()
    assert seen[0] is not session
    assert not seen[0].in_transaction


# ---------------------------------------------------------------------- schemas


def test_schema_property_wraps_a_json_schema() -> None:
    rule = {"type": "object", "required": ["name"]}
    assert schema_property("models", rule) == {
        "rule": rule,
        "level": "moderate",
        "message": "the document does not match the JSON Schema of 'models'",
    }


def test_schema_property_keeps_a_whole_property() -> None:
    given = {"rule": {"type": "object"}, "level": "strict", "message": "no"}
    assert schema_property("models", given) == given
    assert schema_property("models", {"rule": {}})["level"] == "moderate"


# ---------------------------------------------------------------------- store selection


class RecordingBackend:
    """Stands in for ArangoBackend in ``open_backend``: records its arguments."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str | None,
        password: str | None,
        create: bool = True,
    ) -> None:
        self.args = (url, database, username, password)
        self.create = create


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in (
        "ARANGOML_META_STORE",
        "ARANGOML_META_DATABASE",
        "ARANGO_USERNAME",
        "ARANGO_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(arango_module, "ArangoBackend", RecordingBackend)
    return monkeypatch


@pytest.mark.parametrize("setting", [None, "", "  "])
def test_unset_store_is_embedded_in_the_working_directory(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, setting: str | None
) -> None:
    if setting is not None:
        clean_env.setenv("ARANGOML_META_STORE", setting)
    backend = open_backend()
    assert isinstance(backend, EmbeddedBackend)
    assert Path(backend.location).parent == tmp_path / ".arangoml_meta"
    backend.close()


def test_path_is_an_embedded_store_there(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ARANGOML_META_STORE", str(tmp_path / "team"))
    backend = open_backend()
    assert isinstance(backend, EmbeddedBackend)
    assert Path(backend.location).parent == tmp_path / "team"
    backend.close()


def test_argument_wins_over_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ARANGOML_META_STORE", "http://db:8529")
    backend = open_backend(str(tmp_path / "mine"))
    assert Path(backend.location).parent == tmp_path / "mine"
    backend.close()


def test_home_in_a_path_is_expanded(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("HOME", str(tmp_path / "home"))
    backend = open_backend("~/meta")
    assert Path(backend.location).parent == tmp_path / "home" / "meta"
    backend.close()


def test_memory_is_an_in_memory_embedded_store(clean_env: pytest.MonkeyPatch) -> None:
    backend = open_backend(":memory:")
    assert isinstance(backend, EmbeddedBackend)
    assert backend.location == ":memory:"
    backend.close()


@pytest.mark.parametrize("url", ["http://db:8529", "https://db:8530", "HTTPS://db:8530"])
def test_url_is_arangodb_with_default_database_and_credentials(
    clean_env: pytest.MonkeyPatch, url: str
) -> None:
    backend = open_backend(url)
    assert isinstance(backend, RecordingBackend)
    assert backend.args == (url, "arangoml_meta", None, None)


def test_database_and_credentials_come_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ARANGOML_META_STORE", "http://db:8529")
    clean_env.setenv("ARANGOML_META_DATABASE", "team_meta")
    clean_env.setenv("ARANGO_USERNAME", "alice")
    clean_env.setenv("ARANGO_PASSWORD", SECRET)
    backend = open_backend()
    assert backend.args == ("http://db:8529", "team_meta", "alice", SECRET)  # type: ignore[attr-defined]


def test_credentials_in_the_url_win_over_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ARANGO_USERNAME", "alice")
    clean_env.setenv("ARANGO_PASSWORD", "env-pass")
    backend = open_backend("http://bob:url-pass@db:8529")
    assert backend.args[2:] == (None, None)  # type: ignore[attr-defined]


@pytest.mark.parametrize("location", ["tcp://db:8529", "ssl://db:8530", "arangodb://db"])
def test_other_url_schemes_are_refused(clean_env: pytest.MonkeyPatch, location: str) -> None:
    with pytest.raises(BadParameterError, match="use http:// or https://"):
        open_backend(location)


def test_embedded_store_does_not_import_python_arango() -> None:
    code = (
        "import sys\n"
        "from arangoml_meta.backends import open_backend\n"
        "open_backend(':memory:').close()\n"
        "assert 'arango' not in sys.modules, 'python-arango was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------- opening without creating


def test_a_missing_database_is_not_created_when_the_caller_only_reads(
    fake_client: type[FakeClient],
) -> None:
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(SERVER, "team_meta", create=False)
    assert err.value.error_num == 1228
    assert "store init" in str(err.value)
    assert not [e for e in fake_client.last.events if e[0] == "create_database"]


def test_a_reader_does_not_create_the_database_on_a_live_server(
    arango_server: Any,
) -> None:
    name = f"arangoml_test_never_{datetime.now().strftime('%H%M%S%f')}"
    with pytest.raises(ArangoMLMetaError) as err:
        ArangoBackend(
            arango_server.url, name, arango_server.username, arango_server.password, create=False
        )
    assert err.value.error_num == 1228
    client = ArangoClient(hosts=arango_server.url)
    try:
        system = client.db("_system", arango_server.username, arango_server.password)
        assert not system.has_database(name)
    finally:
        client.close()


def test_open_backend_passes_create_on_to_arangodb(clean_env: pytest.MonkeyPatch) -> None:
    assert open_backend("http://db:8529").create is True  # type: ignore[attr-defined]
    assert open_backend("http://db:8529", create=False).create is False  # type: ignore[attr-defined]
