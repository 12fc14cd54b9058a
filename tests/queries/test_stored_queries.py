"""Every stored query in aql/, on every backend, gives its exact answer on the known graph.

Parameters are passed as the CLI passes them (strings), except where a test
says otherwise, so the results also pin the parameter types of each header.
"""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.backends import EmbeddedBackend
from arangoml_meta.errors import BadParameterError
from arangoml_meta.lineage import COMPLETE_DEPTH
from arangoml_meta.queries import QueryResult, load_queries, run_query
from arangoml_meta.store import MetadataStore

from .known_graph import (
    COMMIT_FEATURIZE,
    COMMIT_TRAIN,
    GIB,
    MIB,
    Clock,
    KnownGraph,
    build,
    environment,
)

TESTED = {
    "access_changes",  # these four in test_audit_queries.py
    "artifact_history",
    "audit_history",
    "audit_trail",
    "compare_models",
    "cost_by_project_month",
    "dataset_impact",
    "deployments_for_dataset",
    "erasures",
    "model_provenance",
    "past_retention",
    "personal_data_impact",
    "reproduce_run",
    "reusable_steps",
    "run_record",
    "search_artifacts",
    "serving_drift",
    "who_had_access",
}


def run(graph: KnownGraph, query: str, /, **params: Any) -> QueryResult:
    return run_query(graph.store, query, params)


def ids(rows: list[dict[str, Any]], key: str = "id") -> list[Any]:
    return [row[key] for row in rows]


def test_every_stored_query_is_tested_here() -> None:
    assert set(load_queries()) == TESTED


def test_no_query_warns_on_the_known_graph(
    open_test_backend: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Invalid function input would give null and a warning: none of the queries relies on that."""
    backend = open_test_backend("embedded")
    assert isinstance(backend, EmbeddedBackend)
    store = MetadataStore(backend, actor="platform")
    store.initialize()
    graph = build(store, clock)
    warned: dict[str, Any] = {}
    monkeypatch.setattr(
        backend, "query", lambda aql, bind=None, limits=None: _recording(backend, aql, bind)
    )
    for name, params in [
        ("model_provenance", {"model": "models/churn-gbm-v1"}),
        ("dataset_impact", {"dataset": "datasets/customers-v2"}),
        ("artifact_history", {"type": "datasets", "name": "customers"}),
        ("compare_models", {"metric": "auc"}),
        ("run_record", {"run": "runs/train-churn-mlp"}),
        ("reproduce_run", {"run": "runs/featurize-churn"}),
        ("reusable_steps", {"dataset": "datasets/customers-v2"}),
        ("search_artifacts", {}),
        ("search_artifacts", {"text": "churn", "property": "metrics.auc"}),
        ("audit_trail", {"since": "2025-01-01"}),
        ("personal_data_impact", {}),
        ("cost_by_project_month", {}),
        ("deployments_for_dataset", {"dataset": "datasets/customers-v2"}),
        ("serving_drift", {"threshold": "0"}),
        ("erasures", {"since": "2025-01-01"}),
    ]:
        run(graph, name, **params)
        if backend.db.last_warnings:
            warned[name] = backend.db.last_warnings
    assert warned == {}


def _recording(backend: EmbeddedBackend, aql: str, bind: dict[str, Any] | None) -> list[Any]:
    return list(backend.db.query(aql, bind))


# ---------------------------------------------------------------------- lineage


def test_model_provenance(graph: KnownGraph) -> None:
    assert run(graph, "model_provenance", model="models/churn-gbm-v1") == [
        {
            "depth": 1,
            "id": "runs/train-churn-gbm",
            "type": "runs",
            "name": "train-churn-gbm",
            "version": None,
            "step": "train",
            "location": None,
            "checksum": None,
            "personal_data": False,
            "created_at": "2025-02-03T09:00:00.000Z",
            "created_by": "bob",
        },
        {
            "depth": 2,
            "id": "featuresets/churn-features-v1",
            "type": "featuresets",
            "name": "churn-features",
            "version": 1,
            "step": None,
            "location": "s3://features/churn/v1.parquet",
            "checksum": "sha256:" + "f" * 64,
            "personal_data": False,
            "created_at": "2025-01-21T10:00:00.000Z",
            "created_by": "bob",
        },
        {
            "depth": 3,
            "id": "runs/featurize-churn",
            "type": "runs",
            "name": "featurize-churn",
            "version": None,
            "step": "featurize",
            "location": None,
            "checksum": None,
            "personal_data": False,
            "created_at": "2025-01-21T10:00:00.000Z",
            "created_by": "bob",
        },
        {
            "depth": 4,
            "id": "datasets/customers-v2",
            "type": "datasets",
            "name": "customers",
            "version": 2,
            "step": None,
            "location": "s3://lake/churn/customers/2025-01-20.parquet",
            "checksum": "sha256:" + "e" * 64,
            "personal_data": True,
            "created_at": "2025-01-20T09:00:00.000Z",
            "created_by": "alice",
        },
        {
            "depth": 4,
            "id": "datasets/support-tickets-v1",
            "type": "datasets",
            "name": "support-tickets",
            "version": 1,
            "step": None,
            "location": "s3://lake/churn/tickets/2025-01.jsonl",
            "checksum": None,
            "personal_data": False,
            "created_at": "2025-01-20T09:30:00.000Z",
            "created_by": "alice",
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"model": "models/churn-gbm-v1", "types": '["datasets"]'},
            [(4, "datasets/customers-v2"), (4, "datasets/support-tickets-v1")],
        ),
        (
            {"model": "models/churn-gbm-v1", "depth": "2"},
            [(1, "runs/train-churn-gbm"), (2, "featuresets/churn-features-v1")],
        ),
        (
            {"model": "models/iris-clf-v1"},
            [(1, "runs/train-iris"), (2, "datasets/iris-v1")],
        ),
        (
            {"model": "models/churn-gbm@latest", "depth": "1"},
            [(1, "runs/train-churn-gbm")],
        ),
        (
            {"model": "models/iris-clf@1", "depth": "1"},
            [(1, "runs/train-iris")],
        ),
    ],
    ids=["datasets-only", "depth-2", "iris", "latest", "name-at-version"],
)
def test_model_provenance_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[int, str]]
) -> None:
    rows = run(graph, "model_provenance", **params)
    assert [(row["depth"], row["id"]) for row in rows] == expected


LINEAGE_QUERIES = [
    "dataset_impact",
    "deployments_for_dataset",
    "model_provenance",
    "personal_data_impact",
    "reusable_steps",
    "serving_drift",
]


@pytest.mark.parametrize("name", LINEAGE_QUERIES)
def test_a_lineage_query_without_depth_walks_as_far_as_the_store_does(name: str) -> None:
    """A stored query runs verbatim in ArangoDB's web UI, so it spells the store's safety
    bound out: it must be the one the Python API uses, and ask one link more."""
    text = load_queries()[name].text
    assert f"@depth == null ? {COMPLETE_DEPTH} : @depth" in text
    assert f"1..(@depth == null ? {COMPLETE_DEPTH + 1} : @depth + 1)" in text


def test_a_lineage_query_cut_by_its_depth_says_so(graph: KnownGraph) -> None:
    whole = run(graph, "model_provenance", model="models/churn-gbm-v1")
    assert whole.truncated == []
    cut = run(graph, "model_provenance", model="models/churn-gbm-v1", depth=2)
    assert [row["depth"] for row in cut] == [1, 2]
    assert cut.truncated == ["the walk stopped at depth 2: more lineage lies beyond"]
    deepest = max(row["depth"] for row in whole)
    exact = run(graph, "model_provenance", model="models/churn-gbm-v1", depth=deepest)
    assert exact == whole and exact.truncated == []


def test_dataset_impact(graph: KnownGraph) -> None:
    churn = "https://serving.example.com/churn"
    assert run(graph, "dataset_impact", dataset="datasets/customers-v2") == [
        {
            "depth": 4,
            "id": "models/churn-gbm-v1",
            "type": "models",
            "name": "churn-gbm",
            "version": 1,
            "project": "churn",
            "status": None,
            "location": "s3://models/churn/gbm-1.json",
            "endpoint": None,
        },
        {
            "depth": 4,
            "id": "models/churn-rf-v1",
            "type": "models",
            "name": "churn-rf",
            "version": 1,
            "project": "churn",
            "status": None,
            "location": "s3://models/churn/rf-1.joblib",
            "endpoint": None,
        },
        {
            "depth": 5,
            "id": "deployments/churn-api-v1",
            "type": "deployments",
            "name": "churn-api",
            "version": 1,
            "project": "churn",
            "status": "retired",
            "location": None,
            "endpoint": churn,
        },
        {
            "depth": 5,
            "id": "deployments/churn-api-v2",
            "type": "deployments",
            "name": "churn-api",
            "version": 2,
            "project": "churn",
            "status": "active",
            "location": None,
            "endpoint": churn,
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"dataset": "datasets/iris-v1"}, ["models/iris-clf-v1", "deployments/iris-api-v1"]),
        ({"dataset": "datasets/iris-v1", "depth": "2"}, ["models/iris-clf-v1"]),
        # its only descendant is the anonymised copy, a dataset
        ({"dataset": "datasets/customers-v1"}, []),
    ],
    ids=["iris", "depth-2", "nothing-trained"],
)
def test_dataset_impact_params(
    graph: KnownGraph, params: dict[str, str], expected: list[str]
) -> None:
    assert ids(run(graph, "dataset_impact", **params)) == expected


def test_deployments_for_dataset(graph: KnownGraph) -> None:
    churn = "https://serving.example.com/churn"
    assert run(graph, "deployments_for_dataset", dataset="datasets/customers-v2") == [
        {
            "deployment": "deployments/churn-api-v1",
            "name": "churn-api",
            "version": 1,
            "status": "retired",
            "environment": "production",
            "endpoint": churn,
            "deployed_at": "2025-01-23T12:00:00.000Z",
            "models": [{"id": "models/churn-rf-v1", "name": "churn-rf", "version": 1}],
        },
        {
            "deployment": "deployments/churn-api-v2",
            "name": "churn-api",
            "version": 2,
            "status": "active",
            "environment": "production",
            "endpoint": churn,
            "deployed_at": "2025-02-04T12:00:00.000Z",
            "models": [{"id": "models/churn-gbm-v1", "name": "churn-gbm", "version": 1}],
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"dataset": "datasets/customers-v2", "status": "active"}, ["deployments/churn-api-v2"]),
        (
            {"dataset": "datasets/support-tickets-v1", "status": "retired"},
            ["deployments/churn-api-v1"],
        ),
        ({"dataset": "datasets/iris-v1"}, ["deployments/iris-api-v1"]),
        ({"dataset": "datasets/customers-v1"}, []),
    ],
    ids=["active", "retired", "iris", "none"],
)
def test_deployments_for_dataset_params(
    graph: KnownGraph, params: dict[str, str], expected: list[str]
) -> None:
    assert ids(run(graph, "deployments_for_dataset", **params), "deployment") == expected


def test_reusable_steps(graph: KnownGraph) -> None:
    """Completed runs and featuresets on the data, not the failed run nor what follows a model."""
    assert run(graph, "reusable_steps", dataset="datasets/customers-v2") == [
        {
            "depth": 1,
            "id": "runs/featurize-churn",
            "type": "runs",
            "name": "featurize-churn",
            "version": None,
            "step": "featurize",
            "project": "churn",
            "params": {"window_days": 90},
            "location": None,
            "checksum": None,
            "produced": ["featuresets/churn-features-v1"],
            "created_by": "bob",
            "created_at": "2025-01-21T10:00:00.000Z",
        },
        {
            "depth": 2,
            "id": "featuresets/churn-features-v1",
            "type": "featuresets",
            "name": "churn-features",
            "version": 1,
            "step": None,
            "project": "churn",
            "params": None,
            "location": "s3://features/churn/v1.parquet",
            "checksum": "sha256:" + "f" * 64,
            "produced": [],
            "created_by": "bob",
            "created_at": "2025-01-21T10:00:00.000Z",
        },
        {
            "depth": 3,
            "id": "runs/train-churn-gbm",
            "type": "runs",
            "name": "train-churn-gbm",
            "version": None,
            "step": "train",
            "project": "churn",
            "params": {"learning_rate": 0.05, "n_estimators": 400},
            "location": None,
            "checksum": None,
            "produced": ["models/churn-gbm-v1"],
            "created_by": "bob",
            "created_at": "2025-02-03T09:00:00.000Z",
        },
        {
            "depth": 3,
            "id": "runs/train-churn-rf",
            "type": "runs",
            "name": "train-churn-rf",
            "version": None,
            "step": "train",
            "project": "churn",
            "params": {"n_estimators": 200, "max_depth": 8},
            "location": None,
            "checksum": None,
            "produced": ["models/churn-rf-v1"],
            "created_by": "bob",
            "created_at": "2025-01-22T09:00:00.000Z",
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"dataset": "datasets/customers-v2", "depth": "1"}, ["runs/featurize-churn"]),
        ({"dataset": "datasets/iris-v1"}, ["runs/train-iris"]),
        ({"dataset": "datasets/customers-anon-v1"}, []),
    ],
    ids=["depth-1", "iris", "unused-dataset"],
)
def test_reusable_steps_params(
    graph: KnownGraph, params: dict[str, str], expected: list[str]
) -> None:
    assert ids(run(graph, "reusable_steps", **params)) == expected


# ---------------------------------------------------------------------- runs and models


def test_artifact_history(graph: KnownGraph) -> None:
    assert run(graph, "artifact_history", type="datasets", name="customers") == [
        {
            "version": 1,
            "id": "datasets/customers-v1",
            "created_at": "2025-01-10T09:00:00.000Z",
            "created_by": "alice",
            "description": "Customer master data export",
            "tags": ["churn", "raw", "gdpr"],
            "location": "s3://lake/churn/customers/2025-01-10.parquet",
            "checksum": "sha256:" + "a" * 64,
            "changed": [],
        },
        {
            "version": 2,
            "id": "datasets/customers-v2",
            "created_at": "2025-01-20T09:00:00.000Z",
            "created_by": "alice",
            "description": "Customer master data export",
            "tags": ["churn", "raw", "gdpr"],
            "location": "s3://lake/churn/customers/2025-01-20.parquet",
            "checksum": "sha256:" + "e" * 64,
            "changed": ["checksum", "location", "rows", "statistics"],
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"type": "deployments", "name": "churn-api"},
            [(1, []), (2, ["deployed_at", "retired_at", "status"])],
        ),
        (
            {"type": "serving_metrics", "name": "churn-api-metrics"},
            [(1, []), (2, ["input_profile", "window_end", "window_start"])],
        ),
        ({"type": "models", "name": "churn-gbm"}, [(1, [])]),
    ],
    ids=["deployments", "serving-metrics", "one-version"],
)
def test_artifact_history_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[int, list[str]]]
) -> None:
    rows = run(graph, "artifact_history", **params)
    assert [(row["version"], row["changed"]) for row in rows] == expected


def test_compare_models(graph: KnownGraph) -> None:
    """churn-rf has no metrics of its own: its value comes from the run that trained it."""
    assert run(graph, "compare_models", metric="auc") == [
        {
            "model": "models/iris-clf-v1",
            "name": "iris-clf",
            "version": 1,
            "project": "iris",
            "framework": "sklearn",
            "algorithm": "SVC",
            "metric": "auc",
            "value": 0.99,
            "run": "runs/train-iris",
            "params": {"C": 1.0, "kernel": "rbf"},
        },
        {
            "model": "models/churn-gbm-v1",
            "name": "churn-gbm",
            "version": 1,
            "project": "churn",
            "framework": "xgboost",
            "algorithm": "XGBClassifier",
            "metric": "auc",
            "value": 0.91,
            "run": "runs/train-churn-gbm",
            "params": {"learning_rate": 0.05, "n_estimators": 400},
        },
        {
            "model": "models/churn-rf-v1",
            "name": "churn-rf",
            "version": 1,
            "project": "churn",
            "framework": "sklearn",
            "algorithm": "RandomForestClassifier",
            "metric": "auc",
            "value": 0.87,
            "run": "runs/train-churn-rf",
            "params": {"n_estimators": 200, "max_depth": 8},
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"metric": "auc", "higher_is_better": "false"},
            [
                ("models/churn-rf-v1", 0.87),
                ("models/churn-gbm-v1", 0.91),
                ("models/iris-clf-v1", 0.99),
            ],
        ),
        (
            {"metric": "accuracy", "project": "churn"},
            [("models/churn-gbm-v1", 0.84), ("models/churn-rf-v1", 0.81)],
        ),
        ({"metric": "auc", "name": "churn-rf"}, [("models/churn-rf-v1", 0.87)]),
        ({"metric": "auc", "limit": "1"}, [("models/iris-clf-v1", 0.99)]),
        ({"metric": "f1"}, []),
    ],
    ids=["lowest-first", "project", "name", "limit", "unknown-metric"],
)
def test_compare_models_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[str, float]]
) -> None:
    rows = run(graph, "compare_models", **params)
    assert [(row["model"], row["value"]) for row in rows] == expected


def test_run_record(graph: KnownGraph) -> None:
    assert run(graph, "run_record", run="runs/train-churn-gbm") == [
        {
            "run": "runs/train-churn-gbm",
            "name": "train-churn-gbm",
            "step": "train",
            "project": "churn",
            "status": "completed",
            "error": None,
            "created_by": "bob",
            "started_at": "2025-02-03T09:00:00.000Z",
            "ended_at": "2025-02-03T11:00:00.000Z",
            "inputs": [
                {
                    "role": "train",
                    "id": "featuresets/churn-features-v1",
                    "name": "churn-features",
                    "version": 1,
                    "location": "s3://features/churn/v1.parquet",
                    "checksum": "sha256:" + "f" * 64,
                }
            ],
            "params": {"learning_rate": 0.05, "n_estimators": 400},
            "metrics": {"auc": 0.91, "accuracy": 0.84},
            "resources": {
                "wall_seconds": 7200,
                "cpu_seconds": 5400,
                "peak_memory_bytes": 8 * GIB,
                "gpu_seconds": 3600,
                "cost": {"amount": 7.0, "currency": "USD"},
            },
            "git_commit": COMMIT_TRAIN,
            "outputs": [
                {
                    "role": "model",
                    "id": "models/churn-gbm-v1",
                    "name": "churn-gbm",
                    "version": 1,
                    "location": "s3://models/churn/gbm-1.json",
                    "checksum": "sha256:" + "1" * 64,
                }
            ],
        }
    ]


def test_run_record_of_a_failed_run(graph: KnownGraph) -> None:
    [record] = run(graph, "run_record", run="runs/train-churn-mlp")
    assert (record["status"], record["error"], record["outputs"]) == (
        "failed",
        "CUDA out of memory",
        [],
    )
    assert record["resources"] == {
        "wall_seconds": 1200,
        "cpu_seconds": 600,
        "peak_memory_bytes": GIB,
        "gpu_seconds": 1200,
        "cost": {"amount": 0.8, "currency": "EUR"},
    }


def test_run_record_of_another_kind_is_refused(graph: KnownGraph) -> None:
    with pytest.raises(BadParameterError, match=r"models/churn-gbm-v1 is an artifact \(models\)"):
        run(graph, "run_record", run="models/churn-gbm-v1")


def test_reproduce_run_names_what_is_missing(graph: KnownGraph) -> None:
    assert run(graph, "reproduce_run", run="runs/featurize-churn") == [
        {
            "run": "runs/featurize-churn",
            "name": "featurize-churn",
            "step": "featurize",
            "status": "completed",
            "inputs": [
                {
                    "role": "source",
                    "id": "datasets/customers-v2",
                    "name": "customers",
                    "version": 2,
                    "location": "s3://lake/churn/customers/2025-01-20.parquet",
                    "format": "parquet",
                    "checksum": "sha256:" + "e" * 64,
                },
                {
                    "role": "source",
                    "id": "datasets/support-tickets-v1",
                    "name": "support-tickets",
                    "version": 1,
                    "location": "s3://lake/churn/tickets/2025-01.jsonl",
                    "format": "jsonl",
                    "checksum": None,
                },
            ],
            "params": {"window_days": 90},
            # what of the recorded environment a re-run needs: not the host, user or pid
            "environment": {
                key: environment("bob", COMMIT_FEATURIZE, dirty=True)[key]
                for key in ("python", "platform", "packages", "git")
            },
            "reproducible": False,
            "gaps": [
                "input datasets/support-tickets-v1 has no checksum",
                "the git work tree had uncommitted changes",
            ],
        }
    ]


def test_reproduce_a_fully_recorded_run(graph: KnownGraph) -> None:
    [recipe] = run(graph, "reproduce_run", run="runs/train-churn-gbm")
    assert (recipe["reproducible"], recipe["gaps"]) == (True, [])
    assert recipe["params"] == {"learning_rate": 0.05, "n_estimators": 400}
    assert recipe["environment"]["git"]["commit"] == COMMIT_TRAIN
    assert [(i["id"], i["checksum"], i["location"]) for i in recipe["inputs"]] == [
        ("featuresets/churn-features-v1", "sha256:" + "f" * 64, "s3://features/churn/v1.parquet")
    ]


# ---------------------------------------------------------------------- search and audit


def test_search_by_tag(graph: KnownGraph) -> None:
    assert run(graph, "search_artifacts", tag="gdpr") == [
        {
            "id": "datasets/customers-v1",
            "type": "datasets",
            "name": "customers",
            "version": 1,
            "project": "churn",
            "description": "Customer master data export",
            "tags": ["churn", "raw", "gdpr"],
            "created_at": "2025-01-10T09:00:00.000Z",
            "created_by": "alice",
        },
        {
            "id": "datasets/customers-v2",
            "type": "datasets",
            "name": "customers",
            "version": 2,
            "project": "churn",
            "description": "Customer master data export",
            "tags": ["churn", "raw", "gdpr"],
            "created_at": "2025-01-20T09:00:00.000Z",
            "created_by": "alice",
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"text": "TICKETS"}, ["datasets/support-tickets-v1"]),
        ({"text": "anonymised"}, ["datasets/customers-anon-v1"]),  # a tag
        ({"text": "fisher"}, ["datasets/iris-v1"]),  # the description
        ({"text": "churn", "types": '["models", "deployments"]'},
         ["deployments/churn-api-v1", "deployments/churn-api-v2",
          "models/churn-gbm-v1", "models/churn-rf-v1"]),
        ({"property": "framework", "value": "sklearn"}, ["models/churn-rf-v1", "models/iris-clf-v1"]),
        ({"property": "metrics.auc", "types": '["models"]'}, ["models/churn-gbm-v1", "models/iris-clf-v1"]),
        ({"property": "params.max_depth", "value": "8"}, ["runs/train-churn-rf"]),
        ({"property": "params.hidden", "value": "[64, 32]"}, ["runs/train-churn-mlp"]),
        ({"property": "personal_data", "value": "true", "tag": "raw"},
         ["datasets/customers-v1", "datasets/customers-v2"]),
        ({"text": "churn", "tag": "gdpr", "limit": "1"}, ["datasets/customers-v1"]),
        ({"text": "' RETURN 1 //"}, []),
    ],
    ids=["name", "tag-text", "description", "types", "property-value", "property-set",
         "nested-number", "array-value", "property-and-tag", "limit", "quotes-are-data"],
)  # fmt: skip
def test_search_artifacts_params(
    graph: KnownGraph, params: dict[str, str], expected: list[str]
) -> None:
    assert ids(run(graph, "search_artifacts", **params)) == expected


def test_search_without_conditions_lists_every_artifact_and_run(graph: KnownGraph) -> None:
    expected = sorted(i for i in graph.docs if not i.startswith("projects/"))
    assert ids(run(graph, "search_artifacts")) == expected


def test_audit_trail_of_one_actor(graph: KnownGraph) -> None:
    assert run(graph, "audit_trail", since="2025-02-01", actor="carol") == [
        {
            "at": "2025-02-04T12:00:00.000Z",
            "actor": "carol",
            "action": "new version",
            "id": "deployments/churn-api-v2",
            "project": "churn",
            "detail": "version 2",
        },
        {
            "at": "2025-02-04T12:01:00.000Z",
            "actor": "carol",
            "action": "linked",
            "id": "deployments/churn-api-v2",
            "project": "churn",
            "detail": "models/churn-gbm-v1 deployed_as deployments/churn-api-v2",
        },
        {
            "at": "2025-02-10T00:00:00.000Z",
            "actor": "carol",
            "action": "created",
            "id": "serving_metrics/churn-api-metrics-v1",
            "project": "churn",
            "detail": None,
        },
        {
            "at": "2025-02-10T00:00:00.000Z",
            "actor": "carol",
            "action": "created",
            "id": "serving_metrics/iris-api-metrics-v1",
            "project": "iris",
            "detail": None,
        },
        {
            "at": "2025-02-10T00:01:00.000Z",
            "actor": "carol",
            "action": "linked",
            "id": "serving_metrics/churn-api-metrics-v1",
            "project": "churn",
            "detail": "deployments/churn-api-v2 monitors serving_metrics/churn-api-metrics-v1",
        },
        {
            "at": "2025-02-10T00:01:00.000Z",
            "actor": "carol",
            "action": "linked",
            "id": "serving_metrics/iris-api-metrics-v1",
            "project": "iris",
            "detail": "deployments/iris-api-v1 monitors serving_metrics/iris-api-metrics-v1",
        },
        {
            "at": "2025-02-17T00:00:00.000Z",
            "actor": "carol",
            "action": "new version",
            "id": "serving_metrics/churn-api-metrics-v2",
            "project": "churn",
            "detail": "version 2",
        },
        {
            "at": "2025-02-17T00:01:00.000Z",
            "actor": "carol",
            "action": "linked",
            "id": "serving_metrics/churn-api-metrics-v2",
            "project": "churn",
            "detail": "deployments/churn-api-v2 monitors serving_metrics/churn-api-metrics-v2",
        },
    ]


def test_audit_trail_of_a_day_with_a_failed_run(graph: KnownGraph) -> None:
    assert run(graph, "audit_trail", since="2025-02-05", until="2025-02-06") == [
        {
            "at": "2025-02-05T09:00:00.000Z",
            "actor": "bob",
            "action": "run started",
            "id": "runs/train-churn-mlp",
            "project": "churn",
            "detail": "train",
        },
        {
            "at": "2025-02-05T09:20:00.000Z",
            "actor": "bob",
            "action": "run failed",
            "id": "runs/train-churn-mlp",
            "project": "churn",
            "detail": "CUDA out of memory",
        },
    ]


def test_audit_trail_shows_deletions_and_what_started_them(graph: KnownGraph) -> None:
    graph.at("2025-03-01T10:00:00.000Z", "dave")
    graph.store.delete("deployments/churn-api-v2", cascade=True)
    assert run(graph, "audit_trail", since="2025-03-01") == [
        {
            "at": "2025-03-01T10:00:00.000Z",
            "actor": "dave",
            "action": "deleted",
            "id": doc_id,
            "project": "churn",
            "detail": detail,
        }
        for doc_id, detail in [
            ("deployments/churn-api-v2", None),
            ("serving_metrics/churn-api-metrics-v1", "with deployments/churn-api-v2"),
            ("serving_metrics/churn-api-metrics-v2", "with deployments/churn-api-v2"),
        ]
    ]


def test_audit_trail_shows_tags_added_and_removed(graph: KnownGraph) -> None:
    graph.at("2025-03-02T09:00:00.000Z", "erin")
    graph.store.tag("deployments/churn-api-v2", add=["frozen", "audited"])
    graph.at("2025-03-02T09:30:00.000Z", "frank")
    graph.store.tag("deployments/churn-api-v2", add=["live"], remove=["frozen"])
    assert run(graph, "audit_trail", since="2025-03-02") == [
        {
            "at": at,
            "actor": actor,
            "action": "tags changed",
            "id": "deployments/churn-api-v2",
            "project": "churn",
            "detail": detail,
        }
        for at, actor, detail in [
            ("2025-03-02T09:00:00.000Z", "erin", "added frozen, audited"),
            ("2025-03-02T09:30:00.000Z", "frank", "added live; removed frozen"),
        ]
    ]


def test_audit_trail_shows_the_types_registered_when_the_store_was_created(
    graph: KnownGraph,
) -> None:
    rows = run(graph, "audit_trail", since="2025-01-01T00:00:00Z", until="2025-01-01T00:00:01Z")
    assert rows == [
        {
            "at": "2025-01-01T00:00:00.000Z",
            "actor": "platform",
            "action": "type registered",
            "id": f"artifact_types/{name}",
            "project": None,
            "detail": "schema version 1",
        }
        for name in sorted(
            [
                "datasets",
                "deployments",
                "featuresets",
                "models",
                "projects",
                "runs",
                "serving_metrics",
            ]
        )
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"since": "2025-01-15", "until": "2025-01-18", "project": "iris"},
            [
                ("2025-01-15T09:00:00.000Z", "alice", "created", "datasets/iris-v1"),
                ("2025-01-16T14:00:00.000Z", "bob", "created", "models/iris-clf-v1"),
                ("2025-01-16T14:00:00.000Z", "bob", "run started", "runs/train-iris"),
                ("2025-01-16T14:05:00.000Z", "bob", "run completed", "runs/train-iris"),
                ("2025-01-17T08:00:00.000Z", "carol", "created", "deployments/iris-api-v1"),
                ("2025-01-17T08:01:00.000Z", "carol", "linked", "deployments/iris-api-v1"),
            ],
        ),
        (
            {"since": "2025-01-02", "until": "2025-01-03"},
            [
                ("2025-01-02T08:00:00.000Z", "alice", "created", "projects/churn-v1"),
                ("2025-01-02T08:00:00.000Z", "alice", "created", "projects/iris-v1"),
            ],
        ),
        ({"since": "2025-03-01"}, []),
    ],
    ids=["project-in-a-period", "projects", "nothing-since"],
)
def test_audit_trail_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[str, str, str, str]]
) -> None:
    rows = run(graph, "audit_trail", **params)
    assert [(r["at"], r["actor"], r["action"], r["id"]) for r in rows] == expected


# ---------------------------------------------------------------------- GDPR, cost, drift


def _personal(
    doc_id: str, name: str, version: int, nearest: int, sources: list[str]
) -> dict[str, Any]:
    return {
        "id": doc_id,
        "type": doc_id.split("/")[0],
        "name": name,
        "version": version,
        "project": "churn",
        "personal_data": False,
        "nearest": nearest,
        "personal_datasets": sources,
    }


CHURN_SOURCES = ["datasets/customers-v2", "datasets/support-tickets-v1"]


def test_erasures_lists_each_erasure_with_the_work_list_erase_gave(
    graph: KnownGraph, clock: Clock
) -> None:
    store = graph.store
    assert run(graph, "erasures", since="2025-01-01") == []
    clock.now, store.actor = "2025-07-01T09:00:00.000Z", "dpo"
    erasure = store.erase("datasets/customers-v1", reason="GDPR request 118")
    [row] = run(graph, "erasures", since="2025-07-01")
    assert {k: row[k] for k in ("at", "actor", "reason", "start")} == {
        "at": "2025-07-01T09:00:00.000Z",
        "actor": "dpo",
        "reason": "GDPR request 118",
        "start": "datasets/customers-v1",
    }
    assert row["redacted"] == [
        {"id": "datasets/customers-v1", "fields": ["statistics"]},
        {"id": "datasets/customers-v2", "fields": ["statistics"]},
    ]
    assert [(w["id"], w["depth"], w["action"], w["locations"]) for w in row["work"]] == [
        (w.id, w.depth, w.action, w.locations) for w in erasure.work
    ]
    assert ids(row["work"])[:4] == [
        "datasets/customers-v1",
        "datasets/customers-v2",
        "datasets/customers-anon-v1",
        "featuresets/churn-features-v1",
    ]
    assert {w["id"]: w["action"] for w in row["work"]}["models/churn-gbm-v1"] == "retrain"
    assert {w["id"]: w["action"] for w in row["work"]}["deployments/churn-api-v1"] == "redeploy"


@pytest.mark.parametrize(
    "params,found",
    [
        ({"since": "2025-07-02"}, False),
        ({"since": "2025-01-01", "until": "2025-07-01T09:00:00.000Z"}, False),
        ({"since": "2025-01-01", "until": "2025-07-02"}, True),
        ({"since": "2025-01-01", "actor": "someone"}, False),
        ({"since": "2025-01-01", "actor": "dpo"}, True),
        ({"since": "2025-01-01", "types": "models"}, False),
        ({"since": "2025-01-01", "types": "datasets"}, True),
    ],
)
def test_erasures_params(
    graph: KnownGraph, clock: Clock, params: dict[str, Any], found: bool
) -> None:
    clock.now, graph.store.actor = "2025-07-01T09:00:00.000Z", "dpo"
    graph.store.erase("datasets/customers-v1", reason="GDPR request 118")
    assert bool(run(graph, "erasures", **params)) is found


def test_personal_data_impact(graph: KnownGraph) -> None:
    """customers is flagged as a whole, support-tickets only in its e-mail column."""
    assert run(graph, "personal_data_impact") == [
        _personal("datasets/customers-anon-v1", "customers-anon", 1, 1, ["datasets/customers-v1"]),
        _personal("deployments/churn-api-v1", "churn-api", 1, 5, CHURN_SOURCES),
        _personal("deployments/churn-api-v2", "churn-api", 2, 5, CHURN_SOURCES),
        _personal("featuresets/churn-features-v1", "churn-features", 1, 2, CHURN_SOURCES),
        _personal("models/churn-gbm-v1", "churn-gbm", 1, 4, CHURN_SOURCES),
        _personal("models/churn-rf-v1", "churn-rf", 1, 4, CHURN_SOURCES),
        _personal("serving_metrics/churn-api-metrics-v1", "churn-api-metrics", 1, 6, CHURN_SOURCES),
        _personal("serving_metrics/churn-api-metrics-v2", "churn-api-metrics", 2, 6, CHURN_SOURCES),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"dataset": "datasets/support-tickets-v1", "depth": "4"},
            [
                ("featuresets/churn-features-v1", ["datasets/support-tickets-v1"]),
                ("models/churn-gbm-v1", ["datasets/support-tickets-v1"]),
                ("models/churn-rf-v1", ["datasets/support-tickets-v1"]),
            ],
        ),
        ({"depth": "1"}, [("datasets/customers-anon-v1", ["datasets/customers-v1"])]),
        ({"dataset": "datasets/iris-v1"}, []),  # no personal data
    ],
    ids=["one-dataset", "depth-1", "not-personal"],
)
def test_personal_data_impact_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[str, list[str]]]
) -> None:
    rows = run(graph, "personal_data_impact", **params)
    assert [(row["id"], row["personal_datasets"]) for row in rows] == expected


def test_cost_by_project_month(graph: KnownGraph) -> None:
    """The failed run costed in EUR is counted, not added to the USD sum."""
    assert run(graph, "cost_by_project_month") == [
        {
            "project": "churn",
            "month": "2025-01",
            "runs": 2,
            "failed_runs": 0,
            "cpu_hours": 1.47,  # 1700 + 3600 s
            "gpu_hours": 0,
            "wall_hours": 1.5,
            "peak_memory_bytes": 4 * GIB,
            "cost": 3.75,
            "currency": "USD",
            "runs_costed_in_other_currencies": 0,
        },
        {
            "project": "churn",
            "month": "2025-02",
            "runs": 2,
            "failed_runs": 1,
            "cpu_hours": 1.67,  # 5400 + 600 s
            "gpu_hours": 1.33,  # 3600 + 1200 s
            "wall_hours": 2.33,
            "peak_memory_bytes": 8 * GIB,
            "cost": 7.0,
            "currency": "USD",
            "runs_costed_in_other_currencies": 1,
        },
        {
            "project": "iris",
            "month": "2025-01",
            "runs": 1,
            "failed_runs": 0,
            "cpu_hours": 0.02,
            "gpu_hours": 0,
            "wall_hours": 0.08,
            "peak_memory_bytes": 512 * MIB,
            "cost": 0.05,
            "currency": "USD",
            "runs_costed_in_other_currencies": 0,
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"currency": "EUR"}, [("churn", "2025-01", 0, 2), ("churn", "2025-02", 0.8, 1), ("iris", "2025-01", 0, 1)]),
        ({"project": "iris"}, [("iris", "2025-01", 0.05, 0)]),
        ({"since": "2025-02-01"}, [("churn", "2025-02", 7.0, 1)]),
        ({"since": "2025-01-21T10:00:00Z", "until": "2025-01-22"}, [("churn", "2025-01", 1.25, 0)]),
        ({"until": "2025-01-01"}, []),
    ],
    ids=["other-currency", "project", "since", "period", "before-anything"],
)  # fmt: skip
def test_cost_by_project_month_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[str, str, float, int]]
) -> None:
    rows = run(graph, "cost_by_project_month", **params)
    got = [
        (r["project"], r["month"], r["cost"], r["runs_costed_in_other_currencies"]) for r in rows
    ]
    assert got == expected


def test_serving_drift(graph: KnownGraph) -> None:
    """iris moved 2 standard deviations on sepal_length, churn 1.1 on monthly_charges."""
    assert run(graph, "serving_drift") == [
        {
            "deployment": "deployments/iris-api-v1",
            "name": "iris-api",
            "version": 1,
            "status": "active",
            "serving_metrics": "serving_metrics/iris-api-metrics-v1",
            "window_start": "2025-02-03T00:00:00.000Z",
            "window_end": "2025-02-10T00:00:00.000Z",
            "max_shift": 2.0,
            "drifted": [
                {
                    "column": "sepal_length",
                    "dataset": "datasets/iris-v1",
                    "training_mean": 5.84,
                    "training_std": 0.83,
                    "serving_mean": 7.5,
                    "shift": 2.0,
                }
            ],
        },
        {
            "deployment": "deployments/churn-api-v2",
            "name": "churn-api",
            "version": 2,
            "status": "active",
            "serving_metrics": "serving_metrics/churn-api-metrics-v2",
            "window_start": "2025-02-10T00:00:00.000Z",
            "window_end": "2025-02-17T00:00:00.000Z",
            "max_shift": 1.1,
            "drifted": [
                {
                    "column": "monthly_charges",
                    "dataset": "datasets/customers-v2",
                    "training_mean": 65.0,
                    "training_std": 30.0,
                    "serving_mean": 98.0,
                    "shift": 1.1,
                }
            ],
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"threshold": "1.5"}, [("deployments/iris-api-v1", [("sepal_length", 2.0)])]),
        (
            {"threshold": "0.1"},
            [
                ("deployments/iris-api-v1", [("sepal_length", 2.0)]),
                ("deployments/churn-api-v2", [("monthly_charges", 1.1), ("tenure", 0.125)]),
            ],
        ),
        (
            {"threshold": "0", "deployment": "deployments/churn-api-v2"},
            [("deployments/churn-api-v2", [("monthly_charges", 1.1), ("tenure", 0.125)])],
        ),
        ({"threshold": "3"}, []),
        # without a serving window there is nothing to compare
        ({"threshold": "0", "deployment": "deployments/churn-api-v1"}, []),
    ],
    ids=["higher-threshold", "lower-threshold", "one-deployment", "no-drift", "no-window"],
)
def test_serving_drift_params(
    graph: KnownGraph, params: dict[str, str], expected: list[tuple[str, list[tuple[str, float]]]]
) -> None:
    rows = run(graph, "serving_drift", **params)
    got = [(r["deployment"], [(c["column"], c["shift"]) for c in r["drifted"]]) for r in rows]
    assert got == expected
