"""Reading the audit log: records filtered by period, actor, target and operation.

One AQL query (:data:`RECORDS`) serves ``audit log`` (a page, newest last) and
``audit export`` (every record, streamed as JSON lines). A target given as
``TYPE/NAME`` (no version) means every version of the name: its keys are
``NAME-vN``.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from ..backends.base import Session
from ..errors import BadParameterError
from ..refs import is_valid_name
from .records import AUDIT_LOG

RECORDS = f"""
FOR a IN {AUDIT_LOG}
  FILTER @since == null OR a.at >= @since
  FILTER @until == null OR a.at < @until
  FILTER @actor == null OR a.actor == @actor
  FILTER @op == null OR a.op == @op
  FILTER @target == null OR a.target == @target OR (@versions != null AND REGEX_TEST(a.target, @versions))
  SORT a.seq
  LIMIT @offset, @count
  RETURN a
"""
_HEAD = f"FOR a IN {AUDIT_LOG} SORT a.seq DESC LIMIT 1 RETURN a"
_ALL = 2**31


@dataclass(frozen=True)
class RecordFilter:
    """Which records: ``since`` inclusive, ``until`` exclusive (ISO dates or times), who,
    what operation, which document (an id, or ``TYPE/NAME`` for all its versions)."""

    since: str | None = None
    until: str | None = None
    actor: str | None = None
    op: str | None = None
    target: str | None = None

    def bind(self, offset: int = 0, count: int | None = None) -> dict[str, Any]:
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
            "offset": offset,
            "count": _ALL if count is None else count,
        }


def records(
    session: Session, which: RecordFilter, *, offset: int = 0, limit: int | None = None
) -> Generator[dict[str, Any], None, None]:
    """The records ``which`` selects, oldest first, as they are read."""
    cursor = session.cursor(RECORDS, which.bind(offset, limit))
    try:
        for record in cursor:
            record.pop("_id", None)
            record.pop("_rev", None)
            yield record
    finally:
        cursor.close()


def head(session: Session) -> dict[str, Any] | None:
    """The last record (None when the log is empty)."""
    rows = session.query(_HEAD)
    return rows[0] if rows else None
