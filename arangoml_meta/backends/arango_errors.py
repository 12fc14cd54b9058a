"""python-arango's, the server's and the connection's errors as the project's, by error number.

Server errors keep ArangoDB's error number and message, the class chosen by
:func:`~arangoml_meta.errors.error_for`; connection failures say what the user
can check. Messages name the server by its public URL only (``arango_url.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from arango.exceptions import (
    ArangoClientError,
    ArangoError,
    ArangoServerError,
    DocumentParseError,
)
from requests import ReadTimeout

from ..errors import (
    ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_FORBIDDEN,
    ERROR_HTTP_FORBIDDEN,
    ERROR_HTTP_UNAUTHORIZED,
    ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT,
    ERROR_SIMPLE_CLIENT_COULD_NOT_READ,
    ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR,
    ERROR_TRANSACTION_NOT_FOUND,
    ArangoMLMetaError,
    BadParameterError,
    DocumentError,
    TransactionError,
    error_for,
)
from .arango_http import OutcomeUnknown
from .arango_url import DEFAULT_TIMEOUT, TIMEOUT_ENV
from .http_failures import TLSFailure, not_arangodb_reply, raised_by_driver, tls_error

log = logging.getLogger("arangoml_meta.backends.arango")

_TRANSACTION_ERRORS = range(1650, 1700)


class NotJSONError(BadParameterError):
    """A value handed to python-arango is not JSON (raised from its serializer)."""


def serialize(value: Any) -> str:
    """python-arango's serializer: strict JSON (no NaN), a project error otherwise."""
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise NotJSONError(f"not a JSON value: {exc}") from None


def translate_error(
    exc: BaseException, location: str, timeout: float = DEFAULT_TIMEOUT
) -> ArangoMLMetaError:
    """The project's exception for a python-arango, server or connection error."""
    if isinstance(exc, ArangoServerError):
        return _server_error(exc, location)
    if isinstance(exc, DocumentParseError):
        return DocumentError(exc.message, ERROR_ARANGO_DOCUMENT_HANDLE_BAD)
    if isinstance(exc, ArangoClientError):
        return ArangoMLMetaError(
            f"ArangoDB client error ({location}): {exc.message}", ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR
        )
    if isinstance(exc, ReadTimeout):  # connected, but no answer in time: not a wrong URL
        return ArangoMLMetaError(
            f"ArangoDB at {location} did not answer within {timeout:g} s (the server is "
            "busy, the request takes that long, or the URL is not that of an ArangoDB server); "
            f"the request was not sent again ({TIMEOUT_ENV} sets how long to wait)",
            ERROR_SIMPLE_CLIENT_COULD_NOT_READ,
        )
    if isinstance(exc, OutcomeUnknown):
        return ArangoMLMetaError(
            f"the connection to ArangoDB at {location} failed after {exc.method} {exc.path} "
            "was sent: the server may or may not have carried it out (outcome unknown); it "
            "was not sent again, so that nothing is written twice: check what is stored "
            "before trying again (a query that only reads can simply be run again)",
            ERROR_SIMPLE_CLIENT_COULD_NOT_READ,
            outcome_unknown=True,
        )
    if isinstance(exc, TLSFailure):
        return tls_error(exc, location)
    if isinstance(exc, OSError):  # requests' exceptions and python-arango's ConnectionAbortedError
        hint = "; for https, its certificate (REQUESTS_CA_BUNDLE)" if "https:" in location else ""
        return ArangoMLMetaError(
            f"cannot reach ArangoDB at {location} ({type(exc).__name__}): check the URL "
            f"(ARANGOML_META_STORE) and that the server is running{hint}",
            ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT,
        )
    return ArangoMLMetaError(
        f"ArangoDB request failed ({location}): {exc}", ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR
    )


def _server_error(exc: ArangoServerError, location: str) -> ArangoMLMetaError:
    num = exc.error_code
    message = exc.error_message or exc.message
    if exc.http_code == 401 or num == ERROR_HTTP_UNAUTHORIZED:
        # ArangoDB also answers 401 (not 403) to a user who may not use the database
        return ArangoMLMetaError(
            f"ArangoDB at {location} refused the credentials ({message}): "
            "check ARANGO_USERNAME / ARANGO_PASSWORD, and that this user may use the database",
            num,
        )
    if exc.http_code == 403 or num in (ERROR_FORBIDDEN, ERROR_HTTP_FORBIDDEN):
        return ArangoMLMetaError(
            f"ArangoDB at {location}: permission denied ({message}); "
            "ask an administrator to grant this user access to the database",
            num,
        )
    if exc.error_message is None:  # no ArangoDB error body: python-arango put the HTTP status
        return ArangoMLMetaError(
            f"{location} answered {exc.message} without an ArangoDB error: "
            "is the URL that of an ArangoDB server?",
            num,
        )
    if num == ERROR_TRANSACTION_NOT_FOUND:
        message += " (a stream transaction expires after 60 s without requests: keep it short)"
    error = error_for(num, message)
    if type(error) is ArangoMLMetaError and num in _TRANSACTION_ERRORS:
        error = TransactionError(message, num)
    return error


@contextmanager
def arango_errors(location: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Translate what python-arango raises inside the block (see :func:`translate_error`)."""
    try:
        yield
    except (ArangoError, OSError) as exc:
        raise translate_error(exc, location, timeout) from exc
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if not raised_by_driver(exc):  # ours: a bug to report, not to hide
            raise
        raise not_arangodb_reply(exc, location) from exc


@contextmanager
def documents_as_json() -> Iterator[None]:
    """A document that python-arango cannot send as JSON is a document error."""
    try:
        yield
    except NotJSONError as exc:
        raise DocumentError(
            f"invalid document: {exc.message}", ERROR_ARANGO_DOCUMENT_TYPE_INVALID
        ) from None


@contextmanager
def quietly(what: str) -> Iterator[None]:
    """Run a clean-up step whose failure must not hide the error being raised."""
    try:
        yield
    except (ArangoError, OSError) as exc:
        log.warning("ArangoDB: %s failed: %s", what, type(exc).__name__)
