"""Run records of ``../shared/aql-conformance`` against the embedded engine.

The corpus holds queries with the results a real ArangoDB 3.12 returned; its
README gives the record format and the comparison rules implemented here.
``python -m tests.embedded.conformance [FILE]`` prints each failing record.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.errors import ArangoMLMetaError

CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "aql-conformance"
CORPUS_FILES = ("corpus.jsonl", "corpus-tests.jsonl")
KNOWN_FAILURES_FILE = Path(__file__).with_name("conformance_known_failures.txt")


def load_records(file_name: str) -> list[dict[str, Any]]:
    path = CORPUS_DIR / file_name
    with path.open(encoding="utf-8") as handle:
        return [r for r in map(json.loads, handle) if r.get("version") == "3.12"]


def known_failures() -> dict[str, str]:
    """Record id → reason, from the known-failures file (``id<TAB>reason`` lines)."""
    failures: dict[str, str] = {}
    if KNOWN_FAILURES_FILE.exists():
        for line in KNOWN_FAILURES_FILE.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                record_id, _, reason = line.partition("\t")
                failures[record_id.strip()] = reason.strip()
    return failures


def _strip(value: Any, ignored: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v, ignored) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [_strip(v, ignored) for v in value]
    return value


def same(actual: Any, expected: Any) -> bool:
    """Equality under the corpus rules (key order ignored, numbers by value, 1e-9 relative)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if expected == actual:
            return True
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], expected[k]) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return type(actual) is type(expected) and actual == expected


def same_unordered(actual: list[Any], expected: list[Any]) -> bool:
    remaining = list(expected)
    for item in actual:
        for i, candidate in enumerate(remaining):
            if same(item, candidate):
                del remaining[i]
                break
        else:
            return False
    return not remaining


def load_dataset(db: EmbeddedDatabase, dataset: dict[str, Any]) -> None:
    for name, spec in dataset.get("collections", {}).items():
        db.create_collection(name, edge=spec.get("type") == "edge")
        if spec.get("docs"):
            db.insert_many(name, spec["docs"])
    for name, graph in dataset.get("graphs", {}).items():
        db.create_graph(name, graph.get("edgeDefinitions", []), graph.get("orphanCollections"))


@dataclass
class Outcome:
    passed: bool
    detail: str = ""


def _matches(result: list[Any], expected: list[Any], record: dict[str, Any]) -> bool:
    ignored = set(record.get("ignore_attributes") or [])
    result = _strip(result, ignored)
    unordered = record.get("unordered") or record.get("array_order_unstable")
    candidates = [expected, *(record.get("other_versions") or {}).values()]
    for candidate in candidates:
        candidate = _strip(candidate, ignored)
        if unordered and isinstance(candidate, list):
            if same_unordered(result, candidate):
                return True
        elif same(result, candidate):
            return True
    return False


def run_record(record: dict[str, Any]) -> Outcome:
    db = EmbeddedDatabase(":memory:")
    try:
        if record.get("dataset"):
            with (CORPUS_DIR / "datasets" / f"{record['dataset']}.json").open(
                encoding="utf-8"
            ) as handle:
                load_dataset(db, json.load(handle))
        if record.get("dataset_inline"):
            load_dataset(db, record["dataset_inline"])
        try:
            result = db.query(record["query"], record.get("bindVars") or {})
        except ArangoMLMetaError as exc:
            if record.get("expected_error") == exc.error_num:
                return _run_checks(db, record)
            return Outcome(False, f"error {exc.error_num}: {exc}")
        if "expected_error" in record:
            return Outcome(
                False, f"expected error {record['expected_error']}, got {json.dumps(result)[:300]}"
            )
        if not _matches(list(result), record["expected"], record):
            return Outcome(
                False,
                f"got {json.dumps(result)[:600]}\nexpected {json.dumps(record['expected'])[:600]}",
            )
        return _run_checks(db, record)
    except Exception as exc:  # a raw exception is a failure of its own kind
        return Outcome(False, f"RAW {type(exc).__name__}: {exc}")
    finally:
        db.close()


def _run_checks(db: EmbeddedDatabase, record: dict[str, Any]) -> Outcome:
    for check in record.get("checks") or []:
        try:
            result = db.query(check["query"], check.get("bindVars") or {})
        except ArangoMLMetaError as exc:
            return Outcome(False, f"check {check['query']!r} failed: {exc}")
        if not _matches(list(result), check["expected"], record):
            return Outcome(
                False,
                f"check {check['query']!r} got {json.dumps(result)[:400]} "
                f"expected {json.dumps(check['expected'])[:400]}",
            )
    return Outcome(True)


def main(argv: list[str]) -> None:
    files = argv[1:] or list(CORPUS_FILES)
    for file_name in files:
        records = load_records(file_name)
        failed = 0
        for record in records:
            outcome = run_record(record)
            if not outcome.passed:
                failed += 1
                print(f"FAIL {record['id']}\n  {record['query'][:300]!r}\n  {outcome.detail}\n")
        print(f"{file_name}: {len(records) - failed}/{len(records)} passed")


if __name__ == "__main__":
    main(sys.argv)
