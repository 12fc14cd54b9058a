"""AQL's schema functions: SCHEMA_GET and SCHEMA_VALIDATE (ArangoDB 3.12).

SCHEMA_GET(collection) is the collection's ``schema`` property (null when it
has none; 1203 when there is no such collection). SCHEMA_VALIDATE(doc, schema)
checks a document against a ``{rule, level, message}`` object as ArangoDB
does, whatever its level: ``{valid: true}``, or ``{valid: false,
errorMessage}`` with the schema's message; a null or empty schema accepts
anything, a document that is not an object warns and gives null. The rule is
compiled once per rule text (``embedded/schemas.py``).
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH, BadParameterError
from ..schemas import parse_property
from .registry import FunctionContext, aql_function, warn_invalid_argument


@aql_function("SCHEMA_GET", 1, deterministic=False)
def schema_get(ctx: FunctionContext, collection: Any) -> dict[str, Any] | None:
    """SCHEMA_GET(collection): the collection's schema property, or null."""
    if type(collection) is not str:
        warn_invalid_argument(ctx, "SCHEMA_GET")
        return None
    return ctx.collection_schema(collection)


@aql_function("SCHEMA_VALIDATE", 2, deterministic=False)
def schema_validate(ctx: FunctionContext, doc: Any, schema: Any) -> dict[str, Any] | None:
    """SCHEMA_VALIDATE(doc, schema): whether ``doc`` satisfies ``schema``'s rule."""
    if type(doc) is not dict:
        ctx.warn(ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH, "expecting document object")
        return None
    if schema is None or schema == {}:
        return {"valid": True}
    if type(schema) is not dict:
        raise BadParameterError(f"second parameter is not a schema object: {json.dumps(schema)}")
    parsed = parse_property("SCHEMA_VALIDATE", schema)
    assert parsed is not None  # not null, not empty: a schema or an error
    if parsed.valid(doc):
        return {"valid": True}
    return {"valid": False, "errorMessage": parsed.message}
