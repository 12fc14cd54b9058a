"""`runs list | show | compare` on every backend, over the known graph."""

from __future__ import annotations

import csv
import io

from arangoml_meta.store import MetadataStore
from tests.queries.known_graph import KnownGraph

from .conftest import Cli, as_json, fails, succeeds

TRAINING = [
    "runs/train-churn-mlp",
    "runs/train-churn-gbm",
    "runs/train-churn-rf",
    "runs/train-iris",
]


def test_list_newest_first(cli: Cli, graph: KnownGraph) -> None:
    runs = as_json(cli("runs", "list", "--format", "json"))
    assert [r["_id"] for r in runs] == [*TRAINING[:3], "runs/featurize-churn", TRAINING[3]]
    table = succeeds(cli("runs", "list"))
    assert "runs/train-churn-mlp" in table
    assert "failed" in table


def test_list_filters_by_status_project_and_condition(cli: Cli, graph: KnownGraph) -> None:
    failed = as_json(cli("runs", "list", "--status", "failed", "--format", "json"))
    assert [r["_id"] for r in failed] == ["runs/train-churn-mlp"]
    iris = as_json(cli("runs", "list", "--project", "iris", "--format", "json"))
    assert [r["_id"] for r in iris] == ["runs/train-iris"]
    good = succeeds(
        cli(
            "runs",
            "list",
            "--where",
            "metrics.auc>=0.9",
            "--columns",
            "_id,metrics.auc",
            "--format",
            "csv",
        )
    )
    assert list(csv.reader(io.StringIO(good))) == [
        ["_id", "metrics.auc"], ["runs/train-churn-gbm", "0.91"], ["runs/train-iris", "0.99"],
    ]  # fmt: skip


def test_list_unfinished_runs(cli: Cli, store: MetadataStore) -> None:
    run = store.start_run("train")
    rows = as_json(cli("runs", "list", "--unfinished", "--format", "json"))
    assert [(r["_id"], r["orphaned"]) for r in rows] == [(run.id, False)]
    run.close()
    assert as_json(cli("runs", "list", "--unfinished", "--format", "json")) == []


def test_show_has_inputs_outputs_params_and_metrics(cli: Cli, graph: KnownGraph) -> None:
    shown = as_json(cli("runs", "show", "runs/train-iris", "--format", "json"))
    assert shown["run"]["params"] == {"C": 1.0, "kernel": "rbf"}
    assert shown["inputs"] == [{"id": "datasets/iris-v1", "role": "train"}]
    assert shown["outputs"] == [{"id": "models/iris-clf-v1", "role": "model"}]
    table = succeeds(cli("runs", "show", "train-iris"))  # a bare key works too
    for text in (
        "Inputs",
        "datasets/iris-v1",
        "Outputs",
        "models/iris-clf-v1",
        "kernel",
        "9f8e7d6c",
    ):
        assert text in table


def test_show_a_failed_run_has_its_error(cli: Cli, graph: KnownGraph) -> None:
    assert "CUDA out of memory" in succeeds(cli("runs", "show", "train-churn-mlp"))


def test_show_an_unknown_run_is_an_error(cli: Cli, graph: KnownGraph) -> None:
    fails(cli("runs", "show", "train-nothing"), "[1202] artifact not found: runs/train-nothing")
    fails(cli("runs", "show", "runs/a/b"), "malformed artifact reference")


def test_compare_puts_runs_side_by_side(cli: Cli, graph: KnownGraph) -> None:
    rows = as_json(
        cli(
            "runs",
            "compare",
            "train-churn-rf",
            "train-churn-gbm",
            "train-churn-mlp",
            "--format",
            "json",
        )
    )
    by_field = {row.pop("field"): row for row in rows}
    assert by_field["metrics.auc"] == {
        "train-churn-rf": 0.87,
        "train-churn-gbm": 0.91,
        "train-churn-mlp": None,
    }
    assert by_field["status"]["train-churn-mlp"] == "failed"
    assert by_field["resources.cost.currency"]["train-churn-mlp"] == "EUR"
    assert by_field["params.hidden"]["train-churn-mlp"] == [64, 32]
    fields = list(by_field)
    assert (
        fields.index("params.learning_rate")
        < fields.index("metrics.auc")
        < fields.index("resources.wall_seconds")
    )
    table = succeeds(cli("runs", "compare", "runs/train-churn-rf", "runs/train-churn-gbm"))
    assert "train-churn-rf" in table
    assert "params.n_estimators" in table


def test_compare_only_the_differences(cli: Cli, graph: KnownGraph) -> None:
    text = succeeds(
        cli(
            "runs", "compare", "train-churn-rf", "train-churn-gbm", "--different", "--format", "csv"
        )
    )
    fields = [row[0] for row in csv.reader(io.StringIO(text))]
    assert "status" not in fields
    assert "metrics.auc" in fields


def test_compare_an_unknown_run_is_an_error(cli: Cli, graph: KnownGraph) -> None:
    fails(cli("runs", "compare", "train-iris", "train-nothing"), "artifact not found")
