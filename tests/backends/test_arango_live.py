"""The ArangoDB backend against a server (ArangoDB, or ``arangoml-meta serve``): requests counted.

Each test needs a server (``ARANGO_URL``, or Docker; see ``tests/conftest.py``)
and skips with the reason otherwise. A counting HTTP client records every
request the backend sends, so a test pins how many round trips an operation
costs, not how long it takes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from arango import ArangoClient
from arango.response import Response

from arangoml_meta.backends import open_backend
from arangoml_meta.backends.arango import ArangoBackend
from arangoml_meta.backends.arango_http import ArangoHTTPClient
from arangoml_meta.errors import ERROR_QUERY_KILLED, QueryError
from arangoml_meta.store import MetadataStore
from tests.conftest import ArangoServer

pytestmark = pytest.mark.arangodb


class CountingClient(ArangoHTTPClient):
    """The backend's HTTP client, recording (method, path) of every request it sends."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.sent: list[tuple[str, str]] = []

    def send_request(
        self, session: Any, method: str, url: str, *args: Any, **kwargs: Any
    ) -> Response:
        self.sent.append((method.upper(), urlsplit(url).path))
        return super().send_request(session, method, url, *args, **kwargs)

    def count(self, method: str, contains: str) -> int:
        return sum(1 for m, path in self.sent if m == method and contains in path)


@pytest.fixture
def database(arango_server: ArangoServer) -> Iterator[str]:
    """A database name of this test, dropped afterwards."""
    name = f"arangoml_test_{uuid.uuid4().hex[:16]}"
    yield name
    arango_server.drop_database(name)


def connect(
    server: ArangoServer, database: str, client: ArangoHTTPClient | None = None, **options: Any
) -> ArangoBackend:
    return ArangoBackend(
        server.url, database, server.username, server.password, http_client=client, **options
    )


def requests_to_open(server: ArangoServer, database: str) -> CountingClient:
    """The requests of opening (and initialising) the store in ``database``."""
    counting = CountingClient()
    backend = connect(server, database, counting)
    try:
        MetadataStore(backend).initialize()
    finally:
        backend.close()
    return counting


def test_opening_a_current_store_reads_one_document(
    arango_server: ArangoServer, database: str
) -> None:
    requests_to_open(arango_server, database)  # a new store, set up
    counting = requests_to_open(arango_server, database)
    print(f"opening a current store: {len(counting.sent)} requests: {counting.sent}")
    assert counting.sent == [
        ("GET", f"/_db/{database}/_api/database/current"),
        ("GET", f"/_db/{database}/_api/document/store_info/store"),
    ]


def test_setting_a_store_up_reads_its_schema_once(
    arango_server: ArangoServer, database: str
) -> None:
    counting = requests_to_open(arango_server, database)
    print(f"setting a new store up: {len(counting.sent)} requests")
    assert counting.count("GET", "/_api/collection") == 1  # the list, once; no properties
    assert counting.count("GET", "/_api/index") == 0  # new collections have no index to list
    assert counting.count("PUT", "/properties") == 0  # created with their schemas
    # one request per collection, index and registry write; no per-type round trips; the
    # audit log's collection, its 3 indexes and the one transaction beginning it (begin, 3
    # reads, the records, commit)
    assert len(counting.sent) <= 60


def test_a_step_is_one_short_transaction_of_one_insert_per_collection(
    arango_server: ArangoServer, database: str
) -> None:
    requests_to_open(arango_server, database)
    counting = CountingClient()
    store = MetadataStore(connect(arango_server, database, counting))
    try:
        with store.transaction():
            data = [store.register("datasets", f"part-{i}") for i in range(5)]
            with store.run("train", inputs={"train": data[0]}) as run:
                for i in range(3):
                    run.register_output("models", f"clf-{i}")
                during = list(counting.sent)  # what the step's code has caused so far
    finally:
        store.close()
    assert not [path for _, path in during if "/_api/transaction" in path]
    assert counting.count("POST", "/_api/transaction/begin") == 1
    assert counting.count("PUT", "/_api/transaction/") == 1  # the commit
    for collection in ("datasets", "models", "runs", "inputs", "outputs"):
        assert counting.count("POST", f"/_api/document/{collection}") == 1, collection


def test_get_many_is_one_request(arango_server: ArangoServer, database: str) -> None:
    counting = CountingClient()
    backend = connect(arango_server, database, counting)
    try:
        backend.create_collection("items")
        backend.insert_many("items", [{"_key": "a"}, {"_key": "b"}])
        before = len(counting.sent)
        found = backend.get_many("items", ["b", "missing", "a"])
        assert len(counting.sent) == before + 1
    finally:
        backend.close()
    assert [None if d is None else d["_key"] for d in found] == ["b", None, "a"]


def test_a_query_the_client_gives_up_on_is_stopped_by_the_server(
    arango_server: ArangoServer, database: str
) -> None:
    backend = connect(arango_server, database, timeout=2.0)
    try:
        with pytest.raises(QueryError) as err:
            backend.query("RETURN SLEEP(10)")
        assert err.value.error_num == ERROR_QUERY_KILLED
        running = backend.api("get", "/_api/query/current")
    finally:
        backend.close()
    assert not [q for q in running if "SLEEP(10)" in str(q.get("query"))]


@pytest.mark.parametrize("secret", ["p,ss", "a#b?c=d", "sl/ash@at"])
def test_a_user_whose_password_has_url_characters_connects(
    arango_server: ArangoServer,
    database: str,
    secret: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = f"u{uuid.uuid4().hex[:10]}"
    with _system(arango_server) as system:
        system.create_database(database)
        system.create_user(user, secret)
        system.update_permission(user, "rw", database)
    try:
        monkeypatch.setenv("ARANGOML_META_DATABASE", database)
        host = arango_server.url.split(",")[0]
        in_url = host.replace("://", f"://{user}:{secret}@", 1)
        open_backend(in_url).close()
        monkeypatch.setenv("ARANGO_PASSWORD", secret)  # the URL names the user only
        open_backend(host.replace("://", f"://{quote(user)}@", 1)).close()
    finally:
        with _system(arango_server) as system:
            system.delete_user(user, ignore_missing=True)


class _system:
    """``_system`` of the test server, as a context manager."""

    def __init__(self, server: ArangoServer) -> None:
        self.client = ArangoClient(hosts=server.url)
        self.server = server

    def __enter__(self) -> Any:
        return self.client.db("_system", self.server.username, self.server.password)

    def __exit__(self, *exc: object) -> None:
        self.client.close()
