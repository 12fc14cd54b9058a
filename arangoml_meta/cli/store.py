"""``arangoml-meta store``: create a store and say what is in it."""

from __future__ import annotations

from typing import Any

import typer

from ..store import MetadataStore
from .core import examples, open_store_of, sub_app
from .output import Format, FormatOption, emit_document, emit_rows

app = sub_app("store", "Create the metadata store and describe it.")


def describe(store: MetadataStore) -> dict[str, Any]:
    """``MetadataStore.info()`` plus the ArangoDB database name when there is one."""
    info = store.info()
    database = getattr(store.backend, "database", None)
    described = {"backend": info["backend"], "location": info["location"]}
    if database is not None:
        described["database"] = database
    return {**described, "schema_version": info["schema_version"], "counts": info["counts"]}


@app.command(
    "init",
    epilog=examples(
        "arangoml-meta store init",
        "arangoml-meta --store /data/meta store init",
        "ARANGO_PASSWORD=... arangoml-meta --store http://localhost:8529 store init",
    ),
)
def init(ctx: typer.Context) -> None:
    """Create the store (collections, indexes, lineage graph, type registry) if it is missing.

    Safe to run again: an existing store is left as it is.
    """
    info = describe(open_store_of(ctx))
    where = info["location"] + (f", database {info['database']}" if "database" in info else "")
    typer.echo(
        f"{info['backend']} store ready at {where} "
        f"(schema version {info['schema_version']}, {len(info['counts'])} collections)"
    )


@app.command(
    "info",
    epilog=examples("arangoml-meta store info", "arangoml-meta store info --format json"),
)
def info(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Show the backend, where the store is, its schema version and documents per collection."""
    described = describe(open_store_of(ctx, reading=True))
    counts = [
        {"collection": name, "documents": count} for name, count in described["counts"].items()
    ]
    if fmt in (Format.json, Format.jsonl):
        emit_document(described, fmt)
    elif fmt is Format.csv:
        emit_rows(counts, fmt)
    else:
        emit_document({k: v for k, v in described.items() if k != "counts"}, fmt)
        emit_rows(counts, fmt)
