"""`store init` and `store info` on every backend."""

from __future__ import annotations

import csv
import io

from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import MetadataStore

from .conftest import Cli, as_json, succeeds


def test_init_creates_the_store_and_says_where(cli: Cli, store_url: str) -> None:
    out = succeeds(cli("store", "init"))
    assert "store ready at" in out
    assert f"schema version {STORE_SCHEMA_VERSION}" in out
    info = as_json(cli("store", "info", "--format", "json"))
    assert info["counts"]["datasets"] == 0
    assert {"inputs", "outputs", "derivations", "runs"} <= set(info["counts"])


def test_init_twice_leaves_the_store_as_it_is(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150)
    succeeds(cli("store", "init"))
    assert as_json(cli("store", "info", "--format", "json"))["counts"]["datasets"] == 1


def test_info_shows_backend_schema_version_and_counts(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150)
    info = as_json(cli("store", "info", "--format", "json"))
    assert info["backend"] == store.backend.name
    assert info["schema_version"] == STORE_SCHEMA_VERSION
    assert info["counts"]["datasets"] == 1
    if store.backend.name == "arangodb":
        assert info["database"] == store.backend.database  # type: ignore[attr-defined]
    table = succeeds(cli("store", "info"))
    assert "schema_version" in table
    assert "datasets" in table


def test_info_as_csv_is_one_row_per_collection(cli: Cli, store: MetadataStore) -> None:
    rows = list(csv.DictReader(io.StringIO(succeeds(cli("store", "info", "--format", "csv")))))
    assert {"collection": "datasets", "documents": "0"} in rows
