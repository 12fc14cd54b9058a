"""``POST /_api/transaction``: ArangoDB's JavaScript transactions, in a sandbox.

The body is ArangoDB's: ``collections`` (``read`` / ``write`` /
``exclusive``: a name or an array of names; ``allowImplicit``), ``action``
(the source of a JavaScript function, called with ``params``), ``params``,
``waitForSync``, ``lockTimeout``, ``maxTransactionSize``, ``allowImplicit``.
Bad input answers 400 / 10 with ArangoDB's messages; the user must be allowed
to read the ``read`` collections and to write the others (403 / 11).

The transaction is a stream transaction's worker (``transactions.py``: its own
thread and connection, declared collections enforced, 1203 for an unknown
one, a lock wait past ``lockTimeout`` 1200) that no client can join (nor does
``GET /_api/transaction`` list it: that lists stream transactions). The
action runs in a sandbox process (``js_sandbox.py``: QuickJS with the API of
``js_api.py``), whose database operations the server runs inside the
transaction (``js_operations.py``). When the action returns, the transaction
commits and the answer is ``{error: false, code: 200, result}`` (``null`` for
``undefined``); when it throws, nothing of it is kept and the answer is the
thrown error as ArangoDB's V8 reads it: an ``ArangoError`` (any object with
``errorNum`` and ``errorMessage`` or ``message``) keeps its number, a string
or another value is 1650 with that text, an ``Error`` 1650 with ``Name:
message`` (a ``TypeError`` 17); the HTTP status is the number's.

``waitForSync`` is checked (a boolean), then not used: the transaction
commits as every write of the store does (``embedded/storage.py``), as with
the document API's ``waitForSync``.

Limits, which ArangoDB does not have in this form: the action runs for at
most ``ServerConfig.js_time_limit`` seconds (wall-clock, from when the
transaction has begun; the sandbox is killed then) and its JavaScript heap
holds at most ``ServerConfig.js_memory_limit`` bytes; either ends the
transaction with 32 (resource limit), nothing kept. At most
:data:`MAX_RUNNING` actions run at once; more wait for their turn.
(``arangoml-meta serve --js-time-limit`` / ``--js-memory-limit``; 30 s and
64 MiB by default.)
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import select
import struct
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..errors import (
    ERROR_BAD_PARAMETER,
    ERROR_INTERNAL,
    ERROR_RESOURCE_LIMIT,
    QueryError,
    error_for,
)
from . import js_api, js_sandbox
from .auth import authorize_collections
from .context import RequestContext, context
from .js_operations import Operations, TimeLimitReached
from .responses import HTTPError, json_body, json_response
from .transactions import StreamTransaction, TransactionOptions, Transactions, as_conflict

log = logging.getLogger("arangoml_meta.server.js")

# actions running at once (each holds a thread, a connection and a process)
MAX_RUNNING = 8
SANDBOX = Path(js_sandbox.__file__)
_HEADER = struct.Struct(">I")
# the largest message the sandbox may send (a result, a batch of documents)
MAX_MESSAGE = 256 << 20

_INVALID_ACTION = "missing/invalid action definition for transaction"
_INVALID_COLLECTIONS = "missing/invalid collections definition for transaction"

_executor = ThreadPoolExecutor(max_workers=MAX_RUNNING, thread_name_prefix="arangoml-meta-js")


@dataclass(frozen=True)
class Limits:
    """What one action may use: seconds of wall-clock time and bytes of JavaScript heap."""

    time: float
    memory: int


@dataclass
class JavaScriptTransaction:
    """A checked request: the transaction's options, the action's source and params."""

    options: TransactionOptions
    action: str
    params: Any  # the JSON value given; ``_ABSENT`` when none was


_ABSENT = object()


def _bad(message: str) -> HTTPError:
    return HTTPError(400, ERROR_BAD_PARAMETER, message)


def _collection_names(collections: dict[str, Any], kind: str) -> list[str]:
    """One ``collections`` entry as ArangoDB's V8 reads it (messages included)."""
    prefix = "invalid collection definition for transaction: "
    value = collections.get(kind)
    if value is None and kind not in collections:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        for i, name in enumerate(value):
            if not isinstance(name, str):
                raise _bad(f"{prefix} Collection name #{i} in array '{kind}' is not a string")
        return list(value)
    raise _bad(f"{prefix} There is no array in '{kind}'")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return float(value)


def parse(body: Any) -> JavaScriptTransaction:
    """The request, checked in the order ArangoDB's V8 checks it (400 / 10)."""
    if not isinstance(body, dict):
        raise _bad("expecting object input data")
    if "lockTimeout" in body and (
        isinstance(body["lockTimeout"], bool) or not isinstance(body["lockTimeout"], int | float)
    ):
        raise _bad("<lockTimeout> must be a valid numeric value")
    if "waitForSync" in body and not isinstance(body["waitForSync"], bool):
        raise _bad("<waitForSync> must be a boolean value")
    lock_timeout = _number(body.get("lockTimeout"))
    if lock_timeout < 0:
        raise _bad("<lockTimeout> needs to be positive")
    collections = body.get("collections")
    if not isinstance(collections, dict):
        raise _bad(_INVALID_COLLECTIONS)
    read, write, exclusive = (
        _collection_names(collections, kind) for kind in ("read", "write", "exclusive")
    )
    allow_implicit = collections.get("allowImplicit", body.get("allowImplicit"))
    action = body.get("action")
    if not isinstance(action, str) or not action.strip():
        raise _bad(_INVALID_ACTION)
    options = TransactionOptions(
        read=read,
        write=write,
        exclusive=exclusive,
        allow_implicit=allow_implicit is not False,
        lock_timeout=lock_timeout,
        max_size=int(max(_number(body.get("maxTransactionSize")), 0)),
    )
    return JavaScriptTransaction(options, action, body.get("params", _ABSENT))


# ---------------------------------------------------------------------- the sandbox process


class SandboxEnded(Exception):
    """The sandbox process ended (or broke the protocol) before its last message."""


class Sandbox:
    """The process an action runs in, and the frames it exchanges with the server."""

    def __init__(self, limits: Limits) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(SANDBOX)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
            start_new_session=True,  # a signal to the server's group does not reach it
            cwd="/",
            env={},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin = self.process.stdin
        self._stdout = self.process.stdout.fileno()
        self.limits = limits

    def send(self, payload: bytes) -> None:
        try:
            self._stdin.write(_HEADER.pack(len(payload)) + payload)
            self._stdin.flush()
        except (BrokenPipeError, OSError):
            raise SandboxEnded from None

    def receive(self, deadline: float) -> bytes:
        """The next frame; :class:`TimeLimitReached` when the deadline comes first."""
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline))
        if size > MAX_MESSAGE:
            raise SandboxEnded
        return self._read(size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeLimitReached
            ready, _, _ = select.select([self._stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._stdout, min(size, 1 << 20))
            if not chunk:
                raise SandboxEnded
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> str:
        """Kill the process (if it still runs) and reap it; its standard error's tail."""
        self.process.kill()
        try:
            _, err = self.process.communicate(timeout=5)
        except (subprocess.TimeoutExpired, ValueError, OSError):
            return ""
        return (err or b"")[-2000:].decode("utf-8", "replace")


# ---------------------------------------------------------------------- running one


def _time_limit(limits: Limits) -> QueryError:
    return QueryError(
        f"the transaction's action ran longer than its time limit ({limits.time:g} s) and "
        "was stopped; nothing it wrote was kept",
        ERROR_RESOURCE_LIMIT,
    )


def _out_of_memory(limits: Limits) -> QueryError:
    return QueryError(
        f"the transaction's action needed more than its memory limit ({limits.memory} bytes "
        "of JavaScript heap); nothing it wrote was kept",
        ERROR_RESOURCE_LIMIT,
    )


def _outcome(done: Any, limits: Limits) -> Any:
    """The action's result, or the error its outcome stands for."""
    if not isinstance(done, dict):
        raise SandboxEnded
    if "result" in done:
        return done["result"]
    if "invalid" in done:
        raise _bad(f"{_INVALID_ACTION} - {done['invalid']}")
    thrown = done.get("thrown")
    if not isinstance(thrown, dict):
        raise SandboxEnded
    num, message = thrown.get("errorNum"), str(thrown.get("errorMessage", ""))
    if message == "InternalError: out of memory":
        raise _out_of_memory(limits)
    if not isinstance(num, int) or isinstance(num, bool):
        num = ERROR_INTERNAL
    raise error_for(num, message)


def _converse(sandbox: Sandbox, job: JavaScriptTransaction, operations: Operations) -> Any:
    limits = sandbox.limits
    params = b"" if job.params is _ABSENT else orjson.dumps(job.params)
    start = {
        "prelude": js_api.prelude(),
        "action": job.action,
        "params": params.decode(),
        "memory": limits.memory,
        "cpuSeconds": math.ceil(limits.time) + 1,
    }
    sandbox.send(orjson.dumps(start))
    while True:
        try:
            message = orjson.loads(sandbox.receive(operations.deadline))
        except orjson.JSONDecodeError:
            raise SandboxEnded from None
        if not isinstance(message, dict):
            raise SandboxEnded
        if "call" in message:
            sandbox.send(operations.answer(message["call"], message.get("args")))
        elif "done" in message:
            return _outcome(message["done"], limits)
        elif "crash" in message:
            if "out of memory" in str(message["crash"]):
                raise _out_of_memory(limits)
            raise error_for(ERROR_INTERNAL, f"JavaScript: {message['crash']}")
        else:
            raise SandboxEnded


def run(
    ctx: RequestContext, job: JavaScriptTransaction, registry: Transactions, limits: Limits
) -> Any:
    """Run the action in its transaction; its result, or the error to answer with. Blocks:
    call it off the event loop."""
    trx: StreamTransaction = registry.create(ctx.database, job.options)
    trx.idle_timeout = limits.time + 60.0  # the action's own limit ends it first
    try:
        trx.start().result()
    except BaseException as exc:
        raise as_conflict(exc, trx.lock_timeout) from None
    commit = False
    sandbox: Sandbox | None = None
    deadline = time.monotonic() + limits.time
    try:
        sandbox = Sandbox(limits)
        result = _converse(sandbox, job, Operations(ctx, trx, deadline))
        commit = True
        return result
    except TimeLimitReached:
        raise _time_limit(limits) from None
    except SandboxEnded:
        detail = sandbox.close() if sandbox is not None else ""
        if time.monotonic() >= deadline:  # killed by its CPU limit
            raise _time_limit(limits) from None
        log.error("the sandbox of a JavaScript transaction ended unexpectedly: %s", detail)
        raise error_for(
            ERROR_INTERNAL, "the JavaScript transaction's sandbox ended unexpectedly"
        ) from None
    finally:
        if sandbox is not None:
            sandbox.close()
        trx.stop(commit).result()


def limits_of(request: Request) -> Limits:
    config = request.app.state.server.config
    return Limits(float(config.js_time_limit), int(config.js_memory_limit))


async def javascript(request: Request) -> Response:
    job = parse(await json_body(request, _ABSENT))
    ctx = context(request)
    options = job.options
    # the user must be allowed what the transaction declares (403 / 11)
    authorize_collections(ctx, options.read, [*options.write, *options.exclusive])
    registry: Transactions = request.app.state.server.transactions
    done = _executor.submit(run, ctx, job, registry, limits_of(request))
    result = await asyncio.wrap_future(done)
    return json_response({"error": False, "code": 200, "result": result})


ROUTES: list[BaseRoute] = [Route("/_api/transaction", javascript, methods=["POST"])]
