"""``store.backup(dest)``: a consistent copy of a live embedded store (SQLite's online backup)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from arangoml_meta import backup as backup_module
from arangoml_meta.errors import (
    ERROR_BAD_PARAMETER,
    ERROR_CANNOT_OVERWRITE_FILE,
    ERROR_CANNOT_WRITE_FILE,
    ERROR_NOT_IMPLEMENTED,
    ArangoMLMetaError,
    DumpError,
)
from arangoml_meta.store import MetadataStore, open_store

from .pipeline import committed_steps, writing_pipeline


@pytest.fixture
def source(tmp_path: Path) -> MetadataStore:
    store = open_store(str(tmp_path / "source"))
    store.register("datasets", "iris", rows=150)
    yield store
    store.close()


# ---------------------------------------------------------------------- bad input


def test_an_arangodb_store_is_told_to_use_arangodump(store: MetadataStore, tmp_path: Path) -> None:
    if store.backend.name == "embedded":
        assert store.backup(tmp_path / "copy").documents > 0
        return
    with pytest.raises(ArangoMLMetaError, match="arangodump") as caught:
        store.backup(tmp_path / "copy")
    assert caught.value.error_num == ERROR_NOT_IMPLEMENTED
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize("dest", ["source", "source/store.db", "source/../source"])
def test_a_store_is_not_backed_up_onto_itself(
    source: MetadataStore, tmp_path: Path, dest: str
) -> None:
    with pytest.raises(ArangoMLMetaError) as caught:
        source.backup(tmp_path / dest)
    assert caught.value.error_num in (ERROR_BAD_PARAMETER, ERROR_CANNOT_OVERWRITE_FILE)
    assert source.get("datasets/iris@latest")["rows"] == 150


def test_an_existing_destination_is_refused_and_left_alone(
    source: MetadataStore, tmp_path: Path
) -> None:
    dest = tmp_path / "precious.db"
    dest.write_bytes(b"not yours")
    with pytest.raises(DumpError, match="--overwrite") as caught:
        source.backup(dest)
    assert caught.value.error_num == ERROR_CANNOT_OVERWRITE_FILE
    assert dest.read_bytes() == b"not yours"


def test_a_directory_named_like_a_store_file_is_refused(
    source: MetadataStore, tmp_path: Path
) -> None:
    (tmp_path / "copy.db").mkdir()
    with pytest.raises(DumpError) as caught:
        source.backup(tmp_path / "copy.db", overwrite=True)
    assert caught.value.error_num == ERROR_CANNOT_OVERWRITE_FILE


def test_an_unwritable_destination_is_error_15(source: MetadataStore, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DumpError) as caught:
        source.backup(tmp_path / "a-file" / "copy")
    assert caught.value.error_num == ERROR_CANNOT_WRITE_FILE


def test_a_failed_backup_leaves_no_file_behind(
    source: MetadataStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def corrupt(path: Path) -> dict[str, int]:
        raise DumpError("the copy failed its integrity check: page 3", ERROR_CANNOT_WRITE_FILE)

    monkeypatch.setattr(backup_module, "_check", corrupt)
    with pytest.raises(DumpError, match="integrity"):
        source.backup(tmp_path / "copy")
    assert list((tmp_path / "copy").iterdir()) == []


# ---------------------------------------------------------------------- copies


def test_the_copy_opens_as_a_store_with_the_same_documents(
    source: MetadataStore, tmp_path: Path
) -> None:
    report = source.backup(tmp_path / "copy")
    assert Path(report.destination) == tmp_path / "copy" / "store.db"
    assert (
        report.counts["datasets"] == 1 and report.bytes == Path(report.destination).stat().st_size
    )
    with open_store(str(tmp_path / "copy")) as copy:
        assert copy.get("datasets/iris@latest")["rows"] == 150
        assert copy.info()["counts"] == source.info()["counts"]


def test_overwrite_replaces_a_store_and_its_write_ahead_log(
    source: MetadataStore, tmp_path: Path
) -> None:
    with open_store(str(tmp_path / "old")) as old:
        for n in range(20):
            old.register("datasets", f"old-{n}")
        wal = tmp_path / "old" / "store.db-wal"
        left = wal.read_bytes()
    wal.write_bytes(left)  # as a killed process leaves it: replayed onto the new file, if kept
    assert left
    source.backup(tmp_path / "old", overwrite=True)
    with open_store(str(tmp_path / "old")) as copy:
        assert [d["name"] for d in copy.find("datasets")] == ["iris"]


def test_an_in_memory_store_is_copied_to_a_file(tmp_path: Path) -> None:
    with open_store(":memory:") as store:
        store.register("datasets", "iris")
        store.backup(tmp_path / "copy.db")
    with open_store(str(tmp_path / "copy.db")) as copy:
        assert copy.get("datasets/iris@latest")["name"] == "iris"


def test_a_backup_under_a_writing_pipeline_holds_every_acknowledged_commit(
    tmp_path: Path,
) -> None:
    """A process commits steps without pause while the backup runs: every step it
    acknowledged before the backup began is in the copy, the copy holds whole steps
    without gaps and passes SQLite's integrity check."""
    path = str(tmp_path / "live")
    open_store(path).close()
    with writing_pipeline(path) as pipeline:
        before = pipeline.wait_for(300)
        with open_store(path) as live:
            report = live.backup(tmp_path / "copy")
        pipeline.wait_for(len(pipeline.acknowledged) + 50)  # it goes on meanwhile
    copy = sqlite3.connect(report.destination)
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copy.close()
    with open_store(str(tmp_path / "copy")) as store:
        steps = committed_steps(store)
    assert steps[:before] == list(range(before))  # every acknowledged commit
    assert report.counts["datasets"] == len(steps)
    print(f"commits acknowledged before the backup: {before}, in the copy: {len(steps)}")
