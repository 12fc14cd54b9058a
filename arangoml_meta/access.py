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
could not be written is an error saying the grant was made. :func:`sync` records
the grants as the server has them where the log says otherwise (changes made around
arangoml-meta, or before its log began), so that the replay starts from the truth.
A store made without an audit log (``open_store(..., audit=False)``) records nothing.

The embedded store has no users: whoever can open its files can do everything, so
access is the file system's permissions, and these functions refuse (9) rather
than pretend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import (
    ERROR_FORBIDDEN,
    ERROR_HTTP_FORBIDDEN,
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


@contextmanager
def administering(what: str) -> Iterator[None]:
    """Server calls that manage users: a refusal (11) says whose right it is."""
    try:
        yield
    except ArangoMLMetaError as exc:
        if exc.error_num not in (ERROR_FORBIDDEN, ERROR_HTTP_FORBIDDEN):
            raise
        raise error_for(
            exc.error_num,
            f"{what} is an administrator's right (read-write on _system), which this user "
            "lacks: run it as an administrator (ARANGO_USERNAME / ARANGO_PASSWORD)",
        ) from exc


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
    backend = users_backend(store)
    with administering("reading another user's grants"):
        grants = backend.user_grants(user)
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
    with administering("listing the users"):
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
    with administering("granting access"):
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
    with administering("revoking access"):
        backend.revoke(user, database, collection)
    detail = {"database": database, "collection": collection, "level": None, "previous": previous}
    _record(store, "revoke", user, detail)
    return detail


# What the audit log says each user holds, by (user, database, collection): the level of
# the last grant or revoke of each (null when revoked), a collection's grant counting as
# revoked when its database's grant was revoked after it (the server drops both).
_RECORDED = """
LET changes = (
  FOR b IN audit_log
    FILTER LENGTH(b.records) > 0
    FOR i IN 0..LENGTH(b.records) - 1
    LET r = b.records[i]
    FILTER STARTS_WITH(r.target, 'access/') AND r.op IN ['grant', 'revoke']
    RETURN {
      user: SUBSTRING(r.target, 7), seq: b.seq + i, op: r.op, database: r.detail.database,
      collection: r.detail.collection, level: r.detail.level
    }
)
FOR c IN changes
  COLLECT user = c.user, database = c.database, collection = c.collection INTO group = c
  LET last = LAST(FOR x IN group SORT x.seq RETURN x)
  LET dropped = collection != null AND LENGTH(
    FOR x IN changes
      FILTER x.user == user AND x.database == database AND x.collection == null
        AND x.op == 'revoke' AND x.seq > last.seq
      RETURN 1
  ) > 0
  RETURN {
    user, database, collection,
    level: last.op == 'revoke' OR dropped ? null : last.level
  }
"""


def sync(store: MetadataStore, *, dry_run: bool = False) -> list[dict[str, Any]]:
    """Record the grants bearing on the store's database as the server has them now,
    where they differ from what the audit log says: grants made around arangoml-meta
    (the web interface, arangosh), or before its log began. A level the log does not
    know is recorded as a ``grant``, one the server no longer has as a ``revoke``, each
    with ``observed: true`` (the time of the change is unknown: it is recorded as seen
    now). Returns the records' details (with ``user`` and ``op``); ``dry_run`` writes none."""
    backend = users_backend(store)
    now = {(g.user, g.database, g.collection): g.level for g in access_list(store)}
    recorded = {  # a user removed from the server keeps nothing: revoked
        (row["user"], row["database"], row["collection"]): row["level"]
        for row in store.query(_RECORDED)
        if row["level"] is not None
    }
    wanted = {backend.database, WILDCARD, SYSTEM}
    changes = []
    for key in sorted(now.keys() | recorded.keys(), key=lambda k: (k[0], k[1], k[2] or "")):
        user, database, collection = key
        if database not in wanted or (database == SYSTEM and collection is not None):
            continue
        level, before = now.get(key), recorded.get(key)
        if level == before:
            continue
        detail = {
            "database": database,
            "collection": collection,
            "level": level,
            "previous": before,
            "observed": True,
        }
        op = "grant" if level is not None else "revoke"
        if not dry_run:
            _record(store, op, user, detail, changed=False)
        changes.append({"user": user, "op": op, **detail})
    return changes


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


def _record(
    store: MetadataStore, op: str, user: str, detail: dict[str, Any], *, changed: bool = True
) -> None:
    try:
        store.backend.record_event(op, TARGET_PREFIX + user, detail)
    except ArangoMLMetaError as exc:
        if not changed:
            raise
        raise error_for(
            exc.error_num,
            f"the {op} was made on the server, but its audit record could not be written: "
            f"{exc.message}; record it by hand",
        ) from exc
