"""A store written by the release of store schema version 3 is brought up to date on open.

Version 4 makes the ``project`` index of a run sparse (``migrations.INDEXES_OF_KIND``):
the fixture (see tests/fixtures/README.md) holds runs with and without a project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arangoml_meta.backends.embedded import STORE_FILE
from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v3" / STORE_FILE


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    """A copy of the store the release of schema version 3 wrote."""
    shutil.copyfile(FIXTURE, tmp_path / STORE_FILE)
    return tmp_path


def project_indexes(path: Path) -> list[dict]:
    db = EmbeddedDatabase(str(path / STORE_FILE))
    try:
        return [i for i in db.indexes("runs") if i.get("fields") == ["project"]]
    finally:
        db.close()


def test_the_fixture_is_of_schema_version_3(old_store: Path) -> None:
    db = EmbeddedDatabase(str(old_store / STORE_FILE))
    try:
        assert db.get("store_info", "store")["schema_version"] == 3
    finally:
        db.close()
    assert [i["sparse"] for i in project_indexes(old_store)] == [False]


def test_opening_makes_the_project_index_of_runs_sparse(old_store: Path) -> None:
    with open_store(str(old_store)) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION
        assert store.backend.get("store_info", "store")["migrations"][-1]["from"] == 3
    assert [i["sparse"] for i in project_indexes(old_store)] == [True]


def test_what_the_old_store_held_still_answers(old_store: Path) -> None:
    with open_store(str(old_store)) as store:
        runs = store.find("runs", {"project": "flowers"})
        assert [r["params"]["lr"] for r in runs] == [0.01, 0.3]
        assert len(store.find("runs")) == 4  # the runs without a project are all there
        assert [d["version"] for d in store.history("models", "iris-clf")] == [1, 2, 3]
        assert set(store.upstream("models/iris-clf@latest", types=["datasets"]).ids()) == {
            "datasets/iris-v1",
            "datasets/iris-v2",
        }
        # versions go on, the deleted scratch-v1 stays spent; new runs with and without one
        assert store.register("datasets", "scratch")["version"] == 2
        with store.run("train", inputs={"train": "datasets/iris@latest"}, project="flowers"):
            pass
        with store.run("train", inputs={"train": "datasets/iris@latest"}):
            pass
        assert len(store.find("runs", {"project": "flowers"})) == 3
        assert len(store.find("runs")) == 6


def test_a_filter_on_the_project_of_runs_reads_the_sparse_index(old_store: Path) -> None:
    with open_store(str(old_store)) as store:
        storage = store.backend.db.storage  # type: ignore[attr-defined]
        statements: list[str] = []
        storage.conn.set_trace_callback(statements.append)
        try:
            assert len(store.find("runs", {"project": "flowers"})) == 2
        finally:
            storage.conn.set_trace_callback(None)
        info = storage.collection("runs")
        (scan,) = [s for s in statements if f"FROM {info.table} " in s and '"project"' in s]
        plan = " / ".join(row[-1] for row in storage.conn.execute(f"EXPLAIN QUERY PLAN {scan}"))
        (index,) = [i for i in info.indexes if i.fields == ["project"]]
        assert index.sparse and f"USING INDEX {info.table}_i{index.id} " in plan, plan


def test_a_migrated_store_opens_without_writing(old_store: Path) -> None:
    open_store(str(old_store)).close()
    wal = old_store / f"{STORE_FILE}-wal"
    before = (
        (old_store / STORE_FILE).stat().st_mtime_ns,
        wal.stat().st_size if wal.exists() else 0,
    )
    with open_store(str(old_store)) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION
    after = ((old_store / STORE_FILE).stat().st_mtime_ns, wal.stat().st_size if wal.exists() else 0)
    assert after == before
