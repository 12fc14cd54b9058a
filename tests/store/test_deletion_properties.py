"""Deletion on random lineage graphs (embedded store): what goes is exactly the start and,
with cascade, what a plain walk over the edges finds downstream; no edge is left dangling;
everything else stays."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.errors import ConflictError
from arangoml_meta.store import EDGES, MetadataStore, open_store

# node i is a dataset (even) or a model (odd); an edge always goes from a lower to a higher
# number, so the graph is a DAG, as lineage is
graphs = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.sets(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] < e[1]),
            max_size=2 * n,
        ),
        st.integers(0, n - 1),
        st.booleans(),
    )
)


def node_id(i: int) -> str:
    return f"datasets/n{i}-v1" if i % 2 == 0 else f"models/n{i}-v1"


def build(store: MetadataStore, n: int, edges: set[tuple[int, int]]) -> None:
    with store.transaction():
        for i in range(n):
            store.register("datasets" if i % 2 == 0 else "models", f"n{i}")
        for a, b in sorted(edges):
            store.link(node_id(a), node_id(b), "derived")


def downstream(start: int, edges: set[tuple[int, int]]) -> set[int]:
    out: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        out[a].append(b)
    seen, todo = set(), [start]
    while todo:
        for nxt in out[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def existing(store: MetadataStore, n: int) -> set[int]:
    found = store.query(
        "FOR id IN @ids FILTER DOCUMENT(id) != null RETURN id",
        {"ids": [node_id(i) for i in range(n)]},
    )
    return {i for i in range(n) if node_id(i) in found}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs)
def test_deletion_takes_exactly_the_start_and_its_downstream(case) -> None:
    n, edges, start, cascade = case
    with open_store(":memory:") as store:
        build(store, n, edges)
        below = downstream(start, edges)
        if below and not cascade:
            try:
                store.delete(node_id(start))
            except ConflictError:
                assert existing(store, n) == set(range(n))
                return
            raise AssertionError("a deletion with dependents was not refused")
        deletion = store.delete(node_id(start), cascade=cascade)
        gone = {start} | below
        assert set(deletion.documents) == {node_id(i) for i in gone}
        assert existing(store, n) == set(range(n)) - gone
        remaining = [e for c in EDGES for e in store.query("FOR e IN @@c RETURN e", {"@c": c})]
        assert len(remaining) == len([e for e in edges if not set(e) & gone])
        for edge in remaining:  # nothing dangles
            ends = {"a": edge["_from"], "b": edge["_to"]}
            assert store.query("RETURN [DOCUMENT(@a) != null, DOCUMENT(@b) != null]", ends) == [
                [True, True]
            ]
