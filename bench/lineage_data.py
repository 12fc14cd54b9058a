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

import math
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


# --------------------------------------------------------------------------- pipeline steps
#
# The same lineage, as the sequence of pipeline steps that would record it through a metadata
# API (``bench_api.py``): each dataset version registered (and linked to the previous one),
# each feature set produced by a preprocessing run, each training run consuming feature sets
# (and a base model) and producing a model, each deployment linked from its model, and a few
# windows of serving metrics per deployment.

STEP_KINDS: tuple[str, ...] = ("dataset", "preprocess", "train", "deploy", "monitor")
PIPELINE_VERTEX_COLLECTIONS: tuple[str, ...] = (
    "datasets",
    "featuresets",
    "runs",
    "models",
    "deployments",
    "serving_metrics",
)
# learning rates snap to this grid (nearest power of ten), so "params.lr == 0.01" selects runs
_LR_GRID: dict[int, float] = {-5: 0.00001, -4: 0.0001, -3: 0.001, -2: 0.01, -1: 0.1}
# documents + edges per dataset in the pipeline form, on average (measured; used to size it)
_PIPELINE_ITEMS_PER_DATASET = 64.0


@dataclass(frozen=True)
class PipelineStep:
    """One pipeline step: what it registers, what it consumes, and what it links.

    ``kind``:

    - ``dataset``: register version ``version`` of dataset ``name`` (``fields``); from the
      second version on, link the previous version to it (``link_from``, ``relation``).
    - ``preprocess``: a run (``run_key``, ``run_name``, ``params``) reading one dataset version
      (``inputs``) and producing the feature set ``name`` (``fields``).
    - ``train``: a run reading feature sets and perhaps a base model (``inputs``, with roles),
      with ``params`` and ``metrics``, ending as ``status``; a completed run produces the
      model ``name`` (``fields``); a failed one produces nothing; a ``running`` one stays open.
    - ``deploy``: register deployment ``name`` and link its model to it.
    - ``monitor``: register window ``version`` of serving metrics ``name`` and link the
      deployment to it.

    Artifact keys are ``{name}-v{version}``, as an ``arangoml_meta`` store writes them; run
    keys (``run_key``) are logical, since a store chooses its own.
    """

    kind: str
    collection: str  # of the artifact the step registers ("" for a run that produces none)
    name: str  # artifact name
    version: int = 1
    fields: Doc = field(default_factory=dict)
    run_key: str = ""
    run_name: str = ""
    run_fields: Doc = field(default_factory=dict)
    params: Doc = field(default_factory=dict)
    metrics: Doc = field(default_factory=dict)
    status: str = "completed"
    inputs: tuple[tuple[str, str], ...] = ()  # (artifact id, role)
    link_from: str | None = None
    relation: str = ""

    @property
    def artifact_id(self) -> str:
        return f"{self.collection}/{self.name}-v{self.version}" if self.collection else ""

    @property
    def run_id(self) -> str:
        return f"runs/{self.run_key}" if self.run_key else ""

    @property
    def items(self) -> dict[str, int]:
        """Documents and edges the step writes, per collection."""
        counts: dict[str, int] = defaultdict(int)
        if self.run_key:
            counts["runs"] += 1
            counts["inputs"] += len(self.inputs)
            if self.collection:
                counts["outputs"] += 1
        if self.collection:
            counts[self.collection] += 1
        if self.link_from is not None:
            counts["derivations"] += 1
        return dict(counts)


@dataclass
class PipelinePlan:
    """Pipeline steps in the order a platform would run them, and traversal start points."""

    seed: int
    steps: list[PipelineStep]
    dataset_roots: list[str]  # ids of each dataset's first version
    deployments: list[str]  # ids of all deployments

    def counts(self) -> dict[str, int]:
        """Documents and edges per collection, over all steps."""
        totals: dict[str, int] = dict.fromkeys((*PIPELINE_VERTEX_COLLECTIONS, *EDGE_COLLECTIONS), 0)
        for step in self.steps:
            for name, n in step.items.items():
                totals[name] += n
        return totals

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    @property
    def runs(self) -> int:
        return self.counts()["runs"]


def _api_timestamp(seconds: int) -> str:
    """A generated timestamp with milliseconds, as the artifact schemas require."""
    return _timestamp(seconds)[:-1] + ".000Z"


def pipeline_steps(data: LineageData) -> PipelinePlan:
    """The pipeline that records ``data``, step by step, in the order it was generated.

    Feature sets become the outputs of preprocessing runs (dataset version -> run ->
    feature set instead of a derivation edge), runs keep their inputs, ten params (the
    learning rate as ``lr``, snapped to a power of ten) and metrics, and every deployment
    gets 0 to 3 windows of serving metrics. The extra values come from their own
    ``random.Random`` derived from ``data.seed``, so ``data`` is used as generated.
    """
    rng = random.Random(data.seed * 7_919 + 17)
    version_edges: dict[str, str] = {}  # dataset version id -> previous version id
    fs_source: dict[str, str] = {}  # featureset id -> dataset version id
    deployments_of: dict[str, list[str]] = defaultdict(list)  # model id -> deployment ids
    for e in data.edges["derivations"]:
        kind = e.get("kind")
        if kind == "new_version":
            version_edges[e["_to"]] = e["_from"]
        elif kind == "featurization":
            fs_source[e["_to"]] = e["_from"]
        else:
            deployments_of[e["_from"]].append(e["_to"])
    run_inputs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in data.edges["inputs"]:
        run_inputs[e["_to"]].append((e["_from"], e["role"]))
    model_of = {e["_from"]: e["_to"] for e in data.edges["outputs"]}
    runs_of: dict[str, list[Doc]] = defaultdict(list)  # featureset id -> its own runs, in order
    for run in data.vertices["runs"]:
        runs_of[run_inputs[f"runs/{run['_key']}"][0][0]].append(run)
    datasets = {f"datasets/{d['_key']}": d for d in data.vertices["datasets"]}
    versions_of: dict[str, list[Doc]] = defaultdict(list)  # dataset name -> versions, in order
    for d in data.vertices["datasets"]:
        versions_of[d["name"]].append(d)
    models = {f"models/{m['_key']}": m for m in data.vertices["models"]}
    deployments = {f"deployments/{d['_key']}": d for d in data.vertices["deployments"]}

    steps: list[PipelineStep] = []
    registered: set[str] = set()  # dataset names already recorded

    def artifact_id(generated_id: str) -> str:  # models/model0000001 -> models/model0000001-v1
        return f"{generated_id}-v1"

    for fs in data.vertices["featuresets"]:
        fs_id = f"featuresets/{fs['_key']}"
        source = fs_source[fs_id]
        dataset_name = datasets[source]["name"]
        if dataset_name not in registered:
            registered.add(dataset_name)
            previous: str | None = None
            for d in versions_of[dataset_name]:
                this = f"datasets/{d['_key']}"
                fields = {
                    k: v for k, v in d.items() if k not in ("_key", "name", "version", "created_at")
                }
                steps.append(
                    PipelineStep(
                        "dataset",
                        "datasets",
                        d["_key"].rsplit("-v", 1)[0],  # ds00001-v2 is also the store's key
                        version=d["version"],
                        fields={**fields, "description": f"{d['name']} as delivered"},
                        link_from=previous,
                        relation="next_version" if previous else "",
                    )
                )
                assert version_edges.get(this) == previous, this
                previous = this
        steps.append(
            PipelineStep(
                "preprocess",
                "featuresets",
                fs["_key"],
                fields={k: v for k, v in fs.items() if k not in ("_key", "name")},
                run_key=f"prep{fs['_key'][2:]}",
                run_name=f"preprocess-{fs['_key']}",
                params={"transform": fs["transform"], "n_features": fs["n_features"]},
                inputs=((source, "source"),),
            )
        )
        for run in runs_of[fs_id]:
            run_id = f"runs/{run['_key']}"
            params = dict(run["params"])
            learning_rate = params.pop("learning_rate")
            exponent = min(-1, max(-5, round(math.log10(learning_rate))))
            params = {"lr": _LR_GRID[exponent], **params}
            inputs = tuple((artifact_id(source_id), role) for source_id, role in run_inputs[run_id])
            produced = model_of.get(run_id)
            model = models[produced] if produced else None
            steps.append(
                PipelineStep(
                    "train",
                    "models" if model else "",
                    model["_key"] if model else "",
                    fields=(
                        {k: v for k, v in model.items() if k not in ("_key", "name")}
                        if model
                        else {}
                    ),
                    run_key=run["_key"],
                    run_name=f"train-{run['_key']}",
                    run_fields={
                        "framework": run["framework"],
                        "tags": run["tags"],
                        "duration_s": run["duration_s"],
                    },
                    params=params,
                    metrics=dict(run["metrics"]),
                    status=run["status"],
                    inputs=inputs,
                )
            )
            if produced is None:
                continue
            for dep_id in deployments_of[produced]:
                dep = deployments[dep_id]
                created = dep["created_at"]
                steps.append(
                    PipelineStep(
                        "deploy",
                        "deployments",
                        dep["_key"],
                        fields={
                            **{k: v for k, v in dep.items() if k not in ("_key", "created_at")},
                            "status": "active",
                            "deployed_at": created[:-1] + ".000Z",
                        },
                        link_from=artifact_id(produced),
                        relation="deployed_as",
                    )
                )
                n_windows = rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]
                for window in range(1, n_windows + 1):
                    start = _clock_of(created) + (window - 1) * 86_400
                    requests = rng.randint(100, 1_000_000)
                    p50 = round(rng.uniform(2.0, 80.0), 1)
                    steps.append(
                        PipelineStep(
                            "monitor",
                            "serving_metrics",
                            f"sm-{dep['_key']}",
                            version=window,
                            fields={
                                "window_start": _api_timestamp(start),
                                "window_end": _api_timestamp(start + 86_400),
                                "traffic": {
                                    "requests": requests,
                                    "errors": rng.randint(0, requests // 100),
                                },
                                "latency_ms": {
                                    "p50": p50,
                                    "p95": round(p50 * rng.uniform(1.5, 4.0), 1),
                                },
                                "quality": {"accuracy": round(rng.uniform(0.6, 0.99), 4)},
                            },
                            link_from=f"deployments/{dep['_key']}-v1",
                            relation="monitors",
                        )
                    )
    return PipelinePlan(
        data.seed, steps, list(data.dataset_roots), [artifact_id(d) for d in data.deployments]
    )


def _clock_of(timestamp: str) -> int:
    """Seconds since the generator's epoch for a ``_timestamp`` string (its inverse)."""
    date, _, time_of_day = timestamp.rstrip("Z").partition("T")
    year, month, day = (int(x) for x in date.split("-"))
    hours, minutes, secs = (int(x) for x in time_of_day.split(":"))
    days = ((year - 2024) * 12 + month - 1) * 28 + day - 1
    return days * 86_400 + hours * 3_600 + minutes * 60 + secs


def generate_pipeline(total: int, seed: int = DEFAULT_SEED) -> PipelinePlan:
    """The pipeline steps for a lineage of about ``total`` documents + edges in pipeline form."""
    return pipeline_steps(generate(max(1, round(total / _PIPELINE_ITEMS_PER_DATASET)), seed))


__all__ = [
    "DEFAULT_SEED",
    "EDGE_COLLECTIONS",
    "EDGE_DEFINITIONS",
    "GRAPH_NAME",
    "PIPELINE_VERTEX_COLLECTIONS",
    "STEP_KINDS",
    "VERTEX_COLLECTIONS",
    "LineageData",
    "PipelinePlan",
    "PipelineStep",
    "generate",
    "generate_pipeline",
    "generate_total",
    "pipeline_steps",
]
