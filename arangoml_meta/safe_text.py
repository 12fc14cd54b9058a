"""Text a terminal shows as written: control characters escaped, the actor checked.

Stored values, names and error messages can hold anything a writer put there.
Printed raw, an ESC starts a terminal escape sequence (colours, cursor moves,
window titles, hidden text), a CR or LF forges a line of its own (an audit
line that never happened), and a bidi override (U+202A-U+202E, U+2066-U+2069)
shows text in another order than it is stored. :func:`visible` writes such
characters as escapes a person can read — ``\\x1b``, ``\\n``, ``\\u202e`` — so
every printer (tables, CSV, trees, DOT, Mermaid, error lines) shows them and
no terminal acts on them. A backslash already in the text is left as it is.

:func:`check_actor` is the write-time rule for who acts (``--actor``,
``ARANGOML_META_ACTOR``, the API's ``actor=``): one line of printable text.
"""

from __future__ import annotations

import re

from .errors import BadParameterError

# C0 controls (TAB, LF and CR included), DEL, C1 controls, the Arabic letter mark,
# LRM / RLM, the line and paragraph separators, the bidi embeddings and overrides
# (U+202A-U+202E) and isolates (U+2066-U+2069), and the byte order mark.
_UNSAFE_CHARS = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff"
_UNSAFE = re.compile(f"[\x00-\x1f{_UNSAFE_CHARS}]")
_UNSAFE_IN_JSON = re.compile(f"[{_UNSAFE_CHARS}]")
_UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE_CHARS}]")  # TAB and LF kept
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
MAX_ACTOR_LENGTH = 256


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control, line-breaking and bidi character written as an escape."""
    return _UNSAFE.sub(_escape, text)


def visible_lines(text: str) -> str:
    """As :func:`visible`, but keeping line feeds and tabs (text meant to span lines)."""
    return _UNSAFE_IN_LINES.sub(_escape, text)


def json_visible(json_text: str) -> str:
    """JSON text with what JSON leaves raw (DEL, C1, bidi, line separators) written as
    ``\\uXXXX``: the same JSON value, shown safely (JSON escapes C0 itself)."""
    return _UNSAFE_IN_JSON.sub(_json_escape, json_text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def has_unsafe(text: str) -> bool:
    """Whether :func:`visible` would change ``text``."""
    return _UNSAFE.search(text) is not None


def check_actor(actor: str) -> str:
    """``actor`` if it can name who acts: one line of printable text, at most 256 characters.

    It is stamped on every document (``created_by``) and audit record, and shown in
    audit trails: a newline in it would forge a line there.
    """
    if not isinstance(actor, str) or not actor.strip():
        raise BadParameterError(
            "the actor (--actor, ARANGOML_META_ACTOR) is empty; give a user name"
        )
    if has_unsafe(actor):
        raise BadParameterError(
            f"the actor '{visible(actor)}' holds control characters (a newline, tab, escape "
            "or bidi override); give one line of printable text (--actor, ARANGOML_META_ACTOR)"
        )
    if len(actor) > MAX_ACTOR_LENGTH:
        raise BadParameterError(
            f"the actor is {len(actor)} characters long; at most {MAX_ACTOR_LENGTH} "
            "(--actor, ARANGOML_META_ACTOR)"
        )
    return actor
