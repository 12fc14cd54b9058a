"""``store dump``: a store's collections, indexes, documents and graphs in arangodump's format.

The embedded store is dumped inside one read transaction: the dump is the store as
of one moment, while other processes go on writing. On ArangoDB each collection is
read with one query (a collection's documents are consistent, the dump as a whole
is not a snapshot: use arangodump for a live server), documents in the server's order.

Files are written into a fresh directory beside the destination and moved into
place only when all are written, so a failed dump leaves no partial dump behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ERROR_CANNOT_OVERWRITE_FILE, ERROR_CANNOT_WRITE_FILE, DumpError
from .catalog import graph_documents, structures
from .files import (
    DATA_SUFFIX,
    DUMP_FILE,
    GRAPHS,
    STRUCTURE_SUFFIX,
    data_file,
    json_line,
    structure_file,
    write_json,
)

if TYPE_CHECKING:
    from ..backends import Backend

# the structure of ``_graphs`` as arangodump writes it (a system collection)
GRAPHS_STRUCTURE = {
    "indexes": [],
    "parameters": {"name": GRAPHS, "type": 2, "isSystem": True, "keyOptions": {}},
}


@dataclass(frozen=True)
class DumpReport:
    """What a dump or restore moved: documents per collection, the graphs, and how long it took."""

    directory: str
    counts: dict[str, int]
    graphs: list[str]
    seconds: float

    @property
    def documents(self) -> int:
        return sum(self.counts.values())


def dump_store(backend: Backend, directory: str | Path, *, overwrite: bool = False) -> DumpReport:
    """Dump every collection and named graph of ``backend`` into ``directory``.

    Refused (16) when ``directory`` exists and is not empty, unless ``overwrite``: then
    only the files of a dump in it (``dump.json``, ``*.structure.json``,
    ``*.data.json[.gz]``) are replaced, anything else stays.
    """
    began = time.monotonic()
    target = Path(directory).expanduser()
    if target.exists() and not target.is_dir():
        raise DumpError(f"{target} is a file, not a directory", ERROR_CANNOT_OVERWRITE_FILE)
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise DumpError(
            f"{target} is not empty: choose a new directory, or pass --overwrite to replace "
            "the dump in it",
            ERROR_CANNOT_OVERWRITE_FILE,
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{os.getpid()}.dump")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        with _snapshot(backend):
            counts, graphs = _write_files(backend, staging)
        _move_into(staging, target)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return DumpReport(str(target), counts, graphs, time.monotonic() - began)


@contextlib.contextmanager
def _snapshot(backend: Backend) -> Iterator[None]:
    """One read transaction on the embedded store (nothing on ArangoDB: see the module)."""
    from ..backends.embedded import EmbeddedBackend

    if isinstance(backend, EmbeddedBackend):
        with backend.db.storage.atomic():
            yield
    else:
        yield


def _write_files(backend: Backend, staging: Path) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    for structure in structures(backend):
        name = structure["parameters"]["name"]
        write_json(staging / structure_file(name), structure)
        counts[name] = _write_data(staging / data_file(name), _documents(backend, name))
    graphs = graph_documents(backend)
    write_json(staging / structure_file(GRAPHS), GRAPHS_STRUCTURE)
    _write_data(staging / data_file(GRAPHS), iter(graphs))
    write_json(staging / DUMP_FILE, _dump_info(backend))
    return counts, [graph["_key"] for graph in graphs]


def _documents(backend: Backend, name: str) -> Iterator[dict[str, Any]]:
    from ..backends.embedded import EmbeddedBackend

    if isinstance(backend, EmbeddedBackend):
        storage = backend.db.storage
        return storage.scan(storage.collection(name))  # insertion order, in the snapshot
    return iter(backend.query("FOR d IN @@c RETURN d", {"@c": name}))


def _write_data(path: Path, documents: Iterator[dict[str, Any]]) -> int:
    count = 0
    with path.open("wb") as out:
        for doc in documents:
            out.write(json_line(doc))
            count += 1
        out.flush()
        os.fsync(out.fileno())
    return count


def _dump_info(backend: Backend) -> dict[str, Any]:
    database = getattr(backend, "database", None) or "arangoml_meta"
    return {
        "database": database,
        "lastTickAtDumpStart": "0",  # no replication log on the embedded store; kept for ArangoDB
        "properties": {"name": database, "sharding": "", "replicationFactor": 1, "writeConcern": 1},
        "useEnvelope": False,
        "useVPack": False,
    }


def _is_dump_file(name: str) -> bool:
    return (
        name == DUMP_FILE
        or name.endswith(STRUCTURE_SUFFIX)
        or name.endswith(DATA_SUFFIX)
        or name.endswith(DATA_SUFFIX + ".gz")
    )


def _move_into(staging: Path, target: Path) -> None:
    """The staged files become ``target`` (a new directory, or the old dump's files replaced)."""
    if not target.exists():
        staging.rename(target)
        return
    for old in target.iterdir():
        if old.is_file() and _is_dump_file(old.name):
            old.unlink()
    for new in staging.iterdir():
        new.rename(target / new.name)


def _cannot_write(target: Path, exc: OSError) -> DumpError:
    return DumpError(
        f"cannot write the dump {target}: {exc.strerror or exc}", ERROR_CANNOT_WRITE_FILE
    )
