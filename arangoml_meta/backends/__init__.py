"""Backends and store selection: which database a location names, and opening it.

One setting picks the store (DESIGN.md, "Store selection"): the ``location``
argument, else ``ARANGOML_META_STORE``. Unset means the embedded store in
``./.arangoml_meta/``; ``:memory:`` an embedded store that lives as long as the
process; a filesystem path an embedded store there; an ``http://`` or
``https://`` URL an ArangoDB database (``ARANGOML_META_DATABASE``, default
``arangoml_meta``; ``ARANGO_USERNAME`` / ``ARANGO_PASSWORD`` unless the URL
carries ``user:password@``; else ``root`` and an empty password).

python-arango is imported only when an ArangoDB store is opened (or
``ArangoBackend`` is named), so the embedded path does not pay for it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadParameterError
from .base import Backend, Session, insert_absent, missing_ids
from .embedded import LOCK_TIMEOUT_SECONDS, EmbeddedBackend

if TYPE_CHECKING:
    from .arango import ArangoBackend

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
USERNAME_ENV = "ARANGO_USERNAME"
PASSWORD_ENV = "ARANGO_PASSWORD"
DEFAULT_STORE_DIR = ".arangoml_meta"
IN_MEMORY = ":memory:"

_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def open_backend(location: str | None = None) -> Backend:
    """The backend for ``location`` (else ``ARANGOML_META_STORE``; see the module docstring)."""
    if location is None:
        location = os.environ.get(STORE_ENV)
    if location is None or not location.strip():
        return EmbeddedBackend(Path.cwd() / DEFAULT_STORE_DIR, lock_timeout=_lock_timeout())
    location = location.strip()
    if location == IN_MEMORY:
        return EmbeddedBackend.in_memory()
    scheme = _URL_SCHEME.match(location)
    if scheme is None:
        return EmbeddedBackend(Path(location).expanduser(), lock_timeout=_lock_timeout())
    if scheme.group(1).lower() not in ("http", "https"):
        raise BadParameterError(
            f"unsupported store URL scheme '{scheme.group(1)}://': use http:// or https:// "
            "for ArangoDB, or a filesystem path for the embedded store"
        )
    from .arango import DEFAULT_DATABASE, ArangoBackend, split_credentials

    _, url_username, _ = split_credentials(location)
    # Credentials in the URL win over the environment; ArangoBackend falls back to root.
    env = {} if url_username else os.environ
    return ArangoBackend(
        location,
        database=os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE,
        username=env.get(USERNAME_ENV) or None,
        password=env.get(PASSWORD_ENV),
    )


def _lock_timeout() -> float:
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
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
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
