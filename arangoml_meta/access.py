"""Who may read and write the store: ArangoDB users and their grants, every change audited.

On ArangoDB (and ``arangoml-meta serve``) access is the server's: users, and the
level each is granted (``rw``, ``ro`` or ``none``) on a database or on one of its
collections (``*`` for every one). :func:`grant` and :func:`revoke` change a grant
through python-arango's users API (an administrator's right: read-write on
``_system``) and record the change in the audit log as a ``grant`` / ``revoke``
record on ``access/USER`` with ``{database, collection, level, previous}``
(``previous``: the level configured there before, null where none was), so that
``aql/who_had_access.aql`` can replay who could read or write a collection at any
time. The record follows the change (the server's users are not in the store's
transactions): a change the server refused leaves no record, and a record that
could not be written is an error saying the grant was made.

The embedded store has no users: whoever can open its files can do everything, so
access is the file system's permissions, and these functions refuse (9) rather
than pretend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import (
    ERROR_NOT_IMPLEMENTED,
    ERROR_USER_NOT_FOUND,
    ArangoMLMetaError,
    BadParameterError,
    error_for,
)

if TYPE_CHECKING:
    from .store import MetadataStore

LEVELS = ("rw", "ro", "none")
WILDCARD = "*"
SYSTEM = "_system"
TARGET_PREFIX = "access/"
UNDEFINED = "undefined"  # what the server says where nothing is configured


@dataclass(frozen=True)
class Grant:
    """One configured level: ``collection`` None for the database's own level."""

    user: str
    database: str
    collection: str | None
    level: str

    def as_row(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "database": self.database,
            "collection": self.collection,
            "level": self.level,
        }


def users_backend(store: MetadataStore) -> Any:
    """The store's backend when it has users (ArangoDB, ``serve``); 9 on the embedded store."""
    backend = store.raw_backend
    if not hasattr(backend, "grant"):
        raise ArangoMLMetaError(
            f"the {backend.name} store at {backend.location} has no users: whoever can open "
            "its files can read and write it, so access is the file system's permissions on "
            "its directory (chmod, chgrp); users and grants are ArangoDB's (or "
            "arangoml-meta serve's)",
            ERROR_NOT_IMPLEMENTED,
        )
    return backend


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise BadParameterError(
            f"access level {level!r} is not one of {', '.join(LEVELS)} "
            "(rw: read and write, ro: read only, none: no access)"
        )
    return level


def configured(store: MetadataStore, user: str) -> list[Grant]:
    """Every level configured for ``user``, on every database, in the server's order.

    The server reports the wildcard database's level as ``none`` where nothing is
    configured (it shows the level that follows, not the grant): left out, as an
    explicit ``none`` there gives no more and no less."""
    grants = users_backend(store).user_grants(user)
    found = []
    for database, entry in grants.items():
        level = entry.get("permission") if isinstance(entry, dict) else None
        if database == WILDCARD and level == "none":
            level = None
        if level and level != UNDEFINED:
            found.append(Grant(user, database, None, level))
        collections = entry.get("collections", {}) if isinstance(entry, dict) else {}
        for collection, level in collections.items():
            if level and level != UNDEFINED:
                found.append(Grant(user, database, collection, level))
    return found


def access_list(
    store: MetadataStore, user: str | None = None, database: str | None = None
) -> list[Grant]:
    """The grants of ``user`` (or of every user) that bear on ``database`` (default the
    store's): its own, every database's (``*``) and ``_system``'s database level (a
    database's level falls back to it), sorted by user, database and collection;
    ``database="*"`` is not a filter but every database."""
    backend = users_backend(store)
    users = [user] if user is not None else [u["user"] for u in backend.users()]
    wanted = {database or backend.database, WILDCARD}
    rows = [
        grant
        for name in users
        for grant in configured(store, name)
        if database == WILDCARD
        or grant.database in wanted
        or (grant.database == SYSTEM and grant.collection is None)
    ]
    return sorted(rows, key=lambda g: (g.user, g.database, g.collection or ""))


def grant(
    store: MetadataStore,
    user: str,
    level: str,
    *,
    database: str | None = None,
    collection: str | None = None,
) -> dict[str, Any]:
    """Give ``user`` ``level`` on ``database`` (default the store's) or one of its
    collections, and record it; returns the audit record's detail."""
    backend = users_backend(store)
    check_level(level)
    database = database or backend.database
    previous = _level_at(store, user, database, collection)
    backend.grant(user, level, database, collection)
    detail = {"database": database, "collection": collection, "level": level, "previous": previous}
    _record(store, "grant", user, detail)
    return detail


def revoke(
    store: MetadataStore,
    user: str,
    *,
    database: str | None = None,
    collection: str | None = None,
) -> dict[str, Any]:
    """Remove ``user``'s grant on ``database`` (default the store's) or one of its
    collections, and record it (``level`` null); returns the record's detail."""
    backend = users_backend(store)
    database = database or backend.database
    previous = _level_at(store, user, database, collection)
    backend.revoke(user, database, collection)
    detail = {"database": database, "collection": collection, "level": None, "previous": previous}
    _record(store, "revoke", user, detail)
    return detail


def _level_at(store: MetadataStore, user: str, database: str, collection: str | None) -> str | None:
    """The level configured for ``user`` exactly there, or None (also for a missing user:
    the change itself then fails with the server's 1703)."""
    try:
        grants = configured(store, user)
    except ArangoMLMetaError as exc:
        if exc.error_num == ERROR_USER_NOT_FOUND:
            return None
        raise
    for found in grants:
        if found.database == database and found.collection == collection:
            return found.level
    return None


def _record(store: MetadataStore, op: str, user: str, detail: dict[str, Any]) -> None:
    try:
        store.backend.record_event(op, TARGET_PREFIX + user, detail)
    except ArangoMLMetaError as exc:
        raise error_for(
            exc.error_num,
            f"the {op} was made on the server, but its audit record could not be written: "
            f"{exc.message}; record it by hand",
        ) from exc
