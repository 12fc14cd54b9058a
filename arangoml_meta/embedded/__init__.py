"""The embedded AQL engine: ArangoDB 3.12 AQL executed in-process over SQLite.

``EmbeddedDatabase`` and ``QueryResult`` load the engine when first named, so
importing one of its small modules (the document validators of ``documents``)
does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .database import EmbeddedDatabase, QueryResult

__all__ = ["EmbeddedDatabase", "QueryResult"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import database

        return getattr(database, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
