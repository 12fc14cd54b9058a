"""Collection schemas: ArangoDB's ``schema`` collection property, enforced on every write.

A collection may carry ``{rule, level, message}``: a draft-04 JSON Schema
``rule``, a ``level`` saying which writes it checks, and the ``message`` of the
1620 error a refused write raises. The levels are ArangoDB's (its
``ValidatorBase::validate``):

- ``none``: nothing is checked;
- ``new``: inserts only;
- ``moderate``: inserts, and updates / replaces unless the document they
  change did not satisfy the rule already;
- ``strict`` (the default): inserts, updates and replaces.

System attributes (``_key``, ``_id``, ``_rev``, ``_from``, ``_to``) are invisible
to the rule. The storage calls :meth:`CollectionSchema.check_insert` and
:meth:`CollectionSchema.check_change` where documents are written, so the
document API and AQL's INSERT / UPDATE / REPLACE / UPSERT share one check. A
malformed property is refused with 1621, as ArangoDB refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

from ..document_rules import without_system_attributes
from ..errors import ERROR_VALIDATION_BAD_PARAMETER, BadParameterError, SchemaViolationError

LEVELS = ("none", "new", "moderate", "strict")
DEFAULT_LEVEL = "strict"  # ArangoDB's, when a schema names none
DEFAULT_MESSAGE = "Schema validation failed"
MAX_VIOLATIONS = 5  # listed in a refused write's details


@dataclass(frozen=True)
class CollectionSchema:
    """One collection's schema property, with its rule compiled."""

    rule: dict[str, Any]
    level: str
    message: str
    is_valid: Callable[[Any], bool]

    def valid(self, doc: dict[str, Any]) -> bool:
        """Whether ``doc`` satisfies the rule (its system attributes unseen), at any level."""
        return bool(self.is_valid(without_system_attributes(doc)))

    def as_property(self) -> dict[str, Any]:
        """The property as ArangoDB shows it (``rule``, ``level``, ``message``)."""
        return {"rule": self.rule, "level": self.level, "message": self.message}

    def check_insert(self, collection: str, docs: Sequence[dict[str, Any]]) -> None:
        """Raise 1620 unless every new document satisfies the rule (any level but none)."""
        if self.level == "none":
            return
        for doc in docs:
            self._require(collection, doc)

    def check_change(
        self, collection: str, new: dict[str, Any], old: Callable[[], dict[str, Any] | None]
    ) -> None:
        """Raise 1620 unless the update or replace giving ``new`` passes the level.

        ``old`` gives the document it changes; it is asked for only at level
        ``moderate`` when ``new`` fails, to forgive a document that was invalid before.
        """
        if self.level in ("none", "new"):
            return
        body = without_system_attributes(new)
        if self.is_valid(body):
            return
        if self.level == "moderate":
            before = old()
            if before is not None and not self.is_valid(without_system_attributes(before)):
                return
        raise self._violation(collection, body)

    def _require(self, collection: str, doc: dict[str, Any]) -> None:
        body = without_system_attributes(doc)
        if not self.is_valid(body):
            raise self._violation(collection, body)

    def _violation(self, collection: str, body: dict[str, Any]) -> SchemaViolationError:
        return SchemaViolationError(
            self.message, type=collection, violations=list(_violations(self.rule, body))
        )


def parse_property(collection: str, value: Any) -> CollectionSchema | None:
    """The schema a ``schema`` property sets; None for ``None`` or ``{}`` (no schema).

    Raises :class:`BadParameterError` (1621) for a property ArangoDB refuses: not an
    object, a ``rule`` that is not a JSON Schema object, an unknown ``level``, a
    ``message`` that is not a string.
    """
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise _bad(f"the schema of '{collection}' must be an object with rule, level and message")
    rule, level = value.get("rule"), value.get("level", DEFAULT_LEVEL)
    message = value.get("message", DEFAULT_MESSAGE)
    if level not in LEVELS:
        raise _bad(f"Valid validation levels are: {', '.join(LEVELS)} (got {level!r})")
    if not isinstance(message, str):
        raise _bad(f"the schema message of '{collection}' must be a string")
    if not isinstance(rule, dict):
        raise _bad(f"No valid schema in rule attribute given (no object): {rule!r}")
    text = json.dumps(rule, sort_keys=True)
    return CollectionSchema(rule, level, message, _compiled(text))


def encode_property(schema: CollectionSchema) -> str:
    """The property as it is kept in the catalog."""
    return json.dumps(schema.as_property(), sort_keys=True)


@lru_cache(maxsize=256)
def decode_property(text: str) -> CollectionSchema | None:
    """The schema a catalog entry holds (decoded once per text: another connection's
    commit makes the storage read the entries again, and most are unchanged)."""
    return parse_property("", json.loads(text))


def _bad(message: str) -> BadParameterError:
    return BadParameterError(message, ERROR_VALIDATION_BAD_PARAMETER)


@lru_cache(maxsize=256)
def _compiled(rule_text: str) -> Callable[[Any], bool]:
    """A validator's ``is_valid`` for a rule (compiled once per rule text, so that
    reloading the catalog after another process's commit costs no compilation)."""
    rule = json.loads(rule_text)
    try:
        Draft4Validator.check_schema(rule)
    except SchemaError as exc:
        raise _bad(f"invalid schema rule: {exc.message}") from None
    try:
        import jsonschema_rs

        return jsonschema_rs.Draft4Validator(rule).is_valid
    except Exception:  # not installed, or a rule it cannot compile: jsonschema decides
        return Draft4Validator(rule).is_valid


def _violations(rule: dict[str, Any], body: dict[str, Any]) -> Iterator[dict[str, str]]:
    """The first few ``{field, message}`` a document breaks (the error's details)."""
    try:
        import jsonschema_rs

        errors: Iterator[Any] = jsonschema_rs.Draft4Validator(rule).iter_errors(body)
        paths = "instance_path"
    except Exception:
        errors, paths = Draft4Validator(rule).iter_errors(body), "absolute_path"
    for count, error in enumerate(errors):
        if count == MAX_VIOLATIONS:
            return
        field = ".".join(str(part) for part in getattr(error, paths))
        yield {"field": field, "message": str(error.message)}
