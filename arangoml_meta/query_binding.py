"""What a stored query's parameters become before it runs: references and type lists.

Three parameter types need the store, not just the text given:

- ``reference``: an artifact or a run as the rest of the API names it — its id
  (``models/iris-clf-v2``), ``TYPE/NAME@N`` or ``TYPE/NAME@latest`` — bound as
  the id it resolves to. A reference to nothing is an error naming it (1202,
  or 1203 for an unknown type), never a query that quietly answers nothing;
  ``reference(execution)`` takes only runs (types of that kind).
- ``name(TYPE)``: the name of an artifact of a type, ``name(models)``, or of the
  type a collection parameter gives, ``name(@@type)``; a name that no document
  of that type has is an error (1202), as a reference is.
- ``collections``: registered types, read as one collection and/or as the list
  of their names (``@name``, e.g. ``PARSE_IDENTIFIER(v).collection IN @name``).
  AQL's ``@@name`` takes one collection, and there is no ``FOR`` over a list of
  them, so the query says ``FOR x IN @@name`` and the runner gives it
  ``@@name_0``, ``@@name_1``, ... as a ``UNION`` (one type: ``@@name`` itself,
  which keeps its indexes). Null (the default) is every registered type of the
  kinds the header names — ``collections(artifact, execution)`` — or of any
  kind; a name that is not such a registered type is refused (1203), where an
  array would quietly match nothing. In ArangoDB's web UI the file still runs
  as it is, with ``@@name`` bound to one collection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .aql.lexer import Token, TokenKind, tokenize
from .errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    BadParameterError,
    CollectionNotFoundError,
    DocumentNotFoundError,
)

if TYPE_CHECKING:
    from .queries import QueryParam, StoredQuery
    from .types import ArtifactType


_NAMED = "FOR d IN @@c FILTER d.name == @name LIMIT 1 RETURN true"  # the (name, version) index


class QueryStore(Protocol):
    """What a stored query runs on: a MetadataStore."""

    def query(
        self,
        aql: str,
        bind_vars: dict[str, Any] | None = None,
        *,
        memory_limit: int | None = None,
        max_runtime: float | None = None,
    ) -> list[Any]: ...

    def get(self, ref: str) -> dict[str, Any]: ...

    def type(self, name: str) -> ArtifactType: ...

    def types(self) -> list[ArtifactType]: ...


def collection_uses(text: str, name: str) -> list[Token] | str:
    """The ``@@name`` tokens of ``text``, or why one is not in ``FOR var IN @@name``."""
    tokens = tokenize(text)
    uses: list[Token] = []
    for i, token in enumerate(tokens):
        if token.kind is not TokenKind.PARAM or token.value != f"@{name}":
            continue
        before = tokens[max(i - 3, 0) : i]
        if not (
            len(before) == 3
            and before[0].is_keyword("FOR")
            and before[1].kind is TokenKind.IDENT
            and before[2].is_keyword("IN")
        ):
            return (
                f"line {token.line}: @@{name} (a list of types) is read only as FOR x IN @@{name}"
            )
        uses.append(token)
    return uses


def expand_collections(text: str, name: str, collections: list[str]) -> tuple[str, dict[str, str]]:
    """``text`` reading every one of ``collections`` where it says ``@@name``, and the binds."""
    uses = collection_uses(text, name)
    assert not isinstance(uses, str), uses  # checked when the query was loaded
    if not uses:
        return text, {}
    if len(collections) == 1:
        return text, {f"@{name}": collections[0]}
    bind = {f"@{name}_{i}": collection for i, collection in enumerate(collections)}
    parts = [f"(FOR {name}_doc{i} IN @@{name}_{i} RETURN {name}_doc{i})" for i in range(len(bind))]
    union = f"UNION({', '.join(parts)})" if parts else "[]"  # two or more, or none
    for token in reversed(uses):
        text = text[: token.pos] + union + text[token.pos + len(token.text) :]
    return text, bind


def registered(store: QueryStore, param: QueryParam, given: list[str] | None) -> list[str]:
    """The collections a ``collections`` parameter reads: ``given``, checked, or every one."""
    types = {t.name: t for t in store.types() if not param.kinds or t.kind in param.kinds}
    if given is None:
        return sorted(types)
    for name in given:
        if name not in types:
            kinds = f" of kind {' or '.join(param.kinds)}" if param.kinds else ""
            raise CollectionNotFoundError(
                f"parameter {param.name!r}: {name!r} is not a registered type{kinds} "
                f"(registered: {', '.join(sorted(types))})",
                ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
                parameter=param.name,
            )
    return list(dict.fromkeys(given))


def resolved(store: QueryStore, param: QueryParam, ref: str) -> str:
    """The id ``ref`` names; 1202 naming the parameter when it names nothing."""
    try:
        doc_id = str(store.get(ref)["_id"])
    except DocumentNotFoundError:
        raise DocumentNotFoundError(
            f"parameter {param.name!r}: {ref} names nothing (no such artifact or run); "
            "give an id, TYPE/NAME@N or TYPE/NAME@latest of a stored one",
            ERROR_ARANGO_DOCUMENT_NOT_FOUND,
            parameter=param.name,
        ) from None
    type_name = doc_id.partition("/")[0]
    if param.kinds and (kind := store.type(type_name).kind) not in param.kinds:
        raise BadParameterError(
            f"parameter {param.name!r}: {ref} is {_a(kind)} ({type_name}); this query "
            f"takes {' or '.join(map(_a, param.kinds))}",
            parameter=param.name,
        )
    return doc_id


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def named(store: QueryStore, param: QueryParam, collection: str, name: str) -> str:
    """``name``, when a document of ``collection`` has it; 1202 naming the parameter if not."""
    if not store.query(_NAMED, {"@c": collection, "name": name}):
        raise DocumentNotFoundError(
            f"parameter {param.name!r}: no {collection} named {name!r}",
            ERROR_ARANGO_DOCUMENT_NOT_FOUND,
            parameter=param.name,
        )
    return name


def prepared(
    store: QueryStore, query: StoredQuery, values: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The AQL text and bind variables that run ``query`` with typed ``values``."""
    text, bind = query.text, dict[str, Any]()
    for param in query.params:
        value = values[param.name]
        if param.type == "reference":
            bind[param.name] = None if value is None else resolved(store, param, value)
        elif param.type == "name" and value is not None:
            of = param.of
            bind[param.name] = named(store, param, values[of[2:]] if of[:2] == "@@" else of, value)
        elif param.type == "collections":
            names = registered(store, param, value)
            if any(t.kind is TokenKind.PARAM and t.value == param.name for t in tokenize(text)):
                bind[param.name] = names  # @name: the list of type names
            text, binds = expand_collections(text, param.name, names)
            bind.update(binds)
        else:
            bind[param.bind_name] = value
    return text, bind
