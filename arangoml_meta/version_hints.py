"""The next version of names this process committed, known without asking the store.

A pipeline registers the same names again and again (a model retrained, a
dataset refreshed). When a step commits, the versions it wrote are the newest of
their names (``versions.py`` confirmed them inside the commit's write
transaction); :class:`VersionHints` remembers them with the backend's
``foreign_commits`` token of that transaction. While no other connection has
committed since (the token is unchanged), the next version of such a name is the
remembered one plus one, exactly what :func:`~.versions.provisional_version` would
read — without its read transaction, and without its query for a name that has
versions. Once another connection commits, every hint is dropped: it may have
registered or deleted versions meanwhile. The step's commit confirms the versions
as always, so a hint can cost a renumbering, never a wrong version.

Backends without ``foreign_commits_now`` (ArangoDB: other clients write unseen)
give no hints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# names remembered at most (all are forgotten when there are more)
MAX_HINTS = 10_000


class VersionHints:
    """(type, name) -> the newest version this process committed, while still true."""

    def __init__(self, backend: Any) -> None:
        self._now: Callable[[], int] | None = getattr(backend, "foreign_commits_now", None)
        self._token: Callable[[], int] | None = getattr(backend, "foreign_commits", None)
        self._latest: dict[tuple[str, str], tuple[int, int]] = {}

    def next_version(self, type_name: str, name: str) -> int | None:
        """The version ``name`` would get now, if this process knows it; else None."""
        known = self._latest.get((type_name, name))
        if known is None or self._now is None:
            return None
        version, token = known
        if self._now() != token:  # another connection committed: hints may be stale
            self._latest.clear()
            return None
        return version + 1

    def token(self) -> int | None:
        """Inside a commit's transaction: what :meth:`committed` is to be given."""
        return None if self._token is None or self._now is None else self._token()

    def committed(self, versions: Iterable[tuple[tuple[str, str], int]], token: int | None) -> None:
        """After a commit: each (type, name) and the newest version the commit gave it;
        ``token``: :meth:`token` read inside the commit's transaction."""
        if token is None:
            return
        if len(self._latest) > MAX_HINTS:
            self._latest.clear()
        for key, version in versions:
            self._latest[key] = (version, token)

    def forget(self) -> None:
        """Drop every hint (the store was written around the step machinery: a restore)."""
        self._latest.clear()
