"""Checking the audit log: the chain, and the stored documents against it.

:func:`verify` walks the records in key order (a key is the sequence number,
which ArangoDB never lets change) and checks that each one

- has the key of its ``seq``, and the next one after its predecessor (a gap is
  a deleted record, a key that is no sequence number an inserted one, a ``seq``
  other than its key's a record moved);
- chains to its predecessor (``prev`` is the previous ``hash``);
- hashes to its ``hash`` (an edited record).

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
from .records import AUDIT_LOG, GENESIS, KEY_DIGITS, content_digest, record_hash

MAX_PROBLEMS = 100  # problems listed in a report (each kind is counted in full)
_TYPES = f"FOR t IN {REGISTRY} RETURN t.name"
_RECORDS = f"FOR a IN {AUDIT_LOG} SORT a._key RETURN a"
_DOCUMENTS = "FOR d IN @@c SORT d._key RETURN d"


@dataclass
class Problem:
    """One thing that does not verify: its kind, where (a record's key or a document's
    id) and what is wrong."""

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
    """Check every record; the ``after`` digest of the last record naming each document."""
    last: dict[str, str | None] = {}
    expected, prev = 1, GENESIS
    for record in _stream(session, _RECORDS, {}):
        key = str(record.get("_key"))
        report.records += 1
        if not (key.isdigit() and len(key) == KEY_DIGITS):
            report.add("inserted", key, "a record whose key is no sequence number was inserted")
            continue
        number = int(key)
        if number > expected:
            missing = f"{expected}" if number == expected + 1 else f"{expected}..{number - 1}"
            report.add("deleted", key, f"record(s) {missing} before this one were deleted")
        elif number < expected:  # cannot happen with sorted unique keys; kept for safety
            report.add("reordered", key, "a record is out of sequence")
        if record.get("seq") != number:
            report.add(
                "reordered",
                key,
                f"the record says seq {record.get('seq')!r}: records were moved or renumbered",
            )
        if record.get("prev") != prev:
            report.add(
                "chain",
                key,
                "its prev does not match the hash of the record before it: the chain is broken "
                "here (a record before it was changed, removed or inserted)",
            )
        if record_hash(record) != record.get("hash"):
            report.add("edited", key, "its content does not match its hash: the record was edited")
        prev = str(record.get("hash"))
        if report.anchor is not None and prev == report.anchor:
            report.anchored = True
        target, kind = record.get("target"), record.get("type")
        if isinstance(target, str) and isinstance(kind, str):
            last[target] = record.get("after")
        expected = number + 1
        report.head_seq, report.head_hash = number, prev
    return last


def _check_documents(session: Session, report: Verification, last: dict[str, str | None]) -> None:
    """Compare every audited document with the last digest the log has for it."""
    seen: set[str] = set()
    for collection in audited_collections(session):
        for doc in _stream(session, _DOCUMENTS, {"@c": collection}):
            doc_id = f"{collection}/{doc['_key']}"
            seen.add(doc_id)
            report.documents += 1
            if doc_id not in last:
                report.add(
                    "unaudited",
                    doc_id,
                    "no audit record names it: it was written around the library",
                )
            elif last[doc_id] is None:
                report.add(
                    "unaudited",
                    doc_id,
                    "the log says it was deleted, but it exists: written again around the library",
                )
            elif content_digest(doc) != last[doc_id]:
                report.add(
                    "changed",
                    doc_id,
                    "its content does not match its last audited digest: changed around the "
                    "library",
                )
    for doc_id, after in last.items():
        if after is not None and doc_id not in seen:
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
