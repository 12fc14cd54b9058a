"""Typed Python API for the built-in types: one pydantic model per collection.

The models mirror ``schemas/*.json`` field for field (a test keeps them in
agreement): typed where the schema declares a field, open beyond it, and as
strict as JSON Schema (no strings as numbers, no booleans as numbers). A model
turns into the document the store writes with :meth:`Envelope.to_document` and
back with :meth:`Envelope.from_document`, which sets ArangoDB's system
attributes aside as :attr:`~Envelope.key`, :attr:`~Envelope.id` and
:attr:`~Envelope.rev`. Invalid input raises the package's
:class:`~arangoml_meta.errors.SchemaViolationError` (1620), never pydantic's own error.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from typing_extensions import Self

from .errors import BadParameterError, SchemaViolationError
from .types import field_path, schema_violation

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][.][0-9]{3}Z$"
)
CHECKSUM_PATTERN = r"^[a-z0-9_-]+:[0-9a-fA-F]{8,}$"
GIT_COMMIT_PATTERN = r"^[0-9a-f]{7,64}$"
DATA_SUBJECT_PATTERN = r"^[a-z][a-z0-9_-]{0,63}$"
ENVIRONMENT_ID_PATTERN = r"^environments/[0-9a-f]{32}$"
SYSTEM_KEYS = ("_key", "_id", "_rev")
_VALIDATING: ContextVar[bool] = ContextVar("_VALIDATING", default=False)

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
Timestamp = Annotated[str, Field(pattern=TIMESTAMP_PATTERN)]
Checksum = Annotated[str, Field(pattern=CHECKSUM_PATTERN)]
Count = Annotated[int, Field(ge=0)]
# a category of people whose personal data an artifact holds (customers, patients), never a person
DataSubject = Annotated[str, Field(pattern=DATA_SUBJECT_PATTERN)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
RunStatus = Literal["running", "completed", "failed"]
DeploymentStatus = Literal["pending", "active", "retired", "failed"]


def _violation(type_name: str, exc: ValidationError) -> SchemaViolationError:
    violations = []
    for error in exc.errors():
        if error["type"] == "missing":
            message = "is required but missing"
        else:
            message = f"{error['msg']} (got {error['input']!r:.60})"
        violations.append((field_path(error["loc"]), message))
    return schema_violation(type_name, violations)


class Part(BaseModel):
    """An object inside a document: typed where declared, open beyond, strict as JSON Schema."""

    model_config = ConfigDict(extra="allow", strict=True)

    def __init__(self, /, **data: Any) -> None:
        # pydantic calls a custom __init__ for nested parts too: only the outermost
        # call converts the error, so that every field path starts at the document.
        if _VALIDATING.get():
            super().__init__(**data)
            return
        token = _VALIDATING.set(True)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            name = getattr(type(self), "collection", "") or type(self).__name__
            raise _violation(name, exc) from exc
        finally:
            _VALIDATING.reset(token)


class Envelope(Part):
    """What every document carries; subclasses name their ``collection`` and ``kind``."""

    collection: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    name: Name
    project: Name | None = None
    description: str | None = None
    tags: list[str] | None = None
    created_at: Timestamp | None = None
    created_by: str | None = None
    schema_version: Annotated[int, Field(ge=1)] | None = None

    _system: dict[str, Any] = PrivateAttr(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        """The JSON document to write: declared and extra fields, without None values."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Self:
        """The model of a stored document; ``_key``, ``_id`` and ``_rev`` become properties."""
        data = dict(doc)
        system = {key: data.pop(key) for key in SYSTEM_KEYS if key in data}
        collection = str(system.get("_id", "")).partition("/")[0]
        if cls.collection and collection and collection != cls.collection:
            raise BadParameterError(
                f"{system['_id']} is a document of '{collection}', not of '{cls.collection}'"
            )
        instance = cls(**data)
        instance._system = system
        return instance

    @property
    def key(self) -> str | None:
        """The document's ``_key`` once stored (from :meth:`from_document`)."""
        return self._system.get("_key")

    @property
    def id(self) -> str | None:
        """The document's ``_id`` (``collection/key``) once stored."""
        return self._system.get("_id")

    @property
    def rev(self) -> str | None:
        """The document's ``_rev`` once stored."""
        return self._system.get("_rev")


class Artifact(Envelope):
    """An immutable, versioned artifact: a change is a new version."""

    kind = "artifact"

    version: Annotated[int, Field(ge=1)] | None = None


class Column(Part):
    name: str
    dtype: str | None = None
    description: str | None = None
    personal_data: bool | None = None


class Dataset(Artifact):
    collection = "datasets"

    location: str | None = None
    format: str | None = None
    rows: Count | None = None
    columns: list[Column] | None = None
    size_bytes: Count | None = None
    checksum: Checksum | None = None
    statistics: dict[str, Any] | None = None
    personal_data: bool | None = None
    data_subjects: list[DataSubject] | None = None
    source: str | None = None


class Feature(Part):
    name: str
    dtype: str | None = None
    description: str | None = None
    source_columns: list[str] | None = None


class Featureset(Artifact):
    collection = "featuresets"

    features: list[Feature] | None = None
    location: str | None = None
    format: str | None = None
    rows: Count | None = None
    checksum: Checksum | None = None
    personal_data: bool | None = None
    data_subjects: list[DataSubject] | None = None


class MetricPoint(Part):
    step: Count | None = None
    value: Number
    at: Timestamp | None = None


class RunError(Part):
    type: str | None = None
    message: str
    traceback: str | None = None


class PythonInfo(Part):
    version: str | None = None
    implementation: str | None = None
    executable: str | None = None


class PlatformInfo(Part):
    system: str | None = None
    release: str | None = None
    machine: str | None = None
    platform: str | None = None


class GitInfo(Part):
    commit: Annotated[str, Field(pattern=GIT_COMMIT_PATTERN)] | None = None
    branch: str | None = None
    dirty: bool | None = None
    remote: str | None = None


class RunEnvironment(Part):
    id: Annotated[str, Field(pattern=ENVIRONMENT_ID_PATTERN)] | None = None
    python: PythonInfo | None = None
    platform: PlatformInfo | None = None
    packages: dict[str, str] | None = None
    git: GitInfo | None = None
    host: str | None = None
    user: str | None = None
    pid: Count | None = None


class Cost(Part):
    amount: Number
    currency: str


class Resources(Part):
    wall_seconds: Amount | None = None
    cpu_seconds: Amount | None = None
    peak_memory_bytes: Count | None = None
    gpu_seconds: Amount | None = None
    cost: Cost | None = None


class Run(Envelope):
    collection = "runs"
    kind = "execution"

    step: str | None = None
    status: RunStatus = "running"
    params: dict[str, Any] | None = None
    metrics: dict[str, Number] | None = None
    metric_series: dict[str, list[MetricPoint]] | None = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    error: RunError | None = None
    environment: RunEnvironment | None = None
    resources: Resources | None = None


class TensorSpec(Part):
    name: str | None = None
    dtype: str | None = None
    shape: list[Annotated[int, Field(ge=-1)]] | None = None


class Signature(Part):
    inputs: list[TensorSpec] | None = None
    outputs: list[TensorSpec] | None = None


class Model(Artifact):
    collection = "models"

    framework: str | None = None
    framework_version: str | None = None
    algorithm: str | None = None
    location: str | None = None
    size_bytes: Count | None = None
    checksum: Checksum | None = None
    signature: Signature | None = None
    metrics: dict[str, Number] | None = None


class Deployment(Artifact):
    collection = "deployments"

    endpoint: str | None = None
    environment: str | None = None
    status: DeploymentStatus | None = None
    deployed_at: Timestamp | None = None
    retired_at: Timestamp | None = None
    replicas: Count | None = None


class Traffic(Part):
    requests: Count | None = None
    errors: Count | None = None
    requests_per_second: Amount | None = None


class Latency(Part):
    p50: Amount | None = None
    p90: Amount | None = None
    p95: Amount | None = None
    p99: Amount | None = None
    mean: Amount | None = None
    max: Amount | None = None


class ServingMetrics(Artifact):
    collection = "serving_metrics"

    window_start: Timestamp | None = None
    window_end: Timestamp | None = None
    traffic: Traffic | None = None
    latency_ms: Latency | None = None
    quality: dict[str, Number] | None = None
    input_profile: dict[str, Any] | None = None


class Project(Envelope):
    collection = "projects"
    kind = "context"

    owner: str | None = None
    team: str | None = None
    cost_centre: str | None = None


MODELS: dict[str, type[Envelope]] = {
    model.collection: model
    for model in (Dataset, Featureset, Run, Model, Deployment, ServingMetrics, Project)
}


def model_for(collection: str) -> type[Envelope]:
    """The model class of a built-in collection."""
    try:
        return MODELS[collection]
    except KeyError:
        raise BadParameterError(
            f"no typed model for '{collection}'; built-in types: {', '.join(MODELS)}"
        ) from None
