"""Dumps of a store in arangodump's format, and restoring them, on either backend.

``store dump DIR`` writes what arangodump 3.12 writes (``files.py``): so a store
moves from the embedded engine to ArangoDB with ``arangorestore --input-directory DIR
--include-system-collections true`` (the named graphs are in ``_graphs``), and back
with ``arangodump`` then ``store restore DIR``. Dumping then restoring an embedded
store gives the same store: every document (keys and revisions), every index, the
key generators, the graph definitions.
"""

from .dump import DumpReport, dump_store
from .restore import restore_store

__all__ = ["DumpReport", "dump_store", "restore_store"]
