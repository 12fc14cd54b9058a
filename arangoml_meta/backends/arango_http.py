"""The ArangoDB backend's HTTP client: fail fast, and never send a write twice.

python-arango's own client retries a refused connection with back-off (about
18 s before a wrong URL is reported), and its connection loop sends a request
again, up to ``resolver_max_tries`` times, whenever ``requests`` raises
``ConnectionError``: for a POST whose connection dropped after the server got
it, that is a second edge, a second transaction begun and never ended, a
second cursor. This client

- does not let urllib3 retry a refused connection (``connect=0``), nor a read
  that timed out (``read=False``: requests then raises ``ReadTimeout``, which
  python-arango does not retry), while a busy server (429, 503, ...) is still
  asked again for reads;
- lets a request that never reached the server (no connection could be made)
  be tried again, on the next host of a cluster, as python-arango does;
- raises :class:`OutcomeUnknown` for any other connection failure of a request
  that is not a read (GET, HEAD, OPTIONS, ``PUT ...?onlyget``): it was sent once,
  may or may not have been carried out, and is not sent again (an AQL query's
  ``POST /_api/cursor`` included: it may write). python-arango does not
  catch it (it is no ``requests.ConnectionError``); the backend reports it
  (inside a stream transaction nothing is committed, so nothing was written).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from arango.http import DefaultHTTPAdapter, DefaultHTTPClient
from arango.response import Response
from requests import ConnectionError as RequestsConnectionError
from requests import Session as HTTPSession
from requests.exceptions import SSLError
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.util import Retry, Timeout

from .arango_url import DEFAULT_TIMEOUT
from .http_failures import TLSFailure

CONNECT_TIMEOUT = 10.0
SAFE_METHODS = frozenset({"get", "head", "options"})  # reads: sending one again changes nothing


class OutcomeUnknown(OSError):
    """A request that may change data was sent and its connection failed before the answer."""

    def __init__(self, method: str, path: str, reason: BaseException) -> None:
        super().__init__(f"{method.upper()} {path}: {type(reason).__name__}")
        self.method = method.upper()
        self.path = path
        self.reason = reason


def is_read(method: str, params: Any) -> bool:
    """Whether a request only reads, so that sending it again changes nothing: GET, HEAD,
    OPTIONS, and the document API's read of many documents (``PUT ...?onlyget=true``)."""
    if method.lower() in SAFE_METHODS:
        return True
    onlyget = params.get("onlyget") if isinstance(params, dict) else None
    return method.lower() == "put" and str(onlyget).lower() in ("1", "true")


def reached_server(exc: RequestsConnectionError) -> bool:
    """Whether the request of a failed connection may have reached the server: False only
    when no connection was made (refused, unresolvable host, connect timeout)."""
    reason: Any = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return not isinstance(reason, ConnectTimeoutError)


class ArangoHTTPClient(DefaultHTTPClient):
    """python-arango's HTTP client with the rules of the module docstring."""

    def __init__(
        self, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(request_timeout=read_timeout)
        self._timeout = Timeout(connect=connect_timeout, read=read_timeout)
        self.request_timeout = (connect_timeout, read_timeout)  # type: ignore[assignment]

    def create_session(self, host: str) -> HTTPSession:
        retry = Retry(
            total=3,
            connect=0,
            read=False,
            backoff_factor=0.5,
            status_forcelist=[429, 500, 502, 503, 504],
            allowed_methods=["HEAD", "GET", "OPTIONS"],
            raise_on_status=False,  # then python-arango reports the server's own answer
            other=0,  # a failed TLS handshake (https:// to a plain port) fails at once
        )
        adapter = DefaultHTTPAdapter(connection_timeout=self._timeout, max_retries=retry)  # type: ignore[arg-type]
        session = HTTPSession()
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def send_request(
        self, session: HTTPSession, method: str, url: str, *args: Any, **kwargs: Any
    ) -> Response:
        try:
            return super().send_request(session, method, url, *args, **kwargs)
        except SSLError as exc:  # not retried as a refused connection: see http_failures.py
            raise TLSFailure(exc) from exc
        except RequestsConnectionError as exc:
            if is_read(method, kwargs.get("params")) or not reached_server(exc):
                raise  # python-arango may send it again (to the next host)
            raise OutcomeUnknown(method, urlsplit(url).path, exc) from exc
