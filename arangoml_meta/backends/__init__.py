"""Backends and store selection: which database a location names, and opening it.

One setting picks the store (DESIGN.md, "Store selection"): the ``location``
argument, else ``ARANGOML_META_STORE``. Unset means the embedded store in
``./.arangoml_meta/``; ``:memory:`` an embedded store that lives as long as the
process; a filesystem path (or a ``file:`` URI naming one) an embedded store
there; an ``http://`` or
``https://`` URL an ArangoDB database (``ARANGOML_META_DATABASE``, default
``arangoml_meta``; the URL's ``user:password@``, else ``ARANGO_USERNAME`` /
``ARANGO_PASSWORD``, else ``root`` and an empty password; ``ARANGOML_META_TIMEOUT``
seconds a request may take, 60 by default).

python-arango is imported only when an ArangoDB store is opened (or
``ArangoBackend`` is named), so the embedded path does not pay for it; the
embedded engine likewise only when an embedded store is opened (or
``EmbeddedBackend`` is named), so an ArangoDB store never loads it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..errors import BadParameterError
from .arango_url import credentials, parse_server_url
from .base import Backend, Session, insert_absent, missing_ids
from .database_names import database_name

if TYPE_CHECKING:
    from .arango import ArangoBackend
    from .embedded import EmbeddedBackend

__all__ = [
    "ArangoBackend",
    "Backend",
    "EmbeddedBackend",
    "Session",
    "insert_absent",
    "missing_ids",
    "open_backend",
]

STORE_ENV = "ARANGOML_META_STORE"
LOCK_TIMEOUT_ENV = "ARANGOML_META_LOCK_TIMEOUT"  # seconds an embedded write waits for another
DATABASE_ENV = "ARANGOML_META_DATABASE"
DEFAULT_STORE_DIR = ".arangoml_meta"
IN_MEMORY = ":memory:"

_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_FILE_URI = re.compile(r"^(file):", re.IGNORECASE)


def open_backend(
    location: str | None = None, *, create: bool = True, read_only: bool = False
) -> Backend:
    """The backend for ``location`` (else ``ARANGOML_META_STORE``; see the module docstring).

    ``create``: make the store (the embedded file, the ArangoDB database) when it is
    missing, else fail with 1228; ``read_only``: open an embedded store for reading only
    (never created; a write fails with 1004); refused (10) for ArangoDB, which has no
    read-only connection (a user with read-only access is the way there).
    """
    if location is None:
        location = os.environ.get(STORE_ENV)
    if location is None or not location.strip():
        location = str(Path.cwd() / DEFAULT_STORE_DIR)
    location = location.strip()
    if location == IN_MEMORY:
        from .embedded import EmbeddedBackend

        return EmbeddedBackend.in_memory()
    scheme = _URL_SCHEME.match(location) or _FILE_URI.match(location)
    if scheme is not None and scheme.group(1).lower() == "file":
        location = file_uri_path(location)
        scheme = None
    if scheme is None:
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(
            Path(location),  # EmbeddedBackend expands ~
            lock_timeout=_lock_timeout(),
            create=create and not read_only,
            read_only=read_only,
        )
    if scheme.group(1).lower() not in ("http", "https"):
        raise BadParameterError(
            f"unsupported store URL scheme '{scheme.group(1)}://': use http:// or https:// "
            "for ArangoDB, or a filesystem path for the embedded store"
        )
    from .arango import DEFAULT_DATABASE, ArangoBackend

    url = parse_server_url(location)  # refuses a bad host before any request is made
    if read_only:
        raise BadParameterError(
            "read-only opening is for embedded stores: ArangoDB has no read-only connection; "
            "to read a store on ArangoDB safely, use a user with read-only access to its database"
        )
    # What the URL carries ArangoBackend takes from it; the environment fills in the rest
    # (a URL may name the user and leave the password to ARANGO_PASSWORD).
    username, password = credentials(url, os.environ)
    return ArangoBackend(
        location,
        database=database_name(os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE, DATABASE_ENV),
        username=None if url.username else username,
        password=None if url.password is not None else password,
        create=create and not read_only,
    )


def check_server_url(url: str) -> None:
    """Refuse (10) an ArangoDB URL, or one of its comma-separated hosts, without a host or
    with an invalid port or IPv6 address, before any request is made (see ``arango_url``)."""
    parse_server_url(url)


def file_uri_path(uri: str) -> str:
    """The path a ``file:`` URI names (``file:///data/meta``, ``file:meta``); a host other
    than localhost, a query (SQLite's ``?mode=ro``) or a fragment is refused."""
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        raise BadParameterError(
            f"store location {uri!r}: a file: URI names a local path only "
            "(file:///path/to/store), without host, '?' options or '#'; "
            "for a read-only store use --read-only (open_store(..., read_only=True))"
        )
    path = unquote(parts.path)
    if not path:
        raise BadParameterError(f"store location {uri!r}: the file: URI names no path")
    return path


def _lock_timeout() -> float:
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        from .embedded import LOCK_TIMEOUT_SECONDS

        return LOCK_TIMEOUT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise BadParameterError(
            f"{LOCK_TIMEOUT_ENV} is a number of seconds between 0 and 86400, not {text!r}"
        )
    return seconds


def __getattr__(name: str) -> Any:
    if name == "ArangoBackend":
        from .arango import ArangoBackend

        return ArangoBackend
    if name == "EmbeddedBackend":
        from .embedded import EmbeddedBackend

        return EmbeddedBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
