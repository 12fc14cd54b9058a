"""Shared fixtures: every backend kind, each test on a fresh, empty store.

``backend`` runs a test once per kind: ``embedded`` always (a store in
``tmp_path``), ``arangodb`` against the session's server (``arango_server``):

- ``ARANGO_URL`` (with ``ARANGO_USERNAME`` / ``ARANGO_PASSWORD``) when set: a real
  ArangoDB, single server or cluster (or a ``serve`` someone runs);
- else ``ARANGOML_TEST_ARANGO=docker``: the repository's ``docker-compose.yml``
  started by pytest-docker (ArangoDB in Docker);
- else (``ARANGOML_TEST_ARANGO`` unset or ``serve``): ``arangoml-meta serve`` started
  for the session in a subprocess on a free loopback port over a temporary store,
  authentication on (user root, password ``DEFAULT_ROOT_PASSWORD`` through
  ``ARANGO_ROOT_PASSWORD``, which ``ServerConfig.root_password`` takes), stopped
  gracefully at the end; ``ARANGOML_TEST_ARANGO=none`` runs no ArangoDB cases.

When no server can be had the ArangoDB cases skip with the reason, or fail when
``ARANGOML_REQUIRE_ARANGO=1``. Each ArangoDB test gets a database of its own,
dropped afterwards. A test that needs what only a real ArangoDB has (a cluster's
sharding, say) is marked ``@pytest.mark.real_arangodb("why")`` and skips on ``serve``
(recognised by ``/_api/version?details=true``: ``details.server == "arangoml-meta"``).

A fixture over another layer reuses this through ``open_test_backend``::

    @pytest.fixture(params=BACKEND_KINDS)
    def store(request, open_test_backend):
        store = MetadataStore(open_test_backend(request.param))
        store.initialize()
        return store
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from arangoml_meta.backends import Backend, EmbeddedBackend

if TYPE_CHECKING:
    from arangoml_meta.backends.arango import ArangoBackend

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT_PASSWORD = "arangoml-test"  # docker-compose.yml's ARANGO_ROOT_PASSWORD default
SERVER_WAIT_SECONDS = 120.0
SERVE_START_SECONDS = 60.0
SERVE_STOP_SECONDS = 20.0
SERVE = "arangoml-meta"  # details.server of /_api/version?details=true on `serve`

BACKEND_KINDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("arangodb", id="arangodb", marks=pytest.mark.arangodb),
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "arangodb: needs an ArangoDB server (ARANGO_URL, arangoml-meta serve, or Docker)",
    )
    config.addinivalue_line(
        "markers",
        "real_arangodb(reason): needs what only a real ArangoDB has; skips on arangoml-meta serve",
    )


_ARANGO_CASES: dict[str, float] = {"tests": 0, "seconds": 0.0}
_SESSION_SERVER: list[ArangoServer] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Time the ArangoDB cases (setup, call and teardown) for the summary."""
    if "arangodb" in report.keywords:
        _ARANGO_CASES["seconds"] += report.duration
        if report.when == "call" or (report.when == "setup" and report.skipped):
            _ARANGO_CASES["tests"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The HTTP conformance counts, the time of the ArangoDB cases, and skipped tests as one
    line per reason (pytest's ``-rs`` gives one per test location, hundreds of identical
    lines for the ArangoDB cases); ``-rs`` still lists them all."""
    conformance = sys.modules.get("tests.server.conformance")
    if conformance is not None and conformance.SESSION_OUTCOMES:
        outcomes = list(conformance.SESSION_OUTCOMES.values())
        terminalreporter.section("HTTP conformance of arangoml-meta serve", sep="-")
        for line in conformance.report_lines(outcomes):
            terminalreporter.line(line)
        rate = conformance.in_scope_pass_rate(outcomes)
        terminalreporter.line(
            f"in-scope pass rate {rate:.1%} (lenient errorMessage; strict counts above); "
            + conformance.not_replayed_line()
        )
    if _ARANGO_CASES["tests"] and _SESSION_SERVER:
        server = _SESSION_SERVER[0]
        terminalreporter.line(
            f"ArangoDB cases: {_ARANGO_CASES['tests']:.0f} tests in "
            f"{_ARANGO_CASES['seconds']:.0f} s against {server.flavor} at {server.url}"
        )
    if "s" in terminalreporter.reportchars:
        return
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("skipped, by reason", sep="-")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.line(f"{count:5d} skipped: {reason}")


# ---------------------------------------------------------------------- ArangoDB server


@dataclass(frozen=True)
class ArangoServer:
    """A reachable ArangoDB server (URL without credentials) whose user may create and drop
    databases; ``flavor`` is ``arangodb`` or ``serve`` (arangoml-meta's own server)."""

    url: str
    username: str
    password: str
    flavor: str = field(default="arangodb", compare=False)

    def fresh_backend(self) -> ArangoBackend:
        from arangoml_meta.backends.arango import ArangoBackend

        database = f"arangoml_test_{uuid.uuid4().hex[:16]}"
        return ArangoBackend(self.url, database, self.username, self.password)

    def is_ready(self) -> bool:
        """Whether the server says it is available (asked with credentials, in case it needs them)."""
        request = urllib.request.Request(self.url.split(",")[0] + "/_admin/server/availability")
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send one request with the server's credentials: the status and the JSON body."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url.split(",")[0] + path, data=data, method=method)
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def detect_flavor(self) -> ArangoServer:
        """This server, its flavor read from ``/_api/version?details=true``."""
        status, body = self.request("GET", "/_api/version?details=true")
        details = body.get("details", {}) if status == 200 and isinstance(body, dict) else {}
        flavor = "serve" if details.get("server") == SERVE else "arangodb"
        return ArangoServer(self.url, self.username, self.password, flavor)

    def wait_until_ready(self, timeout: float = SERVER_WAIT_SECONDS) -> bool:
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if time.monotonic() > deadline:
                return False
            time.sleep(1.0)
        return True

    def drop_database(self, name: str) -> None:
        from arango import ArangoClient

        client = ArangoClient(hosts=self.url)
        try:
            system = client.db("_system", username=self.username, password=self.password)
            system.delete_database(name, ignore_missing=True)
        finally:
            client.close()


def docker_answers() -> tuple[bool, str]:
    """Whether ``docker info`` succeeds, and why not."""
    try:
        result = subprocess.run(
            ["docker", "info"], capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError:
        return False, "the docker command is not installed"
    except subprocess.TimeoutExpired:
        return False, "`docker info` did not answer within 30 s"
    if result.returncode == 0:
        return True, ""
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    return False, f"`docker info` failed: {lines[-1] if lines else f'exit {result.returncode}'}"


def arango_unavailable(reason: str) -> NoReturn:
    """Skip the ArangoDB cases with ``reason``, or fail when ArangoDB is required."""
    if os.environ.get("ARANGOML_REQUIRE_ARANGO") == "1":
        pytest.fail(f"ARANGOML_REQUIRE_ARANGO=1 but no ArangoDB: {reason}", pytrace=False)
    pytest.skip(f"no ArangoDB server: {reason}")


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    """pytest-docker's compose file: the repository's, not tests/docker-compose.yml."""
    return str(REPO_ROOT / "docker-compose.yml")


@pytest.fixture(scope="session")
def arango_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ArangoServer]:
    """The ArangoDB server of this test session (see the module docstring)."""
    url = os.environ.get("ARANGO_URL", "").strip()
    mode = os.environ.get("ARANGOML_TEST_ARANGO", "serve").strip().lower() or "serve"
    if url:
        server = _server_at_url(url)
    elif mode == "docker":
        server = _docker_server(request)
    elif mode in ("none", "off"):
        arango_unavailable("ARANGOML_TEST_ARANGO=none")
    elif mode == "serve":
        with _serve(tmp_path_factory.mktemp("serve")) as server:
            _SESSION_SERVER.append(server)
            yield server
        return
    else:
        pytest.fail(
            f"ARANGOML_TEST_ARANGO={mode!r}: expected serve (the default), docker or none",
            pytrace=False,
        )
    server = server.detect_flavor()
    _SESSION_SERVER.append(server)
    yield server


def _server_at_url(url: str) -> ArangoServer:
    from arangoml_meta.backends.arango_url import credentials, parse_server_url

    # As open_backend: what the URL carries, else the environment.
    parsed = parse_server_url(url)
    username, password = credentials(parsed, os.environ)
    url = parsed.public
    server = ArangoServer(url, username or "root", password or "")
    if not server.wait_until_ready(timeout=30.0):
        pytest.fail(f"ARANGO_URL is set but ArangoDB at {url} is not available", pytrace=False)
    return server


def _docker_server(request: pytest.FixtureRequest) -> ArangoServer:
    answers, why_not = docker_answers()
    if not answers:
        arango_unavailable(f"ARANGOML_TEST_ARANGO=docker but no Docker engine answers ({why_not})")
    try:
        # Requested only now: pytest-docker runs `docker compose up` when it is set up.
        services = request.getfixturevalue("docker_services")
        host = request.getfixturevalue("docker_ip")
        url = f"http://{host}:{services.port_for('arangodb', 8529)}"
    except Exception as exc:
        arango_unavailable(
            f"Docker answers but docker-compose.yml did not start: {str(exc)[-500:]}"
        )
    server = ArangoServer(
        url, "root", os.environ.get("ARANGO_ROOT_PASSWORD", DEFAULT_ROOT_PASSWORD)
    )
    if not server.wait_until_ready():
        arango_unavailable(
            f"the ArangoDB container at {url} was not ready in {SERVER_WAIT_SECONDS:.0f} s"
        )
    return server


def free_port() -> int:
    """A TCP port free on the loopback address now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """``python -m arangoml_meta.cli serve`` in a subprocess, its log in ``directory``."""

    def __init__(self, directory: Path, *options: str, password: str = DEFAULT_ROOT_PASSWORD):
        self.directory = directory
        self.port = free_port()
        self.log = directory / "serve.log"
        env = {**os.environ, "ARANGO_ROOT_PASSWORD": password, "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        command = [sys.executable, "-m", "arangoml_meta.cli", "serve", "--store"]
        command += [str(directory / "store"), "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, *options], stdout=log, stderr=subprocess.STDOUT, env=env
            )
        self.server = ArangoServer(f"http://127.0.0.1:{self.port}", "root", password, "serve")

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, timeout: float = SERVE_START_SECONDS) -> str | None:
        """None once the server answers ``/_admin/server/availability``, else why not."""
        deadline = time.monotonic() + timeout
        while not self.server.is_ready():
            if self.process.poll() is not None:
                return f"it exited with {self.process.returncode}: {self.log_tail()}"
            if time.monotonic() > deadline:
                return f"it did not answer within {timeout:.0f} s: {self.log_tail()}"
            time.sleep(0.2)
        return None

    def stop(self) -> int | None:
        """Stop gracefully (SIGINT, as Ctrl-C: uvicorn finishes what it serves, then the
        server aborts open transactions and closes the store); killed if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(SERVE_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def _serve(directory: Path) -> Iterator[ArangoServer]:
    """``arangoml-meta serve`` for the session; skips with the reason when it cannot run
    the ArangoDB cases (it does not start, or does not create databases yet)."""
    serve = ServeProcess(directory)
    try:
        why_not = serve.wait_until_ready()
        if why_not is not None:
            arango_unavailable(f"arangoml-meta serve did not start: {why_not}")
        status, body = serve.server.request("POST", "/_api/database", {"name": "arangoml_probe"})
        if status not in (201, 409):
            arango_unavailable(
                f"arangoml-meta serve at {serve.server.url} cannot create a database "
                f"(POST /_api/database answered {status}: {str(body)[:200]})"
            )
        serve.server.request("DELETE", "/_api/database/arangoml_probe")
        yield serve.server.detect_flavor()
    finally:
        serve.stop()


@pytest.fixture(autouse=True)
def _real_arangodb_only(request: pytest.FixtureRequest) -> None:
    """A ``real_arangodb`` test's ArangoDB case skips on ``serve``, saying why."""
    marker = request.node.get_closest_marker("real_arangodb")
    if marker is None:
        return
    if "arangodb" not in request.keywords and "arango_server" not in request.fixturenames:
        return  # the embedded case of a test over both kinds
    server: ArangoServer = request.getfixturevalue("arango_server")
    if server.flavor == "serve":
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
        pytest.skip(f"needs a real ArangoDB, not arangoml-meta serve: {reason}")


# ---------------------------------------------------------------------- backends


@pytest.fixture
def open_test_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], Backend]]:
    """A function giving a fresh, empty backend of a kind; all are closed (and dropped) afterwards."""
    opened: list[tuple[Backend, Callable[[], None]]] = []

    def open_backend(kind: str) -> Backend:
        if kind == "embedded":
            backend: Backend = EmbeddedBackend(tmp_path / f"store-{len(opened)}")
            opened.append((backend, lambda: None))
        elif kind == "arangodb":
            server: ArangoServer = request.getfixturevalue("arango_server")
            arango = server.fresh_backend()
            opened.append((arango, lambda: server.drop_database(arango.database)))
            backend = arango
        else:
            raise ValueError(f"unknown backend kind {kind!r}")
        return backend

    yield open_backend
    for backend, drop in reversed(opened):
        backend.close()
        drop()


@pytest.fixture(params=BACKEND_KINDS)
def backend(request: pytest.FixtureRequest, open_test_backend: Callable[[str], Any]) -> Backend:
    """A fresh, empty backend of each kind in turn."""
    return open_test_backend(request.param)
