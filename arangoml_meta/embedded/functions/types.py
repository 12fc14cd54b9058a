"""AQL's type check and cast functions (ArangoDB 3.12 "Type check and cast").

This module owns IS_NULL, IS_BOOL, IS_NUMBER, IS_STRING, IS_ARRAY (IS_LIST),
IS_OBJECT (IS_DOCUMENT), IS_KEY, TYPENAME and the explicit casts TO_BOOL,
TO_NUMBER, TO_STRING and TO_ARRAY (TO_LIST). The checks never warn; the casts
are the implicit casts of ``values.py`` made callable. IS_DATESTRING belongs to
the date functions and IS_IPV4 to the string functions.
"""

from __future__ import annotations

from typing import Any

from ...document_rules import is_valid_key
from ..values import is_number, to_array, to_bool, to_number, to_string, type_name
from .arguments import guarded
from .registry import FunctionContext, aql_function


@aql_function("IS_NULL", 1)
def is_null(ctx: FunctionContext, value: Any) -> bool:
    """IS_NULL(value): whether value is null."""
    return value is None


@aql_function("IS_BOOL", 1)
def is_bool(ctx: FunctionContext, value: Any) -> bool:
    """IS_BOOL(value): whether value is true or false."""
    return type(value) is bool


@aql_function("IS_NUMBER", 1)
def is_number_(ctx: FunctionContext, value: Any) -> bool:
    """IS_NUMBER(value): whether value is a number."""
    return is_number(value)


@aql_function("IS_STRING", 1)
def is_string(ctx: FunctionContext, value: Any) -> bool:
    """IS_STRING(value): whether value is a string."""
    return type(value) is str


@aql_function("IS_ARRAY", 1, aliases=("IS_LIST",))
def is_array(ctx: FunctionContext, value: Any) -> bool:
    """IS_ARRAY(value): whether value is an array."""
    return type(value) is list


@aql_function("IS_OBJECT", 1, aliases=("IS_DOCUMENT",))
def is_object(ctx: FunctionContext, value: Any) -> bool:
    """IS_OBJECT(value): whether value is an object."""
    return type(value) is dict


@aql_function("IS_KEY", 1)
def is_key(ctx: FunctionContext, value: Any) -> bool:
    """IS_KEY(value): whether value is a string usable as a document key."""
    return is_valid_key(value)


@aql_function("TYPENAME", 1)
def typename(ctx: FunctionContext, value: Any) -> str:
    """TYPENAME(value): "null", "bool", "number", "string", "array" or "object"."""
    return type_name(value)


@aql_function("TO_BOOL", 1)
def to_bool_(ctx: FunctionContext, value: Any) -> bool:
    """TO_BOOL(value): null, false, 0 and "" are false, everything else is true."""
    return to_bool(value)


@aql_function("TO_NUMBER", 1)
@guarded("TO_NUMBER")
def to_number_(ctx: FunctionContext, value: Any) -> int | float:
    """TO_NUMBER(value): the numeric value, 0 when there is none."""
    return to_number(value)


@aql_function("TO_STRING", 1)
@guarded("TO_STRING")
def to_string_(ctx: FunctionContext, value: Any) -> str:
    """TO_STRING(value): null is "", arrays and objects become compact JSON."""
    return to_string(value)


@aql_function("TO_ARRAY", 1, aliases=("TO_LIST",))
def to_array_(ctx: FunctionContext, value: Any) -> list[Any]:
    """TO_ARRAY(value): null is [], objects give their values, scalars are wrapped."""
    return to_array(value)
