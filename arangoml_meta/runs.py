"""Runs: one pipeline step, recorded as it happens.

``with store.run("train", inputs={"train": dataset}) as run:`` opens a run
with its inputs (edges artifact → run, each with a role) and, without being
asked, the environment (Python, platform, packages, git state, host, user,
pid). Inside the block the pipeline logs params and metrics (metrics also as
series over steps) and registers outputs, each linked run → artifact. When
the block ends the run is closed as ``completed`` — or ``failed`` with the
error when the block raised, keeping what was recorded — with its resources
(wall and CPU seconds, peak memory; GPU seconds and cost when given), in one
transaction. A run whose process was killed stays ``running`` with its host
and pid, so ``MetadataStore.unfinished_runs()`` can tell it is orphaned.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .environment import ResourceMeter, capture_environment, utc_now_iso
from .errors import BadParameterError
from .refs import run_key
from .store import STORE_SET, refuse_store_fields
from .types import validate

if TYPE_CHECKING:
    from .store import MetadataStore

RUNS = "runs"
# what the run records itself, so start_run() refuses them as fields (not the environment:
# a caller may report where the run really executed)
RUN_SET = (*STORE_SET, "status", "started_at", "ended_at", "resources", "error")
# what a run logs while it runs, checked value by value as it is logged
LOGGED = ("params", "metrics", "metric_series")
CLOSED_STATUSES = ("completed", "failed")
# logged params and metrics reach the store at least this often (and when the run closes),
# so a killed process loses at most this much of what it logged
FLUSH_INTERVAL_SECONDS = 5.0
# the environment (packages, git state) is re-captured at most this often per process
ENVIRONMENT_TTL_SECONDS = 10.0

# (pid, when, environment): a forked child must not record its parent's environment and pid
_environment_cache: tuple[int, float, dict[str, Any]] | None = None


def current_environment() -> dict[str, Any]:
    """The process's environment, captured at most every ENVIRONMENT_TTL_SECONDS.

    Runs of one capture share the returned object: treat it as read-only.
    """
    global _environment_cache
    now, pid = time.monotonic(), os.getpid()
    cache = _environment_cache
    if cache is None or cache[0] != pid or now - cache[1] > ENVIRONMENT_TTL_SECONDS:
        _environment_cache = cache = (pid, now, capture_environment())
    return cache[2]


_validated_environment: dict[str, Any] | None = None


def _remember_validated_environment(environment: dict[str, Any]) -> None:
    """The last captured environment that passed validation (it is not validated again)."""
    global _validated_environment
    _validated_environment = environment  # the cached capture, shared read-only


def _input_pairs(inputs: dict[str, Any] | Sequence[Any] | None) -> list[tuple[Any, str]]:
    """Inputs as (artifact, role): ``{"train": ds}``, ``{"train": [a, b]}`` or ``[ds, (ds2, "test")]``."""
    if inputs is None:
        return []
    pairs: list[tuple[Any, str]] = []
    if isinstance(inputs, dict):
        for role, value in inputs.items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                pairs.append((item, str(role)))
        return pairs
    for item in inputs:
        if isinstance(item, tuple) and len(item) == 2:
            pairs.append((item[0], str(item[1])))
        else:
            pairs.append((item, "input"))
    return pairs


class Run:
    """An open run; see the module docstring."""

    def __init__(self, store: MetadataStore, doc: dict[str, Any], meter: ResourceMeter) -> None:
        self.store = store
        self.doc = doc
        self.meter = meter
        self._series: dict[str, list[dict[str, Any]]] = {}
        self._pending: dict[str, Any] = {}
        self._flushed_at = time.monotonic()
        self.closed = False

    @property
    def id(self) -> str:
        return str(self.doc["_id"])

    @property
    def key(self) -> str:
        return str(self.doc["_key"])

    @classmethod
    def start(
        cls,
        store: MetadataStore,
        name: str,
        *,
        inputs: dict[str, Any] | Sequence[Any] | None = None,
        params: dict[str, Any] | None = None,
        step: str | None = None,
        project: str | None = None,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        **fields: Any,
    ) -> Run:
        run_type = store.type(RUNS)
        refuse_store_fields(fields, RUN_SET)
        input_ids = [(store.resolve_id(item), role) for item, role in _input_pairs(inputs)]
        doc = {
            "_key": run_key(name),
            **store._envelope(name, project, description, tags),
            "step": step or name,
            "status": "running",
            "params": dict(params or {}),
            "metrics": {},
            "started_at": utc_now_iso(),
            "environment": current_environment(),
            **fields,
        }
        body = {k: v for k, v in doc.items() if k != "_key"}
        environment = body["environment"]
        if "environment" in fields or (
            environment is not _validated_environment and environment != _validated_environment
        ):
            validate(run_type, body)
            if "environment" not in fields:
                _remember_validated_environment(body["environment"])
        else:  # the captured environment was validated when it was captured
            validate(run_type, {k: v for k, v in body.items() if k != "environment"})
        meter = ResourceMeter()
        meter.start()
        with store.backend.transaction(write=[RUNS, "inputs"]) as session:
            stored = session.insert(RUNS, doc)
            for artifact_id, role in input_ids:
                store._edge("inputs", artifact_id, stored["_id"], {"role": role}, session)
        return cls(store, stored, meter)

    # ------------------------------------------------------------------ logging

    def _require_open(self) -> None:
        if self.closed:
            raise BadParameterError(f"run {self.id} is closed")

    def _check(self, logged: dict[str, Any]) -> None:
        """Raise :class:`SchemaViolationError` naming the field unless ``logged`` fits the schema.

        Only what is being logged is checked, with the run's envelope: what was logged
        before passed this check already and the environment passed it in start(), and
        checking them again would cost more with every point of a long series.
        """
        envelope = {k: v for k, v in self.doc.items() if k not in ("environment", *LOGGED)}
        validate(self.store.type(RUNS), {**envelope, **logged})

    def _record(self, field: str, values: dict[str, Any]) -> None:
        self._pending.setdefault(field, {}).update(values)
        self.doc.setdefault(field, {}).update(values)
        if time.monotonic() - self._flushed_at > FLUSH_INTERVAL_SECONDS:
            self.flush()

    def _pending_patch(self) -> dict[str, Any]:
        patch = dict(self._pending)
        if self._series:
            series = dict(self.doc.get("metric_series") or {})
            for name, points in self._series.items():
                series[name] = [*series.get(name, []), *points]
            patch["metric_series"] = series
        return patch

    def flush(self) -> None:
        """Write what was logged since the last flush."""
        patch = self._pending_patch()
        if patch:
            self.doc = self.store.backend.update(RUNS, self.key, patch)
        self._pending.clear()
        self._series.clear()
        self._flushed_at = time.monotonic()

    def log_param(self, name: str, value: Any) -> None:
        self.log_params({name: value})

    def log_params(self, params: dict[str, Any]) -> None:
        """Record hyperparameters."""
        self._require_open()
        self._check({"params": params})
        self._record("params", params)

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        """Record a metric; with ``step`` also a point of its series (written when the run closes)."""
        self.log_metrics({name: value}, step=step)

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        self._require_open()
        points: dict[str, dict[str, Any]] = {}
        if step is not None:
            at = utc_now_iso()
            points = {
                name: {"step": step, "value": value, "at": at} for name, value in metrics.items()
            }
        self._check({"metrics": metrics, "metric_series": {n: [p] for n, p in points.items()}})
        for name, point in points.items():
            self._series.setdefault(name, []).append(point)
        self._record("metrics", metrics)

    def add_gpu_seconds(self, seconds: float) -> None:
        self.meter.add_gpu_seconds(seconds)

    def set_cost(self, amount: float, currency: str = "USD") -> None:
        self.meter.set_cost(amount, currency)

    # ------------------------------------------------------------------ outputs

    def register_output(
        self, type_name: str, name: str, *, role: str = "output", **fields: Any
    ) -> dict[str, Any]:
        """Register an artifact produced by this run, linked run → artifact."""
        self._require_open()
        artifact_type = self.store.type(type_name)
        with self.store.backend.transaction(write=[artifact_type.name, "outputs"]):
            artifact = self.store.register(type_name, name, **fields)
            self.store._edge("outputs", self.id, artifact["_id"], {"role": role})
        return artifact

    # ------------------------------------------------------------------ closing

    def close(
        self, status: str = "completed", error: BaseException | str | None = None
    ) -> dict[str, Any]:
        """Close the run (completed / failed) with its resources, in one transaction."""
        if self.closed:
            return self.doc
        if status not in CLOSED_STATUSES:
            raise BadParameterError(
                f"a run closes as {' or '.join(CLOSED_STATUSES)}, not as {status!r}"
            )
        patch: dict[str, Any] = {
            **self._pending_patch(),
            "status": status,
            "ended_at": utc_now_iso(),
            "resources": self.meter.stop(),
        }
        if error is not None:
            if isinstance(error, BaseException):
                patch["error"] = {
                    "type": type(error).__name__,
                    "message": str(error),
                    "traceback": "".join(
                        traceback.format_exception(type(error), error, error.__traceback__)
                    )[-4000:],
                }
            else:
                patch["error"] = {"type": "Error", "message": str(error)}
        with self.store.backend.transaction(write=[RUNS]) as session:
            self.doc = session.update(RUNS, self.key, patch)
        self._pending.clear()
        self._series.clear()
        self.closed = True
        return self.doc

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close("completed")
        else:
            self.close("failed", exc)
