"""ArangoDB's response shapes: JSON bodies, and errors as ``{error, code, errorNum,
errorMessage}`` with the HTTP status ArangoDB gives each error number."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from .. import errors as E

# The HTTP status of an error number, as ArangoDB's server answers it (lib/Basics/errors.dat
# and GeneralResponse::responseCode); numbers not listed answer 500 (server side) or 400.
_STATUS_OF: dict[int, int] = {
    E.ERROR_BAD_PARAMETER: 400,
    E.ERROR_TYPE_ERROR: 400,
    E.ERROR_HTTP_BAD_PARAMETER: 400,
    E.ERROR_FORBIDDEN: 403,
    E.ERROR_HTTP_BAD_PARAMETER: 400,
    E.ERROR_HTTP_UNAUTHORIZED: 401,
    E.ERROR_HTTP_FORBIDDEN: 403,
    E.ERROR_HTTP_CORRUPTED_JSON: 400,
    E.ERROR_NOT_IMPLEMENTED: 501,
    E.ERROR_LOCK_TIMEOUT: 409,
    E.ERROR_RESOURCE_LIMIT: 500,
    E.ERROR_ARANGO_READ_ONLY: 403,
    E.ERROR_ARANGO_CONFLICT: 409,
    E.ERROR_ARANGO_DOCUMENT_NOT_FOUND: 404,
    E.ERROR_ARANGO_DATA_SOURCE_NOT_FOUND: 404,
    E.ERROR_ARANGO_COLLECTION_PARAMETER_MISSING: 400,
    E.ERROR_ARANGO_DOCUMENT_HANDLE_BAD: 400,
    E.ERROR_ARANGO_DUPLICATE_NAME: 409,
    E.ERROR_ARANGO_ILLEGAL_NAME: 400,
    E.ERROR_ARANGO_INDEX_NOT_FOUND: 404,
    E.ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED: 409,
    E.ERROR_ARANGO_DOCUMENT_KEY_BAD: 400,
    E.ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED: 400,
    E.ERROR_ARANGO_DOCUMENT_TYPE_INVALID: 400,
    E.ERROR_ARANGO_DOCUMENT_KEY_MISSING: 400,
    E.ERROR_ARANGO_COLLECTION_TYPE_INVALID: 400,
    E.ERROR_ARANGO_DATABASE_NOT_FOUND: 404,
    E.ERROR_ARANGO_DOCUMENT_TOO_LARGE: 400,
    E.ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE: 400,
    E.ERROR_ARANGO_DOCUMENT_REV_BAD: 400,
    E.ERROR_QUERY_KILLED: 410,
    E.ERROR_QUERY_FUNCTION_NOT_FOUND: 404,
    E.ERROR_QUERY_NOT_FOUND: 404,
    E.ERROR_CURSOR_NOT_FOUND: 404,
    E.ERROR_CURSOR_BUSY: 409,
    E.ERROR_VALIDATION_FAILED: 400,
    E.ERROR_VALIDATION_BAD_PARAMETER: 400,
    E.ERROR_TRANSACTION_UNREGISTERED_COLLECTION: 400,
    E.ERROR_TRANSACTION_DISALLOWED_OPERATION: 400,
    E.ERROR_TRANSACTION_ABORTED: 410,
    E.ERROR_TRANSACTION_NOT_FOUND: 404,
    E.ERROR_USER_INVALID_NAME: 400,
    E.ERROR_USER_DUPLICATE: 409,
    E.ERROR_USER_NOT_FOUND: 404,
    E.ERROR_GRAPH_NOT_FOUND: 404,
    E.ERROR_GRAPH_DUPLICATE: 409,
    # gharial: a collection the graph does not have, or that does not exist (3.10+: 404)
    E.ERROR_HTTP_NOT_FOUND: 404,
    E.ERROR_HTTP_METHOD_NOT_ALLOWED: 405,
    E.ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST: 404,
    E.ERROR_GRAPH_EDGE_COLLECTION_NOT_USED: 404,
    E.ERROR_GRAPH_REFERENCED_VERTEX_COLLECTION_NOT_PART_OF_THE_GRAPH: 404,
    E.ERROR_GRAPH_COLLECTION_NOT_PART_OF_THE_GRAPH: 404,
    # graph errors ArangoDB's status table does not list: it answers them 500
    E.ERROR_GRAPH_INTERNAL_DATA_CORRUPT: 500,
    E.ERROR_GRAPH_CREATE_MALFORMED_ORPHAN_LIST: 500,
    E.ERROR_GRAPH_EDGE_DEFINITION_IS_DOCUMENT: 500,
    E.ERROR_ARANGO_DATABASE_NAME_INVALID: 400,
    E.ERROR_ARANGO_USE_SYSTEM_DATABASE: 403,
    E.ERROR_ARANGO_INVALID_KEY_GENERATOR: 400,
    E.ERROR_CLUSTER_ONLY_ON_COORDINATOR: 501,
}


def status_of(error_num: int) -> int:
    """The HTTP status ArangoDB answers an error number with."""
    if error_num in _STATUS_OF:
        return _STATUS_OF[error_num]
    if 1500 <= error_num < 1600:  # query errors: the request was wrong
        return 400
    if 1900 <= error_num < 2000:  # graph errors
        return 400
    return 500


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``body`` as JSON (orjson: the store's own encoder, exact integers)."""
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


def error_response(
    status: int, error_num: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """ArangoDB's error body."""
    return json_response(
        {"code": status, "error": True, "errorMessage": message, "errorNum": error_num},
        status,
        headers,
    )


class HTTPError(Exception):
    """An error a handler answers with (status, error number, message)."""

    def __init__(self, status: int, error_num: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_num = error_num
        self.message = message


def error_from_exception(exc: BaseException) -> Response:
    """The response for an exception a handler raised: the project's errors carry their
    ArangoDB error numbers; anything else is an internal error (500, errorNum 4)."""
    if isinstance(exc, HTTPError):
        return error_response(exc.status, exc.error_num, exc.message)
    if isinstance(exc, E.ArangoMLMetaError):
        num = exc.error_num if exc.error_num is not None else E.ERROR_INTERNAL
        return error_response(status_of(num), num, exc.message)
    return error_response(500, E.ERROR_INTERNAL, f"internal error: {type(exc).__name__}")


async def json_body(request: Request, default: Any = None) -> Any:
    """The request's JSON body (``default`` when it is empty); 400 / 600 when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return default
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise HTTPError(
            400, E.ERROR_HTTP_CORRUPTED_JSON, "VPackError error: Expecting '\"' or '}'"
        ) from None


def flag(request: Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter as ArangoDB reads it (``true``/``yes``/``on``/``1``)."""
    value = request.query_params.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("true", "yes", "on", "1", "y")
