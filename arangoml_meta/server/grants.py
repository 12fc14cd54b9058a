"""Access levels: who a request acts as, what a user is granted, and the level that follows
for a database or a collection, resolved as ArangoDB 3.12 resolves it.

A user holds, per database name (or the wildcard ``*``), a database level and levels
for collections (or the wildcard ``*`` collection). The effective database level is
the specific grant, else the better of the wildcard database's and ``_system``'s. The
effective collection level is the specific collection grant, else the best of the
database's wildcard collection grant, the database level, ``_system``'s level, and the
wildcard database's levels. A system collection follows the database level, except
``_users`` in ``_system`` (no access for anyone), ``_queues`` (read only) and
``_frontend`` (read-write). User ``root`` always keeps read-write on ``_system``.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from typing import Any

from ..backends.database_names import SYSTEM_DATABASE
from ..errors import ERROR_BAD_PARAMETER, ERROR_FORBIDDEN, ArangoMLMetaError, BadParameterError

WILDCARD = "*"
ROOT = "root"


class Level(enum.IntEnum):
    """An access level; ordered, so the better of two is ``max``."""

    UNDEFINED = 0  # nothing granted here: look further (never an effective level)
    NONE = 1
    RO = 2
    RW = 3

    @property
    def text(self) -> str:
        """The level as the HTTP API spells it (``rw``, ``ro``, ``none``, ``undefined``)."""
        return self.name.lower()


def level_of(grant: Any) -> Level:
    """The level a ``grant`` value names (``rw``, ``ro``, ``none``); 400 / 10 otherwise."""
    if grant == "rw":
        return Level.RW
    if grant == "ro":
        return Level.RO
    if grant in ("none", ""):
        return Level.NONE
    raise BadParameterError("expecting access type 'rw', 'ro' or 'none'", ERROR_BAD_PARAMETER)


@dataclass(frozen=True)
class Identity:
    """Who a request acts as: a user, or the superuser (a JWT signed with the server's
    secret that names no user, or a server without authentication)."""

    user: str
    is_superuser: bool = False

    @classmethod
    def superuser(cls) -> Identity:
        return cls("", True)


def _forbidden(message: str) -> ArangoMLMetaError:
    return ArangoMLMetaError(message, ERROR_FORBIDDEN)


@dataclass
class DatabaseGrants:
    """What one database name grants: its level (UNDEFINED when only collections are
    granted) and levels by collection name."""

    level: Level = Level.UNDEFINED
    collections: dict[str, Level] = field(default_factory=dict)


@dataclass
class Grants:
    """One user's grants, by database name."""

    user: str
    databases: dict[str, DatabaseGrants] = field(default_factory=dict)

    # --- changing them, with ArangoDB's rules (auth::User::grant*/remove*) -------------

    def grant_database(self, database: str, level: Level) -> None:
        if not database:
            raise BadParameterError("Cannot set rights for empty db name")
        if self.user == ROOT and database == SYSTEM_DATABASE and level != Level.RW:
            raise _forbidden("Cannot lower access level of 'root' to _system")
        self.databases.setdefault(database, DatabaseGrants()).level = level

    def revoke_database(self, database: str) -> None:
        if not database:
            raise BadParameterError("Cannot remove rights for empty db name")
        if self.user == ROOT and database == SYSTEM_DATABASE:
            raise _forbidden("Cannot remove access level of 'root' to _system")
        self.databases.pop(database, None)

    def grant_collection(self, database: str, collection: str, level: Level) -> None:
        if not database or not collection:
            raise BadParameterError("Cannot set rights for empty db / collection name")
        if collection.startswith("_"):
            raise BadParameterError("Cannot set rights for system collections")
        if (
            self.user == ROOT
            and database == SYSTEM_DATABASE
            and collection == WILDCARD
            and level != Level.RW
        ):
            raise _forbidden("Cannot lower access level of 'root' to  a system collection")
        if database == WILDCARD and collection != WILDCARD:
            raise BadParameterError("Invalid database / collection pair")
        self.databases.setdefault(database, DatabaseGrants()).collections[collection] = level

    def revoke_collection(self, database: str, collection: str) -> None:
        if not database or not collection:
            raise BadParameterError("Cannot set rights for empty db / collection name")
        if self.user == ROOT and database == SYSTEM_DATABASE and collection == WILDCARD:
            raise _forbidden("Cannot lower access level of 'root' to  a collection in _system")
        grants = self.databases.get(database)
        if grants is not None:
            grants.collections.pop(collection, None)

    def forget_database(self, database: str) -> bool:
        """Drop every grant on ``database`` (it was dropped); whether there was one."""
        if self.user == ROOT and database == SYSTEM_DATABASE:
            return False
        return self.databases.pop(database, None) is not None

    def forget_collection(self, database: str, collection: str) -> bool:
        """Drop the grant on ``collection`` (it was dropped); whether there was one."""
        grants = self.databases.get(database)
        return grants is not None and grants.collections.pop(collection, None) is not None

    # --- what they give ----------------------------------------------------------------

    def configured_database_level(self, database: str) -> Level:
        grants = self.databases.get(database)
        return grants.level if grants is not None else Level.UNDEFINED

    def configured_collection_level(self, database: str, collection: str) -> Level:
        grants = self.databases.get(database)
        if grants is None:
            return Level.UNDEFINED
        return grants.collections.get(collection, Level.UNDEFINED)

    def database_level(self, database: str) -> Level:
        """The effective level for ``database``."""
        level = self.configured_database_level(database)
        if level == Level.UNDEFINED and database != WILDCARD:
            level = max(level, self.configured_database_level(WILDCARD))
            if database != SYSTEM_DATABASE:
                level = max(level, self.configured_database_level(SYSTEM_DATABASE))
        return max(level, Level.NONE)

    def collection_level(self, database: str, collection: str) -> Level:
        """The effective level for ``collection`` of ``database``."""
        if not collection or (database == WILDCARD and collection != WILDCARD):
            return Level.NONE
        if collection.startswith("_"):
            if database == SYSTEM_DATABASE and collection == "_users":
                return Level.NONE
            if collection == "_queues":
                return Level.RO
            if collection == "_frontend":
                return Level.RW
            return self.database_level(database)
        level = Level.NONE
        if database != WILDCARD:
            grants = self.databases.get(database)
            if grants is not None:
                if collection in grants.collections:
                    return grants.collections[collection]
                if collection == WILDCARD:
                    return Level.NONE
                level = max(grants.level, grants.collections.get(WILDCARD, Level.UNDEFINED))
            if database != SYSTEM_DATABASE:
                level = max(level, self.configured_database_level(SYSTEM_DATABASE))
        wildcard = self.databases.get(WILDCARD)
        if wildcard is not None:
            level = max(level, wildcard.level, wildcard.collections.get(WILDCARD, Level.UNDEFINED))
        return max(level, Level.NONE)

    # --- stored form -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            name: {
                "permission": grants.level.text,
                "collections": {c: level.text for c, level in grants.collections.items()},
            }
            for name, grants in self.databases.items()
        }

    @classmethod
    def from_json(cls, user: str, stored: dict[str, Any]) -> Grants:
        grants = cls(user)
        for name, entry in stored.items():
            grants.databases[name] = DatabaseGrants(
                Level[entry["permission"].upper()],
                {c: Level[text.upper()] for c, text in entry["collections"].items()},
            )
        if user == ROOT:  # as ArangoDB loads root: never without _system
            system = grants.databases.setdefault(SYSTEM_DATABASE, DatabaseGrants())
            system.level = Level.RW
            system.collections[WILDCARD] = Level.RW
        return grants

    def copy(self) -> Grants:
        return copy.deepcopy(self)


def root_grants() -> Grants:
    """What ``root`` holds from the first start: read-write everywhere."""
    grants = Grants(ROOT)
    for database in (SYSTEM_DATABASE, WILDCARD):
        grants.databases[database] = DatabaseGrants(Level.RW, {WILDCARD: Level.RW})
    return grants
