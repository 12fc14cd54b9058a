"""``arangoml-meta types``: the artifact types of the store, their schemas and their evolution."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .. import type_admin
from ..personal_fields import path_text, personal_fields
from ..types import KINDS, compatible_change, load_type_file, name_advice
from .core import examples, note, open_store_of, sub_app
from .output import Format, FormatOption, emit_document, emit_rows, print_text

app = sub_app("types", "Artifact types: list, show, register, evolve and compare their schemas.")

TypeName = Annotated[str, typer.Argument(metavar="TYPE", help="A type's name, e.g. models.")]
SchemaFile = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        help="A draft-04 JSON Schema file named after its type, e.g. experiments.json.",
        show_default=False,
    ),
]
DescriptionOption = Annotated[
    str | None,
    typer.Option(
        help="What the type holds (default: the schema's description).", show_default=False
    ),
]


@app.command(
    "list", epilog=examples("arangoml-meta types list", "arangoml-meta types list --format csv")
)
def list_types(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List the registered artifact types with their kind and schema version."""
    rows = [
        {
            "name": t.name,
            "kind": t.kind,
            "schema_version": t.schema_version,
            "description": t.description,
        }
        for t in open_store_of(ctx, reading=True).types()
    ]
    emit_rows(rows, fmt)


@app.command(
    "show",
    epilog=examples(
        "arangoml-meta types show models",
        "arangoml-meta types show models --version 1 --format json",
    ),
)
def show(
    ctx: typer.Context,
    name: TypeName,
    version: Annotated[
        int | None,
        typer.Option(help="This schema version (default: the current one).", show_default=False),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show a type: kind, description, schema versions and the fields of its schema."""
    store = open_store_of(ctx, reading=True)
    artifact_type = store.type(name)
    entry = type_admin.schema_at(store, name, version)
    versions = [
        {key: value for key, value in item.items() if key != "schema"}
        for item in type_admin.schema_versions(store, name)
    ]
    schema = entry["schema"]
    if fmt in (Format.json, Format.jsonl):
        emit_document(
            {
                "name": artifact_type.name,
                "kind": artifact_type.kind,
                "description": artifact_type.description,
                "schema_version": entry.get("schema_version"),
                "current_version": artifact_type.schema_version,
                "schema": schema,
                "versions": versions,
            },
            fmt,
        )
        return
    fields = schema_fields(schema)
    if fmt is Format.csv:
        emit_rows(fields, fmt)
        return
    emit_document(
        {
            "name": artifact_type.name,
            "kind": artifact_type.kind,
            "description": artifact_type.description,
            "schema_version": f"{entry.get('schema_version')} of {artifact_type.schema_version}",
        },
        fmt,
    )
    emit_rows(fields, fmt, title="Fields")
    for item in versions:
        item["breaking"] = "; ".join(item.get("breaking") or [])
    emit_rows(
        versions,
        fmt,
        ["schema_version", "registered_at", "registered_by", "breaking"],
        title="Schema versions",
    )


def schema_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level fields of a schema: name, type, whether required, which of it holds
    personal data (``x-personal-data``: the field, or its parts), description."""
    required = set(schema.get("required", []))
    personal: dict[str, list[str]] = {}
    for path in personal_fields(schema):
        personal.setdefault(path[0], []).append(path_text(path))
    rows = []
    for field_name, spec in schema.get("properties", {}).items():
        declared = spec.get("type", "any") if isinstance(spec, dict) else "any"
        rows.append(
            {
                "field": field_name,
                "type": declared if isinstance(declared, str) else " or ".join(declared),
                "required": field_name in required,
                "personal": ", ".join(personal.get(field_name, [])),
                "description": spec.get("description", "") if isinstance(spec, dict) else "",
            }
        )
    return rows


@app.command(
    "register",
    epilog=examples(
        "arangoml-meta types register schemas/experiments.json",
        'arangoml-meta types register labels.json --kind artifact --description "Label sets"',
    ),
)
def register(
    ctx: typer.Context,
    file: SchemaFile,
    kind: Annotated[
        str | None,
        typer.Option(
            help=f"{', '.join(KINDS)} (default: the schema's x-kind, else artifact).",
            show_default=False,
        ),
    ] = None,
    description: DescriptionOption = None,
) -> None:
    """Register a new artifact type from a JSON Schema file named after it.

    Creates the type's collection with its indexes, adds it to the lineage
    graph and installs the schema (validated before every write; on ArangoDB
    also by the server). Fields every artifact carries (name, project, tags,
    ...) are added to the schema when it leaves them out; a type of kind
    execution also gets what a run records (status, params, metrics, ...), and
    records runs as `runs` does (Python: store.run(..., run_type=NAME)).
    """
    store = open_store_of(ctx)
    artifact_type = load_type_file(file, kind, description)
    advice = name_advice(artifact_type.name)
    store.register_type(artifact_type)
    if advice:
        note(f"note: {advice}")
    typer.echo(
        f"registered type {artifact_type.name} ({artifact_type.kind}, schema version "
        f"{artifact_type.schema_version})"
    )


@app.command(
    "evolve",
    epilog=examples(
        "arangoml-meta types evolve schemas/models.json",
        "arangoml-meta types evolve schemas/models.json --allow-breaking",
    ),
)
def evolve(
    ctx: typer.Context,
    file: SchemaFile,
    allow_breaking: Annotated[
        bool,
        typer.Option(
            "--allow-breaking",
            help="Accept a change that stored documents may not satisfy.",
        ),
    ] = False,
    description: DescriptionOption = None,
) -> None:
    """Install a new schema version for the type the file is named after.

    Only backward-compatible changes are accepted — new optional fields,
    relaxed constraints — so that every stored document stays valid; anything
    else is refused with the reasons unless --allow-breaking, which also
    counts the stored documents the new schema refuses and names a few (they stay
    stored, and can still be changed, as ArangoDB's schema level "moderate"
    allows). Each version is kept in the type's history (see `types show` and
    `types diff`).
    """
    store = open_store_of(ctx)
    revision = type_admin.load_revision(store, file, description=description)
    evolution = type_admin.evolve_type(store, revision, allow_breaking=allow_breaking)
    name, version = evolution.type.name, evolution.type.schema_version
    if not evolution.changed:
        typer.echo(f"{name}: the schema is unchanged (version {version})")
    elif evolution.breaking:
        typer.echo(
            f"{name}: schema version {evolution.previous_version} -> {version}, breaking "
            f"(allowed): {'; '.join(evolution.breaking)}; {evolution.rejected.describe(version)}"
        )
    else:
        typer.echo(
            f"{name}: schema version {evolution.previous_version} -> {version} "
            "(backward compatible)"
        )


@app.command(
    "diff",
    epilog=examples(
        "arangoml-meta types diff models",
        "arangoml-meta types diff models --from 1 --to 3",
        "arangoml-meta types diff models --against schemas/models.json",
    ),
)
def diff(
    ctx: typer.Context,
    name: TypeName,
    from_version: Annotated[
        int | None,
        typer.Option(
            "--from",
            help="The older schema version (default: the one before --to, or the current "
            "one with --against).",
            show_default=False,
        ),
    ] = None,
    to_version: Annotated[
        int | None,
        typer.Option(
            "--to", help="The newer schema version (default: the current one).", show_default=False
        ),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Compare with this schema file instead of a stored version.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show what changed between two schema versions of a type, or against a schema file.

    Lists every keyword added, removed or changed (at its JSON pointer) and
    says whether documents valid before are still valid after.
    """
    store = open_store_of(ctx, reading=True)
    if against is not None:
        if to_version is not None:
            raise typer.BadParameter("give either --to or --against", param_hint="--to")
        old_entry = type_admin.schema_at(store, name, from_version)
        new_schema = type_admin.load_revision(store, against, name=name).schema
        newer, new_label = None, str(against)
    else:
        new_entry = type_admin.schema_at(store, name, to_version)
        newer = int(new_entry["schema_version"])
        old_entry = type_admin.schema_at(store, name, from_version or max(newer - 1, 1))
        new_schema, new_label = new_entry["schema"], f"version {newer}"
    older = int(old_entry["schema_version"])
    changes = [
        {"pointer": c.pointer, "change": c.change, "before": c.before, "after": c.after}
        for c in type_admin.schema_diff(old_entry["schema"], new_schema)
    ]
    breaking = compatible_change(old_entry["schema"], new_schema)
    if fmt is Format.json:
        emit_document(
            {
                "type": name,
                "from_version": older,
                "to_version": newer,
                "against": None if against is None else str(against),
                "compatible": not breaking,
                "breaking": breaking,
                "changes": changes,
            },
            fmt,
        )
        return
    if fmt is not Format.table:
        emit_rows(changes, fmt, ["pointer", "change", "before", "after"])
        return
    emit_rows(
        changes,
        fmt,
        ["pointer", "change", "before", "after"],
        title=f"{name}: version {older} -> {new_label}",
    )
    if not changes:
        print_text("no changes")
    elif breaking:
        print_text("breaking: " + "; ".join(breaking))
    else:
        print_text("backward compatible: documents valid before stay valid")
