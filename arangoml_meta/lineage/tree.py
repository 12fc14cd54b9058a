"""Drawing lineage: a tree for the terminal, Graphviz DOT and Mermaid for a picture.

Built from a walk's own result (:class:`~.walk.Lineage`): every row hangs under
the vertex it was reached from, by the edge it was reached by (its ``_via``),
so each vertex appears once, under its nearest neighbour towards the start, as
the walk counts depth. :func:`lineage_tree` makes the tree (optionally keeping
only the branches that reach a wanted type), :func:`render_tree` draws it with
box-drawing guides, :func:`to_dot` and :func:`to_mermaid` draw its vertices and
edges as a picture. Runs (kind ``execution``) are drawn as ellipses, artifacts
as boxes. Every drawing escapes control characters in what it shows (see
:mod:`~arangoml_meta.safe_text`): one vertex is one line, as stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..safe_text import visible
from .walk import Lineage

Doc = Mapping[str, Any]


@dataclass
class TreeNode:
    """A vertex of a tree (or a heading, when ``heading`` is set) and the edge leading to it.

    ``row`` is the walk's row of the vertex (None for a start, a heading, or a path step).
    """

    vertex: str
    edge: Doc | None = None
    children: list[TreeNode] = field(default_factory=list)
    heading: str | None = None
    against_flow: bool = False  # on a path: the edge points from this vertex to the one above
    row: Doc | None = None


def edge_label(edge: Doc) -> str:
    """``inputs: train`` — the edge collection and its role or relation."""
    collection = str(edge.get("_id", "")).partition("/")[0]
    detail = edge.get("role") or edge.get("relation")
    return f"{collection}: {detail}" if detail and collection else str(detail or collection)


def lineage_tree(lineage: Lineage, wanted: Callable[[str], bool] | None = None) -> TreeNode:
    """The walk as a tree under its start (several starts: under a heading listing them).

    With ``wanted``, only branches that reach a wanted vertex are kept. The walk must
    be of every type (a vertex hangs under the one it was reached from).
    """
    if lineage.types is not None:
        raise ValueError("a lineage tree is drawn from a walk of every type: pass wanted=")
    nodes: dict[str, TreeNode] = {start: TreeNode(start) for start in lineage.starts}
    for row in lineage:  # nearest first: a vertex's parent is made before it
        vertex = row["_id"]
        node = nodes.get(vertex)
        if node is None:
            node = nodes[vertex] = TreeNode(vertex)
        node.edge, node.row = row["_via"], row
        parent_id = lineage.parent(row)
        parent = nodes.get(parent_id)
        if parent is None:  # not a row yet: a Lineage made by hand may list rows in any order
            parent = nodes[parent_id] = TreeNode(parent_id)
        parent.children.append(node)
    reached = {row["_id"] for row in lineage}
    roots = [nodes[start] for start in lineage.starts if start not in reached]
    for node in nodes.values():
        node.children.sort(key=lambda child: child.vertex)
    if len(roots) == 1:
        tree = roots[0]
    else:
        tree = TreeNode("", heading=f"{len(roots)} starts", children=roots)
    if wanted is not None:
        _prune(tree, wanted)
    return tree


def _prune(node: TreeNode, wanted: Callable[[str], bool]) -> bool:
    """Drop the branches that reach no wanted vertex; whether ``node``'s branch reaches one."""
    node.children = [child for child in node.children if _prune(child, wanted)]
    return bool(node.children) or (node.heading is None and wanted(node.vertex))


def chain(steps: Sequence[Doc]) -> TreeNode:
    """A path (``store.path()``: ``{vertex, edge}`` steps) as a tree in which each vertex
    is the only child of the one before."""
    first = steps[0]["vertex"]
    root = TreeNode(first["_id"], row=first)
    node = root
    for step in steps[1:]:
        vertex, edge = step["vertex"]["_id"], step["edge"]
        child = TreeNode(
            vertex,
            edge,
            against_flow=edge is not None and edge["_from"] == vertex,
            row=step["vertex"],
        )
        node.children.append(child)
        node = child
    return root


def tree_vertices(node: TreeNode) -> list[str]:
    """The tree's vertices, depth first (headings left out)."""
    found = [] if node.heading else [node.vertex]
    for child in node.children:
        found.extend(tree_vertices(child))
    return found


def tree_edges(node: TreeNode) -> list[Doc]:
    """The edges that lead to the tree's vertices, depth first."""
    found = [] if node.edge is None else [node.edge]
    for child in node.children:
        found.extend(tree_edges(child))
    return found


def vertex_text(node: TreeNode) -> str:
    """The default label of a vertex: its id, and its status (a run's, a deployment's) if any."""
    status = (node.row or {}).get("status")
    return f"{node.vertex} [{status}]" if status else node.vertex


def render_tree(tree: TreeNode, label: Callable[[TreeNode], str] = vertex_text) -> str:
    """The tree drawn with box-drawing guides, one vertex a line, each with its link."""
    lines = [_node_text(tree, label)]

    def draw(node: TreeNode, prefix: str) -> None:
        for index, child in enumerate(node.children):
            last = index == len(node.children) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_node_text(child, label)}")
            draw(child, prefix + ("    " if last else "│   "))

    draw(tree, "")
    return "\n".join(lines)


def _node_text(node: TreeNode, label: Callable[[TreeNode], str]) -> str:
    """One line of the tree: stored text in it has its control characters escaped."""
    if node.heading is not None:
        return visible(node.heading)
    text = visible(label(node))
    if node.edge is None:
        return text
    against = "against the flow, " if node.against_flow else ""
    return f"{text}  ({against}{visible(edge_label(node.edge))})"


# --------------------------------------------------------------------------- pictures


def _quote(text: str) -> str:
    """A DOT string: control characters written as escapes a reader sees (``\\x1b``)."""
    return json.dumps(visible(text), ensure_ascii=False)


def to_dot(vertices: Sequence[str], edges: Iterable[Doc], is_run: Callable[[str], bool]) -> str:
    """Graphviz DOT, left to right: ``arangoml-meta lineage up X --format dot | dot -Tsvg``."""
    lines = [
        "digraph lineage {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for vertex in vertices:
        shape = ", shape=ellipse" if is_run(vertex) else ""
        lines.append(f"  {_quote(vertex)} [label={_quote(vertex)}{shape}];")
    for edge in _sorted_edges(edges, vertices):
        lines.append(
            f"  {_quote(edge['_from'])} -> {_quote(edge['_to'])} [label={_quote(edge_label(edge))}];"
        )
    lines.append("}")
    return "\n".join(lines)


def to_mermaid(vertices: Sequence[str], edges: Iterable[Doc], is_run: Callable[[str], bool]) -> str:
    """A Mermaid flowchart, left to right (renders in GitHub and GitLab Markdown)."""
    ids = {vertex: f"v{index}" for index, vertex in enumerate(vertices)}
    lines = ["flowchart LR"]
    for vertex, node_id in ids.items():
        text = _mermaid_text(vertex)
        lines.append(f'  {node_id}(["{text}"])' if is_run(vertex) else f'  {node_id}["{text}"]')
    for edge in _sorted_edges(edges, vertices):
        text = _mermaid_text(edge_label(edge))
        lines.append(f'  {ids[edge["_from"]]} -->|"{text}"| {ids[edge["_to"]]}')
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    return visible(text).replace('"', "#quot;")


def _sorted_edges(edges: Iterable[Doc], vertices: Sequence[str]) -> list[Doc]:
    """The edges between the given vertices, each once, in a stable order."""
    position = {vertex: index for index, vertex in enumerate(vertices)}
    unique = {
        str(edge.get("_id") or (edge["_from"], edge["_to"])): edge
        for edge in edges
        if edge["_from"] in position and edge["_to"] in position
    }
    return sorted(
        unique.values(),
        key=lambda e: (position[e["_from"]], position[e["_to"]], edge_label(e)),
    )
