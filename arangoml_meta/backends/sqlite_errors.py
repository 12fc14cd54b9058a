"""SQLite's errors as the project's, at the embedded backend's boundary.

What a user can cause below the engine — a full disk, a damaged file, a file
that is no database, a store they may not write, a lock held longer than the
timeout, an unreadable location — comes out as a :class:`StoreError` (or a
:class:`TransactionError` for a lock) with ArangoDB's number for it and the
store's path in the message. Any other SQLite error is a bug of the engine's
own SQL and passes through unchanged, so that it is reported, not hidden.
After a failure outside any open transaction, a transaction SQLite left open
(a failed ``COMMIT`` on a full disk) is rolled back, so the store stays usable.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..errors import (
    ERROR_ARANGO_CORRUPTED_DATAFILE,
    ERROR_ARANGO_DOCUMENT_TOO_LARGE,
    ERROR_ARANGO_FILESYSTEM_FULL,
    ERROR_ARANGO_READ_ONLY,
    ERROR_LOCK_TIMEOUT,
    ERROR_SYS_ERROR,
    ArangoMLMetaError,
    StoreError,
    error_for,
)

# SQLite's primary result codes (sqlite3.h; the module exposes them from Python 3.11 only)
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_TOOBIG = 18
SQLITE_NOTADB = 26

# primary SQLite result code -> (ArangoDB error number, what to tell the user)
_USER_CAUSED: dict[int, tuple[int, str]] = {
    SQLITE_FULL: (
        ERROR_ARANGO_FILESYSTEM_FULL,
        "the disk holding the store {where} is full: nothing of this operation was written; "
        "free some space and try again",
    ),
    SQLITE_CORRUPT: (
        ERROR_ARANGO_CORRUPTED_DATAFILE,
        "the store {where} is damaged ({detail}): restore it from a backup; "
        "'sqlite3 FILE .recover' may save what is left",
    ),
    SQLITE_NOTADB: (
        ERROR_ARANGO_CORRUPTED_DATAFILE,
        "{where} is not a store: the file is not an SQLite database, or it is damaged "
        "beyond reading ({detail})",
    ),
    SQLITE_READONLY: (
        ERROR_ARANGO_READ_ONLY,
        "the store {where} is open read-only ({detail}): this user may not write it, or it "
        "was opened read-only; nothing was written",
    ),
    SQLITE_BUSY: (
        ERROR_LOCK_TIMEOUT,
        "the store {where} stayed locked by another process longer than the lock timeout "
        "(ARANGOML_META_LOCK_TIMEOUT): nothing was written; try again",
    ),
    SQLITE_LOCKED: (
        ERROR_LOCK_TIMEOUT,
        "the store {where} is locked ({detail}): nothing was written; try again",
    ),
    SQLITE_CANTOPEN: (
        ERROR_SYS_ERROR,
        "cannot open the store file {where} ({detail}): check that its directory exists "
        "and this user may read it",
    ),
    SQLITE_PERM: (
        ERROR_SYS_ERROR,
        "the operating system refused access to the store {where} ({detail})",
    ),
    SQLITE_IOERR: (
        ERROR_SYS_ERROR,
        "reading or writing the store {where} failed ({detail}): check the disk; "
        "a transaction that failed wrote nothing",
    ),
    SQLITE_TOOBIG: (
        ERROR_ARANGO_DOCUMENT_TOO_LARGE,
        "a document or value is too large for the store {where} ({detail})",
    ),
}


# SQLite's messages for those codes (sqlite3_errstr), for Python before 3.11
_CODE_OF_MESSAGE = {
    "access permission denied": SQLITE_PERM,
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "attempt to write a readonly database": SQLITE_READONLY,
    "disk I/O error": SQLITE_IOERR,
    "database disk image is malformed": SQLITE_CORRUPT,
    "database or disk is full": SQLITE_FULL,
    "unable to open database file": SQLITE_CANTOPEN,
    "string or blob too big": SQLITE_TOOBIG,
    "file is not a database": SQLITE_NOTADB,
}


def translate(exc: sqlite3.Error, where: str) -> ArangoMLMetaError | None:
    """The project's error for ``exc``, or None when it is not one a user causes."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # Python 3.10 gives only the message
        code = _CODE_OF_MESSAGE.get(str(exc), -1)
    known = _USER_CAUSED.get(code & 0xFF)
    if known is None:
        return None
    num, message = known
    detail = getattr(exc, "sqlite_errorname", "") + (f": {exc}" if str(exc) else "")
    return error_for(num, message.format(where=where, detail=detail))


@contextlib.contextmanager
def sqlite_errors(where: str, recover: Callable[[], None] | None = None) -> Iterator[None]:
    """Translate user-caused SQLite errors raised inside the block (see the module docstring);
    ``recover`` runs first, to leave the connection usable."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        error = _project_error(exc, where, recover)
        if error is exc:
            raise
        raise error from exc


def _project_error(
    exc: sqlite3.Error | OSError, where: str, recover: Callable[[], None] | None
) -> BaseException:
    """What to raise instead of ``exc``: the project's error, or ``exc`` itself (a bug)."""
    if isinstance(exc, OSError):  # the store's path itself: a permission, a missing parent
        return StoreError(
            f"cannot use the store location {where}: {exc.strerror or exc}", ERROR_SYS_ERROR
        )
    if recover is not None:
        recover()
    return translate(exc, where) or exc


T = TypeVar("T")


def translating_sqlite_errors(cls: type[T]) -> type[T]:
    """Class decorator: every public method of an embedded backend translates SQLite's errors
    (and ends a transaction SQLite left open, see :func:`sqlite_errors`)."""
    for name, method in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(method):
            continue
        if inspect.isgeneratorfunction(method):
            continue
        setattr(cls, name, _translating(method))
    return cls


def _translating(method: Callable[..., Any]) -> Callable[..., Any]:
    # try/except rather than the context manager: free until something fails (every
    # document read goes through here)
    @functools.wraps(method)
    def translated(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            error = _project_error(exc, self.location, self._recover)
            if error is exc:
                raise
            raise error from exc

    return translated
