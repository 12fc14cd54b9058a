"""MetadataStore: artifacts, types, provenance links and lineage over any backend.

``open_store()`` picks the backend (see ``backends``), brings it to the current
store schema (``migrations.py``: collections, indexes, the ``lineage`` graph, the
type registry seeded from ``schemas/``; an up-to-date store is opened without
writing anything) and returns a :class:`MetadataStore`. Every read beyond a key
lookup is AQL with bound parameters, the same text on both backends; every write
is validated against its type's JSON Schema first, so a violation writes nothing.

Writes go through steps (``steps.py``): ``with store.transaction():`` collects a
pipeline step's registrations, links and runs on the client and commits them in
one short transaction at its end; a write outside one is a step of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import deletion
from .audit import AuditedBackend, adopt
from .audit.upgrade import records_to_blocks
from .backends import IN_MEMORY, Backend, open_backend
from .backends.base import QueryRows, schema_snapshot
from .cursor import Cursor
from .cycles import refuse_self_link
from .deletion import DELETIONS, Deletion
from .environment import current_actor, process_alive, utc_now_iso
from .environments import ENVIRONMENTS, EnvironmentRecords, expand, is_reference
from .erasure import Erasure, erase
from .errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_GRAPH_INVALID_EDGE,
    ArangoMLMetaError,
    BadParameterError,
    CollectionNotFoundError,
    DocumentError,
    DocumentNotFoundError,
    GraphError,
    SchemaViolationError,
    UniqueConstraintError,
)
from .fields import check_filter_types, check_sort_field
from .filters import attribute_path, compile_filters
from .importing import ImportReport, import_records
from .jsonvalues import as_json, check_bind_vars
from .lineage.walk import IMPACT_TYPES, Lineage, path_query, walk
from .migrations import (
    EDGES,
    REGISTRY,
    STORE_INFO,
    audit_setting,
    check_readable,
    initialize,
    install_type,
    record_audit_setting,
    registry_doc,
    require_store,
    save_graph,
    type_from_doc,
)
from .personal_fields import ERASED, SALT, salt
from .query_limits import QueryLimits
from .refs import Ref, artifact_key, is_valid_name, name_problem, parse_ref
from .run_admin import close_run, record_run
from .runs import Run
from .safe_text import check_actor
from .steps import Step, commit
from .store_fields import STORE_SET, refuse_store_fields
from .tagging import tag
from .types import SCHEMA_VERSION, ArtifactType, check_schema, stamp, validate
from .version_hints import hints_of
from .versions import provisional_version
from .write_races import refuse_inside_transaction

if TYPE_CHECKING:
    from .backup import BackupReport
    from .dumps import DumpReport

_VERSION = "FOR d IN @@c FILTER d.name == @name AND d.version == @version RETURN d"
# by whether a kind has versions (artifacts and contexts do; executions, runs, do not)
_LATEST_OF = {
    # the newest live version of a name: the (name, version) index answers it at once
    "artifact": "FOR d IN @@c FILTER d.name == @name SORT d.version DESC LIMIT 1 RETURN d",
    # runs have no versions: the newest is the last made (keys break ties of a millisecond)
    "execution": "FOR d IN @@c FILTER d.name == @name "
    "SORT d.created_at DESC, d._key DESC LIMIT 1 RETURN d",
}
_HISTORY_OF = {
    "artifact": "FOR d IN @@c FILTER d.name == @name SORT d.version LIMIT @offset, @count RETURN d",
    "execution": "FOR d IN @@c FILTER d.name == @name SORT d.created_at, d._key "
    "LIMIT @offset, @count RETURN d",
}
NO_LIMIT = 2**31  # LIMIT's count when every row is wanted
# the kinds an edge of each collection joins, from and to
EDGE_KINDS = {
    "inputs": ("artifact", "execution"),
    "outputs": ("execution", "artifact"),
    "derivations": ("artifact", "artifact"),
}


class MetadataStore:
    """The domain layer over one backend (see the module docstring)."""

    def __init__(self, backend: Backend, actor: str | None = None) -> None:
        raw = backend.inner if isinstance(backend, AuditedBackend) else backend
        self.raw_backend: Backend = raw  # unaudited: migrations, backups, dumps
        # every write through it is recorded in the audit log (see audit/recorder.py)
        self.backend = AuditedBackend(raw, lambda: self.actor)
        self.actor = actor or current_actor()  # checked: see the property
        self._types: dict[str, ArtifactType] = {}
        self._local = threading.local()  # the step open in each thread
        self.environments = EnvironmentRecords()
        # the next versions of names committed through this backend (None: it cannot tell)
        self.version_hints = hints_of(raw)

    @property
    def actor(self) -> str:
        """Who acts: stamped as ``created_by`` and in audit records; one line of printable
        text, at most 256 characters (:func:`~.safe_text.check_actor`, 10 otherwise)."""
        return self._actor

    @actor.setter
    def actor(self, actor: str) -> None:
        self._actor = check_actor(actor)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> MetadataStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def initialize(self, audit: bool | None = None) -> None:
        """Bring the store to the current schema (see ``migrations.py``); safe to call again
        and from two processes at once; writes nothing when the store is up to date.

        ``audit``: whether the store keeps the audit log (None: as it does; a new store
        does). True begins the log of a store made without one; False is for making a
        store without one, and refused (10) for a store that keeps it."""
        current = initialize(
            self.raw_backend,
            self.actor,
            self.types,
            audit=audit is not False,
            begin_log=lambda new: adopt(self.backend, [REGISTRY] if new else None),
        )
        self._types.clear()
        keeps = audit_setting(self.raw_backend, current)
        if audit is False and keeps:
            raise BadParameterError(
                f"the store at {self.backend.location} keeps an audit log, which cannot be "
                "turned off"
            )
        if audit is True and not keeps:
            self.backend.enabled = True
            adopt(self.backend)
            record_audit_setting(self.raw_backend, True)
            keeps = True
        self.backend.enabled = keeps

    def info(self) -> dict[str, Any]:
        """Backend, location, schema version and document counts per collection (types,
        edges, environments and the records of deleted documents)."""
        counts = {t.name: self.backend.count(t.name) for t in self.types()}
        for name in (*EDGES, ENVIRONMENTS, DELETIONS):
            counts[name] = self.backend.count(name)
        stored = self.backend.get(STORE_INFO, "store") or {}
        return {
            "backend": self.backend.name,
            "location": self.backend.location,
            "schema_version": stored.get("schema_version"),
            "counts": counts,
        }

    def backup(self, dest: str | Path, *, overwrite: bool = False) -> BackupReport:
        """A consistent copy of this embedded store at ``dest``, safe while others write
        (SQLite's online backup; see ``backup.py``). On ArangoDB: use arangodump or
        hot backup."""
        from .backup import backup

        return backup(self.raw_backend, dest, overwrite=overwrite)

    def dump(self, directory: str | Path, *, overwrite: bool = False) -> DumpReport:
        """Every collection, index, document and graph into ``directory`` in arangodump's
        format, on either backend (see ``dumps/``)."""
        from .dumps import dump_store

        return dump_store(self.raw_backend, directory, overwrite=overwrite)

    def restore(self, directory: str | Path, *, overwrite: bool = False) -> DumpReport:
        """A dump in arangodump's format into this store, which must hold no data unless
        ``overwrite`` (see ``dumps/restore.py``). The dump's audit log comes with it; what
        it does not name (a dump of a store without one) gets an ``adopt`` record."""
        from .dumps import restore_store

        try:
            report = restore_store(self.raw_backend, directory, overwrite=overwrite)
        finally:
            self._types.clear()
            if self.version_hints is not None:
                self.version_hints.forget()
        # the dump's store_info says whether the store keeps a log, and the dump's log (if it
        # has one) replaced this one's: what it does not name is adopted
        self.backend.forget_head()
        self.backend.enabled = audit_setting(self.raw_backend)
        if self.backend.enabled:
            records_to_blocks(self.raw_backend)  # a dump of schema 5: a document per record
            adopt(self.backend)
        return report

    # ------------------------------------------------------------------ steps

    @property
    def step(self) -> Step | None:
        """The step open in this thread, if any."""
        return getattr(self._local, "step", None)

    @contextmanager
    def transaction(self) -> Iterator[Step]:
        """One pipeline step, all or nothing: ``with store.transaction(): ...``.

        Registrations, links, runs and deletions inside the block are collected
        and written together in one short transaction when the block ends, or not
        at all when it raises; until then the step holds nothing in the database,
        so other processes read and write freely while it runs. A nested block
        joins the open step. See ``steps.py``.
        """
        if self.step is not None:
            yield self.step
            return
        step = Step()
        self._local.step = step
        try:
            try:
                yield step
            finally:
                self._local.step = None
            commit(self, step, EDGES)
        except BaseException:
            for given_up in step.discarded:
                given_up()
            raise

    # ------------------------------------------------------------------ types

    def types(self) -> list[ArtifactType]:
        """The registered artifact types."""
        rows = self.backend.query(f"FOR t IN {REGISTRY} SORT t.name RETURN t")
        return [type_from_doc(row) for row in rows]

    def type(self, name: str) -> ArtifactType:
        cached = self._types.get(name)
        if cached is not None:
            return cached
        doc = self.backend.get(REGISTRY, name) if isinstance(name, str) and name else None
        if doc is None:
            known = ", ".join(t.name for t in self.types())
            raise CollectionNotFoundError(
                f"unknown artifact type {name!r} (registered: {known})",
                ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
            )
        artifact_type = type_from_doc(doc)
        self._types[name] = artifact_type
        return artifact_type

    def forget_type(self, name: str) -> None:
        """Drop a cached type (its schema changed)."""
        self._types.pop(name, None)

    def register_type(self, artifact_type: ArtifactType) -> ArtifactType:
        """Add a new artifact type: its collection, indexes, schema and place in the graph.

        Not part of a step: the type exists at once (schema operations are not
        transactional on ArangoDB). Refused (1652) while a backend transaction is open:
        on ArangoDB that transaction could not write the new collection, so it is
        refused on every backend alike; register the type before it.
        """
        refuse_inside_transaction(self.backend, f"registering artifact type {artifact_type.name!r}")
        check_schema(artifact_type.schema, source=artifact_type.name)  # e.g. built in Python
        if self.backend.get(REGISTRY, artifact_type.name) is not None:
            raise UniqueConstraintError(
                f"artifact type {artifact_type.name!r} is already registered"
            )
        with schema_snapshot(self.backend):  # its collection, schema and indexes read once
            install_type(self.backend, artifact_type)
            self.backend.insert(REGISTRY, registry_doc(artifact_type, self.actor))
            save_graph(self.backend, self.types())
        return artifact_type

    # ------------------------------------------------------------------ artifacts

    def envelope(
        self, name: str, project: str | None, description: str | None, tags: Iterable[str] | None
    ) -> dict[str, Any]:
        """The fields every artifact and run carries (``_key``, ``_id``, ``_rev`` first, set
        when it is written), checked and stamped with the time and the actor."""
        if not is_valid_name(name):
            raise SchemaViolationError(
                f"field 'name': {name!r} is not a valid name: {name_problem(name)}"
            )
        doc: dict[str, Any] = {"_key": None, "_id": None, "_rev": None, "name": name}
        if project is not None:
            doc["project"] = project
        if description is not None:
            doc["description"] = description
        # a lone string stays a string, so the schema refuses it instead of splitting it into letters
        doc["tags"] = tags if isinstance(tags, str) else list(tags or [])
        doc["created_at"] = utc_now_iso()
        doc["created_by"] = self.actor
        return doc

    def register(
        self,
        type_name: str,
        name: str,
        *,
        project: str | None = None,
        description: str | None = None,
        tags: Iterable[str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Register the next version of artifact ``name`` of type ``type_name``; returns it.

        Field values may be numpy scalars, datetimes, Decimals, paths, UUIDs or enum
        members: each is stored as its JSON value (see ``jsonvalues.py``). Inside a
        step the document is written when the step ends: until then its ``_rev`` is
        None, and its version is the next one as the store stood when it was
        registered (renumbered, ids included, if another process took it meanwhile).
        """
        artifact_type = self.type(type_name)
        if artifact_type.kind == "execution":
            raise BadParameterError(f"{type_name} are recorded with start_run(), not register()")
        refused = ("version", "changes", ERASED, SALT, SCHEMA_VERSION, *STORE_SET)
        refuse_store_fields(fields, refused)
        doc = {**self.envelope(name, project, description, tags), **as_json(fields, "fields")}
        step = self.step
        if step is not None:  # joins the open step (without the cost of a nested block)
            return self.add_version(step, artifact_type, doc)
        with self.transaction() as step:
            return self.add_version(step, artifact_type, doc)

    def add_version(
        self,
        step: Step,
        artifact_type: ArtifactType,
        doc: dict[str, Any],
        first: int | None = None,
    ) -> dict[str, Any]:
        """Give ``doc`` the next version of its name, check it and add it to ``step``.

        ``first``: the version to give when the step has none of the name yet, if the
        caller knows it (an import allocates a batch's at once); else it is looked up."""
        type_name, name = artifact_type.name, doc["name"]
        pending = step.pending_versions(type_name, name)
        if pending:
            version = pending[-1]["version"] + 1
        elif first is not None:
            version = first
        else:
            hints = self.version_hints
            hint = None if hints is None else hints.next_version(type_name, name)
            version = (
                hint if hint is not None else provisional_version(self.backend, type_name, name)
            )
        doc["_key"] = artifact_key(name, version)
        doc["_id"] = f"{type_name}/{doc['_key']}"
        doc["version"] = version
        salt(doc, artifact_type.salted_fields)
        validate(artifact_type, stamp(artifact_type, doc))
        step.add_version(type_name, doc)
        return doc

    def get(self, ref: str) -> dict[str, Any]:
        """An artifact by id (``datasets/iris-v2``), ``type/name@N`` or ``type/name@latest``."""
        parsed = parse_ref(ref)
        artifact_type = self.type(parsed.type)
        doc = self._lookup(artifact_type, parsed)
        if doc is None:
            raise DocumentNotFoundError(
                f"artifact not found: {ref}{self._latest_hint(artifact_type, parsed)}",
                ERROR_ARANGO_DOCUMENT_NOT_FOUND,
            )
        return doc

    def _latest_hint(self, artifact_type: ArtifactType, ref: Ref) -> str:
        """``; did you mean datasets/iris@latest ...?`` when a key not found is a name in use
        (``datasets/iris`` names no document: its versions are ``iris-v1``, ...)."""
        if ref.key is None or not is_valid_name(ref.key):
            return ""
        rows = self.backend.query(
            _LATEST_OF[_versioned(artifact_type)], {"@c": artifact_type.name, "name": ref.key}
        )
        if not rows:
            return ""
        newest = f"{artifact_type.name}/{ref.key}@latest"
        return f"; did you mean {newest} (the newest of that name, {rows[0]['_id']})?"

    def _lookup(self, artifact_type: ArtifactType, ref: Ref) -> dict[str, Any] | None:
        step = self.step
        if ref.key is not None:
            if step is not None and (new := step.new.get(f"{artifact_type.name}/{ref.key}")):
                return new
            return self.backend.get(artifact_type.name, ref.key)
        assert ref.name is not None
        query, bind = self.version_lookup(artifact_type, ref)
        pending = [] if step is None else step.pending_versions(artifact_type.name, ref.name)
        for doc in reversed(pending):  # the newest pending one is the latest
            if ref.version is None or doc["version"] == ref.version:
                return doc
        rows = self.backend.query(query, bind)
        return rows[0] if rows else None

    def version_lookup(self, artifact_type: ArtifactType, ref: Ref) -> tuple[str, dict[str, Any]]:
        """The query (and its bind parameters) whose one row, if any, is the stored document
        ``type/name@N`` or ``type/name@latest`` names."""
        assert ref.name is not None
        bind: dict[str, Any] = {"@c": artifact_type.name, "name": ref.name}
        if ref.version is None:
            return _LATEST_OF[_versioned(artifact_type)], bind
        if artifact_type.kind == "execution":
            raise BadParameterError(
                f"{artifact_type.name} have no versions: use {artifact_type.name}/"
                f"{ref.name}@latest for the newest, or the id for one of them"
            )
        bind["version"] = ref.version
        return _VERSION, bind

    def resolve_id(self, ref: str | Mapping[str, Any]) -> str:
        """The ``_id`` of an artifact given as a reference or a document (read to be sure)."""
        if isinstance(ref, Mapping):
            if not isinstance(ref.get("_id"), str):
                raise DocumentError("document has no _id: pass a stored artifact or a reference")
            return str(self.get(ref["_id"])["_id"])
        return str(self.get(ref)["_id"])

    def linked_id(self, step: Step, ref: str | Mapping[str, Any]) -> str:
        """The ``_id`` an edge of ``step`` points to. An id (or a document) is checked when the
        step commits, with every other one in one query; ``name@N`` / ``@latest`` is looked
        up now."""
        if isinstance(ref, Mapping):
            ref = ref.get("_id")  # type: ignore[assignment]
            if not isinstance(ref, str):
                raise DocumentError("document has no _id: pass a stored artifact or a reference")
        parsed = parse_ref(ref)
        artifact_type = self.type(parsed.type)
        if parsed.key is None:
            return str(self.get(ref)["_id"])
        doc_id = f"{artifact_type.name}/{parsed.key}"
        step.require(doc_id)
        return doc_id

    def find(
        self,
        type_name: str,
        filters: dict[str, Any] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "created_at",
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        """Artifacts of a type matching structured ``filters`` (see ``filters.py``), a page
        of ``limit`` from ``offset`` in ``sort`` order. A condition no valid document can
        meet and a sort field the type does not have are refused: see ``fields.py``."""
        artifact_type = self.type(type_name)
        bind: dict[str, Any] = {"@c": artifact_type.name}
        check_filter_types(artifact_type, filters)
        filter_line = compile_filters(filters, bind)
        bind["sort"] = attribute_path(sort, "sort field")
        check_sort_field(self.backend, artifact_type, bind["sort"])
        bind["offset"], bind["count"] = _page(limit, offset)
        direction = "DESC" if descending else "ASC"
        aql = f"FOR d IN @@c {filter_line} SORT d.@sort {direction} LIMIT @offset, @count RETURN d"
        return self.backend.query(aql, bind)

    def history(
        self, type_name: str, name: str, *, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        """The versions of an artifact (the runs of a name), oldest first; a page of
        ``limit`` from ``offset`` (the index reads only that page)."""
        artifact_type = self.type(type_name)
        offset, count = _page(limit, offset)
        bind = {"@c": artifact_type.name, "name": name, "offset": offset, "count": count}
        return self.backend.query(_HISTORY_OF[_versioned(artifact_type)], bind)

    def import_records(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 5_000,
        allow_cycles: bool = False,
    ) -> ImportReport:
        """Write many artifacts, runs and links fast, ``batch_size`` records a transaction:
        history from another system, keeping its times (see ``importing.py``); a link
        that closes a cycle is refused (1906) unless ``allow_cycles``."""
        return import_records(self, records, batch_size, allow_cycles=allow_cycles)

    def tag(
        self,
        ref: str | Mapping[str, Any],
        *,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Add or remove tags of a stored artifact (or run) in place, recording the change
        in its ``changes`` list (who, when, what); see ``tagging.py``."""
        return tag(self, ref, add, remove)

    # ------------------------------------------------------------------ provenance

    def link(
        self,
        source: str | Mapping[str, Any],
        target: str | Mapping[str, Any],
        relation: str,
        *,
        allow_cycle: bool = False,
        **attributes: Any,
    ) -> dict[str, Any]:
        """A derivation between two artifacts (``relation``: deployed_as, monitors, subset_of, ...).

        A self-link, or a link from an artifact downstream of ``target``, would close a
        cycle in the data flow: refused (:class:`GraphError`, 1906) unless ``allow_cycle``
        (see ``cycles.py``). Inside a step the edge is written (and its ends checked)
        when the step ends.
        """
        if not isinstance(relation, str) or not relation.strip():
            raise BadParameterError(
                f"a link's relation is a word, e.g. subset_of (not {relation!r})"
            )
        refuse_store_fields(attributes, STORE_SET)
        fields = {"relation": relation, **as_json(attributes, "attributes")}
        with self.transaction() as step:
            return self.add_edge(
                step,
                "derivations",
                self.linked_id(step, source),
                self.linked_id(step, target),
                fields,
                allow_cycle=allow_cycle,
            )

    def add_edge(
        self,
        step: Step,
        collection: str,
        source_id: str,
        target_id: str,
        fields: dict[str, Any],
        *,
        allow_cycle: bool = False,
    ) -> dict[str, Any]:
        """An edge of ``collection`` (the kinds of its ends checked) added to ``step``; unless
        ``allow_cycle``, refused now when a self-link and when the step commits when it
        closes a cycle (see ``cycles.py``)."""
        if not allow_cycle:
            refuse_self_link(collection, source_id, target_id)
        allowed = EDGE_KINDS[collection]
        kinds = (self._kind_of(source_id), self._kind_of(target_id))
        if kinds != allowed:
            raise GraphError(
                f"{collection} edges go from {allowed[0]} to {allowed[1]}, "
                f"not from {source_id} ({kinds[0]}) to {target_id} ({kinds[1]})",
                ERROR_GRAPH_INVALID_EDGE,
            )
        edge = {
            "_key": None,
            "_id": None,
            "_rev": None,
            "_from": source_id,
            "_to": target_id,
            **fields,
            "created_at": utc_now_iso(),
            "created_by": self.actor,
        }
        step.add(collection, edge, edge=True)
        if not allow_cycle:
            step.acyclic.append(edge)
        return edge

    def _kind_of(self, doc_id: str) -> str:
        return self.type(doc_id.partition("/")[0]).kind

    # ------------------------------------------------------------------ runs

    def start_run(
        self,
        name: str,
        *,
        inputs: dict[str, Any] | Sequence[Any] | None = None,
        params: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Run:
        """Open a run (see ``runs.py``); prefer ``with store.run(...) as run:``. ``run_type=``
        records it in a registered type of kind execution instead of ``runs``."""
        return Run.start(self, name, inputs=inputs, params=params, **fields)

    run = start_run

    def record_run(self, name: str, **options: Any) -> dict[str, Any]:
        """Record a finished run (inputs, outputs, params, metrics, status) in one step:
        a step that ran elsewhere, e.g. in a shell script. See ``run_admin.py``."""
        return record_run(self, name, **options)

    def close_run(
        self,
        run: str,
        *,
        status: str = "failed",
        reason: str | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Close a run left ``running`` by a killed process (``failed`` with ``reason`` by
        default); refused for a closed run, and for a live one unless ``force``. See
        ``run_admin.py``."""
        return close_run(self, run, status=status, reason=reason, force=force)

    def environment_of(self, run: str | Mapping[str, Any] | Run) -> dict[str, Any] | None:
        """A run's environment in full: its shared record (interpreter, platform, packages,
        git state) with the run's own host, user and pid (see ``environments.py``). ``run``
        is a run's id or reference, its document, or the open :class:`Run`."""
        if isinstance(run, Run):
            run = run.doc
        doc = run if isinstance(run, Mapping) and "environment" in run else None
        if doc is None:
            doc = self.get(run if isinstance(run, str) else str(run.get("_id")))
        environment: Any = doc.get("environment")
        if not is_reference(environment):
            return environment
        record = self.backend.get(ENVIRONMENTS, str(environment["id"]).partition("/")[2])
        return expand(environment, record)

    def unfinished_runs(self) -> list[dict[str, Any]]:
        """Runs still marked running (of every type of kind execution), each with ``orphaned``
        true when its process is gone."""
        rows = [
            row
            for t in self.types()
            if t.kind == "execution"
            for row in self.backend.query(
                "FOR r IN @@c FILTER r.status == 'running' SORT r.started_at RETURN r",
                {"@c": t.name},
            )
        ]
        rows.sort(key=lambda row: str(row.get("started_at")))
        for row in rows:
            env = row.get("environment") or {}
            alive = (
                process_alive(env.get("host", ""), int(env.get("pid") or 0))
                if env.get("pid")
                else None
            )
            row["orphaned"] = alive is False
        return rows

    # ------------------------------------------------------------------ deletion

    def delete(
        self, ref: str | dict[str, Any], *, cascade: bool = False, dry_run: bool = False
    ) -> Deletion:
        """Delete an artifact (or run) and every lineage edge touching it, in one transaction.

        Refused with :class:`ConflictError` (1200) when anything was derived from it, unless
        ``cascade``: then everything downstream of it goes too. ``dry_run`` only reports
        what would go. Inside a step the deletion is planned now (a refusal is raised
        now) and done, planned again, when the step commits. See ``deletion.py``.
        """
        return deletion.delete(self, ref, cascade=cascade, dry_run=dry_run)

    # ------------------------------------------------------------------ erasure

    def erase(self, ref: str | Mapping[str, Any], *, reason: str, dry_run: bool = False) -> Erasure:
        """Erase the personal data the store holds of an artifact, keeping lineage.

        Removes the fields its type marks ``x-personal-data`` from it and from the other
        versions of its name, and the same values copied into artifacts derived from
        them; keeps every document, id and edge, marks the redacted ones ``erased``; one
        transaction, recorded in the audit log as "erase". Returns the work list outside
        the store (locations to purge, models to retrain, deployments to redeploy) from
        one traversal. Erasing again finds nothing and writes nothing; ``dry_run`` writes
        nothing either. See ``erasure.py``.
        """
        return erase(self, ref, reason=reason, dry_run=dry_run)

    # ------------------------------------------------------------------ lineage

    def lineage(
        self,
        start: Any,
        *,
        direction: str = "downstream",
        types: Iterable[str] | None = None,
        through: Iterable[str] | None = None,
        depth: int | None = None,
        fields: str | Sequence[str] | None = None,
    ) -> Lineage:
        """Everything downstream (derived from) or upstream (the sources) of ``start``, in
        one traversal, nearest first; complete unless ``depth`` limits it.

        ``start``: an id or document, ``type/name`` (every version of the name),
        ``type/name@N`` / ``@latest``, a filter ``{"type": T, "filter": {...}}``, or a
        list of these. ``types``: only rows of these types; ``through``: only these
        types are walked through (others are reached but not followed). Each row has
        ``_id``, ``_type``, ``name``, ``version``, ``_depth``, ``_via`` (the edge it was
        reached by) and ``_starts`` (start → depth); ``fields="*"`` gives whole
        documents, a list of names those fields. ``result.truncated`` says when a depth
        cut the walk short. See ``lineage/walk.py``.
        """
        return walk(
            self,
            start,
            direction=direction,
            types=types,
            through=through,
            depth=depth,
            fields=fields,
        )

    def downstream(self, start: Any, **options: Any) -> Lineage:
        """Everything derived from ``start`` (see :meth:`lineage`)."""
        return self.lineage(start, direction="downstream", **options)

    def upstream(self, start: Any, **options: Any) -> Lineage:
        """Everything ``start`` was derived from (see :meth:`lineage`)."""
        return self.lineage(start, direction="upstream", **options)

    def impact(self, dataset: Any, **options: Any) -> Lineage:
        """Every model and deployment that depends on a dataset (see :meth:`lineage`)."""
        return self.lineage(dataset, direction="downstream", types=IMPACT_TYPES, **options)

    def path(
        self,
        source: str | dict[str, Any],
        target: str | dict[str, Any],
        any_direction: bool = False,
    ) -> list[dict[str, Any]]:
        """The shortest chain of links from ``source`` to ``target`` (empty when unconnected)."""
        return self.backend.query(
            path_query(any_direction),
            {"from": self.resolve_id(source), "to": self.resolve_id(target)},
        )

    def query(
        self,
        aql: str,
        bind_vars: dict[str, Any] | None = None,
        *,
        memory_limit: int | None = None,
        max_runtime: float | None = None,
    ) -> QueryRows:
        """Run any AQL on the store (it sees what is committed, not an open step's writes).

        The rows come with the query's ``warnings``. ``memory_limit`` (bytes) and
        ``max_runtime`` (seconds) bound it (None: 1 GiB and 60 s, 0: no limit; see
        ``query_limits.py``): past them it fails with error 32 or 1500. Bind
        parameters are JSON values by the rule of ``jsonvalues`` (1553 otherwise).
        """
        limits = QueryLimits.of(memory_limit, max_runtime)
        return self.backend.query(aql, check_bind_vars(bind_vars), limits)

    def cursor(
        self,
        aql: str,
        bind_vars: dict[str, Any] | None = None,
        *,
        memory_limit: int | None = None,
        max_runtime: float | None = None,
    ) -> Cursor:
        """Run any AQL on the store; its rows as they are read (a result of any size in
        bounded memory). On the embedded store the cursor holds a read transaction until
        it is exhausted or closed: do not write from the loop that reads it. Bind
        parameters and limits as for :meth:`query` (the rows handed out are not held,
        so they do not count against the memory limit)."""
        limits = QueryLimits.of(memory_limit, max_runtime)
        return self.backend.cursor(aql, check_bind_vars(bind_vars), limits)


def _versioned(artifact_type: ArtifactType) -> str:
    """The key of the kind's queries: "execution" (no versions) or "artifact" (versions)."""
    return "execution" if artifact_type.kind == "execution" else "artifact"


def _page(limit: int | None, offset: int) -> tuple[int, int]:
    """(offset, count) of a page for AQL's LIMIT; every row when ``limit`` is None."""
    for value, name in ((offset, "offset"), (limit, "limit")):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise BadParameterError(f"{name} is a whole number, at least 0 (not {value!r})")
    return offset, NO_LIMIT if limit is None else limit


def open_store(
    location: str | None = None,
    *,
    actor: str | None = None,
    create: bool = True,
    read_only: bool = False,
    audit: bool | None = None,
) -> MetadataStore:
    """Open the store at ``location`` / ``ARANGOML_META_STORE``, brought to the current schema.

    ``create=False``: a missing store is an error (1228) instead of a new empty one.
    ``read_only=True``: open an embedded store for reading only (SQLite's ``mode=ro``):
    never created, migrated or written (a write fails with 1004); an embedded store this
    user may not write is opened so anyway. ``audit``: see :meth:`MetadataStore.initialize`
    (every write is recorded in the store's audit log unless it was made without one).
    """
    actor = check_actor(actor or current_actor())  # before the store is opened (or created)
    store = MetadataStore(open_backend(location, create=create, read_only=read_only), actor)
    try:
        if getattr(store.raw_backend, "read_only", False):
            check_readable(store.raw_backend)
        else:
            if not create and store.backend.location != IN_MEMORY:  # memory starts empty
                require_store(store.raw_backend)
            store.initialize(audit)
    except ArangoMLMetaError:
        store.close()
        raise
    return store
