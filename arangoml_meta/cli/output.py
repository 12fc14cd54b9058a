"""Printing results: a table for people, JSON, JSON Lines or CSV for machines.

Commands hand over plain data — a list of rows (documents or scalars) or one
document — and a :class:`Format`; nothing else in the CLI writes results.
Nested values appear as compact JSON in table and CSV cells. Tables are drawn
by rich: as wide as the terminal on a terminal, at their natural width when
piped, so a file never gets wrapped cells.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text


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


def to_json(value: Any, *, indent: int | None = 2) -> str:
    separators = None if indent else (",", ":")
    return json.dumps(value, indent=indent, ensure_ascii=False, separators=separators, default=str)


def cell(value: Any) -> str:
    """A value as table or CSV text: strings as they are, nested values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_json(value, indent=None)


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


def columns_of(rows: Sequence[Any]) -> list[str]:
    """Every key of the rows, in first-seen order; ``value`` for rows that are not objects."""
    seen: dict[str, None] = {}
    for row in rows:
        if isinstance(row, Mapping):
            seen.update(dict.fromkeys(str(key) for key in row))
        else:
            seen["value"] = None
    return list(seen)


def emit_rows(
    rows: Sequence[Any],
    fmt: Format,
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> None:
    """Print rows; ``columns`` picks and orders what a table or CSV shows (JSON keeps all)."""
    if fmt is Format.json:
        typer.echo(to_json(list(rows)))
    elif fmt is Format.jsonl:
        for row in rows:
            typer.echo(to_json(row, indent=None))
    else:
        chosen = list(columns) if columns else columns_of(rows)
        values = [[cell(pick(row, column)) for column in chosen] for row in rows]
        if fmt is Format.csv:
            write_csv(chosen, values)
        else:
            print_table(chosen, values, title=title)


def emit_document(doc: Mapping[str, Any], fmt: Format, *, title: str | None = None) -> None:
    """Print one document: as JSON, or as a two-column table (or CSV) of field and value."""
    if fmt is Format.json:
        typer.echo(to_json(doc))
    elif fmt is Format.jsonl:
        typer.echo(to_json(doc, indent=None))
    else:
        values = [[str(key), cell(value)] for key, value in doc.items()]
        if fmt is Format.csv:
            write_csv(["field", "value"], values)
        else:
            print_table(["field", "value"], values, title=title, header=False)


def write_csv(columns: Sequence[str], values: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(values)


def print_table(
    columns: Sequence[str],
    values: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    header: bool = True,
) -> None:
    if title:
        _print(title, style="bold")
    if not values:
        _print("(none)", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_header=header, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in values:  # Text: cells are data, never rich markup ("[train]" stays as written)
        table.add_row(*(Text(value) for value in row))
    _print(table)


def print_text(text: str) -> None:
    typer.echo(text)
