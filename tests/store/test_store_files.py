"""An embedded store behaves like a file users trust: opened only when it is one, never
created by reading, never written when it is another application's or read-only, and every
failure below the engine (a full disk, a damaged file, a lock) is the project's error."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from arangoml_meta.backends import open_backend
from arangoml_meta.backends.embedded import STORE_FILE, EmbeddedBackend
from arangoml_meta.backends.sqlite_errors import translate
from arangoml_meta.embedded.layout import FORMAT
from arangoml_meta.embedded.store_file import APPLICATION_ID
from arangoml_meta.errors import (
    ERROR_ARANGO_CORRUPTED_DATAFILE,
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_TOO_LARGE,
    ERROR_ARANGO_FILESYSTEM_FULL,
    ERROR_ARANGO_ILLEGAL_PARAMETER_FILE,
    ERROR_ARANGO_READ_ONLY,
    ERROR_INCOMPATIBLE_VERSION,
    ERROR_LOCK_TIMEOUT,
    ArangoMLMetaError,
    BadParameterError,
    DocumentError,
    StoreError,
    TransactionError,
)
from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import MetadataStore, open_store

OLD_STORE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v1" / STORE_FILE
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


@pytest.fixture
def made(tmp_path: Path) -> Iterator[Path]:
    """The directory of a store holding one dataset (closed again)."""
    with open_store(str(tmp_path / "made"), actor="tester") as store:
        store.register("datasets", "iris", rows=150)
    yield tmp_path / "made"


# --------------------------------------------------------------------------- no store there


@pytest.mark.parametrize("options", [{"create": False}, {"read_only": True}])
def test_opening_a_missing_store_without_creating_is_1228_and_creates_nothing(
    tmp_path: Path, options: dict[str, bool]
) -> None:
    where = tmp_path / "nothing" / "here"
    with pytest.raises(StoreError) as err:
        open_store(str(where), **options)
    assert err.value.error_num == ERROR_ARANGO_DATABASE_NOT_FOUND
    assert str(where) in str(err.value)
    assert not (tmp_path / "nothing").exists()


def test_an_empty_file_is_no_store_to_read_but_becomes_one_when_written(tmp_path: Path) -> None:
    (tmp_path / STORE_FILE).touch()
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path), read_only=True)
    assert err.value.error_num == ERROR_ARANGO_DATABASE_NOT_FOUND
    with open_store(str(tmp_path)) as store:
        store.register("datasets", "iris", rows=1)
    with open_store(str(tmp_path), create=False) as store:
        assert store.get("datasets/iris@latest")["rows"] == 1


def test_a_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        open_store(str(tmp_path / "notes.txt"))
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --------------------------------------------------------------------------- not our file


@pytest.mark.parametrize("read_only", [False, True])
def test_random_bytes_are_refused_with_1100_and_left_as_they_were(
    tmp_path: Path, read_only: bool
) -> None:
    file = tmp_path / STORE_FILE
    file.write_bytes(os.urandom(8192))
    before = digest(file)
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path), read_only=read_only)
    assert err.value.error_num == ERROR_ARANGO_CORRUPTED_DATAFILE
    assert "not a store" in str(err.value) and str(file) in str(err.value)
    assert digest(file) == before


def test_a_truncated_store_is_1100_when_its_lost_part_is_read(made: Path) -> None:
    file = made / STORE_FILE
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreError) as err, open_store(str(made)) as store:
        for artifact_type in store.types():
            store.find(artifact_type.name)
    assert err.value.error_num == ERROR_ARANGO_CORRUPTED_DATAFILE
    assert "damaged" in str(err.value)


def foreign_file(path: Path, application_id: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT, artist TEXT)")
    conn.execute("INSERT INTO songs VALUES ('So What', 'Miles Davis')")
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("application_id", [0, 0x0F0F0F0F])
@pytest.mark.parametrize("read_only", [False, True])
def test_another_applications_sqlite_file_is_refused_and_never_written(
    tmp_path: Path, application_id: int, read_only: bool
) -> None:
    file = foreign_file(tmp_path / STORE_FILE, application_id)
    before = digest(file)
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path), read_only=read_only)
    assert err.value.error_num == ERROR_ARANGO_ILLEGAL_PARAMETER_FILE
    assert "another application" in str(err.value)
    assert digest(file) == before
    assert files_in(tmp_path) == {STORE_FILE}  # no -wal or -shm left beside it either


def test_a_foreign_file_with_a_db_name_is_refused_too(tmp_path: Path) -> None:
    file = foreign_file(tmp_path / "music.db", application_id=0)
    with pytest.raises(StoreError, match="another application"):
        open_store(str(file))
    assert sqlite3.connect(file).execute("SELECT count(*) FROM sqlite_master").fetchone() == (1,)


def test_a_new_store_carries_the_mark_and_an_unmarked_older_one_is_still_ours(made: Path) -> None:
    file = made / STORE_FILE
    conn = sqlite3.connect(file)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.execute("PRAGMA application_id = 0")  # as release 0.1 wrote its files
    conn.commit()
    conn.close()
    with open_store(str(made), read_only=True) as store:
        assert store.get("datasets/iris@latest")["rows"] == 150


# --------------------------------------------------------------------------- read-only


def test_read_only_reads_and_refuses_every_write_with_1004(made: Path) -> None:
    file = made / STORE_FILE
    before = digest(file)
    with open_store(str(made), read_only=True) as store:
        assert store.backend.read_only
        assert store.get("datasets/iris@latest")["rows"] == 150
        assert store.query("FOR d IN datasets RETURN d.name") == ["iris"]
        with pytest.raises(StoreError) as err:
            store.register("datasets", "iris", rows=151)
        assert err.value.error_num == ERROR_ARANGO_READ_ONLY
        with pytest.raises(StoreError):
            store.query("INSERT {name: 'x'} INTO datasets")
        assert store.query("FOR d IN datasets RETURN d.version") == [1]
    assert digest(file) == before


def test_a_store_file_named_db_opens_read_only_too(made: Path) -> None:
    with open_store(str(made / STORE_FILE), read_only=True) as store:
        assert store.info()["counts"]["datasets"] == 1


@pytest.mark.skipif(AS_ROOT, reason="root may write any file: permissions are not enforced")
@pytest.mark.parametrize("locked", ["file", "directory"])
def test_a_store_this_user_may_not_write_is_read(made: Path, locked: str) -> None:
    file = made / STORE_FILE
    target, mode = (file, 0o444) if locked == "file" else (made, 0o555)
    target.chmod(mode)
    try:
        with open_store(str(made)) as store:  # not asked for read-only: it is anyway
            assert store.backend.read_only
            assert store.get("datasets/iris@latest")["rows"] == 150
            with pytest.raises(StoreError) as err:
                store.register("datasets", "other", rows=1)
            assert err.value.error_num == ERROR_ARANGO_READ_ONLY
    finally:
        target.chmod(0o755 if locked == "directory" else 0o644)


def test_read_only_does_not_migrate_an_older_store_and_says_how(tmp_path: Path) -> None:
    shutil.copyfile(OLD_STORE, tmp_path / STORE_FILE)
    before = digest(tmp_path / STORE_FILE)
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path), read_only=True)
    assert err.value.error_num == ERROR_ARANGO_READ_ONLY
    assert "older" in str(err.value) and "store init" in str(err.value)
    assert digest(tmp_path / STORE_FILE) == before
    with open_store(str(tmp_path)) as store:  # opened for writing, it is migrated
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION
    with open_store(str(tmp_path), read_only=True) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION


# --------------------------------------------------------------------------- newer versions


def test_a_newer_storage_format_is_refused_naming_both_formats(made: Path) -> None:
    conn = sqlite3.connect(made / STORE_FILE)
    conn.execute(f"PRAGMA user_version = {FORMAT + 1}")
    conn.commit()
    conn.close()
    before = digest(made / STORE_FILE)
    for read_only in (False, True):
        with pytest.raises(StoreError) as err:
            open_store(str(made), read_only=read_only)
        assert err.value.error_num == ERROR_INCOMPATIBLE_VERSION
        assert f"format {FORMAT + 1}" in str(err.value) and f"format {FORMAT})" in str(err.value)
    assert digest(made / STORE_FILE) == before


def test_a_newer_schema_version_refuses_writing_and_can_be_read(made: Path) -> None:
    newer = STORE_SCHEMA_VERSION + 1
    with open_store(str(made)) as store:
        store.backend.update("store_info", "store", {"schema_version": newer})
    with pytest.raises(StoreError) as err:
        open_store(str(made))
    assert err.value.error_num == ERROR_INCOMPATIBLE_VERSION
    assert f"schema version {newer}" in str(err.value)
    assert f"({STORE_SCHEMA_VERSION})" in str(err.value)
    with open_store(str(made), read_only=True) as store:
        assert store.get("datasets/iris@latest")["rows"] == 150


# --------------------------------------------------------------------------- full disk, locks


def limit_growth(store: MetadataStore, pages: int = 0) -> sqlite3.Connection:
    """Make SQLite answer "database or disk is full" once the file grows by ``pages``."""
    conn: sqlite3.Connection = store.backend.db.storage.conn  # type: ignore[attr-defined]
    size = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {size + pages}")
    return conn


def test_a_full_disk_is_1104_writes_nothing_and_the_store_goes_on(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store:
        store.register("datasets", "before", rows=1)
        conn = limit_growth(store)
        with pytest.raises(StoreError) as err:
            for i in range(200):
                store.register("datasets", f"big{i}", rows=i, description="x" * 4000)
        assert err.value.error_num == ERROR_ARANGO_FILESYSTEM_FULL
        assert "full" in str(err.value)
        written = store.query("FOR d IN datasets RETURN d.name")
        assert all(store.get(f"datasets/{name}@latest") for name in written)
        conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        store.register("datasets", "after", rows=2)
        assert store.get("datasets/after@latest")["rows"] == 2
    with open_store(str(tmp_path)) as store:
        assert store.get("datasets/before@latest")["rows"] == 1


def test_a_full_disk_in_a_step_writes_none_of_the_step(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store:
        conn = limit_growth(store, pages=2)
        with pytest.raises(StoreError) as err, store.transaction():
            for i in range(100):
                store.register("datasets", f"part{i}", rows=i, description="y" * 4000)
        assert err.value.error_num == ERROR_ARANGO_FILESYSTEM_FULL
        assert not conn.in_transaction
        assert store.query("FOR d IN datasets RETURN d") == []
        conn.execute("PRAGMA max_page_count = 1073741823")
        with store.transaction():
            store.register("datasets", "whole", rows=1)
        assert store.query("FOR d IN datasets RETURN d.name") == ["whole"]


def test_a_store_locked_longer_than_the_timeout_is_18(tmp_path: Path) -> None:
    with open_store(str(tmp_path)):
        pass
    backend = EmbeddedBackend(tmp_path, lock_timeout=0.2)
    holder = sqlite3.connect(tmp_path / STORE_FILE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        store = MetadataStore(backend, actor="tester")
        with pytest.raises(TransactionError) as err:
            store.register("datasets", "iris", rows=1)
        assert err.value.error_num == ERROR_LOCK_TIMEOUT
        assert "ARANGOML_META_LOCK_TIMEOUT" in str(err.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.register("datasets", "iris", rows=1)  # the lock gone, the same store writes
    backend.close()


def test_an_error_of_the_engines_own_sql_is_not_disguised() -> None:
    bug = sqlite3.OperationalError("no such table: c99")
    bug.sqlite_errorcode = 1  # type: ignore[attr-defined]  # SQLITE_ERROR
    assert translate(bug, "/somewhere") is None


@pytest.mark.parametrize(
    ("message", "num", "cls"),
    [
        ("database or disk is full", ERROR_ARANGO_FILESYSTEM_FULL, StoreError),
        ("file is not a database", ERROR_ARANGO_CORRUPTED_DATAFILE, StoreError),
        ("attempt to write a readonly database", ERROR_ARANGO_READ_ONLY, StoreError),
        ("database is locked", ERROR_LOCK_TIMEOUT, TransactionError),
        ("string or blob too big", ERROR_ARANGO_DOCUMENT_TOO_LARGE, DocumentError),
    ],
)
def test_errors_are_known_by_their_message_where_python_gives_no_code(
    message: str, num: int, cls: type[ArangoMLMetaError]
) -> None:
    error = translate(sqlite3.OperationalError(message), "/somewhere")
    assert type(error) is cls and error.error_num == num


# --------------------------------------------------------------------------- file: URIs


@pytest.mark.parametrize("form", ["file://{path}", "file:{path}", "file://localhost{path}"])
def test_a_file_uri_names_an_embedded_store_at_its_path(tmp_path: Path, form: str) -> None:
    backend = open_backend(form.format(path=tmp_path / "by uri").replace(" ", "%20"))
    assert isinstance(backend, EmbeddedBackend)
    assert backend.location == str(tmp_path / "by uri" / STORE_FILE)
    backend.close()


@pytest.mark.parametrize(
    "uri", ["file://otherhost/data/meta", "file:///data/meta?mode=ro", "file:///data#x", "file:"]
)
def test_a_file_uri_with_host_options_or_no_path_is_refused(uri: str) -> None:
    with pytest.raises(BadParameterError, match="file:"):
        open_backend(uri)


def test_a_database_without_a_store_is_not_made_one_by_a_reader(tmp_path: Path) -> None:
    file = tmp_path / STORE_FILE
    EmbeddedBackend(tmp_path).close()  # the engine's catalog, but no arangoml-meta store in it
    before = digest(file)
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path), create=False)
    assert err.value.error_num == ERROR_ARANGO_DATABASE_NOT_FOUND
    assert digest(file) == before


def test_in_memory_is_a_new_store_whatever_create_says() -> None:
    with open_store(":memory:", create=False) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION


@pytest.mark.parametrize("location", ["a\0b", "file:///tmp/%00x", "~no-such-user-here/meta"])
def test_a_location_no_store_can_be_at_is_10(location: str) -> None:
    with pytest.raises(BadParameterError):
        open_store(location)


def test_a_location_too_deep_to_create_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(ArangoMLMetaError):  # 10 (too deep to recurse into) or 2 (name too long)
        open_store(str(tmp_path / ("d/" * 2_100)))


def test_an_empty_database_of_another_application_with_its_own_version_is_refused(
    tmp_path: Path,
) -> None:
    conn = sqlite3.connect(tmp_path / STORE_FILE)
    conn.execute("PRAGMA user_version = 7")  # no tables yet, but another program's version
    conn.close()
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path))
    assert err.value.error_num == ERROR_ARANGO_ILLEGAL_PARAMETER_FILE


def test_after_a_full_disk_inside_a_transaction_nothing_more_is_written_on_its_own(
    tmp_path: Path,
) -> None:
    backend = EmbeddedBackend(tmp_path)
    backend.create_collection("notes")
    conn = backend.db.storage.conn
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(TransactionError), backend.transaction(write=["notes"]) as session:
        with pytest.raises(StoreError):  # the caller swallows the full disk ...
            session.insert_many("notes", [{"text": "x" * 3000} for _ in range(50)])
        conn.execute("PRAGMA max_page_count = 1073741823")
        session.insert("notes", {"text": "small"})  # ... and writes on: refused
    assert backend.count("notes") == 0
    backend.close()


def test_read_only_opens_a_store_whose_path_has_uri_characters(tmp_path: Path) -> None:
    where = tmp_path / "odd ?name#with%25 chars"
    with open_store(str(where)) as store:
        store.register("datasets", "iris", rows=4)
    with open_store(str(where), read_only=True) as store:
        assert store.get("datasets/iris@latest")["rows"] == 4
