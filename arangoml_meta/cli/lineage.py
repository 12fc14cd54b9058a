"""``arangoml-meta lineage``: where an artifact came from, what depends on it, how two connect.

Each command is one call of the store's lineage methods (``upstream``,
``downstream``, ``impact``, ``path``); ``tree``, ``dot`` and ``mermaid`` draw
the walk's own result (``lineage/tree.py``), the row formats print its rows. A
walk cut short by ``--depth`` says so on stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, Any

import typer

from ..lineage import IMPACT_TYPES, Lineage, TreeNode, lineage_tree, render_tree, to_dot, to_mermaid
from ..lineage.tree import chain, edge_label, tree_edges, tree_vertices
from ..lineage.walk import check_types
from ..store import MetadataStore
from .core import examples, note, open_store_of, sub_app
from .output import Format, emit_document, emit_rows, print_text

app = sub_app("lineage", "Provenance: upstream, downstream, impact of a dataset, paths, pictures.")

WALK_COLUMNS = ["depth", "id", "name", "version", "via", "from"]
# what a tree reads of each vertex: its status (a run's, a deployment's) beside the id
TREE_FIELDS = ["name", "version", "status"]


class GraphFormat(str, Enum):
    tree = "tree"
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    dot = "dot"
    mermaid = "mermaid"


GraphFormatOption = Annotated[
    GraphFormat,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="tree for the terminal; dot (Graphviz) or mermaid for a picture; "
        "table, json, jsonl or csv for the rows.",
    ),
]
RefsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="Where to start: an id (datasets/iris-v2), TYPE/NAME for every version of a name, "
        "TYPE/NAME@VERSION or TYPE/NAME@latest; several walk as one.",
    ),
]
DepthOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Follow at most this many links (default: all of them); a cut walk says so.",
        show_default=False,
    ),
]
TypesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--type",
        metavar="TYPE",
        help="Only artifacts of this type (repeat for more); a tree keeps the branches leading to them.",
        show_default=False,
    ),
]
ThroughOption = Annotated[
    list[str] | None,
    typer.Option(
        "--through",
        metavar="TYPE",
        help="Walk on only through artifacts of this type (repeat for more); others end a branch.",
        show_default=False,
    ),
]


def tabular(fmt: GraphFormat) -> Format | None:
    """The row format for ``fmt``, or None for a drawing."""
    return Format(fmt.value) if fmt.value in Format.__members__ else None


def run_collections(store: MetadataStore) -> Callable[[str], bool]:
    runs = {t.name for t in store.types() if t.kind == "execution"}
    return lambda vertex: vertex.partition("/")[0] in runs


def walk_rows(lineage: Lineage) -> list[dict[str, Any]]:
    """The rows of a walk as a table shows them: depth, id, name, version and the link."""
    return [
        {
            "depth": row["_depth"],
            "id": row["_id"],
            "name": row.get("name"),
            "version": row.get("version"),
            "via": edge_label(row["_via"]),
            "from": lineage.parent(row),
        }
        for row in lineage
    ]


def report_cut(lineage: Lineage) -> None:
    if lineage.truncated:
        note(
            f"the walk stopped at depth {lineage.depth}: more lineage lies beyond "
            "(a larger --depth, or none, follows it)"
        )


def draw(store: MetadataStore, tree: TreeNode, fmt: GraphFormat) -> None:
    """Print ``tree`` as a tree, or as a picture of its vertices and edges."""
    if fmt is GraphFormat.tree:
        print_text(render_tree(tree))
        return
    vertices = list(dict.fromkeys(tree_vertices(tree)))
    picture = to_dot if fmt is GraphFormat.dot else to_mermaid
    print_text(picture(vertices, tree_edges(tree), run_collections(store)))


def walk(
    store: MetadataStore,
    refs: Sequence[str],
    *,
    direction: str,
    depth: int | None,
    types: Sequence[str] | None,
    through: Sequence[str] | None,
    fmt: GraphFormat,
) -> None:
    rows_format = tabular(fmt)
    starts = list(refs)
    if rows_format is not None:
        lineage = store.lineage(
            starts, direction=direction, types=types, through=through, depth=depth
        )
        if rows_format in (Format.json, Format.jsonl):
            emit_rows(lineage, rows_format)
        else:
            emit_rows(walk_rows(lineage), rows_format, WALK_COLUMNS)
        report_cut(lineage)
        return
    check_types(store, types, "types")  # an unknown type is an error, not an empty tree
    lineage = store.lineage(
        starts, direction=direction, through=through, depth=depth, fields=TREE_FIELDS
    )
    wanted = None if not types else (lambda vertex: vertex.partition("/")[0] in types)
    draw(store, lineage_tree(lineage, wanted), fmt)
    report_cut(lineage)


@app.command(
    "up",
    epilog=examples(
        "arangoml-meta lineage up models/iris-clf-v1",
        "arangoml-meta lineage up deployments/iris-prod --type datasets --format json",
        "arangoml-meta lineage up models/iris-clf-v1 --format dot | dot -Tsvg > lineage.svg",
    ),
)
def up(
    ctx: typer.Context,
    refs: RefsArgument,
    depth: DepthOption = None,
    types: TypesOption = None,
    through: ThroughOption = None,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show everything an artifact was derived from (upstream), nearest first."""
    walk(
        open_store_of(ctx, reading=True), refs, direction="upstream", depth=depth, types=types,
        through=through, fmt=fmt,
    )  # fmt: skip


@app.command(
    "down",
    epilog=examples(
        "arangoml-meta lineage down datasets/iris-v1",
        "arangoml-meta lineage down datasets/iris --type models --format csv",
    ),
)
def down(
    ctx: typer.Context,
    refs: RefsArgument,
    depth: DepthOption = None,
    types: TypesOption = None,
    through: ThroughOption = None,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show everything derived from an artifact (downstream), nearest first."""
    walk(
        open_store_of(ctx, reading=True), refs, direction="downstream", depth=depth, types=types,
        through=through, fmt=fmt,
    )  # fmt: skip


@app.command(
    "impact",
    epilog=examples(
        "arangoml-meta lineage impact datasets/customers-v1",
        "arangoml-meta lineage impact datasets/customers --format mermaid",
    ),
)
def impact(
    ctx: typer.Context,
    refs: Annotated[
        list[str],
        typer.Argument(
            metavar="DATASET...", help="A dataset (or any artifact); TYPE/NAME for every version."
        ),
    ],
    depth: DepthOption = None,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show every model and deployment that depends on a dataset."""
    walk(
        open_store_of(ctx, reading=True), refs, direction="downstream", depth=depth, types=list(IMPACT_TYPES),
        through=None, fmt=fmt,
    )  # fmt: skip


@app.command(
    "path",
    epilog=examples(
        "arangoml-meta lineage path datasets/iris-v1 deployments/iris-prod-v1",
        "arangoml-meta lineage path models/a-v1 models/b-v1 --any-direction --format json",
    ),
)
def path(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FROM", help="Where the path starts.")],
    target: Annotated[str, typer.Argument(metavar="TO", help="Where it ends.")],
    any_direction: Annotated[
        bool,
        typer.Option("--any-direction", help="Follow links against the data flow too."),
    ] = False,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show the shortest chain of links from one artifact to another (in the data flow)."""
    store = open_store_of(ctx, reading=True)
    steps = store.path(source, target, any_direction=any_direction)
    rows_format = tabular(fmt)
    if rows_format is not None:
        rows = [
            {
                "step": index,
                "id": step["vertex"]["_id"],
                "name": step["vertex"].get("name"),
                "version": step["vertex"].get("version"),
                "via": edge_label(step["edge"]) if step["edge"] else None,
                "against_flow": bool(step["edge"])
                and step["edge"]["_from"] == step["vertex"]["_id"],
            }
            for index, step in enumerate(steps)
        ]
        emit_rows(steps if rows_format in (Format.json, Format.jsonl) else rows, rows_format)
        return
    if not steps:
        hint = "" if any_direction else " (--any-direction also follows links backwards)"
        note(f"no path from {source} to {target}{hint}")
        return
    draw(store, chain(steps), fmt)


@app.command(
    "show",
    epilog=examples(
        "arangoml-meta lineage show models/iris-clf-v1",
        "arangoml-meta lineage show models/iris-clf-v1 --depth 3 --format mermaid",
        "arangoml-meta lineage show models/iris-clf-v1 --format dot | dot -Tpng > lineage.png",
    ),
)
def show(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF", help="An artifact or run: its id, TYPE/NAME@VERSION or @latest."
        ),
    ],
    depth: DepthOption = None,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show the neighbourhood of an artifact: what it came from and what came of it."""
    store = open_store_of(ctx, reading=True)
    start = store.resolve_id(ref)
    walks = {
        direction: store.lineage(start, direction=direction, depth=depth, fields=TREE_FIELDS)
        for direction in ("upstream", "downstream")
    }
    rows_format = tabular(fmt)
    if rows_format is Format.json:
        emit_document({direction: list(rows) for direction, rows in walks.items()}, rows_format)
    elif rows_format is not None:
        rows = [
            {"direction": direction, **row}
            for direction, lineage in walks.items()
            for row in walk_rows(lineage)
        ]
        emit_rows(rows, rows_format, ["direction", *WALK_COLUMNS])
    else:
        trees = {direction: lineage_tree(lineage) for direction, lineage in walks.items()}
        tree = TreeNode(
            start,
            children=[
                TreeNode("", heading=direction, children=trees[direction].children)
                for direction in ("upstream", "downstream")
            ],
        )
        draw(store, tree, fmt)
    for lineage in walks.values():
        report_cut(lineage)
