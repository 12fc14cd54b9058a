"""The auditor's stored queries over the audit log, on every backend, on the known graph.

``audit_history``, ``access_changes``, ``who_had_access`` and ``past_retention``: the
audit records are the ones the known graph's writes made (their times set by the test's
clock), and grants are recorded as ``access grant`` / ``revoke`` record them
(``record_event``), so every backend answers exactly alike.
"""

from __future__ import annotations

from typing import Any

import pytest

import arangoml_meta.audit.recorder
from arangoml_meta.audit import AUDIT_LOG
from arangoml_meta.audit.reading import RecordFilter, records
from arangoml_meta.errors import DocumentNotFoundError
from arangoml_meta.lineage import COMPLETE_DEPTH
from arangoml_meta.queries import load_queries, run_query
from arangoml_meta.retention import set_policy
from arangoml_meta.retention_policy import RetentionPolicy
from arangoml_meta.store import MetadataStore

from .known_graph import Clock, KnownGraph


@pytest.fixture(autouse=True)
def audit_clock(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    """Audit records take their time from the test's clock too."""
    monkeypatch.setattr(arangoml_meta.audit.recorder, "utc_now_iso", clock)


def run(store: MetadataStore, query: str, /, **params: Any) -> list[dict[str, Any]]:
    return list(run_query(store, query, params))


def shown(rows: list[dict[str, Any]], *fields: str) -> list[tuple[Any, ...]]:
    return [tuple(row[f] for f in fields) for row in rows]


# ---------------------------------------------------------------------- audit_history


def test_audit_history_of_an_artifact_and_the_other_versions_of_its_name(
    graph: KnownGraph,
) -> None:
    rows = run(graph.store, "audit_history", artifact="datasets/customers-v2")
    assert shown(rows, "at", "op", "target", "version", "actor", "link") == [
        ("2025-01-10T09:00:00.000Z", "create", "datasets/customers-v1", 1, "alice", None),
        (
            "2025-01-12T10:01:00.000Z", "link", "derivations/1", None, "alice",
            "datasets/customers-v1 -> datasets/customers-anon-v1",
        ),
        ("2025-01-20T09:00:00.000Z", "create", "datasets/customers-v2", 2, "alice", None),
        (
            "2025-01-21T10:00:00.000Z", "link", rows[3]["target"], None, "bob",
            "datasets/customers-v2 -> runs/featurize-churn",
        ),
    ]  # fmt: skip
    assert rows[3]["target"].startswith("inputs/")
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    alone = run(graph.store, "audit_history", artifact="datasets/customers-v2", versions="false")
    assert shown(alone, "op", "target") == [
        ("create", "datasets/customers-v2"),
        ("link", rows[3]["target"]),
    ]
    # TYPE/NAME: every version, whichever is asked about
    named = run(graph.store, "audit_history", artifact="datasets/customers")
    assert shown(named, "seq") == shown(rows, "seq")


def test_audit_history_keeps_a_deleted_artifact_readable(graph: KnownGraph) -> None:
    store = graph.store
    graph.at("2025-03-01T00:00:00.000Z", "dpo")
    store.delete("datasets/customers-anon-v1")
    rows = run(store, "audit_history", artifact="datasets/customers-anon-v1")
    # its link, and the link's removal with it: a link's record names its ends
    assert shown(rows, "at", "op", "actor") == [
        ("2025-01-12T10:00:00.000Z", "create", "alice"),
        ("2025-01-12T10:01:00.000Z", "link", "alice"),
        ("2025-03-01T00:00:00.000Z", "unlink", "dpo"),
        ("2025-03-01T00:00:00.000Z", "delete", "dpo"),
    ]


def test_audit_history_of_a_run_and_of_nothing(graph: KnownGraph) -> None:
    rows = run(graph.store, "audit_history", artifact="runs/train-churn-rf")
    assert shown(rows, "at", "op", "link") == [
        ("2025-01-22T09:00:00.000Z", "create", None),
        (
            "2025-01-22T09:00:00.000Z",
            "link",
            "featuresets/churn-features-v1 -> runs/train-churn-rf",
        ),
        ("2025-01-22T09:00:00.000Z", "link", "runs/train-churn-rf -> models/churn-rf-v1"),
        ("2025-01-22T10:00:00.000Z", "update", None),
    ]
    assert run(graph.store, "audit_history", artifact="datasets/never-v1") == []
    assert run(graph.store, "audit_history", artifact="no-slash") == []


# ---------------------------------------------------------------------- access


GRANTS = [  # (at, op, user, collection or None for the database, level)
    ("2025-03-02T00:00:00.000Z", "grant", "alice", None, "ro"),
    ("2025-03-03T00:00:00.000Z", "grant", "bob", "datasets", "rw"),
    ("2025-03-04T00:00:00.000Z", "grant", "alice", "datasets", "none"),
    ("2025-03-05T00:00:00.000Z", "revoke", "bob", "datasets", None),
    ("2025-03-06T00:00:00.000Z", "grant", "carol", "models", "rw"),
    ("2025-03-07T00:00:00.000Z", "grant", "dave", "*", "ro"),
    ("2025-03-08T00:00:00.000Z", "grant", "erin", "datasets", "rw"),
    ("2025-03-09T00:00:00.000Z", "revoke", "erin", None, None),
]


@pytest.fixture
def granted(graph: KnownGraph) -> str:
    """The known graph with :data:`GRANTS` recorded; the store's database name."""
    store = graph.store
    (database,) = store.query("RETURN CURRENT_DATABASE()")
    for at, op, user, collection, level in GRANTS:
        graph.at(at, "platform")
        detail = {"database": database, "collection": collection, "level": level, "previous": None}
        store.backend.record_event(op, f"access/{user}", detail)
    graph.at("2025-03-10T00:00:00.000Z", "platform")
    # a grant on another database bears on nothing here
    other = {"database": "elsewhere", "collection": None, "level": "rw", "previous": None}
    store.backend.record_event("grant", "access/frank", other)
    return str(database)


def test_access_changes_in_a_period(graph: KnownGraph, granted: str) -> None:
    rows = run(graph.store, "access_changes", since="2025-03-03", until="2025-03-06")
    assert shown(rows, "at", "op", "user", "database", "collection", "level", "actor") == [
        ("2025-03-03T00:00:00.000Z", "grant", "bob", granted, "datasets", "rw", "platform"),
        ("2025-03-04T00:00:00.000Z", "grant", "alice", granted, "datasets", "none", "platform"),
        ("2025-03-05T00:00:00.000Z", "revoke", "bob", granted, "datasets", None, "platform"),
    ]
    assert shown(run(graph.store, "access_changes", user="alice"), "at") == [
        ("2025-03-02T00:00:00.000Z",),
        ("2025-03-04T00:00:00.000Z",),
    ]
    assert len(run(graph.store, "access_changes")) == len(GRANTS) + 1


def test_the_queries_number_records_as_the_log_does(graph: KnownGraph, granted: str) -> None:
    """A transaction's records are one block: each keeps its own sequence number."""
    store = graph.store
    graph.at("2025-03-11T00:00:00.000Z", "platform")
    with store.backend.transaction(write=[AUDIT_LOG]):
        for user, level in (("gina", "ro"), ("hank", "rw"), ("gina", "rw")):
            detail = {"database": granted, "collection": None, "level": level, "previous": None}
            store.backend.record_event("grant", f"access/{user}", detail)
    logged = {r["seq"]: (r["op"], r["target"]) for r in records(store.backend, RecordFilter())}
    rows = run(store, "access_changes", since="2025-03-11")
    assert [(logged[r["seq"]], r["level"]) for r in rows] == [
        (("grant", "access/gina"), "ro"),
        (("grant", "access/hank"), "rw"),
        (("grant", "access/gina"), "rw"),
    ]
    assert [r["seq"] for r in rows] == list(range(rows[0]["seq"], rows[0]["seq"] + 3))
    history = run(store, "audit_history", artifact="datasets/customers")
    assert history and all(logged[r["seq"]] == (r["op"], r["target"]) for r in history)
    # gina's two grants: the later one (by sequence number, in one block) is the level then
    after = run(store, "who_had_access", artifact="datasets/customers@latest", since="2025-03-12")
    levels = {row["user"]: row["timeline"][0]["level"] for row in after}
    assert levels["gina"] == "rw" and levels["hank"] == "rw"


def test_who_had_access_replays_grants_as_arangodb_resolves_them(
    graph: KnownGraph, granted: str
) -> None:
    rows = run(
        graph.store, "who_had_access", artifact="datasets/customers@latest", since="2025-03-01"
    )
    by_user = {row["user"]: row for row in rows}
    assert sorted(by_user) == ["alice", "bob", "dave", "erin"]  # carol: models; frank: elsewhere
    assert shown(rows, "user", "level", "read", "write") == [
        ("alice", "ro", True, False),
        ("bob", "rw", True, True),
        ("dave", "ro", True, False),
        ("erin", "rw", True, True),
    ]
    assert by_user["alice"]["timeline"] == [
        {"at": "2025-03-01T00:00:00.000Z", "level": "none", "via": None},
        {"at": "2025-03-02T00:00:00.000Z", "level": "ro", "via": "database"},
        # a collection's own grant decides, a "none" too
        {"at": "2025-03-04T00:00:00.000Z", "level": "none", "via": "collection"},
    ]
    assert by_user["dave"]["timeline"][-1] == {
        "at": "2025-03-07T00:00:00.000Z", "level": "ro", "via": "database collections"
    }  # fmt: skip
    # revoking the database's grant takes its collections' grants along
    assert by_user["erin"]["timeline"][-1]["level"] == "none"
    assert {row["collection"] for row in rows} == {"datasets"}
    assert {row["database"] for row in rows} == {granted}


def test_who_had_access_in_a_later_period_starts_from_the_level_then(
    graph: KnownGraph, granted: str
) -> None:
    rows = run(
        graph.store, "who_had_access", artifact="datasets/customers-v1",
        since="2025-03-04T12:00:00Z", until="2025-03-08",
    )  # fmt: skip
    assert shown(rows, "user") == [("bob",), ("dave",)]
    assert rows[0]["timeline"] == [
        {"at": "2025-03-04T12:00:00.000Z", "level": "rw", "via": "collection"},
        {"at": "2025-03-05T00:00:00.000Z", "level": "none", "via": None},
    ]
    models = run(graph.store, "who_had_access", artifact="models/churn-rf-v1", since="2025-03-01")
    assert shown(models, "user", "level") == [("alice", "ro"), ("carol", "rw"), ("dave", "ro")]


def test_who_had_access_needs_an_artifact_that_exists(graph: KnownGraph) -> None:
    with pytest.raises(DocumentNotFoundError):
        run(graph.store, "who_had_access", artifact="datasets/nothing-v1", since="2025-01-01")


# ---------------------------------------------------------------------- retention


def test_past_retention_lists_what_expired_with_what_keeps_it(graph: KnownGraph) -> None:
    store = graph.store
    set_policy(store, "deployments", RetentionPolicy("P30D", "delete"))
    set_policy(store, "serving_metrics", RetentionPolicy("P1W", "erase"))
    rows = run(store, "past_retention", now="2025-02-24")
    assert shown(rows, "id", "expired_at", "action", "live_deployments", "dependents") == [
        ("deployments/iris-api-v1", "2025-02-16T08:00:00.000Z", "delete",
         ["deployments/iris-api-v1"], ["serving_metrics/iris-api-metrics-v1"]),
        ("deployments/churn-api-v1", "2025-02-22T12:00:00.000Z", "delete", [], []),
        ("serving_metrics/churn-api-metrics-v1", "2025-02-17T00:00:00.000Z", "erase", [], []),
        ("serving_metrics/iris-api-metrics-v1", "2025-02-17T00:00:00.000Z", "erase", [], []),
    ]  # fmt: skip
    assert {r["period"] for r in rows} == {"P30D", "P1W"}
    assert {(r["running"], r["erased"]) for r in rows} == {(False, False)}
    only = run(store, "past_retention", now="2025-02-24", types="serving_metrics")
    assert [r["type"] for r in only] == ["serving_metrics", "serving_metrics"]
    assert run(store, "past_retention", now="2025-01-01") == []


@pytest.mark.parametrize(
    "name,params",
    [
        ("audit_history", {"artifact": "datasets/customers-v2"}),
        ("audit_history", {"artifact": "datasets/customers"}),
        ("audit_history", {"artifact": "no-slash"}),
        ("access_changes", {}),
        ("who_had_access", {"artifact": "datasets/customers-v2", "since": "2025-03-01"}),
        ("past_retention", {"now": "2025-06-01"}),
    ],
)
def test_no_audit_query_warns(
    graph: KnownGraph, granted: str, name: str, params: dict[str, Any]
) -> None:
    """Invalid function input would give null and a warning: none of the queries relies on that."""
    backend: Any = graph.store.raw_backend
    if backend.name != "embedded":
        pytest.skip("the embedded engine keeps the last query's warnings")
    set_policy(graph.store, "models", RetentionPolicy("P30D", "delete"))
    run(graph.store, name, **params)
    assert backend.db.last_warnings == []


def test_access_changes_finds_every_user_name(graph: KnownGraph) -> None:
    """The queries read the log through a range of its target index: any user name is in it."""
    names = ["Zed", "ülla", "0day", "team/x", "-dash", "~tilde", "a b", "ZZZ\u00e9", "日本"]
    (database,) = graph.store.query("RETURN CURRENT_DATABASE()")
    for name in names:
        detail = {"database": database, "collection": None, "level": "ro", "previous": None}
        graph.store.backend.record_event("grant", f"access/{name}", detail)
    assert sorted(r["user"] for r in run(graph.store, "access_changes")) == sorted(names)
    rows = run(graph.store, "who_had_access", artifact="datasets/iris-v1", since="2025-01-01")
    assert sorted(r["user"] for r in rows) == sorted(names)


def test_audit_history_keeps_to_its_own_name(graph: KnownGraph) -> None:
    graph.at("2025-03-01T00:00:00.000Z", "alice")
    for name in ("IRIS", "iris-v", "iris-v2", "iris2"):
        graph.register("datasets", name)
    graph.register("datasets", "iris")  # iris-v2
    rows = run(graph.store, "audit_history", artifact="datasets/iris-v1")
    assert [r["target"] for r in rows if r["link"] is None] == [
        "datasets/iris-v1",
        "datasets/iris-v2",
    ]


def test_past_retention_walks_as_far_as_the_store_does() -> None:
    assert f"FOR v IN 0..{COMPLETE_DEPTH} OUTBOUND d GRAPH 'lineage'" in (
        load_queries()["past_retention"].text
    )


def test_audit_history_holds_only_what_it_returns(graph: KnownGraph) -> None:
    """One pass over the log, keeping only the records asked for: a log far larger than the
    query's memory limit is read within it (the whole log held at once fails with 32)."""
    store = graph.store
    if store.raw_backend.name != "embedded":
        pytest.skip("the memory a query holds is the embedded engine's to count here")
    asked = run(store, "audit_history", artifact="datasets/customers-v2")
    backend = store.backend
    with backend.operation("note"):
        for number in range(1500):  # a block each, naming other documents
            backend.record_event("note", f"datasets/other-{number}-v1", {"n": number})
    assert store.backend.count(AUDIT_LOG) > 1500
    limited = run_query(
        store, "audit_history", {"artifact": "datasets/customers-v2"}, memory_limit=200_000
    )
    assert list(limited) == asked
