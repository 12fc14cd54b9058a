"""Fixtures of the CLI suite: the command line run through CliRunner against a store of every kind.

``store_url`` is what a user passes as ``--store`` for the ``backend`` of
``tests/conftest.py`` (every kind in turn): an embedded store's directory, or
an ArangoDB URL whose fresh database is named by ``ARANGOML_META_DATABASE``.
``store`` opens that same store through the Python API (initialised, acting
as ``platform``) to set up data or check what a command wrote; ``graph``
fills it with the stored-query suite's known graph. ``cli(...)`` runs
``arangoml-meta --store STORE_URL ...`` and returns click's result;
:func:`succeeds` and :func:`fails` check the exit code and streams.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from arangoml_meta.backends import Backend
from arangoml_meta.cli import app
from arangoml_meta.store import MetadataStore
from tests.queries import conftest as queries_conftest
from tests.queries.known_graph import Clock, KnownGraph, build

Cli = Callable[..., Result]

# the stored-query suite's clock fixture: the store's time, set by the test; run keys are run names
clock = queries_conftest.clock


@pytest.fixture
def store_url(
    request: pytest.FixtureRequest, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> str:
    """``--store`` for the backend: its directory, or the server URL with the database in the env."""
    for name in ("ARANGOML_META_STORE", "ARANGOML_META_DATABASE", "ARANGOML_META_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    if backend.name == "embedded":
        return str(Path(backend.location).parent)
    server = request.getfixturevalue("arango_server")
    monkeypatch.setenv("ARANGOML_META_DATABASE", backend.database)  # type: ignore[attr-defined]
    monkeypatch.setenv("ARANGO_USERNAME", server.username)
    monkeypatch.setenv("ARANGO_PASSWORD", server.password)
    return str(server.url)


@pytest.fixture
def store(backend: Backend, store_url: str, clock: Clock) -> MetadataStore:
    """The store at ``store_url`` through the Python API, initialised on 2025-01-01."""
    store = MetadataStore(backend, actor="platform")
    store.initialize()
    return store


@pytest.fixture
def graph(store: MetadataStore, clock: Clock) -> KnownGraph:
    """The store holding the known graph of ``tests/queries/known_graph.py``."""
    return build(store, clock)


@pytest.fixture
def cli(store_url: str) -> Cli:
    """Runs ``arangoml-meta --store STORE_URL ARGS...`` (``input`` goes to stdin)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(
            app, ["--store", store_url, *args], input=input, env={"COLUMNS": "250", **(env or {})}
        )

    return invoke


def succeeds(result: Result) -> str:
    """The command's stdout, after checking it exited 0."""
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}"
    return result.stdout


def fails(result: Result, *fragments: str, exit_code: int | None = None) -> str:
    """The one error line, after checking: non-zero exit, nothing on stdout, no traceback."""
    assert result.exit_code != 0, f"expected a failure, got: {result.output}"
    if exit_code is not None:
        assert result.exit_code == exit_code
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def as_json(result: Result) -> Any:
    return json.loads(succeeds(result))
