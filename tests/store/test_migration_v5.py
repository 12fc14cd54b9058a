"""A store written by the release of store schema version 5 (one ``audit_log`` document per
record) is brought up to date on open: each record becomes a one-record block, its hash
unchanged, so that the chain verifies across the old records and the blocks written after
them (fixture: tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.audit import AUDIT_LOG, GENESIS, record_hash, verify
from arangoml_meta.audit.reading import RecordFilter, records
from arangoml_meta.backends.embedded import STORE_FILE, EmbeddedBackend
from arangoml_meta.dumps import dump_store
from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v5" / STORE_FILE
_SYSTEM = ("_key", "_id", "_rev")


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    shutil.copyfile(FIXTURE, tmp_path / STORE_FILE)
    return tmp_path


def old_records(path: Path) -> list[dict[str, Any]]:
    """The schema-5 log as stored: one document per record."""
    db = EmbeddedDatabase(str(path / STORE_FILE))
    try:
        assert db.get("store_info", "store")["schema_version"] == 5
        rows = db.query(f"FOR a IN {AUDIT_LOG} SORT a.seq RETURN a")
        return [{k: v for k, v in row.items() if k not in _SYSTEM} for row in rows]
    finally:
        db.close()


def test_the_fixture_is_a_chain_of_one_document_per_record(old_store: Path) -> None:
    before = old_records(old_store)
    assert len(before) > 20 and "records" not in before[0]
    prev = GENESIS
    for number, record in enumerate(before, start=1):
        assert record["seq"] == number and record["prev"] == prev
        assert record_hash(record) == record["hash"]
        prev = record["hash"]
    assert {"adopt", "create", "link", "update", "delete", "grant"} <= {r["op"] for r in before}


def test_opening_makes_each_record_a_block_and_the_chain_still_verifies(old_store: Path) -> None:
    before = old_records(old_store)
    with open_store(str(old_store)) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION == 6
        # every record read back as it was: the same fields, sequence numbers and hashes
        assert list(records(store.backend, RecordFilter())) == before
        blocks = store.query(f"FOR b IN {AUDIT_LOG} SORT b.seq RETURN b")
        assert len(blocks) == len(before)
        assert all(len(b["records"]) == 1 and "op" not in b for b in blocks)
        assert all(None not in b["records"][0].values() for b in blocks)
        report = verify(store.backend)
        assert report.ok, report.problems[:3]
        assert (report.records, report.head_hash) == (len(before), before[-1]["hash"])
        # anchored on a hash of the old release: still in the chain
        assert verify(store.backend, anchor=before[10]["hash"]).ok
        # what follows continues the chain, a transaction one block
        with store.transaction():
            store.register("datasets", "iris", rows=140)
            store.register("datasets", "roses", rows=12)
        after = list(records(store.backend, RecordFilter()))
        assert [r["seq"] for r in after] == list(range(1, len(before) + 3))
        assert after[len(before)]["prev"] == before[-1]["hash"]
        assert store.backend.count(AUDIT_LOG) == len(before) + 1
        assert verify(store.backend).ok
    with open_store(str(old_store)) as again:  # opened again: nothing converted twice
        assert verify(again.backend).records == len(before) + 2
        assert again.info()["schema_version"] == STORE_SCHEMA_VERSION


def test_a_record_edited_before_the_migration_is_still_found(old_store: Path) -> None:
    db = EmbeddedDatabase(str(old_store / STORE_FILE))
    try:
        db.query(f"UPDATE '000000000012' WITH {{actor: 'mallory'}} IN {AUDIT_LOG}")
    finally:
        db.close()
    with open_store(str(old_store)) as store:
        report = verify(store.backend)
        assert [(p.kind, p.where) for p in report.problems] == [
            ("edited", f"record 12 ({AUDIT_LOG}/000000000012)")
        ]


def test_a_dump_of_a_schema_5_store_restores_with_its_log_as_blocks(
    old_store: Path, tmp_path: Path
) -> None:
    before = old_records(old_store)
    backend = EmbeddedBackend(old_store)  # the store as the old release left it, unmigrated
    try:
        dump_store(backend, tmp_path / "dump")
    finally:
        backend.close()
    with open_store(str(tmp_path / "restored")) as store:
        store.restore(tmp_path / "dump", overwrite=True)
        assert list(records(store.backend, RecordFilter()))[: len(before)] == before
        store.register("datasets", "iris", rows=140)
        report = verify(store.backend)
        assert report.ok, report.problems[:3]
        assert report.records == len(before) + 1
