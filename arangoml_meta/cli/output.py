"""Printing results: a table for people, JSON, JSON Lines or CSV for machines.

Commands hand over plain data — rows (documents or scalars, a list or a
cursor's iterator) or one document — and a :class:`Format`; nothing else in
the CLI writes results. Nested values appear as compact JSON in table and CSV
cells, and control characters as escapes (``\\x1b``, ``\\n``, ``\\u202e``, see
:mod:`~arangoml_meta.safe_text`): a cell is one line, shown as stored.

Rows are written as they come, so a result of any size prints in bounded
memory: JSON, JSON Lines and tables at once; CSV once its header is known (the
fields of every row: rows after the first :data:`PAGE` wait in a temporary
file). A table's columns and widths are those of its first :data:`PAGE` rows,
drawn by rich (as wide as the terminal on a terminal, at their natural width
when piped, so a file never gets wrapped cells); later rows follow aligned to
them (a longer value widens its column from there on), and fields only later
rows have are left out with a note on stderr.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from itertools import chain, islice
from typing import Annotated, Any

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..safe_text import json_visible, visible, visible_lines
from .core import note

PAGE = 1000  # rows a table takes its columns and widths from, and CSV its header
_END = object()


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="Output: a table for people; json, jsonl or csv for machines.",
    ),
]


def console() -> Console:
    """A console on the current stdout (tests swap it), unbounded in width when piped."""
    width = None
    if not sys.stdout.isatty():
        width = int(os.environ.get("COLUMNS") or 0) or 10_000
    return Console(file=sys.stdout, width=width, highlight=False, soft_wrap=False)


def _print(renderable: Any, **style: Any) -> None:
    out = console()
    if out.is_terminal:
        out.print(renderable, markup=False, **style)
        return
    with out.capture() as captured:  # piped: no padding at the ends of lines
        out.print(renderable, markup=False, **style)
    sys.stdout.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")


@lru_cache(maxsize=4)
def _encoder(indent: int | None) -> json.JSONEncoder:
    """One encoder per layout, made once: a stream encodes a row at a time."""
    separators = None if indent else (",", ":")
    return json.JSONEncoder(indent=indent, ensure_ascii=False, separators=separators, default=str)


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``value``; what JSON itself leaves raw (C1, bidi) is escaped too."""
    return json_visible(_encoder(indent).encode(value))


def cell(value: Any) -> str:
    """A value as table or CSV text: strings as they are, nested values as compact JSON;
    control characters escaped (``\\x1b``, ``\\n``), so a cell is one line a terminal
    shows as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_json(value, indent=None)  # JSON escapes every control character itself


def pick(row: Any, column: str) -> Any:
    """``row[column]``, following dots into nested objects (``metrics.auc``)."""
    if not isinstance(row, Mapping):
        return row if column == "value" else None
    if column in row:
        return row[column]
    value: Any = row
    for part in column.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def columns_of(rows: Iterable[Any]) -> list[str]:
    """Every key of the rows, in first-seen order; ``value`` for rows that are not objects."""
    seen: dict[str, None] = {}
    for row in rows:
        add_columns(seen, row)
    return list(seen)


def add_columns(seen: dict[str, None], row: Any) -> None:
    """Add the keys of ``row`` (``value`` if it is not an object) that ``seen`` lacks."""
    if isinstance(row, Mapping):
        for key in row:
            if key not in seen:
                seen[str(key)] = None
    elif "value" not in seen:
        seen["value"] = None


def emit_rows(
    rows: Iterable[Any],
    fmt: Format,
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> None:
    """Print rows as they come, holding at most a page of them (see the module docstring);
    ``columns`` picks and orders what a table or CSV shows (JSON keeps all)."""
    if fmt is Format.json:
        write_json_array(rows)
    elif fmt is Format.jsonl:
        write_json_lines(rows)
    elif fmt is Format.csv:
        write_csv_rows(rows, columns)
    else:
        print_table_rows(rows, columns, title=title)


def emit_document(doc: Mapping[str, Any], fmt: Format, *, title: str | None = None) -> None:
    """Print one document: as JSON, or as a two-column table (or CSV) of field and value."""
    if fmt is Format.json:
        typer.echo(to_json(doc))
    elif fmt is Format.jsonl:
        typer.echo(to_json(doc, indent=None))
    else:
        values = [[visible(str(key)), cell(value)] for key, value in doc.items()]
        if fmt is Format.csv:
            write_csv(["field", "value"], values)
        else:
            print_table(["field", "value"], values, title=title, header=False)


def write_csv(columns: Sequence[str], values: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([visible(column) for column in columns])
    writer.writerows(values)


def print_table(
    columns: Sequence[str],
    values: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    header: bool = True,
) -> None:
    if title:
        _print(visible(title), style="bold")
    if not values:
        _print("(none)", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_header=header, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(Text(visible(column)), overflow="fold")
    for row in values:  # Text: cells are data, never rich markup ("[train]" stays as written)
        table.add_row(*(Text(value) for value in row))
    _print(table)


# --------------------------------------------------------------------------- streams


def first_page(rows: Iterable[Any], size: int = PAGE) -> tuple[list[Any], Iterator[Any]]:
    """The first ``size`` rows, and an iterator over the rest."""
    rest = iter(rows)
    return list(islice(rest, size)), rest


def write_json_array(rows: Iterable[Any]) -> None:
    """One JSON array, written a page of rows at a time (the text ``json.dumps(rows,
    indent=2)`` is: each page's array without its brackets, pages joined by commas)."""
    out = sys.stdout
    opening = "[\n"
    rest = iter(rows)
    while page := list(islice(rest, PAGE)):
        out.write(opening + to_json(page)[2:-2])
        opening = ",\n"
    out.write("[]\n" if opening == "[\n" else "\n]\n")


def write_json_lines(rows: Iterable[Any]) -> None:
    out = sys.stdout
    for row in rows:
        out.write(to_json(row, indent=None) + "\n")


def write_csv_rows(rows: Iterable[Any], columns: Sequence[str] | None) -> None:
    """CSV, a header of every field of every row unless ``columns`` names them.

    Rows beyond the first page go to a temporary file until the last has given its
    fields (a later row may bring one), then the whole is written.
    """
    if columns:
        write_csv(columns, ([cell(pick(row, c)) for c in columns] for row in rows))
        return
    page, rest = first_page(rows)
    seen: dict[str, None] = {}
    for row in page:
        add_columns(seen, row)
    following = next(rest, _END)
    if following is _END:
        chosen = list(seen)
        write_csv(chosen, ([cell(pick(row, c)) for c in chosen] for row in page))
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        spooler = csv.writer(spool, lineterminator="\n")
        for row in chain(page, (following,), rest):
            add_columns(seen, row)  # a new field is a new last column
            spooler.writerow([cell(pick(row, column)) for column in seen])
        spool.seek(0)
        width = len(seen)
        write_csv(list(seen), (cells + [""] * (width - len(cells)) for cells in csv.reader(spool)))


def print_table_rows(
    rows: Iterable[Any], columns: Sequence[str] | None, *, title: str | None = None
) -> None:
    """A table: the first page drawn by rich; the rows after it, as they come, aligned to
    the columns of the first page (a longer value widens its column from its row on).

    Fields that only rows after the first page have are not shown; a note says which.
    """
    page, rest = first_page(rows)
    chosen = list(columns) if columns else columns_of(page)
    values = [[cell(pick(row, column)) for column in chosen] for row in page]
    print_table(chosen, values, title=title)
    following = next(rest, _END)
    if following is _END:
        return
    widths = [
        max(cell_len(visible(column)), *(cell_len(texts[index]) for texts in values))
        for index, column in enumerate(chosen)
    ]
    del values
    seen = dict.fromkeys(chosen)
    out = sys.stdout
    for row in chain((following,), rest):
        if not columns:
            add_columns(seen, row)
        texts = [cell(pick(row, column)) for column in chosen]
        for index, text in enumerate(texts):
            widths[index] = max(widths[index], cell_len(text))  # wider from here on
        line = "   ".join(
            text + " " * (width - cell_len(text)) for text, width in zip(texts, widths, strict=True)
        )
        out.write(line.rstrip() + "\n")
    late = list(seen)[len(chosen) :]
    if late:
        note(
            f"fields that only rows after the first {PAGE:,} have are not in the table: "
            f"{', '.join(visible(name) for name in late)} (--format jsonl, json or csv "
            "shows every field)"
        )


def print_text(text: str) -> None:
    """Print text meant to span lines (a query's AQL): its other control characters escaped."""
    typer.echo(visible_lines(text))
