"""Results stream: rows go from the query's cursor to stdout without the whole result in memory.

Each format writes what it wrote when it printed a list (JSON as
``json.dumps(rows, indent=2)``, CSV with a header of every field), and a table
beyond its first page keeps the first page's columns and widths.
"""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from arangoml_meta.cli import output
from arangoml_meta.cli.output import PAGE, Format, emit_rows
from arangoml_meta.errors import AQLSyntaxError, BindParameterError
from arangoml_meta.store import MetadataStore

from .conftest import Cli, succeeds


def rows_of(count: int) -> Iterator[dict[str, Any]]:
    return ({"i": i, "s": str(i)} for i in range(1, count + 1))


def printed(capsys: pytest.CaptureFixture[str], rows: Any, fmt: Format, **options: Any) -> str:
    emit_rows(rows, fmt, **options)
    return capsys.readouterr().out


# --------------------------------------------------------------------------- bounded memory


class Sink(io.TextIOBase):
    """A stdout that keeps only how much was written."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


@pytest.mark.parametrize("fmt", list(Format))
def test_a_large_result_prints_in_bounded_memory(
    fmt: Format, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50,000 rows held at once take ~13 MiB; streamed, the peak is about a page of them."""
    sink = Sink()
    monkeypatch.setattr("sys.stdout", sink)
    tracemalloc.start()
    try:
        emit_rows(rows_of(50_000), fmt)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size > 50_000 * 4
    assert peak < 4 * 2**20, f"{fmt.value}: peak {peak / 2**20:.1f} MiB"


def test_an_aql_result_flows_from_the_cursor(
    cli: Cli, store: MetadataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command hands emit_rows the cursor itself, not a list made of it."""
    seen: list[Any] = []
    real = output.emit_rows

    def spy(rows: Any, fmt: Format, *args: Any, **kwargs: Any) -> None:
        seen.append(rows)
        real(rows, fmt, *args, **kwargs)

    monkeypatch.setattr("arangoml_meta.cli.query.emit_rows", spy)
    lines = succeeds(cli("aql", "FOR i IN 1..5000 RETURN {i}", "--format", "jsonl")).splitlines()
    assert len(lines) == 5000
    assert not isinstance(seen[0], list | tuple)


# --------------------------------------------------------------------------- each format


@pytest.mark.parametrize("count", [0, 1, 3])
def test_json_is_the_text_of_the_whole_list(capsys: pytest.CaptureFixture[str], count: int) -> None:
    rows = [{"i": i, "nested": {"a": [1, {"b": None}]}, "s": "x\ny"} for i in range(count)]
    text = printed(capsys, iter(rows), Format.json)
    assert text == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def test_json_lines_are_one_row_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    text = printed(capsys, rows_of(3), Format.jsonl)
    assert text == '{"i":1,"s":"1"}\n{"i":2,"s":"2"}\n{"i":3,"s":"3"}\n'


def test_csv_has_a_column_for_a_field_first_seen_after_the_first_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [{"i": i} for i in range(PAGE + 5)]
    rows[PAGE + 2] = {"i": PAGE + 2, "late": "here", "value\n": 1}
    records = list(csv.reader(io.StringIO(printed(capsys, iter(rows), Format.csv))))
    assert records[0] == ["i", "late", "value\\n"]
    assert len(records) == PAGE + 6
    assert records[1] == ["0", "", ""]
    assert records[PAGE + 3] == [str(PAGE + 2), "here", "1"]
    assert all(len(record) == 3 for record in records)


def test_csv_with_chosen_columns_streams_them(capsys: pytest.CaptureFixture[str]) -> None:
    text = printed(capsys, rows_of(PAGE * 2), Format.csv, columns=["s"])
    assert text.splitlines()[0] == "s"
    assert text.splitlines()[-1] == str(PAGE * 2)


def test_a_table_beyond_its_first_page_keeps_its_columns_aligned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [{"name": f"n{i % 100}", "value": i} for i in range(PAGE + 3)]
    rows[-2]["name"] = "a longer name"
    lines = printed(capsys, iter(rows), Format.table).splitlines()
    assert len(lines) == 2 + PAGE + 3  # header, rule, rows
    starts = {line.rindex(" ") + 1 for line in (lines[2], lines[PAGE + 1], lines[PAGE + 2])}
    assert starts == {lines[0].index("value")}
    # a longer value widens its column from its row on
    assert lines[-2] == f"a longer name   {PAGE + 1}"
    assert lines[-1] == f"n2              {PAGE + 2}"


def test_a_table_notes_the_fields_only_later_rows_have(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows: list[Any] = [{"i": i} for i in range(PAGE + 2)]
    rows[-1] = {"i": -1, "late": "x"}
    emit_rows(iter(rows), Format.table)
    captured = capsys.readouterr()
    assert "late" not in captured.out
    assert "late" in captured.err
    assert "--format jsonl" in captured.err


def test_a_table_of_scalars_beyond_its_first_page(capsys: pytest.CaptureFixture[str]) -> None:
    lines = printed(capsys, iter(range(PAGE + 2)), Format.table).splitlines()
    assert lines[0].strip() == "value"
    assert lines[-1].strip() == str(PAGE + 1)


# --------------------------------------------------------------------------- the cursor


def test_a_cursor_raises_parse_and_bind_errors_before_any_row(store: MetadataStore) -> None:
    with pytest.raises(AQLSyntaxError):
        store.cursor("FOR x IN")
    with pytest.raises(BindParameterError):
        store.cursor("RETURN @missing")


def test_a_cursor_closed_early_ends_its_query(store: MetadataStore) -> None:
    rows = store.cursor("FOR i IN 1..100000 RETURN i")
    assert next(rows) == 1
    rows.close()
    store.register("datasets", "after", rows=1)  # a write: no read transaction left open
    assert [d["name"] for d in store.find("datasets")] == ["after"]


def test_a_writing_query_commits_whether_or_not_its_rows_are_read(store: MetadataStore) -> None:
    rows = store.cursor("FOR i IN 1..3 INSERT {name: TO_STRING(i)} INTO projects RETURN NEW")
    rows.close()
    assert store.query("RETURN LENGTH(projects)") == [3]


def test_a_cursor_has_the_query_warnings_once_read(store: MetadataStore) -> None:
    rows = store.cursor("FOR i IN [1, 0] RETURN 1 / i")
    assert list(rows) == [1, None]
    assert [warning["code"] for warning in rows.warnings] == [1562]


def test_an_error_while_streaming_follows_the_rows_made_before_it(
    cli: Cli, store: MetadataStore
) -> None:
    # past two whole batches of a server (1,000 rows each: a server sends a batch whole or
    # fails it, and may look one row ahead), so that every backend has rows to print first:
    # the embedded engine all 2,000, a server at least its first batch
    query = 'FOR i IN 1..2001 RETURN i == 2001 ? FAIL("boom") : i'
    result = cli("aql", query, "--format", "jsonl")
    assert result.exit_code == 1
    printed = result.stdout.splitlines()
    assert printed == [str(i) for i in range(1, len(printed) + 1)]
    assert len(printed) >= (2000 if store.backend.name == "embedded" else 1000)
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: [1569]")
    assert "boom" in line
