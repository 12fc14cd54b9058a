"""`retention list | set | clear | apply` on every backend, over the known graph."""

from __future__ import annotations

from arangoml_meta.store import MetadataStore
from tests.queries.known_graph import KnownGraph

from .conftest import Cli, as_json, fails, succeeds

NOW = "2025-06-01"


def test_set_list_and_clear_a_policy(cli: Cli, store: MetadataStore) -> None:
    assert as_json(cli("retention", "list", "--format", "json")) == []
    assert "no type declares a retention policy" in cli("retention", "list").stderr
    succeeds(cli("retention", "set", "datasets", "365d", "--action", "erase"))
    succeeds(cli("retention", "set", "runs", "P90D", "--action", "delete"))
    assert as_json(cli("retention", "list", "--format", "json")) == [
        {"type": "datasets", "period": "P365D", "action": "erase"},
        {"type": "runs", "period": "P90D", "action": "delete"},
    ]
    assert store.type("datasets").schema_version == 2  # a policy is part of the schema
    again = cli("retention", "set", "datasets", "P365D", "--action", "erase")
    assert "nothing changed" in again.stderr
    succeeds(cli("retention", "clear", "datasets"))
    assert [r["type"] for r in as_json(cli("retention", "list", "--format", "json"))] == ["runs"]


def test_a_bad_policy_is_one_error_line(cli: Cli, store: MetadataStore) -> None:
    fails(cli("retention", "set", "datasets", "a year", "--action", "erase"), "[10]", "PERIOD")
    fails(cli("retention", "set", "datasets", "1m", "--action", "erase"), "[10]", "P6M")
    fails(cli("retention", "set", "datasets", "P1Y", "--action", "archive"), "[10]", "erase")
    fails(cli("retention", "set", "nonsense", "P1Y", "--action", "erase"), "[1203]")
    fails(cli("retention", "apply", "--now", "soon"), "[10]")
    fails(cli("retention", "apply", "--type", "datasets"), "[10]", "no retention policy")
    assert as_json(cli("retention", "list", "--format", "json")) == []


def test_apply_reports_what_went_and_what_stayed(cli: Cli, graph: KnownGraph) -> None:
    succeeds(cli("retention", "set", "deployments", "P7D", "--action", "delete"))
    succeeds(cli("retention", "set", "models", "P30D", "--action", "delete"))
    dry = cli("retention", "apply", "--dry-run", "--now", NOW, "--format", "json")
    rows = {row["id"]: row for row in as_json(dry)}
    assert rows["deployments/churn-api-v1"]["status"] == "would delete"
    assert rows["models/churn-rf-v1"]["status"] == "would delete"
    assert rows["models/churn-gbm-v1"]["status"] == "kept"
    assert "deployments/churn-api-v2" in rows["models/churn-gbm-v1"]["reason"]
    assert "6 expired documents; 2 would be erased or deleted, 4 kept" in dry.stderr
    table = succeeds(cli("retention", "apply", "--now", NOW))
    assert "deleted" in table and "kept" in table
    assert graph.store.backend.get("models", "churn-rf-v1") is None
    only = as_json(cli("retention", "apply", "--now", NOW, "--type", "models", "--format", "json"))
    assert {row["type"] for row in only} == {"models"}


def test_apply_an_erasure_policy_shows_each_erasure_and_its_work_list(
    cli: Cli, graph: KnownGraph
) -> None:
    succeeds(cli("retention", "set", "datasets", "P30D", "--action", "erase"))
    kept = {
        row["id"]: row
        for row in as_json(cli("retention", "apply", "--now", NOW, "--format", "json"))
    }
    assert kept["datasets/customers-v1"]["status"] == "kept"
    assert "datasets/customers-v2" in kept["datasets/customers-v1"]["reason"]
    forced = cli("retention", "apply", "--now", NOW, "--force", "--format", "json")
    rows = {row["id"]: row for row in as_json(forced)}
    erasure = rows["datasets/customers-v1"]["erasure"]
    assert erasure["start"] == "datasets/customers-v1"
    assert erasure["reason"] == "retention: datasets keeps P30D"
    assert "models/churn-gbm-v1" in [item["id"] for item in erasure["work"]]
    assert rows["datasets/customers-v2"]["reason"] == "with datasets/customers-v1"
    assert "statistics" not in graph.store.get("datasets/customers-v2")
