"""What a request runs against: its database, its stream transaction, its user."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..backends.database_names import SYSTEM_DATABASE
from ..embedded import EmbeddedDatabase
from ..errors import TransactionError
from .state import Database
from .transactions import StreamTransaction, as_conflict

if TYPE_CHECKING:
    from .app import Server

T = TypeVar("T")

TRX_HEADER = "x-arango-trx-id"


@dataclass
class RequestContext:
    """The database a request names (``/_db/NAME/...``, else ``_system``), the stream
    transaction it joins (``x-arango-trx-id``) and the authenticated user (None without
    authentication)."""

    server: Server
    database: Database
    transaction: StreamTransaction | None
    user: str | None

    async def run(self, work: Callable[[EmbeddedDatabase], T]) -> T:
        """Run ``work`` with the database: inside the stream transaction when the request
        joins one, else on a worker thread's own connection. A write that waited longer
        than the lock timeout for another writer fails as ArangoDB's write-write conflict
        (1200, which clients retry; see ``transactions.py``)."""
        if self.transaction is not None:
            return await asyncio.wrap_future(self.transaction.submit(work))
        database = self.database
        try:
            return await run_in_threadpool(lambda: work(database.connection()))
        except TransactionError as exc:
            conflict = as_conflict(exc, database.lock_timeout)
            if conflict is exc:
                raise
            raise conflict from None  # it waited too long for another writer


def database_name(request: Request) -> str:
    return str(request.path_params.get("database", SYSTEM_DATABASE))


def context(request: Request) -> RequestContext:
    """The request's context: its database (1228 when there is none), the stream
    transaction named by its header (1655 when there is none) and its user (set by the
    authentication middleware)."""
    ctx: RequestContext | None = getattr(request.state, "context", None)
    if ctx is None:
        server: Server = request.app.state.server
        database = server.databases.get(database_name(request))
        trx_id = request.headers.get(TRX_HEADER)
        transaction = server.transactions.get(trx_id, database) if trx_id else None
        user = getattr(request.state, "user", None)
        ctx = RequestContext(server, database, transaction, user)
        request.state.context = ctx
    return ctx
