"""The AQL function registry and the context functions run in.

Each family module (``strings``, ``numeric``, ``arrays``, ``objects``,
``types``, ``dates``, ``misc``, ``geo``, ``validation``) declares its functions
with :func:`aql_function`; the modules they share register nothing:
``arguments`` (argument casts, warnings, the recursion guard),
``regex_translation`` and ``unicode_properties`` (ICU regular expressions),
``tokenizers`` and ``stemmers`` (TOKENS), ``calendar`` and ``timezones``
(dates). The compiler looks them up by upper-case name, checks the
argument count at parse time (1541) and calls ``impl(ctx, *args)`` with the
evaluated arguments. Arguments are AQL values (see ``values.py``) and must not
be mutated. Invalid input gives ``None`` plus a warning through
``ctx.warn_invalid_argument`` (as ArangoDB does); only a few functions raise
(FAIL, ASSERT, COLLECTION_COUNT of a missing collection, ...), and then only
the package's own errors.

:class:`FunctionContext` is all a function may ask of the running query
(warnings, documents, collections, the user and database); :class:`NullContext`
answers for a query without a database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...errors import (
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    CollectionNotFoundError,
)


class FunctionContext(Protocol):
    """What a function may ask of the running query."""

    def warn(self, code: int, message: str) -> None:
        """Record a query warning (ArangoDB error number and message)."""

    def document(self, collection: str | None, key_or_id: str) -> Any:
        """The stored document (DOCUMENT()), or None when it or its collection does not exist."""

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch at the time of the call."""

    def checkpoint(self) -> None:
        """Called in a function's long loops: fails the query (1500) past its maxRuntime."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (SLEEP()); fails the query (1500) when its maxRuntime ends first."""

    def collection_count(self, name: str) -> int:
        """The number of documents in collection ``name`` (COLLECTION_COUNT()).

        Raises the package's :class:`~arangoml_meta.errors.CollectionNotFoundError`
        (1203) when there is no such collection.
        """

    def collections(self) -> list[tuple[str, str]]:
        """``(id, name)`` of every collection of the database (COLLECTIONS(), SHARD_ID())."""

    def collection_schema(self, name: str) -> dict[str, Any] | None:
        """Collection ``name``'s schema property, None when it has none (SCHEMA_GET());
        1203 when there is no such collection."""

    def current_user(self) -> str | None:
        """The authenticated user running the query, or None (CURRENT_USER())."""

    def current_database(self) -> str:
        """The name of the database the query runs in (CURRENT_DATABASE())."""


class NullContext:
    """A context for evaluating functions outside a query (collects warnings)."""

    def __init__(self) -> None:
        self.warnings: list[tuple[int, str]] = []

    def warn(self, code: int, message: str) -> None:
        self.warnings.append((code, message))

    def document(self, collection: str | None, key_or_id: str) -> Any:
        return None

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def checkpoint(self) -> None:
        pass

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def collection_count(self, name: str) -> int:
        raise CollectionNotFoundError(f"collection or view not found: {name}")

    def collections(self) -> list[tuple[str, str]]:
        return []

    def collection_schema(self, name: str) -> dict[str, Any] | None:
        raise CollectionNotFoundError(f"collection or view not found: {name}")

    def current_user(self) -> str | None:
        return None

    def current_database(self) -> str:
        return "_system"


def warn_invalid_argument(ctx: FunctionContext, function_name: str) -> None:
    """The standard warning for an argument of the wrong type or value."""
    ctx.warn(
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
        f"invalid argument type in call to function '{function_name}()'",
    )


@dataclass(frozen=True)
class AqlFunction:
    """One AQL function: its name, arity and implementation ``impl(ctx, *args)``."""

    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    deterministic: bool = True
    aliases: tuple[str, ...] = field(default=())


REGISTRY: dict[str, AqlFunction] = {}


def aql_function(
    name: str,
    min_args: int,
    max_args: int | str | None = "same",
    *,
    deterministic: bool = True,
    aliases: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(ctx, *args)`` as AQL function ``name`` (and its aliases).

    ``max_args`` defaults to ``min_args``; pass ``None`` for a variadic function.
    """

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        upper = name.upper()
        maximum = min_args if max_args == "same" else max_args
        assert maximum is None or isinstance(maximum, int)
        spec = AqlFunction(upper, impl, min_args, maximum, deterministic, aliases)
        for key in (upper, *(a.upper() for a in aliases)):
            if key in REGISTRY:
                raise RuntimeError(f"AQL function {key} registered twice")
            REGISTRY[key] = spec
        return impl

    return register


def lookup(name: str) -> AqlFunction | None:
    """The function registered under ``name`` (case-insensitive), if any."""
    return REGISTRY.get(name.upper())
