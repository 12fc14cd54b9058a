"""Which fields of a type hold personal data: the ``x-personal-data`` schema annotation.

A type marks a field as personal with ``"x-personal-data": true`` on the field's
property schema, at the top level (``"statistics": {"type": "object",
"x-personal-data": true}``) or below it, through ``properties`` and ``items``
(``columns[].sample_values``). It is an annotation (``x-``), so draft-04
validators, ArangoDB's included, ignore it; the store keeps it in the type's
schema, through ``types evolve``, and ``types show`` lists the fields it marks.
Whether a document holds personal data, and of whom, is the document's own say
(``personal_data``, ``data_subjects``: categories such as ``customers``, never
identities); the annotation says where such data sits, so that
:func:`~arangoml_meta.erasure.erase` knows what to redact.

A document holding a field its type marks personal also carries a random
``digest_salt`` (:func:`salt`), which erasure replaces: the audit log keeps a
digest of each document as it was (never the content), and without the salt
that digest of the document before an erasure could be matched against guesses
of a low-entropy erased value (a birth date, a name from a list) together with
what the redacted document still shows. With it, matching needs a 128-bit value
that the erasure destroyed. A type that forbids undeclared fields
(``additionalProperties: false``) gets salts once it declares ``digest_salt``.

Erasure removes a personal field from the document, so that what is left still
satisfies the schema. The rules that guarantee it are checked when a type is
registered or evolved (:func:`personal_field_problems`):

- a personal field is never required (nor is its parent object, below the top
  level): a required field could not be removed, and no redaction value is valid
  for every schema (a pattern, an enum, a minimum length);
- the mark sits on a property schema reached through ``properties`` / ``items``,
  and is ``true`` or ``false``: elsewhere (``anyOf``, ``$ref``, the root) whether
  a value is personal would depend on which branch matches;
- a type with personal fields and ``additionalProperties: false`` declares
  ``erased`` (an object), which erasure writes on every document it redacts.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from .schema_portability import subschemas

PERSONAL = "x-personal-data"  # the annotation marking a field as personal
ERASED = "erased"  # the field erasure writes: {start, at, by, reason, fields}
EACH = "[]"  # a path segment: every item of an array
SALT = "digest_salt"  # a document's random salt, in its audit digests (see the docstring)

FieldPath = tuple[str, ...]


def personal_fields(schema: Mapping[str, Any]) -> list[FieldPath]:
    """The paths of the fields ``schema`` marks personal, in schema order (``("statistics",)``,
    ``("columns", "[]", "sample_values")``)."""
    marked = [path for path, _, mark in _properties(schema, ()) if mark is True]
    # a field inside a marked one goes with it
    return [p for p in marked if not any(p[: len(q)] == q and p != q for q in marked)]


def salted_fields(schema: Mapping[str, Any]) -> frozenset[str]:
    """The top-level fields whose presence gives a document of ``schema`` a salt: those
    holding its personal fields; none when the schema forbids an undeclared salt."""
    if schema.get("additionalProperties") is False and SALT not in schema.get("properties", {}):
        return frozenset()
    return frozenset(path[0] for path in personal_fields(schema))


def salt(doc: dict[str, Any], fields: frozenset[str]) -> None:
    """Give ``doc`` a new random :data:`SALT` when it holds one of ``fields`` (see
    :func:`salted_fields`) and has none yet."""
    if fields and SALT not in doc and not fields.isdisjoint(doc):
        doc[SALT] = secrets.token_hex(16)


def path_text(path: FieldPath) -> str:
    """``statistics``, ``columns[].sample_values``."""
    text = ""
    for part in path:
        text += part if part == EACH or not text else f".{part}"
    return text


def personal_field_problems(schema: Any) -> list[str]:
    """Why ``schema``'s personal marks break the rules of the module docstring; empty when
    they do not (or it has none)."""
    if not isinstance(schema, Mapping):
        return []
    problems: list[str] = []
    allowed: set[int] = set()
    outermost = set(personal_fields(schema))  # what erasure removes
    for path, node, marked in _properties(schema, ()):
        allowed.add(id(node))
        if marked is None:
            continue
        if not isinstance(marked, bool):
            problems.append(
                f"field '{path_text(path)}': {PERSONAL} is true or false, not {marked!r}"
            )
        elif path in outermost and (required := _required_along(schema, path)):
            problems.append(
                f"field '{path_text(path)}' is marked personal ({PERSONAL}) but "
                f"'{path_text(required)}' is required: erasure removes a personal field, so "
                "it must be optional (remove it from 'required')"
            )
    for pointer, node in _schemas(schema, "#"):
        if PERSONAL in node and id(node) not in allowed:
            problems.append(
                f"{pointer}: {PERSONAL} marks a field's schema (under 'properties', or an "
                "array's 'items' below one), not this place"
            )
    if outermost and schema.get("additionalProperties") is False:
        declared = schema.get("properties", {}).get(ERASED)
        if not isinstance(declared, Mapping) or declared.get("type") not in (None, "object"):
            problems.append(
                f"the type has personal fields and forbids undeclared fields: declare "
                f"'{ERASED}' (an object), which erasure writes on the documents it redacts"
            )
    return problems


def _properties(
    node: Mapping[str, Any], path: FieldPath
) -> Iterator[tuple[FieldPath, Mapping[str, Any], Any]]:
    """Every property schema below ``node`` through ``properties`` and ``items``, with its
    path and its mark (None when unmarked)."""
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for name, sub in properties.items():
            if not isinstance(sub, Mapping):
                continue
            yield (*path, name), sub, sub.get(PERSONAL)
            yield from _below(sub, (*path, name))


def _below(
    node: Mapping[str, Any], path: FieldPath
) -> Iterator[tuple[FieldPath, Mapping[str, Any], Any]]:
    yield from _properties(node, path)
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from _properties(items, (*path, EACH))


def _required_along(schema: Mapping[str, Any], path: FieldPath) -> FieldPath | None:
    """The first field on ``path`` (itself or an object it sits in) that its parent
    requires; None when every one is optional."""
    node: Any = schema
    for depth, part in enumerate(path):
        if part == EACH:
            node = node.get("items", {})
            continue
        if part in node.get("required", []):
            return path[: depth + 1]
        node = node.get("properties", {}).get(part, {})
    return None


def _schemas(node: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every subschema of the schema with its JSON pointer: a mark is looked for everywhere."""
    if isinstance(node, Mapping):
        yield pointer, node
        for where, child in subschemas(node, pointer):
            yield from _schemas(child, where)
