"""``arangoml-meta lineage``: where an artifact came from, what depends on it, how two connect.

Tabular formats print the rows of the store's lineage methods (``upstream``,
``downstream``, ``impact``, ``path``, ``subgraph``); ``tree``, ``dot`` and
``mermaid`` draw the same neighbourhood from ``MetadataStore.subgraph``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, Any

import typer

from ..store import MetadataStore
from .core import examples, note, open_store_of, sub_app
from .graph import (
    TreeNode,
    chain,
    directional_tree,
    edge_label,
    render_tree,
    to_dot,
    to_mermaid,
    tree_vertices,
)
from .output import Format, emit_document, emit_rows, print_text

app = sub_app("lineage", "Provenance: upstream, downstream, impact of a dataset, paths, pictures.")

WALK_COLUMNS = ["_depth", "_id", "name", "version", "_via"]
IMPACT_TYPES = ("models", "deployments")


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
RefArgument = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help="An artifact or run: its id (datasets/iris-v2), TYPE/NAME@VERSION or TYPE/NAME@latest.",
    ),
]
DepthOption = Annotated[int, typer.Option(min=1, help="How many links to follow.")]
TypesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--type",
        metavar="TYPE",
        help="Only artifacts of this type (repeat for more); a tree keeps the branches leading to them.",
        show_default=False,
    ),
]


def tabular(fmt: GraphFormat) -> Format | None:
    """The row format for ``fmt``, or None for a drawing."""
    return Format(fmt.value) if fmt.value in Format.__members__ else None


def run_collections(store: MetadataStore) -> Callable[[str], bool]:
    runs = {t.name for t in store.types() if t.kind == "execution"}
    return lambda vertex: vertex.partition("/")[0] in runs


def vertex_labeller(
    store: MetadataStore, vertices: Sequence[dict[str, Any]]
) -> Callable[[str], str]:
    """Labels for a tree: the id, and a run's status."""
    is_run = run_collections(store)
    status = {v["_id"]: v.get("status") for v in vertices if is_run(v["_id"])}

    def label(vertex: str) -> str:
        return f"{vertex} [{status[vertex]}]" if status.get(vertex) else vertex

    return label


def draw(
    store: MetadataStore,
    tree: TreeNode,
    graph: dict[str, Any],
    fmt: GraphFormat,
    vertices: Sequence[str] | None = None,
) -> None:
    """Print ``tree`` as a tree, or a picture of ``vertices`` (default: the tree's) and their edges."""
    if fmt is GraphFormat.tree:
        print_text(render_tree(tree, vertex_labeller(store, graph["vertices"])))
        return
    shown = list(vertices) if vertices is not None else list(dict.fromkeys(tree_vertices(tree)))
    picture = to_dot if fmt is GraphFormat.dot else to_mermaid
    print_text(picture(shown, graph["edges"], run_collections(store)))


def check_types(store: MetadataStore, types: Sequence[str] | None) -> list[str] | None:
    """The types to keep (None for all); an unknown type is an error, not an empty answer."""
    for name in types or []:
        store.type(name)
    return list(types) if types else None


def walk(
    store: MetadataStore,
    ref: str,
    *,
    downstream: bool,
    depth: int,
    types: Sequence[str] | None,
    fmt: GraphFormat,
) -> None:
    types = check_types(store, types)
    rows_format = tabular(fmt)
    if rows_format is not None:
        method = store.downstream if downstream else store.upstream
        emit_rows(method(ref, types=types, depth=depth), rows_format, WALK_COLUMNS)
        return
    start = store.resolve_id(ref)
    graph = store.subgraph(start, depth)
    wanted = None if types is None else (lambda vertex: vertex.partition("/")[0] in types)
    draw(
        store,
        directional_tree(start, graph["edges"], downstream=downstream, wanted=wanted),
        graph,
        fmt,
    )


@app.command(
    "up",
    epilog=examples(
        "arangoml-meta lineage up models/iris-clf-v1",
        "arangoml-meta lineage up deployments/iris-prod@latest --type datasets --format json",
        "arangoml-meta lineage up models/iris-clf-v1 --format dot | dot -Tsvg > lineage.svg",
    ),
)
def up(
    ctx: typer.Context,
    ref: RefArgument,
    depth: DepthOption = 10,
    types: TypesOption = None,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show everything an artifact was derived from (upstream), nearest first."""
    walk(open_store_of(ctx), ref, downstream=False, depth=depth, types=types, fmt=fmt)


@app.command(
    "down",
    epilog=examples(
        "arangoml-meta lineage down datasets/iris-v1",
        "arangoml-meta lineage down datasets/iris-v1 --type models --format csv",
    ),
)
def down(
    ctx: typer.Context,
    ref: RefArgument,
    depth: DepthOption = 10,
    types: TypesOption = None,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show everything derived from an artifact (downstream), nearest first."""
    walk(open_store_of(ctx), ref, downstream=True, depth=depth, types=types, fmt=fmt)


@app.command(
    "impact",
    epilog=examples(
        "arangoml-meta lineage impact datasets/customers-v1",
        "arangoml-meta lineage impact datasets/customers@latest --format mermaid",
    ),
)
def impact(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="DATASET", help="A dataset (or any artifact).")],
    depth: DepthOption = 20,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show every model and deployment that depends on a dataset."""
    store = open_store_of(ctx)
    rows_format = tabular(fmt)
    if rows_format is not None:
        emit_rows(store.impact(ref, depth=depth), rows_format, WALK_COLUMNS)
        return
    walk(store, ref, downstream=True, depth=depth, types=IMPACT_TYPES, fmt=fmt)


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
    store = open_store_of(ctx)
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
    tree = chain([s["vertex"]["_id"] for s in steps], [s["edge"] for s in steps])
    graph = {"vertices": [s["vertex"] for s in steps], "edges": [s["edge"] for s in steps[1:]]}
    draw(store, tree, graph, fmt)


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
    ref: RefArgument,
    depth: DepthOption = 10,
    fmt: GraphFormatOption = GraphFormat.tree,
) -> None:
    """Show the neighbourhood of an artifact: what it came from and what came of it."""
    store = open_store_of(ctx)
    start = store.resolve_id(ref)
    graph = store.subgraph(start, depth)
    rows_format = tabular(fmt)
    if rows_format is Format.json:
        emit_document(graph, rows_format)
        return
    if rows_format is not None:
        rows = [
            {"from": e["_from"], "to": e["_to"], "link": edge_label(e)}
            for e in sorted(graph["edges"], key=lambda e: (e["_from"], e["_to"]))
        ]
        emit_rows(rows, rows_format, ["from", "link", "to"])
        return
    edges = graph["edges"]
    upstream = directional_tree(start, edges, downstream=False)
    downstream = directional_tree(start, edges, downstream=True)
    tree = TreeNode(
        start,
        children=[
            TreeNode("", heading="upstream", children=upstream.children),
            TreeNode("", heading="downstream", children=downstream.children),
        ],
    )
    # the picture holds every vertex and link around the start
    around = sorted({v["_id"] for v in graph["vertices"]} - {start})
    draw(store, tree, graph, fmt, vertices=[start, *around])
