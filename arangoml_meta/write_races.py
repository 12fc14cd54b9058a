"""Writers racing for one key: which errors mean "try again", how long to wait, and where not to.

Two processes registering a version of one name, or initialising one store,
race for a key (``iris-v3``, a built-in type's registry record). The loser gets
1210 (unique constraint violated: the winner had committed) or, on ArangoDB,
1200 (write-write conflict: the winner's transaction was still open, or
committed after the loser's began — its snapshot cannot see the key, its write
collides). Both mean the same: look again, then write, in a fresh transaction.
Attempts are spaced by jittered exponential back-off ("full jitter": a random
wait up to a bound that doubles per attempt), so that writers that collided do
not collide again in lockstep.

Inside an enclosing transaction there is no fresh transaction to try in: it
reads one snapshot, so the next attempt would see what the failed one saw and
fail the same way; and on either backend the failed write has doomed the
enclosing transaction (it rolls back at its end). So nothing is tried again
there: :func:`refuse_taken_keys` checks, before anything is written, the keys
the snapshot can see, and a race it cannot see is refused with the reason
(:func:`nested_race_error`): the caller retries the enclosing transaction.
Schema work (a new type's collection) is refused inside an open transaction on
both backends (:func:`refuse_inside_transaction`): an ArangoDB stream
transaction can write only the collections it was begun with.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .backends import Backend, Session
from .errors import (
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
    ConflictError,
    DocumentError,
    TransactionError,
    UniqueConstraintError,
)

log = logging.getLogger(__name__)

RACE_ERRORS = (UniqueConstraintError, ConflictError)  # 1210, 1200
FIRST_DELAY = 0.005  # seconds: the bound of the first wait (a commit takes milliseconds)
MAX_DELAY = 0.5  # seconds: the bound stops doubling here
ATTEMPTS = 20  # for setting a store up; a step's commit has its own count

T = TypeVar("T")


def backoff(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt ``attempt`` (0 for the first): uniformly random
    up to ``FIRST_DELAY * 2**attempt``, at most ``MAX_DELAY``."""
    bound = min(MAX_DELAY, FIRST_DELAY * 2 ** min(attempt, 32))
    return bound * rng()


def wait_before_retry(attempt: int) -> None:
    time.sleep(backoff(attempt))


def nested_race_error(exc: DocumentError) -> DocumentError:
    """``exc`` (1200 or 1210) for a write that cannot be tried again because an enclosing
    transaction is open (see the module docstring); same class and number."""
    return type(exc)(
        f"{exc.message}; an enclosing transaction is open, and it reads one snapshot, so "
        "the write cannot be tried again inside it (nothing of it will be committed): "
        "retry the enclosing transaction as a whole, or write outside it",
        exc.error_num,
        **exc.details,
    )


def retrying_races(backend: Backend, work: Callable[[], T], what: str) -> T:
    """``work()``, tried again after a 1200 or 1210 (it must look before it writes, so
    that the next attempt sees what the winner wrote); inside an enclosing transaction
    not tried again (:func:`nested_race_error`)."""
    for attempt in range(ATTEMPTS):
        try:
            return work()
        except RACE_ERRORS as exc:
            if backend.transaction_open:
                raise nested_race_error(exc) from exc
            if attempt + 1 == ATTEMPTS:
                raise type(exc)(
                    f"{what}: other writers kept writing the same keys ({ATTEMPTS} tries): "
                    f"{exc.message}",
                    exc.error_num,
                ) from exc
            log.info("%s lost a race (attempt %d): %s", what, attempt + 1, exc)
            wait_before_retry(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def refuse_taken_keys(session: Session, documents: Mapping[str, Sequence[dict[str, Any]]]) -> None:
    """1210 before anything is written when a document the session can see holds a key
    that one of ``documents`` (collection -> new documents) gives: one lookup per
    collection with keys."""
    for collection, docs in documents.items():
        keys = [str(doc["_key"]) for doc in docs if doc.get("_key") is not None]
        if not keys:
            continue
        found = session.get_many(collection, keys)
        taken = [key for key, doc in zip(keys, found, strict=True) if doc is not None]
        if taken:
            raise UniqueConstraintError(
                f"unique constraint violated: {collection}/{taken[0]} exists already "
                "(nothing was written)",
                ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
            )


def refuse_inside_transaction(backend: Backend, what: str) -> None:
    """1652 when a transaction of ``backend`` is open: for schema work (a new type's
    collection), which an ArangoDB stream transaction cannot include — its collections
    are declared when it begins — and which is refused alike on the embedded backend."""
    if backend.transaction_open:
        raise TransactionError(
            f"{what} is not possible inside an open transaction: a transaction writes only "
            "the collections it was begun with (on ArangoDB), so do it before the "
            "transaction begins (a step, store.transaction(), may register types)",
            ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
        )
