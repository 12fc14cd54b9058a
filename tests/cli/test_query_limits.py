"""`aql` and `query run`: --memory-limit and --max-runtime, and the query's warnings on stderr.

An explosive query stops with one error line naming the option that raises
the limit; a bad option value is one error line before anything runs; the
warnings of a query that succeeds go to stderr, one line each with their
number, while its rows go to stdout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.store import MetadataStore

from .conftest import Cli, fails, succeeds

# a 10^4 x 10^4 product; the SORT makes ArangoDB hold the rows where its memoryLimit counts
# them (the embedded engine counts the result too)
PRODUCT = "FOR a IN 1..10000 FOR b IN 1..10000 SORT b DESC RETURN [a, b]"
SLEEPS = "FOR i IN 1..100 RETURN SLEEP(10)"


def write_query(folder: Path, name: str, body: str) -> Path:
    (folder / f"{name}.aql").write_text(
        f"// title: {name}\n// description: A test query.\n// audience: anyone\n\n{body}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--memory-limit", "lots"),
        ("--memory-limit", "-1"),
        ("--memory-limit", "1e9"),
        ("--max-runtime", "-5"),
        ("--max-runtime", "soon"),
        ("--max-runtime", "nan"),
    ],
)
def test_a_bad_limit_is_one_error_line(
    cli: Cli, store: MetadataStore, option: str, value: str
) -> None:
    fails(cli("aql", "RETURN 1", option, value), "[10]", option)


def test_a_bad_limit_from_the_environment_is_one_error_line(cli: Cli, store: MetadataStore) -> None:
    result = cli("aql", "RETURN 1", env={"ARANGOML_META_MEMORY_LIMIT": "plenty"})
    fails(result, "[10]", "--memory-limit", "plenty")


@pytest.mark.parametrize(
    "command", [["aql", "RETURN 1"], ["query", "run", "ratio", "--dir", "DIR"]], ids=["aql", "run"]
)
def test_the_defaults_are_one_gib_and_sixty_seconds(
    cli: Cli,
    store: MetadataStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    given: list[dict[str, Any]] = []
    real = MetadataStore.cursor  # the CLI streams the rows from a cursor

    def spy(self: MetadataStore, aql: str, bind_vars: Any = None, **limits: Any) -> Any:
        given.append(limits)
        return real(self, aql, bind_vars, **limits)

    monkeypatch.setattr(MetadataStore, "cursor", spy)
    write_query(tmp_path, "ratio", "RETURN 1 / 2")
    succeeds(cli(*[str(tmp_path) if arg == "DIR" else arg for arg in command]))
    assert given == [{"memory_limit": 1 << 30, "max_runtime": 60.0}]


def test_a_product_past_the_memory_limit_stops_with_32(cli: Cli, store: MetadataStore) -> None:
    fails(
        cli("aql", PRODUCT, "--memory-limit", "32M"),
        "[32]",
        "more memory than allowed",
        "--memory-limit",
    )


def test_sleeps_past_the_runtime_stop_with_1500(cli: Cli, store: MetadataStore) -> None:
    fails(cli("aql", SLEEPS, "--max-runtime", "0.5"), "[1500]", "query killed", "--max-runtime")


def test_the_limit_comes_from_the_environment(cli: Cli, store: MetadataStore) -> None:
    fails(cli("aql", SLEEPS, env={"ARANGOML_META_MAX_RUNTIME": "0.3"}), "[1500]")


def test_a_raised_limit_lets_the_query_run(cli: Cli, store: MetadataStore) -> None:
    aql = "FOR i IN 1..20000 SORT -i RETURN [i, 'row']"
    fails(cli("aql", aql, "--memory-limit", "100K", "--format", "jsonl"), "[32]")
    out = succeeds(cli("aql", aql, "--memory-limit", "64MiB", "--format", "jsonl"))
    assert len(out.splitlines()) == 20000


def test_zero_is_no_limit(cli: Cli, store: MetadataStore) -> None:
    result = cli(
        "aql", "RETURN SLEEP(0.01)", "--memory-limit", "0", "--max-runtime", "0", "--format", "json"
    )
    assert json.loads(succeeds(result)) == [None]


def test_a_stored_query_stops_at_its_limit(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    folder = write_query(tmp_path, "slow", SLEEPS)
    result = cli("query", "run", "slow", "--dir", str(folder), "--max-runtime", "0.3")
    fails(result, "[1500]", "--max-runtime")


@pytest.mark.parametrize(
    ("aql", "code", "text"),
    [
        ("RETURN 1 / 0", 1562, "division by zero"),
        ("RETURN RANGE(1, 20000000)", 1504, "out of range"),
    ],
)
def test_warnings_go_to_stderr_and_rows_to_stdout(
    cli: Cli, store: MetadataStore, aql: str, code: int, text: str
) -> None:
    result = cli("aql", aql, "--format", "json")
    assert json.loads(succeeds(result)) == [None]
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Warning: [{code}] ")
    assert text in line


def test_each_warning_is_one_line(cli: Cli, store: MetadataStore) -> None:
    result = cli("aql", "FOR i IN 1..3 RETURN i / 0", "--format", "jsonl")
    assert succeeds(result).splitlines() == ["null"] * 3
    assert result.stderr.splitlines() == ["Warning: [1562] division by zero"] * 3


def test_a_query_without_warnings_writes_nothing_on_stderr(cli: Cli, store: MetadataStore) -> None:
    result = cli("aql", "RETURN 1 / 2", "--format", "json")
    assert json.loads(succeeds(result)) == [0.5]
    assert result.stderr == ""


def test_a_stored_query_prints_its_warnings(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    folder = write_query(tmp_path, "ratio", "RETURN 1 / 0")
    result = cli("query", "run", "ratio", "--dir", str(folder), "--format", "json")
    assert json.loads(succeeds(result)) == [None]
    assert result.stderr.splitlines() == ["Warning: [1562] division by zero"]
