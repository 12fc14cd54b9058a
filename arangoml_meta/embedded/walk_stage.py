"""The stage of a lean traversal: the walk, level by level, and the operations after it.

A breadth-first traversal with global vertex uniqueness whose edge is read
only through attribute paths and whose path only as its length walks by
:func:`~.traversal.bfs_levels` (see ``QueryCompiler.lean_edge_paths``). Its
stage binds each position from the level lists, evaluates PRUNE, and runs the
LETs and FILTERs right after the traversal and the final RETURN that follows
them; ``pushdown.py`` says which of those run before the vertex and edge are
bound, which once per level and which once per vertex collection. The edge is
bound to the attributes the query reads, the path to a stand-in whose
``edges`` and ``vertices`` have the right lengths; when only the RETURN reads
the vertex and edge once they are bound, they are bound to records (lists of
what it reads, its reads compiled as positions in them) instead of documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ..aql import ast as A
from .expressions import Expr, ExpressionCompiler, Frame
from .graph_view import GraphView
from .projections import Path, VariableUsage
from .pushdown import LEVEL, RUN, WALK, RowFilter, RowLet, RowPlan
from .traversal import bfs_levels
from .values import to_bool
from .vertices import VertexLoader

if TYPE_CHECKING:
    from .executor import QueryCompiler, Stage, Walk

# a row check: whether the row (frame, vertex id) goes on
Check = Callable[[Frame, str], bool]
# a collection name -> whether its vertices may pass the pushed FILTERs
Wanted = Callable[[str], bool]


# how many sets of bind values a FILTER keeps what it decided for (see _Filter.memo)
_SHARED_ANSWERS = 64
# how many finished runs a stage keeps for later runs (see _Pushed.run)
_IDLE_RUNS = 2
_NO_FRAME: Frame = []


def _shared(by_values: dict[str, Any], slots: tuple[int, ...], frame: Frame) -> Any:
    """The dict in ``by_values`` for the values of ``slots`` in ``frame`` (made empty)."""
    # repr tells 1, 1.0 and true apart (a stricter key than equality only shares less)
    key = repr([frame[slot] for slot in slots])
    found = by_values.get(key)
    if found is None:
        if len(by_values) >= _SHARED_ANSWERS:
            by_values.clear()
        found = by_values[key] = {}
    return found


def _reject(frame: Frame, vertex: str) -> bool:
    return False


def _reject_all(collection: str) -> bool:
    return False


class _Filter:
    """A compiled :class:`~.pushdown.RowFilter`."""

    def __init__(
        self,
        split: RowFilter,
        expressions: ExpressionCompiler,
        overrides: dict[int, Expr],
        v_slot: int,
        depth_vars: set[A.Variable],
    ) -> None:
        self.conjunction = split.conjunction
        # the level operands whose value holds for a whole walk, and the others
        self.steady: list[Expr] = []
        self.level: list[Expr] = []
        level_nodes: list[A.Node] = []
        for node, scope in zip(split.level, split.level_scopes, strict=True):
            compiled = expressions.substituting(node, overrides)
            (self.level if scope == LEVEL else self.steady).append(compiled)
            if scope == LEVEL:
                level_nodes.append(node)
        # When the level operands read no variable but the depth (``LET depth =
        # LENGTH(p.edges)``), what they decide is the same at a depth for every walk with
        # the same bind values: :meth:`depth_cache` keeps it (by those values)
        self.depth_slots: tuple[int, ...] | None = None
        self.depth_verdicts: dict[str, dict[int, bool]] = {}
        if level_nodes and all(set(VariableUsage(n).reads) <= depth_vars for n in level_nodes):
            slots = {b.slot for node in level_nodes for b in node.find_all(A.BindParam)}
            if all(slot >= 0 for slot in slots):
                self.depth_slots = tuple(sorted(slots))
        self.rest = None if split.rest is None else expressions.substituting(split.rest, overrides)
        self.pure = split.pure
        self.scope = split.scope
        self.by_collection: Expr | None = None
        self.asked = [""]  # the collection name the by-collection expression reads
        if split.rest is not None and split.by_collection:
            asked = self.asked
            name: Expr = lambda f: asked[0]  # noqa: E731
            self.by_collection = expressions.substituting(
                split.rest, {**overrides, **{id(node): name for node in split.by_collection}}
            )
        self.v_slot = v_slot
        # A by-collection answer that holds for a whole run reads nothing but bind
        # parameters: runs with the same values share their answers (by those values)
        self.param_slots: tuple[int, ...] | None = None
        self.shared: dict[str, dict[str, bool]] = {}
        if split.rest is not None and split.by_collection and split.scope == RUN:
            slots = {node.slot for node in split.rest.find_all(A.BindParam)}
            if all(slot >= 0 for slot in slots):
                self.param_slots = tuple(sorted(slots))

    def memo(self, frame: Frame) -> dict[str, bool]:
        """Where a run keeps this FILTER's by-collection answers: shared by the runs with
        the same bind values when the answers hold for a run (see ``__init__``)."""
        if self.param_slots is None:
            return {}
        return _shared(self.shared, self.param_slots, frame)

    def depth_cache(self, frame: Frame) -> dict[int, bool] | None:
        """What the level operands decide at each depth, for the runs with the bind values
        of ``frame`` (None: they read more than the depth, see ``__init__``)."""
        if self.depth_slots is None:
            return None
        return _shared(self.depth_verdicts, self.depth_slots, frame)

    def decides(self, frame: Frame, operands: list[Expr]) -> bool:
        """Whether ``operands`` (pure) decide the whole condition: one is false in a chain
        of AND, or true in a chain of OR (its value is then :attr:`conjunction`'s negation)."""
        stop = not self.conjunction
        for operand in operands:
            if to_bool(operand(frame)) is stop:
                break
        else:
            return False
        return True

    def verdict(
        self, frame: Frame, steady: bool, depth: int, cache: dict[int, bool] | None
    ) -> bool | None:
        """What the level operands decide for every row of the level at ``depth`` (None:
        each row decides); ``steady``: whether the operands that hold for the walk decided;
        ``cache``: what the level operands decided at each depth (see :meth:`depth_cache`)."""
        if steady:
            return not self.conjunction
        if self.level:
            if cache is None:
                decided = self.decides(frame, self.level)
            else:
                found = cache.get(depth)
                if found is None:
                    found = cache[depth] = self.decides(frame, self.level)
                decided = found
            if decided:
                return not self.conjunction
        if self.rest is None:
            return self.conjunction
        return None

    def answers(self, run: _Run, memo: dict[str, bool]) -> Wanted:
        """Whether an existing vertex of a collection passes (memoised in ``memo``), in
        the frame of ``run``'s current execution."""
        expression, asked = self.by_collection, self.asked
        assert expression is not None

        def passes(collection: str) -> bool:
            found = memo.get(collection)
            if found is None:
                asked[0] = collection
                found = memo[collection] = to_bool(expression(run.frame))
            return found

        return passes

    def missing(self) -> Expr:
        """The check of a row whose vertex does not exist (``v._id`` is null): the
        condition as written."""
        rest = self.rest
        assert rest is not None
        return lambda f: to_bool(rest(f))

    def check(self, passes: Wanted | None) -> Check:
        """The per-row check (by collection when ``passes`` is given)."""
        rest = self.rest
        assert rest is not None
        if passes is None:
            return lambda f, vertex: to_bool(rest(f))
        v_slot = self.v_slot

        def by_collection(f: Frame, vertex: str) -> bool:
            if f[v_slot] is None:  # no such vertex: v._id is null, evaluated as written
                return to_bool(rest(f))
            return passes(vertex.partition("/")[0])

        return by_collection


class _Level:
    """What the pushed operations make of a level, for one set of verdicts of its FILTERs."""

    __slots__ = ("checks", "emits", "gate", "keep", "stable", "wanted")

    def __init__(self) -> None:
        self.emits = True  # False: no row of the level passes
        self.checks: list[Check] = []
        self.wanted: Wanted | None = None  # None: vertices of any collection may pass
        self.stable = True  # whether ``wanted`` answers the same for the whole run
        self.keep: frozenset[str] | None = None  # what ``wanted`` accepted (when stable)
        # when the checks are one FILTER that answers by collection: its answers so far,
        # the answer for a collection, and the check of a row whose vertex does not exist
        self.gate: tuple[dict[str, bool], Wanted, Expr] | None = None


# what a run's level is before its walk reaches one (never read: no depth is -1)
_NO_LEVEL = _Level()


class _Pushed:
    """The compiled pushed operations of a stage (see ``pushdown.py``)."""

    def __init__(
        self,
        plan: RowPlan,
        expressions: ExpressionCompiler,
        overrides: dict[int, Expr],
        v_slot: int,
        p_slot: int | None,
    ) -> None:
        self.p_slot = p_slot
        self.level_lets: list[tuple[int, Expr]] = []
        # LETs of LENGTH(p.edges) (0) or LENGTH(p.vertices) (1): the depth plus that
        self.depth_lets: list[tuple[int, int]] = []
        # in order: ("let", slot, expression, pure) or ("filter", _Filter)
        self.steps: list[tuple[Any, ...]] = []
        depth_vars: set[A.Variable] = set()  # the depth LETs'
        for step in plan.pushed:
            if isinstance(step, RowLet):
                expression = expressions.substituting(step.node.expr, overrides)
                counted = _counted_path(step.node.expr, plan)
                if counted is not None:
                    self.depth_lets.append((step.node.var.slot, counted))
                    depth_vars.add(step.node.var)
                elif step.level:
                    self.level_lets.append((step.node.var.slot, expression))
                else:
                    self.steps.append(("let", step.node.var.slot, expression, step.pure))
            else:
                split = _Filter(step, expressions, overrides, v_slot, depth_vars)
                self.steps.append(("filter", split))
        self.filters: list[_Filter] = [step[1] for step in self.steps if step[0] == "filter"]
        self.memo_scopes = [f.scope for f in self.filters if f.by_collection is not None]
        self._idle: list[_Run] = []  # runs done, kept for the next (see run())
        # whether the level at a depth is the same for every walk with the same verdicts
        # of the steady operands and the same depth caches: nothing but the depth and
        # bind values is evaluated per level (see _Run.level_at)
        self.by_depth = (
            not self.level_lets
            and LEVEL not in self.memo_scopes
            and all(not f.level or f.depth_slots is not None for f in self.filters)
        )
        # the bind parameters the by-collection memos and the depth caches of a run are
        # shared by (see values_of); None when a memo of a run is not shared (it is new)
        slots: set[int] = set()
        for f in self.filters:
            slots.update(f.depth_slots or ())
            if f.by_collection is not None and f.scope == RUN:
                slots.update(f.param_slots or ())
        self.value_slots: list[int] | None = sorted(slots)
        if any(
            f.by_collection is not None and f.scope == RUN and f.param_slots is None
            for f in self.filters
        ):
            self.value_slots = None

    def values_of(self, frame: Frame) -> str | None:
        """The values of :attr:`value_slots` in ``frame`` (repr, as ``_shared`` keys them)."""
        slots = self.value_slots
        return None if slots is None else repr([frame[slot] for slot in slots])

    def run(self, frame: Frame, collections: frozenset[str] | None) -> _Run:
        """The state of one run of the stage: a run done before, made ready for this
        one (with the levels it made, when they still hold), or a new one."""
        try:
            run = self._idle.pop()  # atomic: two threads never take the same run
        except IndexError:
            return _Run(self, frame, collections)
        run.reset(frame, collections)
        return run

    def done(self, run: _Run) -> None:
        """Keep ``run`` (which ran to its end) for a later run, holding nothing of its
        execution."""
        run.frame = _NO_FRAME
        if len(self._idle) < _IDLE_RUNS:
            self._idle.append(run)

    @property
    def trivial(self) -> bool:
        return not self.level_lets and not self.steps

    def level(self, run: _Run, depth: int) -> _Level:
        """The :class:`_Level` at ``depth``; sets the path and the level LETs in the frame."""
        frame = run.frame
        if self.p_slot is not None:
            path = _DEPTH_PATHS.get(depth)
            frame[self.p_slot] = path if path is not None else _depth_path(depth)
        for slot, extra in self.depth_lets:
            frame[slot] = depth + extra
        for slot, expression in self.level_lets:
            frame[slot] = expression(frame)
        for memo in run.level_memos:
            memo.clear()
        steady = run.steady
        filters = self.filters
        key: Any  # the verdicts; one FILTER's alone in the common case
        caches = run.depth_caches
        if len(filters) == 1:
            key = filters[0].verdict(frame, steady[0], depth, caches[0])
        else:
            key = tuple(
                [
                    split.verdict(frame, steady[i], depth, caches[i])
                    for i, split in enumerate(filters)
                ]
            )
        level = run.made.get(key)
        if level is None:
            verdicts = key if len(filters) != 1 else (key,)
            level = run.made[key] = self._level(verdicts, run)
        return level

    def _level(self, verdicts: tuple[bool | None, ...], run: _Run) -> _Level:
        level = _Level()
        checks = level.checks
        wanted: list[Wanted] = []
        pure_so_far = True
        memos = iter(run.memos)
        verdict_of = iter(verdicts)
        for step in self.steps:
            if step[0] == "let":
                _, slot, expression, pure = step
                checks.append(_let_check(slot, expression))
                pure_so_far = pure_so_far and pure
                continue
            split: _Filter = step[1]
            verdict = next(verdict_of)
            passes = None
            if split.by_collection is not None:
                memo = next(memos)
                passes = split.answers(run, memo)
            if verdict is True:
                continue
            if verdict is False:
                if pure_so_far:  # nothing before it can be observed: the level emits nothing
                    level.emits = False
                    level.checks = []
                    level.wanted = _reject_all
                    level.keep = frozenset()
                    return level
                checks.append(_reject)
                break
            checks.append(split.check(passes))
            if passes is not None:
                wanted.append(passes)
                level.stable = level.stable and split.scope == RUN
                if len(checks) == 1:
                    level.gate = (memo, passes, split.missing())
            pure_so_far = pure_so_far and split.pure
        if len(wanted) == 1:
            level.wanted = wanted[0]
        elif wanted:
            level.wanted = lambda collection: all(w(collection) for w in wanted)
        if len(checks) != 1:
            level.gate = None
        return level


class _Run:
    """The pushed operations' state in one run of a stage: by-collection answers, the
    :class:`_Level` made for each set of verdicts, and the walk's current level."""

    __slots__ = (
        "by_depth",
        "by_depth_of",
        "collections",
        "depth",
        "depth_caches",
        "frame",
        "level",
        "level_memos",
        "low",
        "made",
        "memos",
        "pushed",
        "steady",
        "values",
        "walk_memos",
    )

    def __init__(self, pushed: _Pushed, frame: Frame, collections: frozenset[str] | None):
        self.pushed = pushed
        self.frame = frame
        self.collections = collections  # where the walk's vertices may lie (None: anywhere)
        self.memos: list[dict[str, bool]] = [
            split.memo(frame) for split in pushed.filters if split.by_collection is not None
        ]
        self.depth_caches = [split.depth_cache(frame) for split in pushed.filters]
        memos = self.memos
        self.walk_memos = [memos[i] for i, scope in enumerate(pushed.memo_scopes) if scope == WALK]
        self.level_memos = [memos[i] for i, s in enumerate(pushed.memo_scopes) if s == LEVEL]
        self.made: dict[Any, _Level] = {}  # the verdicts (see _Pushed.level) -> the level
        self.low = 0
        self.depth = -1
        self.level = _NO_LEVEL
        self.steady: list[bool] = []  # per FILTER: whether its steady operands decided
        # the level made at each depth (when the stage's levels depend on nothing else,
        # see _Pushed.by_depth), and the steady verdicts and depth caches they were made by
        self.by_depth: dict[int, _Level] | None = {} if pushed.by_depth else None
        self.by_depth_of: tuple[list[bool] | None, list[dict[int, bool] | None]] = (None, [])
        self.values = pushed.values_of(frame)  # what its memos and depth caches are for

    def reset(self, frame: Frame, collections: frozenset[str] | None) -> None:
        """Make a run that ended ready for another execution (see :meth:`_reset`): with
        the same bind values (those its memos and depth caches are shared by) and the same
        collections, only the memos of a walk or a level start afresh."""
        values = self.pushed.values_of(frame)
        if (
            values is None
            or values != self.values
            or (collections is not self.collections and collections != self.collections)
        ):
            self._reset(frame, collections)
            self.values = values
            return
        self.frame = frame
        for memo in self.walk_memos:
            memo.clear()
        for memo in self.level_memos:
            memo.clear()
        self.low = 0
        self.depth = -1
        self.level = _NO_LEVEL
        self.steady = []

    def _reset(self, frame: Frame, collections: frozenset[str] | None) -> None:
        """Make a run that ended ready for another execution. The levels it made hold
        while the by-collection answers they read are the same ones (shared by bind
        values, see :meth:`_Filter.memo`; answers of a walk or a level start afresh
        anyway) and the walk's vertices may lie in the same collections (``keep``)."""
        pushed = self.pushed
        self.frame = frame
        holds = collections == self.collections
        self.collections = collections
        splits = [split for split in pushed.filters if split.by_collection is not None]
        for i, split in enumerate(splits):
            if split.scope == RUN:
                memo = split.memo(frame)
                holds = holds and split.param_slots is not None and memo is self.memos[i]
                self.memos[i] = memo
            else:
                self.memos[i].clear()
        if not holds:
            self.made.clear()
            if self.by_depth is not None:
                self.by_depth.clear()
        self.depth_caches = [split.depth_cache(frame) for split in pushed.filters]
        self.low = 0
        self.depth = -1
        self.level = _NO_LEVEL
        self.steady = []

    def new_walk(self, low: int) -> None:
        for memo in self.walk_memos:
            memo.clear()
        frame = self.frame
        self.steady = [split.decides(frame, split.steady) for split in self.pushed.filters]
        self.low = low  # the walk's minimum depth: no row of a level above it is emitted
        self.depth = -1
        by_depth = self.by_depth
        if by_depth is not None:
            steady, caches = self.by_depth_of
            # (the same list of caches, the common case, holds the same caches)
            if steady != self.steady or (
                caches is not self.depth_caches
                and not all(
                    mine is theirs for mine, theirs in zip(caches, self.depth_caches, strict=True)
                )
            ):
                by_depth.clear()
                self.by_depth_of = (self.steady, self.depth_caches)

    def level_at(self, depth: int) -> _Level:
        """:meth:`_Pushed.level`, or the level made at ``depth`` before by the same verdicts
        (see :attr:`by_depth`), with the path and the depth LETs set."""
        by_depth = self.by_depth
        if by_depth is None:
            return self.pushed.level(self, depth)
        level = by_depth.get(depth)
        if level is None:
            level = by_depth[depth] = self.pushed.level(self, depth)
            return level
        pushed, frame = self.pushed, self.frame
        if pushed.p_slot is not None:
            path = _DEPTH_PATHS.get(depth)
            frame[pushed.p_slot] = path if path is not None else _depth_path(depth)
        for slot, extra in pushed.depth_lets:
            frame[slot] = depth + extra
        return level

    def at(self, depth: int) -> _Level:
        """The :class:`_Level` at ``depth`` of the current walk."""
        if depth != self.depth:
            self.level = self.level_at(depth)
            self.depth = depth
        return self.level

    def keep(self, depth: int) -> frozenset[str] | None:
        """The collections whose vertices at ``depth`` may pass (for the edge lookups)."""
        if depth < self.low:
            return frozenset()
        if depth != self.depth:  # (at(), inline: once per level of every walk)
            self.level = self.level_at(depth)
            self.depth = depth
        level = self.level
        wanted = level.wanted
        if wanted is None or self.collections is None:
            return None
        if level.keep is not None and level.stable:
            return level.keep
        level.keep = frozenset(name for name in self.collections if wanted(name))
        return level.keep


def _counted_path(node: A.Node, plan: RowPlan) -> int | None:
    """0 for ``LENGTH(p.edges)``, 1 for ``LENGTH(p.vertices)`` of the traversal's path."""
    if not (isinstance(node, A.FunctionCall) and node.name == "LENGTH" and len(node.args) == 1):
        return None
    arg = node.args[0]
    if (
        isinstance(arg, A.AttributeAccess)
        and isinstance(arg.obj, A.Var)
        and arg.obj.var is plan.path
        and arg.name in ("edges", "vertices")
    ):
        return 0 if arg.name == "edges" else 1
    return None


def _let_check(slot: int, expression: Expr) -> Check:
    def let(f: Frame, vertex: str) -> bool:
        f[slot] = expression(f)
        return True

    return let


def _id_overrides(reads: list[A.AttributeAccess], v_slot: int) -> dict[int, Expr]:
    """``v._id`` / ``v._key`` read from the vertex id the slot holds (None: no such vertex)."""

    def vertex_id(f: Frame) -> Any:
        return f[v_slot]

    def vertex_key(f: Frame) -> Any:
        found = f[v_slot]
        return None if found is None else found.partition("/")[2]

    return {id(node): vertex_id if node.name == "_id" else vertex_key for node in reads}


def _path_reads(ret: A.Return, var: A.Variable) -> list[tuple[A.Node, Path]] | None:
    """The reads of ``var`` in ``ret`` when all are attribute paths (else None)."""
    reads = VariableUsage(ret).reads.get(var, [])
    if not reads or any(path is None for _, path in reads):
        return None
    return reads  # type: ignore[return-value]


def _place(
    reads: list[tuple[A.Node, Path]],
    places: list[tuple[int, Path]],
    slot: int,
    positions: dict[int, tuple[int, int]],
    descents: dict[int, Expr],
) -> None:
    """Compile each read as a read of the record in ``slot`` at its place (the item, the
    path below it): into ``positions`` (a whole item) or ``descents`` (below one)."""
    for (node, _), (index, below) in zip(reads, places, strict=True):
        if below:
            descents[id(node)] = _descent(slot, index, below)
        else:
            positions[id(node)] = (slot, index)


def _descent(slot: int, index: int, below: Path) -> Expr:
    def read(f: Frame) -> Any:
        record = f[slot]
        value = None if record is None else record[index]
        for name in below:
            value = value.get(name) if type(value) is dict else None
        return value

    return read


def compile_walk_stage(
    compiler: QueryCompiler,
    op: A.Traversal,
    view: GraphView,
    loader: VertexLoader | None,
    eager: bool,
    e_slot: int | None,
    p_slot: int | None,
    plan: RowPlan,
    bind_vertex: bool,
    ret: A.Return | None,
    walks: Callable[[Iterator[None], Frame], Iterator[Walk]],
) -> Stage:
    """The stage (see the module docstring).

    ``plan``: the operations after ``op`` it runs; ``bind_vertex``: whether
    anything but them reads the vertex; ``ret``: the RETURN it runs (it then
    yields the values); ``walks``: the walks it makes (``QueryCompiler.walk_source``).
    """
    expressions = compiler.expressions
    v_slot = op.vertex.slot
    # pushed operations (and PRUNE) run before the vertex and edge are bound
    lazy = eager and plan.prune_by_id and loader is not None
    overrides = _id_overrides(plan.id_reads, v_slot) if lazy else {}
    prune_expr = None if op.prune is None else expressions.substituting(op.prune, overrides)
    pushed = _Pushed(plan, expressions, overrides, v_slot, p_slot)
    later: list[tuple[int | None, Expr]] = []
    for node in plan.later:
        if isinstance(node, A.Let):
            later.append((node.var.slot, compiler.expr(node.expr)))
        else:
            later.append((None, compiler.expr(node.condition)))  # type: ignore[attr-defined]
    if not lazy:
        bind_vertex = loader is not None
    # When only the RETURN reads them once bound, and only through attribute paths, the
    # vertex and edge are bound to records (lists) of what it reads, not to documents:
    # VertexLoader.records, GraphView.edge_records
    vertex_records = False
    edge_records: Callable[[Any], list[Any]] | None = None
    value = None
    if ret is not None:
        alone = eager and not plan.later and not any(True for _ in ret.find_all(A.Subquery))
        positions: dict[int, tuple[int, int]] = {}
        descents: dict[int, Expr] = {}
        reads = _path_reads(ret, op.vertex) if alone and lazy and bind_vertex else None
        places = (
            None if reads is None or loader is None else loader.positions([p for _, p in reads])
        )
        if reads is not None and places is not None:
            _place(reads, places, v_slot, positions, descents)
            vertex_records = True
        alone = alone and plan.prune_by_id and e_slot is not None
        reads = _path_reads(ret, op.edge) if alone and op.edge is not None else None
        found = None if reads is None else view.edge_records([p for _, p in reads])
        if reads is not None and found is not None:
            edge_records, places = found
            _place(reads, places, e_slot, positions, descents)  # type: ignore[arg-type]
        value = expressions.substituting(ret.expr, descents, positions)
    # whether the pushed operations or PRUNE read the vertex id (bound before them)
    reads_id = lazy and bool(plan.id_reads)
    simple = pushed.trivial and prune_expr is None and not later
    # the lookups read vertices only where the pushed FILTERs may let them pass
    narrow = lazy and bool(pushed.steps) and bind_vertex
    # rows whose only check answers by collection take the short way (see _Level.gate)
    gated = lazy and reads_id and prune_expr is None and not later

    keeps = view.keeps

    def traversal(upstream: Iterator[None], frame: Frame) -> Iterator[Any]:
        runtime = frame[0]
        kept = runtime.kept() if keeps else None
        # what earlier queries learnt, while nothing was written
        if kept is not None and runtime.vertex_exists is not kept.exists:
            kept.exists.update(runtime.vertex_exists)
            runtime.vertex_exists = kept.exists
        probed = loader.probed(runtime) if loader is not None else None
        bound = view.bind(
            runtime.edge_cache, runtime.vertex_exists, probed, runtime.budget, False, kept
        )
        edge_value = bound.edge_value
        # bind_v(vertex id): the vertex's document (or record); prefetch: for a whole level
        bind_v: Callable[[str], Any] | None = None
        prefetch = None
        if loader is not None:
            session = loader.records if vertex_records else loader.session
            bind_v, prefetch = session(runtime, probed)
        if not eager:
            prefetch = None
        bind_e = edge_records or edge_value
        # levels past the start need no prefetch when the lookups read their vertices
        prefetch_all = prefetch is not None and not bound.reads_far_ends
        known = runtime.vertex_exists

        def exists(vertex: str) -> bool:
            found = known.get(vertex)
            if found is None:
                assert bind_v is not None
                found = bind_v(vertex) is not None
            return found

        run = None if simple else pushed.run(frame, bound.far_collections if narrow else None)
        keep = run.keep if run is not None and narrow else None
        for start, low, high in walks(upstream, frame):
            if run is not None:
                run.new_walk(low)
            pruned: set[str] = set()
            for depth, level, via in bfs_levels(bound, start, high, pruned, keep):
                emits = depth >= low
                if emits:
                    if simple:
                        if p_slot is not None:
                            frame[p_slot] = _depth_path(depth)
                        if prefetch is not None and bind_vertex and (depth == 0 or prefetch_all):
                            prefetch(level)
                        if e_slot is None:
                            for vertex in level:
                                if bind_v is not None:
                                    frame[v_slot] = bind_v(vertex)
                                yield None if value is None else value(frame)
                        else:
                            for vertex, edge in zip(level, via, strict=True):
                                if bind_v is not None:
                                    frame[v_slot] = bind_v(vertex)
                                frame[e_slot] = None if edge is None else bind_e(edge)
                                yield None if value is None else value(frame)
                        continue
                    # the level the walk's lookups asked for (see _Run.keep), made when not
                    state = run.level if run.depth == depth else run.at(depth)  # type: ignore[union-attr]
                    emits = state.emits
                    checks = state.checks
                elif prune_expr is None:
                    continue
                else:
                    checks = []
                    if p_slot is not None:
                        frame[p_slot] = _depth_path(depth)
                if not emits and prune_expr is None:
                    continue
                if (
                    prefetch is not None
                    and (depth == 0 or prefetch_all)
                    and ((emits and bind_vertex) or (prune_expr is not None and not lazy))
                ):
                    prefetch(level)
                gate = state.gate if gated and emits else None
                if gate is not None:
                    # the common case, without the generic checks: a row passes as its
                    # vertex's collection does (a missing vertex: as the FILTER says)
                    memo, passes, missing = gate
                    answer = memo.get
                    # (no strict=: zip's keyword costs ~160 ns, once per level)
                    for vertex, edge in zip(level, via or repeat(None)):  # noqa: B905
                        present = known.get(vertex)
                        if present is None:
                            present = exists(vertex)
                        if present:
                            collection = vertex[: vertex.find("/")]
                            passed = answer(collection)
                            if passed is None:
                                frame[v_slot] = vertex
                                passed = passes(collection)
                            if not passed:
                                continue
                        else:
                            frame[v_slot] = None
                            if not missing(frame):
                                continue
                        if bind_vertex:
                            frame[v_slot] = bind_v(vertex)  # type: ignore[misc]
                        else:
                            frame[v_slot] = vertex if present else None
                        if e_slot is not None:
                            frame[e_slot] = None if edge is None else bind_e(edge)
                        yield None if value is None else value(frame)
                    continue
                # the id is bound for the checks and PRUNE (which may have nothing to do)
                bind_id = reads_id and (bool(checks) or prune_expr is not None)
                # PRUNE sees every position, emitted or not, as the row would bind it
                for vertex, edge in zip(level, via or repeat(None), strict=False):
                    if not lazy:
                        if bind_v is not None:
                            frame[v_slot] = bind_v(vertex)
                        if e_slot is not None:
                            frame[e_slot] = None if edge is None else bind_e(edge)
                    elif bind_id:
                        present = known.get(vertex)
                        if present is None:
                            present = exists(vertex)
                        frame[v_slot] = vertex if present else None
                    if prune_expr is not None and to_bool(prune_expr(frame)):
                        pruned.add(vertex)  # still emitted, not expanded
                    if not emits:
                        continue
                    for check in checks:
                        if not check(frame, vertex):
                            break
                    else:
                        if lazy:
                            if bind_vertex:
                                frame[v_slot] = bind_v(vertex)  # type: ignore[misc]
                            if e_slot is not None:
                                frame[e_slot] = None if edge is None else bind_e(edge)
                        for slot, expression in later:
                            if slot is None:
                                if not to_bool(expression(frame)):
                                    break
                            else:
                                frame[slot] = expression(frame)
                        else:
                            yield None if value is None else value(frame)
        if run is not None:  # (a run left unfinished, by a LIMIT, is not kept)
            pushed.done(run)

    return traversal


# by depth: what a traversal binds its path variable to when it is read only as
# LENGTH(p.edges) / LENGTH(p.vertices) (see QueryCompiler.lean_edge_paths)
_DEPTH_PATHS: dict[int, dict[str, list[None]]] = {}


def _depth_path(depth: int) -> dict[str, list[None]]:
    path = _DEPTH_PATHS.get(depth)
    if path is None:
        path = {"edges": [None] * depth, "vertices": [None] * (depth + 1)}
        if depth < 64:  # deeper ones are rare; all of them would take memory quadratic in depth
            path = _DEPTH_PATHS.setdefault(depth, path)
    return path
