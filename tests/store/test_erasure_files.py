"""After an erasure no byte of an erased value is left in the embedded store's files.

SQLite keeps a rewritten document's old body in the file's free space and in the
write-ahead log unless told otherwise: the store's connections delete securely and
an erasure empties the log (see ``erasure.py``). The test greps the raw bytes of
the database file, its ``-wal`` and its ``-shm``, with the store open and after it is
closed; that the value is there before the erasure shows the grep can see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from arangoml_meta.backends import EmbeddedBackend
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import load_type_file

SECRET = "QJX-erasable-8813@example.org"
# a profile too large for one page: its old body spans overflow pages when rewritten
LARGE = {f"column_{i}": {"frequencies": {f"{SECRET}-{i}": i}} for i in range(400)}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MetadataStore]:
    store = MetadataStore(EmbeddedBackend(tmp_path / "store"))
    store.initialize()
    yield store
    store.close()


def store_files(store: MetadataStore) -> dict[str, bytes]:
    database = Path(store.backend.location)
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    return {f.name: f.read_bytes() for f in files if f.exists()}


def holding(files: dict[str, bytes], value: str) -> list[str]:
    return [name for name, data in files.items() if value.encode() in data]


@pytest.mark.parametrize("statistics", [{"email": {"frequencies": {SECRET: 1}}}, LARGE])
def test_no_erased_byte_is_left_in_the_files(store: MetadataStore, statistics: dict) -> None:
    raw = store.register("datasets", "customers", statistics=statistics, location="s3://x")
    store.register("datasets", "customers", statistics=statistics)
    store.tag(raw, add=["gdpr"])  # a rewrite before the erasure: its old body is freed too
    copy = store.register("datasets", "sample", statistics=statistics)
    store.link(raw, copy, "subset_of")
    salts = [doc["digest_salt"] for doc in (raw, copy)]  # a guess of the value needs them
    assert holding(store_files(store), SECRET)  # the grep sees it while it is stored
    assert all(holding(store_files(store), salt) for salt in salts)
    erasure = store.erase(raw["_id"], reason="request 7")
    assert erasure.log_truncated is True
    assert holding(store_files(store), SECRET) == []
    assert [salt for salt in salts if holding(store_files(store), salt)] == []
    assert store.get(raw["_id"])["location"] == "s3://x"  # what is not personal stays
    store.close()
    assert holding(store_files(store), SECRET) == []


def test_the_store_deletes_securely(store: MetadataStore) -> None:
    """A document deleted the ordinary way leaves no bytes either, once the log is emptied."""
    doc = store.register("datasets", "gone", statistics={"email": {"frequencies": {SECRET: 1}}})
    store.delete(doc["_id"])
    assert store.backend.db.storage.truncate_write_ahead_log()  # type: ignore[attr-defined]
    assert holding(store_files(store), SECRET) == []


def test_without_secure_deletion_the_value_would_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the store sets ``secure_delete`` itself: some SQLite builds default to it, others
    do not, and without it the erased body stays in the file's free space."""
    import arangoml_meta.embedded.storage as storage

    pragmas = tuple(p for p in storage.CONNECTION_PRAGMAS if not p.startswith("secure_delete"))
    monkeypatch.setattr(storage, "CONNECTION_PRAGMAS", (*pragmas, "secure_delete=OFF"))
    store = MetadataStore(EmbeddedBackend(tmp_path / "insecure"))
    store.initialize()
    try:
        raw = store.register("datasets", "customers", statistics=LARGE)
        store.erase(raw["_id"], reason="request 7")
        assert holding(store_files(store), SECRET) == ["store.db"]
    finally:
        store.close()


def test_index_entries_of_an_erased_value_go_too(store: MetadataStore, tmp_path: Path) -> None:
    """A persistent and an inverted index on a personal field hold the value (or its
    terms) beside the document: rewritten with it, zeroed too."""
    path = tmp_path / "people.json"
    email = {"type": "string", "x-personal-data": True}
    path.write_text(json.dumps({"type": "object", "properties": {"email": email}}))
    store.register_type(load_type_file(path))
    store.raw_backend.ensure_index("people", ["email"])
    store.raw_backend.db.ensure_inverted_index("people", {"fields": ["email"]})  # type: ignore[attr-defined]
    person = store.register("people", "p1", email=SECRET)
    assert holding(store_files(store), "erasable-8813")
    store.erase(person["_id"], reason="request 7")
    assert holding(store_files(store), "erasable-8813") == []
