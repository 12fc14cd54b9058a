"""The engine's one write path: the key counter is shared by AQL and the document API.

(The rules both sides apply are checked on every backend in
``tests/backends/test_write_path.py``; how the embedded engine generates keys is its own.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from arangoml_meta.backends.embedded import EmbeddedBackend

Insert = Callable[[EmbeddedBackend, dict[str, str]], str]
INSERTS: dict[str, Insert] = {
    "api": lambda backend, doc: backend.insert("docs", doc)["_key"],
    "aql": lambda backend, doc: backend.query(
        "INSERT @doc INTO docs RETURN NEW._key", {"doc": doc}
    )[0],
}


@pytest.fixture
def backend() -> EmbeddedBackend:
    backend = EmbeddedBackend.in_memory()
    backend.create_collection("docs")
    return backend


@pytest.mark.parametrize("explicit", ["api", "aql"])
@pytest.mark.parametrize("generated", ["api", "aql"])
def test_a_generated_key_is_above_an_explicit_one_given_by_either_side(
    backend: EmbeddedBackend, explicit: str, generated: str
) -> None:
    INSERTS[explicit](backend, {"_key": "5000"})
    key = INSERTS[generated](backend, {})
    assert int(key) > 5000
