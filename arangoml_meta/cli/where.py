"""The ``--where`` grammar: ``FIELD OP VALUE``, read strictly.

::

    CONDITION := FIELD OP VALUE            (spaces around OP allowed)
               | FIELD "[*]" "=" VALUE     (an array FIELD with an element equal to VALUE)
    FIELD     := NAME ("." NAME)*          NAME: letters, digits, '_' and '-'
    OP        := "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "~"   (~ is LIKE, % and _)
    VALUE     := a JSON value: 5, 0.9, true, null, "text", [1, 2], {"a": 1}
               | plain text, not empty, not starting with = ! < > ~

A condition that does not parse is refused with the grammar in the message:
``rows=>5`` is not "rows equals the text '>5'" but a typo for ``rows>=5``. To
compare with a text that starts with an operator, quote it as JSON:
``note="=x"``. With ``~`` the value is the pattern as given (``name~iris%``),
or a quoted JSON string. What each operator means for a missing field:
``arangoml_meta.filters``.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import BadParameterError
from .core import json_value

GRAMMAR = (
    "write FIELD OP VALUE: FIELD a name, dotted for a nested one (metrics.auc); "
    "OP one of = != < <= > >= ~ (~ is LIKE, with % and _); VALUE JSON (5, true, null, "
    '"text", [1,2]) or plain text not starting with = ! < > ~, e.g. rows>=5; '
    "FIELD[*]=VALUE for an array with that element, e.g. tags[*]=gdpr"
)
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_\-]*"
_CONDITION = re.compile(
    rf"^\s*(?P<field>{_NAME}(?:\.{_NAME})*)(?P<each>\[\*\])?\s*"
    r"(?P<op>==|!=|>=|<=|=|>|<|~)\s*(?P<value>.*?)\s*$",
    re.DOTALL,
)
OPERATORS = {
    "=": "==",
    "==": "==",
    "!=": "!=",
    ">=": ">=",
    "<=": "<=",
    ">": ">",
    "<": "<",
    "~": "like",
}
_OPERATOR_START = ("=", "!", "<", ">", "~")


def parse_condition(text: str) -> tuple[str, str, Any]:
    """``metrics.auc>=0.9`` → ``("metrics.auc", ">=", 0.9)``; refused when it is not the grammar."""
    match = _CONDITION.match(text)
    if match is None:
        raise BadParameterError(f"--where: cannot read {text!r}; {GRAMMAR}")
    field, op, value = match["field"], match["op"], match["value"]
    if match["each"] and op not in ("=", "=="):
        raise BadParameterError(f"--where: FIELD[*] takes = (an element equal to VALUE); {GRAMMAR}")
    if not value:
        raise BadParameterError(
            f'--where: {text!r} has no value (write "" for the empty text); {GRAMMAR}'
        )
    if value.startswith(_OPERATOR_START):
        raise BadParameterError(
            f"--where: in {text!r} the value {value!r} starts like an operator"
            f"{_did_you_mean(field, op, value)}; {GRAMMAR}"
        )
    if op == "~" and not value.startswith('"'):
        return field, "like", value  # a pattern is text: name~123 is not the number 123
    try:
        return field, "contains" if match["each"] else OPERATORS[op], json_value(value, field)
    except BadParameterError as exc:
        raise BadParameterError(f"--where: {exc.message}") from None


def _did_you_mean(field: str, op: str, value: str) -> str:
    swapped = value[0] + op  # rows=>5 -> >=, rows=<5 -> <=, rows=!5 -> !=
    if swapped in OPERATORS and len(value) > 1:
        return f" (did you mean {field}{swapped}{value[1:]}?)"
    return ""


def filters_of(conditions: list[str] | None) -> dict[str, Any]:
    """``--where`` conditions as ``MetadataStore.find`` filters."""
    filters: dict[str, dict[str, Any]] = {}
    for text in conditions or []:
        path, op, value = parse_condition(text)
        if op in filters.get(path, {}):
            raise BadParameterError(
                f"--where: {path} {op} is given twice; a field takes each operator once"
            )
        filters.setdefault(path, {})[op] = value
    return filters
