"""Benchmark: the public Python API of arangoml-meta against plain SQLite, side by side.

The lineage workload of ``bench_aql.py`` (``lineage_data.py``), recorded the way an
ML pipeline records it: step by step through :func:`arangoml_meta.store.open_store`
into an embedded store in a temporary directory, and the same logical data into a
plain SQLite file with hand-written tables (one transaction per pipeline step, the
store's WAL settings). At two scales it prints, for both sides:

- ingest rate: documents + edges written per second of wall time;
- lineage: ``store.downstream()`` from 20 datasets and ``store.upstream()`` from 20
  deployments, each query timed on its own (p50 / p95), against a recursive CTE;
- a filter over runs, ``store.find("runs", {"metrics.accuracy": {">": 0.9},
  "params.lr": 0.01})``, against SQL with ``json_extract``;
- store size: bytes on disk (database + WAL) after the ingest and a checkpoint.

Both sides must give the same answers (same id sets per traversal, same runs for
the filter, same counts per collection after the ingest); any disagreement aborts
with ``*** RESULT MISMATCH`` and exit status 2. ``--profile`` runs the API side of
every missed target under cProfile and lists the hottest ``arangoml_meta`` functions.

Run: ``make bench`` or ``.venv/bin/python bench/bench_api.py [--help]``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import math
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import lineage_data as lineage
import orjson

from arangoml_meta.embedded.storage import CONNECTION_PRAGMAS
from arangoml_meta.environment import capture_environment, current_actor
from arangoml_meta.lineage import COMPLETE_DEPTH
from arangoml_meta.store import MetadataStore, open_store

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_SCALES = "15k,150k"  # documents + edges, in pipeline form
DEFAULT_BUDGET_S = 180.0  # the largest scale's API ingest should fit in about this long
LINEAGE_STARTS = 20
# downstream() / upstream() walk to the end of the graph by default; the CTE does too (the
# graph is a DAG, so it ends), bounded only as the store's safety bound is
MAX_DEPTH = COMPLETE_DEPTH
# the targets of issue 8, against hand-written SQLite (plain tables, recursive CTEs)
INGEST_TARGET = 0.4  # API rate / SQL rate, at least
DOWNSTREAM_TARGET = 3.0  # API p50 / CTE p50, at most
UPSTREAM_TARGET = 5.0  # API p50 / CTE p50, at most (a few vertices: fixed costs dominate)
FILTER_TARGET = 2.0  # API p50 / SQL p50, at most
SIZE_TARGET = 2.5  # API bytes / SQL bytes, at most
PROFILE_TAIL_STEPS = 2_000  # --profile of a missed ingest target: steps recorded again
# for comparison, from the issue (not measured here): documents + edges per second
REFERENCE_RATES = {"Google ML Metadata": 600, "MLflow": 55}

ACCURACY_THRESHOLD = 0.9
LEARNING_RATE = 0.01
API_FILTER: dict[str, Any] = {
    "metrics.accuracy": {">": ACCURACY_THRESHOLD},
    "params.lr": LEARNING_RATE,
}
SQL_FILTER = (
    "SELECT id, doc FROM runs WHERE json_extract(doc, '$.metrics.accuracy') > ? "
    "AND json_extract(doc, '$.params.lr') = ? ORDER BY json_extract(doc, '$.created_at')"
)
LITERAL_FILTER_AQL = (
    "FOR d IN runs FILTER d.metrics.accuracy > @min AND d.params.lr == @lr "
    "SORT d.created_at RETURN d"
)
ARTIFACT_TABLES = tuple(c for c in lineage.PIPELINE_VERTEX_COLLECTIONS if c != "runs")
ALL_COLLECTIONS = (*lineage.PIPELINE_VERTEX_COLLECTIONS, *lineage.EDGE_COLLECTIONS)


class ResultMismatch(Exception):
    """The API and the SQL baseline disagree: the timings would be meaningless."""


def _mismatch(case: str, message: str) -> ResultMismatch:
    return ResultMismatch(f"{case}: API and SQL disagree: {message}")


# --------------------------------------------------------------------------- the API side


def _inputs_by_role(step: lineage.PipelineStep) -> dict[str, Any]:
    """``{"training_data": [fs1, fs2], "base_model": model}``, as a pipeline writes it."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for artifact_id, role in step.inputs:
        grouped[role].append(artifact_id)
    return {role: ids[0] if len(ids) == 1 else ids for role, ids in grouped.items()}


def _expect_id(doc: dict[str, Any], step: lineage.PipelineStep, check: bool) -> None:
    if check and doc["_id"] != step.artifact_id:
        raise _mismatch(
            "ingest", f"the store wrote {doc['_id']}, the plan expects {step.artifact_id}"
        )


def record_step(
    store: MetadataStore,
    step: lineage.PipelineStep,
    run_ids: dict[str, str],
    check: bool = True,
) -> None:
    """Record one pipeline step through the public API, as pipeline code would.

    ``check``: the store must write the artifact ids the plan expects (off when steps
    are recorded a second time, which makes new versions).
    """
    kind = step.kind
    if kind in ("dataset", "deploy", "monitor"):
        doc = store.register(step.collection, step.name, **step.fields)
        _expect_id(doc, step, check)
        if step.link_from is not None:
            store.link(step.link_from, doc, step.relation)
        return
    inputs = _inputs_by_role(step)
    if kind == "train" and step.status == "running":
        # still training (or its process was killed): what it logged so far is flushed
        run = store.start_run(
            step.run_name, inputs=inputs, params=step.params, step=kind, **step.run_fields
        )
        run.log_metrics(step.metrics)
        run.flush()
    else:
        with store.run(
            step.run_name, inputs=inputs, params=step.params, step=kind, **step.run_fields
        ) as run:
            if step.metrics:
                run.log_metrics(step.metrics)
            if step.status == "failed":
                run.close("failed", "training diverged")
            elif step.collection:
                out = run.register_output(step.collection, step.name, **step.fields)
                _expect_id(out, step, check)
    run_ids[run.id] = step.run_id


def record_api(
    store: MetadataStore,
    steps: Sequence[lineage.PipelineStep],
    progress: list[tuple[int, float]] | None = None,
    check: bool = True,
) -> dict[str, str]:
    """Record every step; returns the store's run ids mapped to the plan's logical run ids.

    ``progress`` receives (documents + edges so far, seconds so far) about 50 times.
    """
    run_ids: dict[str, str] = {}
    sizes = [sum(step.items.values()) for step in steps]
    every = max(1, len(steps) // 50)
    done = 0
    start = time.perf_counter()
    for i, step in enumerate(steps, 1):
        with store.transaction():  # one transaction per pipeline step, as the issue asks
            record_step(store, step, run_ids, check)
        done += sizes[i - 1]
        if progress is not None and (i % every == 0 or i == len(steps)):
            progress.append((done, time.perf_counter() - start))
    return run_ids


@dataclass(frozen=True)
class IngestModel:
    """Seconds to record ``n`` documents + edges through the API: ``a*n + b*n*n``.

    Fitted (least squares) to the progress of one ingest. The quadratic term is there
    because recording gets slower as the store grows; a straight line from a small scale
    badly underestimates a large one.
    """

    a: float
    b: float

    @classmethod
    def fit(cls, progress: Sequence[tuple[int, float]]) -> IngestModel:
        xs = [n / 1_000 for n, _ in progress]  # thousands, for a well-conditioned system
        ts = [t for _, t in progress]
        s2 = sum(x**2 for x in xs)
        s3 = sum(x**3 for x in xs)
        s4 = sum(x**4 for x in xs)
        s1t = sum(x * t for x, t in zip(xs, ts, strict=True))
        s2t = sum(x * x * t for x, t in zip(xs, ts, strict=True))
        det = s2 * s4 - s3 * s3
        a = (s1t * s4 - s2t * s3) / det if det else 0.0
        b = (s2 * s2t - s3 * s1t) / det if det else 0.0
        if b < 0 or a < 0:  # no measurable growth: a straight line
            return cls(s1t / s2 / 1_000 if s2 else 0.0, 0.0)
        return cls(a / 1_000, b / 1_000_000)

    def seconds(self, n: int) -> float:
        return self.a * n + self.b * n * n

    def largest_within(self, seconds: float) -> int:
        if self.b == 0:
            return int(seconds / self.a) if self.a else 10**9
        return int((-self.a + math.sqrt(self.a**2 + 4 * self.b * seconds)) / (2 * self.b))


# --------------------------------------------------------------------------- the SQL side


def _now_iso() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _encode(doc: dict[str, Any]) -> str:
    """Compact JSON text, by the JSON library the store uses (the comparison is of the
    engine, not of JSON libraries)."""
    return orjson.dumps(doc).decode()


def _lineage_sql(outbound: bool) -> str:
    """Every vertex downstream (upstream), once, with its distance, name and version."""
    near, far = ("from_id", "to_id") if outbound else ("to_id", "from_id")
    steps = "\n  UNION\n".join(
        f"  SELECT e.{far}, r.depth + 1 FROM reach AS r JOIN {table} AS e ON e.{near} = r.id"
        f" WHERE r.depth < {MAX_DEPTH}"
        for table in lineage.EDGE_COLLECTIONS
    )
    # what the API returns of each vertex by default: id, depth, name and version
    fetch = "\nUNION ALL\n".join(
        f"SELECT f.id, f.depth, v.name, v.version FROM found AS f JOIN {table} AS v ON v.id = f.id"
        if table != "runs"
        else f"SELECT f.id, f.depth, json_extract(v.doc, '$.name'), NULL FROM found AS f "
        f"JOIN {table} AS v ON v.id = f.id"
        for table in lineage.PIPELINE_VERTEX_COLLECTIONS
    )
    return (
        "WITH RECURSIVE reach(id, depth) AS (\n"
        "  SELECT :start, 0\n"
        "  UNION\n"
        f"{steps}\n"
        "),\n"
        "found(id, depth) AS (SELECT id, min(depth) FROM reach WHERE depth > 0 GROUP BY id)\n"
        f"{fetch}\n"
        "ORDER BY 2"
    )


def _ids_only_sql(lineage_sql: str) -> str:
    """The same walk returning only the distinct ids (bench_aql.py's CTE), for a note."""
    head = lineage_sql.split("),\nfound", 1)[0]
    return f"{head})\nSELECT DISTINCT id FROM reach WHERE depth > 0"


SQL_DOWNSTREAM = _lineage_sql(outbound=True)
SQL_UPSTREAM = _lineage_sql(outbound=False)


class SqlBaseline:
    """Plain SQLite with hand-written tables, written one transaction per pipeline step.

    An artifact table per type ``(id TEXT PRIMARY KEY, name, version, doc)`` with
    ``UNIQUE(name, version)`` (the next version is looked up, as the store does); ``runs
    (id, doc)``; edge tables ``(id INTEGER PRIMARY KEY, from_id, to_id, doc)`` with an
    index on each end; ``environments (digest TEXT PRIMARY KEY, doc)``, each captured
    environment stored once and named by the runs. Documents carry the fields the store
    writes (envelope, payload; for runs params, metrics, status, times, the environment's
    digest with host, user and pid, resources). Connection settings are the store's:
    autocommit, WAL, ``CONNECTION_PRAGMAS``.
    """

    def __init__(self, path: str, actor: str, environment: dict[str, Any]) -> None:
        self.path = path
        self.actor = actor
        shared = {k: environment.get(k) for k in ("python", "platform", "packages", "git")}
        self.environment_doc = _encode(shared)
        self.environment_digest = hashlib.sha256(self.environment_doc.encode()).hexdigest()
        self.environment = {
            "digest": self.environment_digest,
            **{k: environment.get(k) for k in ("host", "user", "pid")},
        }
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        for pragma in CONNECTION_PRAGMAS:
            self.conn.execute(f"PRAGMA {pragma}")

    def create_schema(self) -> None:
        for name in ARTIFACT_TABLES:
            self.conn.execute(
                f"CREATE TABLE {name} (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
                "version INTEGER NOT NULL, doc TEXT NOT NULL, UNIQUE(name, version))"
            )
        self.conn.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        self.conn.execute("CREATE TABLE environments (digest TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        for name in lineage.EDGE_COLLECTIONS:
            self.conn.execute(
                f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, from_id TEXT NOT NULL, "
                "to_id TEXT NOT NULL, doc TEXT NOT NULL)"
            )
            self.conn.execute(f"CREATE INDEX {name}_from ON {name}(from_id)")
            self.conn.execute(f"CREATE INDEX {name}_to ON {name}(to_id)")

    def _edge(self, table: str, from_id: str, to_id: str, attributes: dict[str, Any]) -> None:
        doc = {"_from": from_id, "_to": to_id, **attributes}
        doc["created_at"] = _now_iso()
        doc["created_by"] = self.actor
        self.conn.execute(
            f"INSERT INTO {table}(from_id, to_id, doc) VALUES (?, ?, ?)",
            (from_id, to_id, _encode(doc)),
        )

    def _artifact(self, table: str, name: str, fields: dict[str, Any]) -> str:
        row = self.conn.execute(
            f"SELECT coalesce(max(version), 0) FROM {table} WHERE name = ?", (name,)
        ).fetchone()
        version = row[0] + 1
        doc_id = f"{table}/{name}-v{version}"
        doc = {"name": name, "tags": [], "created_at": _now_iso(), "created_by": self.actor}
        doc.update(fields)
        doc["version"] = version
        self.conn.execute(
            f"INSERT INTO {table}(id, name, version, doc) VALUES (?, ?, ?, ?)",
            (doc_id, name, version, _encode(doc)),
        )
        return doc_id

    def record_step(self, step: lineage.PipelineStep) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if step.kind in ("dataset", "deploy", "monitor"):
                doc_id = self._artifact(step.collection, step.name, step.fields)
                if step.link_from is not None:
                    self._edge("derivations", step.link_from, doc_id, {"relation": step.relation})
            else:
                self._run(step)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _run(self, step: lineage.PipelineStep) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        run_fields = dict(step.run_fields)
        now = _now_iso()
        doc: dict[str, Any] = {
            "name": step.run_name,
            "tags": run_fields.pop("tags", []),
            "created_at": now,
            "created_by": self.actor,
            "step": step.kind,
            "status": step.status,
            "params": step.params,
            "metrics": step.metrics,
            "started_at": now,
            "environment": self.environment,
            **run_fields,
        }
        run_id = step.run_id
        self.conn.execute(
            "INSERT OR IGNORE INTO environments VALUES (?, ?)",
            (self.environment_digest, self.environment_doc),
        )
        now = _now_iso()
        created = {"created_at": now, "created_by": self.actor}
        self.conn.executemany(
            "INSERT INTO inputs(from_id, to_id, doc) VALUES (?, ?, ?)",
            [
                (a, run_id, _encode({"_from": a, "_to": run_id, "role": role, **created}))
                for a, role in step.inputs
            ],
        )
        if step.status == "completed" and step.collection:
            artifact_id = self._artifact(step.collection, step.name, step.fields)
            self._edge("outputs", run_id, artifact_id, {"role": "output"})
        if step.status != "running":
            doc["ended_at"] = _now_iso()
            doc["resources"] = {
                "wall_seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu,
                "peak_memory_bytes": None,
            }
            if step.status == "failed":
                doc["error"] = {"type": "Error", "message": "training diverged"}
        self.conn.execute("INSERT INTO runs(id, doc) VALUES (?, ?)", (run_id, _encode(doc)))

    def record(self, steps: Iterable[lineage.PipelineStep]) -> None:
        for step in steps:
            self.record_step(step)

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def walk(self, sql: str, start: str) -> list[tuple[str, int, dict[str, Any]]]:
        rows = self.conn.execute(sql, {"start": start})
        return [(i, d, {"name": name, "version": version}) for i, d, name, version in rows]

    def find_runs(self) -> list[tuple[str, dict[str, Any]]]:
        rows = self.conn.execute(SQL_FILTER, (ACCURACY_THRESHOLD, LEARNING_RATE))
        return [(i, orjson.loads(doc)) for i, doc in rows]

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- measuring


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) with linear interpolation between order statistics."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _disk_bytes(paths: Iterable[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def _checkpointed_bytes(db_file: Path) -> int:
    """Bytes on disk (database + WAL) once the WAL has been copied into the database.

    Without the checkpoint the figure would depend on where each side happens to be
    in its checkpoint cycle (the WAL grows to about 40 MB between checkpoints).
    """
    conn = sqlite3.connect(db_file)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.close()
    return _disk_bytes([db_file, Path(f"{db_file}-wal")])


@dataclass
class Row:
    metric: str
    api: float
    baseline: float
    unit: str  # "rate", "time", "bytes"
    target: float | None = None  # rate: API/baseline at least; time, bytes: at most
    detail: str = ""
    profile_fn: Callable[[], object] | None = None
    profile: str = ""

    @property
    def ratio(self) -> float:
        """API over baseline: time or bytes (lower is better), or rate (higher is better)."""
        return self.api / self.baseline if self.baseline else math.inf

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        if self.unit == "rate":
            return self.ratio >= self.target
        return self.ratio <= self.target

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "-"
        if self.unit == "rate":
            return f">= {self.target:g}x"
        return f"<= {self.target:g}x"

    def cell(self, value: float) -> str:
        if self.unit == "rate":
            return f"{value:,.0f}/s"
        if self.unit == "bytes":
            return f"{value / 1e6:,.1f} MB"
        return f"{value * 1e3:,.2f} ms"


@dataclass
class ScaleResult:
    label: str
    plan: lineage.PipelinePlan
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    api_ingest_s: float = 0.0
    model: IngestModel | None = None
    requested: int = 0
    seconds: float = 0.0


def _api_ids(rows: list[dict[str, Any]], run_ids: dict[str, str]) -> list[str]:
    return [run_ids.get(r["_id"], r["_id"]) for r in rows]


def check_walk(
    case: str,
    start: str,
    api_rows: list[dict[str, Any]],
    sql_rows: list[tuple[str, int, dict[str, Any]]],
    run_ids: dict[str, str],
) -> int:
    """Same vertex ids (and distances) from one start; no duplicates from the API."""
    got = _api_ids(api_rows, run_ids)
    if len(got) != len(set(got)):
        dupes = [v for v, n in Counter(got).items() if n > 1][:5]
        raise _mismatch(case, f"from {start}: the API returned duplicates {dupes}")
    got_set = set(got)
    want_set = {i for i, _, _ in sql_rows}
    if got_set != want_set:
        extra = sorted(got_set - want_set)[:5]
        missing = sorted(want_set - got_set)[:5]
        raise _mismatch(case, f"from {start}: API-only {extra}, SQL-only {missing}")
    depths = {i: d for i, d, _ in sql_rows}
    for vertex_id, row in zip(got, api_rows, strict=True):
        if row.get("_depth") != depths[vertex_id]:
            raise _mismatch(
                case,
                f"from {start}: {vertex_id} at depth {row.get('_depth')} (API) vs "
                f"{depths[vertex_id]} (SQL)",
            )
    return len(got)


def check_ingest(
    plan: lineage.PipelinePlan,
    store: MetadataStore,
    sql: SqlBaseline,
    run_ids: dict[str, str],
    seed: int,
) -> None:
    """Both sides hold what the plan says; a sample of artifacts reads back the same."""
    expected = plan.counts()
    for name in ALL_COLLECTIONS:
        api_n, sql_n = store.backend.count(name), sql.count(name)
        if not api_n == sql_n == expected[name]:
            raise _mismatch("ingest", f"{name}: API {api_n}, SQL {sql_n}, plan {expected[name]}")
    if len(run_ids) != expected["runs"]:
        raise _mismatch("ingest", f"{len(run_ids)} runs recorded, plan {expected['runs']}")
    rng = random.Random(seed)
    with_artifacts = [s for s in plan.steps if s.collection]
    for step in rng.sample(with_artifacts, min(100, len(with_artifacts))):
        api_doc = store.get(step.artifact_id)
        row = sql.conn.execute(
            f"SELECT doc FROM {step.collection} WHERE id = ?", (step.artifact_id,)
        ).fetchone()
        if row is None:
            raise _mismatch("ingest", f"{step.artifact_id} missing from SQL")
        sql_doc = orjson.loads(row[0])
        for key, value in step.fields.items():
            if api_doc.get(key) != value or sql_doc.get(key) != value:
                raise _mismatch("ingest", f"{step.artifact_id}.{key} differs")


_STATEMENT = re.compile(r"^\s*(\w+)")


def _runs_scan(store: MetadataStore, fn: Callable[[], object]) -> str:
    """The SQL statement(s) ``fn`` makes the embedded engine run against the runs table."""
    storage = store.backend.db.storage  # type: ignore[attr-defined]
    table = storage.collection("runs").table
    seen: list[str] = []
    storage.conn.set_trace_callback(seen.append)
    try:
        fn()
    finally:
        storage.conn.set_trace_callback(None)
    return " | ".join(q for q in seen if re.search(rf"\bFROM {table}\b", q))


def statement_census(
    store: MetadataStore, steps: Sequence[lineage.PipelineStep]
) -> tuple[dict[str, Counter[str]], str]:
    """What the API runs in SQLite per step kind (SQLite's trace callback): transactions
    (write, read, and read transactions that run no query at all), statements by verb and
    the pages its commits append to the write-ahead log ("WAL frames": each B-tree a
    commit touches is a page more to write, and to copy back at the next checkpoint).
    Also the query plan of the version lookup that ``register()`` runs."""
    storage = store.backend.db.storage  # type: ignore[attr-defined]
    conn = storage.conn
    wal = Path(f"{storage.path}-wal")
    frame_bytes = conn.execute("PRAGMA page_size").fetchone()[0] + 24  # a frame's header: 24
    census: dict[str, Counter[str]] = defaultdict(Counter)
    current: Counter[str] = Counter()
    in_transaction: list[str] = []
    lookups: list[str] = []

    def trace(statement: str) -> None:
        match = _STATEMENT.match(statement)
        verb = match.group(1).upper() if match else "?"
        if verb == "BEGIN":
            in_transaction.clear()
            current["write txn" if "IMMEDIATE" in statement.upper() else "read txn"] += 1
        elif verb == "COMMIT":
            if all(v in ("BEGIN", "PRAGMA") for v in in_transaction):
                current["empty read txn"] += 1
        elif verb != "PRAGMA":
            current[verb] += 1
        in_transaction.append(verb)
        if verb == "SELECT" and """'$."name"'""" in statement and not lookups:
            lookups.append(statement)

    run_ids: dict[str, str] = {}
    conn.set_trace_callback(trace)
    conn.execute("PRAGMA wal_autocheckpoint=0")  # the log only grows: its size counts frames
    try:
        for step in steps:
            current.clear()
            before = wal.stat().st_size if wal.exists() else 0
            with store.transaction():  # as record_api() records a step
                record_step(store, step, run_ids)
            census[step.kind].update(current)
            census[step.kind]["WAL frames"] += (wal.stat().st_size - before) // frame_bytes
            census[step.kind]["(steps)"] += 1
    finally:
        conn.set_trace_callback(None)
        for pragma in CONNECTION_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
    plan = ""
    if lookups:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {lookups[0]}").fetchall()
        plan = f"{lookups[0]}  =>  {' / '.join(str(r[-1]) for r in rows)}"
    return census, plan


# --------------------------------------------------------------------------- profiling


def _short(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(REPO_ROOT))
    except ValueError:
        parts = Path(filename).parts
        return "/".join(parts[-2:]) if len(parts) >= 2 else filename


def profile(fn: Callable[[], object], top: int, min_seconds: float = 0.5) -> str:
    """cProfile ``fn`` (repeated until ``min_seconds``): arangoml_meta functions by
    cumulative share of the profiled time, then the hottest functions by own time."""
    profiler = cProfile.Profile()
    calls = 0
    began = time.perf_counter()
    while calls == 0 or time.perf_counter() - began < min_seconds:
        profiler.enable()
        fn()
        profiler.disable()
        calls += 1
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in entries.values()) or 1.0

    def label(func: tuple[str, int, str]) -> str:
        filename, line, name = func
        return name if filename == "~" else f"{name} ({_short(filename)}:{line})"

    ours = [kv for kv in entries.items() if f"arangoml_meta{os.sep}" in kv[0][0]]
    by_cum = sorted(ours, key=lambda kv: kv[1][3], reverse=True)[:top]
    by_own = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    out = [
        f"    profiled {calls} call(s), {total:.2f} s under the profiler",
        "    arangoml_meta, by cumulative time:   cum%    cum s    calls  function",
    ]
    for func, (_, ncalls, _, ct, _) in by_cum:
        out.append(f"{'':40}{100 * ct / total:5.1f}  {ct:7.3f}  {ncalls:7d}  {label(func)}")
    out.append("    everything, by own time:               own%    own s    calls  function")
    for func, (_, ncalls, tt, _, _) in by_own:
        out.append(f"{'':40}{100 * tt / total:5.1f}  {tt:7.3f}  {ncalls:7d}  {label(func)}")
    return "\n".join(out)


# --------------------------------------------------------------------------- one scale


def run_scale(
    label: str,
    total: int,
    args: argparse.Namespace,
    workdir: Path,
    actor: str,
    environment: dict[str, Any],
    log: Callable[[str], None],
) -> ScaleResult:
    began = time.perf_counter()
    plan = lineage.generate_pipeline(total, args.seed)
    counts = plan.counts()
    n_items = plan.total
    kinds = Counter(s.kind for s in plan.steps)
    log(
        f"[{label}] plan: {len(plan.steps):,} steps "
        f"({', '.join(f'{k} {kinds[k]:,}' for k in lineage.STEP_KINDS)}), "
        f"{n_items:,} documents + edges"
    )
    result = ScaleResult(label, plan, [])
    notes = result.notes
    # the plan stays in memory: keep it out of the cyclic GC's way (as bench_aql.py does)
    gc.collect()
    gc.freeze()

    # ------------------------------------------------------------------ ingest
    store_dir = workdir / f"store-{label}"
    store = open_store(str(store_dir))
    progress: list[tuple[int, float]] = []
    start = time.perf_counter()
    run_ids = record_api(store, plan.steps, progress)
    api_s = time.perf_counter() - start
    result.model = IngestModel.fit(progress)
    log(f"[{label}] API ingest: {api_s:.1f} s, {n_items / api_s:,.0f} docs+edges/s")
    api_bytes = _checkpointed_bytes(Path(store.backend.location))

    sql_path = workdir / f"baseline-{label}.db"
    sql = SqlBaseline(str(sql_path), actor, environment)
    sql.create_schema()
    sql_s = _timed(lambda: sql.record(plan.steps))
    log(f"[{label}] SQL ingest: {sql_s:.1f} s, {n_items / sql_s:,.0f} docs+edges/s")
    sql_bytes = _checkpointed_bytes(sql_path)
    check_ingest(plan, store, sql, run_ids, args.seed)
    result.api_ingest_s = api_s

    def profile_ingest() -> None:
        # the steady-state cost at this scale: the last steps once more, into the full store
        # (new versions of the same artifacts); run after every other measurement
        record_api(store, plan.steps[-PROFILE_TAIL_STEPS:], check=False)

    result.rows.append(
        Row(
            "ingest (docs+edges/s)",
            n_items / api_s,
            n_items / sql_s,
            "rate",
            INGEST_TARGET,
            f"{n_items:,} in {api_s:.1f} s vs {sql_s:.1f} s; {len(plan.steps):,} steps",
            profile_ingest,
        )
    )
    # ------------------------------------------------------------------ lineage
    rng = random.Random(args.seed + 1)
    roots = rng.sample(plan.dataset_roots, LINEAGE_STARTS)
    deployments = rng.sample(plan.deployments, LINEAGE_STARTS)

    def lineage_rows(name: str, downstream: bool, starts: list[str], target: float) -> None:
        api_fn = store.downstream if downstream else store.upstream
        sql_text = SQL_DOWNSTREAM if downstream else SQL_UPSTREAM
        found = [check_walk(name, s, api_fn(s), sql.walk(sql_text, s), run_ids) for s in starts]
        if sum(found) == 0:
            raise _mismatch(name, "both sides found nothing: the case measures no work")
        api_t: list[float] = []
        sql_t: list[float] = []
        ids_t: list[float] = []
        ids_sql = _ids_only_sql(sql_text)
        for _ in range(args.rounds):
            for s in starts:  # each query timed on its own, the sides interleaved
                t0 = time.perf_counter()
                api_fn(s)
                t1 = time.perf_counter()
                sql.walk(sql_text, s)
                t2 = time.perf_counter()
                sql.conn.execute(ids_sql, {"start": s}).fetchall()
                t3 = time.perf_counter()
                api_t.append(t1 - t0)
                sql_t.append(t2 - t1)
                ids_t.append(t3 - t2)
        detail = (
            f"{len(starts)} starts x {args.rounds}; {min(found)}..{max(found)} "
            f"vertices (total {sum(found):,})"
        )

        def profiled() -> None:
            for s in starts:
                api_fn(s)

        result.rows.append(
            Row(
                f"{name} p50",
                percentile(api_t, 0.5),
                percentile(sql_t, 0.5),
                "time",
                target,
                detail,
                profiled,
            )
        )
        result.rows.append(
            Row(f"{name} p95", percentile(api_t, 0.95), percentile(sql_t, 0.95), "time")
        )
        log(
            f"[{label}] {name}: p50 {percentile(api_t, 0.5) * 1e3:.2f} ms vs "
            f"{percentile(sql_t, 0.5) * 1e3:.2f} ms"
        )
        notes.append(
            f"{name}: the CTE returning ids only (no documents, bench_aql.py's baseline) "
            f"has p50 {percentile(ids_t, 0.5) * 1e3:.2f} ms: API/ids-only "
            f"{percentile(api_t, 0.5) / percentile(ids_t, 0.5):.2f}x"
        )

    lineage_rows("downstream(dataset)", True, roots, DOWNSTREAM_TARGET)
    lineage_rows("upstream(deployment)", False, deployments, UPSTREAM_TARGET)

    # ------------------------------------------------------------------ filter
    def api_find() -> list[dict[str, Any]]:
        return store.find("runs", API_FILTER)

    got = _api_ids(api_find(), run_ids)
    want = [i for i, _ in sql.find_runs()]
    if Counter(got) != Counter(want):
        raise _mismatch(
            "filter",
            f"{len(got)} vs {len(want)} runs; API-only {sorted(set(got) - set(want))[:5]}, "
            f"SQL-only {sorted(set(want) - set(got))[:5]}",
        )
    if not got:
        raise _mismatch("filter", "both sides found nothing: the case measures no work")
    api_t, sql_t = [], []
    for _ in range(args.filter_reps):
        api_t.append(_timed(api_find))
        sql_t.append(_timed(sql.find_runs))
    result.rows.append(
        Row(
            "find(runs, accuracy > 0.9 and lr = 0.01) p50",
            percentile(api_t, 0.5),
            percentile(sql_t, 0.5),
            "time",
            FILTER_TARGET,
            f"{len(got):,} of {counts['runs']:,} runs; {args.filter_reps} reps",
            api_find,
        )
    )
    log(
        f"[{label}] filter: p50 {percentile(api_t, 0.5) * 1e3:.2f} ms vs "
        f"{percentile(sql_t, 0.5) * 1e3:.2f} ms"
    )
    # the same question as AQL with literal attribute paths, through store.query(): shows
    # what find()'s way of binding the paths costs
    bind = {"min": ACCURACY_THRESHOLD, "lr": LEARNING_RATE}
    literal_ids = _api_ids(store.query(LITERAL_FILTER_AQL, bind), run_ids)
    if Counter(literal_ids) != Counter(got):
        raise _mismatch("filter", "store.query() with literal paths disagrees with find()")
    literal_t = [
        _timed(lambda: store.query(LITERAL_FILTER_AQL, bind)) for _ in range(args.filter_reps)
    ]
    runs_sql = {
        "find()": _runs_scan(store, api_find),
        "literal": _runs_scan(store, lambda: store.query(LITERAL_FILTER_AQL, bind)),
    }
    notes.append(
        f"filter: the same filter as AQL with literal attribute paths through store.query() "
        f"has p50 {percentile(literal_t, 0.5) * 1e3:.2f} ms "
        f"({percentile(literal_t, 0.5) / percentile(sql_t, 0.5):.2f}x the SQL); "
        + "; ".join(
            f"{who} reads runs with "
            + ("a WHERE clause (filter pushed into SQL)" if "WHERE" in q else "no WHERE clause")
            for who, q in runs_sql.items()
        )
        + " [find() AQL: FOR d IN @@c FILTER d.@fp0 > @fv0_0 AND d.@fp1 == @fv1_0 ...]"
    )

    # ------------------------------------------------------------------ size
    result.rows.append(
        Row(
            "store size (db + wal)",
            float(api_bytes),
            float(sql_bytes),
            "bytes",
            SIZE_TARGET,
            f"{api_bytes / n_items:,.0f} vs {sql_bytes / n_items:,.0f} bytes per doc/edge",
        )
    )

    # ------------------------------------------------------------------ notes
    census_store = open_store(str(workdir / f"store-{label}-census"))
    census, lookup_plan = statement_census(census_store, plan.steps[: min(len(plan.steps), 1_000)])
    census_store.close()
    for kind in lineage.STEP_KINDS:
        if kind not in census:
            continue
        c = census[kind]
        n = c.pop("(steps)")
        txn = [c.pop(k, 0) / n for k in ("write txn", "read txn", "empty read txn")]
        verbs = ", ".join(f"{verb} {count / n:.1f}" for verb, count in sorted(c.items()))
        notes.append(
            f"API per '{kind}' step: {txn[0]:.1f} write + {txn[1]:.1f} read transactions "
            f"({txn[2]:.1f} of them run nothing but PRAGMAs); {verbs} "
            "(SQL: 1 write transaction)"
        )
    if lookup_plan:
        notes.append(f"register()'s version lookup and its SQLite plan: {lookup_plan}")
    env_bytes = len(_encode(environment))
    notes.append(
        f"the captured environment ({env_bytes:,} bytes as JSON) is stored once and named by "
        f"each of the {counts['runs']:,} runs, on both sides"
    )
    if args.profile:  # the ingest last: it adds to the store
        for row in sorted(result.rows, key=lambda r: r.unit == "rate"):
            if row.passed is False and row.profile_fn is not None:
                log(f"[{label}] profiling {row.metric}")
                row.profile = profile(row.profile_fn, args.top)

    store.close()
    sql.close()
    gc.unfreeze()
    result.seconds = time.perf_counter() - began
    return result


# --------------------------------------------------------------------------- report


def format_table(results: Sequence[ScaleResult]) -> str:
    header = ("metric", "scale", "API", "baseline", "API/baseline", "target", "result", "detail")
    rows: list[tuple[str, ...]] = [header]
    for result in results:
        for row in result.rows:
            passed = row.passed
            rows.append(
                (
                    row.metric,
                    result.label,
                    row.cell(row.api),
                    row.cell(row.baseline),
                    f"{row.ratio:.2f}x",
                    row.target_text,
                    "-" if passed is None else ("PASS" if passed else "MISS"),
                    row.detail,
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    numeric = {2, 3, 4}
    lines = []
    for n, row_cells in enumerate(rows):
        cells = [
            c.rjust(w) if i in numeric and n else c.ljust(w)
            for i, (c, w) in enumerate(zip(row_cells, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _load() -> str:
    """The 1-minute load average, or "n/a" where the platform has none."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "n/a"


def parse_scale(text: str) -> int:
    match = re.fullmatch(r"(\d+)(k?)", text.strip().lower())
    if match is None:
        raise ValueError(f"bad scale {text!r}: use a number of documents + edges, e.g. 15k")
    return int(match.group(1)) * (1_000 if match.group(2) else 1)


def _label(total: int) -> str:
    return f"{total // 1_000}k" if total % 1_000 == 0 else str(total)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scales",
        default=DEFAULT_SCALES,
        help=f"comma-separated documents + edges per scale, e.g. 15k,150k (default {DEFAULT_SCALES})",
    )
    parser.add_argument("--seed", type=int, default=lineage.DEFAULT_SEED)
    parser.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET_S,
        help="seconds the API ingest of a scale may take, projected from the previous scale's "
        "rate; a scale that would not fit is shrunk to the largest that does (0: no limit)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over the 20 starts")
    parser.add_argument("--filter-reps", type=int, default=30, help="timed filter queries")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the API side of every missed target"
    )
    parser.add_argument("--top", type=int, default=15, help="functions listed per profile")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary stores")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    try:
        requested = [parse_scale(s) for s in args.scales.split(",") if s.strip()]
    except ValueError as exc:
        parser.error(str(exc))

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    print(
        f"arangoml-meta public API vs hand-written SQLite — Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"seed {args.seed}; lineage: {LINEAGE_STARTS} starts x {args.rounds} rounds, "
        f"each query timed; filter: {args.filter_reps} reps"
    )
    load_at_start = _load()
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    actor = current_actor()
    environment = capture_environment()
    results: list[ScaleResult] = []
    shrunk: list[str] = []
    began = time.perf_counter()
    try:
        for total in requested:
            last = results[-1] if results else None
            if last is not None and last.model is not None and args.budget > 0:
                projected = last.model.seconds(total)
                if projected > args.budget and total > last.plan.total:
                    fits = last.model.largest_within(args.budget) // 5_000 * 5_000
                    fitted = max(last.plan.total, fits)
                    shrunk.append(
                        f"{_label(total)} would take about {projected:.0f} s to record through "
                        f"the API here (budget {args.budget:.0f} s; projected from the {last.label} "
                        f"ingest, which slowed down as the store grew: "
                        f"each item costs {last.model.a * 1e6:.0f} us plus "
                        f"{2 * last.model.b * 1e9:.0f} ns per item already stored): "
                        f"measured at {_label(fitted)} instead, "
                        "the largest scale that fits"
                    )
                    log(f"note: {shrunk[-1]}")
                    total = fitted
            results.append(run_scale(_label(total), total, args, workdir, actor, environment, log))
            done = results[-1]
            if args.budget > 0 and done.api_ingest_s > 1.25 * args.budget:
                shrunk.append(
                    f"{done.label}: the API ingest took {done.api_ingest_s:.0f} s, over the "
                    f"{args.budget:.0f} s budget (the projection was short)"
                )
        print()
        for r in results:
            c = r.plan.counts()
            print(
                f"scale {r.label}: {r.plan.total:,} documents + edges "
                f"({', '.join(f'{n} {c[n]:,}' for n in ALL_COLLECTIONS)}); "
                f"{len(r.plan.steps):,} steps; {r.seconds:.1f} s"
            )
        for message in shrunk:
            print(f"scale: {message}")
        print()
        print(format_table(results))
        print()
        print(
            "API/baseline: the API's rate over the baseline's (ingest, higher is better), or its "
            "time or bytes over the baseline's (lower is better). For comparison (issue, not "
            "measured here): "
            + ", ".join(f"{k} about {v:,}/s" for k, v in REFERENCE_RATES.items())
            + "."
        )
        for r in results:
            for note in r.notes:
                print(f"note [{r.label}]: {note}")
        rows = [(r, row) for r in results for row in r.rows if row.passed is not None]
        misses = [(r, row) for r, row in rows if not row.passed]
        print(
            f"\n{len(rows) - len(misses)} PASS, {len(misses)} MISS; "
            f"total {time.perf_counter() - began:.1f} s; load average {_load()} "
            f"(at the start {load_at_start}: above {os.cpu_count()} the machine was busy, "
            "re-run before reading anything into the figures)"
        )
        for r, row in misses:
            if row.profile:
                print(f"\nprofile: {row.metric} [{r.label}] (API side)")
                print(row.profile)
    except ResultMismatch as exc:
        print(f"\n*** RESULT MISMATCH — benchmark aborted: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"stores kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if args.strict and misses else 0


if __name__ == "__main__":
    sys.exit(main())
