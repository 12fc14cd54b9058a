"""Lineage: walks up and down the provenance graph, and drawing them.

``walk`` holds the one AQL traversal every lineage question runs and the
:class:`Lineage` rows it returns; ``tree`` draws a walk as a tree, Graphviz DOT
or Mermaid. :class:`~arangoml_meta.store.MetadataStore` exposes them as
``lineage()``, ``downstream()``, ``upstream()`` and ``impact()``.
"""

from .tree import TreeNode, lineage_tree, render_tree, to_dot, to_mermaid
from .walk import COMPLETE_DEPTH, GRAPH, IMPACT_TYPES, Lineage

__all__ = [
    "COMPLETE_DEPTH",
    "GRAPH",
    "IMPACT_TYPES",
    "Lineage",
    "TreeNode",
    "lineage_tree",
    "render_tree",
    "to_dot",
    "to_mermaid",
]
