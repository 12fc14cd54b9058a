"""Drawing lineage: a tree for the terminal, Graphviz DOT and Mermaid for a picture.

Input is what ``MetadataStore.subgraph`` returns — vertices and the edges
between them. :func:`directional_tree` picks the part reachable from one
vertex in one direction as a breadth-first tree (each vertex once, under the
neighbour nearest to the start, as the AQL walks count), optionally pruned to
the branches that reach a wanted type. Runs (kind ``execution``) are drawn as
ellipses, artifacts as boxes.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Doc = Mapping[str, Any]


@dataclass
class TreeNode:
    """A vertex of a tree (or a heading, when ``heading`` is set) and the edge leading to it."""

    vertex: str
    edge: Doc | None = None
    children: list[TreeNode] = field(default_factory=list)
    heading: str | None = None
    against_flow: bool = False  # on a path: the edge points from this vertex to the one above


def edge_label(edge: Doc) -> str:
    """``inputs: train`` — the edge collection and its role or relation."""
    collection = str(edge.get("_id", "")).partition("/")[0]
    detail = edge.get("role") or edge.get("relation")
    return f"{collection}: {detail}" if detail and collection else str(detail or collection)


def directional_tree(
    root: str,
    edges: Iterable[Doc],
    *,
    downstream: bool,
    wanted: Callable[[str], bool] | None = None,
) -> TreeNode:
    """The vertices reachable from ``root`` following ``edges`` one way, as a breadth-first tree.

    With ``wanted``, only branches that reach a wanted vertex are kept.
    """
    step: dict[str, list[tuple[str, Doc]]] = defaultdict(list)
    for edge in edges:
        source, target = (
            (edge["_from"], edge["_to"]) if downstream else (edge["_to"], edge["_from"])
        )
        step[source].append((target, edge))
    nodes = {root: TreeNode(root)}
    queue = deque([root])
    while queue:
        vertex = queue.popleft()
        for neighbour, edge in sorted(
            step[vertex], key=lambda pair: (pair[0], str(pair[1].get("_id")))
        ):
            if neighbour not in nodes:
                nodes[neighbour] = TreeNode(neighbour, edge)
                nodes[vertex].children.append(nodes[neighbour])
                queue.append(neighbour)
    tree = nodes[root]
    if wanted is not None:
        _prune(tree, wanted)
    return tree


def _prune(node: TreeNode, wanted: Callable[[str], bool]) -> bool:
    """Drop the branches that reach no wanted vertex; whether ``node``'s branch reaches one."""
    node.children = [child for child in node.children if _prune(child, wanted)]
    return bool(node.children) or wanted(node.vertex)


def chain(vertices: Sequence[str], edges: Sequence[Doc | None]) -> TreeNode:
    """A path as a tree in which each vertex is the only child of the one before."""
    root = TreeNode(vertices[0])
    node = root
    for vertex, edge in zip(vertices[1:], edges[1:], strict=True):
        child = TreeNode(vertex, edge, against_flow=edge is not None and edge["_from"] == vertex)
        node.children.append(child)
        node = child
    return root


def tree_vertices(node: TreeNode) -> list[str]:
    found = [] if node.heading else [node.vertex]
    for child in node.children:
        found.extend(tree_vertices(child))
    return found


def render_tree(tree: TreeNode, label: Callable[[str], str]) -> str:
    """The tree drawn with box-drawing guides, one vertex a line."""
    lines = [_node_text(tree, label)]

    def draw(node: TreeNode, prefix: str) -> None:
        for index, child in enumerate(node.children):
            last = index == len(node.children) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_node_text(child, label)}")
            draw(child, prefix + ("    " if last else "│   "))

    draw(tree, "")
    return "\n".join(lines)


def _node_text(node: TreeNode, label: Callable[[str], str]) -> str:
    if node.heading is not None:
        return node.heading
    text = label(node.vertex)
    if node.edge is None:
        return text
    against = "against the flow, " if node.against_flow else ""
    return f"{text}  ({against}{edge_label(node.edge)})"


# --------------------------------------------------------------------------- pictures


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def to_dot(vertices: Sequence[str], edges: Iterable[Doc], is_run: Callable[[str], bool]) -> str:
    """Graphviz DOT, left to right: ``arangoml-meta lineage show X --format dot | dot -Tsvg``."""
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
    return text.replace('"', "#quot;")


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
