"""`audit verify | head | log | export` on every backend."""

from __future__ import annotations

import json
from pathlib import Path

from arangoml_meta.audit import AUDIT_LOG, verify
from arangoml_meta.audit.records import canonical_json, record_key
from arangoml_meta.store import MetadataStore

from .conftest import Cli, as_json, fails, succeeds


def fill(store: MetadataStore) -> None:
    raw = store.register("datasets", "customers", location="s3://lake/c.parquet")
    store.register("datasets", "customers", location="s3://lake/c2.parquet")
    with store.run("train", inputs={"data": raw}) as run:
        run.register_output("models", "churn")


def test_verify_passes_then_names_the_first_broken_place(cli: Cli, store: MetadataStore) -> None:
    fill(store)
    out = succeeds(cli("audit", "verify"))
    assert out.startswith("audit log verified: ") and "documents match" in out
    # the block of one transaction: the second version's record (9)
    stored = store.raw_backend.get(AUDIT_LOG, record_key(9))
    assert stored is not None and len(stored["records"]) == 1
    store.raw_backend.update(AUDIT_LOG, record_key(9), {"actor": "mallory"})
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert (
        f"first broken at record 9 ({AUDIT_LOG}/{record_key(9)}): its records do not match "
        "its hash" in result.stdout
    )
    report = json.loads(cli("audit", "verify", "--format", "json").stdout)
    assert report["ok"] is False and report["problems"][0]["kind"] == "edited"


def test_head_anchors_a_later_verification(cli: Cli, store: MetadataStore) -> None:
    fill(store)
    head = as_json(cli("audit", "head", "--format", "json"))
    report = verify(store.backend)
    assert head["seq"] == report.records == report.head_seq and head["hash"] == report.head_hash
    assert "holds the anchor" in succeeds(cli("audit", "verify", "--anchor", head["hash"]))
    result = cli("audit", "verify", "--anchor", "0" * 63 + "1")
    assert result.exit_code == 1 and "no record has the anchor hash" in result.stdout


def test_log_filters_and_export_writes_every_field(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    fill(store)
    rows = as_json(cli("audit", "log", "--target", "datasets/customers", "--format", "json"))
    assert [(r["op"], r["target"], r["version"]) for r in rows] == [
        ("create", "datasets/customers-v1", 1),
        ("create", "datasets/customers-v2", 2),
    ]
    links = as_json(cli("audit", "log", "--op", "link", "--format", "json"))
    assert len(links) == 2 and all(r["actor"] == "platform" for r in links)
    assert as_json(cli("audit", "log", "--by", "nobody", "--format", "json")) == []
    assert as_json(cli("audit", "log", "--since", "2999-01-01", "--format", "json")) == []
    lines = succeeds(cli("audit", "export")).splitlines()
    assert len(lines) == verify(store.backend).records
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))
    first = json.loads(lines[0])
    assert set(first) >= {"seq", "at", "actor", "op", "target", "before", "after", "prev", "hash"}
    out = tmp_path / "log.jsonl"
    assert "records written to" in succeeds(cli("audit", "export", "--output", str(out)))
    assert out.read_text(encoding="utf-8").splitlines() == lines


def test_bad_targets_and_stores_without_a_log_are_refused(cli: Cli, store: MetadataStore) -> None:
    fails(cli("audit", "log", "--target", "customers"), "a target is a document id")
    store.raw_backend.update("store_info", "store", {"audit": False})
    fails(cli("audit", "verify"), "keeps no audit log")


def test_canonical_json_is_one_text_per_value() -> None:
    assert canonical_json({"b": 1.0, "a": [2.0, 0.5, "v1.0"], "c": "é"}) == (
        '{"a":[2,0.5,"v1.0"],"b":1,"c":"é"}'.encode()
    )
    assert canonical_json({"x": 1}) == canonical_json({"x": 1.0})
