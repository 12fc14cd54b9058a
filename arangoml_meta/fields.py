"""Which fields a type has, and what they hold: its JSON Schema, and what is stored.

A sort field that no document has sorts nothing: the answer comes back in an
arbitrary order that looks sorted to nobody. :func:`check_sort_field` refuses
such a field. A field is known when the type's schema declares it (the envelope
included; for a dotted path, nested ``properties`` and maps such as a model's
``metrics``), when the store sets it (``_key``, ``_id``, ``_rev``, the envelope,
``version`` for a kind with versions), or when at least one stored document of
the type has it: types may keep fields their schema does not name, and a type
that declares no properties keeps only such fields.

:func:`check_filter_types` refuses a filter condition that no document valid
under the schema can meet — ``{"tags": "gdpr"}`` when tags is an array,
``{"rows": "150"}`` when rows is a number, ``{"status": "complete"}`` when the
status is one of running, completed, failed — rather than answer "nothing".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import BadParameterError
from .types import ENVELOPE_FIELDS

if TYPE_CHECKING:
    from .backends import Backend
    from .types import ArtifactType

SYSTEM_FIELDS = ("_key", "_id", "_rev")
_HELD_BY_ONE = "FOR d IN @@c FILTER d.@path != null LIMIT 1 RETURN true"


def declared_fields(schema: dict[str, Any]) -> list[str]:
    """The top-level properties a schema declares, in its order."""
    properties = schema.get("properties")
    return list(properties) if isinstance(properties, dict) else []


def is_declared(schema: dict[str, Any], path: list[str]) -> bool:
    """Whether ``schema`` declares the (nested) property ``path``: each name a declared
    property, or a key of a declared map (``additionalProperties`` with a schema, as a
    model's ``metrics``: name -> number)."""
    return _declared(schema, path) is not None


def _declared(schema: dict[str, Any], path: list[str]) -> dict[str, Any] | None:
    """The schema of the (nested) property ``path``, or None when it is not declared."""
    node: Any = schema
    for segment in path:
        if not isinstance(node, dict):
            return None
        properties = node.get("properties")
        if isinstance(properties, dict) and segment in properties:
            node = properties[segment]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
    return node if isinstance(node, dict) else None


def declared_types(schema: dict[str, Any], path: list[str]) -> set[str] | None:
    """The JSON types the schema allows at ``path`` (integer counted as number); None
    when it does not say (undeclared, or no ``type`` keyword)."""
    node = _declared(schema, path)
    kinds = node.get("type") if node is not None else None
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        return None
    return {"number" if kind == "integer" else kind for kind in kinds}


def json_type(value: Any) -> str:
    """The JSON Schema type name of a JSON value (integer counted as number)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


_COMPARING = frozenset(["==", "eq", "!=", "ne", "<", "lt", "<=", "le", ">", "gt", ">=", "ge"])
# the operators that compare with values an enum names
_CHOOSING = frozenset(["==", "eq", "!=", "ne", "in", "not in"])
# an operator that needs the field to hold one type, whatever the value
_NEEDS = {"contains": "array", "like": "string"}


def check_filter_types(artifact_type: ArtifactType, filters: dict[str, Any] | None) -> None:
    """Refuse a condition on a declared field that no document valid under the schema can
    meet, as ``tags == "gdpr"`` (tags is an array), ``rows == "150"`` (a number) or
    ``status == "complete"`` (not one of the ``enum``'s values)."""
    for path, wanted in (filters or {}).items():
        declared = _declared(artifact_type.schema, str(path).split("."))
        if declared is None:
            continue
        allowed = declared_types(artifact_type.schema, str(path).split("."))
        choices = declared.get("enum")
        conditions = wanted if isinstance(wanted, dict) and wanted else {"==": wanted}
        for op, value in conditions.items():
            name = str(op).lower()
            if allowed is not None and name in _NEEDS and _NEEDS[name] not in allowed:
                raise _never(artifact_type, path, allowed, op, value)
            for one in _compared(name, value):
                if one is None:
                    continue
                if allowed is not None and json_type(one) not in allowed:
                    raise _never(artifact_type, path, allowed, op, one)
                if isinstance(choices, list) and name in _CHOOSING and one not in choices:
                    raise BadParameterError(
                        f"{path} {op} {one!r}: no valid {artifact_type.name} document has that "
                        f"{path}; it is one of {', '.join(map(str, choices))}",
                        parameter=path,
                    )


def _compared(op: str, value: Any) -> list[Any]:
    """The values a condition compares the field itself with."""
    if op in ("in", "not in"):
        return value if isinstance(value, list) else []
    return [value] if op in _COMPARING else []


def _never(
    artifact_type: ArtifactType, path: str, allowed: set[str], op: str, value: Any
) -> BadParameterError:
    hint = (
        f"; to match one of its elements use the operator contains (--where '{path}[*]=VALUE')"
        if "array" in allowed
        else ""
    )
    return BadParameterError(
        f"{path} {op} {value!r} matches nothing: the {artifact_type.name} schema gives {path} "
        f"the type {' or '.join(sorted(allowed))}{hint}",
        parameter=path,
    )


def store_fields(artifact_type: ArtifactType) -> tuple[str, ...]:
    """The fields the store sets on every document of the type."""
    versions = () if artifact_type.kind == "execution" else ("version",)
    return (*SYSTEM_FIELDS, *ENVELOPE_FIELDS, *versions)


def is_schema_field(artifact_type: ArtifactType, path: list[str]) -> bool:
    """Whether the store sets the field or the type's schema declares it."""
    if len(path) == 1 and path[0] in store_fields(artifact_type):
        return True
    return is_declared(artifact_type.schema, path)


def check_sort_field(backend: Backend, artifact_type: ArtifactType, path: list[str]) -> None:
    """Refuse a sort field ``artifact_type`` does not have (see the module docstring)."""
    if is_schema_field(artifact_type, path):
        return
    if backend.query(_HELD_BY_ONE, {"@c": artifact_type.name, "path": path}):
        return
    declared = declared_fields(artifact_type.schema)
    known = ", ".join(dict.fromkeys([*declared, *store_fields(artifact_type)]))
    raise BadParameterError(
        f"cannot sort {artifact_type.name} by {'.'.join(path)!r}: its schema does not declare "
        f"it and no stored document has it; fields: {known}",
        parameter="sort",
    )
