"""Dump and restore of random collections (embedded engine, no store schema): whatever
documents, keys, edges and indexes a database holds come back the same."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.backends.embedded import EmbeddedBackend
from arangoml_meta.dumps import dump_store, restore_store

# explicit keys are not numbers: one could be the key the generator gives the same batch
keys = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_\-:.@()+,=;$!*'%]{0,11}", fullmatch=True)
names = st.text(min_size=1, max_size=8).filter(lambda name: not name.startswith("_"))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(names, values, max_size=5)
fields = st.from_regex(r"[a-z]{1,3}(\.[a-z]{1,3})?", fullmatch=True)  # indexed attribute paths
collections = st.fixed_dictionaries(
    {
        "vertices": st.lists(st.tuples(keys, bodies), unique_by=lambda kv: kv[0], max_size=12),
        "edges": st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), bodies), max_size=12),
        "indexes": st.lists(
            st.tuples(st.lists(fields, min_size=1, max_size=2, unique=True), st.booleans()),
            max_size=3,
            unique_by=lambda index: (tuple(index[0]), index[1]),
        ),
        "generated": st.integers(0, 3),  # documents whose key the key generator gives
    }
)


def build(backend: EmbeddedBackend, data: dict[str, Any]) -> None:
    backend.create_collection("things")
    backend.create_collection("links", edge=True)
    vertices = [{"_key": key, **body} for key, body in data["vertices"]]
    backend.insert_many("things", vertices + [{"n": n} for n in range(data["generated"])])
    stored = [doc["_key"] for doc in backend.query("FOR d IN things RETURN d")]
    backend.insert_many(
        "links",
        [
            {
                "_from": f"things/{stored[a % len(stored)]}",
                "_to": f"things/{stored[b % len(stored)]}",
                **body,
            }
            for a, b, body in data["edges"]
            if stored
        ],
    )
    for fields, sparse in data["indexes"]:
        backend.ensure_index("things", fields, sparse=sparse)
    backend.save_graph("g", [{"collection": "links", "from": ["things"], "to": ["things"]}])


def contents(backend: EmbeddedBackend) -> dict[str, Any]:
    db = backend.db
    return {
        name: (
            backend.query("FOR d IN @@c RETURN d", {"@c": name}),
            [{k: v for k, v in i.items() if k != "id"} for i in db.indexes(name)],
        )
        for name in ("things", "links")
    } | {"graph": db.graph("g")}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=collections)
def test_what_is_dumped_is_restored_the_same(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        source = EmbeddedBackend(Path(directory) / "source")
        build(source, data)
        dump_store(source, Path(directory) / "dump")
        target = EmbeddedBackend(Path(directory) / "target")
        restore_store(target, Path(directory) / "dump")
        assert contents(target) == contents(source)
        assert target.insert("things", {})["_key"] == source.insert("things", {})["_key"]
        source.close()
        target.close()
