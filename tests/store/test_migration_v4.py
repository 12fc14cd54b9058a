"""A store written by the release of store schema version 4 (no audit log) is brought up
to date on open: every document it holds is adopted by the new log, which then verifies
and records what follows (fixture: tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arangoml_meta.audit import AUDIT_LOG, verify
from arangoml_meta.audit.reading import RecordFilter
from arangoml_meta.audit.reading import records as audit_records
from arangoml_meta.backends.embedded import STORE_FILE
from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v4" / STORE_FILE


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    shutil.copyfile(FIXTURE, tmp_path / STORE_FILE)
    return tmp_path


def test_the_fixture_is_of_schema_version_4_without_a_log(old_store: Path) -> None:
    db = EmbeddedDatabase(str(old_store / STORE_FILE))
    try:
        assert db.get("store_info", "store")["schema_version"] == 4
        assert AUDIT_LOG not in [c.name for c in db.storage.collections()]
    finally:
        db.close()


def test_opening_adopts_every_document_and_the_log_verifies(old_store: Path) -> None:
    with open_store(str(old_store)) as store:
        info = store.info()
        assert info["schema_version"] == STORE_SCHEMA_VERSION
        documents = sum(info["counts"].values()) + len(store.types())
        records = list(audit_records(store.backend, RecordFilter()))
        assert {r["op"] for r in records} == {"adopt"}
        assert len(records) == documents == len({r["target"] for r in records})
        assert store.backend.get("store_info", "store")["audit"] is True
        report = verify(store.backend)
        assert report.ok and report.documents == documents
        store.register("datasets", "iris", rows=140)
        assert [r["op"] for r in audit_records(store.backend, RecordFilter())][-1] == "create"
    with open_store(str(old_store)) as again:  # opened again: nothing adopted twice
        assert verify(again.backend).records == documents + 1
        assert verify(again.backend).ok
