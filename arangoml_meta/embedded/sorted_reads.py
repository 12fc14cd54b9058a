"""Reading the ranges of a persistent index in AQL's order (see ``index_sort.py``).

An index orders rows by the JSON type of a value, then by the value: not
AQL's order. So the rows are read one type class at a time, in AQL's order
(reversed for DESC): null, false, true, numbers, then strings, arrays and
objects. One statement first finds which ranges (pinned prefix and JSON type)
hold rows at all. Each class's ranges are read in index order, in batches as
they are consumed, and merged: integers and reals by value (exactly, see
:func:`_exact_numbers`), null and the booleans by insertion order. SQLite
orders strings by code point, not as AQL does (see ``collation.py``): a range
of strings alone is read in index order a batch at a time, each batch sorted
here (needlessly when ``text_ranges.in_aql_order`` shows its code point order is
AQL's), while a few seeks show that no row past the batch may sort among it
(``text_ranges.py``: ISO timestamps, keys); otherwise, and when arrays or
objects are present, the rows of the last three classes are all read, their
sequence number and value only, and sorted in Python. Within a value, rows
come in insertion order (``seq``), as a stable sort of a scan leaves them.

Only (value, seq) pairs come from the ranges; :class:`OrderedRows` fetches
the documents a stage asks for, a batch at a time. For a SORT and LIMIT the
batches double as they are consumed; for a SORT alone, which yields every
row (a cursor streams them), they double up to :data:`_STREAM_MOST` rows, and
each read of a range seeks past the last row read instead of skipping an
OFFSET of them (a cap would make the OFFSETs' cost quadratic). Its memory
stays bounded but for the reads sorted in Python, which hold a (value, seq)
pair a row, and runs of equal numbers SQLite reads as one double. A range
pinned to a few rows (the versions of one name) is read whole instead,
documents and all, with one statement, and sorted here (:func:`_small_range`):
the class-by-class reads cost four statements or more whatever the range's size.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .collation import collation_key
from .index_sort import Condition, IndexOrder
from .storage import Storage, decode, json_path
from .text_ranges import Range, in_aql_order, unsafe_ranges
from .values import SortKey, type_rank, value_at

Row = tuple[Any, ...]
# (merge key, seq, AQL value of the first SORT key)
Item = tuple[Any, int, Any]

_ARROW = sqlite3.sqlite_version_info >= (3, 38, 0)  # `doc -> path` gives the value as JSON

# AQL's type order as the JSON types of an index (the last step sorts in Python)
_STEPS: tuple[tuple[str, ...], ...] = (
    ("null",),
    ("false",),
    ("true",),
    ("integer", "real"),
    ("text", "array", "object"),
)
_SORTED_IN_PYTHON = ("text", "array", "object")
_JSON_TYPES = tuple(t for step in _STEPS for t in step)
_CONSTANT = {"null": None, "false": False, "true": True}
_FEW_STRINGS = 16  # the least a range of strings is read by
# the most rows of a pinned range read whole and sorted here (see _small_range)
_SMALL_RANGE = 16
# a SORT without LIMIT: the first reads of a stream, and the most rows a read (or a
# fetch of documents) takes (~1 KB documents: about a megabyte a batch)
_STREAM_FIRST = 64
_STREAM_MOST = 1024


def ordered_rows(
    order: IndexOrder,
    storage: Storage,
    columns: str,
    build: Callable[[Row], Any],
    ascending: bool,
    wanted: int | None,
    batch: int,
) -> OrderedRows:
    """The rows of a scan in sort order; ``build`` makes a document of a row of ``columns``.

    ``wanted`` (how many rows the stage yields) sizes the first reads, ``batch``
    the first fetch of documents; ``wanted`` None: every row, streamed in batches
    of at most :data:`_STREAM_MOST` (``batch`` is not used).
    """
    small = _small_range(order, storage, columns, build, ascending)
    if small is not None:
        return small
    reader = _ClassReader(order, storage, ascending, wanted)
    table = order.info.table
    one = f"SELECT {columns}, seq FROM {table} WHERE seq = ?"
    many = f"SELECT {columns}, seq FROM {table} WHERE seq IN (SELECT value FROM json_each(?))"

    def rows_of(seqs: list[int]) -> dict[int, Row]:
        found = (
            storage.rows(one, seqs) if len(seqs) == 1 else storage.rows(many, [json.dumps(seqs)])
        )
        return {row[-1]: row for row in found}

    if wanted is None:
        first = _STREAM_FIRST
        return OrderedRows(reader.items(), rows_of, build, first, first, _STREAM_MOST)
    return OrderedRows(reader.items(), rows_of, build, wanted + 1, batch)


def _small_range(
    order: IndexOrder,
    storage: Storage,
    columns: str,
    build: Callable[[Row], Any],
    ascending: bool,
) -> OrderedRows | None:
    """The rows of a range pinned to one index prefix, when it holds no more than
    :data:`_SMALL_RANGE` of them: read with their documents in one statement (bounded by
    a LIMIT, so a larger range costs that much more) and sorted here. None otherwise."""
    if len(order.prefixes) != 1 or not order.prefixes[0][0]:
        return None  # several prefixes, or none: the range may be the whole collection
    if order.partial:
        # a sparse index: SQLite would not use it for these conditions alone (and the sort
        # path's nulls lie outside it), so the statement might read the whole collection
        return None
    pinned, pinned_params = order.prefixes[0]
    where = f"{order.where} AND {pinned}" if order.where else pinned
    sql = f"SELECT {columns}, seq FROM {order.info.table} WHERE {where} LIMIT ?"
    rows = storage.rows(sql, [*order.params, *pinned_params, _SMALL_RANGE + 1])
    if len(rows) > _SMALL_RANGE:
        return None
    documents: dict[int, Any] = {}
    items: list[Item] = []
    for row in rows:
        seq = row[-1]
        document = documents[seq] = build(row)
        value = value_at(document, order.path)
        items.append((_python_sort_key(value), seq, value))
    items.sort(key=_second)  # insertion order among equal values (a stable sort keeps it)
    items.sort(key=_first, reverse=not ascending)
    return OrderedRows(
        iter(items), lambda seqs: {seq: documents[seq] for seq in seqs}, _same, len(items), 1
    )


def _same(document: Any) -> Any:
    return document


class OrderedRows:
    """(first key value, seq) of the rows in sort order, and each document on demand.

    Candidates are taken ``wanted + 1`` at a time (the stage may look at one
    more to see where a run of equal keys ends), then twice as many. A
    document is fetched with those of the next candidates of its batch
    (``batch`` of them, then twice as many), so that candidates skipped by an
    offset or looked at only for their key cost no document. Both grow to at
    most ``most`` (None: without bound).
    """

    def __init__(
        self,
        items: Iterator[Item],
        rows_of: Callable[[list[int]], dict[int, Row]],
        build: Callable[[Row], Any],
        candidates: int,
        batch: int,
        most: int | None = None,
    ) -> None:
        self._items = items
        self._rows_of = rows_of
        self._build = build
        self._candidates = candidates
        self._batch = max(batch, 1)
        self._most = most
        self._current: list[Item] = []
        self._at = 0  # the index in _current of the candidate last yielded
        self._rows: dict[int, Row] = {}

    def __iter__(self) -> Iterator[tuple[Any, int]]:
        while True:
            current = list(itertools.islice(self._items, self._candidates))
            if not current:
                return
            self._candidates = _doubled(self._candidates, self._most)
            self._current = current
            for at, (_, seq, value) in enumerate(current):
                self._at = at
                yield value, seq

    def document(self, seq: int) -> Any:
        """The document of ``seq``, the candidate just yielded."""
        row = self._rows.pop(seq, None)
        if row is None:
            seqs = [item[1] for item in self._current[self._at : self._at + self._batch]]
            self._rows = self._rows_of(seqs)
            self._batch = _doubled(self._batch, self._most)
            row = self._rows.pop(seq)
        return self._build(row)


def _doubled(size: int, most: int | None) -> int:
    """A batch's next size: twice as large, up to ``most`` (None: no bound)."""
    return size * 2 if most is None else min(size * 2, most)


class _ClassReader:
    """The statements reading an :class:`IndexOrder`'s items, class by class
    (``wanted`` None: every row, in batches of at most :data:`_STREAM_MOST`)."""

    def __init__(
        self,
        order: IndexOrder,
        storage: Storage,
        ascending: bool,
        wanted: int | None,
    ) -> None:
        self.order = order
        self.storage = storage
        self.where, self.params = order.where, order.params
        self.ascending = ascending
        # two more: one shows where the last run of equal keys ends, one is read ahead
        self.first_batch = _STREAM_FIRST if wanted is None else wanted + 2
        self.most = _STREAM_MOST if wanted is None else None
        self.type_sql, self.value_sql = order.info.typed_value_sql(order.path)
        # see _bounds: found once, as the primary index holds one range (strings)
        self._bounded: tuple[list[str], list[str]] | None = None

    def items(self) -> Iterator[Item]:
        """Every row's item, in sort order."""
        return itertools.chain.from_iterable(self._classes())

    def _classes(self) -> Iterator[Iterator[Item]]:
        present = self._present()
        for types in _STEPS if self.ascending else reversed(_STEPS):
            ranges = [
                (prefix, json_type)
                for i, prefix in enumerate(self.order.prefixes)
                for json_type in types
                if (i, json_type) in present
            ]
            if not ranges:
                continue
            if not self.where and ranges == [(ranges[0][0], "text")]:
                # (with other conditions SQLite might walk the whole index for a few rows)
                yield self._text_range(ranges[0][0])
            elif types[0] in _SORTED_IN_PYTHON:
                yield self._sorted_in_python(ranges)
            else:
                streams = [self._stream(prefix, json_type) for prefix, json_type in ranges]
                yield streams[0] if len(streams) == 1 else heapq.merge(*streams)

    def _present(self) -> set[tuple[int, str]]:
        """The (prefix, JSON type) ranges of the index holding rows: one statement, a seek each.

        Only the index's own conditions count (the scan's may exclude every row of
        a range: reading it finds out). A sparse index lacks the sort path's nulls:
        they are read when their turn comes.
        """
        order = self.order
        prefixes = order.prefixes
        sql, probed, unknown = _probe_sql(
            order.info.table,
            self.type_sql,
            tuple(prefix for prefix, _ in prefixes),
            order.partial,
            order.skip_null,
        )
        present = set(unknown)
        if probed:
            params = [p for i, _ in probed for p in prefixes[i][1]]
            found = self.storage.rows(sql, params)[0]
            present.update(key for key, exists in zip(probed, found, strict=True) if exists)
        return present

    def _where(self, prefix: Condition, types: tuple[str, ...]) -> tuple[str, list[Any]]:
        """The SQL reading one range of the index: the scan's, a prefix, JSON types, and
        the primary index's bounds (see :meth:`_bounds`)."""
        where, params = self._unbounded(prefix, types)
        if not self.order.bounds:
            return where, params
        terms, values = self._bounds(where, params)
        return " AND ".join((where, *terms)), [*params, *values]

    def _bounds(self, where: str, params: list[Any]) -> tuple[list[str], list[str]]:
        """SQL bounding a read of the primary index by the FILTER's ``_key`` ranges, each
        where no row outside it may satisfy its range: those past the bound in code point
        order all sort past it in AQL's too (two statements a range; see ``text_ranges.py``),
        and only the bound itself equals it. The FILTER still checks each row read: the
        bounds only spare rows that fail it."""
        if self._bounded is None:
            terms: list[str] = []
            values: list[str] = []
            for op, bound in self.order.bounds:
                below = op in (">", ">=")  # the rows the bound leaves out are below it
                if not self._any_past(bound, where, params, not below):
                    terms.append(f"{self.value_sql} {op} ?")
                    values.append(bound)
            self._bounded = terms, values
        return self._bounded

    def _unbounded(self, prefix: Condition, types: tuple[str, ...]) -> tuple[str, list[Any]]:
        terms = [self.where] if self.where else []
        if prefix[0]:
            terms.append(prefix[0])
        quoted = [f"'{t}'" for t in types]
        if len(quoted) == 1:
            terms.append(f"{self.type_sql} = {quoted[0]}")
        else:
            terms.append(f"{self.type_sql} IN ({', '.join(quoted)})")
        if "null" not in types:  # the sort path's nulls are not in a sparse index
            terms += self.order.partial
        return " AND ".join(terms), [*self.params, *prefix[1]]

    def _batches(
        self, select: str, where: str, params: list[Any], direction: str
    ) -> Iterator[list[Row]]:
        """The rows ``(seq, value, *select)`` of ``where`` ordered by value (``direction``),
        then seq, in growing batches read as they are consumed: by LIMIT and OFFSET, or,
        when the batches stop growing (:attr:`most`), each past the last row read."""
        head = f"SELECT seq, {self.value_sql}{select} FROM {self.order.info.table} WHERE {where}"
        ordered = f"{head} ORDER BY {self.value_sql}{direction}, seq LIMIT ?"
        size = self.first_batch
        if self.most is None:
            offset = 0
            while True:
                rows = self.storage.rows(f"{ordered} OFFSET ?", [*params, size, offset])
                yield rows
                if len(rows) < size:
                    return
                offset += size
                size *= 2
        rows = self.storage.rows(ordered, [*params, size])
        past = "<" if direction else ">"
        while len(rows) == size:
            yield rows
            seq, value = rows[-1][0], rows[-1][1]
            size = min(size * 2, self.most)
            # the rest of the last value's run (ORDER BY seq: SQLite sorts nothing), then
            # the values past it: each a seek of the index
            rows = self.storage.rows(
                f"{head} AND {self.value_sql} = ? AND seq > ? ORDER BY seq LIMIT ?",
                [*params, value, seq, size],
            )
            if len(rows) < size:
                rows += self.storage.rows(
                    f"{head} AND {self.value_sql} {past} ? "
                    f"ORDER BY {self.value_sql}{direction}, seq LIMIT ?",
                    [*params, value, size - len(rows)],
                )
        yield rows

    def _stream(self, prefix: Condition, json_type: str) -> Iterator[Item]:
        """One range of a class the index orders (null, false, true, numbers)."""
        where, params = self._where(prefix, (json_type,))
        if json_type in _CONSTANT:
            # one value: the index holds these rows in seq order, whatever the direction
            value = _CONSTANT[json_type]
            batches = self._batches("", where, params, "")
            return itertools.chain.from_iterable(
                [(0, row[0], value) for row in rows] for rows in batches
            )
        # the JSON text of a real, to read it exactly; an integer's only when SQLite
        # read it as a double (beyond 64 bits: rare, fetched then)
        text = _json_text(self.order.path) if json_type == "real" else "NULL"
        direction = "" if self.ascending else " DESC"
        batches = self._batches(f", {text}", where, params, direction)
        return itertools.chain.from_iterable(
            _exact_numbers(batches, self.ascending, self._texts_of)
        )

    def _texts_of(self, seqs: list[int]) -> dict[int, str]:
        """The JSON texts of the first SORT key of some rows."""
        sql = (
            f"SELECT seq, {_json_text(self.order.path)} FROM {self.order.info.table} "
            "WHERE seq IN (SELECT value FROM json_each(?))"
        )
        return dict(self.storage.rows(sql, [json.dumps(seqs)]))

    def _text_range(self, prefix: Condition) -> Iterator[Item]:
        """The strings of one range in AQL's order, read in index order a batch at a time
        while no row past a batch may sort among its rows (see ``text_ranges.py``).

        Each round reads the next rows past the last boundary (the last row read) and
        yields, of those read and not yet yielded, the ones AQL sorts before the new
        boundary, then every row equal to it: every row not read sorts after it. When a
        row past a boundary may sort before it, every row is sorted here instead and as
        many as were yielded are skipped. The primary index's bounds are left out of that
        check (SQLite would seek by them, not by the ranges checked): more rows to check.
        """
        table = self.order.info.table
        where, params = self._where(prefix, ("text",))
        check = self._unbounded(prefix, ("text",))
        value = self.value_sql
        direction, past = ("", ">") if self.ascending else (" DESC", "<")
        carry: list[Row] = []  # read, not yielded: each sorts after the last boundary
        last: str | None = None
        # a name's few rows are read whole: no seeks to check them
        size, produced = max(self.first_batch, _FEW_STRINGS), 0
        while True:
            bound = "" if last is None else f" AND {value} {past} ?"
            rows = self.storage.rows(
                f"SELECT seq, {value} FROM {table} WHERE {where}{bound} "
                f"ORDER BY {value}{direction} LIMIT ?",
                [*params, *([] if last is None else [last]), size],
            )
            # with no row carried, rows whose two orders agree need no collation keys
            agreeing = None if carry else _agreeing_strings(rows, self.ascending)
            if len(rows) < size:  # every row left
                yield from agreeing or _sorted_strings(carry + rows, self.ascending)
                return
            boundary = rows[-1][1]
            if self._any_past(boundary, *check, self.ascending):
                everything = self._sorted_in_python([(prefix, "text")])
                yield from itertools.islice(everything, produced, None)
                return
            if agreeing is not None:
                before = [item for item in agreeing if item[2] != boundary]
            else:
                before, carry = self._split(carry, rows, boundary)
            yield from before  # often all a LIMIT wants
            produced += len(before)
            for equal in self._equal(where, params, boundary):
                yield from ((0, seq, boundary) for (seq,) in equal)
                produced += len(equal)
            last, size = boundary, _doubled(size, self.most)

    def _split(
        self, carry: list[Row], rows: list[Row], boundary: str
    ) -> tuple[list[Item], list[Row]]:
        """Of the rows carried and read (but those equal to ``boundary``), the ones AQL
        sorts before the boundary, as items in order, and the others (carried on)."""
        key = collation_key(boundary)
        before: list[Row] = []
        after: list[Row] = []
        for row in itertools.chain(carry, rows):
            if row[1] != boundary:
                sooner = (collation_key(row[1]) < key) == self.ascending
                (before if sooner else after).append(row)
        return _sorted_strings(before, self.ascending), after

    def _equal(self, where: str, params: list[Any], value: Any) -> Iterator[list[Row]]:
        """The seqs of the rows of ``where`` whose value is ``value``, in order: all at
        once, or at most :attr:`most` at a time (each batch past the last one's seq)."""
        sql = f"SELECT seq FROM {self.order.info.table} WHERE {where} AND {self.value_sql} = ?"
        if self.most is None:
            yield self.storage.rows(f"{sql} ORDER BY seq", [*params, value])
            return
        seqs = self.storage.rows(f"{sql} ORDER BY seq LIMIT ?", [*params, value, self.most])
        while len(seqs) == self.most:
            yield seqs
            seqs = self.storage.rows(
                f"{sql} AND seq > ? ORDER BY seq LIMIT ?", [*params, value, seqs[-1][0], self.most]
            )
        yield seqs

    def _any_past(self, boundary: str, where: str, params: list[Any], ascending: bool) -> bool:
        """Whether a row past ``boundary`` in index order (above it when ``ascending``) may
        sort before it (or equal it) in AQL's order, that direction: one seek for the last
        row, then one statement, a seek a range.
        """
        table, value = self.order.info.table, self.value_sql
        direction = " DESC" if ascending else ""
        found = self.storage.rows(
            f"SELECT {value} FROM {table} WHERE {where} ORDER BY {value}{direction} LIMIT 1",
            params,
        )
        last = found[0][0] if found else None
        if self.most is None:
            ranges = _ranges_json(boundary, ascending, last)
        else:  # a stream: each boundary once
            ranges = _as_json(unsafe_ranges.__wrapped__(boundary, ascending, last))
        if ranges is None:
            return True
        if not ranges:
            return False
        # one seek a range; a string is less than any blob, so no end is X''. The table's
        # columns are unqualified (json_each has a ``key`` too): its scope is the inner one
        sql = (
            f"SELECT EXISTS (SELECT 1 FROM json_each(?) AS r WHERE EXISTS (SELECT 1 FROM {table} "
            f"WHERE {where} AND {value} >= json_extract(r.value, '$[0]') "
            f"AND {value} < coalesce(json_extract(r.value, '$[1]'), X'') "
            f"AND {value} IS NOT json_extract(r.value, '$[2]')))"
        )
        return bool(self.storage.rows(sql, [ranges, *params])[0][0])

    def _sorted_in_python(self, ranges: list[tuple[Condition, str]]) -> Iterator[Item]:
        """Classes SQLite does not order as AQL: every (seq, value) of them, sorted here
        (strings alone, when their order by code point is AQL's: without collation keys)."""
        table = self.order.info.table
        rows: list[Row] = []
        strings = True
        for prefix, types in itertools.groupby(ranges, key=_first):
            where, params = self._where(prefix, tuple(json_type for _, json_type in types))
            sql = (
                f"SELECT seq, {self.type_sql} = 'text', {self.value_sql} FROM {table} WHERE {where}"
            )
            for seq, is_text, text in self.storage.rows(sql, params):
                rows.append((seq, text if is_text else decode(text)))
                strings = strings and is_text
        agreeing = _agreeing_strings(rows, self.ascending) if strings else None
        if agreeing is not None:
            yield from agreeing
            return
        found = [(_python_sort_key(value), seq, value) for seq, value in rows]
        del rows
        found.sort(key=_second)  # insertion order among equal values (a stable sort keeps it)
        found.sort(key=_first, reverse=not self.ascending)
        yield from found


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _second(item: tuple[Any, ...]) -> Any:
    return item[1]


@functools.lru_cache(maxsize=1024)
def _ranges_json(boundary: str, ascending: bool, last: str | None) -> str | None:
    """:func:`unsafe_ranges` as :func:`_as_json` sends them (a page or the newest is
    read again and again: both are kept; a stream's boundaries would only fill them)."""
    return _as_json(unsafe_ranges(boundary, ascending, last))


def _as_json(ranges: tuple[Range, ...] | None) -> str | None:
    """Ranges as a JSON list of ``[first, end, left out]`` ("" when none).

    SQLite's ``json_extract`` ends a string at a NUL: a range from ``prefix + "\\0"``
    is sent as one from ``prefix`` that leaves ``prefix`` out (else ``prefix``, a key
    that others extend, would count as in the range)."""
    if ranges is None:
        return None
    sent = [
        [first[:-1], end, first[:-1]] if first.endswith("\0") else [first, end, None]
        for first, end in ranges
    ]
    return json.dumps(sent) if sent else ""


def _agreeing_strings(rows: list[Row], ascending: bool) -> list[Item] | None:
    """Rows ``(seq, string)`` as items in AQL's order, equal strings by seq, when their
    order by code point is AQL's (see :func:`in_aql_order`); None when not shown."""
    ordered = sorted(rows, key=_first)  # by seq, then by code point (stable)
    ordered.sort(key=_second)
    if not in_aql_order([text for _, text in ordered]):
        return None
    if not ascending:  # by code point descending, equal strings still by seq (stable)
        ordered.sort(key=_second, reverse=True)
    return [(0, seq, text) for seq, text in ordered]


def _sorted_strings(rows: list[Row], ascending: bool) -> list[Item]:
    """Rows ``(seq, string)`` as items in AQL's order, equal strings by seq."""
    items = [((type_rank(text), collation_key(text)), seq, text) for seq, text in rows]
    items.sort(key=_second)
    items.sort(key=_first, reverse=not ascending)
    return items


def _python_sort_key(value: Any) -> Any:
    if type(value) is str:
        return (type_rank(value), collation_key(value))
    return (type_rank(value), SortKey(value))


@functools.lru_cache(maxsize=256)
def _probe_sql(
    table: str, type_sql: str, prefixes: tuple[str, ...], partial: tuple[str, ...], skip_null: bool
) -> tuple[str, tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]:
    """The statement of :meth:`_ClassReader._present`: (SQL, the ranges it probes, in
    order, and those it cannot: a sparse index's nulls)."""
    probes: list[str] = []
    probed: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    for i, prefix in enumerate(prefixes):
        for json_type in _JSON_TYPES:
            if json_type == "null" and skip_null:
                continue
            if json_type == "null" and partial:
                unknown.append((i, json_type))
                continue
            terms = [prefix] if prefix else []
            terms += [f"{type_sql} = '{json_type}'", *partial]
            probes.append(f"EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(terms)})")
            probed.append((i, json_type))
    return f"SELECT {', '.join(probes)}", tuple(probed), tuple(unknown)


def _json_text(path: list[str]) -> str:
    """SQL for the JSON text of the value at ``path``."""
    p = json_path(path).replace("'", "''")
    return f"doc -> '{p}'" if _ARROW else f"json_extract(doc, '{p}', '{p}')"


def _read_exact(text: str) -> Any:
    value = decode(text)
    return value if _ARROW else value[0]


def _exact_numbers(
    batches: Iterable[list[Row]],
    ascending: bool,
    texts_of: Callable[[list[int]], dict[int, str]],
) -> Iterator[list[Item]]:
    """One number range's rows ``(seq, SQLite's value, JSON text or None)`` as items in
    AQL's order.

    SQLite reads an integer as itself when it fits in 64 bits, other numbers
    as doubles: those it holds equal may differ, so each run of them is
    sorted by the exact value read from the JSON text (``texts_of`` gives
    those not read with the rows), then by seq. Between runs SQLite's order
    is the exact one (reading a number is monotonic).
    """
    run: list[Row] = []
    for rows in batches:
        items: list[Item] = []
        for row in rows:
            if run and row[1] != run[0][1]:
                items += _exact_run(run, ascending, texts_of)
                run = []
            sql_value = row[1]
            if type(sql_value) is int:
                items.append((sql_value if ascending else -sql_value, row[0], sql_value))
            else:
                run.append(row)
        yield items
    yield _exact_run(run, ascending, texts_of)


def _exact_run(
    run: list[Row], ascending: bool, texts_of: Callable[[list[int]], dict[int, str]]
) -> list[Item]:
    """A run of rows SQLite read as one double, as items sorted by exact value, then seq."""
    if not run:
        return []
    missing = [seq for seq, _, text in run if text is None]
    texts = texts_of(missing) if missing else {}
    items: list[Item] = []
    for seq, _, text in run:
        value = _read_exact(texts[seq] if text is None else text)
        items.append((value if ascending else -value, seq, value))
    items.sort(key=_merge_key)
    return items


def _merge_key(item: Item) -> tuple[Any, int]:
    return item[0], item[1]
