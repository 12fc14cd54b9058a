"""Which fields a type has: its JSON Schema's declared properties, and what is stored.

A sort field that no document has sorts nothing: the answer comes back in an
arbitrary order that looks sorted to nobody. :func:`check_sort_field` refuses
such a field. A field is known when the type's schema declares it (the envelope
included; for a dotted path, nested ``properties`` and maps such as a model's
``metrics``), when the store sets it (``_key``, ``_id``, ``_rev``, the envelope,
``version`` for a kind with versions), or when at least one stored document of
the type has it: types may keep fields their schema does not name, and a type
that declares no properties keeps only such fields.
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
    node: Any = schema
    for segment in path:
        if not isinstance(node, dict):
            return False
        properties = node.get("properties")
        if isinstance(properties, dict) and segment in properties:
            node = properties[segment]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return False
    return True


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
