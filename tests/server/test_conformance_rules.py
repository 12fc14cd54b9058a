"""The replay engine's comparison rules do what ``../shared/http-conformance/README.md``
says: each recorded response, as another run of the same server would give it (generated
values renamed consistently, timings changed, unordered arrays and listings reordered,
listings with extra entries), passes; a changed value fails."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from .conformance import CORPUS_FILE, load_records, replayable
from .conformance_rules import (
    FAIL,
    MESSAGE,
    PASS,
    Exchange,
    Mapping,
    compare_response,
    join_pointer,
    resolve_pointer,
    same_multiset,
    same_value,
    split_pointer,
)

pytestmark = pytest.mark.skipif(
    not CORPUS_FILE.is_file(), reason=f"HTTP conformance corpus not found at {CORPUS_FILE}"
)

RECORDS = [r for r in load_records() if replayable(r)] if CORPUS_FILE.is_file() else []
SEPARATORS = '/?&=,"'


class Renamer:
    """T: a recorded generated value → the value another run gives (same JSON type,
    one-to-one), applied to whole strings and to their tokens as a server would repeat it.
    A value made of tokens (``products/70564``) keeps the tokens without digits (the
    collection) and renames the others, as another run of the server would."""

    def __init__(self, recorded: set[Any]) -> None:
        self.to: dict[Any, Any] = {}
        for value in recorded:
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, (int, float)):
                self.to[value] = value + 1_000_003
            elif isinstance(value, str) and value:
                tokens = [t for t in _tokens(value)[1:] if t]
                if len(tokens) == 1:
                    self.to[value] = self._renamed(value)
                for token in tokens:
                    if len(tokens) > 1 and any(c.isdigit() for c in token):
                        self.to[token] = self._renamed(token)

    @staticmethod
    def _renamed(value: str) -> str:
        return value + "9" if value.isdigit() else "Zq" + value

    def string(self, text: str) -> str:
        if text in self.to:
            return str(self.to[text])
        out, token = [], ""
        for char in text:
            if char in SEPARATORS or char.isspace():
                out.append(str(self.to.get(token, token)) + char)
                token = ""
            else:
                token += char
        out.append(str(self.to.get(token, token)))
        return "".join(out)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value  # a number is renamed where it is volatile only (see another_run)


def recorded_generated(record: dict[str, Any]) -> set[Any]:
    document = {
        "headers": record["response"].get("headers", {}),
        "body": record["response"].get("body"),
    }
    values: set[Any] = {b["recorded"] for b in record.get("bindings", [])}
    for entry in record.get("volatile", []):
        value = resolve_pointer(document, entry["path"])
        if entry["kind"] in ("generated", "revision") and isinstance(value, (str, int, float)):
            values.add(value.strip('"') if isinstance(value, str) else value)
    return values  # generated member names are renamed as the values they repeat


def another_run(record: dict[str, Any]) -> tuple[Exchange, Mapping]:
    """The record's response as another run would give it, and M after its setup."""
    response = record["response"]
    renamer = Renamer(recorded_generated(record))
    headers = {k.lower(): renamer.string(v) for k, v in response.get("headers", {}).items()}
    body = copy.deepcopy(response.get("body"))
    document = {"headers": headers, "body": body}
    for entry in record.get("volatile", []):
        tokens = split_pointer(entry["path"])
        if entry["kind"] == "generated_names":
            continue
        if entry["kind"] in ("timing", "memory", "server", "engine_stats"):
            _change(document, tokens, renamer)
        elif entry["kind"] in ("generated", "revision"):
            _renumber(document, tokens, renamer)
    document["body"] = _rename_members(renamer.value(document["body"]), record, renamer)
    for path in record.get("unordered", []):
        _reverse(document, split_pointer(path))
    if record.get("compare") == "listing":
        _shuffle_listing(document, record["listing"])
    mapping = Mapping()
    for binding in record.get("bindings", []):
        mapping.bind(binding["recorded"], renamer.value(binding["recorded"]))
    body = document["body"]
    text = "" if response.get("body_format") == "empty" else json.dumps(body)
    return Exchange(response["status"], document["headers"], body, text), mapping


def _parent(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node.get(token)
        if node is None:
            return None
    return node


def _change(document: Any, tokens: list[str], renamer: Renamer) -> None:
    parent = _parent(document, tokens)
    if parent is None:
        return
    key: Any = int(tokens[-1]) if isinstance(parent, list) else tokens[-1]
    if isinstance(parent, dict) and key not in parent:
        return
    value = parent[key]
    if tokens[:2] == ["headers", "x-arango-queue-time-seconds"]:
        parent[key] = "0.000017"
    elif isinstance(value, bool):
        parent[key] = not value
    elif isinstance(value, (int, float)):
        parent[key] = value * 3 + 7
    elif isinstance(value, str):
        parent[key] = value + " (another)"
    elif isinstance(value, dict):
        parent[key] = {"other": [1, 2]}
    elif isinstance(value, list):
        parent[key] = [*value, "more"]


def _renumber(document: Any, tokens: list[str], renamer: Renamer) -> None:
    parent = _parent(document, tokens)
    if parent is None:
        return
    key: Any = int(tokens[-1]) if isinstance(parent, list) else tokens[-1]
    value = parent[key] if isinstance(parent, list) or key in parent else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[key] = renamer.to[value]


def _rename_members(body: Any, record: dict[str, Any], renamer: Renamer) -> Any:
    for entry in record.get("volatile", []):
        if entry["kind"] != "generated_names" or not entry["path"].startswith("/body"):
            continue
        tokens = split_pointer(entry["path"])[1:]
        node = body
        for token in tokens:
            node = node[int(token)] if isinstance(node, list) else node[token]
        renamed = {renamer.string(k): v for k, v in node.items()}
        node.clear()
        node.update(reversed(list(renamed.items())))
    return body


def _reverse(document: Any, tokens: list[str]) -> None:
    parent = _parent(document, tokens)
    if parent is not None and isinstance(parent.get(tokens[-1]), list):
        parent[tokens[-1]] = list(reversed(parent[tokens[-1]]))


def _shuffle_listing(document: Any, listing: dict[str, Any]) -> None:
    tokens = split_pointer(listing["path"])
    parent = _parent(document, tokens)
    entries = parent[tokens[-1]]
    if isinstance(entries, list):
        extra = {listing["key"]: "an-unlisted-entry"} if listing.get("key") else "unlisted"
        parent[tokens[-1]] = [extra, *reversed(entries)]
    elif isinstance(entries, dict):
        parent[tokens[-1]] = {"unlisted": 1, **dict(reversed(list(entries.items())))}


# ---------------------------------------------------------------------- the whole corpus


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_another_run_of_the_recording_server_passes(record: dict[str, Any]) -> None:
    actual, mapping = another_run(record)
    result = compare_response(record, actual, mapping)
    assert result.outcome == PASS, result.differences + result.message_differences


def _fixed_leaves(record: dict[str, Any]) -> list[list[str]]:
    """Body paths of scalars no rule lets vary (not volatile, not under a volatile member,
    not a recorded generated value, in a compared listing entry)."""
    volatile = [split_pointer(v["path"]) for v in record.get("volatile", [])]
    generated = recorded_generated(record)
    leaves: list[list[str]] = []

    def walk(value: Any, path: list[str]) -> None:
        if any(path[: len(v)] == v for v in volatile):
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, [*path, k])
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, [*path, str(i)])
        elif not (isinstance(value, str) and any(t in generated for t in _tokens(value))) and (
            value not in generated or isinstance(value, bool) or value is None
        ):
            leaves.append(path)

    walk(record["response"].get("body"), ["body"])
    if record.get("compare") == "listing":
        listing = split_pointer(record["listing"]["path"])
        leaves = [p for p in leaves if p[: len(listing)] != listing]
    return leaves


def _tokens(text: str) -> list[str]:
    token, out = "", [text]
    for char in text:
        if char in SEPARATORS or char.isspace():
            out.append(token)
            token = ""
        else:
            token += char
    return [*out, token]


CHANGEABLE = [
    r
    for r in RECORDS
    if r.get("compare") in ("exact", "listing")
    and r["response"].get("body_format") == "json"
    and _fixed_leaves(r)
]


@pytest.mark.parametrize("record", CHANGEABLE, ids=[r["id"] for r in CHANGEABLE])
def test_a_changed_value_fails(record: dict[str, Any]) -> None:
    actual, mapping = another_run(record)
    path = _fixed_leaves(record)[-1]
    parent = _parent({"body": actual.body}, path)
    key: Any = int(path[-1]) if isinstance(parent, list) else path[-1]
    value = parent[key]
    parent[key] = (
        ("changed" if not isinstance(value, str) else value + "-changed")
        if path[-1] != "errorNum"
        else value + 1
    )
    result = compare_response(record, actual, mapping)
    expected = MESSAGE if path[-1] == "errorMessage" else FAIL
    assert result.outcome == expected, (join_pointer(path), result)


# ---------------------------------------------------------------------- single rules


def record_of(
    body: Any,
    volatile: list[tuple[str, str]] = (),  # type: ignore[assignment]
    compare: str = "exact",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": "Rule#1",
        "area": "document",
        "response": {
            "status": 200,
            "headers": headers or {"content-type": "application/json"},
            "body_format": "json",
            "body": body,
        },
        "volatile": [{"path": p, "kind": k} for p, k in volatile],
        "compare": compare,
        **extra,
    }


def answer(body: Any, headers: dict[str, str] | None = None, status: int = 200) -> Exchange:
    return Exchange(status, headers or {"content-type": "application/json"}, body, json.dumps(body))


def outcome(record: dict[str, Any], actual: Exchange, mapping: Mapping | None = None) -> str:
    return compare_response(record, actual, mapping or Mapping()).outcome


KEYED = record_of(
    {"_key": "70477", "_id": "products/70477", "new": {"_key": "70477"}},
    [("/body/_key", "generated"), ("/body/_id", "generated"), ("/body/new/_key", "generated")],
)


def test_a_generated_value_is_any_value_of_the_same_type() -> None:
    assert (
        outcome(KEYED, answer({"_key": "12", "_id": "products/12", "new": {"_key": "12"}})) == PASS
    )
    assert outcome(KEYED, answer({"_key": 12, "_id": "products/12", "new": {"_key": 12}})) == FAIL


def test_a_generated_value_repeated_in_the_recording_is_repeated_in_the_answer() -> None:
    assert (
        outcome(KEYED, answer({"_key": "12", "_id": "products/12", "new": {"_key": "13"}})) == FAIL
    )


def test_two_generated_values_may_not_become_one() -> None:
    record = record_of(
        {"a": "_rev1", "b": "_rev2"}, [("/body/a", "revision"), ("/body/b", "revision")]
    )
    assert outcome(record, answer({"a": "x", "b": "y"})) == PASS
    assert outcome(record, answer({"a": "x", "b": "x"})) == FAIL


def test_a_bound_value_must_be_what_the_setup_gave() -> None:
    mapping = Mapping()
    mapping.bind("70477", "12")
    assert (
        outcome(KEYED, answer({"_key": "12", "_id": "products/12", "new": {"_key": "12"}}), mapping)
        == PASS
    )
    mapping = Mapping()
    mapping.bind("70477", "99")
    assert (
        outcome(KEYED, answer({"_key": "12", "_id": "products/12", "new": {"_key": "12"}}), mapping)
        == FAIL
    )


def test_recorded_values_are_substituted_in_strings_and_their_tokens() -> None:
    record = record_of({"message": "conflicting key: 70477", "id": "products/70477"})
    mapping = Mapping()
    mapping.bind("70477", "12")
    assert (
        outcome(record, answer({"message": "conflicting key: 12", "id": "products/12"}), mapping)
        == PASS
    )
    assert (
        outcome(record, answer({"message": "conflicting key: 70477", "id": "products/12"}), mapping)
        == FAIL
    )


def test_generated_member_names_are_renamed_through_the_mapping() -> None:
    record = record_of(
        {"indexes": [{"id": "p/1872"}], "identifiers": {"p/1872": {"id": "p/1872"}}},
        [
            ("/body/indexes/0/id", "generated"),
            ("/body/identifiers", "generated_names"),
            ("/body/identifiers/p~11872/id", "generated"),
        ],
    )
    good = {"indexes": [{"id": "p/5"}], "identifiers": {"p/5": {"id": "p/5"}}}
    assert outcome(record, answer(good)) == PASS
    bad = {"indexes": [{"id": "p/5"}], "identifiers": {"p/6": {"id": "p/6"}}}
    assert outcome(record, answer(bad)) == FAIL


def test_timings_need_only_be_present_with_their_type() -> None:
    record = record_of(
        {"stats": {"executionTime": 0.0003}}, [("/body/stats/executionTime", "timing")]
    )
    assert outcome(record, answer({"stats": {"executionTime": 12}})) == PASS
    assert outcome(record, answer({"stats": {"executionTime": "fast"}})) == FAIL
    assert outcome(record, answer({"stats": {}})) == FAIL


def test_numbers_compare_by_value() -> None:
    record = record_of({"count": 1, "ratio": 0.1, "flag": True})
    assert outcome(record, answer({"count": 1.0, "ratio": 0.1 + 1e-12, "flag": True})) == PASS
    assert outcome(record, answer({"count": 1, "ratio": 0.1, "flag": 1})) == FAIL
    assert outcome(record, answer({"count": 2, "ratio": 0.1, "flag": True})) == FAIL
    assert same_value(1, 1.0) and not same_value(True, 1) and not same_value(0, None)


def test_objects_ignore_member_order_and_arrays_keep_theirs() -> None:
    record = record_of({"a": 1, "b": [1, 2]})
    assert outcome(record, answer({"b": [1, 2], "a": 1})) == PASS
    assert outcome(record, answer({"a": 1, "b": [2, 1]})) == FAIL
    assert outcome(record, answer({"a": 1, "b": [1, 2], "c": 3})) == FAIL


def test_unordered_paths_compare_as_multisets() -> None:
    record = record_of(
        {
            "edges": [
                {"_key": "5", "_rev": "r1"},
                {"_key": "6", "_rev": "r2"},
                {"_key": "6", "_rev": "r3"},
            ]
        },
        [
            ("/body/edges/0/_rev", "revision"),
            ("/body/edges/1/_rev", "revision"),
            ("/body/edges/2/_rev", "revision"),
        ],
        unordered=["/body/edges"],
    )
    permuted = {
        "edges": [
            {"_key": "6", "_rev": "a"},
            {"_key": "5", "_rev": "b"},
            {"_key": "6", "_rev": "c"},
        ]
    }
    assert outcome(record, answer(permuted)) == PASS
    other = {
        "edges": [
            {"_key": "6", "_rev": "a"},
            {"_key": "5", "_rev": "b"},
            {"_key": "5", "_rev": "c"},
        ]
    }
    assert outcome(record, answer(other)) == FAIL
    assert same_multiset([1, 2, 2], [2, 1, 2]) and not same_multiset([1, 2, 2], [1, 1, 2])


LISTING = record_of(
    {
        "error": False,
        "result": [
            {"name": "_system_thing", "id": "1"},
            {"name": "demo", "id": "123"},
            {"name": "mine", "id": "7"},
        ],
    },
    [("/body/result/1/id", "generated"), ("/body/result/2/id", "generated")],
    compare="listing",
    listing={
        "path": "/body/result",
        "key": "name",
        "entries": ["mine"],
        "baseline_entries": ["demo"],
    },
)


def test_a_listing_ignores_entries_it_does_not_name_and_its_order() -> None:
    actual = {
        "error": False,
        "result": [
            {"name": "other", "id": "9"},
            {"name": "mine", "id": "70"},
            {"name": "demo", "id": "71"},
        ],
    }
    assert outcome(LISTING, answer(actual)) == PASS


def test_a_listing_must_hold_the_entries_it_names_as_recorded() -> None:
    missing = {"error": False, "result": [{"name": "demo", "id": "71"}]}
    assert outcome(LISTING, answer(missing)) == FAIL
    changed = {
        "error": False,
        "result": [{"name": "mine", "id": "70", "x": 1}, {"name": "demo", "id": "71"}],
    }
    assert outcome(LISTING, answer(changed)) == FAIL
    rest = {"error": True, "result": [{"name": "mine", "id": "70"}, {"name": "demo", "id": "71"}]}
    assert outcome(LISTING, answer(rest)) == FAIL


def test_baseline_entries_count_only_when_the_baseline_ran() -> None:
    without_demo = {"error": False, "result": [{"name": "mine", "id": "70"}]}
    assert outcome(LISTING, answer(without_demo)) == FAIL
    result = compare_response(LISTING, answer(without_demo), Mapping(), ran_baseline=False)
    assert result.outcome == PASS


def test_shape_compares_members_and_types_not_values() -> None:
    record = record_of(
        {"server": "arango", "details": {"cores": 8, "list": [{"a": 1}]}}, compare="shape"
    )
    assert (
        outcome(
            record,
            answer({"server": "x", "details": {"cores": 2, "list": [{"a": 5, "b": 1}]}, "more": 1}),
        )
        == PASS
    )
    assert outcome(record, answer({"server": "x", "details": {"cores": "2", "list": []}})) == FAIL
    assert outcome(record, answer({"server": "x", "details": {"list": []}})) == FAIL


def test_the_status_decides_first() -> None:
    record = record_of({"a": 1}, compare="status")
    assert outcome(record, answer({"b": 2})) == PASS
    assert outcome(record, answer({"a": 1}, status=201)) == FAIL


def test_error_messages_differ_leniently() -> None:
    error = {"code": 404, "error": True, "errorMessage": "document not found", "errorNum": 1202}
    record = record_of(error)
    assert outcome(record, answer(error)) == PASS
    assert outcome(record, answer({**error, "errorMessage": "no such document"})) == MESSAGE
    assert outcome(record, answer({**error, "errorNum": 1203})) == FAIL
    assert outcome(record, answer({k: v for k, v in error.items() if k != "errorMessage"})) == FAIL


def test_headers_must_be_present_and_compare_by_their_rule() -> None:
    recorded = {
        "content-type": "application/json",
        "location": "/_db/_system/_api/document/products/70564",
        "etag": '"_l6zhVEC---"',
        "x-arango-queue-time-seconds": "0.000000",
        "x-arango-error-codes": '{"1202":2}',
    }
    record = record_of(
        {},
        [
            ("/headers/etag", "revision"),
            ("/headers/location", "substitute"),
            ("/headers/x-arango-queue-time-seconds", "timing"),
        ],
        headers=recorded,
    )
    given = {
        "content-type": "application/json; charset=utf-8",
        "location": "/_db/_system/_api/document/products/4711",
        "etag": '"_abc---"',
        "x-arango-queue-time-seconds": "0.5",
        "x-arango-error-codes": '{"1202":2}',
        "server": "uvicorn",
    }
    assert outcome(record, answer({}, given)) == PASS
    for name, value in [
        ("content-type", "text/plain"),
        ("location", "/_db/_system/_api/document/other/4711"),
        ("etag", "_abc---"),
        ("x-arango-error-codes", '{"1202":1}'),
    ]:
        assert outcome(record, answer({}, {**given, name: value})) == FAIL, name
    for name in recorded:
        assert outcome(record, answer({}, {k: v for k, v in given.items() if k != name})) == FAIL, (
            name
        )


def test_a_substitute_header_uses_the_mapping_where_it_knows_the_value() -> None:
    record = record_of(
        {}, [("/headers/location", "substitute")], headers={"location": "/_api/document/p/70564"}
    )
    mapping = Mapping()
    mapping.bind("70564", "12")
    assert (
        compare_response(record, answer({}, {"location": "/_api/document/p/12"}), mapping).outcome
        == PASS
    )
    mapping = Mapping()
    mapping.bind("70564", "12")
    assert (
        compare_response(record, answer({}, {"location": "/_api/document/p/13"}), mapping).outcome
        == FAIL
    )


def test_the_mapping_substitutes_requests() -> None:
    mapping = Mapping()
    mapping.bind("70706", "5")
    mapping.bind("products/70706", "products/5")
    assert mapping.substitute_string("/_api/document/products/70706?keepNull=false") == (
        "/_api/document/products/5?keepNull=false"
    )
    assert mapping.substitute({"id": "products/70706", "n": 70706}) == {
        "id": "products/5",
        "n": 70706,
    }
    assert mapping.substitute_string('"70706"') == '"5"'
    assert mapping.substitute_string("707061") == "707061"


def test_json_pointers_escape_slash_and_tilde() -> None:
    assert split_pointer("/body/identifiers/products~173870/id") == [
        "body",
        "identifiers",
        "products/73870",
        "id",
    ]
    assert join_pointer(["a/b", "c~d"]) == "/a~1b/c~0d"
    assert resolve_pointer({"a/b": [0, {"c": 1}]}, "/a~1b/1/c") == 1


def test_an_id_maps_its_generated_key_but_never_a_name() -> None:
    mapping = Mapping()
    mapping.bind("products/73910", "products/5")
    assert mapping.substitute_string("/_api/index/products/73910") == "/_api/index/products/5"
    other = Mapping()
    other.bind("products/73910", "things/73910")
    assert other.substitute_string("products") == "products"
    record = record_of(
        {"id": "products/73910", "collection": "products"}, [("/body/id", "generated")]
    )
    assert outcome(record, answer({"id": "things/5", "collection": "things"})) == FAIL
