"""``arangoml-meta store``: create a store, say what is in it, back it up, dump and restore it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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


OverwriteOption = Annotated[
    bool, typer.Option("--overwrite", help="Replace what is at the destination.")
]


@app.command(
    "backup",
    epilog=examples(
        "arangoml-meta store backup /backups/meta-2025-01-31",
        "arangoml-meta --store /data/meta store backup /backups/meta.db --overwrite",
    ),
)
def backup(
    ctx: typer.Context,
    dest: Annotated[
        Path,
        typer.Argument(help="A directory (the copy is DEST/store.db) or a file ending in .db."),
    ],
    overwrite: OverwriteOption = False,
) -> None:
    """Copy the embedded store consistently, even while pipelines write to it.

    SQLite's online backup: the copy holds every commit made before it started, passes
    an integrity check, and opens with --store DEST. For ArangoDB use arangodump
    (or store dump) or ArangoDB's hot backup.
    """
    report = open_store_of(ctx).backup(dest, overwrite=overwrite)
    typer.echo(
        f"backed up {report.source} to {report.destination}: {report.documents} documents, "
        f"{report.bytes} bytes, integrity ok, in {report.seconds:.2f} s"
    )


@app.command(
    "dump",
    epilog=examples(
        "arangoml-meta store dump ./meta-dump",
        "arangorestore --input-directory ./meta-dump --include-system-collections true "
        "--server.database arangoml_meta",
    ),
)
def dump(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A new (or empty) directory.")],
    overwrite: OverwriteOption = False,
) -> None:
    """Write every collection, index, document and graph in arangodump's format.

    Works on both backends; arangorestore reads the result (named graphs are in the
    system collection _graphs: pass --include-system-collections true), and so does
    store restore.
    """
    report = open_store_of(ctx).dump(directory, overwrite=overwrite)
    typer.echo(
        f"dumped {len(report.counts)} collections, {report.documents} documents and "
        f"{len(report.graphs)} graphs to {report.directory} in {report.seconds:.2f} s"
    )


@app.command(
    "restore",
    epilog=examples(
        "arangoml-meta store restore ./meta-dump",
        "arangoml-meta --store /data/new-meta store restore ./meta-dump --overwrite",
        "ARANGO_PASSWORD=... arangoml-meta --store http://localhost:8529 store restore ./meta-dump",
    ),
)
def restore(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A dump of store dump or arangodump.")],
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Restore into a store with data, replacing the dumped collections."
        ),
    ] = False,
) -> None:
    """Restore a dump (arangodump's format) into a store that holds no data yet.

    The whole dump is checked before anything is written; on the embedded store the
    restore is one transaction, so a failure leaves the store as it was.
    """
    report = open_store_of(ctx).restore(directory, overwrite=overwrite)
    typer.echo(
        f"restored {len(report.counts)} collections, {report.documents} documents and "
        f"{len(report.graphs)} graphs from {report.directory} in {report.seconds:.2f} s"
    )
