"""The rows of a running query, as either backend hands them out.

Apart from both engines so that a store on ArangoDB, the domain layer and the
CLI name it without loading the embedded engine.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .embedded.limits import Budget


class Cursor:
    """The rows of a running query as they are read, on either backend (ArangoDB's
    come a batch at a time); ``warnings`` is complete once every row has been read.

    On the embedded engine a read-only query holds its read transaction (one
    snapshot, and the storage's lock) from the first row read until the last,
    or until :meth:`close`: the thread reading it cannot write meanwhile, and
    other threads of this process wait.
    """

    def __init__(
        self,
        rows: Generator[Any, None, None],
        warnings: list[dict[str, Any]],
        budget: Budget | None = None,
    ) -> None:
        self.rows = rows
        self.warnings = warnings
        self.budget = budget  # the embedded engine's limits and peak (None: the server's)

    def __iter__(self) -> Iterator[Any]:
        return self.rows

    def __next__(self) -> Any:
        return next(self.rows)

    def close(self) -> None:
        """Stop the query (ending its transaction) without reading the rest."""
        self.rows.close()

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
