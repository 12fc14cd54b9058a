"""Replay ``../shared/http-conformance`` (requests and responses recorded on ArangoDB 3.12)
against ``arangoml-meta serve``.

The corpus README gives the record format and the rules. This module runs a record:
the optional baseline, the setup steps (each sent through the HTTP API; their results
kept for bindings and ``$ref``), the bindings that start the mapping M, and the request
with M substituted; ``conformance_rules.py`` compares the response (volatile kinds,
exact / listing / shape / status, unordered paths, headers, strict and lenient
``errorMessage``). Each record runs on a server of its own over a fresh temporary
store, in-process through Starlette's TestClient, authentication off (the recordings
have none), within a time budget.

``python -m tests.server.conformance [--area AREA] [--all] [RECORD_ID ...]``
prints each failing record with its differences; ``--update-known-failures``
rewrites ``known_failures.json`` from this run (reasons already written are
kept; a new entry's reason is its first difference, to be edited).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from .conformance_rules import (
    FAIL,
    MESSAGE,
    MISSING,
    PASS,
    Exchange,
    Mapping,
    compare_response,
    read_response,
    resolve_pointer,
    same_value,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT.parent / "shared" / "http-conformance"
CORPUS_FILE = CORPUS_DIR / "http-corpus.jsonl"
META_FILE = CORPUS_DIR / "http-corpus-meta.json"
KNOWN_FAILURES_FILE = Path(__file__).with_name("known_failures.json")

# The areas `serve` implements (issue 11); records of other areas are replayed and counted
# but not required to pass (README: "arangoml-meta serve", what it does not serve, and why).
IN_SCOPE_AREAS = frozenset(
    {
        "document",
        "collection",
        "cursor",
        "gharial",
        "transaction",
        "index",
        "query",
        "database",
        "user",
        "edges",
        "import",
        "admin",
    }
)
# of area admin, only these (server information clients ask before they start)
IN_SCOPE_ADMIN_PATHS = ("/_api/version", "/_admin/server/availability")

# How long one record may take, setup included: a record of an area the server does not
# implement may run what it cannot interrupt (an async job's 100 one-second SLEEPs, run
# synchronously by a server without jobs); its thread is left behind when the time is up.
IN_SCOPE_SECONDS = 60.0
OUT_OF_SCOPE_SECONDS = 5.0


# ---------------------------------------------------------------------- corpus


@cache
def load_records() -> tuple[dict[str, Any], ...]:
    """Every record of the corpus, in file order."""
    with CORPUS_FILE.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


@cache
def baseline_setup() -> tuple[dict[str, Any], ...]:
    """What the docs server's ``_system`` held before every example (the meta file's)."""
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    return tuple(meta.get("baseline_setup", []))


def records_by_id() -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in load_records()}


def replayable(record: dict[str, Any]) -> bool:
    """Whether the record can run here: its setup is evaluable and it is a single-server one."""
    return bool(record.get("setup_evaluable", True)) and record.get("deployment") == "single"


def in_scope(record: dict[str, Any]) -> bool:
    """Whether ``serve`` must pass the record (a replayable record of an implemented area)."""
    if not replayable(record) or record["area"] not in IN_SCOPE_AREAS:
        return False
    if record["area"] == "admin":
        path = urllib.parse.urlsplit(record["request"]["path"]).path
        path = re.sub(r"^/_db/[^/]+", "", path)
        return path in IN_SCOPE_ADMIN_PATHS
    return True


@dataclass(frozen=True)
class KnownFailures:
    """``known_failures.json``: in-scope records that fail (``failures``) and records that
    pass but for ``errorMessage`` (``message_differences``), each with its reason."""

    failures: dict[str, str]
    message_differences: dict[str, str]

    def expected_outcome(self, record_id: str) -> str:
        if record_id in self.failures:
            return FAIL
        if record_id in self.message_differences:
            return MESSAGE
        return PASS

    def reason(self, record_id: str) -> str:
        return self.failures.get(record_id) or self.message_differences.get(record_id, "")


def load_known_failures(path: Path = KNOWN_FAILURES_FILE) -> KnownFailures:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return KnownFailures(dict(data.get("failures", {})), dict(data.get("message_differences", {})))


# ---------------------------------------------------------------------- setup and replay


class SetupFailed(Exception):
    """A setup step did not do what it should (its response, shortened)."""


class HarnessError(Exception):
    """The record asks for something this replay engine does not know (a bug here)."""


@dataclass
class Replay:
    """One record run against one server: its steps' results, M, and the response."""

    record: dict[str, Any]
    client: httpx.Client
    mapping: Mapping = field(default_factory=Mapping)
    results: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def send(
        self,
        method: str,
        path: str,
        body: Any = MISSING,
        body_text: str | None = None,
        headers: dict[str, str] | None = None,
        body_format: str | None = None,
    ) -> Exchange:
        """Send a request (M substituted in its path, header values and body)."""
        sent_headers = {"accept": "application/json"}
        for name, value in (headers or {}).items():
            sent_headers[name.lower()] = self.mapping.substitute_string(str(value))
        content: bytes | None = None
        if body is not MISSING:
            content = json.dumps(self.mapping.substitute(body)).encode()
            sent_headers.setdefault("content-type", "application/json")
        elif body_text is not None:
            content = self.mapping.substitute_string(body_text).encode()
        url = self.mapping.substitute_string(path)
        response = self.client.request(method, url, content=content, headers=sent_headers)
        return read_response(response, body_format)

    def resolve(self, value: Any) -> Any:
        """``{"$ref": {step, pointer}}`` and ``{"$concat": [...]}`` resolved from this run."""
        if isinstance(value, dict):
            if set(value) == {"$ref"}:
                ref = value["$ref"]
                found = resolve_pointer(self.results[ref["step"]], ref["pointer"])
                if found is MISSING:
                    raise SetupFailed(f"$ref {ref} names nothing in step {ref['step']}'s result")
                return found
            if set(value) == {"$concat"}:
                return "".join(str(self.resolve(part)) for part in value["$concat"])
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def run_step(self, step: dict[str, Any]) -> Any:
        op = step["op"]
        handler = _STEPS.get(op)
        if handler is None:
            raise HarnessError(f"setup op {op!r} is not known to the replay engine")
        return handler(self, self.resolve(step))

    def bind(self, binding: dict[str, Any]) -> None:
        """M[recorded] = the value at ``pointer`` of step ``step``'s result."""
        value = resolve_pointer(self.results[binding["step"]], binding["pointer"])
        if value is MISSING:
            raise SetupFailed(
                f"binding {binding['recorded']!r}: step {binding['step']}'s result has "
                f"nothing at {binding['pointer']}"
            )
        self.mapping.bind(binding["recorded"], value)

    def expect_success(self, exchange: Exchange, what: str) -> Any:
        if exchange.status >= 400:
            raise SetupFailed(f"{what}: {exchange.status} {exchange.text[:300]}")
        return exchange.body if exchange.body is not MISSING else None


def _quote(name: str) -> str:
    return urllib.parse.quote(str(name), safe="")


def _create_collection(replay: Replay, step: dict[str, Any]) -> Any:
    body = {
        "name": step["name"],
        "type": 3 if step.get("type") == "edge" else 2,
        **(step.get("options") or {}),
    }
    exchange = replay.send("POST", "/_api/collection", body)
    return replay.expect_success(exchange, f"create collection {step['name']}")


def _drop_collection(replay: Replay, step: dict[str, Any]) -> Any:
    path = f"/_api/collection/{_quote(step['name'])}"
    if (step.get("options") or {}).get("isSystem"):
        path += "?isSystem=true"
    exchange = replay.send("DELETE", path)
    if exchange.status != 404:
        replay.expect_success(exchange, f"drop collection {step['name']}")
    return None


def _insert(replay: Replay, step: dict[str, Any]) -> Any:
    path = f"/_api/document/{_quote(step['collection'])}" + _query(step.get("options"))
    exchange = replay.send("POST", path, list(step["documents"]))
    result = replay.expect_success(exchange, f"insert into {step['collection']}")
    if not isinstance(result, list) or any(
        not isinstance(r, dict) or r.get("error") for r in result
    ):
        raise SetupFailed(f"insert into {step['collection']}: {exchange.text[:300]}")
    return [{k: r.get(k) for k in ("_key", "_id", "_rev")} for r in result]


def _query(options: dict[str, Any] | None) -> str:
    if not options:
        return ""
    pairs = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in options.items()}
    return "?" + urllib.parse.urlencode(pairs)


def _remove(replay: Replay, step: dict[str, Any]) -> Any:
    exchange = replay.send("DELETE", f"/_api/document/{_quote(step['collection'])}", step["keys"])
    replay.expect_success(exchange, f"remove from {step['collection']}")
    return None


def _update(replay: Replay, step: dict[str, Any]) -> Any:
    path = f"/_api/document/{_quote(step['collection'])}/{_quote(step['key'])}"
    exchange = replay.send("PATCH", path, step["document"])
    return replay.expect_success(exchange, f"update {step['collection']}/{step['key']}")


def _ensure_index(replay: Replay, step: dict[str, Any]) -> Any:
    path = "/_api/index?collection=" + _quote(step["collection"])
    exchange = replay.send("POST", path, step["index"])
    return replay.expect_success(exchange, f"index on {step['collection']}")


def _create_view(replay: Replay, step: dict[str, Any]) -> Any:
    body = {"name": step["name"], "type": step["type"], **(step.get("properties") or {})}
    return replay.expect_success(replay.send("POST", "/_api/view", body), f"view {step['name']}")


def _with(step: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: step[name] for name in names if name in step}


def _create_analyzer(replay: Replay, step: dict[str, Any]) -> Any:
    body = _with(step, "name", "type", "properties", "features")
    replay.expect_success(replay.send("POST", "/_api/analyzer", body), f"analyzer {step['name']}")
    return None


def _create_user(replay: Replay, step: dict[str, Any]) -> Any:
    body = _with(step, "user", "passwd", "active", "extra")
    replay.expect_success(replay.send("POST", "/_api/user", body), f"user {step['user']}")
    return None


def _grant_database(replay: Replay, step: dict[str, Any]) -> Any:
    path = f"/_api/user/{_quote(step['user'])}/database/{_quote(step['database'])}"
    exchange = replay.send("PUT", path, {"grant": step["grant"]})
    replay.expect_success(exchange, f"grant {step['user']} on {step['database']}")
    return None


def _grant_collection(replay: Replay, step: dict[str, Any]) -> Any:
    path = (
        f"/_api/user/{_quote(step['user'])}/database/{_quote(step['database'])}/"
        f"{_quote(step['collection'])}"
    )
    exchange = replay.send("PUT", path, {"grant": step["grant"]})
    replay.expect_success(exchange, f"grant {step['user']} on {step['collection']}")
    return None


def _create_database(replay: Replay, step: dict[str, Any]) -> Any:
    body = _with(step, "name", "options", "users")
    exchange = replay.send("POST", "/_api/database", body)
    replay.expect_success(exchange, f"database {step['name']}")
    return None


def _create_graph(replay: Replay, step: dict[str, Any]) -> Any:
    body = _with(step, "name", "edgeDefinitions", "orphanCollections", "options")
    replay.expect_success(replay.send("POST", "/_api/gharial", body), f"graph {step['name']}")
    return None


def _graph_add_vertex_collection(replay: Replay, step: dict[str, Any]) -> Any:
    path = f"/_api/gharial/{_quote(step['graph'])}/vertex"
    exchange = replay.send("POST", path, {"collection": step["collection"]})
    replay.expect_success(exchange, f"vertex collection {step['collection']}")
    return None


def _load_example_graph(replay: Replay, step: dict[str, Any]) -> Any:
    """The docs' example graph: the named graph (which creates its collections), each
    collection's documents in order (edges without the other run's generated keys), and
    the dataset's indexes."""
    dataset = json.loads((CORPUS_DIR / step["dataset"]).read_text(encoding="utf-8"))
    graph = dataset["graphs"][step["graph"]]
    body = {"name": step["graph"], "edgeDefinitions": graph["edgeDefinitions"]}
    if graph.get("orphanCollections"):
        body["orphanCollections"] = graph["orphanCollections"]
    replay.expect_success(replay.send("POST", "/_api/gharial", body), f"graph {step['graph']}")
    for name, collection in dataset["collections"].items():
        docs = collection.get("docs", [])
        if collection.get("generatedKeys"):
            docs = [{k: v for k, v in doc.items() if k != "_key"} for doc in docs]
        if docs:
            _insert(replay, {"collection": name, "documents": docs})
        for index in collection.get("indexes", []):
            _ensure_index(replay, {"collection": name, "index": index})
    return None


def _any_document(replay: Replay, step: dict[str, Any], index: int) -> Any:
    """One document of the collection: the one the recorded response shows, when it shows
    one (same ``_from``, ``_to`` and attributes), else the first."""
    exchange = replay.send(
        "POST",
        "/_api/cursor",
        {"query": "FOR d IN @@c RETURN d", "bindVars": {"@c": step["collection"]}},
    )
    body = replay.expect_success(exchange, f"read {step['collection']}")
    documents = list((body or {}).get("result") or [])
    if not documents:
        raise SetupFailed(f"any_document: {step['collection']} is empty")
    shown = _shown_document(replay.record, index)
    if shown is not None:
        for document in documents:
            if all(same_value(v, document.get(k, MISSING)) for k, v in shown.items()):
                return document
    return documents[0]


def _shown_document(record: dict[str, Any], step_index: int) -> dict[str, Any] | None:
    """The attributes (no ``_key``, ``_id``, ``_rev``) of the document the recorded
    response shows for the value a binding takes from step ``step_index``."""
    keys = {
        b["recorded"]
        for b in record.get("bindings", [])
        if b["step"] == step_index and b["pointer"] == "/_key"
    }
    for node in _objects(record["response"].get("body")):
        key = node.get("_key")
        if key in keys:
            shown = {k: v for k, v in node.items() if k not in ("_key", "_id", "_rev", "_oldRev")}
            return shown or None
    return None


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child)


def _begin_transaction(replay: Replay, step: dict[str, Any]) -> Any:
    exchange = replay.send("POST", "/_api/transaction/begin", step["body"])
    body = replay.expect_success(exchange, "begin transaction")
    return (body or {}).get("result")


def _run_query(replay: Replay, step: dict[str, Any]) -> Any:
    body = _with(step, "query", "bindVars", "options")
    replay.expect_success(replay.send("POST", "/_api/cursor", body), "query")
    return None


def _wait_for_job(replay: Replay, step: dict[str, Any]) -> Any:
    pause = 0.05
    for _ in range(10):
        if replay.send("GET", step["path"]).status != 204:
            return None
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
    raise SetupFailed(f"the job at {step['path']} did not finish")


def _http(replay: Replay, step: dict[str, Any]) -> Any:
    exchange = replay.send(
        step["method"],
        step["path"],
        step.get("body", MISSING),
        step.get("body_text"),
        step.get("headers"),
    )
    recorded = step.get("record")
    if recorded:
        expected = records_by_id().get(recorded)
        if expected is not None and expected["response"]["status"] != exchange.status:
            replay.notes.append(
                f"setup {step['method']} {step['path']} answered {exchange.status} "
                f"(recorded {expected['response']['status']}): {exchange.text[:200]}"
            )
    return {
        "status": exchange.status,
        "headers": exchange.headers,
        "body": None if exchange.body is MISSING else exchange.body,
    }


_STEPS: dict[str, Callable[[Replay, dict[str, Any]], Any]] = {
    "create_collection": _create_collection,
    "drop_collection": _drop_collection,
    "insert": _insert,
    "remove": _remove,
    "update": _update,
    "ensure_index": _ensure_index,
    "create_view": _create_view,
    "create_analyzer": _create_analyzer,
    "create_user": _create_user,
    "grant_database": _grant_database,
    "grant_collection": _grant_collection,
    "create_database": _create_database,
    "create_graph": _create_graph,
    "graph_add_vertex_collection": _graph_add_vertex_collection,
    "load_example_graph": _load_example_graph,
    "begin_transaction": _begin_transaction,
    "query": _run_query,
    "wait_for_job": _wait_for_job,
    "http": _http,
}
STEP_OPS = frozenset([*_STEPS, "any_document"])


@dataclass
class Outcome:
    """How one record fared: pass (strict), message (passes but for errorMessage), fail."""

    record_id: str
    area: str
    in_scope: bool
    outcome: str
    detail: str = ""
    seconds: float = 0.0
    harness_error: bool = False

    @property
    def passed(self) -> bool:
        """Passed the lenient check (errorMessage differences reported apart)."""
        return self.outcome in (PASS, MESSAGE)


def replay_record(record: dict[str, Any], client: httpx.Client, baseline: bool = True) -> Outcome:
    """Run ``record``'s baseline (optional), setup and request on the server ``client``
    talks to, and compare the response."""
    replay = Replay(record, client)
    scope = in_scope(record)
    baseline_failures: list[str] = []
    if baseline:
        for step in baseline_setup():
            try:
                replay.run_step(step)
            except SetupFailed as exc:  # e.g. the view: a feature the server may not have
                baseline_failures.append(f"baseline {str(exc)[:100]}")
    try:
        for i, step in enumerate(record.get("setup", [])):
            if step["op"] == "any_document":
                replay.results.append(_any_document(replay, replay.resolve(step), i))
            else:
                replay.results.append(replay.run_step(step))
            # M grows as the setup runs: a later step may name what this one made
            for binding in record.get("bindings", []):
                if binding["step"] == i:
                    replay.bind(binding)
        request = record["request"]
        response = replay.send(
            request["method"],
            request["path"],
            request.get("body", MISSING),
            request.get("body_text"),
            request.get("headers"),
            record["response"].get("body_format"),
        )
    except SetupFailed as exc:
        notes = [f"setup failed: {exc}", *replay.notes, *baseline_failures]
        return Outcome(record["id"], record["area"], scope, FAIL, "; ".join(notes))
    comparison = compare_response(record, response, replay.mapping, ran_baseline=baseline)
    lines = comparison.differences + [f"(message) {m}" for m in comparison.message_differences]
    if comparison.outcome != PASS:
        lines += replay.notes + baseline_failures
    return Outcome(record["id"], record["area"], scope, comparison.outcome, "; ".join(lines))


# ---------------------------------------------------------------------- a server per record


def _test_client() -> type[httpx.Client]:
    with warnings.catch_warnings():
        # Starlette >= 1.x suggests its own httpx fork; the TestClient works all the same
        warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
        from starlette.testclient import TestClient
    return TestClient


def replay_on_fresh_server(record: dict[str, Any], workdir: Path, baseline: bool = True) -> Outcome:
    """``record`` on a server of its own over a fresh store in ``workdir``, authentication
    off, within the record's time budget (the outcome says when the time ran out)."""
    budget = IN_SCOPE_SECONDS if in_scope(record) else OUT_OF_SCOPE_SECONDS
    box: dict[str, Outcome] = {}
    started = time.monotonic()

    def run() -> None:
        try:
            box["outcome"] = _replay_in_process(record, workdir, baseline)
        except Exception as exc:  # a bug of the harness (or of the app) for the report
            box["outcome"] = Outcome(
                record["id"],
                record["area"],
                in_scope(record),
                FAIL,
                f"{type(exc).__name__}: {exc}",
                harness_error=isinstance(exc, HarnessError),
            )

    thread = threading.Thread(target=run, name=f"replay-{record['id']}", daemon=True)
    thread.start()
    thread.join(budget)
    seconds = time.monotonic() - started
    if thread.is_alive():
        return Outcome(
            record["id"],
            record["area"],
            in_scope(record),
            FAIL,
            f"no outcome within {budget:.0f} s (the request or a setup step did not return)",
            seconds,
        )
    outcome = box["outcome"]
    outcome.seconds = seconds
    return outcome


def _replay_in_process(record: dict[str, Any], workdir: Path, baseline: bool) -> Outcome:
    from arangoml_meta.server.app import Server, create_app
    from arangoml_meta.server.state import ServerConfig

    server = Server(ServerConfig(store=workdir / "store", auth=False))
    client_class = _test_client()
    with client_class(create_app(server), base_url="http://127.0.0.1:8529") as client:  # type: ignore[call-arg]
        return replay_record(record, client, baseline)


def replay_all(
    records: list[dict[str, Any]], root: Path | None = None, baseline: bool = True
) -> list[Outcome]:
    """Every record on a fresh server of its own (stores under ``root``, else a temporary
    directory removed afterwards)."""
    own = root is None
    base = Path(tempfile.mkdtemp(prefix="http-conformance-")) if root is None else root
    try:
        outcomes = []
        for i, record in enumerate(records):
            workdir = base / f"{i:03d}"
            workdir.mkdir(parents=True, exist_ok=True)
            outcomes.append(replay_on_fresh_server(record, workdir, baseline))
        return outcomes
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------- the report


@dataclass
class AreaCount:
    records: int = 0
    strict: int = 0
    lenient: int = 0


def tally(outcomes: list[Outcome]) -> dict[str, AreaCount]:
    """Per area: records, strict passes, lenient passes."""
    counts: dict[str, AreaCount] = {}
    for outcome in outcomes:
        count = counts.setdefault(outcome.area, AreaCount())
        count.records += 1
        count.strict += outcome.outcome == PASS
        count.lenient += outcome.passed
    return counts


def report_lines(outcomes: list[Outcome]) -> list[str]:
    """The pass counts per area, in scope and out of scope, then the totals."""
    lines = [f"{'area':<14}{'scope':<8}{'records':>8}{'strict':>9}{'lenient':>9}{'rate':>8}"]

    def row(name: str, scope: str, count: AreaCount) -> str:
        rate = count.lenient / count.records if count.records else 0.0
        return (
            f"{name:<14}{scope:<8}{count.records:>8}{count.strict:>9}{count.lenient:>9}{rate:>8.1%}"
        )

    for scope, chosen in (("in", True), ("out", False)):
        part = [o for o in outcomes if o.in_scope is chosen]
        for area, count in sorted(tally(part).items()):
            lines.append(row(area, scope, count))
    inside = [o for o in outcomes if o.in_scope]
    lines.append(row("in scope", "", _total(inside)))
    lines.append(row("all", "", _total(outcomes)))
    return lines


def not_replayed_line() -> str:
    """The records not replayed here, and why."""
    records = load_records()
    cluster = sum(r.get("deployment") == "cluster" for r in records)
    not_evaluable = sum(
        not r.get("setup_evaluable", True) and r.get("deployment") != "cluster" for r in records
    )
    return (
        f"not replayed: {cluster} cluster records (a single server answers here), "
        f"{not_evaluable} whose setup is not evaluable (hot backups, the server's file system)"
    )


def _total(outcomes: list[Outcome]) -> AreaCount:
    return AreaCount(
        len(outcomes),
        sum(o.outcome == PASS for o in outcomes),
        sum(o.passed for o in outcomes),
    )


def in_scope_pass_rate(outcomes: list[Outcome]) -> float:
    inside = [o for o in outcomes if o.in_scope]
    return sum(o.passed for o in inside) / len(inside) if inside else 0.0


# Filled by the conformance test for tests/conftest.py's terminal summary.
SESSION_OUTCOMES: dict[str, Outcome] = {}


def failure_reason(outcome: Outcome) -> str:
    """A first reason for a new known failure: the path the server does not serve, else the
    first difference (to be replaced by what is missing and why)."""
    first = outcome.detail.split("; ")[0]
    unknown = re.search(r"unknown path (/[^\"]*)", first)
    if unknown:
        return f"not served yet: {unknown.group(1)} answers 404 (its API area is not merged)"
    return first[:300]


def write_known_failures(outcomes: list[Outcome], path: Path = KNOWN_FAILURES_FILE) -> None:
    """``known_failures.json`` from this run's in-scope outcomes, keeping written reasons."""
    old = load_known_failures(path)
    failures = {
        o.record_id: old.failures.get(o.record_id) or failure_reason(o)
        for o in outcomes
        if o.in_scope and o.outcome == FAIL
    }
    messages = {
        o.record_id: old.message_differences.get(o.record_id) or failure_reason(o)
        for o in outcomes
        if o.in_scope and o.outcome == MESSAGE
    }
    data = {
        "about": (
            "In-scope records of ../shared/http-conformance that `serve` does not pass "
            "(failures) or passes but for errorMessage (message_differences), each with its "
            "reason. tests/server/test_http_conformance.py checks the list stays exact; "
            "`python -m tests.server.conformance --update-known-failures` rewrites it "
            "(keeping the reasons written, drafting new ones to be edited)."
        ),
        "failures": dict(sorted(failures.items())),
        "message_differences": dict(sorted(messages.items())),
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="record ids (default: every in-scope record)")
    parser.add_argument("--area", action="append", help="only records of this area")
    parser.add_argument("--all", action="store_true", help="out-of-scope records as well")
    parser.add_argument("--update-known-failures", action="store_true")
    args = parser.parse_args(argv)
    records = [r for r in load_records() if replayable(r)]
    if args.ids:
        records = [r for r in records if r["id"] in set(args.ids)]
    elif not args.all:
        records = [r for r in records if in_scope(r)]
    if args.area:
        records = [r for r in records if r["area"] in set(args.area)]
    outcomes = replay_all(records)
    for outcome in outcomes:
        if outcome.outcome != PASS:
            print(f"{outcome.outcome.upper():8}{outcome.record_id}: {outcome.detail}")
    print("\n".join(report_lines(outcomes)))
    if args.update_known_failures:
        write_known_failures(outcomes)
        print(f"wrote {KNOWN_FAILURES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
