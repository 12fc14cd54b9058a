"""What goes wrong between the ArangoDB backend and a server that is not quite ArangoDB.

Two failures a user causes with a wrong URL, each turned into one clear error:

- ``https://`` to a port that speaks plain HTTP (or a certificate that is not
  trusted): the TLS handshake fails. :class:`TLSFailure` carries it past
  python-arango's host loop, which would otherwise retry it, log it and report
  only "can't connect".
- a 200 reply whose JSON is not ArangoDB's (another service on that port, a
  proxy's login page): python-arango then fails reading it (``KeyError:
  'result'``). :func:`raised_by_driver` tells such a failure from a bug of ours
  by where it was raised, so that only the driver's are translated.
"""

from __future__ import annotations

from types import TracebackType

from ..errors import (
    ERROR_HTTP_CORRUPTED_JSON,
    ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT,
    ArangoMLMetaError,
)

_DRIVER_PACKAGE = "arango"


class TLSFailure(OSError):
    """The TLS handshake with the server failed (raised by the backend's HTTP client)."""

    def __init__(self, reason: BaseException) -> None:
        super().__init__(str(reason))
        self.reason = reason


def tls_error(exc: TLSFailure, location: str) -> ArangoMLMetaError:
    reason = exc.reason
    while reason.__context__ is not None and not str(reason):
        reason = reason.__context__
    text = str(reason)
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        why = "the server does not speak TLS on that port: use http:// for a plain-HTTP port"
    elif "CERTIFICATE_VERIFY_FAILED" in text:
        why = "its certificate is not trusted: set REQUESTS_CA_BUNDLE to the CA file that signed it"
    else:
        why = "check that the port serves https, and its certificate (REQUESTS_CA_BUNDLE)"
    return ArangoMLMetaError(
        f"TLS with {location} failed: {why}", ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT
    )


def raised_by_driver(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside python-arango (reading a reply), not by our code."""
    tb: TracebackType | None = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    module = str(last.tb_frame.f_globals.get("__name__", ""))
    return module == _DRIVER_PACKAGE or module.startswith(_DRIVER_PACKAGE + ".")


def not_arangodb_reply(exc: BaseException, location: str) -> ArangoMLMetaError:
    return ArangoMLMetaError(
        f"{location} answered with JSON that is not an ArangoDB reply "
        f"({type(exc).__name__}: {exc} while reading it): is the URL that of an ArangoDB "
        "server (not another service or a proxy's page)?",
        ERROR_HTTP_CORRUPTED_JSON,
    )
