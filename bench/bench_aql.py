"""Benchmark: the embedded AQL engine against hand-written SQL on the same SQLite.

One run generates a seeded lineage graph (see ``lineage_data.py``) at two
scales, loads it into an :class:`EmbeddedDatabase` and into a plain SQLite
database with hand-written tables (both files in one temporary directory,
both through the same ``sqlite3`` module in this process), and times, side by
side:

1. downstream traversal from 20 datasets (AQL ``OUTBOUND`` vs recursive CTE);
2. upstream traversal from 20 deployments (AQL ``INBOUND`` vs recursive CTE);
3. a filter on an indexed attribute (``runs.status``) vs SQL using the index;
4. a filter on a nested, non-indexed attribute (``runs.metrics.accuracy``) vs
   SQL with ``json_extract``;
5. bulk insert of every document and edge: ``insert_many`` vs ``executemany``
   of JSON text.

Every case first runs once on both sides and the answers are compared (same
ids, same counts); a mismatch aborts the run with exit status 2. Each figure
is the median of several timed samples. ``--profile`` prints the hottest
functions (cProfile) of the engine side of every case that misses its target.

Run: ``make bench-aql`` or ``.venv/bin/python bench/bench_aql.py [--help]``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import math
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lineage_data as lineage
import orjson

from arangoml_meta.embedded.database import EmbeddedDatabase
from arangoml_meta.embedded.storage import CONNECTION_PRAGMAS

REPO_ROOT = Path(__file__).resolve().parent.parent

SCALES: dict[str, int] = {"15k": 15_000, "150k": 150_000}  # documents + edges
TRAVERSAL_STARTS = 20
MAX_DEPTH = 10
BATCH_SIZE = 1_000
INDEXED_STATUS = "failed"
ACCURACY_THRESHOLD = 0.9

# What a user asking "everything downstream of X" writes: each reachable vertex
# once (global uniqueness needs breadth-first order), as in the ArangoDB docs.
TRAVERSAL_OPTIONS = "OPTIONS { uniqueVertices: 'global', order: 'bfs' }"
AQL_DOWNSTREAM = (
    f"FOR v IN 1..{MAX_DEPTH} OUTBOUND @start GRAPH 'lineage' {TRAVERSAL_OPTIONS} RETURN v._id"
)
AQL_UPSTREAM = (
    f"FOR v IN 1..{MAX_DEPTH} INBOUND @start GRAPH 'lineage' {TRAVERSAL_OPTIONS} RETURN v._id"
)
AQL_INDEXED = "FOR r IN runs FILTER r.status == @status RETURN r._key"
AQL_NESTED = "FOR r IN runs FILTER r.metrics.accuracy > @min RETURN r._key"


def _cte(outbound: bool) -> str:
    """Reachable vertex ids within MAX_DEPTH hops over all three edge tables."""
    near, far = ("from_id", "to_id") if outbound else ("to_id", "from_id")
    steps = "\n  UNION\n".join(
        f"  SELECT e.{far}, r.depth + 1 FROM reach AS r JOIN {table} AS e ON e.{near} = r.id"
        f" WHERE r.depth < {MAX_DEPTH}"
        for table in lineage.EDGE_COLLECTIONS
    )
    return (
        "WITH RECURSIVE reach(id, depth) AS (\n"
        "  SELECT :start, 0\n"
        "  UNION\n"
        f"{steps}\n"
        ")\n"
        "SELECT DISTINCT id FROM reach WHERE depth > 0"
    )


SQL_DOWNSTREAM = _cte(outbound=True)
SQL_UPSTREAM = _cte(outbound=False)
SQL_INDEXED = "SELECT key FROM runs WHERE json_extract(doc, '$.status') = ?"
SQL_NESTED = "SELECT key FROM runs WHERE json_extract(doc, '$.metrics.accuracy') > ?"


class ResultMismatch(Exception):
    """The engine and the SQL baseline disagree: the timings would be meaningless."""


# --------------------------------------------------------------------------- the two stores


def _encode(doc: dict[str, Any]) -> str:
    """Compact JSON text, by the JSON library the store uses (the comparison is of the
    engine, not of JSON libraries)."""
    return orjson.dumps(doc).decode()


class SqlBaseline:
    """Plain SQLite, tables written by hand: what the engine is measured against.

    One table per collection ``(key TEXT PRIMARY KEY, doc TEXT)``, edge tables
    with ``from_id`` / ``to_id`` columns and an index on each, and an expression
    index on ``json_extract(doc, '$.status')`` for the indexed filter. The
    connection uses the engine's settings (autocommit, WAL, ``CONNECTION_PRAGMAS``).
    """

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        for pragma in CONNECTION_PRAGMAS:
            self.conn.execute(f"PRAGMA {pragma}")

    def create_schema(self) -> None:
        for name in lineage.VERTEX_COLLECTIONS:
            self.conn.execute(f"CREATE TABLE {name} (key TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        for name in lineage.EDGE_COLLECTIONS:
            self.conn.execute(
                f"CREATE TABLE {name} (key TEXT PRIMARY KEY, doc TEXT NOT NULL, "
                "from_id TEXT NOT NULL, to_id TEXT NOT NULL)"
            )
            self.conn.execute(f"CREATE INDEX {name}_from ON {name}(from_id)")
            self.conn.execute(f"CREATE INDEX {name}_to ON {name}(to_id)")
        self.conn.execute("CREATE INDEX runs_status ON runs(json_extract(doc, '$.status'))")

    def insert_many(self, name: str, docs: Sequence[dict[str, Any]], edge: bool) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        if edge:
            self.conn.executemany(
                f"INSERT INTO {name}(key, doc, from_id, to_id) VALUES (?, ?, ?, ?)",
                [(d["_key"], _encode(d), d["_from"], d["_to"]) for d in docs],
            )
        else:
            self.conn.executemany(
                f"INSERT INTO {name}(key, doc) VALUES (?, ?)",
                [(d["_key"], _encode(d)) for d in docs],
            )
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _create_engine(path: str) -> EmbeddedDatabase:
    db = EmbeddedDatabase(path)
    for name, _, edge in _empty_layout():
        db.create_collection(name, edge=edge)
    db.ensure_index("runs", ["status"])
    db.create_graph(lineage.GRAPH_NAME, lineage.EDGE_DEFINITIONS)
    return db


def _empty_layout() -> list[tuple[str, None, bool]]:
    return [(n, None, False) for n in lineage.VERTEX_COLLECTIONS] + [
        (n, None, True) for n in lineage.EDGE_COLLECTIONS
    ]


def _batches(docs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [docs[i : i + BATCH_SIZE] for i in range(0, len(docs), BATCH_SIZE)]


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    engine_s: float  # median seconds for one execution of the case
    sql_s: float
    engine_samples: list[float]
    sql_samples: list[float]

    @property
    def ratio(self) -> float:
        return self.engine_s / self.sql_s if self.sql_s > 0 else math.inf


def _calibrate(fn: Callable[[], object], min_sample_s: float) -> int:
    """How many calls make one timing sample last at least ``min_sample_s``."""
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    return max(1, math.ceil(min_sample_s / once)) if once > 0 else 1_000


def _sample(fn: Callable[[], object], inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def time_pair(
    engine: Callable[[], object], sql: Callable[[], object], reps: int, min_sample_s: float = 0.1
) -> Timing:
    """Median per-call time of both sides, samples interleaved (engine, SQL, engine, ...)."""
    engine_inner = _calibrate(engine, min_sample_s)
    sql_inner = _calibrate(sql, min_sample_s)
    engine_samples: list[float] = []
    sql_samples: list[float] = []
    for _ in range(reps):
        engine_samples.append(_sample(engine, engine_inner))
        sql_samples.append(_sample(sql, sql_inner))
    return Timing(
        statistics.median(engine_samples),
        statistics.median(sql_samples),
        engine_samples,
        sql_samples,
    )


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    name: str
    target_kind: str  # "ratio" (engine/SQL at most target) or "rate" (engine docs/s at least)
    target: float
    engine: Callable[[], object]
    timing: Timing
    detail: str = ""
    items: int = 0  # documents for bulk insert
    profile: str = ""  # cProfile summary of the engine side (--profile, missed targets only)

    @property
    def engine_rate(self) -> float:
        return self.items / self.timing.engine_s if self.items else 0.0

    @property
    def sql_rate(self) -> float:
        return self.items / self.timing.sql_s if self.items else 0.0

    @property
    def passed(self) -> bool:
        if self.target_kind == "rate":
            return self.engine_rate >= self.target
        return self.timing.ratio <= self.target

    @property
    def target_text(self) -> str:
        if self.target_kind == "rate":
            return f">= {self.target:,.0f} docs/s"
        return f"<= {self.target:g}x"


def _mismatch(case: str, message: str) -> ResultMismatch:
    return ResultMismatch(f"{case}: engine and SQL disagree: {message}")


def check_traversal(
    case: str, starts: Sequence[str], engine_rows: list[list[Any]], sql_rows: list[list[Any]]
) -> int:
    """Same reachable set per start, no duplicates on the engine side; the total count."""
    total = 0
    for start, got, want in zip(starts, engine_rows, sql_rows, strict=True):
        if len(got) != len(set(got)):
            dupes = [v for v, n in Counter(got).items() if n > 1][:5]
            raise _mismatch(case, f"from {start}: engine returned duplicates {dupes}")
        got_set, want_set = set(got), set(want)
        if got_set != want_set:
            extra = sorted(got_set - want_set)[:5]
            missing = sorted(want_set - got_set)[:5]
            raise _mismatch(case, f"from {start}: engine-only {extra}, SQL-only {missing}")
        total += len(got)
    if total == 0:
        raise _mismatch(case, "both sides found nothing: the case measures no work")
    return total


def check_keys(case: str, engine_keys: list[Any], sql_keys: list[Any]) -> int:
    if Counter(engine_keys) != Counter(sql_keys):
        a, b = Counter(engine_keys), Counter(sql_keys)
        raise _mismatch(
            case,
            f"{len(engine_keys)} vs {len(sql_keys)} keys; engine-only {sorted((a - b).keys())[:5]},"
            f" SQL-only {sorted((b - a).keys())[:5]}",
        )
    if not engine_keys:
        raise _mismatch(case, "both sides found nothing: the case measures no work")
    return len(engine_keys)


def check_loaded(
    data: lineage.LineageData, db: EmbeddedDatabase, sql: SqlBaseline, seed: int
) -> None:
    """Both stores hold every document; a sample reads back identical on both sides."""
    rng = random.Random(seed)
    for name, docs, _ in data.collections():
        engine_count = db.count(name)
        sql_count = sql.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if not engine_count == sql_count == len(docs):
            raise _mismatch(
                "bulk insert",
                f"{name}: engine {engine_count}, SQL {sql_count}, generated {len(docs)}",
            )
        for doc in rng.sample(docs, min(50, len(docs))):
            stored = db.get(name, doc["_key"])
            row = sql.conn.execute(
                f"SELECT doc FROM {name} WHERE key = ?", (doc["_key"],)
            ).fetchone()
            if stored is None or row is None:
                raise _mismatch("bulk insert", f"{name}/{doc['_key']} missing")
            engine_doc = {k: v for k, v in stored.items() if k not in ("_id", "_rev")}
            if engine_doc != orjson.loads(row[0]) or engine_doc != doc:
                raise _mismatch("bulk insert", f"{name}/{doc['_key']} differs")


# --------------------------------------------------------------------------- one scale


@dataclass
class ScaleResult:
    label: str
    data: lineage.LineageData
    hops: tuple[int, int]
    cases: list[Case]
    notes: list[str]
    seconds: float


def _uses_index(conn: sqlite3.Connection, sql: str, params: Sequence[Any], index: str) -> bool:
    plan = conn.execute(f"EXPLAIN QUERY PLAN {sql}", list(params)).fetchall()
    return any(index in str(row[-1]) for row in plan)


_EDGE_LOOKUP = re.compile(r"FROM (c\d+) WHERE (from_id|to_id) = '([^']*)'")


def statement_census(db: EmbeddedDatabase, fn: Callable[[], object]) -> tuple[Counter[str], int]:
    """The SQL statements ``fn`` makes the engine run, by kind; and how many edge lookups
    ask an edge collection about a vertex its graph definition rules out."""
    tables = {c.table: c.name for c in db.storage.collections()}
    definitions = {d["collection"]: d for d in lineage.EDGE_DEFINITIONS}
    census: Counter[str] = Counter()
    ruled_out = 0

    def trace(statement: str) -> None:
        nonlocal ruled_out
        text = statement.lstrip().upper()
        match = _EDGE_LOOKUP.search(statement)
        if match:
            census["edge lookup"] += 1
            definition = definitions[tables[match.group(1)]]
            allowed = definition["from" if match.group(2) == "from_id" else "to"]
            if match.group(3).partition("/")[0] not in allowed:
                ruled_out += 1
        elif text.startswith("SELECT DOC FROM") and "WHERE KEY =" in text:
            census["document fetch"] += 1
        elif text.startswith(("SAVEPOINT", "RELEASE")):
            census["savepoint/release"] += 1
        elif text.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            census["begin/commit"] += 1
        else:
            census[text.split()[0].lower()] += 1

    db.storage.conn.set_trace_callback(trace)
    try:
        fn()
    finally:
        db.storage.conn.set_trace_callback(None)
    return census, ruled_out


def run_scale(
    label: str,
    total: int,
    seed: int,
    reps: int,
    load_reps: int,
    workdir: Path,
    log: Callable[[str], None],
    profile_top: int = 0,
) -> ScaleResult:
    began = time.perf_counter()
    data = lineage.generate_total(total, seed)
    hops = data.dataset_to_deployment_hops()
    log(
        f"[{label}] generated {data.document_count:,} documents + {data.edge_count:,} edges "
        f"= {data.total:,} (dataset -> deployment paths: {hops[0]}..{hops[1]} hops)"
    )
    cases: list[Case] = []
    notes: list[str] = []
    # the generated documents stay in memory for the checks: keep them out of the cyclic
    # GC's way, or full collections over them add noise to whichever side triggers one
    gc.collect()
    gc.freeze()

    # 5. bulk insert, also the load the query cases run on (the last repetition is kept)
    engine_load: list[float] = []
    sql_load: list[float] = []
    db: EmbeddedDatabase | None = None
    sql: SqlBaseline | None = None
    for rep in range(load_reps):
        if db is not None and sql is not None:
            db.close()
            sql.close()
        engine_path = workdir / f"engine-{label}-{rep}.db"
        sql_path = workdir / f"sql-{label}-{rep}.db"
        db = _create_engine(str(engine_path))
        sql = SqlBaseline(str(sql_path))
        sql.create_schema()
        start = time.perf_counter()
        for name, docs, _ in data.collections():
            for batch in _batches(docs):
                db.insert_many(name, batch)
        engine_load.append(time.perf_counter() - start)
        start = time.perf_counter()
        for name, docs, edge in data.collections():
            for batch in _batches(docs):
                sql.insert_many(name, batch, edge)
        sql_load.append(time.perf_counter() - start)
        if rep < load_reps - 1:
            for path in (engine_path, sql_path):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert db is not None and sql is not None
    check_loaded(data, db, sql, seed)
    load_timing = Timing(
        statistics.median(engine_load), statistics.median(sql_load), engine_load, sql_load
    )

    profile_loads = itertools.count()

    def reload_engine() -> None:  # for --profile: one more load into a fresh file
        path = workdir / f"engine-{label}-profile-{next(profile_loads)}.db"
        fresh = _create_engine(str(path))
        for name, docs, _ in data.collections():
            for batch in _batches(docs):
                fresh.insert_many(name, batch)
        fresh.close()

    cases_bulk = Case(
        "bulk insert (all docs+edges)",
        "rate",
        30_000.0,
        reload_engine,
        load_timing,
        f"batches of {BATCH_SIZE}",
        items=data.total,
    )
    log(
        f"[{label}] bulk insert: engine {cases_bulk.engine_rate:,.0f} docs/s, "
        f"SQL {cases_bulk.sql_rate:,.0f} docs/s"
    )

    rng = random.Random(seed + 1)
    roots = rng.sample(data.dataset_roots, TRAVERSAL_STARTS)
    deployments = rng.sample(data.deployments, TRAVERSAL_STARTS)
    conn = sql.conn
    engine_db = db

    def traversal_case(name: str, aql: str, cte: str, starts: list[str]) -> None:
        def engine() -> list[list[Any]]:
            return [engine_db.query(aql, {"start": s}) for s in starts]

        def baseline() -> list[list[Any]]:
            return [[r[0] for r in conn.execute(cte, {"start": s})] for s in starts]

        found = check_traversal(name, starts, engine(), baseline())
        timing = time_pair(engine, baseline, reps)
        cases.append(Case(name, "ratio", 4.0, engine, timing, f"{found:,} vertices"))
        log(f"[{label}] {name}: {timing.engine_s * 1e3:.1f} ms vs {timing.sql_s * 1e3:.1f} ms")
        census, ruled_out = statement_census(engine_db, engine)
        per_query = ", ".join(
            f"{kind} {count / len(starts):.1f}" for kind, count in census.most_common()
        )
        # the fixed cost of one such query: a start vertex with no edges at all
        floor = time_pair(
            lambda: engine_db.query(aql, {"start": "datasets/no-such-vertex"}), lambda: None, reps
        ).engine_s
        notes.append(
            f"{name}: one engine query that finds nothing costs {floor * 1e3:.2f} ms "
            f"(x{len(starts)} = {len(starts) * floor / timing.engine_s:.0%} of the engine's time)"
        )
        notes.append(
            f"{name}: SQL statements per engine query: {per_query} (the CTE: 1); "
            f"{ruled_out / max(1, census['edge lookup']):.0%} of the edge lookups are for a "
            "vertex collection the graph definition excludes from that edge collection"
        )

    def filter_case(
        name: str, aql: str, bind: dict[str, Any], sql_text: str, params: list[Any], target: float
    ) -> None:
        def engine() -> list[Any]:
            return engine_db.query(aql, bind)

        def baseline() -> list[Any]:
            return [r[0] for r in conn.execute(sql_text, params)]

        found = check_keys(name, engine(), baseline())
        timing = time_pair(engine, baseline, reps)
        cases.append(
            Case(
                name,
                "ratio",
                target,
                engine,
                timing,
                f"{found:,} of {len(data.vertices['runs']):,} runs",
            )
        )
        log(f"[{label}] {name}: {timing.engine_s * 1e3:.1f} ms vs {timing.sql_s * 1e3:.1f} ms")
        # split the engine's time: its own SQL (run bare) vs everything done in Python
        captured: list[tuple[str, list[Any]]] = []
        engine_db.storage.tracer = lambda text, args: captured.append((text, list(args)))
        try:
            engine()
        finally:
            engine_db.storage.tracer = None
        runs_table = engine_db.storage.collection("runs").table
        scans = [(t, p) for t, p in captured if f"FROM {runs_table}" in t]
        if len(scans) != 1:
            notes.append(f"{name}: engine issued {len(scans)} scans of runs")
            return
        scan_sql, scan_params = scans[0]
        engine_conn = engine_db.storage.conn
        split = time_pair(
            engine, lambda: engine_conn.execute(scan_sql, scan_params).fetchall(), reps
        )
        plan = " ".join(
            str(row[-1])
            for row in engine_conn.execute(f"EXPLAIN QUERY PLAN {scan_sql}", scan_params)
        )
        access = "an index search" if "USING INDEX" in plan else "a full table scan"
        notes.append(
            f"{name}: the engine's own SQL ({access}) run bare takes {_ms(split.sql_s)}, "
            f"{split.sql_s / split.engine_s:.0%} of the engine's {_ms(split.engine_s)}; "
            "the rest is Python (decode + FILTER + RETURN). "
            f"SQL: {scan_sql}"
        )

    traversal_case(
        f"downstream traversal x{TRAVERSAL_STARTS}", AQL_DOWNSTREAM, SQL_DOWNSTREAM, roots
    )
    traversal_case(
        f"upstream traversal x{TRAVERSAL_STARTS}", AQL_UPSTREAM, SQL_UPSTREAM, deployments
    )
    filter_case(
        "indexed filter runs.status",
        AQL_INDEXED,
        {"status": INDEXED_STATUS},
        SQL_INDEXED,
        [INDEXED_STATUS],
        2.0,
    )
    filter_case(
        "nested filter metrics.accuracy",
        AQL_NESTED,
        {"min": ACCURACY_THRESHOLD},
        SQL_NESTED,
        [ACCURACY_THRESHOLD],
        2.0,
    )
    cases.append(cases_bulk)

    if not _uses_index(conn, SQL_INDEXED, [INDEXED_STATUS], "runs_status"):
        raise ResultMismatch("the SQL baseline's indexed filter does not use its index")

    if profile_top:
        for case in cases:
            if not case.passed:
                log(f"[{label}] profiling {case.name}")
                case.profile = profile(case.engine, profile_top)
    db.close()
    sql.close()
    gc.unfreeze()
    return ScaleResult(label, data, hops, cases, notes, time.perf_counter() - began)


# --------------------------------------------------------------------------- report


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


def format_table(results: Sequence[ScaleResult]) -> str:
    header = (
        "case",
        "scale",
        "engine",
        "SQL",
        "engine/SQL",
        "engine docs/s",
        "SQL docs/s",
        "target",
        "result",
        "answer",
    )
    rows: list[tuple[str, ...]] = [header]
    for result in results:
        for case in result.cases:
            rows.append(
                (
                    case.name,
                    result.label,
                    _ms(case.timing.engine_s),
                    _ms(case.timing.sql_s),
                    f"{case.timing.ratio:.2f}x",
                    f"{case.engine_rate:,.0f}" if case.items else "",
                    f"{case.sql_rate:,.0f}" if case.items else "",
                    case.target_text,
                    "PASS" if case.passed else "MISS",
                    case.detail,
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6}
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in numeric and n else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _short(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return Path(filename).name


def profile(fn: Callable[[], object], top: int, min_seconds: float = 0.3) -> str:
    """The hottest functions of ``fn`` by own time, and the engine functions by cumulative time."""
    calls = _calibrate(fn, min_seconds)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in entries.values()) or 1.0

    def label(func: tuple[str, int, str]) -> str:
        filename, line, name = func
        return name if filename == "~" else f"{name} ({_short(filename)}:{line})"

    by_own = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    engine_funcs = [kv for kv in entries.items() if "arangoml_meta" in kv[0][0]]
    by_cum = sorted(engine_funcs, key=lambda kv: kv[1][3], reverse=True)[:top]
    out = [
        f"    profiled {calls} call(s); total own time {total:.2f} s",
        "    by own time:   own%    own s    calls  function",
    ]
    for func, (_, ncalls, tt, _, _) in by_own:
        out.append(
            f"                  {100 * tt / total:5.1f}  {tt:7.3f}  {ncalls:7d}  {label(func)}"
        )
    out.append("    engine, by cumulative time:   cum%    cum s  function")
    for func, (_, _, _, ct, _) in by_cum:
        out.append(
            f"                                 {100 * ct / total:5.1f}  {ct:7.3f}  {label(func)}"
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scales",
        default=",".join(SCALES),
        help=f"comma-separated subset of {', '.join(SCALES)} (default: all)",
    )
    parser.add_argument("--seed", type=int, default=lineage.DEFAULT_SEED)
    parser.add_argument("--reps", type=int, default=9, help="timed samples per query case")
    parser.add_argument("--load-reps", type=int, default=3, help="timed bulk loads per scale")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the engine side of every case that misses its target",
    )
    parser.add_argument("--top", type=int, default=15, help="functions listed per profile")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    labels = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {unknown}; choose from {list(SCALES)}")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    print(
        f"embedded AQL engine vs hand-written SQL — Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"seed {args.seed}, medians of {args.reps} samples ({args.load_reps} for bulk insert)"
    )
    print(f"traversals: {AQL_DOWNSTREAM.replace('OUTBOUND', 'OUTBOUND|INBOUND')}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-aql-"))
    results: list[ScaleResult] = []
    misses: list[tuple[ScaleResult, Case]] = []
    began = time.perf_counter()
    try:
        for label in labels:
            results.append(
                run_scale(
                    label,
                    SCALES[label],
                    args.seed,
                    args.reps,
                    args.load_reps,
                    workdir,
                    log,
                    args.top if args.profile else 0,
                )
            )
        print()
        for r in results:
            print(
                f"scale {r.label}: {r.data.document_count:,} documents + {r.data.edge_count:,} "
                f"edges = {r.data.total:,}; runs {len(r.data.vertices['runs']):,}; "
                f"dataset -> deployment {r.hops[0]}..{r.hops[1]} hops; {r.seconds:.1f} s"
            )
        print()
        print(format_table(results))
        print()
        for r in results:
            for note in r.notes:
                print(f"note [{r.label}]: {note}")
        misses = [(r, c) for r in results for c in r.cases if not c.passed]
        print(
            f"\n{sum(len(r.cases) for r in results) - len(misses)} PASS, {len(misses)} MISS; "
            f"total {time.perf_counter() - began:.1f} s"
        )
        for r, c in misses:
            if c.profile:
                print(f"\nprofile: {c.name} [{r.label}] (engine side)")
                print(c.profile)
    except ResultMismatch as exc:
        print(f"\n*** RESULT MISMATCH — benchmark aborted: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"databases kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if args.strict and misses else 0


if __name__ == "__main__":
    sys.exit(main())
