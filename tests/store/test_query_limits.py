"""``store.query`` and stored queries run within a memory limit and a maximum run time.

Defaults apply when none is given (1 GiB, 60 s), a caller raises or lowers
them, 0 switches one off, and a bad value is refused before anything runs.
On every backend the limits are ArangoDB's query options, and their errors
its numbers: 32 (resource limit) and 1500 (query killed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arangoml_meta.errors import (
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_DIVISION_BY_ZERO,
    ERROR_QUERY_KILLED,
    ERROR_RESOURCE_LIMIT,
    BadParameterError,
    QueryError,
)
from arangoml_meta.queries import run_query
from arangoml_meta.query_limits import (
    DEFAULT_MAX_RUNTIME,
    DEFAULT_MEMORY_LIMIT,
    QueryLimits,
    parse_max_runtime,
    parse_memory_limit,
)
from arangoml_meta.store import MetadataStore

# a 10^4 x 10^4 product; the SORT makes ArangoDB hold the rows where its memoryLimit counts
# them (the embedded engine counts the result too)
PRODUCT = "FOR a IN 1..10000 FOR b IN 1..10000 SORT b DESC RETURN [a, b]"
SLEEPS = "FOR i IN 1..100 RETURN SLEEP(10)"


@pytest.mark.parametrize(
    "given",
    [
        {"memory_limit": -1},
        {"memory_limit": 1.5},
        {"memory_limit": "1G"},
        {"memory_limit": True},
        {"max_runtime": -0.5},
        {"max_runtime": float("nan")},
        {"max_runtime": float("inf")},
        {"max_runtime": "60"},
        {"max_runtime": False},
    ],
    ids=repr,
)
def test_a_bad_limit_is_refused_before_the_query_runs(
    store: MetadataStore, given: dict[str, Any]
) -> None:
    with pytest.raises(BadParameterError) as info:
        store.query("RETURN 1", **given)
    assert info.value.error_num == ERROR_BAD_PARAMETER
    assert next(iter(given)) in info.value.message


def test_the_defaults_are_one_gib_and_sixty_seconds(
    store: MetadataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[QueryLimits | None] = []
    real = store.backend.query

    def spy(aql: str, bind_vars: Any = None, limits: QueryLimits | None = None) -> Any:
        given.append(limits)
        return real(aql, bind_vars, limits)

    monkeypatch.setattr(store.backend, "query", spy)
    assert store.query("RETURN 1") == [1]
    assert given == [QueryLimits(DEFAULT_MEMORY_LIMIT, DEFAULT_MAX_RUNTIME)]
    assert (DEFAULT_MEMORY_LIMIT, DEFAULT_MAX_RUNTIME) == (1 << 30, 60.0)


def test_a_product_past_the_memory_limit_fails_with_32(store: MetadataStore) -> None:
    with pytest.raises(QueryError) as info:
        store.query(PRODUCT, memory_limit=32 << 20)
    assert info.value.error_num == ERROR_RESOURCE_LIMIT


def test_sleeps_past_the_runtime_fail_with_1500(store: MetadataStore) -> None:
    with pytest.raises(QueryError) as info:
        store.query(SLEEPS, max_runtime=0.5)
    assert info.value.error_num == ERROR_QUERY_KILLED


def test_a_raised_limit_lets_the_query_run(store: MetadataStore) -> None:
    aql = "FOR i IN 1..20000 SORT -i RETURN [i, 'row']"
    with pytest.raises(QueryError):
        store.query(aql, memory_limit=100_000)
    assert len(store.query(aql, memory_limit=64 << 20)) == 20000


def test_zero_is_no_limit(store: MetadataStore) -> None:
    assert store.query("FOR i IN 1..3 RETURN i", memory_limit=0, max_runtime=0) == [1, 2, 3]


def test_the_rows_come_with_the_warnings(store: MetadataStore) -> None:
    rows = store.query("RETURN 1 / 0")
    assert rows == [None]
    assert [w["code"] for w in rows.warnings] == [ERROR_QUERY_DIVISION_BY_ZERO]


def test_a_stored_query_takes_the_limits(store: MetadataStore, tmp_path: Path) -> None:
    (tmp_path / "slow.aql").write_text(
        f"// title: Slow\n// description: Sleeps.\n// audience: anyone\n\n{SLEEPS}\n",
        encoding="utf-8",
    )
    with pytest.raises(QueryError) as info:
        run_query(store, "slow", directory=tmp_path, max_runtime=0.3)
    assert info.value.error_num == ERROR_QUERY_KILLED


def test_a_stored_query_keeps_its_warnings(store: MetadataStore, tmp_path: Path) -> None:
    (tmp_path / "ratio.aql").write_text(
        "// title: Ratio\n// description: Divides.\n// audience: anyone\n\nRETURN 1 / 0\n",
        encoding="utf-8",
    )
    result = run_query(store, "ratio", directory=tmp_path)
    assert [w["code"] for w in result.warnings] == [ERROR_QUERY_DIVISION_BY_ZERO]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 0),
        ("1073741824", 1 << 30),
        ("512M", 512 << 20),
        ("512MiB", 512 << 20),
        ("1gib", 1 << 30),
        ("1.5G", 3 << 29),
        ("2 T", 2 << 40),
        ("100k", 102400),
        ("7B", 7),
        ("0.5", 1),
        ("0.0", 0),
    ],
)
def test_memory_limit_text(text: str, size: int) -> None:
    assert parse_memory_limit(text) == size


@pytest.mark.parametrize(
    "text", ["", "-1", "1x", "G", "1e9", "1,000", "nan", "1 GB extra", "\u0663M", "1\x1f"]
)
def test_bad_memory_limit_text_is_refused(text: str) -> None:
    with pytest.raises(BadParameterError, match="--memory-limit"):
        parse_memory_limit(text)


@pytest.mark.parametrize(("text", "seconds"), [("0", 0.0), ("60", 60.0), ("2.5", 2.5)])
def test_max_runtime_text(text: str, seconds: float) -> None:
    assert parse_max_runtime(text) == seconds


@pytest.mark.parametrize("text", ["", "-1", "1m", "inf", "nan", "1e3", "9" * 400, "\u0663"])
def test_bad_max_runtime_text_is_refused(text: str) -> None:
    with pytest.raises(BadParameterError, match="--max-runtime"):
        parse_max_runtime(text)


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_limit_text_is_a_limit_or_a_clear_error(text: str) -> None:
    for parse in (parse_memory_limit, parse_max_runtime):
        try:
            value = parse(text)
        except BadParameterError as exc:
            assert exc.error_num == ERROR_BAD_PARAMETER
            assert "\n" not in exc.message.replace(repr(text), "")
            continue
        assert value >= 0
        assert QueryLimits.of(int(value), float(value))  # what parses is a valid limit


def test_a_streamed_query_stops_at_its_runtime_even_while_its_reader_works(
    store: MetadataStore,
) -> None:
    """The runtime is the cursor's, from the start to the last row: a reader that takes its
    time over an endless result does not keep the query alive past maxRuntime."""
    import time

    read = 0
    with pytest.raises(QueryError) as info:
        endless = "FOR a IN 1..10000 FOR b IN 1..10000 RETURN b"
        with store.cursor(endless, max_runtime=0.3) as rows:
            for _ in rows:
                read += 1
                time.sleep(0.001)
    assert info.value.error_num == ERROR_QUERY_KILLED
    assert 0 < read < 100_000
