"""Stored queries: ``aql/NAME.aql`` files that auditors and data-ops run without writing code.

A stored query is one AQL query whose file starts with a header of AQL
comments, so the file runs verbatim in ArangoDB's web UI::

    // title: Provenance of a model
    // description: Every dataset, featureset and run upstream of a model,
    //   nearest first (a line indented after // continues the field above).
    // audience: auditors
    // writes: false
    // param model: reference, required — the model, e.g. models/iris-clf@latest
    // param depth: integer = 10 — how many links to follow

``title``, ``description`` and ``audience`` are required; ``writes: true``
allows the query to modify data (the default is read-only). Each ``param``
line gives the bind parameter's name, its type (see :data:`PARAM_TYPES`),
either ``required`` or ``= DEFAULT`` (a JSON value, ``null`` for "not given"),
then ``—`` (or ``--``) and a help text. A ``collection`` parameter ``x`` is
written ``@@x`` in the query, every other one ``@x``. A ``reference`` is an
artifact or run as the API names it (``models/clf@latest``), bound as the id it
resolves to; ``collections`` is a list of registered types, read as one
collection by ``FOR d IN @@x`` and/or as the list of names by ``@x``. Either
may name the kinds of types it takes, ``reference(execution)`` or
``collections(artifact, execution)``: see ``query_binding.py``. Loading checks
that the header is well formed, that the query parses, and that the declared
parameters are exactly the ones the query uses.

:func:`coerce_params` turns ``--param name=value`` strings into typed values;
:func:`run_query` binds them (never splices) and refuses to run a read-only
query whose text modifies data (1586).

A lineage query never cuts its answer silently: when a depth stopped its walk,
its last row is ``{"truncated": "<why>"}``. In the web UI that row shows as it
is; :func:`run_query` takes it off the rows into :attr:`QueryResult.truncated`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .aql import ast
from .aql.analysis import collection_parameters, value_parameters
from .aql.analysis import modifies_data as query_modifies_data
from .aql.parser import parse
from .environment import to_iso
from .errors import (
    ERROR_QUERY_MUST_NOT_BE_MODIFIED,
    BadParameterError,
    QueryError,
)
from .inputs import loads, read_text
from .jsonvalues import INT_MAX, INT_MIN, NotAJSONNumber
from .query_binding import QueryStore, collection_uses, prepared
from .types import KINDS

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1] / "aql"
SUFFIX = ".aql"

PARAM_TYPES: dict[str, str] = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a JSON array",
    "object": "a JSON object",
    "date": "an ISO 8601 date or date-time, taken as UTC unless it gives an offset",
    "collection": "a collection name, bound as @@name",
    "reference": "an artifact or run: its id, TYPE/NAME@N or TYPE/NAME@latest",
    "collections": "registered types, e.g. datasets,models or a JSON array; null for all",
    "name": "the name of an artifact of a type: name(models), or name(@@type) for a parameter's",
    "any": "a JSON value, or else the text as given",
}
COLLECTION_TYPES = ("collection", "collections")  # written @@name in the query
TEXT_TYPES = ("string", "collection", "reference", "name")  # given as the text itself
KINDED_TYPES = ("collections", "reference")  # may name kinds of types: reference(execution)
HEADER_KEYS = ("title", "description", "audience", "writes")
REQUIRED_KEYS = ("title", "description", "audience")

_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COLLECTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,255}$")
_FIELD_LINE = re.compile(r"^(?P<key>[a-z_]+)(?:\s+(?P<param>\S+?))?\s*:\s*(?P<value>.*)$")
_PARAM_SPEC = re.compile(
    r"^(?P<type>[a-z]+)(?:\((?P<args>[A-Za-z0-9_@, \-]*)\))?\s*(?P<rest>.*)$", re.DOTALL
)
_HELP_SEPARATOR = re.compile(r"^\s*(?:—|--)\s*")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class StoredQueryError(QueryError):
    """A stored query file is malformed: its header, its AQL or its parameters."""

    # ArangoDB has no number for a malformed header; invalid AQL keeps its own (1501)
    default_num = None  # type: ignore[assignment]


@dataclass(frozen=True)
class QueryParam:
    """One bind parameter of a stored query."""

    name: str
    type: str
    default: Any = None
    required: bool = False
    help: str = ""
    kinds: tuple[str, ...] = ()  # the kinds of types it takes (see KINDED_TYPES); () for any
    of: str = ""  # a name parameter's type: a collection, or @@PARAM for a parameter's

    @property
    def bind_name(self) -> str:
        """The key in the bind variables: ``@name`` for a collection, else ``name``."""
        return f"@{self.name}" if self.type in COLLECTION_TYPES else self.name


@dataclass(frozen=True)
class StoredQuery:
    """A stored query: its header and its AQL text (the whole file, header included)."""

    name: str
    title: str
    description: str
    audience: str
    writes: bool
    params: list[QueryParam]
    text: str
    path: Path | None = field(default=None, compare=False)


class QueryResult(list[Any]):
    """The rows of a stored query; ``truncated`` holds why a walk stopped short, if one did,
    ``warnings`` the query's warnings."""

    def __init__(self, rows: Iterable[Any]) -> None:
        truncated: list[str] = []
        super().__init__(without_truncation(rows, truncated))
        self.truncated = truncated
        self.warnings: list[dict[str, Any]] = list(getattr(rows, "warnings", ()))


TRUNCATED = "truncated"  # the key of the row that says a walk was cut short


def _is_truncation(row: Any) -> bool:
    return isinstance(row, dict) and len(row) == 1 and isinstance(row.get(TRUNCATED), str)


# ---------------------------------------------------------------------- loading


def load_queries(directory: str | Path | None = None) -> dict[str, StoredQuery]:
    """Every ``*.aql`` file of ``directory`` (default: the project's ``aql/``), by name."""
    folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not folder.is_dir():
        raise StoredQueryError(f"no stored query directory at {folder}")
    return {path.stem: parse_query_file(path) for path in sorted(folder.glob(f"*{SUFFIX}"))}


def load_query(name: str, directory: str | Path | None = None) -> StoredQuery:
    """The stored query ``name`` (the file ``NAME.aql``)."""
    folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    valid = isinstance(name, str) and _QUERY_NAME.match(name) is not None
    if not valid or not (folder / f"{name}{SUFFIX}").is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob(f"*{SUFFIX}"))) or "none"
        raise BadParameterError(f"no stored query named {name!r} (known: {known})", query=name)
    return parse_query_file(folder / f"{name}{SUFFIX}")


def parse_query_file(path: str | Path) -> StoredQuery:
    """Read and check one stored query file (see the module docstring for its format)."""
    path = Path(path)
    if not _QUERY_NAME.match(path.stem) or path.suffix != SUFFIX:
        raise StoredQueryError(
            f"{path}: a stored query file is named NAME{SUFFIX}, NAME of letters, digits, '_' and '-'"
        )
    try:
        text = read_text(path)
    except BadParameterError as exc:
        raise StoredQueryError(f"cannot read the stored query: {exc.message}") from None
    except OSError as exc:
        raise StoredQueryError(f"{path}: cannot read the file ({exc})") from None
    return parse_query_text(path.stem, text, source=str(path), path=path)


def parse_query_text(
    name: str, text: str, *, source: str | None = None, path: Path | None = None
) -> StoredQuery:
    """A stored query from its file text; ``source`` names it in error messages."""
    where = source or name
    fields, params = _parse_header(text, where)
    missing = [key for key in REQUIRED_KEYS if not fields.get(key)]
    if missing:
        raise StoredQueryError(
            f"{where}: the header lacks {', '.join(missing)} "
            f"(write e.g. '// {missing[0]}: ...' at the top of the file)"
        )
    writes_text = fields.get("writes", "false").lower()
    if writes_text not in ("true", "false"):
        raise StoredQueryError(f"{where}: 'writes' is true or false, not {fields['writes']!r}")
    query = StoredQuery(
        name=name,
        title=fields["title"],
        description=fields["description"],
        audience=fields["audience"],
        writes=writes_text == "true",
        params=params,
        text=text,
        path=path,
    )
    _check_params_used(query, _parse_aql(query, where), where)
    return query


def _parse_header(text: str, where: str) -> tuple[dict[str, str], list[QueryParam]]:
    fields: dict[str, str] = {}
    params: list[QueryParam] = []
    last: str | None = None  # the field a continuation line extends
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            break  # the header is the leading block of // comments
        body = stripped[2:]
        if not body.strip():
            last = None
            continue
        if body.startswith("  ") and last is not None:
            if last.startswith("param "):
                params[-1] = _extend_help(params[-1], body.strip())
            else:
                fields[last] = f"{fields[last]} {body.strip()}"
            continue
        match = _FIELD_LINE.match(body.strip())
        if match is None:
            raise StoredQueryError(
                f"{where}:{number}: expected 'key: value' in the header, got {body.strip()!r}; "
                f"keys: {', '.join(HEADER_KEYS)}, param NAME"
            )
        key, param_name, value = match["key"], match["param"], match["value"].strip()
        if key == "param":
            if param_name is None:
                raise StoredQueryError(
                    f"{where}:{number}: write a parameter as "
                    "'param NAME: TYPE, required — help' or 'param NAME: TYPE = DEFAULT — help'"
                )
            param = _parse_param(param_name, value, f"{where}:{number}")
            if any(p.name == param.name for p in params):
                raise StoredQueryError(
                    f"{where}:{number}: parameter {param.name!r} is declared twice"
                )
            params.append(param)
            last = f"param {param.name}"
            continue
        if param_name is not None or key not in HEADER_KEYS:
            raise StoredQueryError(
                f"{where}:{number}: unknown header key {body.strip().split(':')[0]!r}; "
                f"keys: {', '.join(HEADER_KEYS)}, param NAME"
            )
        if key in fields:
            raise StoredQueryError(f"{where}:{number}: {key!r} is given twice")
        if not value:
            raise StoredQueryError(f"{where}:{number}: {key!r} is empty")
        fields[key] = value
        last = key
    return fields, params


def _parse_param(name: str, spec: str, where: str) -> QueryParam:
    if not _PARAM_NAME.match(name):
        raise StoredQueryError(
            f"{where}: parameter name {name!r} is not a valid bind parameter name "
            "(letters, digits and '_', not starting with a digit)"
        )
    match = _PARAM_SPEC.match(spec)
    if match is None or match["type"] not in PARAM_TYPES:
        given = match["type"] if match else spec
        raise StoredQueryError(
            f"{where}: parameter {name!r} has unknown type {given!r}; "
            f"types: {', '.join(PARAM_TYPES)}"
        )
    type_name, rest = match["type"], match["rest"]
    args = match["args"]
    of = _name_of(args, name, where) if type_name == "name" else ""
    kinds = () if type_name == "name" else _kinds(args, type_name, name, where)
    required, default = False, None
    if rest.startswith(","):
        word = re.match(r",\s*required\b", rest)
        if word is None:
            raise StoredQueryError(
                f"{where}: after the type of {name!r} write ', required' or '= DEFAULT'"
            )
        required, rest = True, rest[word.end() :]
    elif rest.startswith("="):
        literal = rest[1:].lstrip()
        try:
            default, end = json.JSONDecoder().raw_decode(literal)
        except json.JSONDecodeError as exc:
            raise StoredQueryError(
                f"{where}: the default of {name!r} is not a JSON value ({exc.msg}); "
                'write e.g. = 10, = "USD", = true, = null'
            ) from None
        rest = literal[end:]
        if default is not None:
            try:
                default = _check_value(QueryParam(name, type_name, kinds=kinds), default)
            except BadParameterError as exc:
                raise StoredQueryError(f"{where}: bad default: {exc.message}") from None
    else:
        raise StoredQueryError(
            f"{where}: parameter {name!r} needs ', required' or '= DEFAULT' after its type "
            "(= null for an optional parameter without a default)"
        )
    separator = _HELP_SEPARATOR.match(rest)
    help_text = rest[separator.end() :].strip() if separator else ""
    if not help_text:
        raise StoredQueryError(f"{where}: parameter {name!r} needs a help text after '—' (or '--')")
    return QueryParam(name, type_name, default, required, help_text, kinds, of)


def _name_of(text: str | None, name: str, where: str) -> str:
    """The type of ``name(models)`` or ``name(@@type)`` (``type`` a collection parameter)."""
    of = (text or "").strip()
    if not _COLLECTION_NAME.match(of.removeprefix("@@")):
        raise StoredQueryError(
            f"{where}: parameter {name!r}: write name(TYPE), TYPE a collection (models) or "
            "@@PARAM, the collection parameter that gives it (@@type)"
        )
    return of


def _kinds(text: str | None, type_name: str, name: str, where: str) -> tuple[str, ...]:
    """The kinds of ``collections(artifact, execution)``; () when none are named."""
    if text is None:
        return ()
    kinds = tuple(kind.strip() for kind in text.split(",") if kind.strip())
    if type_name not in KINDED_TYPES or not kinds or not set(kinds) <= set(KINDS):
        raise StoredQueryError(
            f"{where}: parameter {name!r}: only {' and '.join(KINDED_TYPES)} take kinds of "
            f"types, e.g. collections({', '.join(KINDS)}), not {type_name}({text})"
        )
    return kinds


def _extend_help(param: QueryParam, more: str) -> QueryParam:
    return replace(param, help=f"{param.help} {more}")


def _parse_aql(query: StoredQuery, where: str) -> ast.Query:
    try:
        return parse(query.text)
    except QueryError as exc:  # AQLSyntaxError's message carries the line and column
        raise StoredQueryError(f"{where}: {exc.message}", exc.error_num) from None


def _check_params_used(query: StoredQuery, tree: ast.Query, where: str) -> None:
    used_values, used_collections = value_parameters(tree), collection_parameters(tree)
    problems: list[str] = []
    for param in query.params:
        problems += _usage_problems(param, query, used_values, used_collections)
    declared = {p.name for p in query.params}
    problems += [f"@{n} is used but not declared" for n in sorted(used_values - declared)]
    problems += [f"@@{n} is used but not declared" for n in sorted(used_collections - declared)]
    if problems:
        raise StoredQueryError(f"{where}: parameters do not match the query: {'; '.join(problems)}")


def _usage_problems(
    param: QueryParam, query: StoredQuery, used_values: set[str], used_collections: set[str]
) -> list[str]:
    """What is wrong with how the query uses ``param`` (nothing: an empty list)."""
    name = param.name
    if param.type == "collections":
        uses = collection_uses(query.text, name)
        if isinstance(uses, str):
            return [uses]
        if name not in used_values | used_collections:
            return [f"{name!r} is declared but neither @@{name} nor @{name} is used"]
        return []
    if param.type == "collection":
        if name in used_values:
            return [f"{name!r} is a collection: write @@{name}"]
        if name not in used_collections:
            return [f"{name!r} is declared but @@{name} is not used"]
        return []
    if name in used_collections:
        return [f"@@{name} is used but {name!r} is declared as {param.type}, not collection"]
    if name not in used_values:
        return [f"{name!r} is declared but @{name} is not used"]
    given_by = param.of[2:] if param.type == "name" and param.of.startswith("@@") else None
    if given_by is not None and not any(
        p.name == given_by and p.type == "collection" for p in query.params
    ):
        return [f"{name!r} is name({param.of}), and {given_by!r} is no collection parameter"]
    return []


# ---------------------------------------------------------------------- parameters


def coerce_params(query: StoredQuery, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every parameter of ``query`` as a typed value, from strings (the CLI) or values (Python).

    Strings are converted by the parameter's type; other values are checked
    against it. Parameters not given take their default; a missing required
    parameter or an unknown one is a :class:`BadParameterError`.
    """
    raw = dict(raw or {})
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        raise BadParameterError(
            f"query {query.name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"{_known(query)}",
            parameter=unknown[0],
        )
    values: dict[str, Any] = {}
    for param in query.params:
        value = _coerce(param, raw[param.name]) if param.name in raw else param.default
        if value is None and param.required:
            raise BadParameterError(
                f"query {query.name!r} needs parameter {param.name!r} ({param.type}): "
                f"{param.help} — give it as --param {param.name}=VALUE",
                parameter=param.name,
            )
        values[param.name] = value
    return values


def _coerce(param: QueryParam, value: Any) -> Any:
    if isinstance(value, str) and param.type not in TEXT_TYPES:
        value = _from_text(param, value)
    return None if value is None else _check_value(param, value)


def _from_text(param: QueryParam, text: str) -> Any:
    kind = param.type
    stripped = text.strip()
    if kind == "any":
        try:
            return _parse_json(param, stripped)
        except json.JSONDecodeError:
            return text
    if stripped == "null" or (not stripped and kind != "date"):
        return None
    if kind == "integer":
        if re.fullmatch(r"[+-]?[0-9]+", stripped) is None:
            raise _bad(param, text)
        return int(stripped)
    if kind == "number":
        if re.fullmatch(r"[+-]?[0-9]+", stripped):
            return int(stripped)  # exactly, not through a double
        try:
            number = float(stripped)
        except ValueError:
            raise _bad(param, text) from None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "boolean":
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise _bad(param, text)
    if kind == "collections" and not stripped.startswith("["):
        return [name.strip() for name in stripped.split(",") if name.strip()]
    if kind in ("array", "object", "collections"):
        try:
            return _parse_json(param, stripped)
        except json.JSONDecodeError as exc:
            reason = f"{exc.msg} at position {exc.pos}"
            raise BadParameterError(
                f"parameter {param.name!r} expects {PARAM_TYPES[kind]}, and {text!r} is not "
                f"valid JSON ({reason})",
                parameter=param.name,
            ) from None
    return text  # date: checked and normalised by _check_value


def _parse_json(param: QueryParam, text: str) -> Any:
    """JSON text as its value; NaN, Infinity and 1e400 are refused, not read as floats."""
    try:
        return loads(text, f"parameter {param.name!r}")
    except NotAJSONNumber as exc:
        raise BadParameterError(
            f"parameter {param.name!r}: {exc.literal} is not a JSON number (no NaN, no "
            f'infinity, at most about 1.8e308); for the text, quote it: "{text}"',
            parameter=param.name,
        ) from None


def _check_value(param: QueryParam, value: Any) -> Any:
    kind = param.type
    ok: bool
    if kind in TEXT_TYPES:
        ok = isinstance(value, str)
        if ok and kind == "collection" and not _COLLECTION_NAME.match(value):
            raise BadParameterError(
                f"parameter {param.name!r} expects a collection name, not {value!r}",
                parameter=param.name,
            )
    elif kind in ("integer", "number"):
        ok = isinstance(value, int if kind == "integer" else (int, float))
        ok = ok and not isinstance(value, bool)
        if ok and isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
            raise BadParameterError(
                f"parameter {param.name!r}: {value} is beyond 64 bits (-2**63 to 2**64-1) "
                "and would be rounded",
                parameter=param.name,
            )
        if ok and not math.isfinite(value):
            raise BadParameterError(
                f"parameter {param.name!r} expects a finite number, not {value!r}",
                parameter=param.name,
            )
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "array":
        ok = isinstance(value, list)
    elif kind == "collections":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "object":
        ok = isinstance(value, dict)
    elif kind == "date":
        ok = isinstance(value, str)
        if ok:
            return _normalise_date(param, value)
    else:  # any
        ok = True
    if not ok:
        raise _bad(param, value)
    return value


def _normalise_date(param: QueryParam, text: str) -> str:
    """``2025-01-31``, ``2025-01-31T10:00Z``, ... as ``YYYY-MM-DDTHH:MM:SS.sssZ`` in UTC."""
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise BadParameterError(
            f"parameter {param.name!r} expects {PARAM_TYPES['date']}, e.g. 2025-01-31 or "
            f"2025-01-31T09:30:00Z, not {text!r}",
            parameter=param.name,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return to_iso(moment)


def _bad(param: QueryParam, value: Any) -> BadParameterError:
    return BadParameterError(
        f"parameter {param.name!r} expects {param.type} ({PARAM_TYPES[param.type]}), not {value!r}",
        parameter=param.name,
    )


def _known(query: StoredQuery) -> str:
    if not query.params:
        return "it takes no parameters"
    return "its parameters: " + ", ".join(f"{p.name} ({p.type})" for p in query.params)


# ---------------------------------------------------------------------- running


def modifies_data(query: StoredQuery) -> bool:
    """Whether the query's text contains INSERT, UPDATE, REPLACE, REMOVE or UPSERT."""
    return query_modifies_data(parse(query.text))


def run_query(
    store: QueryStore,
    name_or_query: str | StoredQuery,
    params: Mapping[str, Any] | None = None,
    *,
    directory: str | Path | None = None,
    memory_limit: int | None = None,
    max_runtime: float | None = None,
) -> QueryResult:
    """Run a stored query (by name, from ``directory``, or as loaded) with its parameters bound.

    ``params`` are strings as given on the command line or typed values (see
    :func:`coerce_params`); references and type lists are resolved on ``store``
    (see ``query_binding.py``). A query whose header does not say ``writes: true``
    is refused (1586) when its text modifies data. ``memory_limit`` and
    ``max_runtime`` are :meth:`MetadataStore.query`'s.
    """
    text, bind = prepare_query(store, name_or_query, params, directory=directory)
    return QueryResult(store.query(text, bind, memory_limit=memory_limit, max_runtime=max_runtime))


def prepare_query(
    store: QueryStore,
    name_or_query: str | StoredQuery,
    params: Mapping[str, Any] | None = None,
    *,
    directory: str | Path | None = None,
) -> tuple[str, dict[str, Any]]:
    """The AQL and bind variables :func:`run_query` runs, references resolved on ``store``
    (for a caller that streams the rows from a cursor: see :func:`without_truncation`)."""
    query = (
        name_or_query
        if isinstance(name_or_query, StoredQuery)
        else load_query(name_or_query, directory)
    )
    if not query.writes and modifies_data(query):
        raise QueryError(
            f"stored query {query.name!r} modifies data but its header does not say "
            "'writes: true'; refusing to run it",
            ERROR_QUERY_MUST_NOT_BE_MODIFIED,
        )
    values = coerce_params(query, params)
    return prepared(store, query, values)


def without_truncation(rows: Iterable[Any], truncated: list[str]) -> Iterator[Any]:
    """The rows of a stored query as they come, the messages of truncation rows (a walk
    cut short) put in ``truncated`` instead (as :class:`QueryResult` does)."""
    for row in rows:
        if _is_truncation(row):
            truncated.append(str(row[TRUNCATED]))
        else:
            yield row
