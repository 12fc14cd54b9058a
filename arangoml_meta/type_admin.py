"""Changing registered artifact types: new schema versions, their history and their differences.

``MetadataStore.register_type`` adds a type; this module changes one afterwards.
:func:`load_revision` reads a new schema for a registered type from its file,
:func:`evolve_type` installs it as schema version N+1 when
:func:`~arangoml_meta.types.compatible_change` finds nothing that could make a
stored document invalid (or when breaking changes are allowed), appending it to
the registry document's ``history`` so that every version stays readable, and
:func:`schema_diff` lists what changed between two schemas, keyword by keyword.
The registry update is one AQL statement that checks the version it replaces,
so two platform owners evolving one type at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .current_types import forget_registered_versions
from .environment import utc_now_iso
from .errors import ERROR_ARANGO_CONFLICT, BadParameterError, ConflictError
from .inputs import parse_json, read_text
from .migrations import REGISTRY
from .store import MetadataStore
from .types import (
    ArtifactType,
    arango_rule,
    check_schema,
    compatible_change,
    load_type_file,
)

_EVOLVE = """
FOR t IN @@registry
  FILTER t._key == @name AND t.schema_version == @current
  UPDATE t WITH {
    description: @description,
    schema: @schema,
    schema_version: @version,
    history: PUSH(t.history, @entry)
  } IN @@registry OPTIONS { mergeObjects: false }
  RETURN NEW
"""


_SAMPLE = 5  # ids of refused documents named
_REJECTED = """
LET rejected = (FOR d IN @@c FILTER !SCHEMA_VALIDATE(d, @schema).valid RETURN d._id)
RETURN {count: LENGTH(rejected), ids: SLICE(rejected, 0, @sample), checked: COLLECTION_COUNT(@name)}
"""


@dataclass(frozen=True)
class Evolution:
    """The outcome of :func:`evolve_type`."""

    type: ArtifactType  # as registered now
    previous_version: int
    breaking: list[str]  # why stored documents may fail the new schema; empty when none can
    changed: bool  # False when the schema was the registered one: nothing was written
    # the stored documents the new schema refuses (counted only for a breaking change)
    rejected: Rejected = field(default_factory=lambda: Rejected(0, 0, []))


@dataclass(frozen=True)
class Rejected:
    """How many of a type's stored documents a schema refuses, and the ids of the first few."""

    count: int
    checked: int  # the stored documents
    ids: list[str]

    def describe(self, version: int) -> str:
        if not self.count:
            return f"every stored document ({self.checked}) satisfies version {version}"
        more = ", ..." if self.count > len(self.ids) else ""
        return (
            f"{self.count} of {self.checked} stored documents do not satisfy version "
            f"{version} ({', '.join(self.ids)}{more})"
        )


@dataclass(frozen=True)
class SchemaChange:
    """One keyword that differs between two schemas, at a JSON pointer such as ``#/properties/rows``."""

    pointer: str
    change: str  # added, removed or changed
    before: Any = None
    after: Any = None


def registry_record(store: MetadataStore, name: str) -> dict[str, Any]:
    """The registry document of type ``name``: schema, version and ``history`` of every version."""
    record = store.backend.get(REGISTRY, name) if name else None
    if record is None:
        store.forget_type(name)
        store.type(name)  # raises the unknown-type error, naming the registered types
        raise ConflictError(f"artifact type {name!r} was registered meanwhile; try again")
    return record


def schema_versions(store: MetadataStore, name: str) -> list[dict[str, Any]]:
    """Every schema version of type ``name``, oldest first (``schema_version``, ``schema``, ...)."""
    record = registry_record(store, name)
    history = record.get("history") or []
    if not history:  # a registry document written before histories were kept
        history = [{"schema_version": record.get("schema_version", 1), "schema": record["schema"]}]
    return list(history)


def schema_at(store: MetadataStore, name: str, version: int | None = None) -> dict[str, Any]:
    """The history entry of schema ``version`` of type ``name`` (the latest when None)."""
    versions = schema_versions(store, name)
    if version is None:
        return versions[-1]
    for entry in versions:
        if entry.get("schema_version") == version:
            return entry
    known = ", ".join(str(entry.get("schema_version")) for entry in versions)
    raise BadParameterError(f"type {name!r} has no schema version {version} (versions: {known})")


def load_revision(
    store: MetadataStore,
    path: str | Path,
    kind: str | None = None,
    description: str | None = None,
    *,
    name: str | None = None,
) -> ArtifactType:
    """A new schema for a registered type: the one named after the file, or ``name``.

    The kind and description default to the file's ``x-kind`` and
    ``description``, else to those of the registered type.
    """
    path = Path(path)
    candidate = load_type_file(path, kind, description)
    current = store.type(name or candidate.name)
    declared = parse_json(read_text(path), path.name)  # load_type_file checked it
    if kind is None and "x-kind" not in declared:
        candidate = load_type_file(path, current.kind, description)
    if description is None and "description" not in declared:
        candidate = replace(
            candidate,
            description=current.description,
            schema={**candidate.schema, "description": current.description},
        )
    return replace(candidate, name=current.name)


def evolve_type(
    store: MetadataStore, revision: ArtifactType, *, allow_breaking: bool = False
) -> Evolution:
    """Install ``revision``'s schema as the next version of the registered type of its name.

    Refuses (:class:`BadParameterError`) a change of kind, and a change that
    could make stored documents invalid unless ``allow_breaking``. An identical
    schema writes nothing.
    """
    check_schema(revision.schema, source=revision.name)
    current = store.type(revision.name)
    if revision.kind != current.kind:
        raise BadParameterError(
            f"type {current.name!r} is of kind {current.kind}; a kind cannot change "
            f"(to {revision.kind}), so register a new type instead"
        )
    if revision.schema == current.schema:
        return Evolution(current, current.schema_version, [], changed=False)
    breaking = compatible_change(current.schema, revision.schema)
    evolved = replace(revision, schema_version=current.schema_version + 1)
    rejected = rejected_documents(store, evolved) if breaking else Rejected(0, 0, [])
    if breaking and not allow_breaking:
        raise BadParameterError(
            f"type {current.name!r}: schema version {evolved.schema_version} could make "
            f"stored documents invalid: {'; '.join(breaking)}; "
            f"{rejected.describe(evolved.schema_version)}. Make the change backward "
            "compatible (new optional fields, relaxed constraints) or allow breaking changes "
            "(--allow-breaking)",
            breaking=breaking,
            rejected=rejected.count,
            rejected_ids=rejected.ids,
        )
    entry = {
        "schema_version": evolved.schema_version,
        "schema": evolved.schema,
        "description": evolved.description,
        "registered_at": utc_now_iso(),
        "registered_by": store.actor,
        "breaking": breaking,
    }
    with store.backend.transaction(write=[REGISTRY]) as session:
        before = session.get(REGISTRY, evolved.name)
        updated = session.query(
            _EVOLVE,
            {
                "@registry": REGISTRY,
                "name": evolved.name,
                "current": current.schema_version,
                "description": evolved.description,
                "schema": evolved.schema,
                "version": evolved.schema_version,
                "entry": entry,
            },
        )
        if updated:
            store.backend.record_change(REGISTRY, before, updated[0])
    # the store caches types by name; this one has just changed
    store.forget_type(evolved.name)
    forget_registered_versions(store.raw_backend)
    if not updated:
        raise ConflictError(
            f"type {evolved.name!r} was changed by someone else meanwhile; "
            "look at `types show` and try again",
            ERROR_ARANGO_CONFLICT,
        )
    store.backend.set_schema(evolved.name, arango_rule(evolved))
    return Evolution(evolved, current.schema_version, breaking, changed=True, rejected=rejected)


def rejected_documents(store: MetadataStore, artifact_type: ArtifactType) -> Rejected:
    """The stored documents of the type's collection that its schema refuses: one query,
    checked where the documents are (AQL's SCHEMA_VALIDATE, on ArangoDB by the server)."""
    (row,) = store.backend.query(
        _REJECTED,
        {
            "@c": artifact_type.name,
            "name": artifact_type.name,
            "schema": arango_rule(artifact_type),
            "sample": _SAMPLE,
        },
    )
    return Rejected(int(row["count"]), int(row["checked"]), list(row["ids"]))


def schema_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SchemaChange]:
    """Every keyword added, removed or changed from ``old`` to ``new``, in document order."""
    return list(_diff(old, new, "#"))


def _diff(old: Mapping[str, Any], new: Mapping[str, Any], pointer: str) -> Iterator[SchemaChange]:
    for key in [*old, *(k for k in new if k not in old)]:
        where = f"{pointer}/{key}"
        if key not in new:
            yield SchemaChange(where, "removed", before=old[key])
        elif key not in old:
            yield SchemaChange(where, "added", after=new[key])
        elif isinstance(old[key], Mapping) and isinstance(new[key], Mapping):
            yield from _diff(old[key], new[key], where)
        elif old[key] != new[key]:
            yield SchemaChange(where, "changed", before=old[key], after=new[key])
