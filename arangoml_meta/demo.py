"""The README's main job, until the ML pipeline demo lands: AQL on a small lineage graph.

Builds a tiny provenance graph (a dataset, its next version, a training run, a
model and a deployment) in an embedded store and answers three lineage
questions with AQL — the same query text that runs on ArangoDB.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .embedded import EmbeddedDatabase

QUERIES = {
    "Everything downstream of dataset iris-v1": """
        FOR v, e, p IN 1..10 OUTBOUND 'datasets/iris-v1' GRAPH 'lineage'
          RETURN CONCAT_SEPARATOR(' -> ', p.vertices[*]._key)""",
    "Where did deployment iris-prod come from?": """
        FOR v IN 1..10 INBOUND 'deployments/iris-prod' GRAPH 'lineage'
          OPTIONS { uniqueVertices: 'global', order: 'bfs' }
          RETURN { id: v._id, name: v.name }""",
    "Runs by accuracy": """
        FOR r IN runs
          FILTER r.metrics.accuracy > @threshold
          SORT r.metrics.accuracy DESC
          RETURN { run: r._key, lr: r.params.lr, accuracy: r.metrics.accuracy }""",
}


def build(db: EmbeddedDatabase) -> None:
    for name in ("datasets", "runs", "models", "deployments"):
        db.create_collection(name)
    for name in ("inputs", "outputs", "derivations"):
        db.create_collection(name, edge=True)
    artifacts = ["datasets", "runs", "models", "deployments"]
    db.create_graph(
        "lineage",
        [
            {"collection": "inputs", "from": artifacts, "to": ["runs"]},
            {"collection": "outputs", "from": ["runs"], "to": artifacts},
            {"collection": "derivations", "from": artifacts, "to": artifacts},
        ],
    )
    db.insert_many(
        "datasets",
        [
            {"_key": "iris-v1", "name": "iris", "version": 1, "rows": 150},
            {"_key": "iris-v2", "name": "iris", "version": 2, "rows": 147},
        ],
    )
    db.insert_many(
        "runs",
        [
            {
                "_key": "train-1",
                "name": "train",
                "params": {"lr": 0.1},
                "metrics": {"accuracy": 0.91},
            },
            {
                "_key": "train-2",
                "name": "train",
                "params": {"lr": 0.01},
                "metrics": {"accuracy": 0.95},
            },
        ],
    )
    db.insert_many("models", [{"_key": "iris-clf-v1", "name": "iris-clf", "framework": "sklearn"}])
    db.insert_many(
        "deployments", [{"_key": "iris-prod", "name": "iris-prod", "endpoint": "/predict"}]
    )
    db.insert_many(
        "derivations",
        [
            {"_from": "datasets/iris-v1", "_to": "datasets/iris-v2", "relation": "next_version"},
            {
                "_from": "models/iris-clf-v1",
                "_to": "deployments/iris-prod",
                "relation": "deployed_as",
            },
        ],
    )
    db.insert_many(
        "inputs",
        [
            {"_from": "datasets/iris-v2", "_to": "runs/train-1", "role": "train"},
            {"_from": "datasets/iris-v2", "_to": "runs/train-2", "role": "train"},
        ],
    )
    db.insert_many(
        "outputs", [{"_from": "runs/train-2", "_to": "models/iris-clf-v1", "role": "model"}]
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedDatabase(str(Path(tmp) / "demo.db")) as db:
        build(db)
        for title, aql in QUERIES.items():
            print(f"# {title}")
            for row in db.query(aql, {"threshold": 0.9} if "@threshold" in aql else None):
                print(json.dumps(row))
            print()


if __name__ == "__main__":
    main()
