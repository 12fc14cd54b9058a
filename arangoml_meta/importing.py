"""Importing history in bulk: many artifacts, runs and links, written batch by batch.

``store.import_records(records)`` takes an iterable of plain records — what an
export from another system (MLflow, ML Metadata, a spreadsheet) turns into —
and writes them as steps of ``batch_size`` records each (``steps.py``): every
record is validated as ``register`` / a run / ``link`` would validate it, the
versions of a batch are allocated with a few key lookups per type, and each batch
is one transaction of multi-row inserts. A batch that fails writes nothing; the
batches before it stay (the report says how far the import got).

Records:

- ``{"type": "datasets", "name": "iris", ...fields}``: the next version of an
  artifact. As history, it may carry its own ``created_at`` / ``created_by``.
- ``{"type": "runs", "name": "train", ...fields}``: a run as it ended (``status``
  defaults to ``completed``; ``started_at``, ``ended_at``, ``params``, ``metrics``,
  ``resources`` as recorded).
- ``{"link": "derivations" | "inputs" | "outputs", "from": X, "to": Y, ...}``: an
  edge; ``relation`` or ``role`` among its fields as ``link()`` and runs write them.

Any record may carry ``"as": "alias"``; a later record of the same import names
it by ``"from": "@alias"`` / ``"to": "@alias"``. Other ends are ids or references
(``datasets/iris@latest``).

A link that would close a cycle in the lineage is refused as ``link()`` refuses
it (1906), when its batch commits (``cycles.py``): links among the batch's own
records cost no query. ``allow_cycles=True`` keeps another system's history as
it was, cycles included (a self-link is refused all the same).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .cycles import refuse_self_link
from .errors import BadParameterError
from .jsonvalues import as_json
from .personal_fields import salt
from .refs import run_key
from .steps import Step
from .store_fields import STORE_SET, refuse_store_fields
from .types import stamp, validate
from .versions import first_versions

if TYPE_CHECKING:
    from .store import MetadataStore

BATCH_SIZE = 5_000  # records per transaction
LINKS = ("inputs", "outputs", "derivations")
# what import may set that register() and runs set themselves: history keeps its own times
HISTORY_FIELDS = STORE_SET


@dataclass
class ImportReport:
    """What an import wrote: documents and edges per collection, and the batches."""

    written: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> the _id it got


def import_records(
    store: MetadataStore,
    records: Iterable[Mapping[str, Any]],
    batch_size: int = BATCH_SIZE,
    *,
    allow_cycles: bool = False,
) -> ImportReport:
    """See the module docstring."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise BadParameterError(f"batch_size is a whole number, at least 1 (not {batch_size!r})")
    report = ImportReport()
    aliases: dict[str, dict[str, Any]] = {}
    position = 0
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, batch_size)):
        with store.transaction() as step:
            _import_batch(store, step, batch, aliases, position, allow_cycles)
        position += len(batch)
        report.batches += 1
        for collection, docs in step.documents.items():
            report.written[collection] = report.written.get(collection, 0) + len(docs)
    report.aliases = {alias: doc["_id"] for alias, doc in aliases.items()}
    return report


def _import_batch(
    store: MetadataStore,
    step: Step,
    batch: list[Mapping[str, Any]],
    aliases: dict[str, dict[str, Any]],
    position: int,
    allow_cycles: bool,
) -> None:
    versions = _first_versions(store, step, batch)
    for offset, record in enumerate(batch):
        where = f"record {position + offset + 1}"
        if not isinstance(record, Mapping):
            raise BadParameterError(f"{where}: a record is an object, not {record!r}")
        fields = dict(record)
        alias = fields.pop("as", None)
        if "link" in fields:
            doc = _link(store, step, fields, aliases, where, allow_cycles)
        else:
            doc = _document(store, step, fields, versions, where)
        if alias is not None:
            if not isinstance(alias, str) or alias in aliases:
                raise BadParameterError(f"{where}: alias {alias!r} is not a new name")
            aliases[alias] = doc


def _first_versions(
    store: MetadataStore, step: Step, batch: list[Mapping[str, Any]]
) -> dict[tuple[str, str], int]:
    """The next version of every artifact name of the batch (see versions.first_versions)."""
    counts: dict[str, dict[str, int]] = {}
    for record in batch:
        if isinstance(record, Mapping) and "link" not in record:
            type_name, name = record.get("type"), record.get("name")
            if (
                isinstance(type_name, str)
                and isinstance(name, str)
                and not step.pending_versions(type_name, name)
            ):
                counts.setdefault(type_name, {}).setdefault(name, 0)
                counts[type_name][name] += 1
    first: dict[tuple[str, str], int] = {}
    for type_name, names in counts.items():
        if store.type(type_name).kind == "execution":
            continue
        for name, version in first_versions(store.backend, type_name, names).items():
            first[type_name, name] = version
    return first


def _document(
    store: MetadataStore,
    step: Step,
    fields: dict[str, Any],
    versions: dict[tuple[str, str], int],
    where: str,
) -> dict[str, Any]:
    type_name, name = fields.pop("type", None), fields.pop("name", None)
    if not isinstance(type_name, str):
        raise BadParameterError(f"{where}: a record names its 'type' (or is a 'link')")
    artifact_type = store.type(type_name)
    history = {k: fields.pop(k) for k in HISTORY_FIELDS if k in fields}
    project, description, tags = (fields.pop(k, None) for k in ("project", "description", "tags"))
    refuse_store_fields(fields, ("version",), where)
    doc = store.envelope(name, project, description, tags)
    doc.update(as_json(history, where))
    doc.update(as_json(fields, where))
    if artifact_type.kind == "execution":
        key = run_key(doc["name"])
        doc.update(_key=key, _id=f"{type_name}/{key}")
        doc.setdefault("status", "completed")
        salt(doc, artifact_type.salted_fields)
        validate(artifact_type, stamp(artifact_type, doc))
        step.add(type_name, doc)
        return doc
    return store.add_version(step, artifact_type, doc, versions[type_name, doc["name"]])


def _link(
    store: MetadataStore,
    step: Step,
    fields: dict[str, Any],
    aliases: dict[str, dict[str, Any]],
    where: str,
    allow_cycles: bool,
) -> dict[str, Any]:
    collection = fields.pop("link")
    if collection not in LINKS:
        raise BadParameterError(f"{where}: 'link' is one of {', '.join(LINKS)}, not {collection!r}")
    ends = []
    for end in ("from", "to"):
        ref = fields.pop(end, None)
        if isinstance(ref, str) and ref.startswith("@"):
            if ref[1:] not in aliases:
                raise BadParameterError(f"{where}: no record of this import is named {ref!r}")
            ends.append(aliases[ref[1:]]["_id"])
        elif isinstance(ref, (str, Mapping)):
            ends.append(store.linked_id(step, ref))
        else:
            raise BadParameterError(f"{where}: a link names its '{end}' end")
    refuse_store_fields(fields, (), where)
    history = {k: fields.pop(k) for k in HISTORY_FIELDS if k in fields}
    if allow_cycles:  # history may keep a cycle, never a self-link (add_edge refuses both else)
        refuse_self_link(collection, ends[0], ends[1])
    edge = store.add_edge(
        step, collection, ends[0], ends[1], as_json(fields, where), allow_cycle=allow_cycles
    )
    edge.update(as_json(history, where))
    return edge
