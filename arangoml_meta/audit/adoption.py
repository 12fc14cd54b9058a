"""Beginning the audit log of a store that has documents already.

A store made before the log existed (schema version 4 and older), or one whose
log is turned on later, gets one ``adopt`` record per document it holds, with
its digest: from then on, a change made around the library shows in ``audit
verify`` like any other. What happened before is not in the log (the
documents' own ``created_by`` / ``created_at`` and the deletion records say
what they say, unverified).
"""

from __future__ import annotations

from collections.abc import Sequence

from .recorder import AuditedBackend, version_of
from .records import AUDIT_LOG, content_digest, entry
from .verify import audited_collections

_NAMED = f"FOR b IN {AUDIT_LOG} FOR r IN b.records RETURN DISTINCT r.target"
_DOCUMENTS = "FOR d IN @@c SORT d._key RETURN d"
NOTE = {"note": "present when the audit log began"}


def adopt(backend: AuditedBackend, collections: Sequence[str] | None = None) -> int:
    """One ``adopt`` record per document no record names yet, in one transaction (so two
    processes beginning the log at once adopt each document once); the number written.
    ``collections``: only these (a new store holds nothing but its type registry)."""
    adopted = 0
    with backend.transaction(write=[AUDIT_LOG]) as session:
        named = set(session.query(_NAMED))
        for collection in collections or audited_collections(session):
            for doc in session.query(_DOCUMENTS, {"@c": collection}):
                if f"{collection}/{doc['_key']}" in named:
                    continue
                backend.add(
                    entry(
                        "adopt",
                        f"{collection}/{doc['_key']}",
                        collection,
                        version_of(doc),
                        None,
                        content_digest(doc),
                        dict(NOTE),
                    )
                )
                adopted += 1
    return adopted
