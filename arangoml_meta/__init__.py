"""arangoml-meta: a common metadata layer for ML platforms, on ArangoDB or an embedded AQL engine.

The public Python API: :func:`open_store` returns a :class:`MetadataStore`
(artifacts, runs, provenance, lineage); errors are
:class:`~arangoml_meta.errors.ArangoMLMetaError` and its subclasses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .errors import ArangoMLMetaError
    from .runs import Run
    from .store import MetadataStore, open_store

__all__ = ["ArangoMLMetaError", "MetadataStore", "Run", "__version__", "open_store"]

_EXPORTS = {
    "open_store": "store",
    "MetadataStore": "store",
    "Run": "runs",
    "ArangoMLMetaError": "errors",
}


def __getattr__(name: str) -> Any:
    """Import the public API lazily, so that ``arangoml_meta.embedded`` stays light."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'arangoml_meta' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
