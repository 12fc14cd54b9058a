"""Store schema 5 → 6: the log's per-record documents become one-record blocks.

Schema 5 stored one ``audit_log`` document per record (``{_key, seq, at, actor,
user, op, target, ..., prev, hash}``); schema 6 stores one block per
transaction (``records.py``). Each old document is replaced, under its own key,
by the block holding just its record: the record's fields, sequence number,
``prev`` and ``hash`` are unchanged, so the chain verifies as it did, and the
blocks appended after them continue it. One transaction: the log is converted
whole or not at all; a document already a block is left as it is (another
process converting at once, or a second run, changes nothing).
"""

from __future__ import annotations

from typing import Any

from ..backends.base import Backend, Document
from .records import AUDIT_LOG, ENTRY_FIELDS

_RECORDS = f"FOR a IN {AUDIT_LOG} FILTER !HAS(a, 'records') RETURN a"


def one_record_block(record: Document) -> dict[str, Any]:
    """The block (without its key) holding the schema-5 ``record``, hash unchanged."""
    fields = {name: record[name] for name in ENTRY_FIELDS if record.get(name) is not None}
    return {
        "seq": record.get("seq"),
        "at": record.get("at"),
        "actor": record.get("actor"),
        "user": record.get("user"),
        "records": [fields],  # as records.entry makes it: its null fields left out
        "prev": record.get("prev"),
        "hash": record.get("hash"),
    }


def records_to_blocks(backend: Backend) -> int:
    """Every schema-5 record of the log as a one-record block; the number converted."""
    with backend.transaction(write=[AUDIT_LOG]) as session:
        rows = session.query(_RECORDS)
        for record in rows:
            session.replace(AUDIT_LOG, str(record["_key"]), one_record_block(record))
    return len(rows)
