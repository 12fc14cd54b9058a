"""Checking the audit log: the chain, and the stored documents against it.

:func:`verify` walks the blocks in key order (a key is the sequence number of
the block's first record, which ArangoDB never lets change) and checks that
each one

- has the key of its ``seq``, and the number after the last record of the block
  before it (a gap is a deleted record or block, a key below it a record
  inserted in the block before, a key that is no sequence number an inserted
  block, a ``seq`` other than its key's a block moved);
- chains to its predecessor (``prev`` is the previous record's ``hash``);
- hashes to its ``hash``: its records, chained one to the next from ``prev``,
  end with that hash (a record of the block edited, removed, added or moved).

A problem is named by the block's records and key: ``records 42-45
(audit_log/000000000042)``.

Then every document of every audited collection is compared with the ``after``
digest of the last record naming it: a document changed, added or removed
around the library (AQL with ``--write``, another client, SQLite directly)
differs from what the log says. A chain rewritten from some record on — every
hash recomputed — verifies by itself; the head hash kept outside the store
(``audit head``, e.g. in a ticket or a signed commit) catches it:
``verify(anchor=HASH)`` fails unless the chain holds a record with that hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import Session
from ..deletion import DELETIONS
from ..environments import ENVIRONMENTS
from ..lineage.walk import EDGES
from .recorder import REGISTRY
from .records import AUDIT_LOG, GENESIS, KEY_DIGITS, content_digest, entries_of, expand

MAX_PROBLEMS = 100  # problems listed in a report (each kind is counted in full)
_TYPES = f"FOR t IN {REGISTRY} RETURN t.name"
_BLOCKS = f"FOR b IN {AUDIT_LOG} SORT b._key RETURN b"
_DOCUMENTS = "FOR d IN @@c SORT d._key RETURN d"
_NOT_NAMED = object()  # what ``last`` gives for a document no record names


@dataclass
class Problem:
    """One thing that does not verify: its kind, where (a block's records and key, or a
    document's id) and what is wrong."""

    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Verification:
    """What :func:`verify` found."""

    records: int = 0
    documents: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    anchor: str | None = None
    anchored: bool | None = None  # whether the chain holds the anchor (None: no anchor given)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # problems by kind

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def first(self) -> Problem | None:
        """The first broken place (the chain's before the documents')."""
        return self.problems[0] if self.problems else None

    def add(self, kind: str, where: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(kind, where, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "documents": self.documents,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "anchor": self.anchor,
            "anchored": self.anchored,
            "problems": [vars(p) for p in self.problems],
            "counts": self.counts,
        }


def audited_collections(session: Session) -> list[str]:
    """Every collection the log covers: the type registry, each type's collection, the
    lineage edges, environments and deletion records."""
    types = [str(name) for name in session.query(_TYPES)]
    return sorted({REGISTRY, DELETIONS, ENVIRONMENTS, *EDGES, *types})


def verify(session: Session, anchor: str | None = None) -> Verification:
    """Check the chain and the documents (see the module docstring)."""
    report = Verification(anchor=anchor, anchored=None if anchor is None else False)
    last = _walk_chain(session, report)
    _check_documents(session, report, last)
    if anchor is not None and not report.anchored:
        report.add(
            "anchor",
            "chain",
            f"no record has the anchor hash {anchor}: the chain was rewritten (or the anchor "
            "is from another store)",
        )
    return report


def _walk_chain(session: Session, report: Verification) -> dict[str, str | None]:
    """Check every block; the ``after`` digest of the last record naming each document."""
    last: dict[str, str | None] = {}
    expected, prev = 1, GENESIS
    for stored in _stream(session, _BLOCKS, {}):
        key = str(stored.get("_key"))
        entries = entries_of(stored)
        report.records += len(entries)
        if not (key.isdigit() and len(key) == KEY_DIGITS):
            where = f"{AUDIT_LOG}/{key}"
            report.add("inserted", where, "a block whose key is no sequence number was inserted")
            continue
        number = int(key)
        where = _place(number, len(entries), key)
        if number > expected:
            missing = f"{expected}" if number == expected + 1 else f"{expected}-{number - 1}"
            report.add("deleted", where, f"record(s) {missing} before these were deleted")
        elif number < expected:
            report.add(
                "inserted",
                where,
                f"the records before end at {expected - 1}: a record was inserted there",
            )
        if stored.get("seq") != number:
            report.add(
                "reordered",
                where,
                f"the block says seq {stored.get('seq')!r}: records were moved or renumbered",
            )
        if stored.get("prev") != prev:
            report.add(
                "chain",
                where,
                "its prev does not match the hash of the record before it: the chain is broken "
                "here (a record before it was changed, removed or inserted)",
            )
        hashes = [record["hash"] for record in expand({**stored, "seq": number})]
        if not entries or not all(isinstance(item, dict) for item in entries):
            report.add("edited", where, "its records are no list of objects: the block was edited")
        elif hashes[-1] != stored.get("hash"):
            report.add(
                "edited",
                where,
                "its records do not match its hash: a record was edited, removed, added or moved",
            )
        prev = str(stored.get("hash"))
        if report.anchor is not None and (report.anchor == prev or report.anchor in hashes):
            report.anchored = True
        for item in entries:
            if isinstance(item, dict):
                target, kind = item.get("target"), item.get("type")
                if isinstance(target, str) and isinstance(kind, str):
                    last[target] = item.get("after")
        expected = number + len(entries)
        report.head_seq, report.head_hash = expected - 1, prev
    return last


def _place(first: int, count: int, key: str) -> str:
    """Where a block is: its records and its document (just the document when it holds
    none)."""
    if count < 1:
        return f"{AUDIT_LOG}/{key}"
    records = f"record {first}" if count == 1 else f"records {first}-{first + count - 1}"
    return f"{records} ({AUDIT_LOG}/{key})"


def _check_documents(session: Session, report: Verification, last: dict[str, str | None]) -> None:
    """Compare every audited document with the last digest the log has for it (each taken
    out of ``last`` as its document is seen: what is left names documents that are gone)."""
    for collection in audited_collections(session):
        for doc in _stream(session, _DOCUMENTS, {"@c": collection}):
            doc_id = f"{collection}/{doc['_key']}"
            report.documents += 1
            after: object = last.pop(doc_id, _NOT_NAMED)
            if after is _NOT_NAMED:
                report.add(
                    "unaudited",
                    doc_id,
                    "no audit record names it: it was written around the library",
                )
            elif after is None:
                report.add(
                    "unaudited",
                    doc_id,
                    "the log says it was deleted, but it exists: written again around the library",
                )
            elif content_digest(doc) != after:
                report.add(
                    "changed",
                    doc_id,
                    "its content does not match its last audited digest: changed around the "
                    "library",
                )
    for doc_id, after in last.items():
        if after is not None:
            report.add(
                "missing",
                doc_id,
                "the log says it exists, but it is gone: deleted around the library",
            )


def _stream(session: Session, aql: str, bind: dict[str, Any]) -> Iterator[dict[str, Any]]:
    cursor = session.cursor(aql, bind)
    try:
        yield from cursor
    finally:
        cursor.close()
