"""The audit log: a hash chain of records, one per write, in the same transaction as the write.

``records.py`` (what a record is, the blocks that store a transaction's records, digests
and hashes), ``recorder.py`` (the
backend that writes them), ``adoption.py`` (beginning the log of a store with
documents), ``verify.py`` (checking the chain and the documents against it),
``reading.py`` (filtering and exporting the log).
"""

from .adoption import adopt
from .recorder import UNAUDITED, AuditedBackend, Entry
from .records import AUDIT_LOG, GENESIS, content_digest, entry, expand, record_hash
from .verify import Verification, audited_collections, verify

__all__ = [
    "AUDIT_LOG",
    "GENESIS",
    "UNAUDITED",
    "AuditedBackend",
    "Entry",
    "Verification",
    "adopt",
    "audited_collections",
    "content_digest",
    "entry",
    "expand",
    "record_hash",
    "verify",
]
