"""A parsed query with what every execution of it needs, and its compiled plans.

:class:`PreparedQuery` is what the database caches per query text. One walk
over the AST finds whether the query writes, which modification operations it
has and how it reads each variable (:class:`~.projections.VariableUsage`).

Compiling a query is cached too. A compiled plan is a tree of closures that
keeps no state between executions, and it depends only on:

- the catalog (collections, indexes, graphs): the key holds
  :attr:`Storage.catalog_generation`;
- the collection bind parameters (``@@coll``): their values are in the key;
- bind parameters evaluated while compiling (``OPTIONS``, graph names): the
  compiler records which ones (:attr:`QueryCompiler.compile_time_slots`) and
  their values, as JSON, join the key.

A plan is not cached when compiling emitted warnings (a cached plan would not
repeat them), when the query has an array literal of constants outside an
``IN`` (the compiled expression hands out one shared list per plan, which a
caller could mutate), or when the query writes (its time goes to the writes,
and the modification stages are simplest kept per execution).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..aql import ast as A
from .projections import VariableUsage

if TYPE_CHECKING:
    from .storage import Storage

Frame = list[Any]
Plan = Callable[[Frame], Iterator[Any]]

_MAX_PLANS = 16  # per query text


class PreparedQuery:
    """A parsed query, its analysis and its cached plans (see the module docstring)."""

    def __init__(self, query: A.Query) -> None:
        self.query = query
        self.modifications: list[A.Modification] = []
        self._exempt: set[int] = set()  # constant arrays the compiled code never hands out
        self.plan_cacheable = True
        self.usage = VariableUsage(query, self._visit)
        self.writes = bool(self.modifications)
        self.plan_cacheable = self.plan_cacheable and not self.writes
        # bind parameter names the query declares (``@@coll`` as ``@coll``)
        self.declared = frozenset(query.bind_params) | {"@" + n for n in query.collection_params}
        self._plans: dict[tuple[Any, ...], Plan] = {}
        self._key_slots: tuple[int, ...] = ()
        # the bind parameter names of the collection parameters (``@@coll`` as ``@coll``)
        self._collection_names = tuple("@" + name for name in query.collection_params)

    def _visit(self, node: A.Node) -> None:
        if isinstance(node, A.Modification):
            self.modifications.append(node)
        elif isinstance(node, A.Binary):
            if node.op in ("IN", "NOT IN") and isinstance(node.right, A.ArrayLit):
                self._exempt.add(id(node.right))
        elif (
            isinstance(node, A.ArrayLit)
            and id(node) not in self._exempt
            and all(isinstance(item, A.Literal) for item in node.items)
        ):
            self.plan_cacheable = False

    def _key(
        self, storage: Storage, bind_vars: dict[str, Any], frame: Frame
    ) -> tuple[Any, ...] | None:
        collections = tuple([bind_vars.get(name) for name in self._collection_names])
        if not all(type(name) is str for name in collections):
            return None  # not a collection name: compiling raises
        values = json.dumps([frame[slot] for slot in self._key_slots]) if self._key_slots else ""
        return storage.catalog_generation, collections, values

    def plan(
        self,
        storage: Storage,
        bind_vars: dict[str, Any],
        frame: Frame,
        compile_plan: Callable[[], tuple[Plan, set[int]]],
    ) -> Plan:
        """The compiled plan for these bind values: cached, or made by ``compile_plan``.

        ``compile_plan`` returns the plan and the bind parameter slots it
        evaluated while compiling; ``frame[0]`` is the execution's runtime.
        """
        if not self.plan_cacheable:
            return compile_plan()[0]
        key = self._key(storage, bind_vars, frame)
        if key is None:
            return compile_plan()[0]
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        warnings_before = len(frame[0].warnings)
        plan, slots = compile_plan()
        if len(frame[0].warnings) != warnings_before:
            return plan
        key_slots = tuple(sorted(slots))
        if key_slots != self._key_slots:
            self._plans.clear()
            self._key_slots = key_slots
            key = self._key(storage, bind_vars, frame)
            if key is None:
                return plan
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        self._plans[key] = plan
        return plan
