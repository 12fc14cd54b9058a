"""``store restore``: a dump in arangodump's format into a store that holds no data yet.

The whole dump is read and checked first (every file, every line: JSON objects,
keys, edge ends, index definitions), so that a missing or corrupt file is reported
before anything is written. Then, per collection of the dump: the collection is
created (or found, of the same kind), emptied, given the dump's documents with their
keys (and, on the embedded store, revisions) and exactly the dump's persistent,
geo and inverted indexes; the key generator continues from the dump's ``lastValue``; the named graphs
of ``_graphs`` are saved. Other system collections (``_users``, ...) are not
restored, as arangorestore skips them by default.

The target must be empty: nothing but what ``store init`` writes (the registry of
built-in types, their ``adopt`` records in the audit log, and ``store_info``, which
the dump's replace). ``overwrite`` allows
a store with data: every collection of the dump is then replaced; collections the
dump does not have are left as they are.

On the embedded store everything happens in one write transaction: a failure
leaves the store as it was. On ArangoDB collections and indexes are created one by
one (schema operations are not transactional there) and documents keep the keys of
the dump but get new revisions; a failure part-way leaves what was written.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.base import collection_kind_error
from ..embedded.documents import REVISIONS, check_edge_handle, check_key
from ..embedded.geo_index import parse_definition as parse_geo_definition
from ..embedded.inverted_index import parse_definition as parse_inverted_definition
from ..errors import (
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_BAD_PARAMETER,
    ArangoMLMetaError,
    CollectionError,
    DumpFormatError,
)
from .catalog import CollectionSpec, IndexSpec, arango_backend, collection_names, inverted_spec
from .dump import DumpReport
from .files import GRAPHS, DumpDirectory

if TYPE_CHECKING:
    from ..backends import Backend
    from ..backends.embedded import EmbeddedBackend

BATCH = 1_000  # documents written per statement


def restore_store(
    backend: Backend, directory: str | Path, *, overwrite: bool = False
) -> DumpReport:
    """Restore the dump in ``directory`` into ``backend`` (see the module docstring)."""
    from ..backends.embedded import EmbeddedBackend

    began = time.monotonic()
    dump = DumpDirectory(directory)
    specs: list[CollectionSpec] = []
    has_graphs = False
    for structure in dump.structures():
        name = structure["parameters"]["name"]
        if name == GRAPHS:
            has_graphs = True
        elif not name.startswith("_"):
            specs.append(CollectionSpec.parse(structure))
    if len({spec.name for spec in specs}) != len(specs):
        raise DumpFormatError(f"{dump.path} describes a collection twice", ERROR_BAD_PARAMETER)
    counts = {spec.name: _check_documents(dump, spec) for spec in specs}
    graphs = _graphs(dump, specs) if has_graphs else []
    if not overwrite:
        _refuse_data(backend)
    if isinstance(backend, EmbeddedBackend):
        _restore_embedded(backend, dump, specs, graphs)
    else:
        _restore_arango(backend, dump, specs, graphs)
    return DumpReport(str(dump.path), counts, [g["name"] for g in graphs], time.monotonic() - began)


# ---------------------------------------------------------------------- checks


def _stored_form(spec: CollectionSpec, doc: dict[str, Any], where: str) -> dict[str, Any]:
    """The document as the store keeps it (system attributes first), checked."""
    try:
        key = check_key(doc.get("_key"))
        rev = doc.get("_rev")
        out: dict[str, Any] = {
            "_key": key,
            "_id": f"{spec.name}/{key}",
            "_rev": rev if isinstance(rev, str) and rev else REVISIONS.next(),
        }
        if spec.edge:
            out["_from"] = check_edge_handle(doc.get("_from"), "_from")
            out["_to"] = check_edge_handle(doc.get("_to"), "_to")
    except ArangoMLMetaError as exc:
        raise type(exc)(f"{where}: {exc.message}", exc.error_num) from None
    for name, value in doc.items():
        if name not in out and name != "_id":
            out[name] = value
    return out


def _check_documents(dump: DumpDirectory, spec: CollectionSpec) -> int:
    """Read every document of a collection once (keys and edges checked); how many."""
    keys: set[str] = set()
    for where, doc in dump.documents(spec.name):
        key = _stored_form(spec, doc, where)["_key"]
        if key in keys:
            raise DumpFormatError(f"{where}: key {key!r} appears twice", ERROR_BAD_PARAMETER)
        keys.add(key)
    return len(keys)


def _graphs(dump: DumpDirectory, specs: list[CollectionSpec]) -> list[dict[str, Any]]:
    """The named graphs of ``_graphs``: name, edge definitions and orphans, checked."""
    edges = {spec.name for spec in specs if spec.edge}
    graphs = []
    for where, doc in dump.documents(GRAPHS):
        name, definitions = doc.get("_key"), doc.get("edgeDefinitions", [])
        orphans = doc.get("orphanCollections", [])
        if not isinstance(name, str) or not name:
            raise DumpFormatError(f"{where}: a graph without a name (_key)", ERROR_BAD_PARAMETER)
        if not isinstance(definitions, list) or not all(map(_is_definition, definitions)):
            raise DumpFormatError(
                f"{where}: graph {name}'s edgeDefinitions must be a list of "
                "{collection, from: [...], to: [...]}",
                ERROR_BAD_PARAMETER,
            )
        if not isinstance(orphans, list) or not all(isinstance(o, str) for o in orphans):
            raise DumpFormatError(f"{where}: graph {name}'s orphanCollections", ERROR_BAD_PARAMETER)
        for definition in definitions:
            if definition["collection"] not in edges:
                raise DumpFormatError(
                    f"{where}: graph {name} uses {definition['collection']}, which is not an "
                    "edge collection of the dump",
                    ERROR_BAD_PARAMETER,
                )
        graphs.append(
            {
                "name": name,
                "edgeDefinitions": [
                    {"collection": d["collection"], "from": list(d["from"]), "to": list(d["to"])}
                    for d in definitions
                ],
                "orphanCollections": list(orphans),
            }
        )
    return graphs


def _is_definition(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("collection"), str)
        and all(
            isinstance(value.get(end), list) and all(isinstance(c, str) for c in value[end])
            for end in ("from", "to")
        )
    )


def _refuse_data(backend: Backend) -> None:
    """A store with data (beyond what ``store init`` writes) is not restored into."""
    from ..audit import AUDIT_LOG
    from ..migrations import REGISTRY, STORE_INFO
    from ..types import BUILTIN_NAMES

    holding = []
    for name in collection_names(backend):
        if name == REGISTRY:
            rows = backend.query(
                f"FOR t IN {REGISTRY} FILTER t._key NOT IN @builtin RETURN 1",
                {"builtin": list(BUILTIN_NAMES)},
            )
            if rows:
                holding.append(f"{name} (registered types)")
        elif name == AUDIT_LOG:
            # a new store's log records only the built-in types it began with
            if backend.query(
                f"FOR b IN {AUDIT_LOG} FOR r IN b.records "
                "FILTER r.op != 'adopt' OR r.type != @registry LIMIT 1 RETURN 1",
                {"registry": REGISTRY},
            ):
                holding.append(name)
        elif name != STORE_INFO and backend.count(name):
            holding.append(name)
    if holding:
        raise CollectionError(
            f"the store is not empty ({', '.join(holding[:5])}{', ...' if len(holding) > 5 else ''} "
            "hold data): restore into a new store, or pass --overwrite to replace the "
            "collections of the dump",
            ERROR_ARANGO_DUPLICATE_NAME,
        )


# ---------------------------------------------------------------------- writing


def _batches(dump: DumpDirectory, spec: CollectionSpec) -> Iterator[list[dict[str, Any]]]:
    """The documents of a collection in their stored form, :data:`BATCH` at a time."""
    documents = (_stored_form(spec, doc, where) for where, doc in dump.documents(spec.name))
    while batch := list(itertools.islice(documents, BATCH)):
        yield batch


def _counted(key: str) -> bool:
    """Whether a key moves the key generator on (a number it could have generated)."""
    return key.isdigit() and len(key) < 19


def _restore_embedded(
    backend: EmbeddedBackend,
    dump: DumpDirectory,
    specs: list[CollectionSpec],
    graphs: list[dict[str, Any]],
) -> None:
    storage = backend.db.storage
    with storage.atomic(write=True, savepoints=False):
        for spec in specs:
            if not storage.has_collection(spec.name):
                storage.create_collection(spec.name, spec.edge)
            info = storage.collection(spec.name)
            if info.edge != spec.edge:
                raise collection_kind_error(spec.name, info.edge)
            wanted = set(spec.indexes)
            for index in info.indexes:
                if (
                    IndexSpec(tuple(index.fields), index.unique, index.sparse, index.name)
                    not in wanted
                ):
                    storage.drop_index(spec.name, index.name)
            for geo in info.geo_indexes:
                if (
                    IndexSpec(tuple(geo.fields), False, True, geo.name, geo.definition)
                    not in wanted
                ):
                    storage.drop_index(spec.name, geo.name)
            for inverted in info.inverted_indexes:
                if inverted_spec(inverted.description, inverted.name) not in wanted:
                    storage.drop_index(spec.name, inverted.name)
            storage.truncate(spec.name)
            info = storage.collection(spec.name)
            highest = spec.last_value
            for batch in _batches(dump, spec):
                storage.write_new(info, batch)
                highest = max([highest, *(int(d["_key"]) for d in batch if _counted(d["_key"]))])
            if highest:
                storage.note_explicit_key(info, str(highest))
            for dumped in spec.indexes:
                if dumped.geo is not None:
                    storage.ensure_geo_index(spec.name, dumped.geo, dumped.name)
                    continue
                if dumped.inverted is not None:
                    described = json.loads(dumped.inverted)
                    storage.ensure_inverted_index(spec.name, described, dumped.name)
                    continue
                storage.ensure_index(
                    spec.name, list(dumped.fields), dumped.unique, dumped.sparse, dumped.name
                )
        for graph in graphs:
            storage.save_graph(graph["name"], graph, replace=True)


def _restore_arango(
    backend: Backend,
    dump: DumpDirectory,
    specs: list[CollectionSpec],
    graphs: list[dict[str, Any]],
) -> None:

    arango = arango_backend(backend)
    for spec in specs:
        backend.create_collection(spec.name, edge=spec.edge)
        backend.set_schema(spec.name, spec.schema)
        wanted = {
            (i.fields, i.unique, i.sparse)
            for i in spec.indexes
            if i.geo is None and i.inverted is None
        }
        geo_wanted = {i.geo for i in spec.indexes if i.geo is not None}
        inverted_wanted = {i.inverted for i in spec.indexes if i.inverted is not None}
        for index in arango.api("get", "/_api/index", {"collection": spec.name})["indexes"]:
            if index.get("type") == "geo":
                if parse_geo_definition(index) not in geo_wanted:
                    arango.api("delete", f"/_api/index/{index['id']}")
                continue
            if index.get("type") == "inverted":
                try:  # one this engine cannot read (a custom Analyzer) is not the dump's
                    described = inverted_spec(parse_inverted_definition(index), None).inverted
                except ArangoMLMetaError:
                    described = None
                if described not in inverted_wanted:
                    arango.api("delete", f"/_api/index/{index['id']}")
                continue
            if index.get("type") not in ("persistent", "hash", "skiplist"):
                continue
            fields, unique, sparse = (
                list(index["fields"]),
                bool(index.get("unique")),
                bool(index.get("sparse")),
            )
            if (tuple(fields), unique, sparse) not in wanted:  # ArangoDB names indexes itself
                backend.drop_index(spec.name, fields, unique, sparse)
        backend.query("FOR d IN @@c REMOVE d IN @@c", {"@c": spec.name})
        for batch in _batches(dump, spec):
            backend.insert_many(
                spec.name, [{k: v for k, v in d.items() if k != "_rev"} for d in batch]
            )
        for index in spec.indexes:
            if index.geo is not None or index.inverted is not None:
                arango.api("post", "/_api/index", {"collection": spec.name}, index.as_dump())
                continue
            backend.ensure_index(spec.name, list(index.fields), index.unique, index.sparse)
    for graph in graphs:
        backend.save_graph(graph["name"], graph["edgeDefinitions"])
