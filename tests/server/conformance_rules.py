"""The comparison rules of ``../shared/http-conformance/README.md`` (rules 2-9): the
mapping M from recorded to actual values, the volatile kinds, the compare modes (exact,
listing, shape, status), unordered paths, headers, and ``errorMessage`` compared strictly
and leniently. ``conformance.py`` replays records and hands each response to
:func:`compare_response`."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PASS, MESSAGE, FAIL = "pass", "message", "fail"

_TOKEN_SEPARATORS = re.compile(r'([/?&=,"\s])')
_DIGIT_RUN = re.compile(r"\d{3,}")
_ANY_TOKEN = r'[^/?&=,"\s]+'
MISSING: Any = object()  # no such member / no body


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
            same_value(e, a) for e, a in zip(expected, actual, strict=True)
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
    """The value at ``pointer`` (``MISSING`` when there is none)."""
    node = document
    for token in split_pointer(pointer):
        node = _child(node, token)
        if node is MISSING:
            break
    return node


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, MISSING)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return MISSING


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
            self._pair_tokens(recorded, actual)

    def _pair_tokens(self, recorded: Any, actual: Any) -> None:
        """Values made of tokens the same way that differ in one token of digits only (a
        generated key or id: ``products/73910`` and ``products/5``) map that token too, so
        that a recorded id names its key inside a path (``/_api/index/products/73910``); a
        token M knows keeps its value, and names (a collection's) are never mapped so."""
        if not isinstance(recorded, str) or not isinstance(actual, str):
            return
        ours, theirs = _TOKEN_SEPARATORS.split(recorded), _TOKEN_SEPARATORS.split(actual)
        if len(ours) != len(theirs) or len(ours) == 1 or ours[1::2] != theirs[1::2]:
            return
        differing = [(o, t) for o, t in zip(ours, theirs, strict=True) if o != t]
        if len(differing) == 1 and differing[0][0].isdigit():
            token, value = differing[0]
            if ("string", token) not in self._to:
                self._to["string", token] = value

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
        self._pair_tokens(recorded, actual)
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
    body: Any = MISSING
    if body_format == "jsonl":
        try:
            body = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            body = MISSING
    elif body_format in (None, "json"):
        try:
            body = json.loads(text) if text.strip() else MISSING
        except ValueError:
            body = MISSING
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

    if body_format in ("json", "jsonl") and actual.body is MISSING:
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
        _compare_exact(expected_doc["body"], actual_doc["body"], ["body"], set(unordered), result)
    return result


def _plain(body: Any) -> Any:
    return None if body is MISSING else body


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
    if actual_list is MISSING or json_type(actual_list) != json_type(expected_list):
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
            match = next((e for e in actual_list if name_of(e) == name), MISSING)
            if match is MISSING:
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
        if (
            len(own) > len(tokens) + 1
            and own[: len(tokens)] == tokens
            and own[len(tokens)].isdigit()
        ):
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
        if node is MISSING:
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
        if exp_parent is MISSING:
            continue  # not in the recording as it is compared (e.g. a listing entry left out)
        recorded = _child(exp_parent, exp_token)
        if recorded is MISSING:
            continue
        value = MISSING if act_parent is MISSING else _child(act_parent, act_token)
        if value is MISSING:
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
        if node is MISSING:
            return MISSING, token
    return MISSING, ""


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
    for name, actual_name in zip(unknown, unmatched, strict=False):
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
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
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
