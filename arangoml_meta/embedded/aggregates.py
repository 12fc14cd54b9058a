"""The aggregate functions of COLLECT ... AGGREGATE and WINDOW ... AGGREGATE.

Each takes the list of values its expression gave for a group (or a window)
and returns the aggregate, as ArangoDB's aggregators do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .functions import lookup

Aggregator = Callable[[Any, list[Any]], Any]


def aggregator(name: str) -> Aggregator:
    """The aggregator for function ``name`` (one the parser accepts in AGGREGATE)."""
    if name in ("LENGTH", "COUNT"):
        return lambda rt, items: len(items)
    if name == "PUSH":
        return lambda rt, items: items
    spec = lookup(name)
    assert spec is not None
    impl = spec.impl
    if name == "SUM":
        # the SUM aggregator has no value until it sees one: null for an empty group
        return lambda rt, items: impl(rt, items) if items else None
    return lambda rt, items: impl(rt, items)
