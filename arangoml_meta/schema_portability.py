"""One JSON Schema, judged alike by the client and by the database's own validation.

A type's schema is checked twice: by the client before every write
(jsonschema-rs's draft-04 validator: ECMAScript regular expressions, ``format``
checked, lengths in characters), and by the collection's ``schema`` property on
the server (ArangoDB's validator; the embedded engine enforces the same
property). The two disagree on a few keywords, and a document the client
accepted must never be refused by the server (a write that fails on ArangoDB
only). :func:`server_rule` therefore installs the schema less what the server
would judge differently, and the client keeps checking all of it:

- ``format``: whether and how the server checks a format is not the client's
  rule (date-time, email, ... each have variants): checked by the client only;
- ``maxLength``: ArangoDB counts the bytes of a string's UTF-8, JSON Schema its
  characters, so ``"é" * 3`` would pass a limit of 4 on one side only: checked
  by the client only. ``minLength`` stays: a string has at least as many bytes
  as characters, so the server never refuses what the client let through;
- ``pattern`` and ``patternProperties`` outside the portable subset of regular
  expressions (:func:`portable_pattern`): checked by the client only; where a
  ``patternProperties`` goes, its node's ``additionalProperties`` goes too (the
  server would otherwise refuse the properties the pattern allowed).

Patterns must be ECMAScript (the dialect of ArangoDB and of the client's
validator), which :func:`check_patterns` enforces when a type is registered:
Python-only syntax (``(?P<name>...)``) is refused there, not discovered when a
write fails. Documents written around the store (AQL) meet only the server
rule: the keywords above are not enforced for them, on either backend alike.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema_rs

_ESCAPED_LITERALS = frozenset(".^$|()*+?{}[]\\/-")
_CONTROL_ESCAPES = frozenset("ntrfv")
_SYNTAX = frozenset("^$|*+?")
_QUANTIFIER_CHARS = frozenset("0123456789,")


def server_rule(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` for the server to enforce (see the module docstring)."""
    rule = copy.deepcopy(schema)
    _strip(rule)
    return rule


def client_only(schema: Any) -> list[str]:
    """Where ``schema`` has keywords the server does not check (JSON pointers), for a
    message or a report; empty when the server checks all of it."""
    return [pointer for pointer, _ in _client_only(schema, "#")]


def portable_pattern(pattern: str) -> bool:
    """Whether ``pattern`` means the same to every engine that may run it: Python's and
    Rust's regular expressions over characters, and ECMAScript's ``std::regex`` over the
    bytes of UTF-8. True for ASCII literals, escaped punctuation, ``\\n``-style escapes,
    positive classes and ranges, groups (``(...)``, ``(?:...)``), alternation, anchors
    and quantifiers (``* + ? {m,n}``, lazy too): none of these can match a part of a
    character, nor treats a digit, a word character or a line end differently."""
    if not pattern.isascii():
        return False
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n or not _portable_escape(pattern[i + 1]):
                return False
            i += 2
        elif ch == "[":
            end = _class_end(pattern, i)
            if end < 0:
                return False
            i = end + 1
        elif ch == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                return False  # lookaround, named groups, inline flags
            i += 3 if pattern.startswith("(?:", i) else 1
        elif ch == "{":
            end = pattern.find("}", i)
            body = pattern[i + 1 : end] if end > 0 else ""
            if not body or not set(body) <= _QUANTIFIER_CHARS or not body[0].isdigit():
                return False
            i = end + 1
        elif ch == "." or ch == "}" or ch == "]":
            return False  # '.': which line ends it excludes differs; stray '}' or ']'
        else:
            i += 1  # a literal, ')' or syntax
    return True


def check_patterns(schema: Any) -> list[str]:
    """Problems of ``schema``'s regular expressions: each must be ECMAScript (compiled by
    the client's validator, as the server compiles it). Empty when all compile."""
    try:
        jsonschema_rs.Draft4Validator(schema)
    except Exception as exc:  # the validator says which pattern, on the first line
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "regex" in str(exc):
            return [
                f"a pattern is not an ECMAScript regular expression, the dialect ArangoDB "
                f"and the client validate with ({first})"
            ]
    return []


def _portable_escape(ch: str) -> bool:
    return ch in _ESCAPED_LITERALS or ch in _CONTROL_ESCAPES


def _class_end(pattern: str, start: int) -> int:
    """The index of the ``]`` ending the class at ``start``; -1 when the class is not
    portable (negated, nested, shorthand escapes) or not closed."""
    i = start + 1
    if i < len(pattern) and pattern[i] in "^]":
        return -1  # negated: matches a part of a character on a byte engine; '[]' is empty
        # in ECMAScript, a class holding ']' in Python
    while i < len(pattern):
        ch = pattern[i]
        if ch == "]":
            return i
        if ch == "[":
            return -1
        if ch == "\\":
            if i + 1 >= len(pattern) or not _portable_escape(pattern[i + 1]):
                return -1
            i += 2
        else:
            i += 1
    return -1


def _strip(node: Any) -> None:
    """Remove, in place, what the server must not check (see the module docstring)."""
    if not isinstance(node, dict):
        return
    node.pop("format", None)
    node.pop("maxLength", None)
    if isinstance(node.get("pattern"), str) and not portable_pattern(node["pattern"]):
        del node["pattern"]
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and not all(portable_pattern(p) for p in patterns):
        del node["patternProperties"]
        node.pop("additionalProperties", None)
    for child in _children(node):
        _strip(child)


def _client_only(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(node, dict):
        return
    for key in ("format", "maxLength"):
        if key in node:
            yield f"{pointer}/{key}", node[key]
    if isinstance(node.get("pattern"), str) and not portable_pattern(node["pattern"]):
        yield f"{pointer}/pattern", node["pattern"]
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and not all(portable_pattern(p) for p in patterns):
        yield f"{pointer}/patternProperties", patterns
    for where, child in subschemas(node, pointer):
        yield from _client_only(child, where)


def _children(node: dict[str, Any]) -> Iterator[Any]:
    for _, child in subschemas(node, ""):
        yield child


def subschemas(node: Mapping[str, Any], pointer: str) -> Iterator[tuple[str, Any]]:
    """The subschemas directly below ``node`` (property names are not keywords)."""
    for key, value in node.items():
        where = f"{pointer}/{key}"
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            for name, sub in value.items():
                yield f"{where}/{name}", sub
        elif key == "dependencies" and isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(sub, dict):
                    yield f"{where}/{name}", sub
        elif key in ("additionalProperties", "additionalItems", "not", "items") and isinstance(
            value, dict
        ):
            yield where, value
        elif key in ("items", "allOf", "anyOf", "oneOf") and isinstance(value, list):
            for index, sub in enumerate(value):
                yield f"{where}/{index}", sub
