"""Shared fixtures: every backend kind, each test on a fresh, empty store.

``backend`` runs a test once per kind: ``embedded`` always (a store in
``tmp_path``), ``arangodb`` when a server can be had. That is ``ARANGO_URL``
(with ``ARANGO_USERNAME`` / ``ARANGO_PASSWORD``) when set, else the repository's
``docker-compose.yml`` started by pytest-docker when a Docker engine answers;
otherwise the ArangoDB cases skip with the reason, or fail when
``ARANGOML_REQUIRE_ARANGO=1``. Each ArangoDB test gets a database of its own,
dropped afterwards.

A fixture over another layer reuses this through ``open_test_backend``::

    @pytest.fixture(params=BACKEND_KINDS)
    def store(request, open_test_backend):
        store = MetadataStore(open_test_backend(request.param))
        store.initialize()
        return store
"""

from __future__ import annotations

import base64
import os
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from arangoml_meta.backends import Backend, EmbeddedBackend

if TYPE_CHECKING:
    from arangoml_meta.backends.arango import ArangoBackend

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROOT_PASSWORD = "arangoml-test"  # docker-compose.yml's ARANGO_ROOT_PASSWORD default
SERVER_WAIT_SECONDS = 120.0

BACKEND_KINDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("arangodb", id="arangodb", marks=pytest.mark.arangodb),
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "arangodb: needs an ArangoDB server (ARANGO_URL or a Docker engine)"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Skipped tests as one line per reason (pytest's ``-rs`` gives one per test location,
    hundreds of identical lines for the ArangoDB cases); ``-rs`` still lists them all."""
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
    """A reachable ArangoDB server (URL without credentials) whose user may create and drop databases."""

    url: str
    username: str
    password: str

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
def arango_server(request: pytest.FixtureRequest) -> ArangoServer:
    """The ArangoDB server of this test session (see the module docstring)."""
    url = os.environ.get("ARANGO_URL", "").strip()
    if url:
        from arangoml_meta.backends.arango_url import credentials, parse_server_url

        # As open_backend: what the URL carries, else the environment.
        parsed = parse_server_url(url)
        username, password = credentials(parsed, os.environ)
        url = parsed.public
        server = ArangoServer(url, username or "root", password or "")
        if not server.wait_until_ready(timeout=30.0):
            pytest.fail(f"ARANGO_URL is set but ArangoDB at {url} is not available", pytrace=False)
        return server
    answers, why_not = docker_answers()
    if not answers:
        arango_unavailable(f"ARANGO_URL is not set and no Docker engine answers ({why_not})")
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
