"""Several processes on one embedded file store: concurrent writers, openers, killed processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from arangoml_meta.backends.embedded import STORE_FILE
from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import open_store
from arangoml_meta.types import BUILTIN_NAMES

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork()"
)
fork = multiprocessing.get_context("fork")
REGISTRATIONS = 500
OPEN_ROUNDS = 5
WAIT_SECONDS = 60


def start(target, *args) -> multiprocessing.Process:
    process = fork.Process(target=target, args=args)
    process.start()
    return process


def finish(*processes: multiprocessing.Process) -> list[int | None]:
    for process in processes:
        process.join(WAIT_SECONDS)
        if process.is_alive():  # hung: do not leave it behind
            process.kill()
            process.join()
    return [process.exitcode for process in processes]


# ---------------------------------------------------------------------- what the children do


def register_many(path: Path, barrier, count: int) -> None:
    store = open_store(str(path))
    barrier.wait()
    for _ in range(count):
        store.register("datasets", "shared")
    store.close()


def open_at(path: Path, moment: float) -> None:
    while time.time() < moment:
        pass
    open_store(str(path)).close()


def hold_write_lock(path: Path, locked, seconds: float) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def die_in_a_run(path: Path, how: str, dying) -> None:
    store = open_store(str(path))
    data = store.register("datasets", "iris")
    run = store.start_run("train", inputs={"train": data}, params={"lr": 0.1})
    run.log_metric("loss", 0.5, step=1)
    run.register_output("models", "clf")
    run.flush()
    if how == "exit":
        os._exit(9)
    dying.set()
    time.sleep(WAIT_SECONDS)  # until SIGKILL


def die_in_a_deletion(path: Path) -> None:
    """Cascade-delete, and die (as a crash would) once the edges and the first
    collection's documents are gone but before the rest and the records are written."""
    store = open_store(str(path))
    backend = store.raw_backend  # the embedded session is the backend itself
    deleted = backend.delete_many

    def delete_then_die(collection: str, keys: list[str]) -> None:
        deleted(collection, keys)
        if collection not in ("inputs", "outputs", "derivations"):
            os._exit(9)

    backend.delete_many = delete_then_die  # type: ignore[method-assign]
    store.delete("datasets/raw-v1", cascade=True)


def hold_a_step(path: Path, started, seconds: float) -> None:
    """A pipeline step that registers, then trains for a while before it ends."""
    store = open_store(str(path))
    with store.transaction():
        data = store.register("datasets", "held")
        with store.run("train", inputs={"train": data}) as run:
            started.set()
            time.sleep(seconds)
            run.register_output("models", "slow")
    store.close()


def run_to_completion(path: Path) -> None:
    with open_store(str(path)).run("child"):
        pass


# ---------------------------------------------------------------------- tests


def test_two_writers_take_every_version_once(tmp_path: Path) -> None:
    open_store(str(tmp_path)).close()
    barrier = fork.Barrier(2)
    writers = [start(register_many, tmp_path, barrier, REGISTRATIONS) for _ in range(2)]
    assert finish(*writers) == [0, 0]
    history = open_store(str(tmp_path)).history("datasets", "shared")
    assert [doc["version"] for doc in history] == list(range(1, 2 * REGISTRATIONS + 1))
    assert len({doc["_key"] for doc in history}) == 2 * REGISTRATIONS


def test_opening_a_store_twice_changes_nothing(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store:
        store.register("datasets", "iris")
        before = store.info()
    with open_store(str(tmp_path)) as store:
        assert store.info() == before
        assert store.backend.count("artifact_types") == len(BUILTIN_NAMES)


def test_two_processes_initialise_a_fresh_store_at_once(tmp_path: Path) -> None:
    # the race window is a fraction of a millisecond wide: several rounds, staggered a little
    for round_ in range(OPEN_ROUNDS):
        path = tmp_path / f"round-{round_}"
        moment = time.time() + 0.2
        openers = [start(open_at, path, moment + 0.0005 * round_ * i) for i in range(2)]
        assert finish(*openers) == [0, 0]
        with open_store(str(path)) as store:
            assert {t.name for t in store.types()} == set(BUILTIN_NAMES)
            assert store.backend.count("store_info") == 1


def test_opening_a_fresh_store_waits_for_another_process_holding_its_lock(
    tmp_path: Path,
) -> None:
    locked = fork.Event()
    holder = start(hold_write_lock, tmp_path / STORE_FILE, locked, 0.5)
    assert locked.wait(WAIT_SECONDS)
    try:
        with open_store(str(tmp_path)) as store:
            assert store.info()["schema_version"] == STORE_SCHEMA_VERSION
    finally:
        assert finish(holder) == [0]


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_a_process_killed_in_a_run_leaves_it_running_and_orphaned(tmp_path: Path, how: str) -> None:
    dying = fork.Event()
    child = start(die_in_a_run, tmp_path, how, dying)
    if how == "sigkill":
        assert dying.wait(WAIT_SECONDS)
        os.kill(child.pid, signal.SIGKILL)
    assert finish(child) == [9 if how == "exit" else -signal.SIGKILL]

    with open_store(str(tmp_path)) as store:
        counts = store.info()["counts"]
        assert {name: n for name, n in counts.items() if n} == {
            "datasets": 1,
            "models": 1,
            "runs": 1,
            "inputs": 1,
            "outputs": 1,
            "environments": 1,
        }
        (run,) = store.find("runs")
        assert (run["status"], run["params"], run["metrics"]) == (
            "running",
            {"lr": 0.1},
            {"loss": 0.5},
        )
        assert run["environment"]["pid"] == child.pid
        unfinished = store.unfinished_runs()
        assert [(r["_id"], r["orphaned"]) for r in unfinished] == [(run["_id"], True)]


def test_a_process_dying_in_a_deletion_deletes_nothing(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store:
        raw = store.register("datasets", "raw")
        with store.run("train", inputs={"data": raw}) as run:
            model = run.register_output("models", "clf")
        store.link(model, store.register("deployments", "clf-prod"), "deployed_as")
        before = store.info()["counts"]
    child = start(die_in_a_deletion, tmp_path)
    assert finish(child) == [9]
    with open_store(str(tmp_path)) as store:
        assert store.info()["counts"] == before
        assert store.backend.count("deletions") == 0
        assert len(store.downstream("datasets/raw-v1")) == 3


def test_a_live_run_is_not_orphaned(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store, store.run("train") as run:
        assert [(r["_id"], r["orphaned"]) for r in store.unfinished_runs()] == [(run.id, False)]


def test_a_run_in_a_forked_process_records_that_process(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store:
        with store.run("parent"):
            pass  # the parent has captured its environment just now
        child = start(run_to_completion, tmp_path)
        assert finish(child) == [0]
        (run,) = store.find("runs", {"name": "child"})
        assert run["environment"]["pid"] == child.pid


HELD_SECONDS = 3.0


def test_a_step_held_longer_than_the_lock_timeout_blocks_no_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process holds a step open three times longer than the lock timeout; another
    opens the store, reads and writes meanwhile, each at once."""
    monkeypatch.setenv("ARANGOML_META_LOCK_TIMEOUT", str(HELD_SECONDS / 3))
    open_store(str(tmp_path)).close()
    started = fork.Event()
    holder = start(hold_a_step, tmp_path, started, HELD_SECONDS)
    try:
        assert started.wait(WAIT_SECONDS)
        began = time.monotonic()
        with open_store(str(tmp_path)) as store:
            assert store.info()["counts"]["datasets"] == 0  # the step has written nothing
            store.register("datasets", "other")
            with store.transaction():
                store.register("datasets", "another")
            assert {d["name"] for d in store.find("datasets")} == {"other", "another"}
        assert time.monotonic() - began < HELD_SECONDS / 3
    finally:
        assert finish(holder) == [0]
    with open_store(str(tmp_path)) as store:
        assert {d["name"] for d in store.find("datasets")} == {"other", "another", "held"}
        (run,) = store.find("runs")
        assert run["status"] == "completed" and store.get("models/slow@latest")
