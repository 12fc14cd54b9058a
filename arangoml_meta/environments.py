"""Captured environments, stored once each and linked from the runs that ran in them.

A run used to carry its whole environment (interpreter, platform, every installed
package, git state): about 1.6 kB of a 2 kB run, the same for every run of a
process. Now the environment is a document of its own in ``environments``,
keyed by the SHA-256 digest of its content (:func:`environment_record`), and a
run keeps only ``environment: {id, host, user, pid}`` — the reference and what
is particular to its process. ``run_record``, ``reproduce_run`` and ``runs
show`` still show it in full (:func:`expand` / ``DOCUMENT(r.environment.id)``).

The record is written with the first run that needs it (:class:`EnvironmentRecords`
remembers, per store object, which digests are known to be stored, so later runs
write nothing for it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

ENVIRONMENTS = "environments"
# what is shared by the runs of an environment; the rest (host, user, pid) stays on the run
SHARED = ("python", "platform", "packages", "git")
PER_PROCESS = ("host", "user", "pid")


def digest(environment: Mapping[str, Any]) -> str:
    """The SHA-256 of the shared part of an environment, over its canonical JSON, in its
    first 128 bits (32 hex digits: unique among any number of environments a store sees,
    and short, since every run names it)."""
    shared = {name: environment.get(name) for name in SHARED}
    return hashlib.sha256(orjson.dumps(shared, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def environment_record(environment: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The document of ``environments`` for a captured environment (its key is its digest)."""
    return {"_key": key, **{name: environment.get(name) for name in SHARED}}


def reference(environment: Mapping[str, Any], key: str) -> dict[str, Any]:
    """What a run keeps of its environment: the record's id and its own process."""
    ref: dict[str, Any] = {"id": f"{ENVIRONMENTS}/{key}"}
    for name in PER_PROCESS:
        if environment.get(name) is not None:
            ref[name] = environment[name]
    return ref


def is_reference(environment: Any) -> bool:
    """Whether a run's ``environment`` is a reference (not an environment written in full)."""
    return isinstance(environment, Mapping) and isinstance(environment.get("id"), str)


def expand(run_environment: Any, record: Mapping[str, Any] | None) -> Any:
    """A run's environment in full: its record's content with the run's own process."""
    if not is_reference(run_environment):
        return run_environment
    shared = {name: (record or {}).get(name) for name in SHARED}
    return {**shared, **{k: v for k, v in run_environment.items() if k != "id"}}


class EnvironmentRecords:
    """The digests a store object has seen stored, so that a record is written once."""

    def __init__(self) -> None:
        self.stored: set[str] = set()
        self._digests: dict[int, tuple[Mapping[str, Any], str]] = {}

    def key_of(self, environment: Mapping[str, Any]) -> str:
        """The digest of ``environment``, remembered for the object (captures are shared)."""
        cached = self._digests.get(id(environment))
        if cached is not None and cached[0] is environment:
            return cached[1]
        key = digest(environment)
        if len(self._digests) > 64:
            self._digests.clear()
        self._digests[id(environment)] = (environment, key)
        return key
