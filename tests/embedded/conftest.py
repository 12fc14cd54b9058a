"""Shared helpers for the embedded engine's tests."""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.embedded.functions import NullContext, lookup


def call_function(name: str, *args: Any) -> Any:
    """Call AQL function ``name`` directly with already-evaluated arguments."""
    spec = lookup(name)
    assert spec is not None, f"function {name} is not registered"
    return spec.impl(NullContext(), *args)


def call_with_warnings(name: str, *args: Any) -> tuple[Any, list[tuple[int, str]]]:
    """Like :func:`call_function`, also returning the warnings the call raised."""
    spec = lookup(name)
    assert spec is not None, f"function {name} is not registered"
    ctx = NullContext()
    return spec.impl(ctx, *args), ctx.warnings


@pytest.fixture
def fn():
    return call_function
