"""Benchmark: ``arangoml-meta serve`` over HTTP beside the embedded store in-process.

Two operations, each with 1, 4 and 8 concurrent clients, in one run:

- document inserts: one document per request (``POST /_api/document/docs`` through
  python-arango's ``collection.insert``; in-process ``EmbeddedDatabase.insert``), each
  its own transaction;
- AQL cursors: a query answered through an index, read to its end in batches of 5
  (``POST /_api/cursor`` then ``PUT /_api/cursor/<id>`` for the second batch; in-process
  ``EmbeddedDatabase.query``).

Over HTTP every client is a thread with a python-arango client of its own, against
one ``serve`` started for the run (a subprocess on a free loopback port, a temporary
store, authentication on); in-process every client is a thread with its own
connection to an embedded store file. It prints operations per second on both sides
and their ratio (HTTP / in-process), and how each side scales from one client. Timings
are wall time on this machine: compare ratios, not absolute figures.

Run: ``make bench-serve`` or ``.venv/bin/python bench/bench_serve.py [--help]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from arango import ArangoClient
from arango.exceptions import ArangoError

from arangoml_meta.embedded import EmbeddedDatabase

REPO_ROOT = Path(__file__).resolve().parent.parent
CLIENT_COUNTS = (1, 4, 8)
PASSWORD = "bench-serve"
PREFILL = 2_000  # documents the cursor queries read from
QUERY = "FOR d IN docs FILTER d.n >= @lo AND d.n < @lo + 10 RETURN d"
BATCH_SIZE = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Serve:
    """``arangoml-meta serve`` in a subprocess for the run."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / "serve.log"
        env = {**os.environ, "ARANGO_ROOT_PASSWORD": PASSWORD}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "arangoml_meta.cli", "serve", "--store"]
        command += [str(directory / "store"), "--port", str(self.port)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while not self._available():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"serve did not start:\n{self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)

    def _available(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_admin/server/availability", timeout=2):
                return True
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def run_clients(clients: int, work: Callable[[int], int]) -> float:
    """Operations per second of ``clients`` threads each running ``work(client)`` (which
    returns how many operations it did), from the first start to the last end."""
    barrier = threading.Barrier(clients + 1)
    done = [0] * clients
    errors: list[BaseException] = []

    def client(i: int) -> None:
        barrier.wait()
        try:
            done[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(done) / seconds


# ---------------------------------------------------------------------- over HTTP


def http_database(url: str, name: str):  # type: ignore[no-untyped-def]
    return ArangoClient(hosts=url).db(name, username="root", password=PASSWORD)


def prepare_http(url: str) -> None:
    system = http_database(url, "_system")
    if not system.has_database("bench"):
        system.create_database("bench")
    db = http_database(url, "bench")
    for name in ("docs", "inserts"):
        if db.has_collection(name):
            db.delete_collection(name)
    docs = db.create_collection("docs")
    docs.add_index({"type": "persistent", "fields": ["n"]})
    docs.insert_many([{"n": n, "payload": f"document {n}"} for n in range(PREFILL)])
    db.create_collection("inserts")


def http_inserts(url: str, clients: int, per_client: int) -> float:
    databases = [http_database(url, "bench") for _ in range(clients)]

    def work(i: int) -> int:
        collection = databases[i].collection("inserts")
        for n in range(per_client):
            collection.insert({"client": i, "n": n, "payload": f"insert {n}"}, silent=True)
        return per_client

    return run_clients(clients, work)


def http_cursors(url: str, clients: int, per_client: int) -> float:
    databases = [http_database(url, "bench") for _ in range(clients)]

    def work(i: int) -> int:
        for n in range(per_client):
            lo = (i * 7919 + n * 104729) % (PREFILL - 10)
            rows = list(
                databases[i].aql.execute(QUERY, bind_vars={"lo": lo}, batch_size=BATCH_SIZE)
            )
            assert len(rows) == 10, rows
        return per_client

    return run_clients(clients, work)


# ---------------------------------------------------------------------- in-process


def prepare_local(path: Path) -> None:
    db = EmbeddedDatabase(str(path))
    try:
        db.create_collection("docs")
        db.ensure_index("docs", ["n"])
        db.insert_many("docs", [{"n": n, "payload": f"document {n}"} for n in range(PREFILL)])
        db.create_collection("inserts")
    finally:
        db.close()


def local_inserts(path: Path, clients: int, per_client: int) -> float:
    databases = [EmbeddedDatabase(str(path)) for _ in range(clients)]

    def work(i: int) -> int:
        for n in range(per_client):
            databases[i].insert("inserts", {"client": i, "n": n, "payload": f"insert {n}"})
        return per_client

    try:
        return run_clients(clients, work)
    finally:
        for db in databases:
            db.close()


def local_cursors(path: Path, clients: int, per_client: int) -> float:
    databases = [EmbeddedDatabase(str(path)) for _ in range(clients)]

    def work(i: int) -> int:
        for n in range(per_client):
            lo = (i * 7919 + n * 104729) % (PREFILL - 10)
            rows = list(databases[i].query(QUERY, {"lo": lo}))
            assert len(rows) == 10, rows
        return per_client

    try:
        return run_clients(clients, work)
    finally:
        for db in databases:
            db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inserts", type=int, default=300, help="inserts per client")
    parser.add_argument("--queries", type=int, default=200, help="cursors per client")
    parser.add_argument("--keep", action="store_true", help="keep the stores and the log")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    serve = Serve(directory)
    local = directory / "local.db"
    rows: list[tuple[str, int, float, float]] = []
    try:
        try:
            prepare_http(serve.url)
        except ArangoError as exc:
            sys.exit(f"serve at {serve.url} cannot hold the benchmark's data yet: {exc}")
        prepare_local(local)
        for clients in CLIENT_COUNTS:
            for name, http, in_process, count in (
                ("document inserts", http_inserts, local_inserts, args.inserts),
                ("AQL cursors", http_cursors, local_cursors, args.queries),
            ):
                print(f"{name}, {clients} client(s) ...", file=sys.stderr, flush=True)
                over_http = http(serve.url, clients, count)
                local_rate = in_process(local, clients, count)
                rows.append((name, clients, over_http, local_rate))
    finally:
        serve.stop()
        if args.keep:
            print(f"stores and serve.log kept in {directory}", file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)

    print(
        f"arangoml-meta serve over HTTP beside the embedded store in-process "
        f"({args.inserts} inserts / {args.queries} cursors per client; {os.cpu_count()} cores)"
    )
    header = f"{'operation':<18}{'clients':>8}{'HTTP/s':>10}{'in-process/s':>14}"
    header += f"{'HTTP / in-process':>19}{'HTTP vs 1 client':>18}{'in-process vs 1':>17}"
    print(header)
    first = {name: (h, p) for name, clients, h, p in rows if clients == 1}
    for name, clients, over_http, local_rate in rows:
        base_http, base_local = first[name]
        print(
            f"{name:<18}{clients:>8}{over_http:>10,.0f}{local_rate:>14,.0f}"
            f"{over_http / local_rate:>18.2f}x{over_http / base_http:>17.2f}x"
            f"{local_rate / base_local:>16.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
