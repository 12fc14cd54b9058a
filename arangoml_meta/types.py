"""Artifact types: the registry's logic, without a database.

An artifact type is a collection name, a kind (artifact, execution or
context) and a JSON Schema restricted to draft-04 keywords, so that ArangoDB's
own collection schema validation can enforce the same rule server-side. This
module loads the built-in types from ``schemas/``, checks user-registered type
files (draft-04 keywords only, every ``$ref`` naming a subschema, the personal-data
marks by the rules of ``personal_fields.py``; the envelope,
and for kind execution what a run records, added), validates documents (one
:class:`SchemaViolationError`, 1620, naming every offending field) and stamps
them with the schema version they were checked against, checks a declared
retention policy (``x-retention``, ``retention_policy.py``), derives the ArangoDB
collection rule, and tells which schema changes would break documents already
stored (``types evolve``).
"""

from __future__ import annotations

import copy
import json
import re
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema_rs
from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError, ValidationError

from .document_rules import without_system_attributes
from .errors import (
    ERROR_ARANGO_ILLEGAL_NAME,
    ERROR_INTERNAL,
    ArangoMLMetaError,
    BadParameterError,
    CollectionError,
    SchemaViolationError,
)
from .inputs import parse_json, read_text
from .personal_fields import personal_field_problems, salted_fields
from .retention_policy import RETENTION_KEY, policy_of, retention_problems, with_policy
from .schema_portability import check_patterns, server_rule

KINDS = ("artifact", "execution", "context")
BUILTIN_NAMES = (
    "datasets",
    "featuresets",
    "runs",
    "models",
    "deployments",
    "serving_metrics",
    "projects",
)
SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "schemas"
DRAFT_04 = "http://json-schema.org/draft-04/schema#"
# Every artifact, run and context document carries these; artifacts also a version.
ENVELOPE_FIELDS = (
    "name", "project", "description", "tags", "created_at", "created_by", "schema_version"
)  # fmt: skip
ARTIFACT_FIELDS = (*ENVELOPE_FIELDS, "version")
# What a run records besides the envelope: every type of kind execution carries these, so that
# its runs are recorded as the built-in ``runs`` are (``store.run(..., run_type=...)``).
RUN_FIELDS = (
    "step", "status", "params", "metrics", "metric_series", "started_at", "ended_at", "error",
    "environment", "resources",
)  # fmt: skip
# The envelope field recording the schema version a document was checked against when written.
SCHEMA_VERSION = "schema_version"
SCHEMA_VERSION_PROPERTY = {
    "type": "integer",
    "minimum": 1,
    "description": "The version of its type's schema it was checked against when written "
    "(set by the store)",
}
# Collections the store itself owns: a user type must not take their names.
RESERVED_NAMES = (
    "inputs", "outputs", "derivations", "artifact_types", "deletions", "store_info"
)  # fmt: skip

DRAFT_04_KEYWORDS = frozenset(
    {
        "$schema", "id", "$ref", "title", "description", "default", "format", "enum", "type",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "items", "additionalItems", "maxItems", "minItems", "uniqueItems",
        "properties", "patternProperties", "additionalProperties", "required",
        "maxProperties", "minProperties", "dependencies", "definitions",
        "allOf", "anyOf", "oneOf", "not",
    }
)  # fmt: skip
DRAFT_04_FORMATS = frozenset({"date-time", "email", "hostname", "ipv4", "ipv6", "uri"})
# Keywords of later drafts, with the draft that introduced them and the draft-04 way.
NEWER_KEYWORDS: dict[str, tuple[str, str]] = {
    "$id": ("draft-06", "use 'id'"),
    "const": ("draft-06", "use 'enum' with one value"),
    "contains": ("draft-06", "use 'items'"),
    "propertyNames": ("draft-06", "use 'patternProperties' with 'additionalProperties': false"),
    "examples": ("draft-06", "use an 'x-examples' annotation"),
    "if": ("draft-07", "use 'anyOf' or 'oneOf'"),
    "then": ("draft-07", "use 'anyOf' or 'oneOf'"),
    "else": ("draft-07", "use 'anyOf' or 'oneOf'"),
    "readOnly": ("draft-07", "use an 'x-read-only' annotation"),
    "writeOnly": ("draft-07", "use an 'x-write-only' annotation"),
    "$comment": ("draft-07", "use 'description' or an 'x-comment' annotation"),
    "contentMediaType": ("draft-07", "use 'description'"),
    "contentEncoding": ("draft-07", "use 'description'"),
    "$defs": ("2019-09", "use 'definitions'"),
    "$anchor": ("2019-09", "use 'id'"),
    "$recursiveRef": ("2019-09", "use '$ref'"),
    "$recursiveAnchor": ("2019-09", "use 'id'"),
    "$vocabulary": ("2019-09", "remove it"),
    "dependentRequired": ("2019-09", "use 'dependencies'"),
    "dependentSchemas": ("2019-09", "use 'dependencies'"),
    "unevaluatedProperties": ("2019-09", "use 'additionalProperties'"),
    "unevaluatedItems": ("2019-09", "use 'additionalItems'"),
    "minContains": ("2019-09", "remove it"),
    "maxContains": ("2019-09", "remove it"),
    "deprecated": ("2019-09", "use an 'x-deprecated' annotation"),
    "prefixItems": ("2020-12", "use 'items' with an array of schemas"),
    "$dynamicRef": ("2020-12", "use '$ref'"),
    "$dynamicAnchor": ("2020-12", "use 'id'"),
}
_COLLECTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,255}")
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_JSON_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


@dataclass
class ArtifactType:
    """A registered type: its collection ``name``, ``kind`` and draft-04 JSON ``schema``."""

    name: str
    kind: str
    description: str
    schema: dict[str, Any] = field(repr=False)
    schema_version: int = 1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BadParameterError(
                f"{self.name}: unknown kind {self.kind!r}; choose one of {', '.join(KINDS)}"
            )
        properties = self.schema.get("properties")
        if isinstance(properties, dict) and SCHEMA_VERSION not in properties:
            # a type registered before documents recorded it: a closed schema must allow it
            self.schema = {
                **self.schema,
                "properties": {**properties, SCHEMA_VERSION: dict(SCHEMA_VERSION_PROPERTY)},
            }
        if self.schema.get(RETENTION_KEY) is not None:
            # kept in its ISO form (365d -> P365D), the one AQL's DATE_ADD reads
            self.schema = with_policy(self.schema, policy_of(self.schema))

    @cached_property
    def validator(self) -> Draft4Validator:
        """The compiled validator of this type's schema (built once per type object)."""
        return _validator(json.dumps(self.schema, sort_keys=True))

    @cached_property
    def salted_fields(self) -> frozenset[str]:
        """The fields whose presence gives a document of this type a ``digest_salt``
        (``personal_fields.salted_fields``)."""
        return salted_fields(self.schema)

    @cached_property
    def fast_validator(self) -> Any:
        """jsonschema-rs's compiled validator (None for a schema it cannot compile): it accepts
        valid documents quickly, and names what is wrong in bounded time (its regex engine
        does not backtrack without a limit)."""
        try:
            return jsonschema_rs.Draft4Validator(self.schema)
        except Exception:  # a schema it cannot compile: jsonschema decides alone
            return None


# --------------------------------------------------------------------------- loading


def builtin_types(directory: Path | None = None) -> list[ArtifactType]:
    """The built-in types, one per ``schemas/<collection>.json``, in :data:`BUILTIN_NAMES` order."""
    folder = SCHEMAS_DIR if directory is None else Path(directory)
    types = []
    for name in BUILTIN_NAMES:
        schema = _builtin_schema(name, folder)
        check_schema(schema, source=f"{name}.json")
        types.append(_type_from_schema(name, schema))
    return types


def load_type_file(
    path: str | Path, kind: str | None = None, description: str | None = None
) -> ArtifactType:
    """A user-registered type from a draft-04 schema file named after its collection.

    ``kind`` and ``description`` default to the file's ``x-kind`` (else
    ``artifact``) and ``description``. Envelope fields the schema leaves out are
    added, so that every document the store writes can pass it.
    """
    path = Path(path)
    check_type_name(path.stem)
    schema = _read_schema(path)
    check_schema(schema, source=path.name)
    kind = kind or schema.get("x-kind") or "artifact"
    schema = _with_envelope(schema, kind, path.name)
    return _type_from_schema(path.stem, schema, kind, description)


def check_type_name(name: str) -> None:
    """Raise :class:`CollectionError` (1208) unless ``name`` can name a type's collection."""
    if name in RESERVED_NAMES:
        raise CollectionError(
            f"'{name}' is a collection of the metadata store itself; choose another type name",
            ERROR_ARANGO_ILLEGAL_NAME,
        )
    if not _COLLECTION_NAME.fullmatch(name):
        raise CollectionError(
            f"'{name}' is not a valid ArangoDB collection name: start with a letter, then "
            "letters, digits, '_' or '-', at most 256 characters "
            "(snake_case plural nouns are the convention, e.g. 'experiments')",
            ERROR_ARANGO_ILLEGAL_NAME,
        )


def name_advice(name: str) -> str | None:
    """A hint when a valid type name breaks the snake_case plural convention, else None."""
    if not _SNAKE_CASE.fullmatch(name):
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").lower()
        return f"'{name}': collection names are snake_case by convention, e.g. '{snake}'"
    if not name.endswith("s"):
        return f"'{name}': collection names are plural nouns by convention, e.g. '{name}s'"
    return None


def check_schema(schema: Any, source: str = "schema") -> None:
    """Raise :class:`BadParameterError` unless ``schema`` is a draft-04 schema of documents."""
    problems = list(_draft_04_problems(schema))
    if not problems:
        try:
            Draft4Validator.check_schema(schema)
        except SchemaError as exc:
            problems.append(f"{_pointer(exc.path)}: {exc.message}")
    if not problems:
        problems.extend(check_patterns(schema))
        problems.extend(retention_problems(schema))
        problems.extend(personal_field_problems(schema))
    if problems:
        raise BadParameterError(
            f"{source}: not a usable draft-04 JSON Schema: {'; '.join(problems)}",
            problems=problems,
        )


def _builtin_schema(name: str, folder: Path) -> dict[str, Any]:
    path = folder / f"{name}.json"
    if not path.is_file():
        missing = path if folder.is_dir() else folder
        raise ArangoMLMetaError(
            f"the built-in schemas are incomplete: {missing} is missing; arangoml-meta reads "
            "them from the schemas/ directory next to the package, so reinstall it from a "
            "complete checkout",
            ERROR_INTERNAL,
        )
    return _read_schema(path)


def _read_schema(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise BadParameterError(f"{path}: no such schema file")
    schema = parse_json(read_text(path), path.name)
    if not isinstance(schema, dict):
        raise BadParameterError(f"{path.name}: a schema file holds one JSON object")
    return schema


def _type_from_schema(
    name: str, schema: dict[str, Any], kind: str | None = None, description: str | None = None
) -> ArtifactType:
    kind = kind or schema.get("x-kind") or "artifact"
    if description is None:
        description = str(schema.get("description", ""))
    schema = {**schema, "x-kind": kind, "description": description}
    return ArtifactType(name=name, kind=kind, description=description, schema=schema)


def _envelope_properties(kind: str) -> dict[str, Any]:
    """The envelope's property schemas, taken from the built-in datasets schema (and what
    a run records, from the built-in runs schema, for kind execution)."""
    datasets = _builtin_schema("datasets", SCHEMAS_DIR)["properties"]
    fields = ARTIFACT_FIELDS if kind == "artifact" else ENVELOPE_FIELDS
    properties = {name: copy.deepcopy(datasets[name]) for name in fields}
    if kind == "execution":
        runs = _builtin_schema("runs", SCHEMAS_DIR)["properties"]
        properties.update((name, copy.deepcopy(runs[name])) for name in RUN_FIELDS)
    return properties


def _with_envelope(schema: dict[str, Any], kind: str, source: str) -> dict[str, Any]:
    properties = dict(schema.get("properties", {}))
    for name, envelope in _envelope_properties(kind).items():
        declared = properties.get(name)
        if declared is None or "type" not in declared:
            properties[name] = {**envelope, **(declared or {})}
        elif declared["type"] != envelope["type"]:
            raise BadParameterError(
                f"{source}: field '{name}' belongs to the envelope every {kind} carries "
                f"(type {envelope['type']!r}), but the schema declares type {declared['type']!r}"
            )
    required = list(schema.get("required", []))
    if "name" not in required:
        required.insert(0, "name")
    return {**schema, "properties": properties, "required": required}


# --------------------------------------------------------------------------- schema walking


def _walk(node: Any, pointer: str = "#") -> Iterator[tuple[str, Any]]:
    """Every subschema of ``node`` with its JSON pointer; property names are not keywords."""
    yield pointer, node
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{pointer}/{key}"
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            for name, sub in value.items():
                yield from _walk(sub, f"{where}/{name}")
        elif key == "dependencies" and isinstance(value, dict):
            for name, sub in value.items():
                if not isinstance(sub, list):
                    yield from _walk(sub, f"{where}/{name}")
        elif key in ("additionalProperties", "additionalItems") and isinstance(value, dict):
            yield from _walk(value, where)
        elif key in ("items", "allOf", "anyOf", "oneOf") and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _walk(sub, f"{where}/{index}")
        elif key in ("items", "not"):
            yield from _walk(value, where)


def _pointer(path: Iterable[Any]) -> str:
    return "/".join(["#", *(str(part) for part in path)])


def _draft_04_problems(schema: Any) -> Iterator[str]:
    if not isinstance(schema, dict) or schema.get("type") != "object":
        yield '#: the schema must describe documents, i.e. declare "type": "object"'
        return
    declared = str(schema.get("$schema", DRAFT_04))
    if declared.rstrip("#").replace("https:", "http:") != DRAFT_04.rstrip("#"):
        yield f"#: $schema is {declared!r}; ArangoDB validates draft-04 only ({DRAFT_04})"
    for pointer, node in _walk(schema):
        if isinstance(node, bool):
            yield f'{pointer}: a boolean schema is draft-06; write {{}} for true, {{"not": {{}}}} for false'
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key.startswith("x-"):
                continue
            if key in NEWER_KEYWORDS:
                draft, hint = NEWER_KEYWORDS[key]
                yield f"{pointer}: '{key}' is a {draft} keyword, but ArangoDB validates draft-04 only; {hint}"
            elif key not in DRAFT_04_KEYWORDS:
                yield f"{pointer}: unknown keyword '{key}' (annotations must start with 'x-')"
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                yield f"{pointer}: a number in '{key}' is draft-06; write '{bound}': {value!r}, '{key}': true"
            elif key == "format" and value not in DRAFT_04_FORMATS:
                yield f"{pointer}: format {value!r} is not a draft-04 format ({', '.join(sorted(DRAFT_04_FORMATS))}); use 'pattern'"
            elif key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                yield f"{pointer}: $ref {value!r} points outside the schema, which ArangoDB cannot follow"
            elif key == "$ref" and isinstance(value, str) and not _resolves(schema, value):
                yield f"{pointer}: $ref {value!r} points to nothing in the schema; {_ref_hint(schema)}"


def _resolves(root: dict[str, Any], ref: str) -> bool:
    """Whether a ``#...`` reference names a subschema of ``root``: a JSON pointer
    (``#/definitions/x``, ``#`` itself) or a draft-04 ``id`` fragment (``#name``)."""
    fragment = unquote(ref[1:])
    if not fragment.startswith("/") and fragment:
        return any(isinstance(node, dict) and node.get("id") == ref for _, node in _walk(root))
    node: Any = root
    for part in fragment.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, dict)


def _ref_hint(root: dict[str, Any]) -> str:
    definitions = root.get("definitions")
    if isinstance(definitions, dict) and definitions:
        listed = ", ".join(f"#/definitions/{name}" for name in definitions)
        return f"the schema defines {listed}"
    return "add it under 'definitions' and point to it as '#/definitions/NAME'"


# --------------------------------------------------------------------------- validation


def validate(artifact_type: ArtifactType, doc: Any) -> None:
    """Raise :class:`SchemaViolationError` (1620) naming every field of ``doc`` that is wrong."""
    if type(doc) is not dict and not isinstance(doc, Mapping):
        raise schema_violation(
            artifact_type.name, [("", f"{_short.repr(doc)} is not a document (a JSON object)")]
        )
    body = without_system_attributes(doc)
    fast = artifact_type.fast_validator
    if fast is None:  # a schema jsonschema-rs cannot compile: jsonschema (and Python's re) alone
        violations = {
            v for error in artifact_type.validator.iter_errors(body) for v in _describe(error)
        }
    elif fast.is_valid(body):
        return
    else:  # the compiled validator's own errors: its regex engine is bounded, Python's is not
        violations = {
            v
            for error in fast.iter_errors(body)
            for v in describe_compiled(error, artifact_type.schema)
        }
    if violations:
        raise schema_violation(artifact_type.name, sorted(violations))


def stamp(artifact_type: ArtifactType, doc: dict[str, Any]) -> dict[str, Any]:
    """Record on ``doc`` the schema version of ``artifact_type`` (the one it is checked against)."""
    doc[SCHEMA_VERSION] = artifact_type.schema_version
    return doc


def is_valid(artifact_type: ArtifactType, doc: Mapping[str, Any]) -> bool:
    """Whether ``doc`` satisfies the type's schema (its system attributes unseen)."""
    body = without_system_attributes(doc)
    fast = artifact_type.fast_validator
    if fast is not None:
        return bool(fast.is_valid(body))
    return bool(artifact_type.validator.is_valid(body))


def field_path(path: Iterable[str | int]) -> str:
    """``metrics.accuracy``, ``columns[2].name``; the empty string for the document itself."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def schema_violation(type_name: str, violations: Sequence[tuple[str, str]]) -> SchemaViolationError:
    """The 1620 error for ``(field, message)`` pairs, all of them in one message."""
    listed = "; ".join(f"{_label(name)}: {message}" for name, message in violations)
    return SchemaViolationError(
        f"{type_name}: {listed}",
        type=type_name,
        violations=[{"field": name, "message": message} for name, message in violations],
    )


def _label(field_name: str) -> str:
    return f"field '{field_name}'" if field_name else "the document"


@lru_cache(maxsize=64)
def _validator(schema_text: str) -> Draft4Validator:
    return Draft4Validator(json.loads(schema_text))


def _describe(error: ValidationError) -> list[tuple[str, str]]:
    path = list(error.absolute_path)
    where = field_path(path)
    instance, expected = error.instance, error.validator_value
    if error.validator == "required":
        missing = [name for name in expected if isinstance(instance, dict) and name not in instance]
        return [(field_path([*path, name]), "is required but missing") for name in missing]
    if error.validator == "additionalProperties" and expected is False:
        declared = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        unexpected = [
            key
            for key in instance
            if key not in declared and not any(re.search(p, key) for p in patterns)
        ]
        return [(field_path([*path, key]), "is not a declared field") for key in unexpected]
    if error.validator == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(repr(t) for t in types)
        return [(where, f"{_short.repr(instance)} is not of type {wanted}")]
    if error.validator == "enum":
        return [(where, f"{_short.repr(instance)} is not one of {expected!r}")]
    if error.validator == "pattern":
        # The field's description says the expected form in words; the regex is its fallback.
        form = error.schema.get("description") or f"a match of {expected!r}"
        return [(where, f"{_short.repr(instance)} does not have the expected form: {form}")]
    return [(where, error.message)]


def describe_compiled(error: Any, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(field, message)`` pairs of a jsonschema-rs error, worded as :func:`_describe` words
    jsonschema's (the keyword's value read from the schema, where the error points)."""
    kind = error.kind
    path = list(error.instance_path)
    where = field_path(path)
    node = _subschema(schema, list(error.schema_path)[:-1])
    kinds = jsonschema_rs.ValidationErrorKind
    if isinstance(kind, kinds.Required):
        return [(field_path([*path, kind.property]), "is required but missing")]
    if isinstance(kind, kinds.AdditionalProperties):
        return [(field_path([*path, key]), "is not a declared field") for key in kind.unexpected]
    if isinstance(kind, kinds.Type):
        declared = node.get("type", kind.types)
        types = [declared] if isinstance(declared, str) else list(declared)
        wanted = " or ".join(repr(t) for t in types)
        return [(where, f"{_short.repr(error.instance)} is not of type {wanted}")]
    if isinstance(kind, kinds.Enum):
        return [
            (
                where,
                f"{_short.repr(error.instance)} is not one of {node.get('enum', kind.options)!r}",
            )
        ]
    if isinstance(kind, kinds.Pattern):
        form = node.get("description") or f"a match of {kind.pattern!r}"
        return [(where, f"{_short.repr(error.instance)} does not have the expected form: {form}")]
    return [(where, error.message)]


def _subschema(schema: Mapping[str, Any], pointer: Sequence[str | int]) -> Mapping[str, Any]:
    """The schema node at ``pointer`` (keys and indexes), or {} where the path leads nowhere."""
    node: Any = schema
    for part in pointer:
        if isinstance(node, Mapping) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return {}
    return node if isinstance(node, Mapping) else {}


def arango_rule(artifact_type: ArtifactType) -> dict[str, Any]:
    """ArangoDB's collection ``schema`` property enforcing the type server-side: the
    schema less what the server would judge otherwise than the client
    (``schema_portability.py``), so that it never refuses what the client accepted."""
    rule = server_rule(artifact_type.schema)
    for key in ("$schema", "title", "description"):
        rule.pop(key, None)
    for _, node in list(_walk(rule)):
        if isinstance(node, dict):
            for key in [k for k in node if k.startswith("x-")]:
                del node[key]
    return {
        "rule": rule,
        "level": "moderate",
        "message": (
            f"document does not satisfy the JSON Schema of artifact type "
            f"'{artifact_type.name}' (schema version {artifact_type.schema_version})"
        ),
    }


# --------------------------------------------------------------------------- evolution

_LOWER_BOUNDS = {
    "minimum": "exclusiveMinimum",
    "minLength": "",
    "minItems": "",
    "minProperties": "",
}
_UPPER_BOUNDS = {
    "maximum": "exclusiveMaximum",
    "maxLength": "",
    "maxItems": "",
    "maxProperties": "",
}
# Compared as a whole: a change is reported, since it cannot be shown to only relax.
_OPAQUE_KEYWORDS = (
    "patternProperties", "dependencies", "allOf", "anyOf", "oneOf", "not", "$ref",
    "definitions", "additionalItems",
)  # fmt: skip


def compatible_change(old_schema: Mapping[str, Any], new_schema: Mapping[str, Any]) -> list[str]:
    """Why documents valid under ``old_schema`` may fail ``new_schema``; empty when none can.

    Backward compatible changes add optional properties or relax constraints
    (drop a required entry, widen a type, drop or extend an enum, lower a
    minimum, ...). Keywords whose effect cannot be compared are reported when
    they change, so an empty list is a guarantee, never a guess.
    """
    reasons: list[str] = []
    old_kind, new_kind = old_schema.get("x-kind"), new_schema.get("x-kind")
    if old_kind and new_kind and old_kind != new_kind:
        reasons.append(f"the kind changed from {old_kind} to {new_kind}")
    _compare(old_schema, new_schema, [], reasons)
    return reasons


def _compare(old: Any, new: Any, parts: list[str], out: list[str]) -> None:
    label = _label(_schema_field(parts))
    if old is False or new is True:
        return
    if new is False:
        out.append(f"{label}: no longer allowed")
        return
    old = {} if old is True else old
    _compare_types(old, new, label, out)
    _compare_values(old, new, label, out)
    _compare_properties(old, new, parts, out)
    if "items" in new:
        old_items, new_items = old.get("items", {}), new["items"]
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            _compare(old_items, new_items, [*parts, "[]"], out)
        elif old_items != new_items:
            out.append(f"{label}: 'items' changed (not comparable, so treated as breaking)")
    for key in _OPAQUE_KEYWORDS:
        if key in new and old.get(key) != new[key]:
            out.append(f"{label}: '{key}' changed (not comparable, so treated as breaking)")


def _types(schema: Mapping[str, Any]) -> set[str]:
    declared = schema.get("type", sorted(_JSON_TYPES))
    return {declared} if isinstance(declared, str) else set(declared)


def _compare_types(
    old: Mapping[str, Any], new: Mapping[str, Any], label: str, out: list[str]
) -> None:
    old_types, new_types = _types(old), _types(new)
    accepted = new_types | ({"integer"} if "number" in new_types else set())
    if old_types - accepted:
        before = "any" if "type" not in old else " or ".join(sorted(old_types))
        out.append(f"{label}: type narrowed from {before} to {' or '.join(sorted(new_types))}")


def _compare_values(
    old: Mapping[str, Any], new: Mapping[str, Any], label: str, out: list[str]
) -> None:
    if "enum" in new:
        if "enum" not in old:
            out.append(f"{label}: values now restricted to {new['enum']!r}")
        elif lost := [value for value in old["enum"] if value not in new["enum"]]:
            out.append(f"{label}: no longer allows {lost!r}")
    for bounds, lower in ((_LOWER_BOUNDS, True), (_UPPER_BOUNDS, False)):
        for key, exclusive in bounds.items():
            if key not in new:
                continue
            if key not in old:
                out.append(f"{label}: {key} {new[key]!r} added")
            elif (new[key] > old[key]) if lower else (new[key] < old[key]):
                moved = "raised" if lower else "lowered"
                out.append(f"{label}: {key} {moved} from {old[key]!r} to {new[key]!r}")
            elif new[key] == old[key] and new.get(exclusive) and not old.get(exclusive):
                out.append(f"{label}: {key} {new[key]!r} became exclusive")
    for key in ("pattern", "format"):
        if key in new and old.get(key) != new[key]:
            was = f" (was {old[key]!r})" if key in old else ""
            out.append(f"{label}: {key} {new[key]!r} required{was}")
    if "multipleOf" in new and (
        "multipleOf" not in old or not (old["multipleOf"] / new["multipleOf"]).is_integer()
    ):
        out.append(f"{label}: multipleOf {new['multipleOf']!r} required")
    if new.get("uniqueItems") and not old.get("uniqueItems"):
        out.append(f"{label}: items must now be unique")


def _compare_properties(
    old: Mapping[str, Any], new: Mapping[str, Any], parts: list[str], out: list[str]
) -> None:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_extra = old.get("additionalProperties", True)
    new_extra = new.get("additionalProperties", True)
    for name in new.get("required", []):
        if name not in old.get("required", []):
            out.append(f"{_label(_schema_field([*parts, name]))}: is now required")
    for name, old_sub in old_props.items():
        _compare(old_sub, new_props.get(name, new_extra), [*parts, name], out)
    if isinstance(old_extra, dict):
        for name, new_sub in new_props.items():
            if name not in old_props:
                _compare(old_extra, new_sub, [*parts, name], out)
    if new_extra is False and old_extra is not False:
        out.append(f"{_label(_schema_field(parts))}: undeclared fields are no longer allowed")
    elif old_extra is not False:
        _compare(old_extra, new_extra, [*parts, "*"], out)


def _schema_field(parts: Iterable[str]) -> str:
    text = ""
    for part in parts:
        text += part if part == "[]" or not text else f".{part}"
    return text
