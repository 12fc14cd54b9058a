"""Retention: policies declared by types, and `apply_retention` on the known graph, every backend.

The known graph (``tests/queries/known_graph.py``) was recorded in January and
February 2025; ``iris-api-v1`` and ``churn-api-v2`` serve (status active),
``churn-api-v1`` is retired. Every test judges as of 2025-06-01 unless it says.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from arangoml_meta import type_admin
from arangoml_meta.audit import verify
from arangoml_meta.audit.reading import RecordFilter
from arangoml_meta.audit.reading import records as audit_records
from arangoml_meta.errors import BadParameterError, CollectionNotFoundError, TransactionError
from arangoml_meta.retention import apply_retention, expired, policies, set_policy
from arangoml_meta.retention_policy import RetentionPolicy, with_policy
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import load_type_file
from tests.queries import conftest as queries_conftest
from tests.queries.known_graph import Clock, KnownGraph, build

clock = queries_conftest.clock
NOW = "2025-06-01T00:00:00.000Z"


@pytest.fixture
def graph(store: MetadataStore, clock: Clock) -> KnownGraph:
    return build(store, clock)


def statuses(report: object) -> dict[str, str]:
    return {o.id: o.status for o in report.outcomes}  # type: ignore[attr-defined]


def reasons(report: object) -> dict[str, str]:
    return {o.id: o.reason for o in report.outcomes if not o.done}  # type: ignore[attr-defined]


def exists(store: MetadataStore, doc_id: str) -> bool:
    collection, _, key = doc_id.partition("/")
    return store.backend.get(collection, key) is not None


# ---------------------------------------------------------------------- policies


def test_a_policy_is_kept_in_iso_form_and_listed(store: MetadataStore) -> None:
    set_policy(store, "models", RetentionPolicy("P30D", "delete"))
    schema = {**store.type("datasets").schema, "x-retention": {"period": "365d", "action": "erase"}}
    type_admin.evolve_type(store, replace(store.type("datasets"), schema=schema))
    assert policies(store) == {
        "datasets": RetentionPolicy("P365D", "erase"),
        "models": RetentionPolicy("P30D", "delete"),
    }


@pytest.mark.parametrize(
    "retention",
    [
        {"period": "P0D", "action": "erase"},
        {"period": "one year", "action": "erase"},
        {"period": "12m", "action": "delete"},
        {"period": "P1.5Y", "action": "delete"},
        {"period": "P365D", "action": "archive"},
        {"action": "erase"},
        {"period": "P1Y", "action": "erase", "notify": "dpo"},
        "P365D",
    ],
)
def test_a_bad_policy_is_refused_with_error_10(
    store: MetadataStore, tmp_path: Path, retention: object
) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"goal": {"type": "string"}},
        "x-retention": retention,
    }
    path = tmp_path / "experiments.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(BadParameterError) as caught:
        load_type_file(path)
    assert caught.value.error_num == 10
    assert "experiments.json" in str(caught.value) and "x-retention" in str(caught.value)
    # nor through the Python API
    with pytest.raises(BadParameterError):
        set_policy(store, "models", RetentionPolicy("soon", "delete"))
    assert policies(store) == {}


def test_a_registered_type_file_declares_its_policy(store: MetadataStore, tmp_path: Path) -> None:
    path = tmp_path / "experiments.json"
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"goal": {"type": "string"}},
        "x-retention": {"period": "52w", "action": "delete"},
    }
    path.write_text(json.dumps(schema), encoding="utf-8")
    store.register_type(load_type_file(path))
    assert policies(store)["experiments"] == RetentionPolicy("P52W", "delete")


def test_types_evolve_keeps_the_policy_unless_the_file_drops_it(
    store: MetadataStore, tmp_path: Path
) -> None:
    set_policy(store, "models", RetentionPolicy("P1Y", "erase"))
    path = tmp_path / "models.json"
    schema = with_policy(store.type("models").schema, None)
    schema["properties"] = {**schema["properties"], "owner": {"type": "string"}}
    path.write_text(json.dumps(schema), encoding="utf-8")
    type_admin.evolve_type(store, type_admin.load_revision(store, path))
    assert policies(store) == {"models": RetentionPolicy("P1Y", "erase")}
    assert store.type("models").schema["properties"]["owner"] == {"type": "string"}
    path.write_text(json.dumps({**schema, "x-retention": None}), encoding="utf-8")
    type_admin.evolve_type(store, type_admin.load_revision(store, path))
    assert policies(store) == {}
    path.write_text(json.dumps({**schema, "x-retention": {"period": "7y", "action": "delete"}}))
    type_admin.evolve_type(store, type_admin.load_revision(store, path))
    assert policies(store) == {"models": RetentionPolicy("P7Y", "delete")}


# ---------------------------------------------------------------------- what has expired


def test_expired_is_created_at_plus_the_period_before_now(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "models", RetentionPolicy("P30D", "delete"))
    # iris-clf-v1 was made 2025-01-16T14:00, churn-rf-v1 2025-01-22T09:00
    assert [r["id"] for r in expired(store, "2025-02-15T14:00:00.000Z")] == []
    assert [r["id"] for r in expired(store, "2025-02-15T14:00:00.001Z")] == ["models/iris-clf-v1"]
    rows = expired(store, NOW)
    assert [r["id"] for r in rows] == [
        "models/iris-clf-v1",
        "models/churn-rf-v1",
        "models/churn-gbm-v1",
    ]
    assert rows[0]["expired_at"] == "2025-02-15T14:00:00.000Z"
    assert rows[0]["live_deployments"] == ["deployments/iris-api-v1"]
    assert rows[1]["live_deployments"] == []
    assert rows[1]["dependents"] == ["deployments/churn-api-v1"]


def test_expired_of_a_type_without_a_policy_is_an_error(graph: KnownGraph) -> None:
    with pytest.raises(BadParameterError, match="declares no retention policy"):
        expired(graph.store, NOW, ["datasets"])
    with pytest.raises(CollectionNotFoundError):
        expired(graph.store, NOW, ["nonsense"])


def test_a_bad_moment_is_an_error(graph: KnownGraph) -> None:
    with pytest.raises(BadParameterError):
        apply_retention(graph.store, now="next tuesday")


def test_apply_is_refused_inside_a_transaction_block(graph: KnownGraph) -> None:
    set_policy(graph.store, "deployments", RetentionPolicy("P7D", "delete"))
    with pytest.raises(TransactionError), graph.store.transaction():
        apply_retention(graph.store, now=NOW)
    assert exists(graph.store, "deployments/churn-api-v1")


# ---------------------------------------------------------------------- deleting


def test_delete_keeps_what_feeds_a_live_deployment_and_what_others_derive_from(
    graph: KnownGraph,
) -> None:
    store = graph.store
    set_policy(store, "models", RetentionPolicy("P30D", "delete"))
    report = apply_retention(store, now=NOW)
    assert statuses(report) == {
        "models/iris-clf-v1": "kept",
        "models/churn-rf-v1": "kept",
        "models/churn-gbm-v1": "kept",
    }
    why = reasons(report)
    assert "upstream of live deployment deployments/iris-api-v1" in why["models/iris-clf-v1"]
    assert "deployments/churn-api-v1" in why["models/churn-rf-v1"]
    assert all(exists(store, doc_id) for doc_id in statuses(report))


def test_a_chain_of_expired_documents_goes_together_downstream_first(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "models", RetentionPolicy("P30D", "delete"))
    set_policy(store, "deployments", RetentionPolicy("P7D", "delete"))
    dry = apply_retention(store, now=NOW, dry_run=True)
    assert statuses(dry) == {
        "models/iris-clf-v1": "kept",
        "models/churn-rf-v1": "would delete",
        "deployments/iris-api-v1": "kept",
        "deployments/churn-api-v1": "would delete",
        "models/churn-gbm-v1": "kept",
        "deployments/churn-api-v2": "kept",
    }
    assert "a live deployment itself" in reasons(dry)["deployments/churn-api-v2"]
    assert exists(store, "deployments/churn-api-v1")  # a dry run writes nothing
    report = apply_retention(store, now=NOW)
    assert statuses(report) == {
        key: value.replace("would delete", "deleted") for key, value in statuses(dry).items()
    }
    assert not exists(store, "deployments/churn-api-v1")
    assert not exists(store, "models/churn-rf-v1")
    assert exists(store, "runs/train-churn-rf")  # not expired: runs declare no policy
    # applied again: what went is gone, what stayed stays
    assert {o.status for o in apply_retention(store, now=NOW).outcomes} == {"kept"}


def test_cascade_deletes_what_derives_from_an_expired_document(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "models", RetentionPolicy("P30D", "delete"))
    report = apply_retention(store, now=NOW, cascade=True)
    assert statuses(report)["models/churn-rf-v1"] == "deleted"
    churn_rf = next(o for o in report.outcomes if o.id == "models/churn-rf-v1")
    assert churn_rf.removed == ["deployments/churn-api-v1"]
    assert not exists(store, "deployments/churn-api-v1")
    assert statuses(report)["models/churn-gbm-v1"] == "kept"  # serving: not without force


def test_force_reaches_what_feeds_a_live_deployment(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "models", RetentionPolicy("P30D", "delete"))
    report = apply_retention(store, now=NOW, force=True, cascade=True, dry_run=True)
    assert set(statuses(report).values()) == {"would delete"}
    iris = next(o for o in report.outcomes if o.id == "models/iris-clf-v1")
    assert iris.removed[0] == "deployments/iris-api-v1"
    assert exists(store, "deployments/iris-api-v1")


def test_a_running_run_is_never_touched(graph: KnownGraph) -> None:
    store = graph.store
    graph.at("2025-03-01T00:00:00.000Z", "bob")
    run = store.run("train-long", step="train")
    set_policy(store, "runs", RetentionPolicy("P1D", "delete"))
    report = apply_retention(store, now=NOW, force=True, dry_run=True)
    assert reasons(report)[run.id] == "a run still running"
    run.close()


def test_deletions_are_labelled_retention_in_the_audit_log(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "deployments", RetentionPolicy("P7D", "delete"))
    apply_retention(store, now=NOW)
    records = list(audit_records(store.backend, RecordFilter(op="retention")))
    assert "deployments/churn-api-v1" in [r["target"] for r in records]
    # the policy on every record (an edge's also names its ends)
    labels = {
        json.dumps(
            {k: v for k, v in r["detail"].items() if k not in ("from", "to")}, sort_keys=True
        )
        for r in records
    }
    assert labels == {
        json.dumps({"action": "delete", "period": "P7D", "type": "deployments"}, sort_keys=True)
    }
    edges = [r for r in records if r["type"] in ("inputs", "outputs", "derivations")]
    assert edges and all(set(r["detail"]) >= {"from", "to"} for r in edges)


# ---------------------------------------------------------------------- erasing


def test_erase_waits_for_every_version_it_would_redact(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "datasets", RetentionPolicy("P30D", "erase"))
    report = apply_retention(store, now=NOW)
    why = reasons(report)
    # customers-v1 feeds nothing live, but its erasure would redact customers-v2 too
    assert "datasets/customers-v2" in why["datasets/customers-v1"]
    assert "upstream of live deployment" in why["datasets/customers-v2"]
    assert "upstream of live deployment deployments/iris-api-v1" in why["datasets/iris-v1"]
    assert report.done == []
    assert "statistics" in store.get("datasets/customers-v1")


def test_forced_erasure_redacts_and_is_audited_and_the_chain_verifies(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "datasets", RetentionPolicy("P30D", "erase"))
    dry = apply_retention(store, now=NOW, force=True, dry_run=True)
    assert statuses(dry)["datasets/customers-v1"] == "would erase"
    assert "statistics" in store.get("datasets/customers-v1")
    report = apply_retention(store, now=NOW, force=True)
    assert statuses(report)["datasets/customers-v1"] == "erased"
    customers_v2 = next(o for o in report.outcomes if o.id == "datasets/customers-v2")
    assert (customers_v2.status, customers_v2.reason) == ("erased", "with datasets/customers-v1")
    for doc_id in ("datasets/customers-v1", "datasets/customers-v2"):
        doc = store.get(doc_id)
        assert "statistics" not in doc
        assert doc["erased"]["reason"] == "retention: datasets keeps P30D"
    erasures = [r["detail"] for r in audit_records(store.backend, RecordFilter(op="erase"))]
    assert erasures and all("retention: datasets keeps P30D" in str(d) for d in erasures)
    assert verify(store.raw_backend).ok
    # applied again: nothing is left to erase
    again = apply_retention(store, now=NOW, force=True)
    assert again.done == [] and again.erased_before >= 2


def test_what_another_process_deleted_meanwhile_is_gone_not_kept(
    graph: KnownGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = graph.store
    set_policy(store, "deployments", RetentionPolicy("P7D", "delete"))
    found = expired(store, NOW)
    store.delete("deployments/churn-api-v1")  # as another run of retention would
    monkeypatch.setattr("arangoml_meta.retention.expired", lambda *args, **kwargs: found)
    report = apply_retention(store, now=NOW)
    gone = next(o for o in report.outcomes if o.id == "deployments/churn-api-v1")
    assert gone.done and gone.reason.startswith("gone already")
