"""The typed Python API: pydantic models and their agreement with ``schemas/*.json``."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from arangoml_meta.environment import ResourceMeter, capture_environment, utc_now_iso
from arangoml_meta.errors import BadParameterError, SchemaViolationError
from arangoml_meta.models import (
    MODELS,
    Dataset,
    GitInfo,
    Project,
    Resources,
    Run,
    RunEnvironment,
    model_for,
)
from arangoml_meta.types import BUILTIN_NAMES, builtin_types, validate

TYPES = {t.name: t for t in builtin_types()}
ENVELOPE = {
    "project": "iris",
    "description": "Iris flowers, cleaned",
    "tags": ["demo", "tabular"],
    "created_at": "2024-03-01T12:00:00.000Z",
    "created_by": "alice",
    "schema_version": 1,
}
# One document per type that sets every declared field, nested ones included.
SAMPLES: dict[str, dict[str, Any]] = {
    "datasets": {
        "name": "iris",
        "version": 2,
        **ENVELOPE,
        "location": "s3://ml-data/iris/v2.parquet",
        "format": "parquet",
        "rows": 147,
        "columns": [
            {
                "name": "sepal_length",
                "dtype": "float64",
                "description": "in cm",
                "personal_data": False,
            },
            {"name": "species", "dtype": "category"},
        ],
        "size_bytes": 5120,
        "checksum": "sha256:" + "9f86d081" * 8,
        "statistics": {"sepal_length": {"mean": 5.84, "missing": 0}},
        "personal_data": True,
        "data_subjects": ["customers"],
        "source": "UCI machine learning repository",
    },
    "featuresets": {
        "name": "iris-features",
        "version": 1,
        **ENVELOPE,
        "features": [
            {
                "name": "petal_ratio",
                "dtype": "float32",
                "description": "petal length / petal width",
                "source_columns": ["petal_length", "petal_width"],
            }
        ],
        "location": "file:///data/features/iris.npz",
        "format": "npz",
        "rows": 147,
        "checksum": "md5:" + "0cc175b9" * 4,
        "personal_data": True,
        "data_subjects": ["customers", "employees"],
    },
    "runs": {
        "name": "train",
        **ENVELOPE,
        "step": "train",
        "status": "completed",
        "params": {"lr": 0.01, "layers": [64, 32], "optimizer": "adam"},
        "metrics": {"accuracy": 0.95, "loss": 0.12},
        "metric_series": {
            "loss": [
                {"step": 0, "value": 0.9, "at": "2024-03-01T12:00:01.000Z"},
                {"step": 1, "value": 0.4},
            ]
        },
        "started_at": "2024-03-01T12:00:00.000Z",
        "ended_at": "2024-03-01T12:05:00.250Z",
        "error": {"type": "ValueError", "message": "diverged", "traceback": "Traceback ..."},
        "environment": {
            "id": "environments/" + "0" * 32,
            "python": {
                "version": "3.12.4",
                "implementation": "CPython",
                "executable": "/usr/bin/python3",
            },
            "platform": {
                "system": "Linux",
                "release": "6.8.0",
                "machine": "x86_64",
                "platform": "Linux-6.8.0-x86_64-with-glibc2.39",
            },
            "packages": {"scikit-learn": "1.5.0", "numpy": "2.0.1"},
            "git": {
                "commit": "a1b2c3d4e5f6",
                "branch": "main",
                "dirty": False,
                "remote": "https://github.com/example/iris.git",
            },
            "host": "gpu-07",
            "user": "alice",
            "pid": 4242,
        },
        "resources": {
            "wall_seconds": 300.25,
            "cpu_seconds": 1150.5,
            "peak_memory_bytes": 2_147_483_648,
            "gpu_seconds": 280,
            "cost": {"amount": 0.42, "currency": "EUR"},
        },
    },
    "models": {
        "name": "iris-clf",
        "version": 1,
        **ENVELOPE,
        "framework": "sklearn",
        "framework_version": "1.5.0",
        "algorithm": "RandomForestClassifier",
        "location": "s3://ml-models/iris-clf/1/model.pkl",
        "size_bytes": 48_213,
        "checksum": "sha256:" + "2c26b46b" * 8,
        "signature": {
            "inputs": [{"name": "features", "dtype": "float64", "shape": [-1, 4]}],
            "outputs": [{"name": "species", "dtype": "string", "shape": [-1]}],
        },
        "metrics": {"accuracy": 0.95, "f1": 0.94},
    },
    "deployments": {
        "name": "iris-prod",
        "version": 1,
        **ENVELOPE,
        "endpoint": "https://serving.example.com/v1/models/iris:predict",
        "environment": "production",
        "status": "retired",
        "deployed_at": "2024-03-02T08:00:00.000Z",
        "retired_at": "2024-06-30T17:30:00.000Z",
        "replicas": 3,
    },
    "serving_metrics": {
        "name": "iris-prod-2024-03-02",
        "version": 1,
        **ENVELOPE,
        "window_start": "2024-03-02T00:00:00.000Z",
        "window_end": "2024-03-03T00:00:00.000Z",
        "traffic": {"requests": 86_400, "errors": 12, "requests_per_second": 1.0},
        "latency_ms": {"p50": 8.5, "p90": 14.0, "p95": 19.2, "p99": 41.0, "mean": 9.8, "max": 230},
        "quality": {"accuracy": 0.93, "drift_score": 0.04},
        "input_profile": {"sepal_length": {"mean": 5.9}},
    },
    "projects": {
        "name": "iris",
        **ENVELOPE,
        "owner": "alice",
        "team": "botany-ml",
        "cost_centre": "CC-4711",
    },
}


def normalised(schema: Any, defs: dict[str, Any]) -> Any:
    """What a JSON Schema says about types and constraints, without annotations or nulls.

    pydantic writes ``X | None`` as ``anyOf: [X, null]`` and nested models as
    ``$ref``s into ``$defs``; None never reaches a document (``to_document``
    drops it), so both forms, and a schema's ``["string", "null"]``, reduce to
    the plain draft-04 form.
    """
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return normalised(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        (only,) = [option for option in schema["anyOf"] if option != {"type": "null"}]
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return normalised({**rest, **only}, defs)
    result: dict[str, Any] = {
        k: schema[k] for k in ("type", "enum", "pattern", "minimum") if k in schema
    }
    if isinstance(result.get("type"), list):  # ["string", "null"]: null is None, as above
        (result["type"],) = [t for t in result["type"] if t != "null"]
    if schema.get("required"):
        result["required"] = sorted(schema["required"])
    if "properties" in schema:
        result["properties"] = {k: normalised(v, defs) for k, v in schema["properties"].items()}
    if "items" in schema:
        result["items"] = normalised(schema["items"], defs)
    if schema.get("additionalProperties", True) is not True:
        result["additionalProperties"] = normalised(schema["additionalProperties"], defs)
    return result


def model_schema(collection: str) -> dict[str, Any]:
    schema = MODELS[collection].model_json_schema()
    return normalised(schema, schema.get("$defs", {}))


def uncovered(schema: dict[str, Any], value: Any, path: str = "") -> set[str]:
    """Declared fields (dotted paths) that ``value`` leaves unset."""
    missing: set[str] = set()
    for name, sub in schema.get("properties", {}).items():
        if not isinstance(value, dict) or name not in value:
            missing.add(path + name)
        else:
            missing |= uncovered(sub, value[name], f"{path}{name}.")
    items = schema.get("items")
    if isinstance(items, dict) and isinstance(value, list) and value:
        missing |= set.intersection(*(uncovered(items, item, f"{path}[].") for item in value))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and isinstance(value, dict):
        for sub_value in value.values():
            missing |= uncovered(extra, sub_value, f"{path}*.")
    return missing


def violation_fields(error: SchemaViolationError) -> list[str]:
    return [v["field"] for v in error.details["violations"]]


# --------------------------------------------------------------------------- agreement


def test_there_is_a_model_for_every_builtin_type() -> None:
    assert list(MODELS) == list(BUILTIN_NAMES)
    for collection, model in MODELS.items():
        assert model.collection == collection
        assert model_for(collection) is model


@pytest.mark.parametrize("collection", BUILTIN_NAMES)
def test_model_kind_is_the_schemas_kind(collection: str) -> None:
    assert MODELS[collection].kind == TYPES[collection].kind


@pytest.mark.parametrize("collection", BUILTIN_NAMES)
def test_model_fields_and_schema_properties_agree(collection: str) -> None:
    ours = normalised(TYPES[collection].schema, {})
    theirs = model_schema(collection)
    assert theirs["properties"].keys() == ours["properties"].keys()
    assert theirs.get("required") == ours.get("required") == ["name"]
    for name, declared in ours["properties"].items():
        assert theirs["properties"][name] == declared, f"{collection}.{name}"
    assert theirs == ours


@pytest.mark.parametrize("collection", BUILTIN_NAMES)
def test_sample_document_sets_every_declared_field(collection: str) -> None:
    assert uncovered(TYPES[collection].schema, SAMPLES[collection]) == set()


@pytest.mark.parametrize("collection", BUILTIN_NAMES)
def test_schema_valid_document_round_trips_through_the_model(collection: str) -> None:
    validate(TYPES[collection], SAMPLES[collection])
    document = MODELS[collection].from_document(SAMPLES[collection]).to_document()
    assert document == SAMPLES[collection]
    validate(TYPES[collection], document)


@pytest.mark.parametrize("collection", BUILTIN_NAMES)
def test_smallest_model_document_validates(collection: str) -> None:
    document = MODELS[collection](name="minimal").to_document()
    validate(TYPES[collection], document)


def test_model_built_in_python_gives_a_valid_document() -> None:
    run = Run(
        name="train",
        project="iris",
        step="train",
        params={"lr": 0.1},
        metrics={"accuracy": 0.93},
        environment=RunEnvironment(git=GitInfo(commit="a1b2c3d", dirty=False)),
        resources=Resources(cpu_seconds=12.5, peak_memory_bytes=1024),
        notebook="explore.ipynb",  # an undeclared field
    )  # type: ignore[call-arg]
    document = run.to_document()
    validate(TYPES["runs"], document)
    assert document == {
        "name": "train",
        "project": "iris",
        "step": "train",
        "status": "running",
        "params": {"lr": 0.1},
        "metrics": {"accuracy": 0.93},
        "environment": {"git": {"commit": "a1b2c3d", "dirty": False}},
        "resources": {"cpu_seconds": 12.5, "peak_memory_bytes": 1024},
        "notebook": "explore.ipynb",
    }


def test_what_the_run_recorder_captures_fits_the_runs_schema() -> None:
    meter = ResourceMeter().start()
    meter.add_gpu_seconds(1.5)
    meter.set_cost(0.02, "USD")
    run = {
        "name": "train",
        "environment": capture_environment(),
        "resources": meter.stop(),
        "metric_series": {"loss": [{"step": 0, "value": 0.5, "at": utc_now_iso()}]},
        "created_at": utc_now_iso(),
    }
    validate(TYPES["runs"], run)
    assert Run.from_document(run).to_document()["resources"] == run["resources"]


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("datasets", {"created_at": "2024-03-01T12:00:00Z"}, "created_at"),
    ("datasets", {"version": 0}, "version"),
    ("datasets", {"name": "iris v2"}, "name"),
    ("datasets", {"rows": -1}, "rows"),
    ("datasets", {"rows": 1.5}, "rows"),
    ("datasets", {"rows": "147"}, "rows"),
    ("datasets", {"tags": "flowers"}, "tags"),
    ("datasets", {"columns": [{"name": "a"}, {"dtype": "float64"}]}, "columns[1].name"),
    ("datasets", {"checksum": "9f86d081"}, "checksum"),
    ("datasets", {"personal_data": "no"}, "personal_data"),
    (
        "featuresets",
        {"features": [{"name": "f", "source_columns": "a"}]},
        "features[0].source_columns",
    ),
    ("runs", {"status": "done"}, "status"),
    ("runs", {"step": 3}, "step"),
    ("runs", {"metrics": {"accuracy": "high"}}, "metrics.accuracy"),
    ("runs", {"metrics": {"accuracy": True}}, "metrics.accuracy"),
    ("runs", {"metric_series": {"loss": [{"step": 1}]}}, "metric_series.loss[0].value"),
    ("runs", {"environment": {"git": {"dirty": "yes"}}}, "environment.git.dirty"),
    ("runs", {"environment": {"git": {"commit": "HEAD"}}}, "environment.git.commit"),
    ("runs", {"environment": {"packages": {"numpy": 2}}}, "environment.packages.numpy"),
    (
        "runs",
        {"resources": {"cost": {"amount": "1.50", "currency": "EUR"}}},
        "resources.cost.amount",
    ),
    ("runs", {"resources": {"cost": {"amount": 1.5}}}, "resources.cost.currency"),
    ("runs", {"error": {"type": "ValueError"}}, "error.message"),
    ("runs", {"environment": {"python": "3.12"}}, "environment.python"),
    ("runs", {"environment": {"id": "environments/latest"}}, "environment.id"),
    ("runs", {"params": ["lr", 0.1]}, "params"),
    ("models", {"signature": {"inputs": [{"shape": [-2]}]}}, "signature.inputs[0].shape[0]"),
    ("deployments", {"status": "live"}, "status"),
    ("serving_metrics", {"latency_ms": {"p99": -3}}, "latency_ms.p99"),
    ("projects", {"project": "iris project"}, "project"),
    *((collection, {"name": None}, "name") for collection in BUILTIN_NAMES),
]


@pytest.mark.parametrize(
    ("collection", "patch", "field"),
    INVALID,
    ids=[f"{c}-{'-'.join(p)}-{f}" for c, p, f in INVALID],
)
def test_schema_and_model_refuse_the_same_field(
    collection: str, patch: dict[str, Any], field: str
) -> None:
    document = {**copy.deepcopy(SAMPLES[collection]), **patch}
    document = {k: v for k, v in document.items() if v is not None}
    with pytest.raises(SchemaViolationError) as by_schema:
        validate(TYPES[collection], document)
    with pytest.raises(SchemaViolationError) as by_model:
        MODELS[collection].from_document(document)
    assert violation_fields(by_schema.value) == violation_fields(by_model.value) == [field]
    assert by_model.value.message.startswith(f"{collection}: field '{field}': ")


# --------------------------------------------------------------------------- documents


def test_to_document_leaves_out_unset_fields() -> None:
    assert Dataset(name="iris").to_document() == {"name": "iris"}
    assert Project(name="iris", owner=None, team="botany").to_document() == {
        "name": "iris",
        "team": "botany",
    }


def test_a_new_run_is_running() -> None:
    assert Run(name="train").to_document() == {"name": "train", "status": "running"}


def test_system_attributes_are_kept_aside() -> None:
    stored = {"_key": "iris-v2", "_id": "datasets/iris-v2", "_rev": "_hV3x", **SAMPLES["datasets"]}
    dataset = Dataset.from_document(stored)
    assert (dataset.key, dataset.id, dataset.rev) == ("iris-v2", "datasets/iris-v2", "_hV3x")
    assert not {"_key", "_id", "_rev"} & set(dataset.to_document())
    assert Dataset(name="iris").key is None


def test_undeclared_fields_are_kept() -> None:
    dataset = Dataset.from_document(
        {"name": "iris", "licence": "CC-BY-4.0", "splits": {"train": 0.8}}
    )
    assert dataset.licence == "CC-BY-4.0"  # type: ignore[attr-defined]
    assert dataset.to_document() == {
        "name": "iris",
        "licence": "CC-BY-4.0",
        "splits": {"train": 0.8},
    }


def test_a_document_of_another_collection_is_refused() -> None:
    with pytest.raises(BadParameterError, match="models/iris-clf-v1 is a document of 'models'"):
        Dataset.from_document({"_id": "models/iris-clf-v1", "name": "iris-clf"})


def test_invalid_input_raises_the_packages_error_naming_every_field() -> None:
    with pytest.raises(SchemaViolationError) as excinfo:
        Run.from_document(
            {
                "name": "train",
                "metrics": {"accuracy": "high"},
                "environment": {"git": {"dirty": "yes"}},
            }
        )
    assert excinfo.value.error_num == 1620
    assert violation_fields(excinfo.value) == ["metrics.accuracy", "environment.git.dirty"]


def test_an_invalid_nested_part_names_its_own_field() -> None:
    with pytest.raises(SchemaViolationError, match="GitInfo: field 'dirty'"):
        GitInfo(dirty="yes")  # type: ignore[arg-type]


def test_metrics_must_be_finite() -> None:
    with pytest.raises(SchemaViolationError, match=r"field 'metrics\.loss'"):
        Run(name="train", metrics={"loss": float("nan")})


def test_unknown_collection_has_no_model() -> None:
    with pytest.raises(BadParameterError, match="no typed model for 'experiments'"):
        model_for("experiments")
