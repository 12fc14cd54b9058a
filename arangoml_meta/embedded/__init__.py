"""The embedded AQL engine: ArangoDB 3.12 AQL executed in-process over SQLite."""
