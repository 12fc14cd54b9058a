"""Fuzzing EmbeddedDatabase.query: any input gives a result or an ArangoMLMetaError.

Three generators: (a) random token soup from AQL's vocabulary, (b) queries of
the shared conformance corpus mutated by deleting / duplicating / swapping
characters or tokens, (c) random well-formed expressions. Every query runs in
a transaction that is rolled back, under a time limit; a raw Python exception
(TypeError, KeyError, sqlite3 errors, ...) is a bug.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.aql.lexer import KEYWORDS as LEXER_KEYWORDS
from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.errors import ArangoMLMetaError

from .helpers import make_db

CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "aql-conformance"
TIME_LIMIT = 1.0
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")


class _Timeout(BaseException):
    """The query ran longer than TIME_LIMIT (slow, not wrong)."""


class _Rollback(BaseException):
    """Leaves db.transaction() so that the query's writes are undone."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# a huge range bound only makes a query slow and memory-hungry, not more interesting
_BIG = r"(?:\d{6,}|\d[eE]\+?\d{2,}|0[xX][0-9a-fA-F]{6,}|0[bB][01]{20,})"
_HUGE = re.compile(rf"{_BIG}\s*\.\.|\.\.\s*-?{_BIG}|(?i:RANGE|REPEAT)\s*\(.*{_BIG}", re.S)


def check(db: EmbeddedDatabase, query: str, bind_vars: dict[str, Any]) -> str:
    """Run ``query``; return "ok", "error" or "skipped"; fail on anything else."""
    if _HUGE.search(query):
        return "skipped"
    outcome = "skipped"
    try:
        with _time_limit(TIME_LIMIT), db.transaction():
            try:
                result = db.query(query, bind_vars)
            except ArangoMLMetaError:
                outcome = "error"
            else:
                rows = list(result)
                json.dumps(rows, allow_nan=False)
                assert isinstance(result.warnings, list)
                outcome = "ok"
            raise _Rollback
    except _Rollback:
        return outcome
    except _Timeout:
        return "skipped"
    except Exception as exc:  # the bug this module looks for
        pytest.fail(f"{type(exc).__name__}: {exc}\nquery: {query!r}\nbind: {bind_vars!r}")
    raise AssertionError("unreachable")


def small_db() -> EmbeddedDatabase:
    db = make_db(
        {
            "c": [
                {"_key": "a", "v": 1, "s": "x", "arr": [1, 2], "o": {"k": True}},
                {"_key": "b", "v": "1", "s": None, "arr": [], "o": {}},
                {"_key": "c", "v": [1], "s": "y"},
            ],
            "d": [{"_key": "a", "ref": "c/a"}],
        },
        {
            "e": [
                {"_from": "c/a", "_to": "c/b"},
                {"_from": "c/b", "_to": "c/c"},
                {"_from": "c/c", "_to": "c/a"},
            ]
        },
    )
    db.ensure_index("c", ["v"])
    db.create_graph("g", [{"collection": "e", "from": ["c"], "to": ["c"]}])
    return db


@pytest.fixture(scope="module")
def db():
    database = small_db()
    yield database
    database.close()


def test_fuzz_harness_accepts_results_and_engine_errors(db):
    assert check(db, "FOR x IN c RETURN x.v", {}) == "ok"
    assert check(db, "FOR x IN c RETURN", {}) == "error"
    assert check(db, "FOR i IN 1..999999999 RETURN i", {}) == "skipped"
    assert check(db, "FOR d IN c REMOVE d IN c", {}) == "ok"
    assert db.count("c") == 3  # rolled back


# --------------------------------------------------------------------------- (a) token soup

# the lexer's keywords, plus the words AQL reads as keywords only in context
KEYWORDS = [
    *sorted(LEXER_KEYWORDS),
    "KEEP",
    "COUNT",
    "OPTIONS",
    "PRUNE",
    "TO",
    "SEARCH",
    "CURRENT",
    "NEW",
    "OLD",
]
OPERATORS = [
    "==",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "=~",
    "!~",
    "&&",
    "||",
    "!",
    "+",
    "-",
    "*",
    "/",
    "%",
    "?",
    ":",
    "::",
    "..",
    ".",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "=",
    "[*]",
    "[**]",
    "[?]",
    "NOT",
    "IN",
    "AT",
    "LEAST",
]
IDENTIFIERS = [
    "c",
    "d",
    "e",
    "g",
    "x",
    "y",
    "i",
    "v",
    "`c`",
    "\u00b4x\u00b4",
    "LENGTH",
    "CONCAT",
    "DOCUMENT",
    "MERGE",
]
LITERALS = [
    "0", "1", "-1", "1.5", ".5", "1e2", "0x1F", "0b101", "2..3", "'a'", '"b"', "'c/a'", '"\\u00e9"',
    "null", "true", "[]", "{}", "[1, 2]", "{a: 1}", "@x", "@@coll", "/* c */", "// c\n",
]  # fmt: skip
TOKENS = st.sampled_from(KEYWORDS + OPERATORS + IDENTIFIERS + LITERALS)


@st.composite
def token_queries(draw) -> str:
    tokens = draw(st.lists(TOKENS, min_size=1, max_size=25))
    if draw(st.booleans()):  # start like a query so the parser gets further
        tokens.insert(
            0,
            draw(
                st.sampled_from(["FOR x IN c", "RETURN", "LET y =", "FOR x IN 1..3", "FOR v IN 1"])
            ),
        )
    joiner = draw(st.sampled_from([" ", "", "\n"]))
    return joiner.join(tokens)


def bind_for(query: str) -> dict[str, Any]:
    bind: dict[str, Any] = {}
    if "@@coll" in query:
        bind["@coll"] = "c"
    if re.search(r"(?<!@)@x", query):
        bind["x"] = 1
    return bind


@FUZZ
@given(query=token_queries())
def test_token_soup(db, query):
    check(db, query, bind_for(query))


@FUZZ
@given(
    head=st.sampled_from(["FOR x IN c", "FOR x IN [1, 'a', null, [2], {b: 3}]", "FOR x IN 1..4"]),
    middle=st.lists(TOKENS, max_size=12),
    tail=st.sampled_from(
        ["RETURN x", "RETURN DISTINCT x", "COLLECT k = x RETURN k", "REMOVE x IN c", ""]
    ),
)
def test_token_soup_inside_a_query(db, head, middle, tail):
    query = " ".join([head, *middle, tail])
    check(db, query, bind_for(query))


# --------------------------------------------------------------------------- (b) mutated corpus


@lru_cache(maxsize=1)
def corpus_records() -> tuple[dict[str, Any], ...]:
    records: list[dict[str, Any]] = []
    for path in sorted(CORPUS_DIR.glob("corpus*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return tuple(r for r in records if isinstance(r.get("query"), str))


_DATASETS: dict[str, EmbeddedDatabase] = {}


def _load(db: EmbeddedDatabase, dataset: dict[str, Any]) -> None:
    for name, spec in dataset.get("collections", {}).items():
        db.create_collection(name, edge=spec.get("type") == "edge")
        if spec.get("docs"):
            db.insert_many(name, spec["docs"])
    for name, graph in dataset.get("graphs", {}).items():
        db.create_graph(name, graph.get("edgeDefinitions", []), graph.get("orphanCollections"))


def database_for(record: dict[str, Any]) -> EmbeddedDatabase:
    """A database holding the record's dataset (cached; queries run rolled back)."""
    key = record.get("dataset") or f"inline:{record['id']}"
    if key not in _DATASETS:
        db = EmbeddedDatabase()
        if record.get("dataset"):
            with (CORPUS_DIR / "datasets" / f"{record['dataset']}.json").open(
                encoding="utf-8"
            ) as handle:
                _load(db, json.load(handle))
        if record.get("dataset_inline"):
            _load(db, record["dataset_inline"])
        _DATASETS[key] = db
    return _DATASETS[key]


@pytest.fixture(scope="module")
def corpus():
    records = corpus_records()
    if not records:
        pytest.skip(f"no conformance corpus at {CORPUS_DIR}")
    yield records
    for db in _DATASETS.values():
        db.close()
    _DATASETS.clear()


_TOKEN_RE = re.compile(r"\s+|\w+|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|.", re.S)

MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "delete_char",
                "duplicate_char",
                "swap_chars",
                "delete_token",
                "duplicate_token",
                "swap_tokens",
            ]
        ),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=3,
)


def mutate(query: str, mutations: list[tuple[str, int]]) -> str:
    for kind, where in mutations:
        if kind.endswith("_char"):
            units = list(query)
        else:
            units = [t for t in _TOKEN_RE.findall(query) if not t.isspace()]
        if not units:
            return query
        i = where % len(units)
        if kind.startswith("delete"):
            del units[i]
        elif kind.startswith("duplicate"):
            units.insert(i, units[i])
        elif len(units) > 1:
            j = (i + 1) % len(units)
            units[i], units[j] = units[j], units[i]
        query = "".join(units) if kind.endswith("_char") else " ".join(units)
    return query


def bind_for_record(record: dict[str, Any], query: str) -> dict[str, Any]:
    """The record's bind values whose parameters the mutated query still names."""
    bind = {}
    for name, value in (record.get("bindVars") or {}).items():
        if re.search(rf"(?<![\w@])@{re.escape(name)}(?!\w)", query):
            bind[name] = value
    return bind


def test_mutation_helpers():
    assert mutate("RETURN 1", [("delete_char", 0)]) == "ETURN 1"
    assert mutate("RETURN 1", [("duplicate_token", 1)]) == "RETURN 1 1"
    assert mutate("RETURN 'a b'", [("swap_tokens", 0)]) == "'a b' RETURN"
    assert bind_for_record({"bindVars": {"x": 1, "@c": "c"}}, "FOR d IN @@c RETURN @x") == {
        "x": 1,
        "@c": "c",
    }
    assert bind_for_record({"bindVars": {"x": 1}}, "RETURN @xy") == {}


@FUZZ
@given(pick=st.integers(min_value=0, max_value=10**6), mutations=MUTATIONS)
def test_mutated_corpus_queries(corpus, pick, mutations):
    record = corpus[pick % len(corpus)]
    query = mutate(record["query"], mutations)
    check(database_for(record), query, bind_for_record(record, query))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pick=st.integers(min_value=0, max_value=10**6))
def test_unmutated_corpus_queries_never_crash(corpus, pick):
    record = corpus[pick % len(corpus)]
    check(database_for(record), record["query"], dict(record.get("bindVars") or {}))


# --------------------------------------------------------------------------- (c) well-formed expressions

SCALAR_EXPRESSIONS = st.sampled_from(
    ["null", "true", "false", "0", "1", "-2", "0.5", "1e3", "''", "'a'", "'1'", "x", "x.v", "x.arr", "x.o.k",
     "[]", "[1, 'a']", "{}", "{k: 1}", "@p"]
)  # fmt: skip
BINARY = st.sampled_from(
    ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "IN", "NOT IN", "LIKE", "=~",
     "ALL ==", "ANY <", "NONE IN", "AT LEAST (1) ==", ".."]
)  # fmt: skip
FUNCTIONS = st.sampled_from(
    ["LENGTH", "TO_NUMBER", "TO_STRING", "TO_BOOL", "TO_ARRAY", "TYPENAME", "CONCAT", "FIRST", "LAST",
     "REVERSE", "UNIQUE", "FLATTEN", "SUM", "MAX", "MIN", "AVERAGE", "KEYS", "VALUES", "NOT_NULL", "IS_NULL",
     "UPPER", "ABS", "CEIL", "SORTED", "COUNT", "POSITION", "SLICE", "MERGE", "HAS", "ATTRIBUTES", "JSON_STRINGIFY"]
)  # fmt: skip


def expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, BINARY, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["-", "+", "NOT "]), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]} ?: {t[1]})"),
            st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.tuples(inner, inner).map(lambda t: f"{{a: {t[0]}, [TO_STRING({t[1]})]: 1}}"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.tuples(inner, st.sampled_from(["a", "k", "v"])).map(lambda t: f"{t[0]}.{t[1]}"),
            st.tuples(inner, inner).map(
                lambda t: f"{t[0]}[* FILTER CURRENT != {t[1]} LIMIT 2 RETURN CURRENT]"
            ),
            inner.map(lambda e: f"{e}[**]"),
            inner.map(lambda e: f"{e}[? ANY FILTER CURRENT]"),
            st.tuples(FUNCTIONS, st.lists(inner, min_size=1, max_size=2)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"
            ),
            inner.map(lambda e: f"(FOR y IN TO_ARRAY({e}) LIMIT 3 RETURN y)"),
        )

    return st.recursive(SCALAR_EXPRESSIONS, extend, max_leaves=12)


@FUZZ
@given(expr=expressions(), param=st.sampled_from([None, 1, "s", [1, None], {"k": [2]}]))
def test_well_formed_expressions(db, expr, param):
    query = f"FOR x IN c RETURN {expr}"
    bind = {"p": param} if "@p" in query else {}
    first = check(db, query, bind)
    if first == "ok":  # deterministic: the same query gives the same answer
        assert db.query(query, bind) == db.query(query, bind)


@FUZZ
@given(
    key=expressions(),
    agg=st.sampled_from(
        ["MIN", "MAX", "SUM", "AVERAGE", "LENGTH", "UNIQUE", "PUSH", "COUNT_DISTINCT"]
    ),
    value=expressions(),
)
def test_well_formed_collect_and_sort(db, key, agg, value):
    query = (
        f"FOR x IN c LET k = {key} SORT k COLLECT g = k AGGREGATE a = {agg}({value}) RETURN [g, a]"
    )
    check(db, query, {"p": 1} if "@p" in query else {})
