"""The process that runs one JavaScript transaction's action: QuickJS, and a pipe to serve.

``js_transactions.py`` starts this file as a program of its own
(``python -I js_sandbox.py``: isolated mode, so nothing of the server's
environment or working directory is imported) for each JavaScript
transaction. The script runs in QuickJS (the ``quickjs`` package: a small
ECMAScript 2020 engine with no file system, network, process or timer API of
its own), with the JavaScript API of ``js_api.py``. Every database operation
the script makes is a message to the server, which runs it inside the
transaction and answers; so the script reaches nothing but the transaction,
and only through the server's checks.

Why a process and not the server's own interpreter: QuickJS's time limit
cannot be combined with calls into Python in this binding (and would count
the whole process's CPU time), so a runaway script is stopped by the server
killing its process at the time limit; a crash of the engine ends this
process, never the server; and the process is given operating-system limits
(CPU seconds, address space, no file writes, few descriptors) besides
QuickJS's own memory limit, as defence in depth. It dies with the server
(``PR_SET_PDEATHSIG``) and when its pipe closes.

Messages are frames: a 4-byte big-endian length, then UTF-8 JSON text.
Server to sandbox: first ``{prelude, action, params, memory, cpuSeconds}``,
then one reply per operation (JSON text the API parses). Sandbox to server:
``{"call": op, "args": [...]}`` for an operation, then one last
``{"done": {...}}`` (the runner's outcome) or ``{"crash": message}``.

This file imports only the standard library and QuickJS.
"""

from __future__ import annotations

import contextlib
import json
import resource
import struct
import sys
from typing import IO, Any

_HEADER = struct.Struct(">I")
# what the sandbox may use besides the script's heap: the interpreter and QuickJS (~16 MB)
ADDRESS_SPACE_MARGIN = 512 << 20
MAX_STACK = 1 << 20  # bytes of JavaScript stack (deep recursion is a RangeError)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame's payload; None when the pipe has closed."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the server ends (elsewhere: the pipe's end)."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG


def _limit(kind: int, value: int) -> None:
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def _confine(start: dict[str, Any]) -> None:
    """Operating-system limits: CPU seconds, address space, no file writes, few files."""
    _limit(resource.RLIMIT_CPU, max(1, int(start["cpuSeconds"])))
    _limit(resource.RLIMIT_AS, int(start["memory"]) + ADDRESS_SPACE_MARGIN)
    _limit(resource.RLIMIT_FSIZE, 0)
    _limit(resource.RLIMIT_NOFILE, 8)


def main() -> int:
    _die_with_parent()
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    first = read_frame(inbox)
    if first is None:
        return 1
    start = json.loads(first)
    import quickjs  # before the limits: loading it opens files

    _confine(start)
    context = quickjs.Context()
    context.set_memory_limit(int(start["memory"]))
    context.set_max_stack_size(MAX_STACK)

    def host(operation: str, arguments: str) -> str:
        """An operation for the server: send it, wait for the answer (JSON text)."""
        request = '{"call":' + json.dumps(operation) + ',"args":' + arguments + "}"
        write_frame(outbox, request.encode("utf-8", "surrogatepass"))
        answer = read_frame(inbox)
        if answer is None:  # the server is gone: end at once
            raise SystemExit(1)
        return answer.decode("utf-8")

    context.add_callable("__arangomlHost", host)
    try:
        context.eval(start["prelude"])
        run = context.get("__arangomlRun")
        outcome = run(start["action"], start["params"])
        message = '{"done":' + str(outcome) + "}"
    except quickjs.JSException as exc:  # the engine's own failure: out of memory, stack
        message = json.dumps({"crash": str(exc).split("\n", 1)[0]})
    write_frame(outbox, message.encode("utf-8", "surrogatepass"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
