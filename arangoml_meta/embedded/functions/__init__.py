"""AQL's function library, one module per family; importing this package registers them all."""

from __future__ import annotations

import importlib

from .registry import REGISTRY, AqlFunction, FunctionContext, NullContext, aql_function, lookup

_FAMILIES = (
    "types", "strings", "numeric", "arrays", "objects", "dates", "misc", "geo", "validation"
)  # fmt: skip

for _family in _FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")

__all__ = ["REGISTRY", "AqlFunction", "FunctionContext", "NullContext", "aql_function", "lookup"]
