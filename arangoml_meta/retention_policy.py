"""A type's retention policy: how long its documents are kept, and what happens after.

A type declares it in its schema file as the annotation ``x-retention`` (annotations
start with ``x-``, so ArangoDB's collection rule leaves it out and the registry keeps
it with the schema's every version)::

    "x-retention": {"period": "P365D", "action": "erase"}

- ``period``: an ISO 8601 duration of whole numbers, ``PnYnMnWnDTnHnMnS`` (as AQL's
  ``DATE_ADD`` reads it; ``P1M`` after January 31 is March 3, as ArangoDB counts), or a
  short form, ``365d``, ``52w``, ``7y`` or ``48h``, kept in the ISO form (``P365D``).
- ``action``: ``erase`` (redact the personal fields, keep the document and its lineage:
  ``store.erase``) or ``delete`` (``store.delete``).

A document has expired when ``created_at`` plus the period lies before now;
``retention.py`` applies the policies, ``aql/past_retention.aql`` lists what has expired.
This module only reads and checks policies: a malformed one is :class:`BadParameterError`
(10) naming what is wrong, when the type is registered or evolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import BadParameterError

RETENTION_KEY = "x-retention"
ACTIONS = ("erase", "delete")
# ISO 8601 durations as ArangoDB's DATE_ADD reads them, whole numbers of at most six digits
# (a million years is beyond any date AQL computes)
_ISO_DURATION = re.compile(
    r"P(?:(?P<Y>\d{1,6})Y)?(?:(?P<M>\d{1,6})M)?(?:(?P<W>\d{1,6})W)?(?:(?P<D>\d{1,6})D)?"
    r"(?:T(?=\d)(?:(?P<h>\d{1,6})H)?(?:(?P<m>\d{1,6})M)?(?:(?P<s>\d{1,6})S)?)?"
)
_SHORT_FORM = re.compile(r"(?P<count>\d{1,6})\s*(?P<unit>[dwyh])", re.IGNORECASE)
_SHORT_UNITS = {"d": "P{}D", "w": "P{}W", "y": "P{}Y", "h": "PT{}H"}
_FORMS = "an ISO 8601 duration such as P365D, P1Y6M or P52W, or 365d, 52w, 7y, 48h"


@dataclass(frozen=True)
class RetentionPolicy:
    """How long a type's documents are kept (``period``, ISO 8601) and what then happens."""

    period: str
    action: str

    def as_json(self) -> dict[str, str]:
        return {"period": self.period, "action": self.action}


def iso_period(text: Any, source: str = "retention") -> str:
    """``text`` as an ISO 8601 duration (``365d`` → ``P365D``); 10 unless it is one that
    lasts (not ``P0D``)."""
    if not isinstance(text, str) or not text.strip():
        raise BadParameterError(f"{source}: the period is {_FORMS} (not {text!r})")
    short = _SHORT_FORM.fullmatch(text.strip())
    if short is not None:
        period = _SHORT_UNITS[short["unit"].lower()].format(int(short["count"]))
    else:
        period = text.strip().upper()
    match = _ISO_DURATION.fullmatch(period)
    if match is None or period in ("P", "PT"):
        hint = "; for months write P6M, for minutes PT30M" if period.endswith("M") else ""
        raise BadParameterError(f"{source}: period {text!r} is not {_FORMS}{hint}")
    if not any(int(value) for value in match.groupdict(default="0").values()):
        raise BadParameterError(
            f"{source}: period {text!r} lasts no time at all; give how long documents are kept"
        )
    return period


def parse_policy(value: Any, source: str = "retention") -> RetentionPolicy:
    """The policy an ``x-retention`` value declares, its period in ISO form; 10 otherwise."""
    where = f"{source}: {RETENTION_KEY}"
    if not isinstance(value, Mapping):
        raise BadParameterError(
            f'{where} is an object, e.g. {{"period": "P365D", "action": "erase"}} (not {value!r})'
        )
    unknown = sorted(set(value) - {"period", "action"})
    if unknown:
        raise BadParameterError(f"{where}: unknown field(s) {unknown}; it has period and action")
    if "period" not in value:
        raise BadParameterError(f"{where}: the period is missing ({_FORMS})")
    action = value.get("action")
    if action not in ACTIONS:
        raise BadParameterError(
            f"{where}: action {action!r} is not one of {', '.join(ACTIONS)} "
            "(erase redacts personal fields and keeps lineage; delete removes the document)"
        )
    return RetentionPolicy(iso_period(value["period"], where), action)


def policy_of(schema: Mapping[str, Any]) -> RetentionPolicy | None:
    """The retention policy a type's schema declares, or None."""
    value = schema.get(RETENTION_KEY)
    return None if value is None else parse_policy(value)


def retention_problems(schema: Mapping[str, Any]) -> Iterator[str]:
    """What is wrong with the schema's ``x-retention`` (nothing when absent or valid)."""
    try:
        policy_of(schema)
    except BadParameterError as exc:
        yield str(exc).removeprefix("retention: ")


def with_policy(schema: dict[str, Any], policy: RetentionPolicy | None) -> dict[str, Any]:
    """``schema`` declaring ``policy`` (in its ISO form), or none when None."""
    result = {key: value for key, value in schema.items() if key != RETENTION_KEY}
    if policy is not None:
        result[RETENTION_KEY] = policy.as_json()
    return result
