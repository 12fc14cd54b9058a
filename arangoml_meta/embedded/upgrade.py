"""Bringing a store file of an older storage format up to date, once, when it is opened.

``PRAGMA user_version`` holds the file's storage format (see ``layout.py``):
0 in files written before it was recorded, whose collection tables kept every
attribute, system ones included, in ``doc`` and had no ``rev`` column. Such a
file is rewritten table by table: each document's ``_rev`` goes to the new
column, its system attributes leave the JSON (which is encoded again, as a
write would encode it), rows keep their ``seq`` (the insertion order) and the
indexes are built again over the new layout. It all happens in the write
transaction the caller holds, which then records the new format: a process
that opens the file meanwhile waits, finds it converted, and converts nothing.
The storage then vacuums the file, whose old tables' pages are free.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from ..errors import ERROR_INCOMPATIBLE_VERSION, StoreError
from .codec import decode, encode
from .documents import REVISIONS
from .layout import FORMAT, CollectionInfo, IndexInfo, table_sql


def stored_format(conn: sqlite3.Connection) -> int:
    """The storage format of the open file (0 in a new file, or one written before formats)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_known(path: str, stored: int) -> None:
    """Refuse a file written by a newer arangoml-meta, whose layout this one cannot read."""
    if stored > FORMAT:
        raise StoreError(
            f"the store {path} has storage format {stored}, newer than this arangoml-meta "
            f"reads (format {FORMAT}): upgrade arangoml-meta to open it",
            ERROR_INCOMPATIBLE_VERSION,
        )


def upgrade(conn: sqlite3.Connection, stored: int) -> bool:
    """Bring a file of format ``stored`` to the current one (inside a write transaction);
    whether tables were rewritten."""
    rewritten = False
    if stored < 1:
        collections = [
            CollectionInfo(cid, name, bool(edge))
            for cid, name, edge in conn.execute("SELECT id, name, edge FROM _collections")
        ]
        for info in collections:
            info.indexes = [
                IndexInfo(iid, name, decode(fields), bool(unique), bool(sparse))
                for iid, name, fields, unique, sparse in conn.execute(
                    "SELECT id, name, fields, is_unique, sparse FROM _indexes "
                    "WHERE collection_id = ? ORDER BY id",
                    (info.id,),
                )
            ]
            _system_attributes_to_columns(conn, info)
        rewritten = bool(collections)
    conn.execute(f"PRAGMA user_version = {FORMAT}")
    return rewritten


def _system_attributes_to_columns(conn: sqlite3.Connection, info: CollectionInfo) -> None:
    """Format 0 to 1: one collection's table written anew (see the module docstring)."""
    table, new = info.table, f"{info.table}_format1"
    create = table_sql(new, info.edge)[0]  # the edge index is built once the rows are in
    conn.execute(create)
    ends = ", from_id, to_id" if info.edge else ""
    rows = conn.execute(f"SELECT seq, key, doc{ends} FROM {table}")
    marks = ", ?, ?" if info.edge else ""
    conn.executemany(
        f"INSERT INTO {new}(seq, key, rev, doc{ends}) VALUES (?, ?, ?, ?{marks})",
        _converted(rows, info),
    )
    conn.execute(f"DROP TABLE {table}")  # and its indexes
    conn.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for statement in table_sql(table, info.edge)[1:]:
        conn.execute(statement)
    for index in info.indexes:
        conn.execute(info.index_sql(index))


def _converted(rows: sqlite3.Cursor, info: CollectionInfo) -> Iterator[tuple[Any, ...]]:
    system = info.system
    for seq, key, text, *ends in rows:
        doc = decode(text)
        rev = doc.get("_rev")
        if type(rev) is not str:  # every write set one: this would be a damaged file
            rev = REVISIONS.next()
        yield (seq, key, rev, encode(doc, system), *ends)
