"""The engine's binding step: a parsed query's calls checked and its frame laid out.

The parser (``arangoml_meta.aql``) accepts any AQL ArangoDB accepts; this step
holds it to what the embedded engine runs. Every function call is resolved
against the function registry (its canonical name written back to the node),
and refused as ArangoDB refuses it: an unknown or user-defined function is 1540,
a wrong number of arguments 1541. An ArangoSearch ``SEARCH`` is a syntax error
here (1501), as the engine has no views. Errors come in the order their text
appears in the query, a call's after those of its arguments. Each variable and
each value bind parameter gets its slot in the run-time frame (slot 0 holds the
run-time context), and the query its ``slot_count``.
"""

from __future__ import annotations

from dataclasses import fields

from ..aql import ast as A
from ..errors import (
    ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
    ERROR_QUERY_FUNCTION_NAME_UNKNOWN,
    AQLSyntaxError,
    QueryError,
)
from .functions import lookup


def bind(query: A.Query) -> A.Query:
    """``query`` with every call resolved and every variable and value bind parameter
    given its frame slot; raises the first thing the engine refuses."""
    slots = _Slots(query.bind_params)
    _bind(query, slots)
    for name in query.bind_params:  # declared by the text though no node was kept
        slots.of_param(name)
    query.slot_count = slots.count
    return query


def _bind(node: A.Node, slots: _Slots) -> None:
    # SEARCH is refused at its keyword, before its condition; a call after its arguments
    if isinstance(node, A.Search):
        _refuse_search(node)
    for name in _variable_fields(type(node)):
        slots.give(getattr(node, name))
    if isinstance(node, A.BindParam):
        node.slot = slots.of_param(node.name)
    for child in node.children():
        _bind(child, slots)
    if isinstance(node, A.FunctionCall):
        _check_call(node)


class _Slots:
    """The frame slots handed out so far; slot 0 holds the run-time context."""

    def __init__(self, params: dict[str, int]) -> None:
        self.count = 1
        self.params = params
        self.given: set[int] = set()  # ids of the variables that have theirs

    def next(self) -> int:
        self.count += 1
        return self.count - 1

    def of_param(self, name: str) -> int:
        slot = self.params.get(name, -1)
        if slot < 0:
            slot = self.params[name] = self.next()
        return slot

    def give(self, value: object) -> None:
        """A slot to the variable ``value`` is, or to each one it holds."""
        if isinstance(value, A.Variable):
            if id(value) not in self.given:
                self.given.add(id(value))
                value.slot = self.next()
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.give(item)


def _variable_fields(cls: type) -> tuple[str, ...]:
    """The fields of node class ``cls`` that hold variables (by their annotation)."""
    names = _VARIABLE_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if "Variable" in str(f.type))
        _VARIABLE_FIELDS[cls] = names
    return names


_VARIABLE_FIELDS: dict[type, tuple[str, ...]] = {}


def _refuse_search(node: A.Search) -> None:
    line, column, near = node.at
    raise AQLSyntaxError.at(
        "SEARCH is not supported by the embedded engine (ArangoSearch views)", line, column, near
    )


def _check_call(node: A.FunctionCall) -> None:
    spec = lookup(node.name) if "::" not in node.name else None
    count = len(node.args)
    if (
        spec is not None
        and count >= spec.min_args
        and (spec.max_args is None or count <= spec.max_args)
    ):
        node.name = spec.name
        return
    line, column, written = node.at or (0, 0, node.name)
    where = f" at position {line}:{column}"
    if spec is None:
        why = (
            " (user-defined functions are not supported by the embedded engine)"
            if "::" in node.name
            else ""
        )
        raise QueryError(
            f"usage of unknown function '{written}()'{why}{where}",
            ERROR_QUERY_FUNCTION_NAME_UNKNOWN,
        )
    maximum = "unlimited" if spec.max_args is None else spec.max_args
    raise QueryError(
        f"invalid number of arguments for function '{spec.name}()', expected number of "
        f"arguments: minimum: {spec.min_args}, maximum: {maximum}{where}",
        ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
    )
