"""What the ArangoDB backend sends for a query's limits and gets back, without a server.

python-arango's real AQL API runs over a fake executor that answers as
ArangoDB answers ``POST /_api/cursor``, so the request body checked here is
the one a server would receive: ``memoryLimit`` at the top, ``maxRuntime``
in ``options``; the reply's warnings come back with the rows, and the
server's errors 32 and 1500 come out as the package's query errors.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from arango.aql import AQL
from arango.request import Request
from arango.response import Response

from arangoml_meta.backends.arango import ArangoSession
from arangoml_meta.errors import ERROR_QUERY_KILLED, ERROR_RESOURCE_LIMIT, QueryError
from arangoml_meta.query_limits import QueryLimits

SERVER = "http://db.example:8529"
DIVISION_WARNING = {"code": 1562, "message": "division by zero"}


class CursorEndpoint:
    """Answers every request with ``reply`` (a cursor body, or an error body) and keeps it."""

    def __init__(self, reply: dict[str, Any], status: int = 201) -> None:
        self.reply, self.status = reply, status
        self.requests: list[Request] = []

    def execute(self, request: Request, response_handler: Any) -> Any:
        self.requests.append(request)
        response = Response(
            request.method, SERVER + request.endpoint, {}, self.status, "", json.dumps(self.reply)
        )
        response.body = self.reply
        response.is_success = self.status < 400
        if not response.is_success:
            response.error_code = self.reply["errorNum"]
            response.error_message = self.reply["errorMessage"]
        return response_handler(response)


def session_over(endpoint: CursorEndpoint) -> ArangoSession:
    database = SimpleNamespace(aql=AQL(SimpleNamespace(), endpoint))  # type: ignore[arg-type]
    backend = SimpleNamespace(tracer=None, location=SERVER, timeout=60.0)
    return ArangoSession(database, backend)  # type: ignore[arg-type]


def rows_reply(rows: list[Any], warnings: list[dict[str, Any]]) -> dict[str, Any]:
    return {"result": rows, "hasMore": False, "extra": {"warnings": warnings}, "error": False}


def test_the_limits_are_arangodbs_query_options() -> None:
    endpoint = CursorEndpoint(rows_reply([1], []))
    session_over(endpoint).query("RETURN 1", None, QueryLimits(123_456, 4.5))
    body = endpoint.requests[0].data
    assert body["memoryLimit"] == 123_456
    assert body["options"]["maxRuntime"] == 4.5


@pytest.mark.parametrize("limits", [None, QueryLimits(0, 0)], ids=["none", "zero"])
def test_no_limit_leaves_the_servers_memory_limit_and_ends_below_the_timeout(
    limits: QueryLimits | None,
) -> None:
    # a query the client stops waiting for (after the 60 s timeout) must not run on
    endpoint = CursorEndpoint(rows_reply([1], []))
    session_over(endpoint).query("RETURN 1", None, limits)
    body = endpoint.requests[0].data
    assert body["memoryLimit"] == 0
    assert 0 < body["options"]["maxRuntime"] < 60.0


def test_the_rows_come_with_the_servers_warnings() -> None:
    endpoint = CursorEndpoint(rows_reply([None], [DIVISION_WARNING]))
    rows = session_over(endpoint).query("RETURN 1 / 0")
    assert rows == [None]
    assert rows.warnings == [DIVISION_WARNING]


@pytest.mark.parametrize(
    ("num", "message"),
    [
        (ERROR_RESOURCE_LIMIT, "query would use more memory than allowed"),
        (ERROR_QUERY_KILLED, "query killed"),
    ],
)
def test_a_limit_the_server_enforces_is_a_query_error(num: int, message: str) -> None:
    reply = {
        "error": True,
        "code": 500 if num == 32 else 410,
        "errorNum": num,
        "errorMessage": message,
    }
    endpoint = CursorEndpoint(reply, status=reply["code"])
    with pytest.raises(QueryError) as info:
        session_over(endpoint).query("FOR i IN 1..1000000000 RETURN i", None, QueryLimits(1, 1))
    assert info.value.error_num == num
    assert message in info.value.message
