"""``arangoml-meta query`` runs the stored queries of ``aql/``; ``arangoml-meta aql`` runs any AQL.

Stored-query parameters go to :func:`~arangoml_meta.queries.run_query` as the
text given, which types them by the query's header. An ad-hoc query takes
JSON-typed bind variables and is read-only unless ``--write``: it is parsed
first, and refused (1586) when it holds a modification. Both run within
``--memory-limit`` and ``--max-runtime`` (see ``query_limits.py``), and print
the query's warnings on stderr, one line each, while the rows go to stdout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from ..aql.analysis import modifies_data
from ..aql.parser import parse
from ..errors import (
    ERROR_QUERY_KILLED,
    ERROR_QUERY_MUST_NOT_BE_MODIFIED,
    ERROR_RESOURCE_LIMIT,
    BadParameterError,
    QueryError,
)
from ..inputs import read_stdin, read_text
from ..queries import (
    StoredQuery,
    load_queries,
    load_query,
    prepare_query,
    without_truncation,
)
from ..query_limits import (
    DEFAULT_MAX_RUNTIME,
    DEFAULT_MEMORY_LIMIT,
    format_size,
    parse_max_runtime,
    parse_memory_limit,
)
from .core import assignments, examples, note, open_store_of, sub_app
from .output import Format, FormatOption, emit_document, emit_rows, print_text, to_json

app = sub_app("query", "Stored queries (aql/*.aql): list them, show one, run one.")

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        envvar="ARANGOML_META_QUERIES",
        metavar="DIR",
        help="Where the stored queries are (default: the aql/ folder of arangoml-meta).",
        show_default=False,
    ),
]
QueryName = Annotated[
    str, typer.Argument(metavar="NAME", help="A stored query, e.g. model_provenance.")
]


def parameter_text(query: StoredQuery) -> str:
    """``model (string, required), depth (integer = 10)``."""
    return ", ".join(
        f"{p.name} ({p.type}, required)"
        if p.required
        else f"{p.name} ({p.type} = {to_json(p.default, indent=None)})"
        for p in query.params
    )


def body_of(query: StoredQuery) -> str:
    """The query's AQL without its header of comments."""
    lines = query.text.splitlines()
    start = 0
    while start < len(lines) and (
        lines[start].strip().startswith("//") or not lines[start].strip()
    ):
        start += 1
    return "\n".join(lines[start:]).rstrip()


@app.command(
    "list",
    epilog=examples("arangoml-meta query list", "arangoml-meta query list --format json"),
)
def list_queries(directory: DirOption = None, fmt: FormatOption = Format.table) -> None:
    """List the stored queries: name, title, who they are for, parameters."""
    rows = [
        {
            "name": q.name,
            "title": q.title,
            "audience": q.audience,
            "writes": q.writes,
            "parameters": parameter_text(q),
        }
        for q in load_queries(directory).values()
    ]
    columns = ["name", "title", "audience", "parameters"]
    emit_rows(rows, fmt, columns if fmt is Format.table else None)


@app.command(
    "show",
    epilog=examples(
        "arangoml-meta query show model_provenance",
        "arangoml-meta query show audit_trail --format json",
    ),
)
def show(name: QueryName, directory: DirOption = None, fmt: FormatOption = Format.table) -> None:
    """Show a stored query: what it answers, its parameters, its AQL."""
    query = load_query(name, directory)
    params = [
        {
            "name": p.name,
            "type": p.type,
            "required": p.required,
            "default": p.default,
            "help": p.help,
        }
        for p in query.params
    ]
    header = {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "audience": query.audience,
        "writes": query.writes,
    }
    if fmt in (Format.json, Format.jsonl):
        path = str(query.path) if query.path else None
        emit_document({**header, "params": params, "aql": body_of(query), "path": path}, fmt)
        return
    if fmt is Format.csv:
        emit_rows(params, fmt, ["name", "type", "required", "default", "help"])
        return
    emit_document(header, fmt)
    emit_rows(params, fmt, ["name", "type", "required", "default", "help"], title="Parameters")
    print_text("")
    print_text(body_of(query))


MemoryLimitOption = Annotated[
    str,
    typer.Option(
        "--memory-limit",
        envvar="ARANGOML_META_MEMORY_LIMIT",
        metavar="SIZE",
        help="Stop the query (error 32) when it would hold more than SIZE: bytes, or a number "
        "with K, M, G or T (powers of 1024), e.g. 4GiB; 0: no limit.",
    ),
]
MaxRuntimeOption = Annotated[
    str,
    typer.Option(
        "--max-runtime",
        envvar="ARANGOML_META_MAX_RUNTIME",
        metavar="SECONDS",
        help="Stop the query (error 1500) when it has run SECONDS; 0: no limit.",
    ),
]
DEFAULT_MEMORY = format_size(DEFAULT_MEMORY_LIMIT).replace(" ", "")
DEFAULT_SECONDS = f"{DEFAULT_MAX_RUNTIME:g}"
# the option that raises each limit (the engine names it in the error's details)
_LIMIT_OPTIONS = {"memoryLimit": "--memory-limit", "maxRuntime": "--max-runtime"}
# ... and, where the error came from a server (ArangoDB, serve), the limit its number means
_LIMIT_OF_ERROR = {ERROR_RESOURCE_LIMIT: "memoryLimit", ERROR_QUERY_KILLED: "maxRuntime"}


def limits(memory_limit: str, max_runtime: str) -> dict[str, Any]:
    """The ``memory_limit`` and ``max_runtime`` arguments of the options' text."""
    return {
        "memory_limit": parse_memory_limit(memory_limit),
        "max_runtime": parse_max_runtime(max_runtime),
    }


@contextmanager
def limit_hint() -> Iterator[None]:
    """A query stopped by a limit fails saying which option raises the limit."""
    try:
        yield
    except QueryError as exc:
        limit = exc.details.get("limit") or _LIMIT_OF_ERROR.get(exc.error_num or 0)
        option = _LIMIT_OPTIONS.get(str(limit))
        if option is None:
            raise
        raise QueryError(
            f"{exc.message}; raise it with {option} (0: no limit)", exc.error_num
        ) from None


def show_warnings(rows: Any) -> None:
    """Each of the query's warnings on stderr: ``Warning: [1562] division by zero``."""
    for warning in getattr(rows, "warnings", ()):
        note(f"Warning: [{warning.get('code')}] {warning.get('message')}")


ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="NAME=VALUE",
        help="A parameter of the query (repeat for more); VALUE is read by the parameter's "
        "type (see `query show NAME`).",
        show_default=False,
    ),
]


@app.command(
    "run",
    epilog=examples(
        "arangoml-meta query run model_provenance --param model=models/iris-clf-v2",
        "arangoml-meta query run compare_models -p metric=auc -p limit=5 --format csv",
        "arangoml-meta query run audit_trail -p since=2025-01-01 -p until=2025-02-01 --format jsonl",
    ),
)
def run(
    ctx: typer.Context,
    name: QueryName,
    params: ParamOption = None,
    directory: DirOption = None,
    fmt: FormatOption = Format.table,
    memory_limit: MemoryLimitOption = DEFAULT_MEMORY,
    max_runtime: MaxRuntimeOption = DEFAULT_SECONDS,
) -> None:
    """Run a stored query with its parameters (bound, never spliced into the AQL).

    The rows go to stdout and the query's warnings to stderr, one line each.
    """
    query = load_query(name, directory)
    raw = assignments(params, "--param", typed=False)
    truncated: list[str] = []
    store = open_store_of(ctx, reading=not query.writes)
    bounds = limits(memory_limit, max_runtime)
    with (
        limit_hint(),
        closing(store.cursor(*prepare_query(store, query, raw), **bounds)) as rows,
    ):
        emit_rows(without_truncation(rows, truncated), fmt)
    for message in truncated:
        note(message)
    show_warnings(rows)


def read_aql(text: str) -> str:
    """The query text; ``-`` reads it from stdin, ``@FILE`` from a file."""
    if text == "-":
        text = read_stdin()
    elif text.startswith("@"):
        text = read_text(text[1:])
    if not text.strip():
        raise BadParameterError("the query is empty")
    return text


def refuse_modification(text: str) -> None:
    """Raise 1586 when the AQL modifies data (it must parse, too)."""
    if modifies_data(parse(text)):
        raise QueryError(
            "the query modifies data (INSERT, UPDATE, REPLACE, REMOVE or UPSERT); "
            "pass --write to allow it",
            ERROR_QUERY_MUST_NOT_BE_MODIFIED,
        )


def aql(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help="AQL text; '-' reads it from stdin, '@FILE' from a file.",
        ),
    ],
    bind: Annotated[
        list[str] | None,
        typer.Option(
            "--bind",
            "-b",
            metavar="NAME=VALUE",
            help="A bind variable (repeat for more); VALUE is JSON when it is JSON, else text; "
            "@NAME=VALUE binds a collection (@@NAME in the query).",
            show_default=False,
        ),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Allow the query to modify data.")] = False,
    fmt: FormatOption = Format.table,
    memory_limit: MemoryLimitOption = DEFAULT_MEMORY,
    max_runtime: MaxRuntimeOption = DEFAULT_SECONDS,
) -> None:
    """Run an ad-hoc AQL query on the store, read-only unless --write.

    The rows go to stdout and the query's warnings to stderr, one line each.
    """
    query = read_aql(text)
    if not write:
        refuse_modification(query)
    bind_vars = assignments(bind, "--bind", typed=True)
    bounds = limits(memory_limit, max_runtime)
    store = open_store_of(ctx, reading=not write)
    with limit_hint(), closing(store.cursor(query, bind_vars, **bounds)) as rows:
        emit_rows(rows, fmt)
    show_warnings(rows)


AQL_EPILOG = examples(
    "arangoml-meta aql 'FOR d IN datasets FILTER d.rows > @n RETURN d._id' --bind n=1000",
    "arangoml-meta aql 'FOR d IN @@c RETURN d.name' --bind @c=models --format json",
    "arangoml-meta aql @report.aql --format csv > report.csv",
    "arangoml-meta aql --write 'FOR d IN datasets FILTER d.name == \"tmp\" REMOVE d IN datasets'",
)
