"""``arangoml-meta runs``: list pipeline runs, show one with its inputs and outputs, compare several;
record a run from the shell, close one its process left running."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from ..errors import BadParameterError
from ..run_admin import Output
from ..runs import RUNS
from ..store import MetadataStore
from .artifacts import (
    DEFAULT_PAGE,
    ColumnsOption,
    LimitOption,
    OffsetOption,
    ProjectOption,
    TagsOption,
    WhereOption,
    columns_option,
    filters_of,
    paged,
)
from .core import (
    assignments,
    examples,
    json_value,
    open_store_of,
    split_assignment,
    sub_app,
)
from .output import Format, FormatOption, emit_document, emit_rows

# a run's links, each way: the artifact at the other end and the role
_LINKS = """
RETURN {
  inputs: (FOR e IN inputs FILTER e._to == @run SORT e._from, e.role RETURN { id: e._from, role: e.role }),
  outputs: (FOR e IN outputs FILTER e._from == @run SORT e._to, e.role RETURN { id: e._to, role: e.role })
}
"""
app = sub_app(
    "runs",
    "Pipeline runs: list them, show one, compare several side by side; record one from the "
    "shell, close an orphaned one.",
)

LIST_COLUMNS = ["_id", "step", "status", "project", "started_at", "ended_at", "metrics"]
SHOW_FIELDS = (
    "_id", "name", "step", "status", "project", "description", "tags", "created_by",
    "started_at", "ended_at", "closed_by", "params", "metrics", "resources", "error", "changes",
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
        "arangoml-meta runs list --type trainings",
    ),
)
def list_runs(
    ctx: typer.Context,
    run_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="Runs of this type of kind execution (default: runs; with --unfinished: "
            "every such type).",
            show_default=False,
        ),
    ] = None,
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
    if run_type is not None and store.type(run_type).kind != "execution":
        raise BadParameterError(f"{run_type} is not a type of kind execution: it has no runs")
    if unfinished:
        rows = [
            row
            for row in store.unfinished_runs()
            if run_type is None or str(row["_id"]).startswith(f"{run_type}/")
        ]
        default = ["_id", "step", "started_at", "environment.host", "environment.pid", "orphaned"]
    else:
        filters = filters_of(where)
        for field, value in (("status", status), ("project", project)):
            if value is not None:
                filters.setdefault(field, {})["=="] = value
        rows = paged(
            lambda count, skip: store.find(
                run_type or RUNS,
                filters,
                limit=count,
                offset=skip,
                sort="started_at",
                descending=True,
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
        "arangoml-meta runs show runs/train-1kfj3pa0w03f2a",
        "arangoml-meta runs show train-1kfj3pa0w03f2a --format json",
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


# --------------------------------------------------------------------------- from the shell

StatusOption = Annotated[
    str, typer.Option("--status", metavar="STATUS", help="completed or failed.")
]
ReasonOption = Annotated[
    str | None,
    typer.Option("--reason", metavar="TEXT", help="Why it failed.", show_default=False),
]


def inputs_of(items: list[str] | None) -> list[tuple[str, str]]:
    """``--input ROLE=REF`` (or a bare REF, role ``input``) as (ref, role) pairs."""
    pairs = []
    for item in items or []:
        role, sep, ref = item.partition("=")
        if not sep or "/" in role:  # a bare reference (a role has no '/')
            role, ref = "input", item
        if not role.strip() or not ref.strip():
            raise BadParameterError(f"--input: expected ROLE=REF, got {item!r}")
        pairs.append((ref.strip(), role.strip()))
    return pairs


def outputs_of(items: list[str] | None) -> list[Output]:
    """``--output ROLE=TYPE/NAME[:JSON]`` as (role, "TYPE/NAME", fields)."""
    outputs: list[Output] = []
    for item in items or []:
        role, text = split_assignment(item, "--output")
        ref, sep, body = text.partition(":")
        fields = json_value(body, f"--output {role}") if sep else {}
        if not isinstance(fields, dict):
            raise BadParameterError(
                f"--output: the fields after ':' are a JSON object, e.g. "
                f'{role}={ref}:\'{{"framework": "sklearn"}}\' (got {body!r})'
            )
        outputs.append((role, ref.strip(), fields))
    return outputs


@app.command(
    "record",
    epilog=examples(
        "arangoml-meta runs record train --input train=datasets/iris@latest "
        '--param lr=0.1 --metric auc=0.97 --output model=models/iris-clf:\'{"framework": "sklearn"}\'',
        "arangoml-meta runs record featurize --project churn --input datasets/churn-raw-v3 "
        "--output features=featuresets/churn --started-at 2025-01-16T14:00:00.000Z",
        "arangoml-meta runs record train --status failed --reason 'out of memory' "
        "--input train=datasets/iris-v2",
    ),
)
def record(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The run's name, e.g. train.")],
    step: Annotated[
        str | None,
        typer.Option(help="The pipeline step it ran (default: NAME).", show_default=False),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            metavar="ROLE=REF",
            help="An artifact it read, with its role (train, test, ...): "
            "train=datasets/iris@latest; a bare REF has the role 'input'. Repeat for more.",
            show_default=False,
        ),
    ] = None,
    outputs: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            metavar="ROLE=TYPE/NAME[:JSON]",
            help="An artifact it produced, registered as the next version of TYPE/NAME with "
            "the fields of the JSON object after ':' (in the run's project unless they give "
            "one). Repeat for more.",
            show_default=False,
        ),
    ] = None,
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="KEY=VALUE",
            help="A parameter (VALUE as JSON when it is JSON). Repeat for more.",
            show_default=False,
        ),
    ] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option(
            "--metric", metavar="KEY=VALUE", help="A metric. Repeat for more.", show_default=False
        ),
    ] = None,
    status: StatusOption = "completed",
    reason: ReasonOption = None,
    started_at: Annotated[
        str | None,
        typer.Option(
            "--started-at",
            metavar="TIME",
            help="When it started, in UTC: YYYY-MM-DDTHH:MM:SS.sssZ, e.g. from "
            "date -u +%Y-%m-%dT%H:%M:%S.%3NZ (default: now; it ends now).",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
    description: Annotated[
        str | None, typer.Option(help="What it did.", show_default=False)
    ] = None,
    tags: TagsOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Record a run that ran elsewhere (a shell step): its inputs, outputs, params, metrics.

    Everything is written in one transaction, or nothing when anything is wrong. The run
    is closed as --status says; it has no measured resources.
    """
    doc = open_store_of(ctx).record_run(
        name,
        step=step,
        inputs=inputs_of(inputs),
        outputs=outputs_of(outputs),
        params=assignments(params, "--param", typed=True),
        metrics=assignments(metrics, "--metric", typed=True),
        status=status,
        reason=reason,
        started_at=started_at,
        project=project,
        description=description,
        tags=tags,
    )
    emit_document(doc, fmt)


@app.command(
    "close",
    epilog=examples(
        "arangoml-meta runs list --unfinished",
        "arangoml-meta runs close runs/train-20250116T140000-3f2a9c --reason 'killed by OOM'",
        "arangoml-meta runs close train-20250116T140000-3f2a9c --status completed",
    ),
)
def close(
    ctx: typer.Context,
    run: RunArgument,
    status: StatusOption = "failed",
    reason: ReasonOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Close it even though a process with its pid runs on this host."
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Close a run left running by a process that was killed (an orphaned run).

    Refused for a run that is closed already, and for one whose process still runs on
    this host (unless --force). Records who closed it (closed_by).
    """
    store = open_store_of(ctx)
    emit_document(store.close_run(run_ref(run), status=status, reason=reason, force=force), fmt)
