"""A store written by release 0.1.0 (store schema version 1) is brought up to date on open."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arangoml_meta.backends.embedded import STORE_FILE
from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v1" / STORE_FILE


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    """A copy of the store release 0.1.0 wrote (see tests/fixtures/README.md)."""
    shutil.copyfile(FIXTURE, tmp_path / STORE_FILE)
    return tmp_path


def raw_documents(path: Path, collection: str) -> list[dict]:
    db = EmbeddedDatabase(str(path / STORE_FILE))
    try:
        return list(db.query(f"FOR d IN {collection} SORT d._key RETURN d"))
    finally:
        db.close()


def test_the_fixture_is_of_release_1(old_store: Path) -> None:
    runs = raw_documents(old_store, "runs")
    assert len(runs) == 2 and all("packages" in run["environment"] for run in runs)
    assert raw_documents(old_store, "store_info")[0]["schema_version"] == 1


def test_opening_migrates_runs_to_shared_environments(old_store: Path) -> None:
    before = {run["_key"]: run for run in raw_documents(old_store, "runs")}
    with open_store(str(old_store)) as store:
        info = store.info()
        assert info["schema_version"] == STORE_SCHEMA_VERSION
        assert info["counts"]["environments"] == 1  # both runs ran in one environment
        for run in store.find("runs"):
            old = before[run["_key"]]
            assert set(run["environment"]) == {"id", "host", "user", "pid"}
            assert store.environment_of(run) == old["environment"]
            unchanged = {k: v for k, v in run.items() if k not in ("environment", "_rev")}
            assert unchanged == {k: v for k, v in old.items() if k not in ("environment", "_rev")}
        runs_type = store.type("runs")
        assert runs_type.schema_version == 2
        assert "id" in runs_type.schema["properties"]["environment"]["properties"]
        stored_info = store.backend.get("store_info", "store")
        assert stored_info["migrations"][0]["from"] == 1


def test_what_the_old_store_held_still_answers(old_store: Path) -> None:
    with open_store(str(old_store)) as store:
        assert [d["version"] for d in store.history("datasets", "iris")] == [1, 2]
        assert store.get("reports/q3@latest")["pages"] == 12  # a team's own type
        upstream = store.upstream("deployments/iris-prod", types=["datasets"])
        assert set(upstream.ids()) == {"datasets/iris-v1", "datasets/iris-v2"}
        assert store.impact("datasets/iris").ids() == [
            "models/iris-clf-v1", "models/iris-clf-v2", "deployments/iris-prod-v1",
        ]  # fmt: skip
        # versions go on, and the deleted scratch-v1 stays spent
        assert store.register("datasets", "iris")["version"] == 3
        assert store.register("datasets", "scratch")["version"] == 3
        with store.run("train", inputs={"train": "datasets/iris@3"}) as run:
            run.log_metrics({"accuracy": 0.97})
        assert store.info()["counts"]["environments"] in (1, 2)  # this process may differ


def written(folder: Path) -> tuple[int, int]:
    """The database file's modification time, and the bytes in its write-ahead log."""
    wal = folder / f"{STORE_FILE}-wal"
    return (folder / STORE_FILE).stat().st_mtime_ns, wal.stat().st_size if wal.exists() else 0


def test_a_migrated_store_opens_without_writing(old_store: Path) -> None:
    open_store(str(old_store)).close()
    before = written(old_store)
    with open_store(str(old_store)) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION
        assert written(old_store) == before
