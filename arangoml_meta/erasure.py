"""Erasing personal data while keeping lineage: ``store.erase(ref, reason=...)``.

A data subject's erasure request reaches an artifact (say the raw customer
export). The store cannot delete the data itself (it lives at the artifact's
``location``), but it holds personal data of its own: the fields its types mark
``x-personal-data`` (``personal_fields.py``), e.g. a dataset's statistics
profile, which may list the values of a personal column. :func:`erase`

- redacts, by removing them, the personal fields of the artifact and of every
  other version of its name (a run: of itself only; runs of a name are distinct
  executions) unless that version says it holds none (``personal_data: false``,
  e.g. a cleaned version), and of every artifact derived from them, or such a
  version, that copies such a value: the same field (marked in either type)
  holding an equal value; an edge touching a redacted version whose attribute of
  the same name holds an equal value loses it too;
- keeps every document, its id and every lineage edge, and marks each redacted
  document ``erased: {start, at, by, reason, fields}`` (``start``: the id the
  erasure started from; ``fields`` accumulates over erasures; ``aql/erasures.aql``
  lists them). Removal keeps the schema satisfied because a personal field is
  never required (refused when the type is registered: see ``personal_fields.py``);
  each redacted document is validated again before anything is written;
- returns the work list a data-protection officer needs, from one lineage
  traversal (``lineage/walk.py``'s query, from every version at once): every
  artifact downstream, nearest first, with the storage locations to purge
  (``location`` / ``uri`` fields), the models to retrain and the deployments to
  redeploy; runs are walked through, and counted.

All of it is one transaction whose writes are made inside
``backend.operation("erase", reason=...)``, so that the audit log records them as
an erasure (the reason goes into the audit record: never put personal data in
it). A second erasure that finds nothing left to redact writes nothing and says
so (:attr:`Erasure.changed` false); ``dry_run`` plans the same without writing.

No old value is left behind on the embedded store: its connections delete
securely (SQLite's ``secure_delete``: freed cells and pages are zeroed), and after
an erasure the write-ahead log is checkpointed into the file and truncated
(:attr:`Erasure.log_truncated`; a reader holding an old snapshot can delay it:
then it is false and the next erasure, or any checkpoint, completes it). The other
places a value could survive hold none: ``changes`` records tags only,
``deletions`` records ids and names, environments hold no artifact field, and
index entries are rewritten (and zeroed) with their document, and the audit
log keeps digests, not content: a redacted document's ``digest_salt``
(``personal_fields.py``) is replaced, so the digest of it as it was cannot be
matched against guesses of the erased value. Known limits: a redacted copy in
a field its own type does not mark personal has no salt (nor has a document
written before its type marked the field), so its old digest could be matched
against guesses of a low-entropy value; on ArangoDB, old revisions stay in RocksDB's files until its
compaction runs (``PUT /_admin/compact``, an administrator's call), and through
``serve`` the old pages stay in the server's write-ahead log until SQLite
rewrites it or the server stops (its file is written with secure deletion too);
a value copied into a field of another name, or into free text, is not found.
"""

from __future__ import annotations

import copy
import json
import logging
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .backends import Session
from .document_rules import SET_BY_DATABASE
from .environment import utc_now_iso
from .errors import (
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    BadParameterError,
    DocumentNotFoundError,
    TransactionError,
)
from .lineage.walk import COMPLETE_DEPTH, EDGES, WALK, assemble
from .personal_fields import EACH, ERASED, SALT, FieldPath, path_text, personal_fields
from .types import BUILTIN_NAMES, ArtifactType, validate
from .write_races import retrying_races

if TYPE_CHECKING:
    from .store import MetadataStore

log = logging.getLogger(__name__)

OPERATION = "erase"  # the audit log's name for the writes of an erasure
RETRAIN_TYPES = ("models",)  # trained on the data: retrain without it
REDEPLOY_TYPES = ("deployments",)  # serve such a model: redeploy the retrained one
LOCATION_FIELDS = ("location", "uri")  # and any field ending in _location or _uri

# what a replaced body leaves out (an edge keeps its _from and _to)
_KEPT_OUT = SET_BY_DATABASE
# the versions an erasure starts from: every version of the name (artifacts, contexts)
_VERSIONS = "FOR d IN @@c FILTER d.name == @name SORT d.version, d._key RETURN d"
# edges touching the redacted versions (their attributes may copy a value)
_EDGES_OF = """
FOR id IN @ids
  FOR v, e IN 1..1 ANY id GRAPH 'lineage'
    RETURN DISTINCT e
"""


@dataclass(frozen=True)
class Redaction:
    """One document redacted: its id, the fields removed, and why (``erased``: the
    artifact asked for; ``version``: another version of its name; ``copy``: derived
    from them, holding an equal value; ``edge``: a lineage edge holding one)."""

    document: str
    fields: list[str]
    why: str


@dataclass(frozen=True)
class WorkItem:
    """One artifact of the work list: what to do outside the store, and where."""

    id: str
    type: str
    name: str | None
    version: int | None
    depth: int  # links from the nearest erased version (0: a version itself)
    action: str  # purge, retrain, redeploy or review
    locations: list[str]
    redacted: list[str] = field(default_factory=list)  # its fields this erasure removed


@dataclass(frozen=True)
class Erasure:
    """What an erasure did (or, for a dry run, would do)."""

    start: str
    reason: str
    at: str
    by: str
    # the versions of the name erased, the start among them: the traversal's starts
    versions: list[str]
    redactions: list[Redaction]
    work: list[WorkItem]
    runs: int  # runs downstream (walked through; not in the work list)
    dry_run: bool = False
    previous: dict[str, Any] | None = None  # the start's earlier erasure mark, if any
    log_truncated: bool | None = None  # embedded store: the write-ahead log was emptied

    @property
    def changed(self) -> bool:
        """Whether anything was (or, in a dry run, would be) redacted."""
        return bool(self.redactions)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the CLI's ``--format json``)."""
        return {
            "start": self.start,
            "reason": self.reason,
            "at": self.at,
            "by": self.by,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "versions": self.versions,
            "previous": self.previous,
            "redactions": [vars(r) for r in self.redactions],
            "work": [vars(w) for w in self.work],
            "runs": self.runs,
            "log_truncated": self.log_truncated,
        }


def erase(
    store: MetadataStore, ref: str | Mapping[str, Any], *, reason: str, dry_run: bool = False
) -> Erasure:
    """See :meth:`MetadataStore.erase` and the module docstring."""
    if not isinstance(reason, str) or not reason.strip():
        raise BadParameterError(
            "an erasure needs a reason (e.g. the request's reference): it is kept in the "
            "erased documents and the audit log, so it must not hold personal data"
        )
    if store.step is not None or store.backend.transaction_open:
        raise TransactionError(
            "erase outside a transaction block: an erasure is a transaction of its own"
        )
    reason = reason.strip()
    start = store.resolve_id(ref)  # 1202 for a missing artifact, 1203 for an unknown type
    artifact_type = store.type(start.partition("/")[0])
    if not personal_fields(artifact_type.schema):
        raise BadParameterError(
            f"type {artifact_type.name!r} marks no field as personal data (x-personal-data), so "
            f"{start} holds none to erase; mark the fields that hold personal data in its "
            f"schema and evolve it (arangoml-meta types evolve {_schema_file(artifact_type)})"
        )
    collections = [*EDGES, *(t.name for t in store.types())]
    at = utc_now_iso()
    if dry_run:  # reads only: the unaudited backend, no lock on the audit log
        with store.raw_backend.transaction(write=[], read=collections) as session:
            return _plan(store, session, start, artifact_type, reason, at, True)[0]

    def attempt() -> Erasure:
        with (
            store.backend.operation(OPERATION, reason=reason),
            store.backend.transaction(write=collections) as session,
        ):
            erasure, planned = _plan(store, session, start, artifact_type, reason, at, False)
            _write(session, planned, erasure)
        return erasure

    # a writer that changed one of its documents, or appended to the audit log, meanwhile
    # (1200): planned again from what it wrote
    erasure = retrying_races(store.backend, attempt, f"erasing {start}")
    if erasure.changed:
        erasure = replace(erasure, log_truncated=_truncate_log(store))
        log.info(
            "%s erased %s: %d documents redacted, %d downstream",
            store.actor,
            start,
            len(erasure.redactions),
            len(erasure.work) - len(erasure.versions),
        )
    return erasure


# ----------------------------------------------------------------------------- planning


@dataclass
class _Planned:
    """A document to rewrite: its new body and the fields removed."""

    doc: dict[str, Any]
    fields: list[str]
    why: str


def _plan(
    store: MetadataStore,
    session: Session,
    start: str,
    artifact_type: ArtifactType,
    reason: str,
    at: str,
    dry_run: bool,
) -> tuple[Erasure, dict[str, _Planned]]:
    """The erasure and the documents to rewrite (see the module docstring), read in
    ``session``."""
    collection, _, key = start.partition("/")
    doc = session.get(collection, key)
    if doc is None:  # deleted since it was looked up
        raise DocumentNotFoundError(f"artifact not found: {start}", ERROR_ARANGO_DOCUMENT_NOT_FOUND)
    if artifact_type.kind == "execution" or not isinstance(doc.get("name"), str):
        named = [doc]
    else:
        named = list(session.query(_VERSIONS, {"@c": collection, "name": doc["name"]}))
    # a version that says it holds no personal data is checked for copies only
    versions = [v for v in named if v["_id"] == start or v.get("personal_data") is not False]
    others = [v for v in named if v not in versions]
    personal = personal_fields(artifact_type.schema)
    planned: dict[str, _Planned] = {}
    erased_values: dict[FieldPath, list[str]] = {}
    for version in versions:
        body, removed = _redact(version, personal, None)
        for path, values in removed.items():
            erased_values.setdefault(path, []).extend(values)
        if removed:
            why = "erased" if version["_id"] == start else "version"
            planned[version["_id"]] = _Planned(body, [path_text(p) for p in removed], why)
    starts = [v["_id"] for v in versions]
    raw = session.query(
        WALK["downstream", False, "full", False],
        {"starts": starts, "max": COMPLETE_DEPTH + 1, "depth": COMPLETE_DEPTH, "types": None},
    )
    rows, _ = assemble(raw, COMPLETE_DEPTH, "full", "downstream")
    reached = {row["_id"] for row in rows}
    candidates = [*rows, *(v for v in others if v["_id"] not in reached)]
    for row in candidates:
        if row.get("_missing") or not erased_values:
            continue
        row_type = store.type(str(row["_id"]).partition("/")[0])
        paths = list(dict.fromkeys([*erased_values, *personal_fields(row_type.schema)]))
        body, removed = _redact(_stored(row), paths, erased_values)
        if removed:
            planned[row["_id"]] = _Planned(body, [path_text(p) for p in removed], "copy")
    edges = _edge_redactions(session, planned, erased_values)
    for planned_doc in planned.values():
        if planned_doc.why != "edge":
            _check(store, planned_doc.doc)
    redacted = {doc_id: p.fields for doc_id, p in planned.items()}
    # nearest first, then by id: the order of the stored query (aql/erasures.aql) too
    work = [_work_item(v, 0, redacted) for v in sorted(versions, key=lambda v: str(v["_id"]))]
    work += [
        _work_item(row, row["_depth"], redacted)
        for row in rows
        if store.type(row["_type"]).kind != "execution"
    ]
    runs = sum(1 for row in rows if store.type(row["_type"]).kind == "execution")
    planned.update(edges)
    erasure = Erasure(
        start=start,
        reason=reason,
        at=at,
        by=store.actor,
        versions=starts,
        redactions=[Redaction(i, p.fields, p.why) for i, p in planned.items()],
        work=work,
        runs=runs,
        dry_run=dry_run,
        previous=doc.get(ERASED) if isinstance(doc.get(ERASED), dict) else None,
    )
    return erasure, planned


def _stored(row: Mapping[str, Any]) -> dict[str, Any]:
    """A walk row's document without the walk's own fields (``_depth``, ``_via``, ...)."""
    walk_fields = ("_type", "_depth", "_via", "_starts", "_missing")
    return {k: v for k, v in row.items() if k not in walk_fields}


def _redact(
    doc: Mapping[str, Any],
    paths: Sequence[FieldPath],
    only: Mapping[FieldPath, Sequence[str]] | None,
) -> tuple[dict[str, Any], dict[FieldPath, list[str]]]:
    """``doc`` without the values at ``paths`` (only those equal to one of ``only[path]``,
    compared as canonical JSON, when ``only`` is given), and what was removed at each path
    (as canonical JSON)."""
    body = copy.deepcopy(dict(doc))
    removed: dict[FieldPath, list[str]] = {}
    for path in paths:
        wanted = None if only is None else set(only.get(path, ()))
        if wanted is not None and not wanted:
            continue
        taken = list(_take(body, path, wanted))
        if taken:
            removed[path] = taken
    return body, removed


def _take(node: Any, path: FieldPath, wanted: set[str] | None) -> Iterator[str]:
    """Remove the values at ``path`` below ``node`` (``[]``: in every item of an array)."""
    head, rest = path[0], path[1:]
    if head == EACH:
        if isinstance(node, list):
            for item in node:
                yield from _take(item, rest, wanted)
        return
    if not isinstance(node, dict) or head not in node:
        return
    if rest:
        yield from _take(node[head], rest, wanted)
        return
    value = _canonical(node[head])
    if wanted is None or value in wanted:
        del node[head]
        yield value


def _canonical(value: Any) -> str:
    """JSON text of ``value`` that equal JSON values share (``1`` and ``true`` differ)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _edge_redactions(
    session: Session,
    planned: Mapping[str, _Planned],
    erased_values: Mapping[FieldPath, Sequence[str]],
) -> dict[str, _Planned]:
    """The lineage edges touching a redacted document whose attributes copy an erased value."""
    top_level: dict[FieldPath, Sequence[str]] = {
        path: values for path, values in erased_values.items() if len(path) == 1
    }
    if not top_level or not planned:
        return {}
    found: dict[str, _Planned] = {}
    for edge in session.query(_EDGES_OF, {"ids": list(planned)}):
        body, removed = _redact(edge, list(top_level), top_level)
        if removed:
            found[edge["_id"]] = _Planned(body, [path_text(p) for p in removed], "edge")
    return found


def _check(store: MetadataStore, doc: Mapping[str, Any]) -> None:
    """The redacted document (with its mark) must still satisfy its type's schema."""
    marked = {**doc, ERASED: {"start": "", "at": "", "by": "", "reason": "", "fields": []}}
    validate(store.type(str(doc["_id"]).partition("/")[0]), marked)


def _work_item(doc: Mapping[str, Any], depth: int, redacted: Mapping[str, list[str]]) -> WorkItem:
    type_name = str(doc["_id"]).partition("/")[0]
    locations = [
        str(value)
        for name, value in doc.items()
        if isinstance(value, str)
        and (name in LOCATION_FIELDS or name.endswith(("_location", "_uri")))
    ]
    if type_name in RETRAIN_TYPES:
        action = "retrain"
    elif type_name in REDEPLOY_TYPES:
        action = "redeploy"
    elif locations:
        action = "purge"
    else:
        action = "review"
    return WorkItem(
        id=str(doc["_id"]),
        type=type_name,
        name=doc.get("name"),
        version=doc.get("version"),
        depth=depth,
        action=action,
        locations=locations,
        redacted=list(redacted.get(str(doc["_id"]), [])),
    )


# ----------------------------------------------------------------------------- writing


def _write(session: Session, planned: Mapping[str, _Planned], erasure: Erasure) -> None:
    """Each planned document replaced by its redacted body, marked (edges are not marked:
    they have no type whose schema would allow it), with a new salt where it had one: the
    log's digests of it as it was can then not be matched against guesses."""
    for doc_id, change in planned.items():
        collection, _, key = doc_id.partition("/")
        body = {k: v for k, v in change.doc.items() if k not in _KEPT_OUT}
        if SALT in body:
            body[SALT] = secrets.token_hex(16)
        if change.why != "edge":
            earlier = body.get(ERASED)
            earlier = earlier if isinstance(earlier, dict) else {}
            body[ERASED] = {
                "start": erasure.start,
                "at": erasure.at,
                "by": erasure.by,
                "reason": erasure.reason,
                "fields": sorted({*earlier.get("fields", []), *change.fields}),
            }
        session.replace(collection, key, body)


def _schema_file(artifact_type: ArtifactType) -> str:
    """The file ``types evolve`` reads a type's new schema from: a built-in type's in
    ``schemas/`` (a store made before its marks were added keeps the older schema)."""
    name = artifact_type.name
    return f"schemas/{name}.json" if name in BUILTIN_NAMES else f"{name}.json"


def _truncate_log(store: MetadataStore) -> bool | None:
    """Empty the embedded store's write-ahead log (see the module docstring); None on
    ArangoDB."""
    storage = getattr(getattr(store.raw_backend, "db", None), "storage", None)
    if storage is None:
        return None
    return bool(storage.truncate_write_ahead_log())
