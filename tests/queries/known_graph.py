"""A known provenance graph, recorded through the public API, for the stored-query tests.

Two projects. *churn*: customer data with personal data (two versions, an
anonymised copy, support tickets whose e-mail column is personal), a
featurize run, three training runs (one failed, one costed in EUR), two
models, two deployments of ``churn-api`` and two serving windows, the latest
drifting on ``monthly_charges``. *iris*: a public dataset, one training run,
a model, a deployment and a serving window drifting on ``sepal_length``.

Time is set by a :class:`Clock` that the fixtures install in place of the
store's clock, run keys are the run names, and each run's resources are fixed
(:class:`FixedMeter`), so every query has one exact answer on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from arangoml_meta.environment import ResourceMeter
from arangoml_meta.store import MetadataStore

GIB = 1024**3
MIB = 1024**2

COMMIT_FEATURIZE = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
COMMIT_TRAIN = "9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5"


@dataclass
class Clock:
    """The store's clock in the tests: the moment ``now`` until it is moved."""

    now: str = "2025-01-01T00:00:00.000Z"

    def __call__(self) -> str:
        return self.now


class FixedMeter(ResourceMeter):
    """A resource meter that reports given measurements (GPU time and cost as set)."""

    def __init__(self, cpu_seconds: float, wall_seconds: float, peak_memory_bytes: int) -> None:
        super().__init__()
        self.fixed = {
            "wall_seconds": wall_seconds,
            "cpu_seconds": cpu_seconds,
            "peak_memory_bytes": peak_memory_bytes,
        }

    def _measure(self) -> dict[str, Any]:
        return dict(self.fixed)


def environment(user: str, commit: str, *, dirty: bool = False) -> dict[str, Any]:
    return {
        "python": {
            "version": "3.12.4",
            "implementation": "CPython",
            "executable": "/usr/bin/python3",
        },
        "platform": {"system": "Linux", "release": "6.8.0", "machine": "x86_64"},
        "packages": {"pandas": "2.2.2", "scikit-learn": "1.5.0", "xgboost": "2.1.0"},
        "git": {
            "commit": commit,
            "branch": "main",
            "dirty": dirty,
            "remote": "https://git.example.com/ml/churn.git",
        },
        "host": "trainer-1",
        "user": user,
        "pid": 4242,
    }


def checksum(digit: str) -> str:
    return "sha256:" + digit * 64


CUSTOMER_COLUMNS = [
    {"name": "customer_id", "dtype": "string", "personal_data": True},
    {"name": "email", "dtype": "string", "personal_data": True},
    {"name": "tenure", "dtype": "int64"},
    {"name": "monthly_charges", "dtype": "float64"},
]


@dataclass
class KnownGraph:
    """The store with the graph recorded, and the documents as registered (by id)."""

    store: MetadataStore
    clock: Clock
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def at(self, moment: str, actor: str) -> None:
        self.clock.now = moment
        self.store.actor = actor

    def register(self, type_name: str, name: str, **fields: Any) -> dict[str, Any]:
        doc = self.store.register(type_name, name, **fields)
        self.docs[doc["_id"]] = doc
        return doc

    def link(self, source: str, target: str, relation: str) -> None:
        self.store.link(source, target, relation)

    def run(
        self,
        name: str,
        *,
        started: str,
        ended: str,
        actor: str,
        meter: FixedMeter,
        outputs: Sequence[tuple[str, str, str, dict[str, Any]]] = (),
        metrics: dict[str, float] | None = None,
        gpu_seconds: float | None = None,
        cost: tuple[float, str] | None = None,
        failure: str | None = None,
        **fields: Any,
    ) -> None:
        """A run from ``started`` to ``ended``; outputs are (type, name, role, fields)."""
        self.at(started, actor)
        run = self.store.run(name, **fields)
        run.meter = meter
        if metrics:
            run.log_metrics(metrics)
        for type_name, output_name, role, output_fields in outputs:
            artifact = run.register_output(type_name, output_name, role=role, **output_fields)
            self.docs[artifact["_id"]] = artifact
        if gpu_seconds is not None:
            run.add_gpu_seconds(gpu_seconds)
        if cost is not None:
            run.set_cost(*cost)
        self.clock.now = ended
        if failure is None:
            self.docs[run.id] = run.close()
        else:
            self.docs[run.id] = run.close("failed", RuntimeError(failure))


def build(store: MetadataStore, clock: Clock) -> KnownGraph:
    g = KnownGraph(store, clock)

    g.at("2025-01-02T08:00:00.000Z", "alice")
    g.register("projects", "churn", owner="alice", team="retention", cost_centre="CC-100")
    g.register("projects", "iris", owner="bob", team="research", cost_centre="CC-200")

    g.at("2025-01-10T09:00:00.000Z", "alice")
    customers(g, "2025-01-10", rows=10000, digit="a", tenure_mean=32.0, charges_mean=64.0)
    g.at("2025-01-12T10:00:00.000Z", "alice")
    g.register(
        "datasets",
        "customers-anon",
        project="churn",
        description="Customers with identifiers removed",
        tags=["churn", "anonymised"],
        location="s3://lake/churn/customers-anon/2025-01-12.parquet",
        format="parquet",
        rows=10000,
        checksum=checksum("b"),
        personal_data=False,
    )
    g.at("2025-01-12T10:01:00.000Z", "alice")
    g.link("datasets/customers-v1", "datasets/customers-anon-v1", "anonymised_as")

    g.at("2025-01-15T09:00:00.000Z", "alice")
    g.register(
        "datasets",
        "iris",
        project="iris",
        description="Fisher's iris measurements",
        tags=["public"],
        location="https://archive.example.org/iris.csv",
        format="csv",
        rows=150,
        checksum=checksum("c"),
        statistics={
            "sepal_length": {"mean": 5.84, "std": 0.83},
            "petal_length": {"mean": 3.76, "std": 1.76},
        },
    )
    g.run(
        "train-iris",
        started="2025-01-16T14:00:00.000Z",
        ended="2025-01-16T14:05:00.000Z",
        actor="bob",
        project="iris",
        step="train",
        inputs={"train": "datasets/iris-v1"},
        params={"C": 1.0, "kernel": "rbf"},
        environment=environment("bob", COMMIT_TRAIN),
        meter=FixedMeter(cpu_seconds=60, wall_seconds=300, peak_memory_bytes=512 * MIB),
        metrics={"accuracy": 0.95, "auc": 0.99},
        cost=(0.05, "USD"),
        outputs=[
            model(
                "iris-clf",
                "iris",
                "sklearn",
                "SVC",
                "s3://models/iris/clf-1.joblib",
                "d",
                metrics={"accuracy": 0.95, "auc": 0.99},
            )
        ],
    )
    g.at("2025-01-17T08:00:00.000Z", "carol")
    g.register(
        "deployments",
        "iris-api",
        project="iris",
        endpoint="https://serving.example.com/iris",
        environment="production",
        status="active",
        deployed_at="2025-01-17T08:00:00.000Z",
    )
    g.at("2025-01-17T08:01:00.000Z", "carol")
    g.link("models/iris-clf-v1", "deployments/iris-api-v1", "deployed_as")

    g.at("2025-01-20T09:00:00.000Z", "alice")
    customers(g, "2025-01-20", rows=12000, digit="e", tenure_mean=33.0, charges_mean=65.0)
    g.at("2025-01-20T09:30:00.000Z", "alice")
    g.register(
        "datasets",
        "support-tickets",
        project="churn",
        description="Support tickets per customer",
        tags=["churn", "support"],
        location="s3://lake/churn/tickets/2025-01.jsonl",
        format="jsonl",
        rows=5400,
        columns=[
            {"name": "ticket_id", "dtype": "string"},
            {"name": "customer_email", "dtype": "string", "personal_data": True},
            {"name": "text", "dtype": "string"},
        ],
    )
    g.run(
        "featurize-churn",
        started="2025-01-21T10:00:00.000Z",
        ended="2025-01-21T10:30:00.000Z",
        actor="bob",
        project="churn",
        step="featurize",
        inputs={"source": ["datasets/customers-v2", "datasets/support-tickets-v1"]},
        params={"window_days": 90},
        environment=environment("bob", COMMIT_FEATURIZE, dirty=True),
        meter=FixedMeter(cpu_seconds=1700, wall_seconds=1800, peak_memory_bytes=2 * GIB),
        cost=(1.25, "USD"),
        outputs=[
            (
                "featuresets",
                "churn-features",
                "features",
                {
                    "project": "churn",
                    "location": "s3://features/churn/v1.parquet",
                    "format": "parquet",
                    "rows": 12000,
                    "checksum": checksum("f"),
                    "personal_data": False,
                },
            )
        ],
    )
    g.run(
        "train-churn-rf",
        started="2025-01-22T09:00:00.000Z",
        ended="2025-01-22T10:00:00.000Z",
        actor="bob",
        project="churn",
        step="train",
        inputs={"train": "featuresets/churn-features-v1"},
        params={"n_estimators": 200, "max_depth": 8},
        environment=environment("bob", COMMIT_TRAIN),
        meter=FixedMeter(cpu_seconds=3600, wall_seconds=3600, peak_memory_bytes=4 * GIB),
        metrics={"auc": 0.87, "accuracy": 0.81},
        cost=(2.50, "USD"),
        outputs=[
            model(
                "churn-rf",
                "churn",
                "sklearn",
                "RandomForestClassifier",
                "s3://models/churn/rf-1.joblib",
                "0",
            )
        ],
    )
    g.at("2025-01-23T12:00:00.000Z", "carol")
    g.register(
        "deployments",
        "churn-api",
        project="churn",
        endpoint="https://serving.example.com/churn",
        environment="production",
        status="retired",
        deployed_at="2025-01-23T12:00:00.000Z",
        retired_at="2025-02-04T12:00:00.000Z",
    )
    g.at("2025-01-23T12:01:00.000Z", "carol")
    g.link("models/churn-rf-v1", "deployments/churn-api-v1", "deployed_as")

    g.run(
        "train-churn-gbm",
        started="2025-02-03T09:00:00.000Z",
        ended="2025-02-03T11:00:00.000Z",
        actor="bob",
        project="churn",
        step="train",
        inputs={"train": "featuresets/churn-features-v1"},
        params={"learning_rate": 0.05, "n_estimators": 400},
        environment=environment("bob", COMMIT_TRAIN),
        meter=FixedMeter(cpu_seconds=5400, wall_seconds=7200, peak_memory_bytes=8 * GIB),
        metrics={"auc": 0.91, "accuracy": 0.84},
        gpu_seconds=3600,
        cost=(7.00, "USD"),
        outputs=[
            model(
                "churn-gbm",
                "churn",
                "xgboost",
                "XGBClassifier",
                "s3://models/churn/gbm-1.json",
                "1",
                metrics={"auc": 0.91, "accuracy": 0.84},
            )
        ],
    )
    g.at("2025-02-04T12:00:00.000Z", "carol")
    g.register(
        "deployments",
        "churn-api",
        project="churn",
        endpoint="https://serving.example.com/churn",
        environment="production",
        status="active",
        deployed_at="2025-02-04T12:00:00.000Z",
    )
    g.at("2025-02-04T12:01:00.000Z", "carol")
    g.link("models/churn-gbm-v1", "deployments/churn-api-v2", "deployed_as")

    g.run(
        "train-churn-mlp",
        started="2025-02-05T09:00:00.000Z",
        ended="2025-02-05T09:20:00.000Z",
        actor="bob",
        project="churn",
        step="train",
        inputs={"train": "featuresets/churn-features-v1"},
        params={"hidden": [64, 32]},
        environment=environment("bob", COMMIT_TRAIN),
        meter=FixedMeter(cpu_seconds=600, wall_seconds=1200, peak_memory_bytes=GIB),
        gpu_seconds=1200,
        cost=(0.80, "EUR"),
        failure="CUDA out of memory",
    )

    g.at("2025-02-10T00:00:00.000Z", "carol")
    serving_window(
        g, "iris-api-metrics", "iris", "2025-02-03", "2025-02-10",
        {"sepal_length": {"mean": 7.5}, "petal_length": {"mean": 3.8}},
    )  # fmt: skip
    serving_window(
        g, "churn-api-metrics", "churn", "2025-02-04", "2025-02-10",
        {"tenure": {"mean": 34.0}, "monthly_charges": {"mean": 68.0}},
    )  # fmt: skip
    g.at("2025-02-10T00:01:00.000Z", "carol")
    g.link("deployments/iris-api-v1", "serving_metrics/iris-api-metrics-v1", "monitors")
    g.link("deployments/churn-api-v2", "serving_metrics/churn-api-metrics-v1", "monitors")

    g.at("2025-02-17T00:00:00.000Z", "carol")
    serving_window(
        g, "churn-api-metrics", "churn", "2025-02-10", "2025-02-17",
        {"tenure": {"mean": 36.0}, "monthly_charges": {"mean": 98.0}, "region": {"top": "north"}},
    )  # fmt: skip
    g.at("2025-02-17T00:01:00.000Z", "carol")
    g.link("deployments/churn-api-v2", "serving_metrics/churn-api-metrics-v2", "monitors")
    return g


def model(
    name: str,
    project: str,
    framework: str,
    algorithm: str,
    location: str,
    digit: str,
    **fields: Any,
) -> tuple[str, str, str, dict[str, Any]]:
    """A model output of a training run."""
    described = {"project": project, "framework": framework, "algorithm": algorithm}
    return (
        "models",
        name,
        "model",
        {**described, "location": location, "checksum": checksum(digit), **fields},
    )


def customers(
    g: KnownGraph, day: str, *, rows: int, digit: str, tenure_mean: float, charges_mean: float
) -> None:
    """A version of the customer export: personal data as a whole and in two columns."""
    g.register(
        "datasets",
        "customers",
        project="churn",
        description="Customer master data export",
        tags=["churn", "raw", "gdpr"],
        location=f"s3://lake/churn/customers/{day}.parquet",
        format="parquet",
        rows=rows,
        checksum=checksum(digit),
        columns=CUSTOMER_COLUMNS,
        statistics={
            "tenure": {"mean": tenure_mean, "std": 24.0},
            "monthly_charges": {"mean": charges_mean, "std": 30.0},
        },
        personal_data=True,
        source="crm",
    )


def serving_window(
    g: KnownGraph, name: str, project: str, start: str, end: str, profile: dict[str, Any]
) -> None:
    g.register(
        "serving_metrics",
        name,
        project=project,
        window_start=f"{start}T00:00:00.000Z",
        window_end=f"{end}T00:00:00.000Z",
        traffic={"requests": 10000, "errors": 12},
        latency_ms={"p50": 12.0, "p99": 80.0},
        input_profile=profile,
    )
