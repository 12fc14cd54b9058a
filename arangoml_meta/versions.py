"""Allocating versions: ``iris`` → ``datasets/iris-v1``, ``-v2``, ... never handing one out twice.

A version of a name is new when it is above every live one and no deletion
record holds its id (a deleted version is never handed out again, see
``deletion.py``). Every check here reads by key or through the ``(name,
version)`` index, so it costs the same at 10 versions of a name as at 100,000:

- :func:`provisional_version`, when a step registers: the version the name would
  get if the step committed now (``name-v1`` missing: 1, with no query); a name
  this process committed gets it from ``version_hints.py`` without a read while no
  other connection has committed;
- :func:`confirm_versions`, when the step commits: the provisional versions still
  hold when the version before the first is stored or spent, no deletion record
  holds one of them, and (the insert checks this) no document has their key. One
  lookup of ids (:func:`version_probes`) whatever the number of names and types:
  a step's commit makes it together with that of the ids its edges point to;
- :func:`first_versions`, for the many new names of an import's batch: the
  same key lookups, and the general answer only for names that have versions;
- :func:`next_versions`, the general answer (the newest live version per name,
  then past spent ones), for names that failed the check.

Documents written around the store (AQL) with versions above a gap are not seen
by the quick check; the unique ``(name, version)`` index still refuses a duplicate.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from .backends import Session, missing_ids
from .deletion import DELETIONS, record_key
from .refs import artifact_key

# the newest live version of each name: one query per type for all the names
_LATEST_VERSIONS = """
FOR n IN @names
  RETURN FIRST(FOR d IN @@c FILTER d.name == n SORT d.version DESC LIMIT 1 RETURN d.version)
"""
# the newest deleted version of a name (only asked when a version after the live ones is spent)
_LATEST_DELETED_VERSION = """
FOR t IN deletions FILTER t.type == @c AND t.name == @name SORT t.version DESC LIMIT 1
  RETURN t.version
"""


def provisional_version(session: Session, type_name: str, name: str) -> int:
    """The version ``name`` would get now (checked again, and corrected, at the commit)."""
    if session.get(type_name, artifact_key(name, 1)) is None:
        return 1  # a new name, or one whose first version was deleted: the commit sees which
    return next_versions(session, type_name, {name: 1})[name]


def first_versions(session: Session, type_name: str, counts: dict[str, int]) -> dict[str, int]:
    """The first of ``counts[name]`` new versions of many names (an import's batch): names
    without a first version (``name-v1`` missing) are confirmed at 1 by key lookups, the
    others get the general answer."""
    names = list(counts)
    docs = session.get_many(type_name, [artifact_key(name, 1) for name in names])
    fresh = {name: (1, counts[name]) for name, doc in zip(names, docs, strict=True) if doc is None}
    result = confirm_versions(session, type_name, fresh) if fresh else {}
    rest = {name: count for name, count in counts.items() if name not in fresh}
    if rest:
        result.update(next_versions(session, type_name, rest))
    return result


def version_probes(type_name: str, planned: dict[str, tuple[int, int]]) -> list[str]:
    """The ids whose existence :func:`confirm_versions` decides by: the deletion record of
    each planned version and of the version before the first, and that version's document."""
    probes = []
    for name, (first, count) in planned.items():
        versions = range(first - 1 if first > 1 else first, first + count)
        probes += [
            f"{DELETIONS}/{record_key(f'{type_name}/{artifact_key(name, v)}')}" for v in versions
        ]
        if first > 1:
            probes.append(f"{type_name}/{artifact_key(name, first - 1)}")
    return probes


def confirm_versions(
    session: Session,
    type_name: str,
    planned: dict[str, tuple[int, int]],
    existing: Container[str] | None = None,
) -> dict[str, int]:
    """The first version of each name's ``count`` new ones: ``first`` as planned when the
    quick check holds (see the module docstring), else the general answer.

    ``existing``: which of the :func:`version_probes` exist, when the caller asked already
    (a step's commit asks with the ids its edges point to, in one lookup)."""
    if existing is None:
        probes = version_probes(type_name, planned)
        absent = set(missing_ids(session, probes))
        existing = {probe for probe in probes if probe not in absent}

    def spent(name: str, version: int) -> bool:
        record = record_key(f"{type_name}/{artifact_key(name, version)}")
        return f"{DELETIONS}/{record}" in existing

    failed = set()
    for name, (first, count) in planned.items():
        if any(spent(name, v) for v in range(first, first + count)):
            failed.add(name)  # a planned version was deleted: never handed out again
        elif first > 1 and not (
            f"{type_name}/{artifact_key(name, first - 1)}" in existing or spent(name, first - 1)
        ):
            failed.add(name)  # the version before is neither stored nor spent
    result = {name: first for name, (first, _) in planned.items() if name not in failed}
    if failed:
        counts = {name: planned[name][1] for name in failed}
        result.update(next_versions(session, type_name, counts))
    return result


def next_versions(
    session: Session, type_name: str, counts: dict[str, int], *, free_keys: bool = False
) -> dict[str, int]:
    """The first of ``counts[name]`` consecutive new versions of each name, in one query
    (and the slow path for a name with spent versions after its newest live one).

    With ``free_keys`` (after a commit found a key taken by a document written around
    the store) a version whose key a document holds is passed over too.
    """
    names = list(counts)
    latest = session.query(_LATEST_VERSIONS, {"@c": type_name, "names": names})
    first = {name: int(live or 0) + 1 for name, live in zip(names, latest, strict=True)}
    wanted = [
        (name, version)
        for name in names
        for version in range(first[name], first[name] + counts[name])
    ]
    for name in {name for name, _ in _spent(session, type_name, wanted, free_keys)}:
        first[name] = _first_unspent(session, type_name, name, first[name], counts[name], free_keys)
    return first


def _spent(
    session: Session, type_name: str, wanted: list[tuple[str, int]], free_keys: bool
) -> set[tuple[str, int]]:
    """The (name, version) pairs of ``wanted`` a deletion record holds (with ``free_keys``,
    or a document's key)."""
    keys = [record_key(f"{type_name}/{artifact_key(name, v)}") for name, v in wanted]
    records = session.get_many(DELETIONS, keys)
    spent = {pair for pair, record in zip(wanted, records, strict=True) if record is not None}
    if free_keys:
        docs: list[Any] = session.get_many(type_name, [artifact_key(n, v) for n, v in wanted])
        spent |= {pair for pair, doc in zip(wanted, docs, strict=True) if doc is not None}
    return spent


def _first_unspent(
    session: Session, type_name: str, name: str, first: int, count: int, free_keys: bool
) -> int:
    """The slow path: past the newest deleted version, then version by version."""
    deleted = session.query(_LATEST_DELETED_VERSION, {"c": type_name, "name": name})
    version = max(first, max((int(v) for v in deleted if v is not None), default=0) + 1)
    while _spent(
        session, type_name, [(name, v) for v in range(version, version + count)], free_keys
    ):
        version += 1
    return version
