"""One ``arangoml-meta serve`` under a team's load, through the public API.

Eight clients (threads, each its own store and python-arango client over HTTP)
register artifacts at once: each registration is a pipeline step that registers
the next version of one of a few shared names and links it from the client's
previous one. Afterwards nothing is lost, no version of a name is handed out
twice, and every client's chain of links is intact. A client killed in the
middle of a stream transaction leaves nothing behind and blocks no writer past
the server's idle timeout.

``ARANGOML_LOAD_REGISTRATIONS`` (per client; default 20) scales the run: 500
gives the full 8 x 500. The server's own log and the throughput are printed.

The audit log holds under the same load: 8 clients x 100 plain registrations
(``ARANGOML_LOAD_AUDITED_WRITES`` each; 500 gives the full 8 x 500) leave one chain
that verifies, with exactly one record per write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta import open_store
from arangoml_meta.audit import AUDIT_LOG, verify
from arangoml_meta.store import MetadataStore
from tests.conftest import ArangoServer, ServeProcess

CLIENTS = int(os.environ.get("ARANGOML_LOAD_CLIENTS", "8"))
REGISTRATIONS = int(os.environ.get("ARANGOML_LOAD_REGISTRATIONS", "20"))
SHARED_NAMES = 4  # every client registers versions of these names: versions race
IDLE_TIMEOUT = 2.0  # the server's --transaction-idle-timeout (seconds)
AUDITED_WRITES = int(os.environ.get("ARANGOML_LOAD_AUDITED_WRITES", "100"))


@pytest.fixture(scope="module")
def load_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArangoServer]:
    """A serve of its own with a short stream-transaction idle timeout; skips (saying
    why) when it cannot hold a store yet."""
    serve = ServeProcess(
        tmp_path_factory.mktemp("load"), "--transaction-idle-timeout", str(IDLE_TIMEOUT)
    )
    try:
        why_not = serve.wait_until_ready()
        if why_not is not None:
            pytest.skip(f"arangoml-meta serve did not start: {why_not}")
        for method, path, body in [
            ("POST", "/_api/database", {"name": "load_probe"}),
            ("POST", "/_api/transaction/begin", {"collections": {}}),
        ]:
            status, answer = serve.server.request(method, path, body)
            if status == 404 and isinstance(answer, dict) and answer.get("errorNum") == 404:
                pytest.skip(f"arangoml-meta serve does not serve {method} {path} yet")
        yield serve.server
    finally:
        serve.stop()


def _open(server: ArangoServer, actor: str) -> MetadataStore:
    """The store in database ``ARANGOML_META_DATABASE`` of ``server``, as a team member opens it."""
    host = server.url.removeprefix("http://")
    return open_store(f"http://{server.username}:{server.password}@{host}", actor=actor)


def _run_clients(
    stores: list[MetadataStore], work: Callable[[MetadataStore, int], None]
) -> tuple[list[tuple[int, BaseException]], float]:
    """``work(store, client)`` for every store at once, one thread each: what each client
    raised (with its number) and the seconds it all took."""
    errors: list[tuple[int, BaseException]] = []

    def client(store: MetadataStore, number: int) -> None:
        try:
            work(store, number)
        except BaseException as exc:  # reported by the test, with the client's number
            errors.append((number, exc))

    threads = [
        threading.Thread(target=client, args=(store, i), name=f"load-client-{i}")
        for i, store in enumerate(stores)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, time.monotonic() - started


def _client(store: MetadataStore, client: int) -> None:
    previous: dict[str, Any] | None = None
    for seq in range(REGISTRATIONS):
        with store.transaction():
            doc = store.register(
                "datasets",
                f"shared-{seq % SHARED_NAMES}",
                location=f"s3://load/{client}/{seq}",
                client=client,
                seq=seq,
            )
            if previous is not None:
                store.link(previous, doc, "next_version", client=client)
        previous = doc


def test_concurrent_registrations_lose_nothing_and_keep_versions_and_lineage(
    load_server: ArangoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARANGOML_META_DATABASE", "load_registrations")
    first = _open(load_server, "client-0")  # creates the store
    stores = [first] + [_open(load_server, f"client-{i}") for i in range(1, CLIENTS)]
    errors, seconds = _run_clients(stores, _client)
    try:
        assert not errors, errors
        total = CLIENTS * REGISTRATIONS
        print(
            f"\n{CLIENTS} clients x {REGISTRATIONS} registrations (each a step with a link) "
            f"against one serve: {total} in {seconds:.1f} s, {total / seconds:.1f}/s"
        )
        rows = first.query(
            "FOR d IN datasets FILTER d.client != null "
            "RETURN {id: d._id, name: d.name, version: d.version, client: d.client, seq: d.seq}"
        )
        registered = {(row["client"], row["seq"]): row for row in rows}
        assert len(rows) == total, "a registration was stored twice or lost"
        assert set(registered) == {(c, s) for c in range(CLIENTS) for s in range(REGISTRATIONS)}

        versions: dict[str, list[int]] = {}
        for row in rows:
            versions.setdefault(row["name"], []).append(row["version"])
        for name, given in versions.items():
            assert sorted(given) == list(range(1, len(given) + 1)), (name, Counter(given))

        links = first.query("FOR e IN derivations FILTER e.client != null RETURN [e._from, e._to]")
        expected_links = {
            (registered[c, s - 1]["id"], registered[c, s]["id"])
            for c in range(CLIENTS)
            for s in range(1, REGISTRATIONS)
        }
        assert {tuple(link) for link in links} == expected_links
        assert len(links) == len(expected_links)
        for client in range(CLIENTS):  # the public lineage walk sees each whole chain
            last = registered[client, REGISTRATIONS - 1]["id"]
            upstream = set(first.upstream(last, types=["datasets"]).ids())
            assert upstream == {registered[client, s]["id"] for s in range(REGISTRATIONS - 1)}
        report = verify(first.backend)  # one record per document and link, in one chain
        assert report.ok, report.problems[:5]
    finally:
        for store in stores:
            store.close()


def _audited_client(store: MetadataStore, client: int) -> None:
    for n in range(AUDITED_WRITES):
        store.register("datasets", f"audited-{n % SHARED_NAMES}", client=client, n=n)


def test_concurrent_clients_keep_one_audit_chain_with_a_record_per_write(
    load_server: ArangoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARANGOML_META_DATABASE", "load_audited")
    stores = [_open(load_server, f"client-{i}") for i in range(CLIENTS)]
    try:
        begun = verify(stores[0].backend).records
        errors, seconds = _run_clients(stores, _audited_client)
        assert not errors, errors[:3]
        total = CLIENTS * AUDITED_WRITES
        print(f"\n{CLIENTS} clients x {AUDITED_WRITES} audited writes: {total / seconds:.0f}/s")
        report = verify(stores[0].backend)
        assert report.ok, report.problems[:5]
        assert report.records == begun + total
        per_actor = stores[0].query(
            f"FOR b IN {AUDIT_LOG} FOR r IN b.records FILTER r.op == 'create' "
            "COLLECT actor = b.actor WITH COUNT INTO n SORT actor RETURN [actor, n]"
        )
        assert per_actor == [[f"client-{i}", AUDITED_WRITES] for i in range(CLIENTS)]
        assert stores[0].backend.count("datasets") == total
    finally:
        for store in stores:
            store.close()


KILLED_CLIENT = textwrap.dedent(
    """
    import sys, time
    from arango import ArangoClient
    url, user, password = sys.argv[1:4]
    db = ArangoClient(hosts=url).db("load_killed", username=user, password=password)
    trx = db.begin_transaction(write=["items"])
    trx.collection("items").insert({"_key": "ghost"})
    print(trx.transaction_id, flush=True)
    time.sleep(600)
    """
)


def test_a_client_killed_inside_a_stream_transaction_leaves_nothing_and_blocks_no_one(
    load_server: ArangoServer, tmp_path: Path
) -> None:
    from arango import ArangoClient

    client = ArangoClient(hosts=load_server.url)
    try:
        system = client.db("_system", load_server.username, load_server.password)
        if not system.has_database("load_killed"):
            system.create_database("load_killed")
        db = client.db("load_killed", load_server.username, load_server.password)
        if not db.has_collection("items"):
            db.create_collection("items")
        script = tmp_path / "killed_client.py"
        script.write_text(KILLED_CLIENT, encoding="utf-8")
        process = subprocess.Popen(
            [
                sys.executable,
                str(script),
                load_server.url,
                load_server.username,
                load_server.password,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        trx_id = process.stdout.readline().strip()
        assert trx_id, f"the client began no transaction (exit {process.poll()})"
        process.send_signal(signal.SIGKILL)
        process.wait()

        # A writer now waits for the dead client's write lock, which the idle timeout
        # frees; were it held for good, the insert would fail with a lock timeout (18).
        waited = time.monotonic()
        db.collection("items").insert({"_key": "after"})
        waited = time.monotonic() - waited
        print(
            f"\na writer behind a killed client's transaction waited {waited:.1f} s "
            f"(idle timeout {IDLE_TIMEOUT:.0f} s)"
        )

        assert db.collection("items").get("ghost") is None
        assert db.collection("items").get("after") is not None
        status, body = load_server.request("GET", f"/_db/load_killed/_api/transaction/{trx_id}")
        assert status == 404 or body["result"]["status"] == "aborted", (status, body)
        status, body = load_server.request("GET", "/_db/load_killed/_api/transaction")
        assert status == 200
        assert trx_id not in {t["id"] for t in body["transactions"]}
    finally:
        client.close()
