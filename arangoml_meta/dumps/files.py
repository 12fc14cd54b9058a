"""The files of a dump directory, as arangodump 3.12 writes them and arangorestore reads them.

- ``dump.json``: ``{"database", "lastTickAtDumpStart", "properties", "useEnvelope":
  false, "useVPack": false}``.
- per collection ``NAME_<md5 of NAME>.structure.json``: ``{"parameters": {name, type
  (2 document / 3 edge), keyOptions, schema, ...}, "indexes": [...]}`` (the primary
  and edge indexes are implicit and not listed);
- per collection ``NAME_<md5 of NAME>.data.json``: one document per line, with its
  ``_key``, ``_id``, ``_rev`` (and ``_from`` / ``_to``), no envelope.

Named graphs are the documents of the system collection ``_graphs`` (key: the graph's
name; ``edgeDefinitions``, ``orphanCollections``), dumped like any collection;
arangorestore restores them with ``--include-system-collections true``.

Reading accepts what arangorestore 3.12 accepts besides: ``NAME.structure.json``,
``NAME.data.json``, gzip-compressed ``.data.json.gz`` (``--compress-output``) and the
enveloped lines of ``--envelope true`` (``{"type": 2300, "data": {...}}``). Split
data files (``--split-files``) and VelocyPack dumps (``--use-vpack``) are refused with
a message. Every problem is a :class:`DumpError` naming the file (and line).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import orjson

from ..errors import (
    ERROR_BAD_PARAMETER,
    ERROR_FILE_NOT_FOUND,
    ERROR_HTTP_CORRUPTED_JSON,
    ERROR_NOT_IMPLEMENTED,
    DumpError,
    DumpFormatError,
)

DUMP_FILE = "dump.json"
STRUCTURE_SUFFIX = ".structure.json"
DATA_SUFFIX = ".data.json"
GRAPHS = "_graphs"
DOCUMENT_TYPE, EDGE_TYPE = 2, 3
_ENVELOPE_DOCUMENT = 2300  # REPLICATION_MARKER_DOCUMENT


def name_hash(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()


def structure_file(name: str) -> str:
    return f"{name}_{name_hash(name)}{STRUCTURE_SUFFIX}"


def data_file(name: str) -> str:
    return f"{name}_{name_hash(name)}{DATA_SUFFIX}"


def json_line(value: Any) -> bytes:
    """One compact JSON line (UTF-8); the standard library takes what orjson will not."""
    try:
        return orjson.dumps(value) + b"\n"
    except TypeError:  # an integer beyond 64 bits, nesting deeper than orjson's limit
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def write_json(path: Path, value: Any) -> None:
    path.write_bytes(json_line(value))


def _parse(text: bytes, where: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:  # what orjson refuses but JSON allows (integers beyond 64 bits, deep nesting)
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DumpError(f"{where} is not valid JSON: {exc}", ERROR_HTTP_CORRUPTED_JSON) from None


def read_json(path: Path) -> Any:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise DumpError(f"{path} is missing", ERROR_FILE_NOT_FOUND) from None
    except OSError as exc:
        raise DumpError(
            f"cannot read {path}: {exc.strerror or exc}", ERROR_FILE_NOT_FOUND
        ) from None
    return _parse(text, str(path))


def _open(path: Path) -> IO[bytes]:
    """A data file for reading, uncompressed as it is read when it ends in ``.gz``."""
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


class DumpDirectory:
    """A dump directory being read: its ``dump.json`` and collection structures."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if not self.path.is_dir():
            raise DumpError(f"no dump directory at {self.path}", ERROR_FILE_NOT_FOUND)
        if not (self.path / DUMP_FILE).exists():
            raise DumpError(
                f"{self.path} is not a dump: it has no {DUMP_FILE}", ERROR_FILE_NOT_FOUND
            )
        self.info = read_json(self.path / DUMP_FILE)
        if not isinstance(self.info, dict):
            raise DumpFormatError(
                f"{self.path / DUMP_FILE} is not a JSON object", ERROR_BAD_PARAMETER
            )
        if self.info.get("useVPack") is True:
            raise DumpError(
                f"{self.path} holds VelocyPack data files (arangodump --use-vpack): dump again "
                "without it",
                ERROR_NOT_IMPLEMENTED,
            )
        self.enveloped = self.info.get("useEnvelope") is True

    def structures(self) -> list[dict[str, Any]]:
        """Every collection's structure (``{"parameters", "indexes"}``), by file name order."""
        found = []
        for path in sorted(self.path.iterdir()):
            if not path.name.endswith(STRUCTURE_SUFFIX):
                continue
            structure = read_json(path)
            parameters = structure.get("parameters") if isinstance(structure, dict) else None
            indexes = structure.get("indexes") if isinstance(structure, dict) else None
            if not isinstance(parameters, dict) or not isinstance(indexes, list):
                raise DumpFormatError(
                    f"{path} has the wrong format: expected an object with 'parameters' "
                    "(an object) and 'indexes' (an array)",
                    ERROR_BAD_PARAMETER,
                )
            name = parameters.get("name")
            stem = path.name[: -len(STRUCTURE_SUFFIX)]
            if not isinstance(name, str) or stem not in (name, f"{name}_{name_hash(name)}"):
                raise DumpFormatError(
                    f"{path} describes collection {name!r}, not the one its file name says",
                    ERROR_BAD_PARAMETER,
                )
            found.append(structure)
        return found

    def _data_path(self, name: str) -> Path:
        hashed = f"{name}_{name_hash(name)}"
        for stem in (hashed, name):
            for suffix in (DATA_SUFFIX, DATA_SUFFIX + ".gz"):
                candidate = self.path / f"{stem}{suffix}"
                if candidate.exists():
                    return candidate
        if any(self.path.glob(f"{hashed}.[0-9]*{DATA_SUFFIX}*")):
            raise DumpError(
                f"collection {name} is dumped in split files (arangodump --split-files): "
                "dump again without it",
                ERROR_NOT_IMPLEMENTED,
            )
        raise DumpError(
            f"{self.path} has no data file for collection {name} ({hashed}{DATA_SUFFIX})",
            ERROR_FILE_NOT_FOUND,
        )

    def documents(self, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The documents of collection ``name``, each with where it is (``file:line``)."""
        path = self._data_path(name)
        try:
            opened = _open(path)
        except OSError as exc:
            raise DumpError(
                f"cannot read {path}: {exc.strerror or exc}", ERROR_FILE_NOT_FOUND
            ) from None
        with opened:
            try:
                for number, line in enumerate(opened, 1):
                    if not line.strip():
                        continue
                    where = f"{path}:{number}"
                    yield where, self._document(_parse(line, where), where)
            except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
                raise DumpError(f"cannot read {path}: {exc}", ERROR_HTTP_CORRUPTED_JSON) from None

    def _document(self, value: Any, where: str) -> dict[str, Any]:
        if self.enveloped and isinstance(value, dict):
            if value.get("type") != _ENVELOPE_DOCUMENT:
                raise DumpError(
                    f"{where}: only document markers (type {_ENVELOPE_DOCUMENT}) can be "
                    f"restored, not {value.get('type')!r}",
                    ERROR_NOT_IMPLEMENTED,
                )
            value = value.get("data")
        if not isinstance(value, dict):
            raise DumpFormatError(f"{where} is not a JSON object", ERROR_BAD_PARAMETER)
        return value
