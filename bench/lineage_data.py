"""A deterministic, lineage-shaped metadata graph for benchmarks.

The graph is what an ML metadata store holds: dataset versions, feature sets
derived from them, training runs that consume feature sets (and, for
fine-tuning, a base model), the models the runs produce and the deployments
of those models::

    datasets/dsNNNNN-v1 -> ... -> datasets/dsNNNNN-vK        derivations (K = 1..5)
    datasets/dsNNNNN-vJ -> featuresets/fsNNNNNN               derivations
    featuresets/fs...   -> runs/run...                        inputs  (1-3 per run)
    models/model...     -> runs/run...                        inputs  (fine-tuning base)
    runs/run...         -> models/model...                    outputs
    models/model...     -> deployments/dep...                 derivations

A path from a dataset (its first version) to a deployment has 4 to 10 hops:
up to 4 version steps, then feature set, run, model (plus run and model again
for a fine-tuned model) and deployment. A run takes feature sets of other
datasets too, so the graph is a DAG with shared sub-graphs, as real lineage is.

Everything comes from one ``random.Random(seed)``: the same seed and size give
byte-identical documents (no wall clock, no hash-order dependence). Runs carry
about ten ``params`` and five ``metrics`` as nested objects.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]

DEFAULT_SEED = 20240517

VERTEX_COLLECTIONS: tuple[str, ...] = ("datasets", "featuresets", "runs", "models", "deployments")
EDGE_COLLECTIONS: tuple[str, ...] = ("inputs", "outputs", "derivations")

GRAPH_NAME = "lineage"
EDGE_DEFINITIONS: list[dict[str, Any]] = [
    {"collection": "inputs", "from": ["featuresets", "models"], "to": ["runs"]},
    {"collection": "outputs", "from": ["runs"], "to": ["models"]},
    {
        "collection": "derivations",
        "from": ["datasets", "models"],
        "to": ["datasets", "featuresets", "deployments"],
    },
]

# documents + edges generated per dataset, on average (measured; used to size a graph)
_ITEMS_PER_DATASET = 50.0

_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z, a fixed origin for generated timestamps
_FORMATS = ("parquet", "csv", "delta", "tfrecord")
_OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
_FRAMEWORKS = ("pytorch", "tensorflow", "xgboost", "sklearn", "jax")
_ENVIRONMENTS = ("dev", "staging", "production")
_STATUSES = (("completed", 0.80), ("failed", 0.12), ("running", 0.08))


@dataclass
class LineageData:
    """Generated documents per collection, plus the natural start points for traversals."""

    seed: int
    vertices: dict[str, list[Doc]] = field(default_factory=dict)
    edges: dict[str, list[Doc]] = field(default_factory=dict)
    dataset_roots: list[str] = field(default_factory=list)  # ids of each dataset's first version
    deployments: list[str] = field(default_factory=list)  # ids of all deployments

    def collections(self) -> Iterable[tuple[str, list[Doc], bool]]:
        """(name, documents, is_edge_collection) in a load order (vertices first)."""
        for name in VERTEX_COLLECTIONS:
            yield name, self.vertices[name], False
        for name in EDGE_COLLECTIONS:
            yield name, self.edges[name], True

    @property
    def document_count(self) -> int:
        return sum(len(docs) for docs in self.vertices.values())

    @property
    def edge_count(self) -> int:
        return sum(len(docs) for docs in self.edges.values())

    @property
    def total(self) -> int:
        return self.document_count + self.edge_count

    def adjacency(self, outbound: bool = True) -> dict[str, list[str]]:
        """Vertex id -> neighbour ids over all edge collections (for checks, not for timing)."""
        adj: dict[str, list[str]] = defaultdict(list)
        for docs in self.edges.values():
            for e in docs:
                if outbound:
                    adj[e["_from"]].append(e["_to"])
                else:
                    adj[e["_to"]].append(e["_from"])
        return adj

    def dataset_to_deployment_hops(self) -> tuple[int, int]:
        """(shortest, longest) path length from any dataset root to any deployment it reaches."""
        adj = self.adjacency()
        longest: dict[str, int] = {}  # longest path from a vertex to a deployment (-1: none)
        shortest: dict[str, int] = {}

        order = _topological_order(adj)
        for vertex in reversed(order):
            if vertex.startswith("deployments/"):
                longest[vertex] = shortest[vertex] = 0
                continue
            reach = [n for n in adj.get(vertex, ()) if longest.get(n, -1) >= 0]
            if reach:
                longest[vertex] = 1 + max(longest[n] for n in reach)
                shortest[vertex] = 1 + min(shortest[n] for n in reach)
            else:
                longest[vertex] = shortest[vertex] = -1
        roots = [r for r in self.dataset_roots if longest.get(r, -1) > 0]
        return min(shortest[r] for r in roots), max(longest[r] for r in roots)


def _topological_order(adj: dict[str, list[str]]) -> list[str]:
    indegree: dict[str, int] = defaultdict(int)
    nodes: set[str] = set(adj)
    for targets in adj.values():
        for t in targets:
            indegree[t] += 1
            nodes.add(t)
    ready = sorted(n for n in nodes if indegree[n] == 0)
    order: list[str] = []
    while ready:
        n = ready.pop()
        order.append(n)
        for t in adj.get(n, ()):
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    if len(order) != len(nodes):
        raise ValueError("lineage graph has a cycle")
    return order


def _timestamp(seconds: int) -> str:
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    # a simple, deterministic calendar: 28-day months from the fixed epoch
    month, day = divmod(days, 28)
    year, month = divmod(month, 12)
    return f"{2024 + year:04d}-{month + 1:02d}-{day + 1:02d}T{hours:02d}:{minutes:02d}:{secs:02d}Z"


def _pick_status(rng: random.Random) -> str:
    x = rng.random()
    for status, share in _STATUSES:
        if x < share:
            return status
        x -= share
    return _STATUSES[-1][0]


def generate(n_datasets: int, seed: int = DEFAULT_SEED) -> LineageData:
    """A lineage graph with ``n_datasets`` datasets (about 50 documents + edges each)."""
    rng = random.Random(seed)
    data = LineageData(seed=seed)
    datasets: list[Doc] = []
    featuresets: list[Doc] = []
    runs: list[Doc] = []
    models: list[Doc] = []
    deployments: list[Doc] = []
    inputs: list[Doc] = []
    outputs: list[Doc] = []
    derivations: list[Doc] = []
    clock = 0

    def edge(target: list[Doc], prefix: str, from_id: str, to_id: str, **extra: Any) -> None:
        target.append(
            {"_key": f"{prefix}{len(target) + 1:07d}", "_from": from_id, "_to": to_id, **extra}
        )

    all_featuresets: list[str] = []
    base_models: list[str] = []  # models not produced by fine-tuning (fine-tuning bases)

    def add_run(fs_inputs: list[str], base_model: str | None) -> None:
        nonlocal clock
        clock += rng.randint(60, 7_200)
        key = f"run{len(runs) + 1:07d}"
        run_id = f"runs/{key}"
        status = _pick_status(rng)
        framework = rng.choice(_FRAMEWORKS)
        params = {
            "learning_rate": round(10 ** rng.uniform(-5, -1), 6),
            "batch_size": rng.choice((16, 32, 64, 128, 256)),
            "epochs": rng.randint(1, 100),
            "optimizer": rng.choice(_OPTIMIZERS),
            "dropout": round(rng.uniform(0.0, 0.5), 3),
            "weight_decay": round(10 ** rng.uniform(-6, -2), 7),
            "max_depth": rng.randint(2, 16),
            "n_estimators": rng.choice((50, 100, 200, 500, 1000)),
            "seed": rng.randint(0, 2**31 - 1),
            "warmup_steps": rng.choice((0, 100, 500, 1000)),
        }
        metrics: dict[str, Any] = {"loss": round(rng.uniform(0.01, 2.5), 5)}
        if status != "failed":
            accuracy = round(min(0.999, max(0.3, rng.gauss(0.82, 0.08))), 5)
            metrics.update(
                accuracy=accuracy,
                precision=round(min(0.999, max(0.0, accuracy + rng.uniform(-0.05, 0.05))), 5),
                recall=round(min(0.999, max(0.0, accuracy + rng.uniform(-0.08, 0.04))), 5),
                f1=round(min(0.999, max(0.0, accuracy + rng.uniform(-0.06, 0.03))), 5),
            )
        runs.append(
            {
                "_key": key,
                "name": f"train-{key}",
                "status": status,
                "framework": framework,
                "started_at": _timestamp(clock),
                "duration_s": rng.randint(30, 86_400),
                "params": params,
                "metrics": metrics,
                "tags": rng.sample(
                    ("baseline", "sweep", "nightly", "ablation", "prod-candidate"), k=2
                ),
            }
        )
        for fs in fs_inputs:
            edge(inputs, "in", fs, run_id, role="training_data")
        if base_model is not None:
            edge(inputs, "in", base_model, run_id, role="base_model")
        if status != "completed":
            return
        model_key = f"model{len(models) + 1:07d}"
        model_id = f"models/{model_key}"
        models.append(
            {
                "_key": model_key,
                "name": f"model-{model_key}",
                "framework": framework,
                "size_mb": round(rng.uniform(0.5, 4_000.0), 1),
                "stage": rng.choice(("none", "staging", "production", "archived")),
                "fine_tuned": base_model is not None,
            }
        )
        edge(outputs, "out", run_id, model_id)
        if base_model is None:
            base_models.append(model_id)
        for _ in range(rng.choices((0, 1, 2), weights=(45, 40, 15))[0]):
            dep_key = f"dep{len(deployments) + 1:07d}"
            deployments.append(
                {
                    "_key": dep_key,
                    "endpoint": f"https://serving.example/{dep_key}",
                    "environment": rng.choice(_ENVIRONMENTS),
                    "replicas": rng.randint(1, 8),
                    "created_at": _timestamp(clock + rng.randint(600, 86_400)),
                }
            )
            edge(derivations, "der", model_id, f"deployments/{dep_key}", kind="deployment")

    for d in range(1, n_datasets + 1):
        n_versions = rng.choices((1, 2, 3, 4, 5), weights=(20, 30, 25, 15, 10))[0]
        version_ids: list[str] = []
        rows = rng.randint(1_000, 10_000_000)
        for v in range(1, n_versions + 1):
            clock += rng.randint(600, 86_400)
            key = f"ds{d:05d}-v{v}"
            rows = int(rows * rng.uniform(1.0, 1.3))
            datasets.append(
                {
                    "_key": key,
                    "name": f"dataset-{d:05d}",
                    "version": v,
                    "format": rng.choice(_FORMATS),
                    "rows": rows,
                    "created_at": _timestamp(clock),
                    "schema": {
                        "columns": rng.randint(5, 300),
                        "target": rng.choice(("label", "y", "class")),
                    },
                }
            )
            if version_ids:
                edge(derivations, "der", version_ids[-1], f"datasets/{key}", kind="new_version")
            version_ids.append(f"datasets/{key}")
        data.dataset_roots.append(version_ids[0])
        for _ in range(rng.choices((1, 2, 3), weights=(35, 40, 25))[0]):
            source = rng.choice(version_ids)
            key = f"fs{len(featuresets) + 1:07d}"
            featuresets.append(
                {
                    "_key": key,
                    "name": f"features-{key}",
                    "n_features": rng.randint(4, 512),
                    "transform": rng.choice(
                        ("standardize", "one_hot", "embedding", "tf_idf", "raw")
                    ),
                    "source_version": source.rsplit("-v", 1)[1],
                }
            )
            edge(derivations, "der", source, f"featuresets/{key}", kind="featurization")
            all_featuresets.append(f"featuresets/{key}")
            for _ in range(rng.randint(2, 6)):
                fs_inputs = [all_featuresets[-1]]
                # further inputs: feature sets of recent datasets (shared sub-graphs)
                for _ in range(rng.choices((0, 1, 2), weights=(55, 30, 15))[0]):
                    other = all_featuresets[
                        max(0, len(all_featuresets) - 40)
                        + rng.randrange(min(40, len(all_featuresets)))
                    ]
                    if other not in fs_inputs:
                        fs_inputs.append(other)
                base = None
                if base_models and rng.random() < 0.12:
                    base = base_models[
                        max(0, len(base_models) - 200) + rng.randrange(min(200, len(base_models)))
                    ]
                add_run(fs_inputs, base)

    data.vertices = {
        "datasets": datasets,
        "featuresets": featuresets,
        "runs": runs,
        "models": models,
        "deployments": deployments,
    }
    data.edges = {"inputs": inputs, "outputs": outputs, "derivations": derivations}
    data.deployments = [f"deployments/{d['_key']}" for d in deployments]
    return data


def generate_total(total: int, seed: int = DEFAULT_SEED) -> LineageData:
    """A lineage graph of about ``total`` documents + edges."""
    return generate(max(1, round(total / _ITEMS_PER_DATASET)), seed)


__all__ = [
    "DEFAULT_SEED",
    "EDGE_COLLECTIONS",
    "EDGE_DEFINITIONS",
    "GRAPH_NAME",
    "VERTEX_COLLECTIONS",
    "LineageData",
    "generate",
    "generate_total",
]
