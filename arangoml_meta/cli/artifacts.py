"""``arangoml-meta artifacts``: register, look up, list and trace the versions of artifacts."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import BadParameterError, DocumentNotFoundError
from ..fields import is_schema_field
from ..inputs import read_document
from ..refs import parse_ref
from .core import (
    assignments,
    examples,
    nested_fields,
    note,
    open_store_of,
    sub_app,
)
from .output import Format, FormatOption, emit_document, emit_rows
from .where import filters_of

app = sub_app(
    "artifacts",
    "Artifacts: add a new version, get one, list them, show a version history, delete.",
)

ENVELOPE = ("project", "description", "tags")
LIST_COLUMNS = ["_id", "name", "version", "project", "tags", "created_at", "created_by"]
ProjectOption = Annotated[
    str | None, typer.Option(help="The project it belongs to.", show_default=False)
]
TagsOption = Annotated[
    list[str] | None,
    typer.Option("--tag", metavar="TAG", help="A label (repeat for more).", show_default=False),
]
TypeArgument = Annotated[
    str, typer.Argument(metavar="TYPE", help="The artifact type, e.g. datasets.")
]
RefArgument = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="An artifact: its id (datasets/iris-v2), TYPE/NAME@VERSION or TYPE/NAME@latest.",
    ),
]


def counted(n: int, noun: str) -> str:
    """``1 document``, ``2 documents``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def read_fields_file(path: Path) -> dict[str, Any]:
    """The fields of an artifact from a JSON or YAML file holding one object."""
    data = read_document(path)
    if not isinstance(data, dict):
        raise BadParameterError(f"{path}: an artifact file holds one object (field: value, ...)")
    return data


@app.command(
    "add",
    epilog=examples(
        "arangoml-meta artifacts add datasets iris rows=150 location=s3://lake/iris.csv",
        "arangoml-meta artifacts add models iris-clf --file model.yaml metrics.auc=0.97",
        "arangoml-meta artifacts add datasets iris --project demo --tag public "
        '\'columns=[{"name": "sepal_length"}]\'',
    ),
)
def add(
    ctx: typer.Context,
    type_name: TypeArgument,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="The artifact's name; each add is its next version."),
    ],
    fields: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FIELD=VALUE",
            help="Fields; a VALUE is read as JSON (150, true, [1,2], {...}) when it is JSON, "
            "else as text; a dotted FIELD (metrics.auc) sets a nested field.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="Fields from a JSON or YAML file (one object); FIELD=VALUE arguments override them.",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
    description: Annotated[str | None, typer.Option(help="What it is.", show_default=False)] = None,
    tags: TagsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Register the next version of an artifact (validated against its type's schema).

    Artifacts are immutable: adding one with a name that exists records a new
    version (iris-v1, iris-v2, ...). Nothing is written when a field is wrong.
    """
    doc = read_fields_file(file) if file is not None else {}
    doc = {**doc, **nested_fields(assignments(fields, "FIELD=VALUE", typed=True))}
    if doc.pop("name", name) != name:
        raise BadParameterError(f"the fields give another name than {name!r}; leave 'name' out")
    envelope: dict[str, Any] = {key: doc.pop(key) for key in ENVELOPE if key in doc}
    given = {"project": project, "description": description, "tags": tags}
    envelope.update({key: value for key, value in given.items() if value is not None})
    stored = open_store_of(ctx).register(type_name, name, **envelope, **doc)
    emit_document(stored, fmt)


@app.command(
    "get",
    epilog=examples(
        "arangoml-meta artifacts get datasets/iris-v2",
        "arangoml-meta artifacts get models/iris-clf@latest --format json",
    ),
)
def get(ctx: typer.Context, ref: RefArgument, fmt: FormatOption = Format.table) -> None:
    """Show one artifact (or run) with all its fields."""
    emit_document(open_store_of(ctx, reading=True).get(ref), fmt)


WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="FIELD=VALUE",
        help="Only these (repeat for more): FIELD OP VALUE, OP one of = != < <= > >= ~ "
        "(LIKE, with %); VALUE is JSON when it is JSON, else text not starting with an "
        "operator. < <= > >= match only values of VALUE's type (never a missing field); "
        "FIELD[*]=VALUE: an array FIELD holding VALUE.",
        show_default=False,
    ),
]
DEFAULT_PAGE = 100  # rows a list shows unless --limit says otherwise
LimitOption = Annotated[
    int, typer.Option(min=1, help="At most this many (a page; --offset for the next).")
]
OffsetOption = Annotated[int, typer.Option(min=0, help="Skip this many first.")]


def paged(
    fetch: Callable[[int, int], list[dict[str, Any]]], limit: int, offset: int
) -> list[dict[str, Any]]:
    """One page of rows: ``fetch(limit + 1, offset)`` tells whether more follow, and a note
    on stderr says how to see them."""
    rows = fetch(limit + 1, offset)
    if len(rows) > limit:
        note(f"rows {offset + 1} to {offset + limit} shown; more with --offset {offset + limit}")
        return rows[:limit]
    return rows


ColumnsOption = Annotated[
    str | None,
    typer.Option(
        metavar="A,B,...",
        help="The columns of a table or CSV (dotted paths allowed, e.g. metrics.auc).",
        show_default=False,
    ),
]


def columns_option(columns: str | None, default: list[str]) -> list[str]:
    if columns is None:
        return default
    chosen = [column.strip() for column in columns.split(",") if column.strip()]
    if not chosen:
        raise BadParameterError("--columns: name at least one column")
    return chosen


@app.command(
    "list",
    epilog=examples(
        "arangoml-meta artifacts list datasets",
        "arangoml-meta artifacts list models --where framework=sklearn --where 'metrics.auc>0.9'",
        "arangoml-meta artifacts list datasets --where 'name~iris%' --columns _id,rows --format csv",
    ),
)
def list_artifacts(
    ctx: typer.Context,
    type_name: TypeArgument,
    where: WhereOption = None,
    sort: Annotated[
        str,
        typer.Option(
            help="Sort by this field (dotted paths allowed): one the type's schema declares, "
            "or that a stored document has; any other is refused."
        ),
    ] = "created_at",
    descending: Annotated[bool, typer.Option("--desc", help="Newest (largest) first.")] = False,
    limit: LimitOption = DEFAULT_PAGE,
    offset: OffsetOption = 0,
    columns: ColumnsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the artifacts of a type, optionally filtered, a page at a time."""
    store, filters = open_store_of(ctx, reading=True), filters_of(where)
    rows = paged(
        lambda count, skip: store.find(
            type_name, filters, limit=count, offset=skip, sort=sort, descending=descending
        ),
        limit,
        offset,
    )
    if not is_schema_field(store.type(type_name), sort.split(".")):
        note(
            f"{type_name} does not declare {sort!r}: sorted by it as stored; documents "
            "without it sort as null (first, or last with --desc)"
        )
    emit_rows(rows, fmt, columns_option(columns, LIST_COLUMNS))


@app.command(
    "history",
    epilog=examples(
        "arangoml-meta artifacts history datasets/iris",
        "arangoml-meta artifacts history datasets/iris-v2 --format json",
    ),
)
def history(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="TYPE/NAME", help="An artifact's type and name (or the id of one version)."
        ),
    ],
    limit: LimitOption = DEFAULT_PAGE,
    offset: OffsetOption = 0,
    columns: ColumnsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the versions of an artifact, oldest first, a page at a time."""
    store = open_store_of(ctx, reading=True)
    parsed = parse_ref(ref)
    name = parsed.name or parsed.key or ""
    if not store.history(parsed.type, name, limit=1) and parsed.key is not None:
        with contextlib.suppress(DocumentNotFoundError):  # the id of one version: its name's
            name = store.get(ref)["name"]
    versions = paged(
        lambda count, skip: store.history(parsed.type, name, limit=count, offset=skip),
        limit,
        offset,
    )
    if not versions and offset == 0:
        raise DocumentNotFoundError(f"no artifact named {name!r} in {parsed.type}")
    emit_rows(versions, fmt, columns_option(columns, LIST_COLUMNS))


@app.command(
    "delete",
    epilog=examples(
        "arangoml-meta artifacts delete datasets/iris-v3",
        "arangoml-meta artifacts delete datasets/customers-v1 --cascade --dry-run",
        "arangoml-meta artifacts delete datasets/customers-v1 --cascade --yes",
    ),
)
def delete(
    ctx: typer.Context,
    ref: RefArgument,
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade", help="Also delete everything derived from it (downstream, any distance)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be deleted.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Do not ask before a cascade deletes more than REF."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Delete an artifact (or run) and every lineage edge touching it, in one transaction.

    Refused when anything was derived from it, unless --cascade. Each deleted document leaves
    a record (no content) that the audit_trail query shows, and its version is never reused.
    """
    store = open_store_of(ctx)
    ref = store.resolve_id(ref)  # the preview and the deletion name the same document
    if cascade and not dry_run and not yes:
        preview = store.delete(ref, cascade=True, dry_run=True)
        if len(preview.documents) > 1:
            note(f"--cascade deletes {counted(len(preview.documents), 'document')}:")
            for doc_id in preview.documents:
                note(f"  {doc_id}")
            typer.confirm(
                f"delete them and {counted(len(preview.edges), 'lineage edge')}?",
                abort=True,
                err=True,
            )
    deletion = store.delete(ref, cascade=cascade, dry_run=dry_run)
    action = "would delete" if dry_run else "deleted"
    rows = [{"id": doc_id, "action": action} for doc_id in deletion.documents]
    emit_rows(rows, fmt, ["id", "action"])
    documents, edges = len(deletion.documents), len(deletion.edges)
    note(f"{action} {counted(documents, 'document')} and {counted(edges, 'lineage edge')}")


@app.command(
    "tag",
    epilog=examples(
        "arangoml-meta artifacts tag datasets/iris-v2 --add gold --add reviewed",
        "arangoml-meta artifacts tag models/iris-clf@latest --remove candidate --add production",
    ),
)
def tag(
    ctx: typer.Context,
    ref: RefArgument,
    add: Annotated[
        list[str] | None,
        typer.Option(
            "--add", metavar="TAG", help="A tag to add (repeat for more).", show_default=False
        ),
    ] = None,
    remove: Annotated[
        list[str] | None,
        typer.Option(
            "--remove", metavar="TAG", help="A tag to remove (repeat for more).", show_default=False
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add or remove tags of an artifact (or run) in place; the change is recorded in its
    changes list (who, when, what). Nothing else of an artifact ever changes."""
    doc = open_store_of(ctx).tag(ref, add=add or [], remove=remove or [])
    emit_document(doc, fmt)
