"""ArangoDB's rules for a database name, checked before a request is sent.

ArangoDB 3.12 uses the extended naming convention by default
(``--database.extended-names``): a name is 1 to 128 bytes of UTF-8 in Unicode
normal form C, without ``/``, ``:`` or control characters (below U+0020), and
does not start with a digit, ``.``, a space or ``_`` (``_system`` alone, the
server's own database, is allowed), nor end with a space. ArangoDB answers a
name against these rules with 1208 (illegal name); so does this check, naming
the rule that was broken and where the name came from.
"""

from __future__ import annotations

import unicodedata

from ..errors import ERROR_ARANGO_ILLEGAL_NAME, CollectionError

MAX_NAME_BYTES = 128
SYSTEM_DATABASE = "_system"


def database_name(name: str, source: str) -> str:
    """``name`` when ArangoDB accepts it as a database name, else 1208 naming the rule;
    ``source`` says where it came from (``ARANGOML_META_DATABASE``)."""
    problem = _broken_rule(name)
    if problem is not None:
        raise CollectionError(
            f"{source}={name!r} is not a valid ArangoDB database name: {problem}",
            ERROR_ARANGO_ILLEGAL_NAME,
        )
    return name


def _broken_rule(name: str) -> str | None:
    if name == SYSTEM_DATABASE:
        return None
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate (from undecodable bytes in the environment)
        return "it is not valid UTF-8"
    if size == 0:
        return "it is empty"
    if size > MAX_NAME_BYTES:
        return f"it is {size} bytes long, more than {MAX_NAME_BYTES}"
    if any(ch in "/:" or ord(ch) < 0x20 for ch in name):
        return "it contains '/', ':' or a control character"
    first = name[0]
    if first.isascii() and first.isdigit():
        return "it starts with a digit"
    if first in "._ ":
        return f"it starts with {first!r} ('_' is reserved for _system)"
    if name.endswith(" "):
        return "it ends with a space"
    if unicodedata.normalize("NFC", name) != name:
        return "it is not in Unicode normal form C (NFC)"
    return None
