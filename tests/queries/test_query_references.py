"""Stored queries take references as the API does, and read every registered type.

A reference to nothing is an error naming the parameter (never an empty answer
that looks like "no lineage"); ``audit_trail`` and ``search_artifacts`` see a
type registered after the store was made as they see the built-in ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.errors import (
    BadParameterError,
    CollectionNotFoundError,
    DocumentError,
    DocumentNotFoundError,
)
from arangoml_meta.queries import (
    QueryParam,
    StoredQueryError,
    load_queries,
    parse_query_text,
    run_query,
)
from arangoml_meta.query_binding import collection_uses, expand_collections
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import ArtifactType

from .known_graph import KnownGraph

REFERENCE_QUERIES = {  # every stored query with a reference, and the parameter
    "dataset_impact": "dataset",
    "deployments_for_dataset": "dataset",
    "model_provenance": "model",
    "personal_data_impact": "dataset",
    "reproduce_run": "run",
    "reusable_steps": "dataset",
    "run_record": "run",
    "serving_drift": "deployment",
    "who_had_access": "artifact",
}
# the other parameters a query of REFERENCE_QUERIES requires
REQUIRED_WITH = {"who_had_access": {"since": "2025-01-01"}}
REPORTS = ArtifactType(
    name="reports",
    kind="artifact",
    description="a team's own type",
    schema={
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "pages": {"type": "integer"}},
    },
)


def test_every_stored_query_naming_an_artifact_takes_a_reference() -> None:
    taking = {
        name: p.name
        for name, query in load_queries().items()
        for p in query.params
        if p.type == "reference"
    }
    assert taking == REFERENCE_QUERIES


# ---------------------------------------------------------------------- bad references first


@pytest.mark.parametrize(("query", "param"), sorted(REFERENCE_QUERIES.items()))
def test_a_reference_to_nothing_is_an_error_naming_it(
    graph: KnownGraph, query: str, param: str
) -> None:
    missing = {"run": "runs/no-such-run", "artifact": "datasets/no-such-thing@latest"}.get(
        param, f"{param}s/no-such-thing@latest"
    )
    with pytest.raises(
        DocumentNotFoundError, match=f"parameter '{param}': {missing} names nothing"
    ):
        run_query(graph.store, query, {param: missing, **REQUIRED_WITH.get(query, {})})


@pytest.mark.parametrize(
    ("ref", "error", "message"),
    [
        ("models/churn-gbm@9", DocumentNotFoundError, "names nothing"),
        ("models/churn-gbm-v9", DocumentNotFoundError, "names nothing"),
        ("churn-gbm-v1", DocumentError, "malformed artifact reference"),
        ("models/churn-gbm@v1", DocumentError, "malformed version"),
        ("experiments/x@latest", CollectionNotFoundError, "unknown artifact type 'experiments'"),
    ],
)
def test_a_bad_reference_is_refused(
    graph: KnownGraph, ref: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        run_query(graph.store, "model_provenance", {"model": ref})


def test_a_run_query_refuses_an_artifact(graph: KnownGraph) -> None:
    with pytest.raises(BadParameterError, match=r"this query takes an execution"):
        run_query(graph.store, "reproduce_run", {"run": "datasets/customers-v2"})


# ---------------------------------------------------------------------- references resolved


@pytest.mark.parametrize(
    "ref", ["models/churn-gbm-v1", "models/churn-gbm@1", "models/churn-gbm@latest"]
)
def test_a_reference_is_resolved_to_its_id(graph: KnownGraph, ref: str) -> None:
    by_id = run_query(graph.store, "model_provenance", {"model": "models/churn-gbm-v1"})
    assert by_id
    assert run_query(graph.store, "model_provenance", {"model": ref}) == by_id


def test_latest_names_the_newest_version(graph: KnownGraph) -> None:
    rows = run_query(graph.store, "dataset_impact", {"dataset": "datasets/customers@latest"})
    assert rows == run_query(graph.store, "dataset_impact", {"dataset": "datasets/customers-v2"})


def test_a_run_is_named_by_its_name_at_latest(graph: KnownGraph) -> None:
    (record,) = run_query(graph.store, "run_record", {"run": "runs/train-churn-gbm@latest"})
    assert record["run"] == "runs/train-churn-gbm"


def test_an_optional_reference_left_out_filters_nothing(graph: KnownGraph) -> None:
    everything = run_query(graph.store, "serving_drift", {"threshold": "0"})
    assert len(everything) > 1


# ---------------------------------------------------------------------- registered types


def test_a_type_list_is_read_only_in_a_for(graph: KnownGraph) -> None:
    text = (
        "// title: t\n// description: d\n// audience: a\n"
        "// param types: collections = null — types\n\n"
        "RETURN LENGTH(@@types)\n"
    )
    with pytest.raises(StoredQueryError, match=r"read only as FOR x IN @@types"):
        parse_query_text("bad", text)


def test_only_types_take_kinds() -> None:
    text = (
        "// title: t\n// description: d\n// audience: a\n"
        "// param n: integer(artifact) = null — n\n\nRETURN @n\n"
    )
    with pytest.raises(StoredQueryError, match=r"only collections and reference take kinds"):
        parse_query_text("bad", text)


@pytest.mark.parametrize(
    ("query", "given", "message"),
    [
        ("search_artifacts", "experiments", r"'experiments' is not a registered type of kind"),
        ("search_artifacts", "projects", r"'projects' is not a registered type"),
        ("search_artifacts", "inputs", r"'inputs' is not a registered type"),
        ("audit_trail", "artifact_types", r"'artifact_types' is not a registered type"),
    ],
)
def test_a_type_that_is_not_registered_is_refused(
    graph: KnownGraph, query: str, given: str, message: str
) -> None:
    params: dict[str, Any] = {"types": given, "since": "2025-01-01"}
    if query == "search_artifacts":
        del params["since"]
    with pytest.raises(CollectionNotFoundError, match=message):
        run_query(graph.store, query, params)


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_a_type_list_becomes_a_union_of_its_collections(count: int) -> None:
    names = ["datasets", "models", "runs"][:count]
    text, bind = expand_collections("FOR d IN @@types RETURN d", "types", names)
    if count == 1:
        assert (text, bind) == ("FOR d IN @@types RETURN d", {"@types": "datasets"})
        return
    assert bind == {f"@types_{i}": name for i, name in enumerate(names)}
    assert collection_uses(text, "types") == []
    assert text.count("@@types_") == count


def test_search_finds_a_type_registered_later(graph: KnownGraph) -> None:
    store = graph.store
    store.register_type(REPORTS)
    store.register("reports", "churn-review", pages=12, tags=["gdpr"])
    assert "reports/churn-review-v1" in [
        row["id"] for row in run_query(store, "search_artifacts", {"text": "churn-review"})
    ]
    assert [row["id"] for row in run_query(store, "search_artifacts", {"types": "reports"})] == [
        "reports/churn-review-v1"
    ]
    tagged = [row["id"] for row in run_query(store, "search_artifacts", {"tag": "gdpr"})]
    assert "reports/churn-review-v1" in tagged and len(tagged) > 1


def test_audit_trail_shows_a_type_registered_later(graph: KnownGraph) -> None:
    store = graph.store
    graph.at("2025-06-01T10:00:00.000Z", "platform")
    store.register_type(REPORTS)
    graph.at("2025-06-01T11:00:00.000Z", "alice")
    store.register("reports", "churn-review", pages=12)
    rows = run_query(store, "audit_trail", {"since": "2025-06-01"})
    assert [(row["action"], row["id"]) for row in rows] == [
        ("type registered", "artifact_types/reports"),
        ("created", "reports/churn-review-v1"),
    ]
    only = run_query(store, "audit_trail", {"since": "2025-06-01", "types": "reports,runs"})
    assert [(row["action"], row["id"]) for row in only] == [
        ("type registered", "artifact_types/reports"),
        ("created", "reports/churn-review-v1"),
    ]


def test_audit_trail_of_some_types_leaves_the_others_out(graph: KnownGraph) -> None:
    everything = run_query(graph.store, "audit_trail", {"since": "2025-01-01"})
    runs_only = run_query(graph.store, "audit_trail", {"since": "2025-01-01", "types": "runs"})
    assert {row["action"] for row in runs_only} >= {"run started"}
    assert not any(
        row["id"].startswith("datasets/") and row["action"] == "created" for row in runs_only
    )
    assert len(runs_only) < len(everything)


def test_a_type_list_of_kinds_reads_only_those_kinds(store: MetadataStore) -> None:
    query = parse_query_text(
        "executions",
        "// title: t\n// description: d\n// audience: a\n"
        "// param types: collections(context) = null — types\n\n"
        "FOR d IN @@types RETURN d._id\n",
    )
    store.register("projects", "churn")
    assert run_query(store, query) == ["projects/churn-v1"]
    assert query.params[0] == QueryParam("types", "collections", None, False, "types", ("context",))


def test_a_type_filter_names_registered_types(graph: KnownGraph) -> None:
    with pytest.raises(CollectionNotFoundError, match="'dataset' is not a registered type"):
        run_query(
            graph.store, "model_provenance", {"model": "models/churn-gbm-v1", "types": "dataset"}
        )
    rows = run_query(
        graph.store, "model_provenance", {"model": "models/churn-gbm-v1", "types": "datasets"}
    )
    assert rows and {row["type"] for row in rows} == {"datasets"}


def test_a_history_of_a_name_nothing_has_is_an_error(graph: KnownGraph) -> None:
    with pytest.raises(DocumentNotFoundError, match=r"parameter 'name': no datasets named 'irsi'"):
        run_query(graph.store, "artifact_history", {"type": "datasets", "name": "irsi"})
    with pytest.raises(DocumentNotFoundError, match=r"no models named 'customers'"):
        run_query(graph.store, "artifact_history", {"type": "models", "name": "customers"})
    rows = run_query(graph.store, "artifact_history", {"type": "datasets", "name": "customers"})
    assert [row["version"] for row in rows] == [1, 2]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("name, required", r"write name\(TYPE\)"),
        ("name(), required", r"write name\(TYPE\)"),
        ("name(@c d), required", r"write name\(TYPE\)"),
        ("name(@@depth), required", r"'n' is name\(@@depth\), and 'depth' is no collection"),
        ("name(@@nope), required", r"'n' is name\(@@nope\), and 'nope' is no collection"),
    ],
)
def test_a_name_parameter_names_its_collection_parameter(spec: str, message: str) -> None:
    text = (
        "// title: t\n// description: d\n// audience: a\n"
        "// param c: collection, required — c\n// param depth: integer = 1 — d\n"
        f"// param n: {spec} — n\n\nFOR d IN @@c FILTER d.name == @n LIMIT @depth RETURN d\n"
    )
    with pytest.raises(StoredQueryError, match=message):
        parse_query_text("bad", text)


def test_compare_models_of_a_model_name_nothing_has_is_an_error(graph: KnownGraph) -> None:
    with pytest.raises(DocumentNotFoundError, match=r"parameter 'name': no models named 'churn'"):
        run_query(graph.store, "compare_models", {"metric": "auc", "name": "churn"})
    rows = run_query(graph.store, "compare_models", {"metric": "auc", "name": "churn-gbm"})
    assert rows


def test_a_name_of_a_fixed_type_is_checked_there(store: MetadataStore) -> None:
    query = parse_query_text(
        "named",
        "// title: t\n// description: d\n// audience: a\n"
        "// param n: name(datasets), required — n\n\n"
        "FOR d IN datasets FILTER d.name == @n RETURN d._id\n",
    )
    assert query.params[0].of == "datasets"
    store.register("datasets", "iris")
    assert run_query(store, query, {"n": "iris"}) == ["datasets/iris-v1"]
    with pytest.raises(DocumentNotFoundError, match="no datasets named 'wine'"):
        run_query(store, query, {"n": "wine"})
