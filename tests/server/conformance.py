"""Replay ``../shared/http-conformance`` (requests and responses recorded on ArangoDB 3.12)
against ``arangoml-meta serve``.

The corpus README gives the record format and the comparison rules; this module
implements them: the setup steps (each sent through the HTTP API), the mapping
M from recorded to actual values (bindings, then volatile values), the four
compare modes (exact, listing, shape, status), unordered paths, headers, and a
strict and a lenient ``errorMessage`` check. Each record runs on a server of
its own over a fresh temporary store, in-process through Starlette's
TestClient, authentication off (the recordings have none).

``python -m tests.server.conformance [--area AREA] [--all] [RECORD_ID ...]``
prints each failing record with its differences; ``--update-known-failures``
rewrites ``known_failures.json`` from this run (reasons already written are
kept; a new entry's reason is its first difference, to be edited).
"""

from __future__ import annotations

import argparse
import json
import math
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

PASS, MESSAGE, FAIL = "pass", "message", "fail"

_TOKEN_SEPARATORS = re.compile(r'([/?&=,"\s])')
_DIGIT_RUN = re.compile(r"\d{3,}")
_ANY_TOKEN = r'[^/?&=,"\s]+'
_MISSING = object()


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
    return KnownFailures(
        dict(data.get("failures", {})), dict(data.get("message_differences", {}))
    )


# ---------------------------------------------------------------------- values


def json_type(value: Any) -> str:
    """The JSON type of a parsed value (``1`` and ``1.0`` are both numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def same_value(expected: Any, actual: Any) -> bool:
    """JSON equality: objects without member order, arrays in order, numbers by value
    (``1 == 1.0``, floats within 1e-9 relative), ``true`` never equal to ``1``."""
    kind = json_type(expected)
    if kind != json_type(actual):
        return False
    if kind == "number":
        return expected == actual or math.isclose(expected, actual, rel_tol=1e-9, abs_tol=0.0)
    if kind == "object":
        return expected.keys() == actual.keys() and all(
            same_value(expected[k], actual[k]) for k in expected
        )
    if kind == "array":
        return len(expected) == len(actual) and all(
            same_value(e, a) for e, a in zip(expected, actual)
        )
    return bool(expected == actual)


def same_multiset(expected: list[Any], actual: list[Any]) -> bool:
    """Whether two arrays hold the same elements, in any order."""
    if len(expected) != len(actual):
        return False
    remaining = list(actual)
    for item in expected:
        for i, candidate in enumerate(remaining):
            if same_value(item, candidate):
                del remaining[i]
                break
        else:
            return False
    return True


def split_pointer(pointer: str) -> list[str]:
    """A JSON pointer's reference tokens (``~1`` is ``/``, ``~0`` is ``~``)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def join_pointer(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` (``_MISSING`` when there is none)."""
    node = document
    for token in split_pointer(pointer):
        node = _child(node, token)
        if node is _MISSING:
            break
    return node


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, _MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return _MISSING


# ---------------------------------------------------------------------- the mapping M


def _key(value: Any) -> tuple[str, Any]:
    return (json_type(value), value)


class Mapping:
    """M: recorded value → the value this server gave in its place."""

    def __init__(self) -> None:
        self._to: dict[tuple[str, Any], Any] = {}

    def __contains__(self, recorded: Any) -> bool:
        return _is_scalar(recorded) and _key(recorded) in self._to

    def __getitem__(self, recorded: Any) -> Any:
        return self._to[_key(recorded)]

    def bind(self, recorded: Any, actual: Any) -> None:
        """A binding: the value a setup step gave for ``recorded``."""
        if _is_scalar(recorded):
            self._to[_key(recorded)] = actual

    def match(self, recorded: Any, actual: Any) -> str | None:
        """A generated value: ``actual`` must be what ``recorded`` maps to, or map to it
        anew without another recorded value mapping there; the reason when it does not."""
        if json_type(recorded) != json_type(actual):
            return f"{json_type(actual)} where the recording has a {json_type(recorded)}"
        if not _is_scalar(recorded):
            return None
        if recorded in self:
            if not same_value(self[recorded], actual):
                return f"{actual!r}, not {self[recorded]!r} (what {recorded!r} stands for)"
            return None
        for (_, other), value in self._to.items():
            if _is_scalar(value) and json_type(value) == json_type(actual) and value == actual:
                return f"{actual!r} again, given before for {other!r}, now for {recorded!r}"
        self._to[_key(recorded)] = actual
        return None

    def substitute_string(self, text: str) -> str:
        """``text`` with a recorded value replaced (the whole string, else each token)."""
        if ("string", text) in self._to and isinstance(self._to["string", text], str):
            return str(self._to["string", text])
        parts = _TOKEN_SEPARATORS.split(text)
        return "".join(self._token(part) for part in parts)

    def _token(self, token: str) -> str:
        if token and ("string", token) in self._to:
            value = self._to["string", token]
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
        return token

    def substitute(self, value: Any, skip: Callable[[list[str]], bool] | None = None) -> Any:
        """``value`` with every string substituted (paths for which ``skip`` holds kept)."""
        return self._substitute(value, [], skip)

    def _substitute(
        self, value: Any, path: list[str], skip: Callable[[list[str]], bool] | None
    ) -> Any:
        if skip is not None and skip(path):
            return value
        if isinstance(value, str):
            return self.substitute_string(value)
        if isinstance(value, list):
            return [self._substitute(v, [*path, str(i)], skip) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self._substitute(v, [*path, k], skip) for k, v in value.items()}
        return value

    def header_pattern(self, recorded: str) -> re.Pattern[str]:
        """A ``substitute`` header: the recorded value with M applied, and digit runs of three
        or more that M does not know matching any value."""
        whole = self.substitute_string(recorded)
        if ("string", recorded) in self._to:
            return re.compile(re.escape(whole))
        pattern = ""
        for part in _TOKEN_SEPARATORS.split(recorded):
            substituted = self._token(part)
            if substituted != part:
                pattern += re.escape(substituted)
            else:
                pattern += _ANY_TOKEN.join(re.escape(p) for p in _DIGIT_RUN.split(part))
        return re.compile(pattern)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


# ---------------------------------------------------------------------- responses


@dataclass
class Exchange:
    """A response as the rules read it: status, headers (lowercase names), parsed body."""

    status: int
    headers: dict[str, str]
    body: Any
    text: str

    def as_document(self) -> dict[str, Any]:
        return {"headers": self.headers, "body": self.body}


def read_response(response: httpx.Response, body_format: str | None = None) -> Exchange:
    """``response`` with its body parsed as the recording's ``body_format`` says (JSON when
    it parses and nothing is said)."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    text = response.text
    body: Any = _MISSING
    if body_format == "jsonl":
        try:
            body = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            body = _MISSING
    elif body_format in (None, "json"):
        try:
            body = json.loads(text) if text.strip() else _MISSING
        except ValueError:
            body = _MISSING
    elif body_format == "text":
        body = text
    return Exchange(response.status_code, headers, body, text)


# ---------------------------------------------------------------------- comparison


@dataclass
class Comparison:
    """Differences found between the recorded and the actual response."""

    differences: list[str] = field(default_factory=list)
    message_differences: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.differences:
            return FAIL
        return MESSAGE if self.message_differences else PASS


def compare_response(
    record: dict[str, Any], actual: Exchange, mapping: Mapping, ran_baseline: bool = True
) -> Comparison:
    """Compare ``actual`` with the record's response by the README's rules 4-9."""
    result = Comparison()
    recorded = record["response"]
    if actual.status != recorded["status"]:
        result.differences.append(
            f"status {actual.status}, recorded {recorded['status']}: {actual.text[:300]}"
        )
        return result
    mode = record.get("compare", "exact")
    if mode == "status":
        return result
    expected_doc = {
        "headers": {k.lower(): v for k, v in recorded.get("headers", {}).items()},
        "body": json.loads(json.dumps(recorded.get("body"))),
    }
    actual_doc = json.loads(json.dumps({"headers": actual.headers, "body": _plain(actual.body)}))
    volatile = list(record.get("volatile", []))
    unordered = list(record.get("unordered", []))
    body_format = recorded.get("body_format", "json")

    if body_format in ("json", "jsonl") and actual.body is _MISSING:
        result.differences.append(f"body is not {body_format}: {actual.text[:300]!r}")
        return result
    if body_format == "empty":
        if actual.text.strip():
            result.differences.append(f"body should be empty: {actual.text[:300]!r}")
        expected_doc["body"] = actual_doc["body"] = None

    if mode == "listing" and body_format != "empty":
        listing_problems, volatile, unordered = _project_listing(
            record["listing"], expected_doc, actual_doc, volatile, unordered, ran_baseline
        )
        result.differences.extend(listing_problems)
    if mode == "shape":
        volatile = [v for v in volatile if v["path"].startswith("/headers/")]
    for path in unordered:
        _align_unordered(expected_doc, actual_doc, path, volatile, mapping)

    processed = _walk_volatile(expected_doc, actual_doc, volatile, mapping, result.differences)
    expected_doc = mapping.substitute(expected_doc, skip=lambda p: tuple(p) in processed)
    _compare_headers(expected_doc["headers"], actual_doc["headers"], volatile, mapping, result)
    if body_format == "empty":
        return result
    if mode == "shape":
        _compare_shape(expected_doc["body"], actual_doc["body"], "/body", result.differences)
    else:
        _compare_exact(
            expected_doc["body"], actual_doc["body"], ["body"], set(unordered), result
        )
    return result


def _plain(body: Any) -> Any:
    return None if body is _MISSING else body


def _project_listing(
    listing: dict[str, Any],
    expected_doc: dict[str, Any],
    actual_doc: dict[str, Any],
    volatile: list[dict[str, Any]],
    unordered: list[str],
    ran_baseline: bool,
) -> tuple[list[str], list[dict[str, Any]], list[str]]:
    """Keep only the listed entries (those the setup or request made, the built-in ones,
    and the baseline's when it ran), in the recording's order on both sides; volatile paths
    into the listing follow their entries, those into entries not compared are dropped."""
    problems: list[str] = []
    tokens = split_pointer(listing["path"])
    expected_list = resolve_pointer(expected_doc, listing["path"])
    actual_list = resolve_pointer(actual_doc, listing["path"])
    names = list(listing.get("entries") or [])
    if ran_baseline:
        names += list(listing.get("baseline_entries") or [])
    key = listing.get("key")
    if actual_list is _MISSING or json_type(actual_list) != json_type(expected_list):
        return [f"{listing['path']}: no listing of the recording's type"], volatile, unordered

    def name_of(entry: Any) -> Any:
        return entry.get(key) if key is not None and isinstance(entry, dict) else entry

    moved: dict[str, str] = {}
    if isinstance(expected_list, dict):
        projected_expected = {n: expected_list[n] for n in names if n in expected_list}
        projected_actual: Any = {}
        for name in projected_expected:
            if name in actual_list:
                projected_actual[name] = actual_list[name]
            else:
                problems.append(f"{listing['path']}: no entry {name!r}")
        keep = set(projected_expected)
        volatile = [
            v
            for v in volatile
            if not _under(v["path"], tokens) or split_pointer(v["path"])[len(tokens)] in keep
        ]
    else:
        projected_expected = []
        projected_actual = []
        for name in names:
            index = next((i for i, e in enumerate(expected_list) if name_of(e) == name), None)
            if index is None:
                continue
            moved[str(index)] = str(len(projected_expected))
            projected_expected.append(expected_list[index])
            match = next((e for e in actual_list if name_of(e) == name), _MISSING)
            if match is _MISSING:
                problems.append(f"{listing['path']}: no entry {name!r}")
                projected_actual.append(None)
            else:
                projected_actual.append(match)
        remapped = []
        for v in volatile:
            if not _under(v["path"], tokens):
                remapped.append(v)
                continue
            rest = split_pointer(v["path"])[len(tokens) :]
            if rest and rest[0] in moved:
                remapped.append({**v, "path": join_pointer([*tokens, moved[rest[0]], *rest[1:]])})
        volatile = remapped
    _set_pointer(expected_doc, tokens, projected_expected)
    _set_pointer(actual_doc, tokens, projected_actual)
    return problems, volatile, unordered


def _under(pointer: str, tokens: list[str]) -> bool:
    own = split_pointer(pointer)
    return len(own) > len(tokens) and own[: len(tokens)] == tokens


def _set_pointer(document: Any, tokens: list[str], value: Any) -> None:
    node = document
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    last = tokens[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _align_unordered(
    expected_doc: dict[str, Any],
    actual_doc: dict[str, Any],
    path: str,
    volatile: list[dict[str, Any]],
    mapping: Mapping,
) -> None:
    """Put the actual array's elements in the order of their equals in the recording, so
    that volatile paths (written by position) pair the same elements on both sides."""
    expected = resolve_pointer(expected_doc, path)
    actual = resolve_pointer(actual_doc, path)
    if not isinstance(expected, list) or not isinstance(actual, list):
        return
    tokens = split_pointer(path)
    volatile_within: dict[int, list[list[str]]] = {}
    for v in volatile:
        own = split_pointer(v["path"])
        if len(own) > len(tokens) + 1 and own[: len(tokens)] == tokens and own[len(tokens)].isdigit():
            volatile_within.setdefault(int(own[len(tokens)]), []).append(own[len(tokens) + 1 :])
    all_volatile = [rest for rests in volatile_within.values() for rest in rests]

    def stable(value: Any, rests: list[list[str]]) -> Any:
        value = json.loads(json.dumps(value))
        for rest in rests:
            _delete(value, rest)
        return value

    remaining = list(range(len(actual)))
    order: list[int] = []
    for i, item in enumerate(expected):
        wanted = mapping.substitute(stable(item, volatile_within.get(i, [])))
        for j in remaining:
            if same_value(wanted, stable(actual[j], all_volatile)):
                order.append(j)
                remaining.remove(j)
                break
    order += remaining
    _set_pointer(actual_doc, tokens, [actual[j] for j in order])


def _delete(value: Any, tokens: list[str]) -> None:
    node = value
    for token in tokens[:-1]:
        node = _child(node, token)
        if node is _MISSING:
            return
    if isinstance(node, dict):
        node.pop(tokens[-1], None)


def _walk_volatile(
    expected_doc: dict[str, Any],
    actual_doc: dict[str, Any],
    volatile: list[dict[str, Any]],
    mapping: Mapping,
    differences: list[str],
) -> set[tuple[str, ...]]:
    """Rule 5: check each volatile member by its kind and put the actual value in the
    expected document; the paths (in the expected document) that were so settled."""
    processed: set[tuple[str, ...]] = set()
    for entry in volatile:
        kind, path = entry["kind"], entry["path"]
        if kind == "substitute":
            continue
        exp_parent, exp_token = _locate(expected_doc, split_pointer(path), mapping)
        act_parent, act_token = _locate(actual_doc, split_pointer(path), mapping)
        if exp_parent is _MISSING:
            continue  # not in the recording as it is compared (e.g. a listing entry left out)
        recorded = _child(exp_parent, exp_token)
        if recorded is _MISSING:
            continue
        value = _MISSING if act_parent is _MISSING else _child(act_parent, act_token)
        if value is _MISSING:
            if not path.startswith("/headers/"):  # a missing header: the header rule says it
                differences.append(f"{path}: missing ({kind} value)")
            continue
        where = _resolved_path(expected_doc, split_pointer(path), mapping)
        if kind == "generated_names":
            _rename_members(recorded, value, path, mapping, differences)
            continue
        if kind in ("generated", "revision"):
            unquoted_recorded, unquoted_value = recorded, value
            quoted = False
            if kind == "revision" and path.startswith("/headers/") and isinstance(recorded, str):
                quoted = recorded.startswith('"')
                unquoted_recorded = recorded.strip('"')
                unquoted_value = value.strip('"') if isinstance(value, str) else value
            problem = mapping.match(unquoted_recorded, unquoted_value)
            if problem is not None:
                differences.append(f"{path}: {problem}")
                continue
            settled = f'"{unquoted_value}"' if quoted else unquoted_value
        else:  # timing, memory, server, engine_stats: present, a scalar of the same type
            if _is_scalar(recorded) and json_type(recorded) != json_type(value):
                differences.append(
                    f"{path}: {json_type(value)} where the recording has a {json_type(recorded)}"
                )
                continue
            settled = value
        _put(exp_parent, exp_token, settled)
        processed.add(tuple(where))
    return processed


def _locate(document: Any, tokens: list[str], mapping: Mapping) -> tuple[Any, str]:
    """The parent of the member ``tokens`` name and its name there (a member name that is
    a recorded generated value is read under the name M gives it)."""
    node = document
    for i, token in enumerate(tokens):
        name = _member_name(node, token, mapping)
        if i == len(tokens) - 1:
            return node, name
        node = _child(node, name)
        if node is _MISSING:
            return _MISSING, token
    return _MISSING, ""


def _member_name(node: Any, token: str, mapping: Mapping) -> str:
    if isinstance(node, dict) and token not in node and token in mapping:
        renamed = mapping[token]
        if isinstance(renamed, str):
            return renamed
    return token


def _resolved_path(document: Any, tokens: list[str], mapping: Mapping) -> list[str]:
    node, resolved = document, []
    for token in tokens:
        name = _member_name(node, token, mapping)
        resolved.append(name)
        node = _child(node, name)
    return resolved


def _put(parent: Any, token: str, value: Any) -> None:
    if isinstance(parent, list):
        parent[int(token)] = value
    else:
        parent[token] = value


def _rename_members(
    expected: Any, actual: Any, path: str, mapping: Mapping, differences: list[str]
) -> None:
    """``generated_names``: rename the expected object's members through M; pair the
    names M does not know with the actual object's unmatched names, in order."""
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        differences.append(f"{path}: an object was recorded, {json_type(actual)} given")
        return
    renamed: dict[str, str] = {}
    unknown: list[str] = []
    for name in expected:
        if name in mapping and isinstance(mapping[name], str):
            renamed[name] = mapping[name]
        else:
            unknown.append(name)
    unmatched = [n for n in actual if n not in renamed.values()]
    for name, actual_name in zip(unknown, unmatched):
        problem = mapping.match(name, actual_name)
        if problem is not None:
            differences.append(f"{path}: member name {problem}")
            continue
        renamed[name] = actual_name
    items = [(renamed.get(k, k), v) for k, v in expected.items()]
    expected.clear()
    expected.update(items)


def _compare_headers(
    expected: dict[str, str],
    actual: dict[str, str],
    volatile: list[dict[str, Any]],
    mapping: Mapping,
    result: Comparison,
) -> None:
    """Rule 7: every recorded header present; content-type by media type; the queue time
    not compared; ``substitute`` headers by pattern; the others equal."""
    substituted = {
        split_pointer(v["path"])[1]
        for v in volatile
        if v["kind"] == "substitute" and v["path"].startswith("/headers/")
    }
    for name, value in expected.items():
        if name not in actual:
            result.differences.append(f"header {name}: missing (recorded {value!r})")
            continue
        given = actual[name]
        if name == "x-arango-queue-time-seconds":
            continue
        if name == "content-type":
            if _media_type(value) != _media_type(given):
                result.differences.append(f"header content-type: {given!r}, recorded {value!r}")
            continue
        if name in substituted:
            if not mapping.header_pattern(value).fullmatch(given):
                result.differences.append(f"header {name}: {given!r}, recorded {value!r}")
            continue
        if given != value:
            result.differences.append(f"header {name}: {given!r}, recorded {value!r}")


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _compare_shape(expected: Any, actual: Any, path: str, differences: list[str]) -> None:
    """Every member of the recording exists with the same JSON type, recursively (arrays by
    their first element); extra members allowed, values not compared."""
    if json_type(expected) != json_type(actual):
        differences.append(f"{path}: {json_type(actual)}, recorded {json_type(expected)}")
        return
    if isinstance(expected, dict):
        for name, value in expected.items():
            child = join_pointer([name])
            if name not in actual:
                differences.append(f"{path}{child}: missing")
            else:
                _compare_shape(value, actual[name], path + child, differences)
    elif isinstance(expected, list) and expected and actual:
        _compare_shape(expected[0], actual[0], path + "/0", differences)


def _compare_exact(
    expected: Any, actual: Any, path: list[str], unordered: set[str], result: Comparison
) -> None:
    """Rule 8 (exact) with rule 9: a difference only in an ``errorMessage`` string is a
    message difference (the lenient check passes it), every other one a difference."""
    where = join_pointer(path)
    if where in unordered and isinstance(expected, list) and isinstance(actual, list):
        if not same_multiset(expected, actual):
            result.differences.append(
                f"{where} (any order): {_show(actual)}, recorded {_show(expected)}"
            )
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for name in expected:
            if name not in actual:
                result.differences.append(f"{join_pointer([*path, name])}: missing")
            else:
                _compare_exact(expected[name], actual[name], [*path, name], unordered, result)
        for name in actual:
            if name not in expected:
                result.differences.append(
                    f"{join_pointer([*path, name])}: not recorded ({_show(actual[name])})"
                )
        return
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual)):
            _compare_exact(e, a, [*path, str(i)], unordered, result)
        return
    if same_value(expected, actual):
        return
    line = f"{where}: {_show(actual)}, recorded {_show(expected)}"
    if path[-1] == "errorMessage" and isinstance(expected, str) and isinstance(actual, str):
        result.message_differences.append(line)
    else:
        result.differences.append(line)


def _show(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


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
        body: Any = _MISSING,
        body_text: str | None = None,
        headers: dict[str, str] | None = None,
        body_format: str | None = None,
    ) -> Exchange:
        """Send a request (M substituted in its path, header values and body)."""
        sent_headers = {"accept": "application/json"}
        for name, value in (headers or {}).items():
            sent_headers[name.lower()] = self.mapping.substitute_string(str(value))
        content: bytes | None = None
        if body is not _MISSING:
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
                if found is _MISSING:
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

    def expect_success(self, exchange: Exchange, what: str) -> Any:
        if exchange.status >= 400:
            raise SetupFailed(f"{what}: {exchange.status} {exchange.text[:300]}")
        return exchange.body if exchange.body is not _MISSING else None


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
            if all(same_value(v, document.get(k, _MISSING)) for k, v in shown.items()):
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
            shown = {
                k: v for k, v in node.items() if k not in ("_key", "_id", "_rev", "_oldRev")
            }
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
        step.get("body", _MISSING),
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
    return {"status": exchange.status, "headers": exchange.headers, "body": _plain(exchange.body)}


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
        for i, step in enumerate(baseline_setup()):
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
        for binding in record.get("bindings", []):
            value = resolve_pointer(replay.results[binding["step"]], binding["pointer"])
            if value is _MISSING:
                raise SetupFailed(
                    f"binding {binding['recorded']!r}: step {binding['step']}'s result has "
                    f"nothing at {binding['pointer']}"
                )
            replay.mapping.bind(binding["recorded"], value)
        request = record["request"]
        response = replay.send(
            request["method"],
            request["path"],
            request.get("body", _MISSING),
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
            f"{name:<14}{scope:<8}{count.records:>8}{count.strict:>9}{count.lenient:>9}"
            f"{rate:>8.1%}"
        )

    for scope, chosen in (("in", True), ("out", False)):
        part = [o for o in outcomes if o.in_scope is chosen]
        for area, count in sorted(tally(part).items()):
            lines.append(row(area, scope, count))
    inside = [o for o in outcomes if o.in_scope]
    lines.append(row("in scope", "", _total(inside)))
    lines.append(row("all", "", _total(outcomes)))
    return lines


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
