"""``/_api/query`` and ``/_api/explain``: parsing, plans, the query list and its properties,
killing a query, in-process and through python-arango, and against the recorded
exchanges of the query area."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from arango.exceptions import AQLQueryExplainError, AQLQueryValidateError

from tests.server.aql_server import error_of, in_process, on_port, recorded, records

QUERY_RECORDS = records("query")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with in_process(tmp_path) as c:
        store = c.server.databases.get("_system").connection()
        store.create_collection("products")
        store.insert_many("products", [{"id": i} for i in range(10)])
        yield c


def node_types(plan: dict[str, Any]) -> list[str]:
    return [node["type"] for node in plan["nodes"]]


# ---------------------------------------------------------------------- the recorded exchanges

# what this server's plans cannot show (see explain.py): ArangoDB's optimizer's choices
PLAN_DIFFERS = {
    "RestExplainOptimizerRules#1": "an IndexNode and applied rules: the embedded planner "
    "chooses indexes when it compiles and does not report them",
    "RestExplainOptions#1": "ArangoDB's plans with its rules switched on and off",
    "RestExplainWarning#1": "ArangoDB folds 1 / 0 into null while optimizing, with a warning",
}


@pytest.mark.skipif(not QUERY_RECORDS, reason="the HTTP corpus (../shared) is not there")
@pytest.mark.parametrize("rec", QUERY_RECORDS, ids=[r["id"] for r in QUERY_RECORDS])
def test_recorded_query_exchange(tmp_path: Path, rec: dict[str, Any]) -> None:
    status, body, wanted = recorded(tmp_path, rec)
    assert status == rec["response"]["status"]
    if wanted.get("error"):
        assert (body["errorNum"], body["errorMessage"]) == (
            wanted["errorNum"],
            wanted["errorMessage"],
        )
        return
    assert set(wanted) <= set(body)
    if "ast" in wanted:  # a parse: the whole answer
        assert body == wanted
        return
    plan, wanted_plan = (
        body.get("plan") or body["plans"][0],
        wanted.get("plan") or wanted["plans"][0],
    )
    assert set(wanted_plan) - {"asyncPrefetchNodes"} <= set(plan)
    assert plan["collections"] == wanted_plan["collections"]
    assert plan["isModificationQuery"] == wanted_plan["isModificationQuery"]
    if rec["id"] not in PLAN_DIFFERS:
        assert node_types(plan) == node_types(wanted_plan)
        assert plan["estimatedNrItems"] == wanted_plan["estimatedNrItems"]
        assert body["cacheable"] == wanted["cacheable"]


# ---------------------------------------------------------------------- parse


def test_parse_lists_collections_and_bind_parameters(client: Any) -> None:
    query = "FOR p IN products FOR q IN @@other FILTER p.id == @id RETURN [p, q, orders]"
    body = client.post("/_api/query", json={"query": query}).json()
    assert body["parsed"] is True
    assert body["collections"] == ["orders", "products"]
    assert body["bindVars"] == ["@other", "id"]
    root = body["ast"][0]
    assert [node["type"] for node in root["subNodes"]] == ["for", "for", "filter", "return"]


def test_parse_does_not_run_the_query(client: Any) -> None:
    body = client.post("/_api/query", json={"query": "FOR p IN products REMOVE p IN products"})
    assert body.status_code == 200 and body.json()["ast"][0]["subNodes"][1]["type"] == "remove"
    assert client.post("/_api/cursor", json={"query": "RETURN LENGTH(products)"}).json()[
        "result"
    ] == [10]


@pytest.mark.parametrize(
    ("body", "status", "num"),
    [
        ({"query": "FOR i IN"}, 400, 1501),
        ({"query": 5}, 400, 400),
        ([1, 2], 400, 400),
    ],
)
def test_parse_refuses_bad_input(client: Any, body: Any, status: int, num: int) -> None:
    assert error_of(client.post("/_api/query", json=body))[:2] == (status, num)


# ---------------------------------------------------------------------- explain


@pytest.mark.parametrize(
    ("query", "types"),
    [
        (
            "FOR p IN products FILTER p.id > 4 LIMIT 2 RETURN p.id",
            [
                "SingletonNode",
                "EnumerateCollectionNode",
                "CalculationNode",
                "FilterNode",
                "LimitNode",
                "CalculationNode",
                "ReturnNode",
            ],
        ),
        (
            "FOR p IN products COLLECT g = p.id % 2 WITH COUNT INTO n SORT n RETURN {g, n}",
            [
                "SingletonNode",
                "EnumerateCollectionNode",
                "CalculationNode",
                "CollectNode",
                "SortNode",
                "CalculationNode",
                "ReturnNode",
            ],
        ),
        (
            "LET ids = (FOR p IN products RETURN p.id) RETURN LENGTH(ids)",
            ["SingletonNode", "SubqueryNode", "CalculationNode", "ReturnNode"],
        ),
        (
            "FOR i IN 1..3 INSERT {i} INTO products",
            [
                "SingletonNode",
                "CalculationNode",
                "EnumerateListNode",
                "CalculationNode",
                "InsertNode",
            ],
        ),
    ],
)
def test_explain_describes_the_operations(client: Any, query: str, types: list[str]) -> None:
    body = client.post("/_api/explain", json={"query": query}).json()
    assert node_types(body["plan"]) == types
    ids = [node["id"] for node in body["plan"]["nodes"]]
    assert ids == sorted(set(ids))
    for node, before in zip(body["plan"]["nodes"][1:], ids, strict=False):
        assert node["dependencies"] == [before]


def test_explain_estimates_from_the_collections(client: Any) -> None:
    plan = client.post("/_api/explain", json={"query": "FOR p IN products RETURN p"}).json()["plan"]
    assert plan["estimatedNrItems"] == 10
    assert plan["collections"] == [{"name": "products", "type": "read"}]
    costs = [node["estimatedCost"] for node in plan["nodes"]]
    assert costs == sorted(costs) and plan["estimatedCost"] == costs[-1]


def test_explain_marks_written_collections_and_cacheability(client: Any) -> None:
    body = client.post(
        "/_api/explain", json={"query": "FOR p IN products UPDATE p WITH {x: RAND()} IN products"}
    ).json()
    assert body["plan"]["collections"] == [{"name": "products", "type": "write"}]
    assert body["plan"]["isModificationQuery"] is True and body["cacheable"] is False
    reading = client.post("/_api/explain", json={"query": "RETURN 1"}).json()
    assert reading["cacheable"] is True


def test_explain_with_all_plans_lists_one(client: Any) -> None:
    body = client.post(
        "/_api/explain", json={"query": "RETURN 1", "options": {"allPlans": True}}
    ).json()
    assert len(body["plans"]) == 1 and "plan" not in body


@pytest.mark.parametrize(
    ("body", "status", "num", "message"),
    [
        (
            {"query": "RETURN @x"},
            400,
            1551,
            "no value specified for declared bind parameter 'x' (while parsing)",
        ),
        ({"query": "RETURN 1", "bindVars": {"y": 1}}, 400, 1552, None),
        (
            {"query": "FOR n IN nope RETURN n"},
            404,
            1203,
            "collection or view not found: nope (while parsing)",
        ),
        ({"query": "RETURN ("}, 400, 1501, None),
        ({"query": "RETURN 1", "bindVars": [1]}, 400, 400, None),
        ({}, 400, 400, None),
    ],
)
def test_explain_refuses_what_a_cursor_refuses(
    client: Any, body: dict[str, Any], status: int, num: int, message: str | None
) -> None:
    got = error_of(client.post("/_api/explain", json=body))
    assert got[:2] == (status, num)
    if message is not None:
        assert got[2] == message


# ---------------------------------------------------------------------- the query list


def test_slow_queries_are_listed_and_cleared(client: Any) -> None:
    properties = client.put("/_api/query/properties", json={"slowQueryThreshold": 0}).json()
    assert properties["slowQueryThreshold"] == 0
    client.post("/_api/cursor", json={"query": "RETURN @x", "bindVars": {"x": 1}})
    slow = client.get("/_api/query/slow").json()
    assert [(q["query"], q["bindVars"], q["state"]) for q in slow] == [
        ("RETURN @x", {"x": 1}, "finished")
    ]
    assert client.delete("/_api/query/slow").json() == {"error": False, "code": 200}
    assert client.get("/_api/query/slow").json() == []


def test_properties_take_values_of_the_right_type_only(client: Any) -> None:
    before = client.get("/_api/query/properties").json()
    assert before["enabled"] is True and before["maxSlowQueries"] == 64
    after = client.put(
        "/_api/query/properties",
        json={"trackBindVars": False, "maxSlowQueries": "many", "maxQueryStringLength": 8},
    ).json()
    assert after["trackBindVars"] is False and after["maxSlowQueries"] == 64
    client.put("/_api/query/properties", json={"slowQueryThreshold": 0})
    client.post("/_api/cursor", json={"query": "RETURN @long", "bindVars": {"long": 1}})
    listed = client.get("/_api/query/slow").json()[0]
    assert listed["query"] == "RETURN @"[:8] and listed["bindVars"] == {}
    assert error_of(client.put("/_api/query/properties", json=[1]))[:2] == (400, 400)


def test_the_rules_are_listed_in_arangodbs_shape(client: Any) -> None:
    rules = client.get("/_api/query/rules").json()
    assert rules and all(set(rule) == {"name", "description", "flags"} for rule in rules)
    assert "use-indexes" in {rule["name"] for rule in rules}


def test_unknown_query_list_paths(client: Any) -> None:
    assert error_of(client.get("/_api/query/other"))[:2] == (404, 404)
    assert error_of(client.put("/_api/query/other", json={}))[:2] == (400, 400)
    assert error_of(client.delete("/_api/query/12345")) == (
        404,
        1591,
        "query ID not found in query list",
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    with on_port(tmp_path) as served:
        yield served


def test_a_running_query_is_listed_and_can_be_killed(served: Any) -> None:
    query = "FOR i IN 1..2000 RETURN SLEEP(0.01)"
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["response"] = httpx.post(
            f"{served.url}/_api/cursor", json={"query": query}, timeout=60
        )

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 10
    running: list[Any] = []
    while not running and time.monotonic() < deadline:
        running = httpx.get(f"{served.url}/_api/query/current").json()
        time.sleep(0.02)
    assert [(q["query"], q["state"], q["stream"]) for q in running] == [(query, "executing", False)]
    killed = httpx.delete(f"{served.url}/_api/query/{running[0]['id']}")
    assert killed.json() == {"error": False, "code": 200}
    runner.join(timeout=30)
    response = outcome["response"]
    assert response.status_code == 410
    assert response.json()["errorNum"] == 1500
    assert response.json()["errorMessage"] == "AQL: query killed (while executing)"
    assert httpx.get(f"{served.url}/_api/query/current").json() == []


def test_python_arango_explains_validates_and_tracks(served: Any) -> None:
    database = served.database()
    served.store().create_collection("c")
    plan = database.aql.explain("FOR d IN c RETURN d")
    assert [node["type"] for node in plan["nodes"]][-1] == "ReturnNode"
    parsed = database.aql.validate("FOR d IN c FILTER d.x == @x RETURN d")
    assert parsed["bind_vars"] == ["x"] and parsed["collections"] == ["c"]
    with pytest.raises(AQLQueryValidateError):
        database.aql.validate("FOR d IN")
    with pytest.raises(AQLQueryExplainError):
        database.aql.explain("FOR d IN missing RETURN d")
    tracking = database.aql.set_tracking(slow_query_threshold=0)
    assert tracking["slow_query_threshold"] == 0
    list(database.aql.execute("RETURN 1"))
    assert [q["query"] for q in database.aql.slow_queries()] == ["RETURN 1"]
    assert database.aql.queries() == []
