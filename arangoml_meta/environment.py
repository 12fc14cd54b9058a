"""What a run ran on and what it used, captured without being asked.

When a pipeline opens a run, the metadata layer records the environment
(:func:`capture_environment`: interpreter, platform, installed packages, git
state, host, user, pid) and meters the resources the run used
(:class:`ResourceMeter`: wall and CPU time, peak memory, plus GPU time and cost
that the caller reports). It also owns the small facts around a run record: who
acts (:func:`current_actor`), whether the process that opened a run is still
alive (:func:`process_alive`, to find runs left open by a killed process) and
timestamps in the form AQL's date functions print (:func:`utc_now_iso`).
Nothing here raises for an odd machine: a missing git, an unusual repository or
a platform without ``resource`` yields ``None`` or partial information.
"""

from __future__ import annotations

import functools
import getpass
import math
import os
import platform
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import ArangoMLMetaError, BadParameterError

try:
    import resource
except ImportError:  # Windows: no rusage, so no peak memory
    resource = None  # type: ignore[assignment]

ACTOR_ENV = "ARANGOML_META_ACTOR"
GIT_TIMEOUT_SECONDS = 5.0

# Schemes where the user name is an account (git@host), not a token (https://TOKEN@host).
_USER_IS_NOT_SECRET = frozenset({"ssh", "git+ssh", "ssh+git"})
# scheme://userinfo@ — greedy, so a raw "@" inside a password still ends at the last one.
_URL_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<userinfo>[^/?#]*)@")


# --- environment -------------------------------------------------------------------------------


def capture_environment(cwd: str | Path | None = None) -> dict[str, Any]:
    """The environment of this process, with the git state of ``cwd`` (default: the working dir).

    Keys: ``python``, ``platform``, ``packages`` (lower-cased distribution name to
    version), ``git`` (see :func:`git_info`; None outside a work tree), ``host``
    (``socket.gethostname()``, what :func:`process_alive` compares against),
    ``user`` and ``pid``.
    """
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
        },
        "packages": installed_packages(),
        "git": git_info(cwd),
        "host": socket.gethostname(),
        "user": _os_user(),
        "pid": os.getpid(),
    }


def installed_packages() -> dict[str, str]:
    """Every installed distribution, lower-cased name to version, sorted by name.

    Enumerated once per process (it reads every distribution's metadata); each
    call returns a fresh copy, so callers may change it.
    """
    return dict(_installed_packages())


@functools.cache
def _installed_packages() -> dict[str, str]:
    versions: dict[str, str] = {}
    for dist in importlib_metadata.distributions():
        name, version = _name_and_version(dist)
        if not name or not version:  # metadata without Name or Version
            continue
        # The first one found is the one imports get (sys.path order), as pip list shows it.
        versions.setdefault(name.lower(), version)
    return dict(sorted(versions.items()))


def _name_and_version(dist: importlib_metadata.Distribution) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` of a distribution's metadata, read from its header lines: the
    metadata importlib reads (``METADATA``, else ``PKG-INFO``, else an egg-info file), where
    ``dist.name`` and ``dist.version`` parse it whole as an e-mail, twice (~0.35 ms a
    distribution, ten times this)."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or dist.read_text("") or ""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line[:1] in (" ", "\t"):
            continue  # a header's continuation line
        field, colon, value = line.partition(":")
        if not colon:
            break  # the end of the headers (a blank line)
        field = field.strip().lower()
        if field in ("name", "version") and field not in found:
            found[field] = value.lstrip(" \t")  # the first of a header, as email's parser gives it
    return found.get("name"), found.get("version")


def git_info(cwd: str | Path | None = None) -> dict[str, Any] | None:
    """Commit, branch, dirtiness and remote of the git work tree containing ``cwd``.

    None when ``cwd`` is not inside a work tree or git cannot run. Otherwise
    ``commit`` (None before the first commit), ``branch`` (None on a detached
    HEAD), ``dirty`` (tracked files changed, staged or not; untracked files do
    not count, as with ``git describe --dirty``) and ``remote`` (``origin``'s
    URL, else the first remote's, with credentials stripped; None without one).
    Read afresh on every call: the tree changes while a process runs.
    """
    if _git(cwd, "rev-parse", "--is-inside-work-tree") != "true":
        return None
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    return {
        "commit": _git(cwd, "rev-parse", "--verify", "-q", "HEAD"),
        "branch": _git(cwd, "symbolic-ref", "--short", "-q", "HEAD"),
        "dirty": bool(status),
        "remote": _git_remote(cwd),
    }


def _git_remote(cwd: str | Path | None) -> str | None:
    listing = _git(cwd, "config", "--get-regexp", r"^remote\..*\.url$")
    urls: dict[str, str] = {}
    for line in (listing or "").splitlines():
        key, _, url = line.partition(" ")
        urls.setdefault(key[len("remote.") : -len(".url")], url)
    chosen = urls.get("origin") or next(iter(urls.values()), None)
    return strip_credentials(chosen) if chosen else None


def _git(cwd: str | Path | None, *args: str) -> str | None:
    """Stripped stdout of ``git args`` in ``cwd``; None on any failure (never prompts)."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        # Reading state must not take index.lock from a git command the user runs meanwhile.
        "GIT_OPTIONAL_LOCKS": "0",
    }
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip()


def strip_credentials(url: str) -> str:
    """``url`` without the secrets of its user-info part.

    ``https://user:token@host/x`` and ``https://token@host/x`` become
    ``https://host/x``; over ssh the account name stays and only a password goes
    (``ssh://git:pw@host/x`` becomes ``ssh://git@host/x``). scp-like
    ``git@host:x`` and local paths carry no secret and come back unchanged.
    """
    match = _URL_USERINFO.match(url)
    if match is None:
        return url
    scheme = match["scheme"]
    user = match["userinfo"].split(":", 1)[0]
    kept = f"{user}@" if user and scheme.lower() in _USER_IS_NOT_SECRET else ""
    return f"{scheme}://{kept}{url[match.end() :]}"


# --- who ---------------------------------------------------------------------------------------


def current_actor() -> str:
    """Who acts: ``$ARANGOML_META_ACTOR`` when set, else the OS user."""
    return os.environ.get(ACTOR_ENV) or _os_user()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name and no passwd entry (containers)
        getuid = getattr(os, "getuid", None)
        return str(getuid()) if getuid is not None else "unknown"


# --- resources ---------------------------------------------------------------------------------


class ResourceMeter:
    """Wall time, CPU time and peak memory of one interval, plus GPU time and cost if reported.

    Use ``start()`` … ``stop()`` or ``with ResourceMeter() as meter:``. The dict
    from :meth:`snapshot` and :meth:`stop` has ``wall_seconds``, ``cpu_seconds``
    (user + system of this process and of its waited-for children where the
    platform reports them) and ``peak_memory_bytes`` (the process's peak
    resident set so far — rusage cannot be reset, so it is not limited to the
    interval; None on Windows), and ``gpu_seconds`` / ``cost`` only once the
    caller has given them (:meth:`add_gpu_seconds`, :meth:`set_cost`), which it
    may do even after :meth:`stop`.
    """

    def __init__(self) -> None:
        self._wall_start: float | None = None
        self._cpu_start = 0.0
        self._final: dict[str, Any] | None = None
        self._gpu_seconds: float | None = None
        self._cost: dict[str, Any] | None = None

    def start(self) -> ResourceMeter:
        """Begin measuring; returns the meter, so ``meter = ResourceMeter().start()`` works."""
        if self._wall_start is not None:
            raise ArangoMLMetaError(
                "ResourceMeter already started; a meter measures one interval, "
                "create a new ResourceMeter for another"
            )
        self._wall_start = time.perf_counter()
        self._cpu_start = _cpu_seconds()
        return self

    def snapshot(self) -> dict[str, Any]:
        """The measurements so far (the final ones once stopped); the meter keeps running."""
        measured = self._final if self._final is not None else self._measure()
        usage = dict(measured)
        if self._gpu_seconds is not None:
            usage["gpu_seconds"] = self._gpu_seconds
        if self._cost is not None:
            usage["cost"] = dict(self._cost)
        return usage

    def stop(self) -> dict[str, Any]:
        """Stop measuring and return the final measurements; stopping again returns them again."""
        if self._final is None:
            self._final = self._measure()
        return self.snapshot()

    def add_gpu_seconds(self, seconds: float) -> None:
        """Add GPU time the run used (the meter cannot see GPUs itself)."""
        if not math.isfinite(seconds) or seconds < 0:
            raise BadParameterError(
                f"gpu seconds must be a finite number >= 0, got {seconds!r}", seconds=seconds
            )
        self._gpu_seconds = (self._gpu_seconds or 0.0) + float(seconds)

    def set_cost(self, amount: float, currency: str = "USD") -> None:
        """Set what the run cost, replacing any cost set before."""
        if not math.isfinite(amount):
            raise BadParameterError(f"cost must be a finite number, got {amount!r}", amount=amount)
        if not currency:
            raise BadParameterError("currency must be a non-empty code such as 'USD'")
        self._cost = {"amount": float(amount), "currency": currency}

    def _measure(self) -> dict[str, Any]:
        if self._wall_start is None:
            raise ArangoMLMetaError(
                "ResourceMeter not started; call start() first or use it in a with block"
            )
        wall = time.perf_counter() - self._wall_start
        cpu, peak = _cpu_and_peak()
        return {
            # microseconds: what the clocks resolve, without 17 digits of noise in every run
            "wall_seconds": round(wall, 6),
            "cpu_seconds": round(max(0.0, cpu - self._cpu_start), 6),
            "peak_memory_bytes": peak,
        }

    def __enter__(self) -> ResourceMeter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _cpu_seconds() -> float:
    return _cpu_and_peak()[0]


def _cpu_and_peak() -> tuple[float, int | None]:
    """CPU seconds of this process and its waited-for children, and the peak resident set
    in bytes (None on Windows), from one reading of each rusage."""
    if resource is None:
        # Windows reports no children's time; process_time has better resolution than os.times.
        return time.process_time(), None
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    # ru_maxrss is in bytes on macOS and in KiB on Linux and the BSDs.
    peak = int(own.ru_maxrss)
    return cpu, peak if sys.platform == "darwin" else peak * 1024


# --- liveness ----------------------------------------------------------------------------------


def process_alive(host: str, pid: int) -> bool | None:
    """Whether process ``pid`` on ``host`` still runs; None when ``host`` is another machine.

    ``host`` is this machine when it equals ``socket.gethostname()`` (ignoring
    case) or is ``localhost``. A process owned by another user counts as alive,
    and so does an exited child not yet waited for (a zombie).
    """
    if host.lower() not in {socket.gethostname().lower(), "localhost"}:
        return None
    if pid <= 0:  # 0 and negative numbers name process groups, not a process
        return False
    return _pid_alive(pid)


if sys.platform == "win32":
    import ctypes

    _PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
    _ERROR_ACCESS_DENIED = 5
    _STILL_ACTIVE = 259

    def _pid_alive(pid: int) -> bool:
        # Not os.kill(pid, 0): on Windows signal 0 is CTRL_C_EVENT, it does not just probe.
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return ctypes.get_last_error() == _ERROR_ACCESS_DENIED
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True  # cannot tell: better a run left open than a live one closed
            return code.value == _STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)

else:

    def _pid_alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # it exists, under another user
            return True
        except OverflowError:  # beyond any pid the kernel hands out
            return False
        return True


# --- time --------------------------------------------------------------------------------------


# the last millisecond formatted, and its text: a pipeline step stamps several documents
# within one millisecond
_last_stamp: tuple[int, str] = (-1, "")


def utc_now_iso() -> str:
    """Now in UTC as ``YYYY-MM-DDTHH:MM:SS.sssZ``, the form AQL's date functions print."""
    global _last_stamp
    ms = time.time_ns() // 1_000_000
    last = _last_stamp
    if last[0] == ms:
        return last[1]
    moment = datetime.fromtimestamp(ms // 1000, timezone.utc)
    text = to_iso(moment.replace(microsecond=ms % 1000 * 1000))
    _last_stamp = (ms, text)
    return text


def to_iso(moment: datetime) -> str:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SS.sssZ``, truncated to milliseconds.

    A naive datetime is taken to be UTC already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    # Formatted by hand: strftime does not zero-pad years below 1000 on every platform.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
        f".{moment.microsecond // 1000:03d}Z"
    )
