"""Reading the audit log: records filtered by period, actor, target and operation.

One AQL query (:data:`BLOCKS`) serves ``audit log`` (a page, newest last) and
``audit export`` (every record, streamed as JSON lines): it selects the blocks
of the period and actor in the log's order (by key: a block's key is its first
sequence number, zero-padded, so the primary index gives that order and a cursor
streams) and, in each, the positions of the records of the operation and target
asked for; the records are expanded from their blocks
(``records.expand``: seq, prev and hash computed). A target given as
``TYPE/NAME`` (no version) means every version of the name: its keys are
``NAME-vN``.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from ..backends.base import Session
from ..errors import BadParameterError
from ..refs import is_valid_name
from .records import AUDIT_LOG, expand

BLOCKS = f"""
FOR b IN {AUDIT_LOG}
  FILTER @since == null OR b.at >= @since
  FILTER @until == null OR b.at < @until
  FILTER @actor == null OR b.actor == @actor
  SORT b._key
  LET hits = (
    FOR i IN 0..LENGTH(b.records) - 1
      LET r = b.records[i]
      FILTER r != null
      FILTER @op == null OR r.op == @op
      FILTER @target == null OR r.target == @target
        OR (@versions != null AND REGEX_TEST(r.target, @versions))
      RETURN i
  )
  FILTER LENGTH(hits) > 0
  RETURN {{block: UNSET(b, '_id', '_rev'), hits: hits}}
"""
_HEAD = f"FOR b IN {AUDIT_LOG} SORT b._key DESC LIMIT 1 RETURN b"  # see recorder._HEAD


@dataclass(frozen=True)
class RecordFilter:
    """Which records: ``since`` inclusive, ``until`` exclusive (ISO dates or times), who,
    what operation, which document (an id, or ``TYPE/NAME`` for all its versions)."""

    since: str | None = None
    until: str | None = None
    actor: str | None = None
    op: str | None = None
    target: str | None = None

    def bind(self) -> dict[str, Any]:
        versions = None
        if self.target is not None:
            collection, _, key = self.target.partition("/")
            if not collection or not key:
                raise BadParameterError(
                    f"a target is a document id or TYPE/NAME (not {self.target!r})"
                )
            if is_valid_name(key):
                versions = f"^{re.escape(self.target)}-v[0-9]+$"
        return {
            "since": self.since,
            "until": self.until,
            "actor": self.actor,
            "op": self.op,
            "target": self.target,
            "versions": versions,
        }


def records(
    session: Session, which: RecordFilter, *, offset: int = 0, limit: int | None = None
) -> Generator[dict[str, Any], None, None]:
    """The records ``which`` selects, oldest first, as they are read."""
    cursor = session.cursor(BLOCKS, which.bind())
    try:
        stop = None if limit is None else offset + limit
        yield from itertools.islice(_selected(cursor), offset, stop)
    finally:
        cursor.close()


def _selected(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        hits = set(row["hits"])
        for position, record in enumerate(expand(row["block"])):
            if position in hits:
                yield record


def head(session: Session) -> dict[str, Any] | None:
    """The last record (None when the log is empty)."""
    rows = session.query(_HEAD)
    if not rows:
        return None
    last = deque(expand(rows[0]), maxlen=1)
    return last[0] if last else None
