"""`store backup`, `store dump` and `store restore` from the command line, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from arangoml_meta.cli import app
from arangoml_meta.store import MetadataStore, open_store

from .conftest import Cli, fails, succeeds


def other_store(*args: str) -> str:
    """`arangoml-meta ARGS...` against a store that is not the test's (its stdout)."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return succeeds(result)


def test_backup_of_an_arangodb_store_says_what_to_use(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    if store.backend.name == "embedded":
        assert "integrity ok" in succeeds(cli("store", "backup", str(tmp_path / "copy")))
    else:
        fails(cli("store", "backup", str(tmp_path / "copy")), "[9]", "arangodump")


def test_backup_refuses_an_existing_destination_in_one_line(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    if store.backend.name != "embedded":
        pytest.skip("an embedded store's backup")
    succeeds(cli("store", "backup", str(tmp_path / "copy")))
    fails(cli("store", "backup", str(tmp_path / "copy")), "[16]", "--overwrite", exit_code=1)
    assert "backed up" in succeeds(cli("store", "backup", str(tmp_path / "copy"), "--overwrite"))


def test_backup_copies_what_the_store_holds(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    if store.backend.name != "embedded":
        pytest.skip("an embedded store's backup")
    store.register("datasets", "iris", rows=150)
    out = succeeds(cli("store", "backup", str(tmp_path / "copy.db")))
    assert str(tmp_path / "copy.db") in out and "integrity ok" in out
    with open_store(str(tmp_path / "copy.db")) as copy:
        assert copy.get("datasets/iris@latest")["rows"] == 150


def test_restore_of_a_missing_or_broken_dump_is_one_line(cli: Cli, tmp_path: Path) -> None:
    fails(cli("store", "restore", str(tmp_path / "nowhere")), "[14]", "no dump directory")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "dump.json").write_text("{")
    fails(cli("store", "restore", str(tmp_path / "broken")), "[600]", "not valid JSON")


def test_dump_refuses_a_directory_with_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "dump").mkdir()
    (tmp_path / "dump" / "keep.txt").write_text("mine")
    fails(cli("store", "dump", str(tmp_path / "dump")), "[16]", "not empty")


def test_restore_into_a_store_with_data_needs_overwrite(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    store.register("datasets", "iris", rows=150)
    succeeds(cli("store", "dump", str(tmp_path / "dump")))
    fails(cli("store", "restore", str(tmp_path / "dump")), "[1207]", "--overwrite")
    out = succeeds(cli("store", "restore", str(tmp_path / "dump"), "--overwrite"))
    assert "graphs from" in out


def test_a_store_moves_through_a_dump(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    store.register("datasets", "iris", rows=150)
    out = succeeds(cli("store", "dump", str(tmp_path / "dump")))
    assert "1 graphs" in out
    target = str(tmp_path / "moved")
    assert "restored" in other_store("--store", target, "store", "restore", str(tmp_path / "dump"))
    with open_store(target) as moved:
        assert moved.get("datasets/iris@latest")["rows"] == 150
