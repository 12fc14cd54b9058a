"""The embedded AQL engine: ArangoDB 3.12 AQL executed in-process over SQLite."""

from .database import EmbeddedDatabase, QueryResult

__all__ = ["EmbeddedDatabase", "QueryResult"]
