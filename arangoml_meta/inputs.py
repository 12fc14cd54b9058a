"""Reading what a user hands over — files, stdin, JSON and YAML text — with bounds.

Everything the CLI and the library read from a user's file goes through here,
so that a hostile or mistaken input is one clear :class:`BadParameterError`
(10), quickly, whatever it holds:

- at most :func:`max_input_bytes` bytes are read (64 MiB unless
  ``ARANGOML_META_MAX_INPUT_MB`` says more): ``--file /dev/zero`` stops there;
- JSON and YAML values nest at most :data:`MAX_DEPTH` levels (deeper values
  would exhaust Python's stack in the parser, the validators or the printers);
- YAML aliases may repeat a value, but the document they expand to holds at most
  :data:`MAX_EXPANDED_VALUES` values (a "billion laughs" file is refused; the
  store keeps JSON, in which every alias would be written out in full);
- text is UTF-8 (a byte order mark is dropped); JSON's ``NaN`` and ``Infinity``,
  which no JSON document can hold, are refused.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .errors import BadParameterError
from .jsonvalues import parse_json as parse_json_value

MAX_INPUT_ENV = "ARANGOML_META_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 64
_CHUNK = 2**20  # bytes read at a time
MAX_DEPTH = 100  # levels of arrays and objects in one value
MAX_EXPANDED_VALUES = 1_000_000  # values a YAML document may hold once its aliases are expanded
YAML_SUFFIXES = (".yaml", ".yml")


def max_input_bytes() -> int:
    """The most bytes read from one file or stdin (``ARANGOML_META_MAX_INPUT_MB``, default 64)."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT_MB * 2**20
    try:
        megabytes = int(raw)
    except ValueError:
        megabytes = 0
    if megabytes < 1:
        raise BadParameterError(
            f"{MAX_INPUT_ENV} is {raw!r}; give a whole number of mebibytes, at least 1"
        )
    return megabytes * 2**20


# --------------------------------------------------------------------------- text


def read_text(path: str | Path) -> str:
    """The text of a file, refused when it is larger than :func:`max_input_bytes`."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return _bounded_text(stream, str(path))
    except FileNotFoundError:
        raise BadParameterError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadParameterError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise BadParameterError(f"{path}: permission denied") from None


def read_stdin() -> str:
    """What stdin holds, as for :func:`read_text`."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (tests swap stdin)
        text = sys.stdin.read(max_input_bytes() + 1)
        _check_size(len(text.encode("utf-8")), "stdin")
        return text
    return _bounded_text(stream, "stdin")


def _bounded_text(stream: IO[bytes], source: str) -> str:
    limit = max_input_bytes()
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):  # not a real file: its size shows as it is read
        size = 0
    _check_size(size, source)
    data = _read_at_most(stream, limit + 1)
    _check_size(len(data), source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadParameterError(
            f"{source}: not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})"
        ) from None


def _read_at_most(stream: IO[bytes], count: int) -> bytes:
    """Up to ``count`` bytes of ``stream``, a chunk at a time (``read(count)`` would set
    aside ``count`` bytes at once, the whole limit, for a file of a few hundred)."""
    chunks: list[bytes] = []
    left = count
    while left > 0:
        chunk = stream.read(min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _check_size(size: int, source: str) -> None:
    limit = max_input_bytes()
    if size > limit:
        raise BadParameterError(
            f"{source}: larger than {limit // 2**20} MiB, the most arangoml-meta reads from "
            f"a file or stdin (raise it with {MAX_INPUT_ENV})"
        )


# --------------------------------------------------------------------------- values


def parse_json(text: str, source: str) -> Any:
    """A JSON value from text, within the bounds (see the module docstring)."""
    try:
        return loads(text, source)
    except json.JSONDecodeError as exc:
        raise BadParameterError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:  # NaN, Infinity, 1e400
        raise BadParameterError(
            f"{source}: {exc} (no NaN, no infinity, at most about 1.8e308)"
        ) from None


def loads(text: str, source: str) -> Any:
    """``json.loads`` within the depth bound (:class:`json.JSONDecodeError` for invalid JSON,
    as ``json.loads`` raises it; :class:`~.jsonvalues.NotAJSONNumber`, a ``ValueError``,
    for NaN, Infinity and numbers beyond a double)."""
    try:
        value = parse_json_value(text)
    except RecursionError:
        raise too_deep(source) from None
    check_value(value, source)
    return value


def parse_yaml(text: str, source: str) -> Any:
    """A YAML document as JSON values, within the bounds (see the module docstring).

    A date stays the text written (the store's dates are ISO strings).
    """
    import yaml  # PyYAML: only needed for YAML files

    try:
        value = yaml.load(text, Loader=_yaml_loader())  # a safe loader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise BadParameterError(f"{source}: not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise too_deep(source) from None
    check_value(value, source)
    return value


_LOADER: Any = None


def _yaml_loader() -> Any:
    """libyaml's safe loader when PyYAML has it (fast), else PyYAML's own; no timestamps."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _LOADER = type(
            "JSONValuesLoader",
            (base,),
            {
                "yaml_implicit_resolvers": {
                    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
                    for first, resolvers in base.yaml_implicit_resolvers.items()
                }
            },
        )
    return _LOADER


def read_document(path: str | Path) -> Any:
    """A JSON or YAML file's value (YAML by the suffix ``.yaml`` / ``.yml``)."""
    path = Path(path)
    text = read_text(path)
    if path.suffix.lower() in YAML_SUFFIXES:
        return parse_yaml(text, str(path))
    return parse_json(text, str(path))


def check_value(value: Any, source: str) -> None:
    """Raise unless ``value`` nests at most :data:`MAX_DEPTH` levels and, with what it
    repeats by reference (YAML aliases) written out, holds at most
    :data:`MAX_EXPANDED_VALUES` values."""
    sizes: dict[int, int] = {}  # id of an array or object seen -> values it holds, expanded
    shared = False

    def size(node: Any, depth: int) -> int:
        nonlocal shared
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return 1
        if depth >= MAX_DEPTH:
            raise too_deep(source)
        known = sizes.get(id(node))
        if known is not None:
            shared = True
            return known
        total = 1 + sum(size(child, depth + 1) for child in children)
        sizes[id(node)] = total
        return total

    total = size(value, 0)
    if shared and total > MAX_EXPANDED_VALUES:
        raise BadParameterError(
            f"{source}: its aliases expand to {total:,} values, more than "
            f"{MAX_EXPANDED_VALUES:,}; write the repeated parts out, or fewer of them"
        )


def too_deep(source: str) -> BadParameterError:
    return BadParameterError(
        f"{source}: nested more than {MAX_DEPTH} levels deep (arrays and objects "
        "within each other), or it contains itself"
    )
