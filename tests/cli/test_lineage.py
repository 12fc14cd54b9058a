"""`lineage up | down | impact | path | show` on every backend, over the known graph."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.queries.known_graph import KnownGraph

from .conftest import Cli, as_json, fails, succeeds

UP_FROM_GBM = """\
models/churn-gbm-v1
└── runs/train-churn-gbm [completed]  (outputs: model)
    └── featuresets/churn-features-v1  (inputs: train)
        └── runs/featurize-churn [completed]  (outputs: features)
            ├── datasets/customers-v2  (inputs: source)
            └── datasets/support-tickets-v1  (inputs: source)
"""

IMPACT_OF_CUSTOMERS_V2 = """\
datasets/customers-v2
└── runs/featurize-churn [completed]  (inputs: source)
    └── featuresets/churn-features-v1  (outputs: features)
        ├── runs/train-churn-gbm [completed]  (inputs: train)
        │   └── models/churn-gbm-v1  (outputs: model)
        │       └── deployments/churn-api-v2 [active]  (derivations: deployed_as)
        └── runs/train-churn-rf [completed]  (inputs: train)
            └── models/churn-rf-v1  (outputs: model)
                └── deployments/churn-api-v1 [retired]  (derivations: deployed_as)
"""


def test_up_draws_a_tree(cli: Cli, graph: KnownGraph) -> None:
    assert succeeds(cli("lineage", "up", "models/churn-gbm-v1")) == UP_FROM_GBM


def test_up_as_rows(cli: Cli, graph: KnownGraph) -> None:
    rows = as_json(cli("lineage", "up", "models/churn-gbm@latest", "--format", "json"))
    assert [(r["_depth"], r["_id"]) for r in rows][:2] == [
        (1, "runs/train-churn-gbm"), (2, "featuresets/churn-features-v1"),
    ]  # fmt: skip
    datasets = as_json(
        cli("lineage", "up", "models/churn-gbm-v1", "--type", "datasets", "--format", "json")
    )
    assert sorted(r["_id"] for r in datasets) == [
        "datasets/customers-v2",
        "datasets/support-tickets-v1",
    ]
    near = as_json(cli("lineage", "up", "models/churn-gbm-v1", "--depth", "1", "--format", "json"))
    assert [r["_id"] for r in near] == ["runs/train-churn-gbm"]


def test_down_with_a_type_keeps_the_branches_leading_to_it(cli: Cli, graph: KnownGraph) -> None:
    tree = succeeds(cli("lineage", "down", "datasets/customers-v2", "--type", "deployments"))
    assert tree == IMPACT_OF_CUSTOMERS_V2
    rows = succeeds(cli("lineage", "down", "datasets/customers-v1", "--format", "csv"))
    assert [
        (row["depth"], row["id"], row["via"], row["from"])
        for row in csv.DictReader(io.StringIO(rows))
    ] == [
        ("1", "datasets/customers-anon-v1", "derivations: anonymised_as", "datasets/customers-v1")
    ]


def test_impact_of_a_dataset(cli: Cli, graph: KnownGraph) -> None:
    assert succeeds(cli("lineage", "impact", "datasets/customers-v2")) == IMPACT_OF_CUSTOMERS_V2
    rows = as_json(cli("lineage", "impact", "datasets/customers-v2", "--format", "json"))
    assert sorted(r["_id"] for r in rows) == [
        "deployments/churn-api-v1", "deployments/churn-api-v2", "models/churn-gbm-v1", "models/churn-rf-v1",
    ]  # fmt: skip
    assert (
        succeeds(cli("lineage", "impact", "datasets/customers-anon-v1"))
        == "datasets/customers-anon-v1\n"
    )


def test_path_follows_the_data_flow(cli: Cli, graph: KnownGraph) -> None:
    tree = succeeds(cli("lineage", "path", "datasets/iris-v1", "deployments/iris-api-v1"))
    assert tree == (
        "datasets/iris-v1\n"
        "└── runs/train-iris [completed]  (inputs: train)\n"
        "    └── models/iris-clf-v1  (outputs: model)\n"
        "        └── deployments/iris-api-v1 [active]  (derivations: deployed_as)\n"
    )
    steps = as_json(
        cli("lineage", "path", "datasets/iris-v1", "models/iris-clf-v1", "--format", "json")
    )
    assert [s["vertex"]["_id"] for s in steps] == [
        "datasets/iris-v1",
        "runs/train-iris",
        "models/iris-clf-v1",
    ]


def test_path_any_direction_marks_links_against_the_flow(cli: Cli, graph: KnownGraph) -> None:
    between = ("lineage", "path", "models/churn-rf-v1", "models/churn-gbm-v1", "--any-direction")
    rows = list(csv.DictReader(io.StringIO(succeeds(cli(*between, "--format", "csv")))))
    assert [row["id"] for row in rows] == [
        "models/churn-rf-v1", "runs/train-churn-rf", "featuresets/churn-features-v1",
        "runs/train-churn-gbm", "models/churn-gbm-v1",
    ]  # fmt: skip
    assert [row["against_flow"] for row in rows] == ["false", "true", "true", "false", "false"]
    assert "(against the flow, outputs: model)" in succeeds(cli(*between))


def test_no_path_is_an_empty_answer(cli: Cli, graph: KnownGraph) -> None:
    result = cli("lineage", "path", "deployments/iris-api-v1", "datasets/iris-v1")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no path" in result.stderr
    assert (
        as_json(
            cli(
                "lineage", "path", "deployments/iris-api-v1", "datasets/iris-v1", "--format", "json"
            )
        )
        == []
    )


def test_show_draws_both_directions(cli: Cli, graph: KnownGraph) -> None:
    assert succeeds(cli("lineage", "show", "models/iris-clf-v1")) == (
        "models/iris-clf-v1\n"
        "├── upstream\n"
        "│   └── runs/train-iris [completed]  (outputs: model)\n"
        "│       └── datasets/iris-v1  (inputs: train)\n"
        "└── downstream\n"
        "    └── deployments/iris-api-v1 [active]  (derivations: deployed_as)\n"
        "        └── serving_metrics/iris-api-metrics-v1  (derivations: monitors)\n"
    )
    walks = as_json(cli("lineage", "show", "models/iris-clf-v1", "--format", "json"))
    assert [row["_id"] for row in walks["upstream"]] == ["runs/train-iris", "datasets/iris-v1"]
    assert [row["_id"] for row in walks["downstream"]] == [
        "deployments/iris-api-v1", "serving_metrics/iris-api-metrics-v1",
    ]  # fmt: skip


def test_show_as_dot(cli: Cli, graph: KnownGraph) -> None:
    dot = succeeds(cli("lineage", "show", "models/iris-clf-v1", "--depth", "1", "--format", "dot"))
    assert dot.startswith("digraph lineage {")
    assert '"runs/train-iris" [label="runs/train-iris", shape=ellipse];' in dot
    assert '"runs/train-iris" -> "models/iris-clf-v1" [label="outputs: model"];' in dot
    assert (
        '"models/iris-clf-v1" -> "deployments/iris-api-v1" [label="derivations: deployed_as"];'
        in dot
    )
    assert "datasets/iris-v1" not in dot  # two links away
    assert dot.rstrip().endswith("}")


def test_show_as_mermaid(cli: Cli, graph: KnownGraph) -> None:
    mermaid = succeeds(cli("lineage", "up", "models/iris-clf-v1", "--format", "mermaid"))
    assert mermaid.splitlines() == [
        "flowchart LR",
        '  v0["models/iris-clf-v1"]',
        '  v1(["runs/train-iris"])',
        '  v2["datasets/iris-v1"]',
        '  v1 -->|"outputs: model"| v0',
        '  v2 -->|"inputs: train"| v1',
    ]


def test_show_as_edge_rows(cli: Cli, graph: KnownGraph) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(succeeds(cli("lineage", "show", "models/iris-clf-v1", "--format", "csv")))
        )
    )
    assert {
        "direction": "upstream", "depth": "1", "id": "runs/train-iris", "name": "train-iris",
        "version": "", "via": "outputs: model", "from": "models/iris-clf-v1",
    } in rows  # fmt: skip
    assert [(row["direction"], row["id"]) for row in rows] == [
        ("upstream", "runs/train-iris"), ("upstream", "datasets/iris-v1"),
        ("downstream", "deployments/iris-api-v1"),
        ("downstream", "serving_metrics/iris-api-metrics-v1"),
    ]  # fmt: skip
    lines = succeeds(cli("lineage", "show", "models/iris-clf-v1", "--format", "jsonl")).splitlines()
    assert len(lines) == 4
    assert all(json.loads(line)["from"] for line in lines)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["up", "models/nothing-v1"], "[1202] artifact not found"),
        (["down", "nothing"], "malformed artifact reference"),
        (["up", "models/iris-clf-v1", "--type", "gadgets"], "unknown artifact type 'gadgets'"),
        (["impact", "gadgets/g-v1"], "unknown artifact type"),
        (["path", "datasets/iris-v1", "models/nothing-v1"], "artifact not found"),
        (["show", "models/iris-clf-v1", "--depth", "0"], "--depth"),
        (["show", "models/iris-clf-v1", "--format", "png"], "'png' is not one of"),
    ],
)
def test_bad_input_is_an_error(
    cli: Cli, graph: KnownGraph, command: list[str], message: str
) -> None:
    fails(cli("lineage", *command), message)
