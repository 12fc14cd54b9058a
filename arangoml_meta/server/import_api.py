"""``POST /_api/import``: many documents in one request, as ArangoDB 3.12 imports them.

The body is JSON lines (``type=documents``), one JSON array of documents
(``type=list`` or ``array``), either one (``type=auto``: an array when the body
starts with ``[``), or without ``type`` a header line (a JSON array of
attribute names) followed by one JSON array of values per line (nulls are
left out). As ArangoDB does, the documents are first read and checked (an
object; in an edge collection string ``_from`` and ``_to``, ``fromPrefix`` /
``toPrefix`` added to a bare key), each failure reported "at position N" (the
line or element, counted from 1), then written one by one, each in a savepoint
of its own: a failure is reported at its position among the documents written
(counted from 0). ``onDuplicate`` turns a unique-key violation into an update,
a replacement or nothing (``ignored``). ``complete=true`` writes all or nothing
(the first error answers the request); ``overwrite=true`` empties the
collection first; ``details=true`` lists the failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_ARANGO_COLLECTION_PARAMETER_MISSING,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    ERROR_BAD_PARAMETER,
    ERROR_HTTP_BAD_PARAMETER,
    ERROR_HTTP_CORRUPTED_JSON,
    ArangoMLMetaError,
)
from . import collection_catalog as catalog
from . import document_ops as ops
from .context import context
from .responses import HTTPError, flag, json_response, status_of

_LINE_SPACE = " \t\r\b\f"
UNREADABLE = object()  # a line that is no JSON
# ArangoDB's texts of the errors an import reports (errors.dat)
_ERROR_TEXTS = {
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED: "unique constraint violated",
    1202: "document not found",
    1221: "illegal document key",
    1222: "unexpected document key",
    1227: "invalid document type",
    1233: "invalid edge attribute",
    1620: "Schema violation",
}


def error_text(failure: ops.ItemFailure) -> str:
    return _ERROR_TEXTS.get(failure.error_num, failure.message)


def _shown(doc: Any) -> str:
    text = orjson.dumps(doc).decode()
    return text if len(text) <= 255 else text[:255] + "..."


class Abort(Exception):
    """``complete=true`` and an error: nothing is imported."""

    def __init__(self, error_num: int, message: str) -> None:
        super().__init__(message)
        self.error_num = error_num
        self.message = message


@dataclass
class Import:
    """The import's documents (with their positions) and its counts."""

    complete: bool
    edge: bool = False
    from_prefix: str = ""
    to_prefix: str = ""
    documents: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    errors: int = 0
    empty: int = 0
    updated: int = 0
    ignored: int = 0
    details: list[str] = field(default_factory=list)

    def fail(self, position: int, message: str, error_num: int) -> None:
        self.errors += 1
        self.details.append(f"at position {position}: {message}")
        if self.complete:
            raise Abort(error_num, message)

    def take(self, position: int, value: Any) -> None:
        """Check one document read at ``position`` and keep it to be written."""
        if not isinstance(value, dict):
            self.fail(
                position,
                f"invalid JSON type (expecting object), offending document: {_shown(value)}",
                ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
            )
            return
        if self.edge:
            value = self._prefixed(value)
            if not isinstance(value.get("_from"), str) or not isinstance(value.get("_to"), str):
                self.fail(
                    position,
                    f"missing '_from' or '_to' attribute, offending document: {_shown(value)}",
                    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
                )
                return
        self.documents.append(value)

    def _prefixed(self, doc: dict[str, Any]) -> dict[str, Any]:
        for name, prefix in (("_from", self.from_prefix), ("_to", self.to_prefix)):
            value = doc.get(name)
            if not prefix or isinstance(value, bool):
                continue
            if isinstance(value, int) or (isinstance(value, str) and "/" not in value):
                doc = {**doc, name: prefix + str(value)}
        return doc

    def parse(self, position: int, line: str) -> Any:
        """The JSON value of a line, or :data:`UNREADABLE` (reported as a failure)."""
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            shown = line if len(line) <= 255 else line[:255] + "..."
            self.fail(
                position,
                "invalid JSON type (expecting object, probably parse error), offending "
                "context: " + shown,
                ERROR_HTTP_CORRUPTED_JSON,
            )
            return UNREADABLE

    def body(self, details: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "error": False,
            "created": self.created,
            "errors": self.errors,
            "empty": self.empty,
            "updated": self.updated,
            "ignored": self.ignored,
        }
        if details:
            out["details"] = self.details
        return out


def _lines(text: str) -> list[str | None]:
    """The body's lines for a line-wise import: None for an empty one (a trailing line of
    white space only ends it, as in ArangoDB)."""
    out: list[str | None] = []
    rest = text
    while rest:
        rest = rest.lstrip(_LINE_SPACE)
        if not rest:
            break
        line, newline, rest = rest.partition("\n")
        out.append(line if line.strip() else None)
        if not newline:
            break
    return out


def read_documents(job: Import, text: str) -> None:
    """JSON lines: one document per line."""
    for position, line in enumerate(_lines(text), start=1):
        if line is None:
            job.empty += 1
        elif (value := job.parse(position, line)) is not UNREADABLE:
            job.take(position, value)


def read_list(job: Import, text: str) -> None:
    """One JSON array of documents."""
    try:
        values = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise HTTPError(
            400,
            ERROR_HTTP_BAD_PARAMETER,
            f"expecting a valid JSON array in the request. got: {exc}",
        ) from None
    if not isinstance(values, list):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting a JSON array in the request")
    for position, value in enumerate(values, start=1):
        job.take(position, value)


def read_rows(job: Import, text: str, first_line: int) -> None:
    """A header line of attribute names, then one array of values per line."""
    header, newline, rest = text.partition("\n")
    if not newline:
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "no JSON array found in second line")
    try:
        names = orjson.loads(header.strip(_LINE_SPACE + "\n"))
    except orjson.JSONDecodeError:
        names = None
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "no JSON string array found in first line")
    for position, raw in enumerate(rest.split("\n"), start=first_line + 1):
        line = raw.strip(_LINE_SPACE)
        if not line:
            job.empty += 1
            continue
        values = job.parse(position, line)
        if values is UNREADABLE:
            continue
        if not isinstance(values, list):
            job.fail(position, "no valid JSON array data", ERROR_BAD_PARAMETER)
        elif len(values) != len(names):
            job.fail(
                position,
                f"wrong number of JSON values (got {len(values)}, expected {len(names)})",
                ERROR_BAD_PARAMETER,
            )
        else:
            job.take(position, {n: v for n, v in zip(names, values, strict=True) if v is not None})


def write(
    db: EmbeddedDatabase,
    collection: str,
    job: Import,
    read: Any,
    on_duplicate: str,
    overwrite: bool,
) -> None:
    """Read the body (``read(job)``) and write its documents, in one transaction."""
    storage = db.storage
    with storage.atomic(write=True):
        info = catalog.find(db, collection)
        job.edge = info.edge
        read(job)
        if overwrite:
            storage.truncate(info.name)
        session = ops.Session(db, info, ops.Options())
        for position, doc in enumerate(job.documents):
            try:
                with storage.atomic(write=True):
                    _write_one(session, doc, on_duplicate, job)
            except ops.ItemFailure as failure:
                job.fail(
                    position,
                    f"creating document failed with error '{error_text(failure)}', "
                    f"offending document: {_shown(doc)}",
                    failure.error_num,
                )


def _attempt(work: Any) -> ops.ItemFailure | None:
    """Run ``work()`` in a savepoint; its failure (None: it succeeded)."""
    try:
        work()
    except ops.ItemFailure as failure:
        return failure
    except ArangoMLMetaError as exc:
        return ops.ItemFailure.of(exc)
    return None


def _write_one(session: ops.Session, doc: dict[str, Any], on_duplicate: str, job: Import) -> None:
    """Insert one document; on a unique constraint violation (of any unique index, as in
    ArangoDB) ``onDuplicate`` says what to do with the document of its ``_key``."""
    storage = session.storage

    def insert() -> None:
        with storage.atomic(write=True):
            session.insert(doc, None, None)

    failure = _attempt(insert)
    if failure is None:
        job.created += 1
        return
    duplicate = failure.error_num == ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED
    if not duplicate or on_duplicate == "error" or not isinstance(doc.get("_key"), str):
        raise failure
    if on_duplicate == "ignore":
        job.ignored += 1
        return
    change = session.update if on_duplicate == "update" else session.replace
    failure = _attempt(lambda: change(doc, None, None))
    if failure is None:
        job.updated += 1
        return
    if failure.error_num == ERROR_ARANGO_DOCUMENT_NOT_FOUND:
        # no document has the key: the insert broke another unique index
        failure = ops.ItemFailure(ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED, failure.message)
    raise failure


async def run(request: Request) -> Response:
    ctx = context(request)
    collection = request.query_params.get("collection")
    if not collection:
        raise HTTPError(
            400,
            ERROR_ARANGO_COLLECTION_PARAMETER_MISSING,
            "'collection' is missing, expecting /_api/import?collection=<identifier>",
        )
    kind = request.query_params.get("type")
    text = (await request.body()).decode("utf-8", errors="replace")
    if kind == "auto":
        kind = "list" if text.lstrip(" \t\r\n\b\f").startswith("[") else "documents"
    if kind in ("list", "array"):
        read = lambda job: read_list(job, text)  # noqa: E731
    elif kind == "documents":
        read = lambda job: read_documents(job, text)  # noqa: E731
    elif kind is None:
        first_line = int(request.query_params.get("line", "0") or 0)
        read = lambda job: read_rows(job, text, first_line)  # noqa: E731
    else:
        raise HTTPError(400, ERROR_BAD_PARAMETER, "invalid value for 'type'")
    job = Import(
        complete=flag(request, "complete"),
        from_prefix=_prefix(request, "fromPrefix"),
        to_prefix=_prefix(request, "toPrefix"),
    )
    on_duplicate = request.query_params.get("onDuplicate", "error")
    overwrite = flag(request, "overwrite")
    try:
        await ctx.run(lambda db: write(db, collection, job, read, on_duplicate, overwrite))
    except Abort as abort:
        message = _ERROR_TEXTS.get(abort.error_num, abort.message)
        raise HTTPError(status_of(abort.error_num), abort.error_num, message) from None
    return json_response(job.body(flag(request, "details")), 201)


def _prefix(request: Request, name: str) -> str:
    prefix = request.query_params.get(name, "")
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


ROUTES: list[BaseRoute] = [Route("/_api/import", run, methods=["POST"])]
