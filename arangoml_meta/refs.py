"""Artifact references and readable keys.

An artifact can be named three ways: by id (``datasets/iris-v2``), by name and
version (``datasets/iris@2``) or by name and ``@latest``. Keys are readable and
stable (``iris-v2``), valid ArangoDB keys, so an auditor can type the id.
"""

from __future__ import annotations

import os
import random as random_module
import re
import threading
import time
from dataclasses import dataclass

from .errors import ERROR_ARANGO_DOCUMENT_HANDLE_BAD, DocumentError

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}$"
MAX_NAME_LENGTH = 200
# Names stay ASCII: every type's schema (enforced by ArangoDB itself on its collections)
# carries this pattern, and a key is the name with -vN, so any name is a valid key as is.
NAME_RULE = (
    f"a name is 1 to {MAX_NAME_LENGTH} ASCII characters: letters A-Z a-z, digits 0-9, "
    "'.', '_' and '-', starting with a letter or digit (e.g. 'iris' or 'churn-2024.q1')"
)
_NAME_RE = re.compile(NAME_PATTERN)
_NAME_CHAR = re.compile(r"[A-Za-z0-9_.\-]")
_REF_RE = re.compile(r"^(?P<type>[A-Za-z_][A-Za-z0-9_\-]*)/(?P<rest>.+)$")
# ASCII digits only: str.isdigit() also accepts superscripts, which int() refuses, and
# other scripts' digits, which it reads as numbers
_VERSION_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Ref:
    """A parsed reference: a key, or a name with a version (None = latest)."""

    type: str
    key: str | None = None
    name: str | None = None
    version: int | None = None


def is_valid_name(name: object) -> bool:
    return isinstance(name, str) and _NAME_RE.fullmatch(name) is not None


def name_problem(name: object) -> str:
    """Why ``name`` is not a valid name, then the rule (see :data:`NAME_RULE`)."""
    if not isinstance(name, str):
        problem = f"a name is text, not {type(name).__name__}"
    elif not name:
        problem = "the name is empty"
    elif len(name) > MAX_NAME_LENGTH:
        problem = f"{len(name)} characters is too long"
    elif not (name[0].isascii() and name[0].isalnum()):
        problem = f"it starts with {name[0]!r} (U+{ord(name[0]):04X})"
    else:
        bad = next(char for char in name if not _NAME_CHAR.fullmatch(char))
        problem = f"{bad!r} (U+{ord(bad):04X}) at position {name.index(bad) + 1} is not allowed"
    return f"{problem}; {NAME_RULE}"


def artifact_key(name: str, version: int) -> str:
    """The readable key of version ``version`` of ``name`` (``iris`` v2 → ``iris-v2``)."""
    return f"{name}-v{version}"


_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_RUN_EPOCH_US = 1_577_836_800_000_000  # 2020-01-01T00:00:00Z: ten base-36 digits last to 2136
_STAMP_DIGITS = 10
_RANDOM_DIGITS = 4
_RANDOM_RANGE = 36**_RANDOM_DIGITS
_last_stamp = 0
_stamp_lock = threading.Lock()
# the random digits: a generator of the module's own, seeded from the system's entropy (a
# pipeline seeding the global one for reproducibility leaves it alone) and again in a forked
# child (which must not repeat its parent's digits); ~0.5 us a key less than secrets
_random = random_module.Random()
if hasattr(os, "register_at_fork"):  # POSIX (Windows has no fork)
    os.register_at_fork(after_in_child=_random.seed)


_PAIRS36 = [a + b for a in _DIGITS36 for b in _DIGITS36]  # two digits a step: a run's key costs
# about 1 us, where one digit a step took 3


def _base36(number: int, width: int) -> str:
    """``number`` in base 36, zero-padded to ``width`` digits (an even number)."""
    pairs = []
    for _ in range(width // 2):
        number, pair = divmod(number, 1296)
        pairs.append(_PAIRS36[pair])
    return "".join(reversed(pairs))


def run_key(name: str) -> str:
    """A key for a run: its name, ``-``, the time in microseconds since 2020 as ten base-36
    digits, and four random ones (``train-1b9xk2m0q7f3a9``).

    The time comes first and has a fixed width, so that the keys of one name sort in the
    order the runs were made (``runs/train@latest`` and ``history()`` break ties of
    ``created_at``, which has milliseconds, by key); within a process it always moves
    forward, so that two runs of one name made in the same microsecond still sort, and
    differ. The random digits (1.7 million values) keep runs of one name started by two
    processes in the same microsecond apart. Fourteen characters after the name where
    ``20261126T081830.123456-3f2a9c01`` took 31: the key is stored six times (the runs'
    table and primary index, and the ends of its input and output edges and their indexes).
    Keys made by earlier releases keep their form.
    """
    global _last_stamp
    with _stamp_lock:
        stamp = max(time.time_ns() // 1000 - _RUN_EPOCH_US, _last_stamp + 1)
        _last_stamp = stamp
        random = _random.randrange(_RANDOM_RANGE)
    return f"{name}-{_base36(stamp * _RANDOM_RANGE + random, _STAMP_DIGITS + _RANDOM_DIGITS)}"


def parse_ref(ref: str) -> Ref:
    """Parse ``type/key``, ``type/name@N`` or ``type/name@latest``."""
    match = _REF_RE.match(ref) if isinstance(ref, str) else None
    if match is None:
        raise DocumentError(
            f"malformed artifact reference {ref!r}: expected 'type/key', 'type/name@N' or 'type/name@latest'",
            ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
        )
    type_name, rest = match.group("type"), match.group("rest")
    if "@" in rest:
        name, _, version = rest.rpartition("@")
        if not is_valid_name(name):
            raise DocumentError(
                f"malformed artifact name in {ref!r}: {name_problem(name)}",
                ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
            )
        if version == "latest":
            return Ref(type_name, name=name)
        if not _VERSION_RE.fullmatch(version) or int(version) < 1:
            raise DocumentError(
                f"malformed version in {ref!r}: use a positive number or 'latest'",
                ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
            )
        return Ref(type_name, name=name, version=int(version))
    if "/" in rest:
        raise DocumentError(
            f"malformed artifact reference {ref!r}", ERROR_ARANGO_DOCUMENT_HANDLE_BAD
        )
    return Ref(type_name, key=rest)
