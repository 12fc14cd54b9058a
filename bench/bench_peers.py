"""Benchmark: arangoml-meta next to its peers on one ML-metadata workload (``make bench-peers``).

One synthetic pipeline (datasets with two versions -> featurize jobs -> featuresets ->
training runs with 10 params and 5 metrics -> models -> deploy jobs -> deployments; scale 1
is 7,500 entities + 7,474 links) is recorded, then queried, by each peer in a subprocess of
its own, under its own interpreter:

- ``arangoml_meta``: this project through its public Python API on the embedded store,
  one ``store.transaction()`` per pipeline step, queried through the lineage API and,
  as a second row, through the same questions as ad-hoc AQL;
- ``sqlite-wal``: hand-written SQLite (``nodes``/``edges`` tables, recursive CTEs), one
  transaction per step, WAL with ``synchronous=NORMAL``; ``sqlite-bulk``: the same in a
  single transaction;
- ``mlmd``: Google ML Metadata on SQLite (needs protobuf < 5: its own virtual
  environment, ``.venv-mlmd``), queried by ``get_lineage_subgraph`` and by a walk over
  its events.

Measured: ingest (entities + links per second), downstream "models and deployments
derived from dataset X" and upstream "dataset versions behind deployment Y" (p50 / p95
over 20 starts), a filter "training runs with accuracy > 0.9 and lr = 0.01", and the
store's size on disk. Every answer is checked against the generator's ground truth; a
wrong answer is printed as ``*** RESULT MISMATCH`` and the exit status is 2.

The workload and the measurements are those of the shared peer benchmark
(``peer_lineage_bench.py``): the same seed gives the same entities, the same query
starts and the same answers, so the two scripts' figures can be compared.

Run: ``make bench-peers`` or ``.venv/bin/python bench/bench_peers.py --help``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

REPO_ROOT = Path(__file__).resolve().parent.parent
PEERS = (
    "sqlite-wal",
    "sqlite-bulk",
    "mlmd",
    "arangoml_meta",
    "arangoml_meta-no-audit",
    "arangoml_meta-import",
)
# the interpreter each peer runs under unless --python says otherwise (the rest: this one)
DEFAULT_INTERPRETERS = {
    "mlmd": REPO_ROOT / ".venv-mlmd" / "bin" / "python",
    "arangoml_meta": REPO_ROOT / ".venv" / "bin" / "python",
    "arangoml_meta-no-audit": REPO_ROOT / ".venv" / "bin" / "python",
    "arangoml_meta-import": REPO_ROOT / ".venv" / "bin" / "python",
}
PEER_MODULES = {
    "mlmd": "ml_metadata",
    "arangoml_meta": "arangoml_meta",
    "arangoml_meta-no-audit": "arangoml_meta",
    "arangoml_meta-import": "arangoml_meta",
}
# hop budget for every lineage query: MLMD's get_lineage_subgraph needs one (its cap is 100),
# and arangoml-meta's depth counts run vertices too, so the deepest chains need more than 10
MAX_HOPS = 40
ACCURACY_ABOVE = 0.9
LEARNING_RATE = 0.01

PROJECT_ROW = "arangoml_meta (lineage API)"
NO_AUDIT_ROW = "arangoml_meta (audit log off)"
AUDIT_COST = 0.20  # the audit log may slow ingest by at most this share (issue 12)
IMPORT_ROW = "arangoml_meta (bulk import)"
BULK_ROW = "sqlite-bulk"
CTE_ROW = "sqlite-wal"
MLMD_ROWS = ("mlmd (get_lineage_subgraph)", "mlmd (event walk)")
# targets for the project's API row
INGEST_VS_SQLITE = 0.4  # at least this share of sqlite-wal's rate
INGEST_VS_MLMD = 8.0  # at least this many times MLMD's rate
DOWNSTREAM_VS_CTE = 3.0  # p50 at most this many times the CTE's
UPSTREAM_VS_CTE = 5.0
LINEAGE_VS_MLMD = 3.0  # p50 at least this many times faster than MLMD's faster query mode
FILTER_VS_SQL = 2.0  # at most this many times the SQL scan
SIZE_VS_SQLITE = 2.5  # bytes on disk, at most this many times sqlite-wal's


# --------------------------------------------------------------------------- the workload


@dataclass(frozen=True)
class DatasetVersion:
    name: str  # "ds-00042@v2"
    dataset: str
    version: int
    digest: str
    uri: str
    rows: int


@dataclass(frozen=True)
class Featureset:
    name: str
    job: str  # the featurize job that produced it
    inputs: tuple[tuple[str, str], ...]  # ("dataset_version" | "featureset", name)
    digest: str
    n_features: int


@dataclass(frozen=True)
class TrainingRun:
    name: str
    featureset: str
    model: str
    params: dict[str, Any]
    metrics: dict[str, float]


@dataclass(frozen=True)
class Deployment:
    name: str
    job: str  # the deploy job
    run: str
    model: str
    service: str
    env: str


@dataclass
class Workload:
    scale: float
    seed: int
    datasets: list[str]
    versions: list[DatasetVersion]
    featuresets: list[Featureset]
    runs: list[TrainingRun]
    deployments: list[Deployment]
    dataset_starts: list[str]  # downstream query starts
    deployment_starts: list[str]  # upstream query starts

    def versions_of(self) -> dict[str, list[DatasetVersion]]:
        grouped: dict[str, list[DatasetVersion]] = {}
        for version in self.versions:
            grouped.setdefault(version.dataset, []).append(version)
        return grouped

    def counts(self) -> dict[str, int]:
        """Logical entities (featurize and deploy jobs included) and links, as every peer's
        ingest rate counts them whatever its own representation."""
        d, f = len(self.datasets), len(self.featuresets)
        r, m = len(self.runs), len(self.deployments)
        inputs = sum(len(fs.inputs) for fs in self.featuresets)
        return {
            "datasets": d,
            "dataset_versions": len(self.versions),
            "featuresets": f,
            "runs": r,
            "models": r,
            "deployments": m,
            # dataset, versions, featurize job + featureset, run + model, deploy job + deployment
            "entities": d + len(self.versions) + 2 * f + 2 * r + 2 * m,
            # has_version, featurize in + out, train in + out, deploy in + out
            "links": len(self.versions) + inputs + f + 2 * r + 2 * m,
        }


def _digest(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:16]


def _random_params(rng: random.Random) -> dict[str, Any]:
    return {
        "lr": rng.choice([0.1, 0.03, 0.01, 0.003, 0.001]),
        "batch_size": rng.choice([32, 64, 128, 256]),
        "epochs": rng.randint(1, 50),
        "optimizer": rng.choice(["adam", "sgd", "adamw", "rmsprop"]),
        "dropout": round(rng.uniform(0.0, 0.5), 3),
        "weight_decay": rng.choice([0.0, 1e-5, 1e-4, 1e-3]),
        "max_depth": rng.randint(2, 16),
        "n_estimators": rng.randint(10, 1000),
        "seed": rng.randint(0, 2**31 - 1),
        "momentum": round(rng.uniform(0.5, 0.99), 3),
    }


def _random_metrics(rng: random.Random) -> dict[str, float]:
    return {
        "accuracy": round(rng.uniform(0.5, 0.99), 4),
        "f1": round(rng.uniform(0.4, 0.99), 4),
        "auc": round(rng.uniform(0.5, 0.999), 4),
        "loss": round(rng.uniform(0.01, 2.0), 4),
        "latency_ms": round(rng.uniform(1.0, 250.0), 2),
    }


def build_workload(scale: float, seed: int = 42, n_starts: int = 20) -> Workload:
    """100N datasets of 2 versions, 300N featuresets, 3000N runs and models, 300N deployments.

    A featureset comes from 1 or 2 dataset versions or (a quarter of them, from the 11th
    on) from an earlier featureset, so chains have variable depth. Every value is drawn
    from one ``random.Random(seed)`` in the shared peer benchmark's order: the same seed
    gives the same workload there and here.
    """
    rng = random.Random(seed)
    n_datasets = max(1, round(100 * scale))
    n_featuresets = max(1, round(300 * scale))
    n_runs = max(1, round(3000 * scale))
    n_deployments = max(1, min(n_runs, round(300 * scale)))

    datasets = [f"ds-{i:05d}" for i in range(n_datasets)]
    versions = []
    for dataset in datasets:
        for number in (1, 2):
            name = f"{dataset}@v{number}"
            versions.append(
                DatasetVersion(
                    name,
                    dataset,
                    number,
                    _digest(name),
                    f"s3://synthetic/{dataset}/v{number}",
                    rng.randint(10_000, 10_000_000),
                )
            )
    version_names = [v.name for v in versions]

    featuresets = []
    for j in range(n_featuresets):
        inputs: tuple[tuple[str, str], ...]
        if j >= 10 and rng.random() < 0.25:
            inputs = (("featureset", f"fs-{rng.randrange(j):05d}"),)
        else:
            k = 1 if rng.random() < 0.7 else 2
            inputs = tuple(("dataset_version", v) for v in rng.sample(version_names, k))
        name = f"fs-{j:05d}"
        featuresets.append(
            Featureset(name, f"featurize-{j:05d}", inputs, _digest(name), rng.randint(10, 500))
        )

    runs = []
    for r in range(n_runs):
        params = _random_params(rng)
        metrics = _random_metrics(rng)
        featureset = f"fs-{rng.randrange(n_featuresets):05d}"
        runs.append(TrainingRun(f"run-{r:06d}", featureset, f"model-{r:06d}", params, metrics))

    services = max(1, n_deployments // 10)
    deployments = []
    for m, r in enumerate(rng.sample(range(n_runs), n_deployments)):
        env = rng.choice(["prod", "staging", "canary"])
        deployments.append(
            Deployment(
                f"dep-{m:05d}",
                f"deploy-{m:05d}",
                runs[r].name,
                runs[r].model,
                f"svc-{m % services:04d}",
                env,
            )
        )

    dataset_starts = rng.sample(datasets, min(n_starts, n_datasets))
    deployment_starts = [d.name for d in rng.sample(deployments, min(n_starts, n_deployments))]
    return Workload(
        scale,
        seed,
        datasets,
        versions,
        featuresets,
        runs,
        deployments,
        dataset_starts,
        deployment_starts,
    )


@dataclass
class GroundTruth:
    downstream: dict[str, tuple[set[str], set[str]]]  # dataset -> (models, deployments)
    upstream: dict[str, set[str]]  # deployment -> dataset versions
    filter: set[str]  # training runs


def ground_truth(workload: Workload) -> GroundTruth:
    """Every query's answer, from the generator's own records (no store involved)."""
    consumers: dict[str, list[str]] = {}  # dataset version or featureset -> featuresets
    for fs in workload.featuresets:
        for _, source in fs.inputs:
            consumers.setdefault(source, []).append(fs.name)
    runs_on: dict[str, list[TrainingRun]] = {}
    for run in workload.runs:
        runs_on.setdefault(run.featureset, []).append(run)
    deployment_of = {d.model: d.name for d in workload.deployments}

    downstream = {}
    for dataset in workload.dataset_starts:
        reached: set[str] = set()
        frontier = [f"{dataset}@v1", f"{dataset}@v2"]
        while frontier:
            for fs in consumers.get(frontier.pop(), []):
                if fs not in reached:
                    reached.add(fs)
                    frontier.append(fs)
        models = {run.model for fs in reached for run in runs_on.get(fs, [])}
        downstream[dataset] = (models, {deployment_of[m] for m in models if m in deployment_of})

    featureset_of_model = {run.model: run.featureset for run in workload.runs}
    inputs_of = {fs.name: fs.inputs for fs in workload.featuresets}
    by_name = {d.name: d for d in workload.deployments}
    upstream = {}
    for name in workload.deployment_starts:
        start = featureset_of_model[by_name[name].model]
        frontier, seen, found = [start], {start}, set()
        while frontier:
            for kind, source in inputs_of[frontier.pop()]:
                if kind == "dataset_version":
                    found.add(source)
                elif source not in seen:
                    seen.add(source)
                    frontier.append(source)
        upstream[name] = found

    matching = {
        run.name
        for run in workload.runs
        if run.metrics["accuracy"] > ACCURACY_ABOVE and run.params["lr"] == LEARNING_RATE
    }
    return GroundTruth(downstream, upstream, matching)


# --------------------------------------------------------------------------- the peers


class Queries(Protocol):
    """The three questions, answered by one peer in one of its query modes."""

    def downstream(self, dataset: str) -> tuple[set[str], set[str]]:
        """(model names, deployment names) derived from any version of ``dataset``."""
        ...

    def upstream(self, deployment: str) -> set[str]:
        """The dataset versions (``ds-00042@v2``) behind ``deployment``."""
        ...

    def filter(self) -> set[str]:
        """Names of training runs with accuracy > 0.9 and lr = 0.01."""
        ...


class Peer(Protocol):
    def ingest(self, workload: Workload, steps: StepTimer) -> None: ...

    def query_modes(self) -> list[tuple[str, Queries]]:
        """(row label, queries) per query mode; they share the one ingest."""
        ...

    def size_bytes(self) -> int: ...

    def close(self) -> None: ...


class StepTimer:
    """Seconds of ingest per pipeline step kind (datasets, featurize, train, deploy)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, kind: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - began


def _files_bytes(db_file: str) -> int:
    return sum(os.path.getsize(p) for p in (db_file, f"{db_file}-wal") if os.path.exists(p))


# ------------------------------------------------------------------ hand-written SQLite


class SqlitePeer:
    """Plain ``sqlite3``: ``nodes(id, type, json)`` and ``edges(src, dst, type)``.

    ``sqlite-wal`` commits every pipeline step (WAL, ``synchronous=NORMAL``) and ends
    its ingest with a checkpoint; ``sqlite-bulk`` writes everything in one transaction
    with SQLite's default journal (one commit, so the journal mode hardly matters).
    Lineage is a recursive CTE over ``edges``, the filter ``json_extract`` over a scan.
    """

    DOWNSTREAM = """
        WITH RECURSIVE reach(id) AS (
            SELECT ? UNION SELECT e.dst FROM edges AS e JOIN reach AS r ON e.src = r.id)
        SELECT n.id, n.type FROM reach JOIN nodes AS n ON n.id = reach.id
        WHERE n.type IN ('model', 'deployment')"""
    UPSTREAM = """
        WITH RECURSIVE reach(id) AS (
            SELECT ? UNION SELECT e.src FROM edges AS e JOIN reach AS r ON e.dst = r.id)
        SELECT n.id FROM reach JOIN nodes AS n ON n.id = reach.id
        WHERE n.type = 'dataset_version'"""
    FILTER = f"""
        SELECT id FROM nodes WHERE type = 'run'
          AND json_extract(json, '$.metrics.accuracy') > {ACCURACY_ABOVE}
          AND json_extract(json, '$.params.lr') = {LEARNING_RATE}"""

    def __init__(self, workdir: str, mode: str) -> None:
        self.mode = mode
        self.path = os.path.join(workdir, f"sqlite-{mode}.db")
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        if mode == "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(
            """
            CREATE TABLE nodes (id TEXT PRIMARY KEY, type TEXT NOT NULL, json TEXT NOT NULL);
            CREATE INDEX nodes_type ON nodes(type);
            CREATE TABLE edges (src TEXT NOT NULL, dst TEXT NOT NULL, type TEXT NOT NULL,
                                PRIMARY KEY (src, dst, type)) WITHOUT ROWID;
            CREATE INDEX edges_dst ON edges(dst, src);
            """
        )

    @staticmethod
    def version() -> str:
        return f"sqlite3 {sqlite3.sqlite_version} (python {platform.python_version()})"

    def _write(self, nodes: list[tuple[str, str, str]], edges: list[tuple[str, str, str]]) -> None:
        per_step = self.mode != "bulk"
        if per_step:
            self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO nodes VALUES (?, ?, ?)", nodes)
        self.conn.executemany("INSERT INTO edges VALUES (?, ?, ?)", edges)
        if per_step:
            self.conn.execute("COMMIT")

    def ingest(self, workload: Workload, steps: StepTimer) -> None:
        if self.mode == "bulk":
            self.conn.execute("BEGIN")
        with steps.step("datasets"):
            for dataset, versions in workload.versions_of().items():
                nodes = [(dataset, "dataset", "{}")]
                for v in versions:
                    fields = {
                        "version": v.version,
                        "uri": v.uri,
                        "digest": v.digest,
                        "rows": v.rows,
                    }
                    nodes.append((v.name, "dataset_version", json.dumps(fields)))
                self._write(nodes, [(dataset, v.name, "has_version") for v in versions])
        with steps.step("featurize"):
            for fs in workload.featuresets:
                fields = {"n_features": fs.n_features, "digest": fs.digest}
                edges = [(source, fs.job, "input") for _, source in fs.inputs]
                edges.append((fs.job, fs.name, "output"))
                self._write(
                    [(fs.job, "featurize", "{}"), (fs.name, "featureset", json.dumps(fields))],
                    edges,
                )
        with steps.step("train"):
            for run in workload.runs:
                doc = json.dumps({"params": run.params, "metrics": run.metrics})
                self._write(
                    [(run.name, "run", doc), (run.model, "model", "{}")],
                    [(run.featureset, run.name, "input"), (run.name, run.model, "output")],
                )
        with steps.step("deploy"):
            for d in workload.deployments:
                doc = json.dumps({"env": d.env, "service": d.service})
                self._write(
                    [(d.job, "deploy", "{}"), (d.name, "deployment", doc)],
                    [(d.model, d.job, "input"), (d.job, d.name, "output")],
                )
        if self.mode == "bulk":
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def query_modes(self) -> list[tuple[str, Queries]]:
        return [(f"sqlite-{self.mode}", self)]

    def downstream(self, dataset: str) -> tuple[set[str], set[str]]:
        rows = self.conn.execute(self.DOWNSTREAM, (dataset,)).fetchall()
        return {i for i, t in rows if t == "model"}, {i for i, t in rows if t == "deployment"}

    def upstream(self, deployment: str) -> set[str]:
        return {row[0] for row in self.conn.execute(self.UPSTREAM, (deployment,))}

    def filter(self) -> set[str]:
        return {row[0] for row in self.conn.execute(self.FILTER)}

    def size_bytes(self) -> int:
        return _files_bytes(self.path)

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------ Google ML Metadata


class MlmdPeer:
    """ML Metadata on SQLite. Dataset versions, featuresets, models and deployments are
    Artifacts; featurize, train and deploy are Executions with INPUT / OUTPUT Events, each
    written by one ``put_execution``; a dataset is a Context attributed to its two
    versions. Params are declared execution properties, metrics custom properties."""

    def __init__(self, workdir: str) -> None:
        from ml_metadata.metadata_store import metadata_store
        from ml_metadata.proto import metadata_store_pb2

        self.pb: Any = metadata_store_pb2
        self.list_options: Any = metadata_store.ListOptions
        self.path = os.path.join(workdir, "mlmd.sqlite")
        config = self.pb.ConnectionConfig()
        config.sqlite.filename_uri = self.path
        config.sqlite.connection_mode = self.pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
        self.store: Any = metadata_store.MetadataStore(config)
        self.type_ids: dict[str, int] = {}

    @staticmethod
    def version() -> str:
        import google.protobuf
        import ml_metadata

        return f"ml-metadata {ml_metadata.__version__} (protobuf {google.protobuf.__version__})"

    def _declare_types(self) -> None:
        pb, store = self.pb, self.store
        artifact_properties = {
            "DatasetVersion": {
                "dataset": pb.STRING,
                "version": pb.INT,
                "digest": pb.STRING,
                "rows": pb.INT,
            },
            "FeatureSet": {"n_features": pb.INT, "digest": pb.STRING},
            "Model": {},
            "Deployment": {"env": pb.STRING, "service": pb.STRING},
        }
        for name, properties in artifact_properties.items():
            artifact_type = pb.ArtifactType(name=name)
            for key, value_type in properties.items():
                artifact_type.properties[key] = value_type
            self.type_ids[name] = store.put_artifact_type(artifact_type)
        train = pb.ExecutionType(name="Train")
        for key, value_type in {
            "lr": pb.DOUBLE,
            "batch_size": pb.INT,
            "epochs": pb.INT,
            "optimizer": pb.STRING,
            "dropout": pb.DOUBLE,
            "weight_decay": pb.DOUBLE,
            "max_depth": pb.INT,
            "n_estimators": pb.INT,
            "seed": pb.INT,
            "momentum": pb.DOUBLE,
        }.items():
            train.properties[key] = value_type
        self.type_ids["Train"] = store.put_execution_type(train)
        for name in ("Featurize", "Deploy"):
            self.type_ids[name] = store.put_execution_type(pb.ExecutionType(name=name))
        self.type_ids["Dataset"] = store.put_context_type(pb.ContextType(name="Dataset"))

    @staticmethod
    def _set(properties: Any, key: str, value: Any) -> None:
        if isinstance(value, (bool, int)):
            properties[key].int_value = int(value)
        elif isinstance(value, float):
            properties[key].double_value = value
        else:
            properties[key].string_value = str(value)

    def _artifact(
        self, type_name: str, name: str, uri: str | None = None, **properties: Any
    ) -> Any:
        artifact = self.pb.Artifact(
            type_id=self.type_ids[type_name], name=name, state=self.pb.Artifact.LIVE
        )
        if uri is not None:  # a deployment has none (proto2: an empty string would be stored)
            artifact.uri = uri
        for key, value in properties.items():
            self._set(artifact.properties, key, value)
        return artifact

    def _execute(
        self,
        type_name: str,
        name: str,
        inputs: list[Any],
        output: Any,
        properties: dict[str, Any] | None = None,
        metrics: dict[str, float] | None = None,
    ) -> None:
        """One execution with its input and output events, in one ``put_execution``."""
        pb = self.pb
        execution = pb.Execution(
            type_id=self.type_ids[type_name], name=name, last_known_state=pb.Execution.COMPLETE
        )
        for key, value in (properties or {}).items():
            self._set(execution.properties, key, value)
        for key, metric in (metrics or {}).items():
            execution.custom_properties[key].double_value = float(metric)
        pairs = [(a, pb.Event(type=pb.Event.INPUT)) for a in inputs]
        pairs.append((output, pb.Event(type=pb.Event.OUTPUT)))
        _, artifact_ids, _ = self.store.put_execution(execution, pairs, [])
        output.id = artifact_ids[-1]

    def ingest(self, workload: Workload, steps: StepTimer) -> None:
        pb, store = self.pb, self.store
        self._declare_types()
        stored: dict[str, Any] = {}  # workload name -> stored Artifact (with its id)
        with steps.step("datasets"):
            for dataset, versions in workload.versions_of().items():
                batch = [
                    self._artifact(
                        "DatasetVersion",
                        v.name,
                        v.uri,
                        dataset=dataset,
                        version=v.version,
                        digest=v.digest,
                        rows=v.rows,
                    )
                    for v in versions
                ]
                ids = store.put_artifacts(batch)
                for artifact, artifact_id in zip(batch, ids, strict=True):
                    artifact.id = artifact_id
                    stored[artifact.name] = artifact
                [context_id] = store.put_contexts(
                    [pb.Context(type_id=self.type_ids["Dataset"], name=dataset)]
                )
                store.put_attributions_and_associations(
                    [pb.Attribution(artifact_id=i, context_id=context_id) for i in ids], []
                )
        with steps.step("featurize"):
            for fs in workload.featuresets:
                output = self._artifact(
                    "FeatureSet",
                    fs.name,
                    f"s3://synthetic/fs/{fs.name}",
                    n_features=fs.n_features,
                    digest=fs.digest,
                )
                self._execute("Featurize", fs.job, [stored[s] for _, s in fs.inputs], output)
                stored[fs.name] = output
        with steps.step("train"):
            for run in workload.runs:
                model = self._artifact("Model", run.model, f"s3://synthetic/models/{run.model}")
                self._execute(
                    "Train", run.name, [stored[run.featureset]], model, run.params, run.metrics
                )
                stored[run.model] = model
        with steps.step("deploy"):
            for d in workload.deployments:
                deployment = self._artifact("Deployment", d.name, env=d.env, service=d.service)
                self._execute("Deploy", d.job, [stored[d.model]], deployment)

    def query_modes(self) -> list[tuple[str, Queries]]:
        return [
            (MLMD_ROWS[0], MlmdSubgraphQueries(self)),
            (MLMD_ROWS[1], MlmdEventWalkQueries(self)),
        ]

    def names(self, artifacts: Any, type_name: str) -> set[str]:
        type_id = self.type_ids[type_name]
        return {a.name for a in artifacts if a.type_id == type_id}

    def filter(self) -> set[str]:
        options = self.list_options(
            filter_query=(
                f"type = 'Train' AND properties.lr.double_value = {LEARNING_RATE}"
                f" AND custom_properties.accuracy.double_value > {ACCURACY_ABOVE}"
            )
        )
        return {e.name for e in self.store.get_executions(list_options=options)}

    def size_bytes(self) -> int:
        return _files_bytes(self.path)

    def close(self) -> None:
        del self.store


class MlmdSubgraphQueries:
    """Lineage by ``get_lineage_subgraph`` from artifacts chosen by a filter query."""

    def __init__(self, peer: MlmdPeer) -> None:
        self.peer = peer

    def _subgraph(self, filter_query: str, direction: Any) -> Any:
        pb = self.peer.pb
        options = pb.LineageSubgraphQueryOptions(max_num_hops=MAX_HOPS, direction=direction)
        options.starting_artifacts.filter_query = filter_query
        return self.peer.store.get_lineage_subgraph(options, ["artifacts"]).artifacts

    def downstream(self, dataset: str) -> tuple[set[str], set[str]]:
        found = self._subgraph(
            f"contexts_a.type = 'Dataset' AND contexts_a.name = '{dataset}'",
            self.peer.pb.LineageSubgraphQueryOptions.DOWNSTREAM,
        )
        return self.peer.names(found, "Model"), self.peer.names(found, "Deployment")

    def upstream(self, deployment: str) -> set[str]:
        found = self._subgraph(
            f"type = 'Deployment' AND name = '{deployment}'",
            self.peer.pb.LineageSubgraphQueryOptions.UPSTREAM,
        )
        return self.peer.names(found, "DatasetVersion")

    def filter(self) -> set[str]:
        return self.peer.filter()


class MlmdEventWalkQueries:
    """Lineage walked level by level: events of the frontier's artifacts, then the events
    of the executions they lead to (two calls per level)."""

    def __init__(self, peer: MlmdPeer) -> None:
        self.peer = peer

    def _walk(self, start_ids: list[int], downstream: bool) -> Any:
        pb, store = self.peer.pb, self.peer.store
        towards_execution = pb.Event.INPUT if downstream else pb.Event.OUTPUT
        towards_artifact = pb.Event.OUTPUT if downstream else pb.Event.INPUT
        seen, frontier = set(start_ids), list(start_ids)
        while frontier:
            executions = {
                e.execution_id
                for e in store.get_events_by_artifact_ids(frontier)
                if e.type == towards_execution
            }
            if not executions:
                break
            reached = {
                e.artifact_id
                for e in store.get_events_by_execution_ids(list(executions))
                if e.type == towards_artifact
            } - seen
            seen |= reached
            frontier = list(reached)
        return store.get_artifacts_by_id(list(seen))

    def downstream(self, dataset: str) -> tuple[set[str], set[str]]:
        store = self.peer.store
        context = store.get_context_by_type_and_name("Dataset", dataset)
        start = [a.id for a in store.get_artifacts_by_context(context.id)]
        found = self._walk(start, downstream=True)
        return self.peer.names(found, "Model"), self.peer.names(found, "Deployment")

    def upstream(self, deployment: str) -> set[str]:
        artifact = self.peer.store.get_artifact_by_type_and_name("Deployment", deployment)
        return self.peer.names(self._walk([artifact.id], downstream=False), "DatasetVersion")

    def filter(self) -> set[str]:
        return self.peer.filter()


# ------------------------------------------------------------------ arangoml-meta


PipelineStep = Callable[[Any, dict[str, str]], None]  # (store, workload name -> stored _id)


def pipeline_steps(workload: Workload) -> list[tuple[str, list[PipelineStep]]]:
    """The workload as a pipeline writes it through the public API, one function per step
    (each one ``store.transaction()``), grouped by kind in the order they run: datasets
    (a dataset's versions in one step), featurize, train, deploy."""

    def dataset(versions: list[DatasetVersion]) -> PipelineStep:
        def step(store: Any, ids: dict[str, str]) -> None:
            with store.transaction():
                for v in versions:
                    doc = store.register(
                        "datasets", v.dataset, location=v.uri, rows=v.rows,
                        checksum=f"sha1:{v.digest}",
                    )  # fmt: skip
                    if doc["version"] != v.version:
                        raise RuntimeError(
                            f"ingest: the store made {doc['_id']} version {doc['version']}"
                            f" of {v.dataset}, the workload's {v.name} is version {v.version}"
                        )
                    ids[v.name] = doc["_id"]

        return step

    def featurize(fs: Featureset) -> PipelineStep:
        def step(store: Any, ids: dict[str, str]) -> None:
            sources = [ids[source] for _, source in fs.inputs]
            with (
                store.transaction(),
                store.run(fs.job, step="featurize", inputs={"source": sources}) as run,
            ):
                out = run.register_output(
                    "featuresets",
                    fs.name,
                    n_features=fs.n_features,
                    checksum=f"sha1:{fs.digest}",
                    location=f"s3://synthetic/fs/{fs.name}",
                )
            ids[fs.name] = out["_id"]

        return step

    def train(r: TrainingRun) -> PipelineStep:
        def step(store: Any, ids: dict[str, str]) -> None:
            with (
                store.transaction(),
                store.run(
                    r.name, step="train", inputs={"train": ids[r.featureset]}, params=r.params
                ) as run,
            ):
                run.log_metrics(r.metrics)
                model = run.register_output(
                    "models", r.model, location=f"s3://synthetic/models/{r.model}"
                )
            ids[r.model] = model["_id"]

        return step

    def deploy(d: Deployment) -> PipelineStep:
        def step(store: Any, ids: dict[str, str]) -> None:
            with (
                store.transaction(),
                store.run(d.job, step="deploy", inputs={"model": ids[d.model]}) as run,
            ):
                run.register_output("deployments", d.name, environment=d.env, service=d.service)

        return step

    return [
        ("datasets", [dataset(versions) for versions in workload.versions_of().values()]),
        ("featurize", [featurize(fs) for fs in workload.featuresets]),
        ("train", [train(r) for r in workload.runs]),
        ("deploy", [deploy(d) for d in workload.deployments]),
    ]


class ProjectPeer:
    """arangoml-meta through its public Python API on the embedded store, written as the
    README's tour writes a pipeline: one ``with store.transaction():`` per step; featurize,
    train and deploy are runs (``with store.run(job, step=..., inputs={role: ids},
    params=...) as run:``, ``run.log_metrics``, ``run.register_output``). A dataset's two
    versions are two ``register()`` calls of one name (the store's versioning takes the
    place of the has_version link). Opening the store (collections, indexes, graph, type
    registry) is not part of the ingest time."""

    audit: bool | None = None  # the store's audit log: as a new store has it (on)

    def __init__(self, workdir: str) -> None:
        from arangoml_meta import open_store

        began = time.perf_counter()
        self.store = open_store(os.path.join(workdir, "store"), audit=self.audit)
        self.init_seconds = time.perf_counter() - began
        self.db_file = self.store.info()["location"]

    @staticmethod
    def version() -> str:
        import arangoml_meta

        package = Path(arangoml_meta.__file__).resolve().parent
        git = ["git", "--no-optional-locks", "-C", str(package)]
        try:
            commit = subprocess.run(
                [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
            changed = subprocess.run(
                [*git, "status", "--porcelain", "--untracked-files=no", "--", "."],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit, changed = "", ""
        at = f" @{commit}{' + uncommitted changes' if changed else ''}" if commit else ""
        return (
            f"arangoml-meta {arangoml_meta.__version__}{at} (embedded, sqlite "
            f"{sqlite3.sqlite_version}, python {platform.python_version()})"
        )

    def ingest(self, workload: Workload, steps: StepTimer) -> None:
        ids: dict[str, str] = {}  # workload name (ds-00042@v2, fs-, model-) -> stored _id
        for kind, kind_steps in pipeline_steps(workload):
            with steps.step(kind):
                for step in kind_steps:
                    step(self.store, ids)

    def query_modes(self) -> list[tuple[str, Queries]]:
        return [
            (PROJECT_ROW, ProjectLineageApi(self.store)),
            ("arangoml_meta (ad-hoc AQL)", ProjectAdHocAql(self.store)),
        ]

    def size_bytes(self) -> int:
        # the store checkpoints every 10,000 pages on its own; checkpointing the rest here
        # (untimed) keeps the figure from depending on where the WAL is in that cycle
        conn = sqlite3.connect(self.db_file)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            conn.close()
        return _files_bytes(self.db_file)

    def close(self) -> None:
        self.store.close()


class ProjectNoAuditPeer(ProjectPeer):
    """The same pipeline into a store made without the audit log (``open_store(...,
    audit=False)``): what the log costs, measured in the same run; its lineage is the
    same store's, so it is not queried again."""

    audit = False

    def query_modes(self) -> list[tuple[str, Queries]]:
        return [(NO_AUDIT_ROW, ProjectLineageApi(self.store))]

    def extra(self, workload: Workload, workdir: str) -> dict[str, Any]:
        return {"audit_ab": audit_cost_in_process(workload, workdir)}


AB_BLOCK = 100  # pipeline steps a store takes in a row in the audit log's A/B


def audit_cost_in_process(workload: Workload, workdir: str) -> dict[str, Any]:
    """What the audit log costs, as the project's benchmarks measure speed: against its
    baseline in the same process. The whole pipeline is written twice, into a store with
    the log and one without, the two taking :data:`AB_BLOCK` steps in turn (ABBA order);
    the CPU time of each block. Two processes run one after the other (the table's rows)
    are each at the mercy of what else the machine does meanwhile; blocks next to each
    other share it."""
    from arangoml_meta import open_store

    stores = {audit: open_store(os.path.join(workdir, f"ab-{audit}"), audit=audit)
              for audit in (True, False)}  # fmt: skip
    ids: dict[bool, dict[str, str]] = {True: {}, False: {}}
    spent: dict[bool, list[float]] = {True: [], False: []}
    flat = [step for _, kind_steps in pipeline_steps(workload) for step in kind_steps]
    try:
        for n, first in enumerate(range(0, len(flat), AB_BLOCK)):
            for audit in (True, False) if n % 2 == 0 else (False, True):
                began = time.process_time()
                for step in flat[first : first + AB_BLOCK]:
                    step(stores[audit], ids[audit])
                spent[audit].append(time.process_time() - began)
    finally:
        for store in stores.values():
            store.close()
    ratios = [on / off for on, off in zip(spent[True], spent[False], strict=True) if off > 0]
    return {
        "blocks": len(ratios),
        "on_cpu_s": sum(spent[True]),
        "off_cpu_s": sum(spent[False]),
        "median_block_ratio": statistics.median(ratios) if ratios else math.nan,
    }


class ProjectImportPeer(ProjectPeer):
    """The same store written by ``store.import_records()``, the bulk path for history from
    another system: the whole workload as one stream of records (artifacts, runs, links by
    alias), 5,000 records a transaction; queried through the lineage API."""

    def ingest(self, workload: Workload, steps: StepTimer) -> None:
        with steps.step("import"):
            self.store.import_records(self._records(workload))

    @staticmethod
    def _records(workload: Workload) -> Iterator[dict[str, Any]]:
        for dataset, versions in workload.versions_of().items():
            for v in versions:
                yield {"type": "datasets", "name": dataset, "location": v.uri, "rows": v.rows,
                       "checksum": f"sha1:{v.digest}", "as": v.name}  # fmt: skip
        for fs in workload.featuresets:
            yield {"type": "runs", "name": fs.job, "step": "featurize", "as": fs.job}
            for _, source in fs.inputs:
                yield {"link": "inputs", "from": f"@{source}", "to": f"@{fs.job}", "role": "source"}
            yield {"type": "featuresets", "name": fs.name, "n_features": fs.n_features,
                   "checksum": f"sha1:{fs.digest}", "location": f"s3://synthetic/fs/{fs.name}",
                   "as": fs.name}  # fmt: skip
            yield {"link": "outputs", "from": f"@{fs.job}", "to": f"@{fs.name}", "role": "output"}
        for r in workload.runs:
            yield {"type": "runs", "name": r.name, "step": "train", "params": r.params,
                   "metrics": r.metrics, "as": r.name}  # fmt: skip
            yield {
                "link": "inputs",
                "from": f"@{r.featureset}",
                "to": f"@{r.name}",
                "role": "train",
            }
            yield {"type": "models", "name": r.model, "location": f"s3://synthetic/models/{r.model}",
                   "as": r.model}  # fmt: skip
            yield {"link": "outputs", "from": f"@{r.name}", "to": f"@{r.model}", "role": "output"}
        for d in workload.deployments:
            yield {"type": "runs", "name": d.job, "step": "deploy", "as": d.job}
            yield {"link": "inputs", "from": f"@{d.model}", "to": f"@{d.job}", "role": "model"}
            yield {"type": "deployments", "name": d.name, "environment": d.env,
                   "service": d.service, "as": d.name}  # fmt: skip
            yield {"link": "outputs", "from": f"@{d.job}", "to": f"@{d.name}", "role": "output"}

    def query_modes(self) -> list[tuple[str, Queries]]:
        return [(IMPORT_ROW, ProjectLineageApi(self.store))]


class ProjectLineageApi:
    """The lineage and find API as a pipeline author calls it (the README's tour).

    These three methods are the only calls of that API in this benchmark: when the API
    changes, they are what changes. ``datasets/NAME`` starts from every version of the
    dataset in one walk; walks are complete by default, and the answer would say so
    (``truncated``) if anything had cut them.
    """

    FIND = {"step": "train", "metrics.accuracy": {">": ACCURACY_ABOVE}, "params.lr": LEARNING_RATE}

    def __init__(self, store: Any) -> None:
        self.store = store

    def downstream(self, dataset: str) -> tuple[set[str], set[str]]:
        found = self.store.downstream(f"datasets/{dataset}", types=["models", "deployments"])
        assert not found.truncated
        models = {row["name"] for row in found if row["_type"] == "models"}
        return models, {row["name"] for row in found if row["_type"] == "deployments"}

    def upstream(self, deployment: str) -> set[str]:
        found = self.store.upstream(f"deployments/{deployment}", types=["datasets"])
        assert not found.truncated
        return {f"{row['name']}@v{row['version']}" for row in found}

    def filter(self) -> set[str]:
        return {run["name"] for run in self.store.find("runs", self.FIND)}


class ProjectAdHocAql:
    """The same three questions as one AQL query each, through ``store.query()``."""

    DOWNSTREAM = """
        FOR d IN datasets FILTER d.name == @name
          FOR v IN 1..@depth OUTBOUND d._id GRAPH 'lineage'
            OPTIONS { uniqueVertices: 'global', order: 'bfs' }
            FILTER IS_SAME_COLLECTION('models', v) OR IS_SAME_COLLECTION('deployments', v)
            RETURN DISTINCT [PARSE_IDENTIFIER(v._id).collection, v.name]"""
    UPSTREAM = """
        FOR d IN deployments FILTER d.name == @name
          FOR v IN 1..@depth INBOUND d._id GRAPH 'lineage'
            OPTIONS { uniqueVertices: 'global', order: 'bfs' }
            FILTER IS_SAME_COLLECTION('datasets', v)
            RETURN DISTINCT CONCAT(v.name, '@v', v.version)"""
    FILTER = """
        FOR r IN runs
          FILTER r.step == 'train' AND r.metrics.accuracy > @accuracy AND r.params.lr == @lr
          RETURN r.name"""

    def __init__(self, store: Any) -> None:
        self.store = store

    def downstream(self, dataset: str) -> tuple[set[str], set[str]]:
        found = self.store.query(self.DOWNSTREAM, {"name": dataset, "depth": MAX_HOPS})
        models = {name for collection, name in found if collection == "models"}
        return models, {name for collection, name in found if collection == "deployments"}

    def upstream(self, deployment: str) -> set[str]:
        return set(self.store.query(self.UPSTREAM, {"name": deployment, "depth": MAX_HOPS}))

    def filter(self) -> set[str]:
        bind = {"accuracy": ACCURACY_ABOVE, "lr": LEARNING_RATE}
        return set(self.store.query(self.FILTER, bind))


def open_peer(name: str, workdir: str) -> Peer:
    if name in ("sqlite-wal", "sqlite-bulk"):
        return SqlitePeer(workdir, name.split("-", 1)[1])
    if name == "mlmd":
        return MlmdPeer(workdir)
    if name == "arangoml_meta":
        return ProjectPeer(workdir)
    if name == "arangoml_meta-import":
        return ProjectImportPeer(workdir)
    if name == "arangoml_meta-no-audit":
        return ProjectNoAuditPeer(workdir)
    raise ValueError(f"unknown peer {name!r}: choose from {', '.join(PEERS)}")


def peer_version(name: str) -> str:
    kind: Any = {
        "mlmd": MlmdPeer,
        "arangoml_meta": ProjectPeer,
        "arangoml_meta-import": ProjectImportPeer,
        "arangoml_meta-no-audit": ProjectNoAuditPeer,
    }.get(name, SqlitePeer)
    return str(kind.version())


# --------------------------------------------------------------------------- measuring


def nearest_rank(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def _describe(kind: str, start: str, got: set[str], want: set[str]) -> str:
    missing, extra = sorted(want - got), sorted(got - want)
    return (
        f"{kind} {start}: {len(got)} found, {len(want)} expected; "
        f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
        f"unexpected {extra[:5]}{'...' if len(extra) > 5 else ''}"
    )


def time_lineage(
    query: Callable[[str], Any],
    starts: Sequence[str],
    reps: int,
    check: Callable[[str, Any], list[str]],
    mismatches: list[str],
) -> dict[str, float]:
    """Each start queried ``reps`` times; p50 and p95 over the starts' median times."""
    medians = []
    for start in starts:
        samples = []
        for _ in range(reps):
            began = time.perf_counter()
            answer = query(start)
            samples.append(time.perf_counter() - began)
            for problem in check(start, answer):
                if problem not in mismatches:
                    mismatches.append(problem)
        medians.append(statistics.median(samples))
    return {
        "p50_ms": statistics.median(medians) * 1e3,
        "p95_ms": nearest_rank(medians, 95) * 1e3,
    }


def measure_queries(
    queries: Queries, workload: Workload, truth: GroundTruth, reps: int
) -> dict[str, Any]:
    mismatches: list[str] = []

    def check_downstream(dataset: str, answer: tuple[set[str], set[str]]) -> list[str]:
        models, deployments = answer
        want_models, want_deployments = truth.downstream[dataset]
        problems = []
        if set(models) != want_models:
            problems.append(_describe("downstream models of", dataset, set(models), want_models))
        if set(deployments) != want_deployments:
            problems.append(
                _describe("downstream deployments of", dataset, set(deployments), want_deployments)
            )
        return problems

    def check_upstream(deployment: str, answer: set[str]) -> list[str]:
        want = truth.upstream[deployment]
        return (
            [] if set(answer) == want else [_describe("upstream of", deployment, set(answer), want)]
        )

    # one untimed call of each first: imports, caches and prepared statements warm up
    queries.downstream(workload.dataset_starts[0])
    queries.upstream(workload.deployment_starts[0])
    queries.filter()
    result: dict[str, Any] = {
        "down": time_lineage(
            queries.downstream, workload.dataset_starts, reps, check_downstream, mismatches
        ),
        "up": time_lineage(
            queries.upstream, workload.deployment_starts, reps, check_upstream, mismatches
        ),
    }
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        answer = queries.filter()
        samples.append(time.perf_counter() - began)
        if set(answer) != truth.filter:
            problem = _describe("filter", "runs", set(answer), truth.filter)
            if problem not in mismatches:
                mismatches.append(problem)
    result["filter"] = {"p50_ms": statistics.median(samples) * 1e3, "matches": len(truth.filter)}
    result["mismatches"] = mismatches
    return result


def run_worker(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Ingest the workload into one peer and time its queries: one row per query mode."""
    workload = build_workload(args.scale[0], args.seed, args.queries)
    truth = ground_truth(workload)
    os.makedirs(args.workdir, exist_ok=True)
    peer = open_peer(name, args.workdir)
    steps = StepTimer()
    began = time.perf_counter()
    peer.ingest(workload, steps)
    ingest_s = time.perf_counter() - began
    common = {
        "peer": name,
        "version": peer_version(name),
        "ingest_s": ingest_s,
        "init_s": getattr(peer, "init_seconds", None),
        "steps_s": steps.seconds,
        "size_bytes": peer.size_bytes(),
    }
    extra = getattr(peer, "extra", None)
    if extra is not None:
        common.update(extra(workload, args.workdir))
    rows = []
    for label, queries in peer.query_modes():
        try:
            rows.append(
                {"label": label, **common, **measure_queries(queries, workload, truth, args.reps)}
            )
        except Exception as exc:  # one failing query mode must not hide the others
            traceback.print_exc()
            rows.append({"label": label, **common, "error": f"{type(exc).__name__}: {exc}"})
    peer.close()
    return rows


# --------------------------------------------------------------------------- the driver


@dataclass
class PeerRow:
    """One table row: a peer in one query mode, medians over the rounds."""

    label: str
    peer: str
    version: str
    ingest_s: float
    size_bytes: float
    down_p50: float
    down_p95: float
    up_p50: float
    up_p95: float
    filter_ms: float
    filter_matches: int
    mismatches: list[str] = field(default_factory=list)
    error: str = ""
    # the no-audit row: the audit log's cost measured in its worker (audit_cost_in_process),
    # the median over rounds of each round's median block ratio (with / without)
    audit_ab_ratio: float = math.nan
    audit_ab_blocks: int = 0

    @classmethod
    def from_rounds(cls, rounds: list[dict[str, Any]]) -> PeerRow:
        first = rounds[0]
        errors = [r["error"] for r in rounds if "error" in r]
        if errors:
            nan = math.nan
            return cls(
                first["label"],
                first.get("peer", first["label"]),
                "",
                nan,
                nan,
                nan,
                nan,
                nan,
                nan,
                nan,
                0,
                [],
                errors[0],
            )
        med = statistics.median
        mismatches = [
            f"round {n}: {problem}" if len(rounds) > 1 else problem
            for n, r in enumerate(rounds, 1)
            for problem in r["mismatches"]
        ]
        return cls(
            first["label"],
            first["peer"],
            first["version"],
            med(r["ingest_s"] for r in rounds),
            med(r["size_bytes"] for r in rounds),
            med(r["down"]["p50_ms"] for r in rounds),
            med(r["down"]["p95_ms"] for r in rounds),
            med(r["up"]["p50_ms"] for r in rounds),
            med(r["up"]["p95_ms"] for r in rounds),
            med(r["filter"]["p50_ms"] for r in rounds),
            first["filter"]["matches"],
            mismatches,
            audit_ab_ratio=med(r["audit_ab"]["median_block_ratio"] for r in rounds)
            if all("audit_ab" in r for r in rounds)
            else math.nan,
            audit_ab_blocks=sum(r.get("audit_ab", {}).get("blocks", 0) for r in rounds),
        )


@dataclass
class Check:
    """One target for the project's API row against one peer row."""

    metric: str
    ours: float
    peer: str
    theirs: float
    unit: str  # "rate" (higher is better), "ms", "bytes" (lower is better)
    target: float
    faster: bool = False  # the target is a speed-up over the peer, not a ratio to it

    @property
    def ratio(self) -> float:
        """ours / theirs; for a speed-up target, theirs / ours (how many times faster)."""
        if self.faster:
            return self.theirs / self.ours if self.ours else math.inf
        return self.ours / self.theirs if self.theirs else math.inf

    @property
    def passed(self) -> bool:
        if self.faster:
            # "faster than" (target 1) must be strictly faster
            return self.ratio > 1.0 if self.target == 1.0 else self.ratio >= self.target
        return self.ratio >= self.target if self.unit == "rate" else self.ratio <= self.target

    @property
    def target_text(self) -> str:
        if self.faster:
            return "faster" if self.target == 1.0 else f">= {self.target:g}x faster"
        return f"{'>=' if self.unit == 'rate' else '<='} {self.target:g}x"

    @property
    def ratio_text(self) -> str:
        if not self.faster:
            return f"{self.ratio:.2f}x"
        if self.ratio >= 1:
            return f"{self.ratio:.2f}x faster"
        return f"{1 / self.ratio:.2f}x slower"

    def cell(self, value: float) -> str:
        if self.unit == "rate":
            return f"{value:,.0f}/s"
        if self.unit == "bytes":
            return f"{value / 2**20:.2f} MB"
        return f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms"


def project_checks(rows: dict[str, PeerRow], items: int) -> list[Check]:
    """The targets of the project's API row, for the peers this run measured."""
    ours = rows.get(PROJECT_ROW)
    if ours is None or ours.error:
        return []
    checks = []
    cte = rows.get(CTE_ROW)
    if cte is not None and not cte.error:
        checks += [
            Check(
                "ingest",
                items / ours.ingest_s,
                CTE_ROW,
                items / cte.ingest_s,
                "rate",
                INGEST_VS_SQLITE,
            ),
            Check("downstream p50", ours.down_p50, CTE_ROW, cte.down_p50, "ms", DOWNSTREAM_VS_CTE),
            Check("upstream p50", ours.up_p50, CTE_ROW, cte.up_p50, "ms", UPSTREAM_VS_CTE),
            Check("filter", ours.filter_ms, CTE_ROW, cte.filter_ms, "ms", FILTER_VS_SQL),
            Check("store size", ours.size_bytes, CTE_ROW, cte.size_bytes, "bytes", SIZE_VS_SQLITE),
        ]
    mlmd = [rows[label] for label in MLMD_ROWS if label in rows and not rows[label].error]
    if mlmd:
        checks.append(
            Check(
                "ingest",
                items / ours.ingest_s,
                "mlmd",
                items / mlmd[0].ingest_s,
                "rate",
                INGEST_VS_MLMD,
            )
        )
        for metric, attribute, target in (
            ("downstream p50", "down_p50", LINEAGE_VS_MLMD),
            ("upstream p50", "up_p50", LINEAGE_VS_MLMD),
            ("filter", "filter_ms", 1.0),
        ):
            fastest = min(mlmd, key=lambda row: float(getattr(row, attribute)))
            # the filter is one query whatever the lineage mode: its rows differ by noise only
            label = "mlmd" if metric == "filter" else fastest.label
            checks.append(
                Check(
                    metric,
                    getattr(ours, attribute),
                    label,
                    getattr(fastest, attribute),
                    "ms",
                    target,
                    faster=True,
                )
            )
    order = ["ingest", "downstream p50", "upstream p50", "filter", "store size"]
    return sorted(checks, key=lambda c: order.index(c.metric))


def _align(rows: list[list[str]], numeric: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, cells in enumerate(rows):
        lines.append(
            "  ".join(
                c.rjust(w) if i in numeric and n else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_table(rows: list[PeerRow], items: int) -> str:
    table = [
        [
            "peer",
            "ingest s",
            "entities+links/s",
            "down p50 ms",
            "down p95 ms",
            "up p50 ms",
            "up p95 ms",
            "filter ms",
            "store MB",
            "results ok",
        ]
    ]
    for r in rows:
        if r.error:
            table.append([r.label, *["n/a"] * 8, f"FAILED: {r.error[:70]}"])
            continue
        table.append(
            [
                r.label,
                f"{r.ingest_s:.2f}",
                f"{items / r.ingest_s:,.0f}",
                f"{r.down_p50:.2f}",
                f"{r.down_p95:.2f}",
                f"{r.up_p50:.2f}",
                f"{r.up_p95:.2f}",
                f"{r.filter_ms:.2f}",
                f"{r.size_bytes / 2**20:.2f}",
                "NO" if r.mismatches else "yes",
            ]
        )
    return _align(table, set(range(1, 9)))


def format_checks(checks: list[Check]) -> str:
    table = [["target", "arangoml_meta", "peer", "peer value", "ratio", "target", "result"]]
    for c in checks:
        table.append(
            [
                c.metric,
                c.cell(c.ours),
                c.peer,
                c.cell(c.theirs),
                c.ratio_text,
                c.target_text,
                "PASS" if c.passed else "MISS",
            ]
        )
    return _align(table, {1, 3, 4})


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def _interpreters(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for item in args.python:
        peer, sep, path = item.partition("=")
        if not sep or peer not in PEERS:
            parser.error(f"--python {item!r}: use PEER=INTERPRETER with a peer from {PEERS}")
        chosen[peer] = path
    for peer in args.peers:
        if peer not in chosen:
            default = DEFAULT_INTERPRETERS.get(peer)
            chosen[peer] = (
                str(default) if default is not None and default.exists() else sys.executable
            )
    return chosen


def probe_versions(peers: Sequence[str], pythons: dict[str, str]) -> dict[str, str]:
    """Each peer's library version under its interpreter, before any minutes are spent."""
    versions = {}
    for peer in peers:
        cmd = [pythons[peer], __file__, "--probe", peer]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except OSError as exc:
            raise SystemExit(f"{peer}: cannot run {pythons[peer]}: {exc}") from exc
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            hint = (
                " (`make bench-peers` creates .venv-mlmd; or pass --python mlmd=VENV/bin/python)"
                if peer == "mlmd"
                else ""
            )
            raise SystemExit(
                f"{peer}: {pythons[peer]} cannot import {PEER_MODULES.get(peer, 'sqlite3')}: "
                f"{last}{hint}"
            )
        versions[peer] = proc.stdout.strip()
    return versions


def run_scale(
    scale: float, args: argparse.Namespace, pythons: dict[str, str], workdir: Path
) -> dict[str, Any]:
    """Every peer once per round, each a fresh subprocess on fresh files; medians."""
    workload = build_workload(scale, args.seed, args.queries)
    counts = workload.counts()
    items = counts["entities"] + counts["links"]
    env = dict(os.environ, GLOG_minloglevel="2", TF_CPP_MIN_LOG_LEVEL="2")
    rounds: dict[str, list[dict[str, Any]]] = {}  # row label -> one result per round
    order: list[str] = []
    crashed: set[str] = set()
    for n in range(1, args.repeat + 1):
        for peer in args.peers:
            if peer in crashed:
                continue
            peer_dir = workdir / f"scale-{scale:g}" / f"round-{n}" / peer
            cmd = [pythons[peer], __file__, "--worker", peer, "--scale", f"{scale:g}"]
            cmd += ["--seed", str(args.seed), "--reps", str(args.reps)]
            cmd += ["--queries", str(args.queries), "--workdir", str(peer_dir)]
            began = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            wall = time.perf_counter() - began
            if not args.keep:
                shutil.rmtree(peer_dir, ignore_errors=True)
            results = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode != 0 or not results:
                crashed.add(peer)
                error = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                rows = [{"label": peer, "error": error}]
            else:
                rows = json.loads(results[-1][len("RESULT ") :])
                spent = ", ".join(f"{k} {v:.2f}s" for k, v in rows[0]["steps_s"].items())
                print(
                    f"[scale {scale:g}, round {n}/{args.repeat}] {peer}: ingest "
                    f"{rows[0]['ingest_s']:.2f}s ({spent}); worker {wall:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
            if any("error" in row for row in rows):
                print(
                    f"*** {peer} FAILED at scale {scale:g} (exit {proc.returncode}):\n"
                    f"{proc.stderr.strip()[-3000:]}",
                    file=sys.stderr,
                    flush=True,
                )
            for row in rows:
                if row["label"] not in rounds:
                    rounds[row["label"]] = []
                    order.append(row["label"])
                rounds[row["label"]].append(row)
    rows = [PeerRow.from_rounds(rounds[k]) for k in order]
    return {
        "scale": scale,
        "counts": counts,
        "items": items,
        "rows": rows,
        "checks": project_checks({r.label: r for r in rows}, items),
    }


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    c, items = result["counts"], result["items"]
    rows: list[PeerRow] = result["rows"]
    lines = [
        f"== scale {result['scale']:g}: {c['datasets']:,} datasets, {c['dataset_versions']:,} "
        f"versions, {c['featuresets']:,} featuresets, {c['runs']:,} runs and models, "
        f"{c['deployments']:,} deployments = {c['entities']:,} entities (with the featurize and "
        f"deploy jobs) + {c['links']:,} links",
        "",
        format_table(rows, items),
        "",
        f"filter matches {rows[0].filter_matches if rows else 0:,} runs; store MB = 2^20 bytes, "
        "database + WAL after a checkpoint; results ok = every answer equals the ground truth",
    ]
    checks: list[Check] = result["checks"]
    if checks:
        lines += [
            "",
            f"{PROJECT_ROW} against its peers (ratio = arangoml_meta / peer; "
            "'x faster' = peer / arangoml_meta):",
            "",
            format_checks(checks),
        ]
    by_label = {r.label: r for r in rows if not r.error}
    if IMPORT_ROW in by_label and BULK_ROW in by_label:
        imported, bulk = by_label[IMPORT_ROW], by_label[BULK_ROW]
        lines += [
            "",
            f"{IMPORT_ROW}: {items / imported.ingest_s:,.0f}/s, "
            f"{bulk.ingest_s / imported.ingest_s:.2f}x the rate of {BULK_ROW} (one transaction, "
            "no validation or versions); shown, no target",
        ]
    if PROJECT_ROW in by_label and NO_AUDIT_ROW in by_label:
        audited, plain = by_label[PROJECT_ROW], by_label[NO_AUDIT_ROW]
        slower = audited.ingest_s / plain.ingest_s - 1
        lines += [
            "",
            f"audit log: ingest {items / audited.ingest_s:,.0f}/s with it, "
            f"{items / plain.ingest_s:,.0f}/s without in the rows above ({slower:+.0%} time, "
            "two processes one after the other); store "
            f"{audited.size_bytes / 2**20:.1f} MB with it, {plain.size_bytes / 2**20:.1f} MB without",
        ]
        if not math.isnan(plain.audit_ab_ratio):
            ab = plain.audit_ab_ratio - 1
            lines.append(
                f"audit log in one process, stores with and without it taking {AB_BLOCK} steps "
                f"in turn ({plain.audit_ab_blocks} blocks each): {ab:+.0%} CPU time, median "
                f"block (target at most +{AUDIT_COST:.0%}: {'ok' if ab <= AUDIT_COST else 'MISSED'})"
            )
    for row in rows:
        for problem in row.mismatches:
            lines.append(f"*** RESULT MISMATCH {row.label}: {problem}")
    lines.append(f"\nload average (1/5/15 min) after scale {result['scale']:g}: {_load()}")
    return "\n".join(lines)


def _as_json(result: dict[str, Any]) -> dict[str, Any]:
    def row(r: PeerRow) -> dict[str, Any]:  # a failed peer's NaN cells as null: strict JSON
        return {
            k: None if isinstance(v, float) and math.isnan(v) else v for k, v in vars(r).items()
        }

    return {
        **{k: result[k] for k in ("scale", "counts", "items")},
        "rows": [row(r) for r in result["rows"]],
        "checks": [
            {**vars(c), "ratio": c.ratio, "passed": c.passed, "target_text": c.target_text}
            for c in result["checks"]
        ],
    }


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scale",
        type=float,
        nargs="+",
        default=[1.0],
        help="N: 100N datasets, 300N featuresets, 3000N runs and models, 300N "
        "deployments; several scales run one after the other (default 1)",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"comma-separated, from {','.join(PEERS)} (default: all)",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PEER=INTERPRETER",
        help="interpreter for a peer (defaults: mlmd .venv-mlmd/bin/python, "
        "arangoml_meta .venv/bin/python, the others this one)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds per scale, fresh stores each; every cell is the median",
    )
    parser.add_argument("--reps", type=int, default=5, help="timed calls per query start")
    parser.add_argument("--queries", type=int, default=20, help="query starts per direction")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json-out", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the stores (path on stderr)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in args.peers if p not in PEERS]
    if unknown:
        parser.error(f"unknown peer(s) {unknown}: choose from {','.join(PEERS)}")
    return args, parser


def main(argv: Sequence[str] | None = None) -> int:
    args, parser = parse_args(argv)
    if args.probe:
        print(peer_version(args.probe))
        return 0
    if args.worker:
        print("RESULT " + json.dumps(run_worker(args.worker, args)))
        return 0

    pythons = _interpreters(args, parser)
    versions = probe_versions(args.peers, pythons)
    print(
        f"arangoml-meta peer benchmark — seed {args.seed}, scales "
        f"{', '.join(f'{s:g}' for s in args.scale)}, {args.repeat} round(s), "
        f"{args.queries} starts x {args.reps} reps"
    )
    print(
        f"host: {platform.node()}, {platform.platform()}, {os.cpu_count()} CPUs, "
        f"driver python {platform.python_version()}"
    )
    print(f"load average (1/5/15 min) before: {_load()}")
    for peer in args.peers:
        print(f"{peer}: {versions[peer]}  [{pythons[peer]}]")
    print(flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="bench-peers-"))
    results = []
    try:
        for scale in args.scale:
            result = run_scale(scale, args, pythons, workdir)
            results.append(result)
            print(report(result, args) + "\n", flush=True)
    finally:
        if args.keep:
            print(f"stores kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(
                {
                    "args": {
                        k: v
                        for k, v in vars(args).items()
                        if k not in ("worker", "probe", "workdir")
                    },
                    "host": platform.platform(),
                    "cpus": os.cpu_count(),
                    "versions": versions,
                    "scales": [_as_json(r) for r in results],
                },
                out,
                indent=1,
            )
    rows = [row for r in results for row in r["rows"]]
    if any(row.mismatches for row in rows):
        print(
            "*** RESULT MISMATCH: some answers differ from the ground truth (see above)",
            file=sys.stderr,
        )
        return 2
    if any(row.error for row in rows):
        return 1
    if args.strict and any(not c.passed for r in results for c in r["checks"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
