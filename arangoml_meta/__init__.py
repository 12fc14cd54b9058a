"""arangoml-meta: a common metadata layer for ML platforms, on ArangoDB or an embedded AQL engine."""

__version__ = "0.1.0"
