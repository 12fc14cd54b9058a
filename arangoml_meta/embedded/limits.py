"""A query's resource limits: AQL's ``memoryLimit`` and ``maxRuntime`` options.

Each execution gets a :class:`Budget` (on its runtime, ``frame[0].budget``).
Memory is accounted as ArangoDB accounts it, by what the query holds rather
than by the process: the parts of the plan that materialise values — the
result, SORT and COLLECT buffers, DISTINCT sets, subquery results while they
are built, breadth-first traversal frontiers, the paths a path search keeps
— :meth:`~Budget.charge` an estimate of what CPython spends on them
(:func:`estimate_size`) and :meth:`~Budget.release` it when they are freed.
Going over the limit is error 32 (ERROR_RESOURCE_LIMIT, "query would use more
memory than allowed"). Time is checked cooperatively: loops that can run long
(FOR over ranges, arrays and collections, traversal steps, path searches, the
Python loops of a few string functions) call :meth:`~Budget.tick`, which looks
at the clock every few calls, and ``SLEEP()`` waits on the deadline; past
``maxRuntime`` the query fails with 1500 (ERROR_QUERY_KILLED).

Not counted: a value while only a variable holds it (it counts where it is
kept), the runtime's vertex and edge caches (bounded by the stored graph), a
collection read into a snapshot for a query that writes it. One match of
Python's ``re`` cannot be interrupted.

Options are read as ArangoDB reads them: a positive number sets a limit, zero
or a negative number sets none, a value that is not a number is ignored, and
so is an option name the engine does not know (``maxNumberOfPlans``, ...).
``fullCount`` matters only to a query whose statistics are counted (see
:attr:`Budget.drains_final_limit`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from ..errors import ERROR_QUERY_KILLED, ERROR_RESOURCE_LIMIT, QueryError
from .statistics import QueryStats

# calls of Budget.tick between two looks at the clock, at most: the interval starts at
# one call and doubles while the calls between two looks take less than SLOW_CHECK_SECONDS
CHECK_EVERY = 32
SLOW_CHECK_SECONDS = 0.01

# what CPython spends on a value's objects (64-bit builds; garbage-collector headers included)
_NONE_BYTES = 0  # a shared singleton, as are True and False
_NUMBER_BYTES = 32
_STR_BYTES = 49
_LIST_BYTES = 72
_DICT_BYTES = 232
_POINTER_BYTES = 8
_DICT_ENTRY_BYTES = 24
# an integer in a list: its pointer and its object
INT_ITEM_BYTES = _POINTER_BYTES + _NUMBER_BYTES
LIST_BYTES = _LIST_BYTES
# a traversal path kept in a frontier (see traversal.py): the Step object and its two lists
STEP_BYTES = 320
# a COLLECT group besides its values: its list, the lists of its aggregates and INTO
GROUP_BYTES = 256


# many like items (result rows, sorted frames): the first MEASURED_ITEMS are measured one
# by one, then one in SAMPLE_EVERY, which stands for those after it (measuring every one
# of them took about as long as making it)
MEASURED_ITEMS = 256
SAMPLE_EVERY = 16


def measured(index: int) -> bool:
    """Whether the item at ``index`` of a run of like items is measured (see above)."""
    return index < MEASURED_ITEMS or not index % SAMPLE_EVERY


class Sampled:
    """Which items of a run of like items are measured (see :func:`measured`), across every
    run a part of the plan makes in one execution: a correlated subquery, and a SORT in
    it, run once per outer row, and their rows are alike from one run to the next."""

    __slots__ = ("seen", "size")

    def __init__(self) -> None:
        self.seen = 0
        self.size = 0  # the last size measured, which stands for the items after it

    def next_measured(self) -> bool:
        """Whether the next item is measured (else it counts as :attr:`size`)."""
        seen = self.seen
        self.seen = seen + 1
        return seen < MEASURED_ITEMS or not seen % SAMPLE_EVERY


def _number(options: Mapping[str, Any], name: str) -> float:
    """The option's value when it is a finite number above zero, else 0 (no limit)."""
    value = options.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    if not math.isfinite(value) or value <= 0:
        return 0
    return value


def estimate_size(value: Any) -> int:
    """Roughly how many bytes CPython holds for an AQL value (a JSON value)."""
    kind = type(value)
    if kind is str:
        return _STR_BYTES + len(value)
    if kind is list:
        items = value
        size = _LIST_BYTES + _POINTER_BYTES * len(value)
    elif kind is dict:
        items = value.values()
        size = _DICT_BYTES + (_DICT_ENTRY_BYTES + _STR_BYTES) * len(value) + sum(map(len, value))
    elif value is None or kind is bool:
        return _NONE_BYTES
    else:
        return _NUMBER_BYTES
    for item in items:  # scalars inline: most items of a document or row are
        kind = type(item)
        if kind is str:
            size += _STR_BYTES + len(item)
        elif kind is list or kind is dict:
            size += estimate_size(item)
        elif item is not None and kind is not bool:
            size += _NUMBER_BYTES
    return size


def frame_size(saved: list[Any], previous: list[Any] | None) -> int:
    """The bytes a copied frame adds: its slots, and each value not already in ``previous``.

    A value the previous copy holds too (the same object: a bind parameter, an
    outer loop's variable) is counted once, with the copy that first held it.
    Slot 0 is the runtime.
    """
    size = _LIST_BYTES + _POINTER_BYTES * len(saved)
    if previous is None:
        for value in saved[1:]:
            size += estimate_size(value)
        return size
    for value, before in zip(saved[1:], previous[1:], strict=True):
        if value is not before:
            size += estimate_size(value)
    return size


class Budget:
    """The memory and time one query execution may use (0: no limit), the writes it
    made (ArangoDB's ``writesExecuted``, and ``writesIgnored`` under ``ignoreErrors``),
    and, when asked for, what its scans read (:attr:`counters`, see ``statistics.py``)."""

    __slots__ = (
        "_checked",
        "_countdown",
        "_interval",
        "counters",
        "deadline",
        "drains_final_limit",
        "max_runtime",
        "memory_limit",
        "peak",
        "started",
        "used",
        "writes_executed",
        "writes_ignored",
    )

    def __init__(
        self, memory_limit: int = 0, max_runtime: float = 0, statistics: bool = False
    ) -> None:
        self.memory_limit = memory_limit
        self.max_runtime = max_runtime
        self.started = time.monotonic()
        self.deadline = self.started + max_runtime if max_runtime > 0 else math.inf
        self.used = 0
        self.peak = 0
        self._interval = self._countdown = 1  # ticks between two looks at the clock
        self._checked = self.started  # when tick() last looked
        self.writes_executed = 0
        self.writes_ignored = 0
        # the scan statistics, counted only when asked for (None: not counted)
        self.counters = QueryStats() if statistics else None
        # counted with ArangoDB's fullCount: the last top-level LIMIT reads its input to
        # the end, so that the statistics count what ArangoDB's plan reads then
        self.drains_final_limit = False

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None, statistics: bool = False) -> Budget:
        """The budget of ArangoDB query ``options`` (see the module docstring); with
        ``statistics``, ``fullCount`` counts as ArangoDB counts it (see
        :attr:`drains_final_limit`)."""
        if not options:
            return cls(statistics=statistics)
        budget = cls(
            int(_number(options, "memoryLimit")),
            float(_number(options, "maxRuntime")),
            statistics,
        )
        budget.drains_final_limit = statistics and options.get("fullCount") is True
        return budget

    @property
    def counts_memory(self) -> bool:
        """Whether there is a memory limit (when there is none, nothing is estimated)."""
        return self.memory_limit > 0

    # ------------------------------------------------------------------ time

    def tick(self) -> None:
        """One more unit of work; check the deadline every few units (see :data:`CHECK_EVERY`):
        slow units are checked one by one, fast ones every 32."""
        self._countdown -= 1
        if self._countdown <= 0:
            now = time.monotonic()
            if now > self.deadline:
                raise self.killed()
            if now - self._checked > SLOW_CHECK_SECONDS:
                self._interval = 1
            elif self._interval < CHECK_EVERY:
                self._interval *= 2
            self._countdown = self._interval
            self._checked = now

    def check_time(self) -> None:
        """Fail (1500) when the query has run past its ``maxRuntime``."""
        if time.monotonic() > self.deadline:
            raise self.killed()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or fail (1500) when the deadline comes first."""
        if seconds <= 0:
            self.check_time()
            return
        wake = time.monotonic() + seconds
        if wake > self.deadline:
            time.sleep(max(0.0, self.deadline - time.monotonic()))
            raise self.killed()
        time.sleep(seconds)

    def killed(self) -> QueryError:
        """Error 1500; its ``details["limit"]`` names the option (as the memory error's does)."""
        return QueryError(
            f"query killed: it ran longer than its maxRuntime ({self.max_runtime:g} s)",
            ERROR_QUERY_KILLED,
            limit="maxRuntime",
        )

    # ------------------------------------------------------------------ memory

    def charge(self, nbytes: int) -> None:
        """Account ``nbytes`` more held by the query; fail (32) past the memory limit."""
        used = self.used + nbytes
        if used > self.memory_limit > 0:
            raise QueryError(
                "query would use more memory than allowed "
                f"(memoryLimit: {self.memory_limit} bytes)",
                ERROR_RESOURCE_LIMIT,
                limit="memoryLimit",
            )
        self.used = used
        if used > self.peak:
            self.peak = used

    def release(self, nbytes: int) -> None:
        """Account ``nbytes`` freed (what a finished part of the plan charged)."""
        self.used -= nbytes

    def check_room(self, nbytes: int) -> None:
        """Fail (32) unless ``nbytes`` more would fit: for a value about to be built whose
        keeper is not accounted (a range in an expression); it counts where it is kept."""
        self.charge(nbytes)
        self.used -= nbytes

    def stats(self) -> dict[str, Any]:
        """ArangoDB's names: the writes made, the scan statistics when counted, the peak of
        accounted memory and the run time so far."""
        stats: dict[str, Any] = {
            "writesExecuted": self.writes_executed,
            "writesIgnored": self.writes_ignored,
        }
        if self.counters is not None:
            stats.update(self.counters.as_dict())
        stats["peakMemoryUsage"] = self.peak
        stats["executionTime"] = time.monotonic() - self.started
        return stats


class Held:
    """What one part of the plan holds (a SORT's rows, a COLLECT's groups, ...): charged
    to the budget as it grows, released all at once when the part is done with it."""

    __slots__ = ("budget", "nbytes")

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.nbytes = 0

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *exc: object) -> None:
        self.budget.release(self.nbytes)
        self.nbytes = 0

    def charge(self, nbytes: int) -> None:
        self.budget.charge(nbytes)
        self.nbytes += nbytes

    def release(self, nbytes: int) -> None:
        """Give back ``nbytes`` of what was charged (a part freed before the end)."""
        self.budget.release(nbytes)
        self.nbytes -= nbytes

    def charge_value(self, value: Any) -> None:
        """Charge a kept value (when the budget counts memory)."""
        if self.budget.counts_memory:
            self.charge(_POINTER_BYTES + estimate_size(value))
