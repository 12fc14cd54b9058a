"""``extra.stats`` of ``/_api/cursor``: what the query's scans read and its FILTERs dropped,
as ArangoDB counts them (see ``arangoml_meta/embedded/statistics.py``), run to its end,
streamed, with ``fullCount`` and in a query that writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.aql_server import in_process

COUNTERS = ("scannedFull", "scannedIndex", "filtered", "documentLookups", "cursorsCreated")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with in_process(tmp_path) as c:
        store = c.server.databases.get("_system").connection()
        store.create_collection("c")
        store.insert_many("c", [{"_key": f"k{i}", "n": i} for i in range(8)])
        yield c


def stats_of(client: Any, query: str, **body: Any) -> dict[str, Any]:
    """The counters of the query's last batch (read batch after batch)."""
    response = client.post("/_api/cursor", json={"query": query, **body})
    assert response.status_code == 201, response.text
    reply = response.json()
    while reply["hasMore"]:
        reply = client.put(f"/_api/cursor/{reply['id']}").json()
    stats = reply["extra"]["stats"]
    return {name: stats[name] for name in COUNTERS if stats[name]} | {
        name: stats[name] for name in ("fullCount",) if name in stats
    }


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        pytest.param(
            "FOR d IN c FILTER d.n >= 5 RETURN d",
            {},
            {"scannedFull": 8, "filtered": 5},
            id="run-to-its-end",
        ),
        pytest.param(
            "FOR d IN c FILTER d._key IN ['k1', 'k2', 'k9'] RETURN d",
            {"batchSize": 1, "options": {"stream": True}},
            {"scannedIndex": 2, "documentLookups": 2, "cursorsCreated": 1},
            id="streamed-with-the-last-batch",
        ),
        pytest.param(
            "FOR d IN c FILTER d.n >= 2 LIMIT 2 RETURN d",
            {},
            {"scannedFull": 4, "filtered": 2},
            id="limit",
        ),
        pytest.param(
            "FOR d IN c FILTER d.n >= 2 LIMIT 2 RETURN d",
            {"options": {"fullCount": True}},
            {"scannedFull": 8, "filtered": 2, "fullCount": 6},
            id="full-count-reads-past-the-limit",
        ),
        pytest.param(
            "FOR d IN c FILTER d.n < 3 UPDATE d WITH {seen: true} IN c",
            {},
            {"scannedFull": 8, "filtered": 5},
            id="a-query-that-writes",
        ),
        pytest.param(
            "FOR d IN c FILTER d.n < 3 UPDATE d WITH {seen: true} IN c LIMIT 1 RETURN NEW",
            {"options": {"fullCount": True}},
            {"scannedFull": 8, "filtered": 5, "fullCount": 3},
            id="full-count-of-a-query-that-writes",
        ),
    ],
)
def test_cursor_reports_what_the_query_read(
    client: Any, query: str, body: dict[str, Any], expected: dict[str, int]
) -> None:
    assert stats_of(client, query, **body) == expected
