"""``arangoml-meta runs``: list pipeline runs, show one with its inputs and outputs, compare several."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from ..store import RUNS, MetadataStore
from .artifacts import (
    DEFAULT_PAGE,
    ColumnsOption,
    LimitOption,
    OffsetOption,
    WhereOption,
    columns_option,
    filters_of,
    paged,
)
from .core import examples, open_store_of, sub_app
from .output import Format, FormatOption, emit_document, emit_rows

# a run's links, each way: the artifact at the other end and the role
_LINKS = """
RETURN {
  inputs: (FOR e IN inputs FILTER e._to == @run SORT e._from, e.role RETURN { id: e._from, role: e.role }),
  outputs: (FOR e IN outputs FILTER e._from == @run SORT e._to, e.role RETURN { id: e._to, role: e.role })
}
"""
app = sub_app("runs", "Pipeline runs: list them, show one, compare several side by side.")

LIST_COLUMNS = ["_id", "step", "status", "project", "started_at", "ended_at", "metrics"]
SHOW_FIELDS = (
    "_id", "name", "step", "status", "project", "description", "tags", "created_by",
    "started_at", "ended_at", "params", "metrics", "resources", "error",
)  # fmt: skip
COMPARED = ("params", "metrics", "resources")
RunArgument = Annotated[
    str, typer.Argument(metavar="RUN", help="A run: its id (runs/train-...) or key.")
]


def run_ref(ref: str) -> str:
    """A run's id from an id or a bare key."""
    return ref if "/" in ref else f"{RUNS}/{ref}"


@app.command(
    "list",
    epilog=examples(
        "arangoml-meta runs list",
        "arangoml-meta runs list --status failed --project churn",
        "arangoml-meta runs list --where step=train --where 'metrics.auc>0.9' --columns _id,params,metrics.auc",
        "arangoml-meta runs list --unfinished",
    ),
)
def list_runs(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="running, completed or failed.", show_default=False)
    ] = None,
    project: Annotated[
        str | None, typer.Option(help="Only this project's runs.", show_default=False)
    ] = None,
    where: WhereOption = None,
    unfinished: Annotated[
        bool,
        typer.Option(
            "--unfinished",
            help="Runs still marked running, each saying whether its process is gone (orphaned).",
        ),
    ] = False,
    limit: LimitOption = DEFAULT_PAGE,
    offset: OffsetOption = 0,
    columns: ColumnsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List runs, newest first, a page at a time."""
    store = open_store_of(ctx, reading=True)
    if unfinished:
        rows = store.unfinished_runs()
        default = ["_id", "step", "started_at", "environment.host", "environment.pid", "orphaned"]
    else:
        filters = filters_of(where)
        for field, value in (("status", status), ("project", project)):
            if value is not None:
                filters.setdefault(field, {})["=="] = value
        rows = paged(
            lambda count, skip: store.find(
                RUNS, filters, limit=count, offset=skip, sort="started_at", descending=True
            ),
            limit,
            offset,
        )
        default = LIST_COLUMNS
    emit_rows(rows, fmt, columns_option(columns, default))


def linked(store: MetadataStore, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """The run's inputs and outputs: artifact id and role, each link once."""
    rows = store.query(_LINKS, {"run": run_id})
    return {"inputs": rows[0]["inputs"], "outputs": rows[0]["outputs"]}


@app.command(
    "show",
    epilog=examples(
        "arangoml-meta runs show runs/train-20250116T140000-3f2a9c",
        "arangoml-meta runs show train-20250116T140000-3f2a9c --format json",
    ),
)
def show(ctx: typer.Context, run: RunArgument, fmt: FormatOption = Format.table) -> None:
    """Show a run: status, params, metrics, resources, and the artifacts it used and produced."""
    store = open_store_of(ctx, reading=True)
    doc = store.get(run_ref(run))
    links = linked(store, doc["_id"])
    # the environment in full: its record, stored once, with the run's own process
    environment = store.environment_of(doc) or {}
    if fmt in (Format.json, Format.jsonl):
        emit_document({"run": {**doc, "environment": environment}, **links}, fmt)
        return
    summary = {field: doc[field] for field in SHOW_FIELDS if doc.get(field) not in (None, {}, [])}
    git = environment.get("git") or {}
    summary["environment"] = {
        "python": (environment.get("python") or {}).get("version"),
        "host": environment.get("host"),
        "git_commit": git.get("commit"),
        "git_dirty": git.get("dirty"),
    }
    emit_document(summary, fmt)
    if fmt is Format.table:
        emit_rows(links["inputs"], fmt, ["id", "role"], title="Inputs")
        emit_rows(links["outputs"], fmt, ["id", "role"], title="Outputs")


def flatten(value: Any, prefix: str) -> dict[str, Any]:
    """``{"cost": {"amount": 1}}`` under ``resources`` → ``{"resources.cost.amount": 1}``."""
    if isinstance(value, Mapping) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}"))
        return flat
    return {prefix: value}


@app.command(
    "compare",
    epilog=examples(
        "arangoml-meta runs compare runs/train-a runs/train-b runs/train-c",
        "arangoml-meta runs compare train-a train-b --different --format csv",
    ),
)
def compare(
    ctx: typer.Context,
    runs: Annotated[
        list[str], typer.Argument(metavar="RUN", help="The runs to compare: ids or keys.")
    ],
    different: Annotated[
        bool, typer.Option("--different", help="Only the rows where the runs differ.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Compare runs side by side: status, params, metrics and resources, one column per run."""
    store = open_store_of(ctx, reading=True)
    docs = list({doc["_id"]: doc for doc in (store.get(run_ref(run)) for run in runs)}.values())
    flat = []
    for doc in docs:
        values: dict[str, Any] = {"step": doc.get("step"), "status": doc.get("status")}
        for section in COMPARED:
            if doc.get(section):
                values.update(flatten(doc[section], section))
        flat.append(values)
    seen = list(dict.fromkeys(field for values in flat for field in values))
    sections = ("step", "status", *COMPARED)
    fields = sorted(seen, key=lambda field: sections.index(field.partition(".")[0]))
    names = [doc["_key"] for doc in docs]
    rows = []
    for field in fields:
        cells = [values.get(field) for values in flat]
        if different and all(cell == cells[0] for cell in cells):
            continue
        rows.append({"field": field, **dict(zip(names, cells, strict=True))})
    emit_rows(rows, fmt, ["field", *names])
