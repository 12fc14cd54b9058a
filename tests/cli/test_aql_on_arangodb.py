"""``arangoml-meta aql`` on an ArangoDB store sends any AQL ArangoDB accepts, without a server.

The command's read-only check parses the query with the language package only,
so ArangoSearch (``SEARCH``) and user-defined functions (``NS::FN()``) reach the
server as written; python-arango's real AQL API runs over a fake cursor endpoint
(see ``tests/backends/test_arango_query_limits.py``) whose request body is checked.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from arangoml_meta.backends.arango import ArangoSession
from arangoml_meta.cli import app
from arangoml_meta.cli import query as cli_query
from arangoml_meta.query_limits import QueryLimits

from ..backends.test_arango_query_limits import CursorEndpoint, rows_reply, session_over


class SessionStore:
    """The one store method ``aql`` calls, on an ArangoDB session."""

    def __init__(self, session: ArangoSession) -> None:
        self.session = session

    def cursor(self, aql: str, bind_vars: dict[str, Any] | None, **limits: Any) -> Any:
        return self.session.cursor(aql, bind_vars, QueryLimits.of(**limits))


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> CursorEndpoint:
    endpoint = CursorEndpoint(rows_reply([{"_key": "a"}], []))
    store = SessionStore(session_over(endpoint))
    monkeypatch.setattr(cli_query, "open_store_of", lambda ctx, reading=False: store)
    return endpoint


@pytest.mark.parametrize(
    "text",
    [
        'FOR d IN docs_view SEARCH ANALYZER(d.text == "fox", "text_en") SORT BM25(d) RETURN d',
        "FOR d IN docs RETURN MYNS::SCORE(d)",
        'FOR d IN v SEARCH PHRASE(d.t, "a b") OPTIONS {collections: ["docs"]} RETURN d',
    ],
)
def test_a_read_only_query_the_engine_refuses_goes_to_the_server(
    endpoint: CursorEndpoint, text: str
) -> None:
    result = CliRunner().invoke(app, ["aql", text, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert endpoint.requests[0].data["query"] == text
    assert json.loads(result.stdout) == [{"_key": "a"}]


def test_a_modification_is_still_refused_before_anything_is_sent(
    endpoint: CursorEndpoint,
) -> None:
    text = "FOR d IN docs_view SEARCH d.x == 1 REMOVE d IN docs"
    result = CliRunner().invoke(app, ["aql", text])
    assert result.exit_code != 0
    assert result.output.startswith("Error: [1586] the query modifies data")
    assert endpoint.requests == []
