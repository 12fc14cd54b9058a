"""Fixtures of the stored-query suite: a store of every backend kind holding the known graph."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import arangoml_meta.deletion
import arangoml_meta.erasure
import arangoml_meta.migrations
import arangoml_meta.runs
import arangoml_meta.store
import arangoml_meta.tagging
from arangoml_meta.backends import Backend
from arangoml_meta.store import MetadataStore
from tests.conftest import BACKEND_KINDS

from .known_graph import Clock, KnownGraph, build


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The store's clock, set by the test; run keys are the run names."""
    clock = Clock()
    monkeypatch.setattr(arangoml_meta.store, "utc_now_iso", clock)
    monkeypatch.setattr(arangoml_meta.deletion, "utc_now_iso", clock)
    monkeypatch.setattr(arangoml_meta.runs, "utc_now_iso", clock)
    monkeypatch.setattr(arangoml_meta.migrations, "utc_now_iso", clock)
    monkeypatch.setattr(arangoml_meta.tagging, "utc_now_iso", clock)
    monkeypatch.setattr(arangoml_meta.erasure, "utc_now_iso", clock)
    monkeypatch.setattr(arangoml_meta.runs, "run_key", lambda name: name)
    return clock


@pytest.fixture(params=BACKEND_KINDS)
def store(
    request: pytest.FixtureRequest, open_test_backend: Callable[[str], Backend], clock: Clock
) -> MetadataStore:
    """A fresh store of each backend kind, initialised on 2025-01-01 by ``platform``."""
    store = MetadataStore(open_test_backend(request.param), actor="platform")
    store.initialize()
    return store


@pytest.fixture
def graph(store: MetadataStore, clock: Clock) -> KnownGraph:
    """The store with the known graph of ``known_graph.py``."""
    return build(store, clock)
