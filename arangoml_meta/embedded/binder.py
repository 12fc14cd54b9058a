"""The engine's binding step: what a parsed query may call, checked before compiling.

The parser (``arangoml_meta.aql``) accepts any AQL ArangoDB accepts; this step
holds it to what the embedded engine runs. Every function call is resolved
against the function registry (its canonical name written back to the node),
and refused as ArangoDB refuses it: an unknown or user-defined function is 1540,
a wrong number of arguments 1541. An ArangoSearch ``SEARCH`` is a syntax error
here (1501), as the engine has no views. Errors come in the order their text
appears in the query, a call's after those of its arguments.
"""

from __future__ import annotations

from ..aql import ast as A
from ..errors import (
    ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
    ERROR_QUERY_FUNCTION_NAME_UNKNOWN,
    AQLSyntaxError,
    QueryError,
)
from .functions import lookup


def bind(query: A.Query) -> A.Query:
    """``query`` with every call resolved; raises the first thing the engine refuses."""
    stack: list[tuple[A.Node, bool]] = [(query, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            _check(node)
            continue
        if isinstance(node, (A.FunctionCall, A.Search)):
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children())))
    return query


def _check(node: A.Node) -> None:
    if isinstance(node, A.Search):
        line, column, near = node.at
        raise AQLSyntaxError.at(
            "SEARCH is not supported by the embedded engine (ArangoSearch views)",
            line,
            column,
            near,
        )
    assert isinstance(node, A.FunctionCall)
    line, column, written = node.at or (0, 0, node.name)
    where = f" at position {line}:{column}"
    if "::" in node.name:
        raise QueryError(
            f"usage of unknown function '{written}()' (user-defined functions are not "
            f"supported by the embedded engine){where}",
            ERROR_QUERY_FUNCTION_NAME_UNKNOWN,
        )
    spec = lookup(node.name)
    if spec is None:
        raise QueryError(
            f"usage of unknown function '{written}()'{where}", ERROR_QUERY_FUNCTION_NAME_UNKNOWN
        )
    count = len(node.args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        maximum = "unlimited" if spec.max_args is None else spec.max_args
        raise QueryError(
            f"invalid number of arguments for function '{spec.name}()', expected number of "
            f"arguments: minimum: {spec.min_args}, maximum: {maximum}{where}",
            ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
        )
    node.name = spec.name
