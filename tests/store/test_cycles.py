"""Self-links and links that close a cycle in the data flow: refused unless allowed."""

from __future__ import annotations

import pytest

from arangoml_meta.errors import ERROR_GRAPH_INVALID_EDGE, GraphError
from arangoml_meta.store import MetadataStore

from .conftest import LineageGraph, counts

# two datasets linked both ways: a cycle in imported history
TWO_WAY_IMPORT = [
    {"type": "datasets", "name": "a", "as": "a"},
    {"type": "datasets", "name": "b", "as": "b"},
    {"link": "derivations", "from": "@a", "to": "@b", "relation": "x"},
    {"link": "derivations", "from": "@b", "to": "@a", "relation": "y"},
]


@pytest.mark.parametrize("ref", ["datasets/raw-v1", "datasets/raw@latest", "datasets/raw@1"])
def test_a_self_link_is_refused(lineage_graph: LineageGraph, ref: str) -> None:
    store = lineage_graph.store
    before = counts(store)
    with pytest.raises(GraphError, match="self-link") as raised:
        store.link(ref, "datasets/raw-v1", "subset_of")
    assert raised.value.error_num == ERROR_GRAPH_INVALID_EDGE
    assert counts(store) == before


@pytest.mark.parametrize(
    "source,target",
    [
        ("datasets/clean-v1", "datasets/raw-v1"),  # one derivation back
        ("models/clf-v1", "datasets/clean-v1"),  # back through the run that trained it
        ("serving_metrics/clf-prod-w1-v1", "datasets/raw-v1"),  # five links back
    ],
)
def test_a_link_closing_a_cycle_is_refused(
    lineage_graph: LineageGraph, source: str, target: str
) -> None:
    store = lineage_graph.store
    before = counts(store)
    with pytest.raises(GraphError, match="closes a cycle") as raised:
        store.link(source, target, "derived_from")
    assert raised.value.error_num == ERROR_GRAPH_INVALID_EDGE
    assert f"{source} -> {target}" in str(raised.value)
    assert counts(store) == before


def test_links_of_one_step_that_close_a_cycle_together_are_refused(store: MetadataStore) -> None:
    a, b, c = (store.register("datasets", name) for name in "abc")
    before = counts(store)
    with pytest.raises(GraphError, match="closes a cycle"), store.transaction():
        store.link(a, b, "x")
        store.link(b, c, "x")
        store.link(c, a, "x")
    assert counts(store) == before  # the whole step: none of its links was written


def test_the_failed_step_writes_nothing_else_either(store: MetadataStore) -> None:
    a = store.register("datasets", "a")
    before = counts(store)
    with pytest.raises(GraphError), store.transaction():
        b = store.register("datasets", "b")
        store.link(a, b, "x")
        store.link(b, a, "x")
    assert counts(store) == before
    assert store.history("datasets", "b") == []


def test_a_cycle_among_documents_new_in_the_step_is_refused(store: MetadataStore) -> None:
    """No link enters a document that existed: the cycle is found among the new ones."""
    before = counts(store)
    with pytest.raises(GraphError, match="closes a cycle") as raised, store.transaction():
        a, b, c = (store.register("datasets", name) for name in "abc")
        store.link(a, b, "x")
        store.link(b, c, "x")
        store.link(c, a, "x")
    shown = str(raised.value)
    assert all(f"{x['_id']} -> {y['_id']}" in shown for x, y in ((a, b), (b, c), (c, a)))
    assert counts(store) == before


def test_new_documents_downstream_of_a_new_cycle_are_not_named(store: MetadataStore) -> None:
    with pytest.raises(GraphError) as raised, store.transaction():
        a, b, c = (store.register("datasets", name) for name in "abc")
        store.link(a, b, "x")
        store.link(b, a, "x")
        store.link(c, a, "x")  # into the cycle, not on it
        store.link(b, c, "x")  # ... and now it is on it
    assert {(e["from"], e["to"]) for e in raised.value.details["edges"]} == {
        (a["_id"], b["_id"]),
        (b["_id"], a["_id"]),
        (c["_id"], a["_id"]),
        (b["_id"], c["_id"]),
    }


def test_an_acyclic_step_of_new_documents_is_written(store: MetadataStore) -> None:
    with store.transaction():
        a, b, c = (store.register("datasets", name) for name in "abc")
        store.link(a, b, "x")
        store.link(b, c, "x")
        store.link(a, c, "x")  # a diamond, not a cycle
    assert [row["_id"] for row in store.downstream(a)] == [b["_id"], c["_id"]]


def test_a_link_alongside_the_flow_is_not_a_cycle(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    # raw is upstream of the model already: another path the same way closes nothing
    edge = store.link("datasets/raw-v1", "models/clf-v1", "inspired")
    assert (edge["_from"], edge["_to"]) == ("datasets/raw-v1", "models/clf-v1")
    # nor does a link between unconnected artifacts, either way
    store.link("datasets/other-v1", "datasets/raw-v1", "sample_of")


@pytest.mark.parametrize(
    "source,target",
    [("datasets/raw-v1", "datasets/raw-v1"), ("models/clf-v1", "datasets/clean-v1")],
)
def test_allow_cycle_links_anyway(lineage_graph: LineageGraph, source: str, target: str) -> None:
    store = lineage_graph.store
    edge = store.link(source, target, "retrained_on", allow_cycle=True)
    assert (edge["_from"], edge["_to"]) == (source, target)
    stored = store.query("FOR e IN derivations FILTER e._id == @id RETURN e", {"id": edge["_id"]})
    assert stored[0]["relation"] == "retrained_on"


def test_a_run_output_that_is_upstream_of_the_run_is_refused(store: MetadataStore) -> None:
    # the API cannot name this (outputs are new versions): add_edge, where every edge is made
    data = store.register("datasets", "data")
    before = counts(store)
    with pytest.raises(GraphError, match="closes a cycle"), store.transaction() as step:
        run = store.start_run("train", inputs={"train": data})
        store.add_edge(step, "outputs", run.id, data["_id"], {"role": "model"})
    assert counts(store) == before


def test_a_run_input_that_is_downstream_of_the_run_is_refused(store: MetadataStore) -> None:
    before = counts(store)
    with pytest.raises(GraphError, match="closes a cycle"), store.transaction() as step:
        run = store.start_run("train")
        model = run.register_output("models", "clf")
        store.add_edge(step, "inputs", model["_id"], run.id, {"role": "train"})
    assert counts(store) == before


def test_runs_record_their_edges_as_before(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    with store.run("evaluate", inputs={"test": "datasets/raw-v1", "model": "models/clf-v1"}) as run:
        report = run.register_output("datasets", "report", role="report")
    upstream = {row["_id"] for row in store.upstream(report["_id"])}
    assert {run.id, "datasets/raw-v1", "models/clf-v1"} <= upstream


def test_an_import_refuses_a_link_closing_a_cycle_and_writes_nothing_of_its_batch(
    store: MetadataStore,
) -> None:
    before = counts(store)
    with pytest.raises(GraphError, match="closes a cycle") as raised:
        store.import_records(TWO_WAY_IMPORT)
    assert raised.value.error_num == ERROR_GRAPH_INVALID_EDGE
    assert counts(store) == before


def test_an_import_link_closing_a_cycle_through_an_earlier_batch_is_refused(
    store: MetadataStore,
) -> None:
    with pytest.raises(GraphError, match="closes a cycle"):
        store.import_records(TWO_WAY_IMPORT, batch_size=3)  # the first batch stays, the second goes
    assert store.backend.count("derivations") == 1


def test_an_import_keeps_a_cycle_of_history_when_asked_but_never_a_self_link(
    store: MetadataStore,
) -> None:
    store.import_records(TWO_WAY_IMPORT, allow_cycles=True)
    assert store.backend.count("derivations") == 2  # history as it was
    with pytest.raises(GraphError, match="self-link"):
        store.import_records(
            [{"link": "derivations", "from": "datasets/a-v1", "to": "datasets/a-v1"}],
            allow_cycles=True,
        )
    assert store.backend.count("derivations") == 2
