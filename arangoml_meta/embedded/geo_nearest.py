"""Nearest first through a geo index: ``FOR d IN coll SORT <distance> LIMIT n``.

When the only SORT key after a FOR over a collection is one of the distances a
geo index answers (``geo_search.py``: ``DISTANCE`` on the index's fields,
``GEO_DISTANCE`` on its GeoJSON field, to a point not depending on ``d``),
ascending, and its FILTERs are all exact in SQL (nothing left to check in
Python), the FOR stage reads the rows in the order of that key through the
index, instead of computing the key of every row and sorting them:

- the rows the index leaves out (no position: null, or a distance the index
  does not place, such as a latitude of 200 that DISTANCE still measures) are
  read first, in insertion order, and their keys computed, as the SORT would;
- then caps of growing radius around the point (a quarter of a degree, four
  times as wide each round, up to the whole sphere): the rows in a cap's box
  are read once each, their keys computed; every row whose key is at most the
  cap's radius is then in its final place, since every row that near is in
  the box;
- rows go out in the order of (key, insertion order): the order the stable
  SORT gives, null first.

The key is the query's own expression evaluated on each row read, so the
order is exactly the SORT's, and the rows without a position warn as they
would. A descending SORT, a FILTER left to Python, or a point that is no
number in an execution read every row, sorted (the SORT and LIMIT stages).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..aql import ast as A
from .functions.geo import EARTH_RADIUS_M
from .geo_index import GeoIndexInfo
from .geo_search import Locate, cap_boxes, distance_index
from .layout import CollectionInfo
from .planner import ScanFilter, joined
from .sorted_reads import OrderedRows, Row
from .storage import Storage

Frame = list[Any]

_FIRST_ANGLE = math.radians(0.25)  # the first cap's radius
_GROWTH = 4.0


@dataclass
class NearestOrder:
    """A geo index that reads a scan in the order of its SORT key (see the module docstring)."""

    info: CollectionInfo
    index: GeoIndexInfo
    locate: Locate  # the point the distance is measured from
    key: Callable[[Frame], Any]  # the SORT key
    slot: int  # the FOR's variable

    def rows(
        self,
        storage: Storage,
        found: ScanFilter,
        columns: str,
        build: Callable[[Row], Any],
        ascending: bool,
        frame: Frame,
        wanted: int,
        batch: int,
    ) -> OrderedRows | None:
        """The scan's rows nearest first, or None when this execution cannot have them so."""
        if not ascending or found.residual:
            return None
        point = self.locate(frame)
        if point is None:
            return None
        where, params = joined(found.pushed)
        cache: dict[int, Row] = {}

        def rows_of(seqs: list[int]) -> dict[int, Row]:
            return {seq: cache.pop(seq) for seq in seqs if seq in cache}

        items = self._items(storage, where, params, columns, build, point, frame, cache)
        return OrderedRows(items, rows_of, build, wanted + 1, batch)

    def _items(
        self,
        storage: Storage,
        where: str,
        params: list[Any],
        columns: str,
        build: Callable[[Row], Any],
        point: tuple[float, float],
        frame: Frame,
        cache: dict[int, Row],
    ) -> Iterator[tuple[Any, int, Any]]:
        """(merge key, seq, SORT key) of every row, in the SORT's order."""
        tree, out = self.index.tables(self.info)
        table = self.info.table
        narrowed = f" AND {where}" if where else ""
        seen: set[int] = set()
        waiting: list[tuple[tuple[Any, ...], int, Any]] = []

        def read(condition: str, bound: list[Any]) -> None:
            statement = (
                f"SELECT {columns}, seq FROM {table} WHERE {condition}{narrowed} ORDER BY seq"
            )
            for row in storage.rows(statement, [*bound, *params]):
                seq = row[-1]
                if seq in seen:
                    continue
                seen.add(seq)
                frame[self.slot] = build(row)
                value = self.key(frame)
                cache[seq] = row
                # AQL's order of a distance: null, then numbers (no other value comes out)
                order = (0, 0.0) if value is None else (1, value)
                waiting.append(((*order, seq), seq, value))

        read(f"seq IN (SELECT seq FROM {out})", [])
        angle = _FIRST_ANGLE
        while True:
            boxes = cap_boxes(point[0], point[1], angle * EARTH_RADIUS_M)
            if boxes is None:
                read(f"seq IN (SELECT id FROM {tree})", [])
                waiting.sort()
                yield from waiting
                return
            (south, north), ranges = boxes
            lon_sql = " OR ".join("(min_lon <= ? AND max_lon >= ?)" for _ in ranges)
            bound: list[Any] = [north, south]
            for west, east in ranges:
                bound += [east, west]
            read(
                f"seq IN (SELECT id FROM {tree} WHERE min_lat <= ? AND max_lat >= ? "
                f"AND ({lon_sql}))",
                bound,
            )
            # every row at most this far is read: those are in their final order
            reach = angle * EARTH_RADIUS_M
            waiting.sort()
            settled = [item for item in waiting if item[2] is None or item[2] <= reach]
            waiting = waiting[len(settled) :]
            yield from settled
            angle *= _GROWTH


def nearest_order(
    info: CollectionInfo, key: A.Node, slot: int, compile_expr: Callable[[A.Node], Any]
) -> NearestOrder | None:
    """The :class:`NearestOrder` of a SORT key, when a geo index of ``info`` answers it."""
    found = distance_index(info, key, slot, compile_expr)
    if found is None:
        return None
    index, locate = found
    return NearestOrder(info, index, locate, compile_expr(key), slot)
