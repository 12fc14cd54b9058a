"""Runs: one pipeline step, recorded as it happens.

``with store.run("train", inputs={"train": dataset}) as run:`` opens a run
with its inputs (edges artifact → run, each with a role) and, without being
asked, the environment it runs in (stored once per environment, see
``environments.py``; the run keeps a reference and its host, user and pid).
Inside the block the pipeline logs params and metrics (metrics also as series
over steps) and registers outputs, each linked run → artifact. When the block
ends the run is closed as ``completed`` — or ``failed`` with the error when the
block raised, keeping what was recorded — with its resources (wall and CPU
seconds, peak memory; GPU seconds and cost when given).

Writing (see ``steps.py``): inside ``store.transaction()`` the run is part of
that step and written once, closed, when the step commits. Outside one, the run
is written when it starts (so that a run whose process was killed stays
``running`` with its host and pid, and ``MetadataStore.unfinished_runs()`` can
tell it is orphaned), and its block is a step of its own: the outputs it
registers and its close are written together when the block ends. What was
logged reaches the store at least every :data:`FLUSH_INTERVAL_SECONDS` too.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .environment import ResourceMeter, capture_environment, utc_now_iso
from .environments import ENVIRONMENTS, environment_record, is_reference, reference
from .errors import BadParameterError, SchemaViolationError
from .jsonvalues import as_json
from .personal_fields import SALT, salt
from .refs import run_key
from .steps import Step
from .store_fields import STORE_SET, refuse_store_fields
from .types import SCHEMA_VERSION, stamp, validate

if TYPE_CHECKING:
    from .store import MetadataStore

RUNS = "runs"
# what the run records itself, so start_run() refuses them as fields (not the environment:
# a caller may report where the run really executed)
RUN_SET = (
    *STORE_SET,
    SCHEMA_VERSION,
    SALT,
    "status",
    "started_at",
    "ended_at",
    "resources",
    "error",
    "closed_by",
)
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


def _step_of(store: MetadataStore) -> AbstractContextManager[Step]:
    """The step open in this thread (what a nested ``store.transaction()`` joins, without
    the cost of one), else a new one."""
    step = store.step
    return nullcontext(step) if step is not None else store.transaction()


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
        self.collection = str(doc["_id"]).partition("/")[0]  # runs, or a type of kind execution
        self.meter = meter
        self.written = False  # whether the run's document is in the store (else in a step)
        self.discarded = False  # the step it was in was given up: it was never written
        self._series_logged = False  # points of a series logged since the last flush
        self._pending: dict[str, Any] = {}
        self._flushed_at = time.monotonic()
        self._block: AbstractContextManager[Step] | None = None
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
        run_type: str = RUNS,
        **fields: Any,
    ) -> Run:
        """Open a run of ``run_type``: ``runs``, or a registered type of kind execution."""
        execution = store.type(run_type)
        if execution.kind != "execution":
            kinds = ", ".join(t.name for t in store.types() if t.kind == "execution")
            raise BadParameterError(
                f"{run_type} is a type of kind {execution.kind}: a run is recorded in a type "
                f"of kind execution ({kinds})"
            )
        refuse_store_fields(fields, RUN_SET)
        fields = as_json(fields, "fields")
        key = run_key(name)
        doc = store.envelope(name, project, description, tags)
        doc.update(_key=key, _id=f"{execution.name}/{key}")
        doc.update(
            step=step or name,
            status="running",
            params=as_json(dict(params or {}), "params"),
            metrics={},
            started_at=utc_now_iso(),
        )
        environment = fields.pop("environment", None) or current_environment()
        if not isinstance(environment, dict):
            raise SchemaViolationError(
                f"field 'environment': an object (interpreter, host, packages, ...), "
                f"not {type(environment).__name__}"
            )
        referenced = is_reference(environment)
        if referenced:  # given as another run keeps it: nothing to store
            env_key = environment["id"].partition("/")[2]
            doc["environment"] = environment
        else:
            env_key = store.environments.key_of(environment)
            doc["environment"] = reference(environment, env_key)
        doc.update(fields)
        salt(doc, execution.salted_fields)
        validate(execution, stamp(execution, doc))
        if not referenced and env_key not in store.environments.stored:
            # the record is checked once per environment, as the run's would be in full
            validate(execution, {**doc, "environment": environment})
        meter = ResourceMeter()
        run = cls(store, doc, meter)
        with _step_of(store) as pending:
            pending.add(execution.name, doc)
            for item, role in _input_pairs(inputs):
                store.add_edge(
                    pending, "inputs", store.linked_id(pending, item), doc["_id"], {"role": role}
                )
            if referenced:
                pending.require(environment["id"])  # the record it names must exist
            elif env_key not in store.environments.stored:
                records = pending.if_absent.setdefault(ENVIRONMENTS, {})
                records[env_key] = environment_record(environment, env_key)
                pending.committed.append(lambda: store.environments.stored.add(env_key))
            pending.committed.append(run._mark_written)
            pending.discarded.append(run._mark_discarded)
        meter.start()
        return run

    def _mark_written(self) -> None:
        self.written = True
        self._flushed_at = time.monotonic()

    def _mark_discarded(self) -> None:
        self.discarded = True

    # ------------------------------------------------------------------ logging

    def _require_open(self) -> None:
        if self.discarded:
            raise BadParameterError(
                f"run {self.id} was never recorded: the step it started in was given up"
            )
        if self.closed:
            raise BadParameterError(f"run {self.id} is closed")

    def _check(self, logged: dict[str, Any]) -> None:
        """Raise :class:`SchemaViolationError` naming the field unless ``logged`` fits the schema.

        Only what is being logged is checked, with the run's envelope: what was logged
        before passed this check already, and checking it again would cost more with
        every point of a long series.
        """
        checked = dict(self.doc)  # a copy and a few pops: a third of a comprehension's time
        for name in LOGGED:
            checked.pop(name, None)
        checked.update(logged)
        validate(self.store.type(self.collection), checked)

    def _record(self, field: str, values: dict[str, Any]) -> None:
        self.doc.setdefault(field, {}).update(values)
        if not self.written:  # in a step: written with the run when the step commits
            return
        self._pending.setdefault(field, {}).update(values)
        if time.monotonic() - self._flushed_at > FLUSH_INTERVAL_SECONDS:
            self.flush()

    def _pending_patch(self) -> dict[str, Any]:
        patch = dict(self._pending)
        if self._series_logged:
            patch["metric_series"] = self.doc.get("metric_series") or {}
        return patch

    def flush(self) -> None:
        """Write what was logged since the last flush (a run still in a step has nothing to)."""
        patch = self._pending_patch()
        if patch and self.written:
            stored = self.store.backend.update(self.collection, self.key, patch)
            self.doc["_rev"] = stored["_rev"]
        self._pending.clear()
        self._series_logged = False
        self._flushed_at = time.monotonic()

    def log_param(self, name: str, value: Any) -> None:
        self.log_params({name: value})

    def log_params(self, params: dict[str, Any]) -> None:
        """Record hyperparameters."""
        self._require_open()
        params = as_json(params, "params")
        self._check({"params": params})
        self._record("params", params)

    def log_metric(self, name: str, value: float, step: int | None = None) -> None:
        """Record a metric; with ``step`` also a point of its series."""
        self.log_metrics({name: value}, step=step)

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        self._require_open()
        metrics = as_json(metrics, "metrics")
        points: dict[str, dict[str, Any]] = {}
        if step is not None:
            at = utc_now_iso()
            points = {
                name: {"step": as_json(step, "step"), "value": value, "at": at}
                for name, value in metrics.items()
            }
        self._check({"metrics": metrics, "metric_series": {n: [p] for n, p in points.items()}})
        if points:
            series = self.doc.setdefault("metric_series", {})
            for name, point in points.items():
                series.setdefault(name, []).append(point)
            self._series_logged = True
        self._record("metrics", metrics)

    def add_gpu_seconds(self, seconds: float) -> None:
        self.meter.add_gpu_seconds(seconds)

    def set_cost(self, amount: float, currency: str = "USD") -> None:
        self.meter.set_cost(amount, currency)

    # ------------------------------------------------------------------ outputs

    def register_output(
        self, type_name: str, name: str, *, role: str = "output", **fields: Any
    ) -> dict[str, Any]:
        """Register an artifact produced by this run, linked run → artifact; it belongs to
        the run's project unless ``project`` is given (``project=None``: to none)."""
        self._require_open()
        store = self.store
        if "project" not in fields and self.doc.get("project") is not None:
            fields["project"] = self.doc["project"]
        with _step_of(store) as pending:
            artifact = store.register(type_name, name, **fields)
            store.add_edge(pending, "outputs", self.id, artifact["_id"], {"role": role})
        return artifact

    # ------------------------------------------------------------------ closing

    def close(
        self,
        status: str = "completed",
        error: BaseException | str | None = None,
        *,
        measured: bool = True,
    ) -> dict[str, Any]:
        """Close the run (completed / failed) with its resources (unless not ``measured``:
        a run recorded after the fact has none this process could measure).

        A run still in a step is closed in it (written once, closed, with the step);
        one already written gets its close as a small update, with the step open in
        this thread if there is one.
        """
        if self.closed:
            return self.doc
        self._require_open()
        if status not in CLOSED_STATUSES:
            raise BadParameterError(
                f"a run closes as {' or '.join(CLOSED_STATUSES)}, not as {status!r}"
            )
        patch: dict[str, Any] = {
            **self._pending_patch(),
            "status": status,
            "ended_at": utc_now_iso(),
        }
        resources = self.meter.stop()
        if measured:
            patch["resources"] = resources
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
        self.doc.update(patch)
        if self.written:
            with self.store.transaction() as pending:
                pending.updates.append((self.collection, self.key, patch, self.doc))
        self._pending.clear()
        self._series_logged = False
        self.closed = True
        return self.doc

    def __enter__(self) -> Run:
        if self.store.step is None:  # the block is a step of its own
            self._block = self.store.transaction()
            self._block.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        block, self._block = self._block, None
        try:
            if exc is None:
                self.close("completed")
            else:
                self.close("failed", exc)
        except BaseException as closing:
            if block is not None:
                block.__exit__(type(closing), closing, closing.__traceback__)
            raise
        if block is not None:
            # what the run recorded is kept when its block failed: the step commits
            block.__exit__(None, None, None)
