"""Runs outside a Python block: recorded after the fact, or closed when their process died.

:func:`record_run` records a step that ran elsewhere (a shell script, another
tool) in one step: the run with its inputs, params and metrics, the artifacts it
produced, closed as ``completed`` or ``failed``; the run's environment is where
the recording ran, and it has no measured resources (nothing ran here).

:func:`close_run` closes a run left ``running`` by a process that was killed
(``store.unfinished_runs()`` says which are orphaned), as ``failed`` with a reason
by default. It records who closed it (``closed_by``) and is refused for a run
that is closed already (1200), and for one whose process still runs on this
host, unless forced. A process on another host cannot be asked: close such a
run only when you know it is gone (if it lives on, its own close later
overwrites the status).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .environment import process_alive, utc_now_iso
from .errors import ERROR_ARANGO_CONFLICT, BadParameterError, ConflictError, DocumentNotFoundError
from .runs import CLOSED_STATUSES, RUNS, Run
from .types import validate

if TYPE_CHECKING:
    from .store import MetadataStore

_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z")
# (role, "type/name", fields) of an artifact a recorded run produced: its next version
Output = tuple[str, str, Mapping[str, Any]]


def record_run(
    store: MetadataStore,
    name: str,
    *,
    inputs: dict[str, Any] | Sequence[Any] | None = None,
    outputs: Sequence[Output] = (),
    params: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    status: str = "completed",
    reason: str | None = None,
    started_at: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Record a finished run with its inputs and outputs in one step (see the module
    docstring); ``fields`` as for ``start_run`` (step, project, description, tags, ...).
    ``started_at``: when the step started (ISO 8601 UTC, ``YYYY-MM-DDTHH:MM:SS.sssZ``), if
    not now; it ends now. Returns the run's document."""
    _check_status(status)
    if reason is not None and status != "failed":
        raise BadParameterError("a reason is given for a failed run only")
    planned = [_output(output) for output in outputs]
    if started_at is not None:
        validate(store.type(RUNS), {"name": name, "started_at": started_at})
        if not _UTC_TIME.fullmatch(started_at):  # the schema's '$' lets a final newline by
            raise BadParameterError(f"started_at {started_at!r}: expected YYYY-MM-DDTHH:MM:SS.sssZ")
        if started_at > utc_now_iso():
            raise BadParameterError(f"started_at {started_at} is in the future")
    with store.transaction():
        run = Run.start(store, name, inputs=inputs, params=params, **fields)
        if started_at is not None:
            run.doc["started_at"] = started_at
        if metrics:
            run.log_metrics(metrics)
        for role, type_name, artifact, values in planned:
            run.register_output(type_name, artifact, role=role, **values)
        error = (reason or "failed (no reason given)") if status == "failed" else None
        return run.close(status, error, measured=False)


def _output(output: Output) -> tuple[str, str, str, dict[str, Any]]:
    """``(role, "models/iris-clf", {...})`` → ``(role, "models", "iris-clf", {...})``."""
    if not (isinstance(output, tuple) and len(output) == 3):
        raise BadParameterError(f"an output is (role, 'type/name', fields), not {output!r}")
    role, ref, values = output
    type_name, slash, artifact = ref.partition("/") if isinstance(ref, str) else ("", "", "")
    if not slash or not type_name or not artifact or "@" in artifact or "/" in artifact:
        raise BadParameterError(
            f"an output is a new version of an artifact, named type/name "
            f"(e.g. models/iris-clf), not {ref!r}"
        )
    if not isinstance(role, str) or not role:
        raise BadParameterError(f"an output's role is a word, e.g. model (not {role!r})")
    if not isinstance(values, Mapping):
        raise BadParameterError(f"the fields of output {ref} are an object, not {values!r}")
    return role, type_name, artifact, dict(values)


def close_run(
    store: MetadataStore,
    ref: str,
    *,
    status: str = "failed",
    reason: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Close a run its process left ``running`` (see the module docstring); returns it."""
    _check_status(status)
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise BadParameterError("a reason is a sentence saying why the run failed")
    run_id = store.resolve_id(ref)
    collection, _, key = run_id.partition("/")
    if store.type(collection).kind != "execution":
        raise BadParameterError(f"{run_id} is not a run: only runs are closed")
    with store.backend.transaction(write=[collection]) as session:
        doc = session.get(collection, key)
        if doc is None:  # deleted since it was looked up
            raise DocumentNotFoundError(f"run not found: {run_id}")
        if doc.get("status") in CLOSED_STATUSES:
            raise ConflictError(
                f"run {run_id} is closed already ({doc['status']} at {doc.get('ended_at')})",
                ERROR_ARANGO_CONFLICT,
            )
        if not force:
            _refuse_live(run_id, doc)
        patch: dict[str, Any] = {
            "status": status,
            "ended_at": utc_now_iso(),
            "closed_by": store.actor,
        }
        if status == "failed":
            patch["error"] = {
                "type": "ClosedByHand",
                "message": reason or f"closed as failed by {store.actor}: its process was gone",
            }
        elif reason is not None:
            raise BadParameterError("a reason is given for a failed run only")
        validate(store.type(collection), {**doc, **patch})
        return session.update(collection, key, patch)


def _refuse_live(run_id: str, doc: Mapping[str, Any]) -> None:
    """Refuse to close a run whose process is known to be running still (on this host)."""
    environment = doc.get("environment") or {}
    pid = environment.get("pid") if isinstance(environment, Mapping) else None
    if not isinstance(pid, int) or isinstance(pid, bool):
        return
    if process_alive(str(environment.get("host") or ""), pid):
        raise ConflictError(
            f"run {run_id} is not orphaned: its process {pid} still runs on this host; "
            "close it there, or force it (--force) if that process is another one now",
            ERROR_ARANGO_CONFLICT,
        )


def _check_status(status: str) -> None:
    if status not in CLOSED_STATUSES:
        raise BadParameterError(
            f"a run closes as {' or '.join(CLOSED_STATUSES)}, not as {status!r}"
        )
