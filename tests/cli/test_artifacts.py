"""`artifacts add | get | list | history` on every backend."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from arangoml_meta.store import MetadataStore
from tests.queries.known_graph import KnownGraph

from .conftest import Cli, as_json, fails, succeeds


def test_add_types_values_as_json(cli: Cli, store: MetadataStore) -> None:
    added = as_json(
        cli(
            "artifacts", "add", "datasets", "iris", "rows=150", "location=s3://lake/iris.csv",
            "personal_data=false", 'columns=[{"name": "sepal_length"}]', "statistics.rows.mean=4.5",
            "--format", "json",
        )
    )  # fmt: skip
    assert added["_id"] == "datasets/iris-v1"
    stored = store.get("datasets/iris-v1")
    assert stored["rows"] == 150
    assert stored["location"] == "s3://lake/iris.csv"
    assert stored["personal_data"] is False
    assert stored["columns"] == [{"name": "sepal_length"}]
    assert stored["statistics"] == {"rows": {"mean": 4.5}}


def test_add_again_records_the_next_version(cli: Cli, store: MetadataStore) -> None:
    succeeds(cli("artifacts", "add", "datasets", "iris", "rows=150"))
    out = succeeds(cli("artifacts", "add", "datasets", "iris", "rows=147"))
    assert "datasets/iris-v2" in out
    assert store.get("datasets/iris@latest")["rows"] == 147


def test_add_sets_the_envelope_from_options(cli: Cli, store: MetadataStore) -> None:
    succeeds(
        cli(
            "artifacts", "add", "datasets", "iris", "--project", "demo",
            "--description", "Fisher's iris", "--tag", "public", "--tag", "small",
        )
    )  # fmt: skip
    stored = store.get("datasets/iris-v1")
    assert (stored["project"], stored["description"], stored["tags"]) == (
        "demo", "Fisher's iris", ["public", "small"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("iris.json", '{"rows": 150, "format": "csv", "tags": ["public"], "project": "demo"}'),
        ("iris.yaml", "rows: 150\nformat: csv\ntags: [public]\nproject: demo\n"),
    ],
)
def test_add_from_a_file(
    cli: Cli, store: MetadataStore, tmp_path: Path, filename: str, content: str
) -> None:
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    succeeds(cli("artifacts", "add", "datasets", "iris", "--file", str(path), "rows=151"))
    stored = store.get("datasets/iris-v1")
    assert (stored["rows"], stored["format"], stored["tags"], stored["project"]) == (
        151, "csv", ["public"], "demo",
    )  # fmt: skip


def test_a_yaml_date_is_stored_as_text(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    path = tmp_path / "api.yml"
    path.write_text(
        "endpoint: https://ml/api\ndeployed_at: 2025-01-17T08:00:00.000Z\n", encoding="utf-8"
    )
    succeeds(cli("artifacts", "add", "deployments", "api", "--file", str(path)))
    assert store.get("deployments/api-v1")["deployed_at"].startswith("2025-01-17")


def test_actor_option_records_who_acted(cli: Cli, store: MetadataStore) -> None:
    succeeds(cli("--actor", "ann", "artifacts", "add", "datasets", "iris"))
    assert store.get("datasets/iris-v1")["created_by"] == "ann"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["rows={150"], "starts like JSON but is not valid JSON"),
        (["rows"], "expected KEY=VALUE, got 'rows'"),
        (["=150"], "expected KEY=VALUE"),
        (["rows=many"], "field 'rows': 'many' is not of type 'integer'"),
        (["a=1", "a.b=2"], "given both as a value and as an object"),
        (["rows=1", "rows=2"], "'rows' is given twice"),
        (["version=3"], "set by the store"),
        (["name=other"], "another name"),
    ],
)
def test_add_bad_fields_is_an_error_and_writes_nothing(
    cli: Cli, store: MetadataStore, arguments: list[str], message: str
) -> None:
    fails(cli("artifacts", "add", "datasets", "iris", *arguments), message)
    assert store.find("datasets") == []


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("bad.json", '{"rows": ', "not valid JSON at line 1"),
        ("bad.yaml", "rows: [1,\n", "not valid YAML"),
        ("list.json", "[1, 2]", "holds one object"),
    ],
)
def test_add_from_a_bad_file_is_an_error(
    cli: Cli, store: MetadataStore, tmp_path: Path, filename: str, content: str, message: str
) -> None:
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    fails(cli("artifacts", "add", "datasets", "iris", "--file", str(path)), message)


def test_add_from_a_missing_file_is_an_error(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    fails(
        cli("artifacts", "add", "datasets", "iris", "--file", str(tmp_path / "none.json")),
        "none.json",
    )


def test_add_to_an_unknown_type_is_an_error(cli: Cli, store: MetadataStore) -> None:
    fails(cli("artifacts", "add", "gadgets", "g1"), "unknown artifact type 'gadgets'")


def test_add_an_invalid_name_is_an_error(cli: Cli, store: MetadataStore) -> None:
    fails(cli("artifacts", "add", "datasets", "iris/2"), "not a valid name")


def test_get_by_id_version_and_latest(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150)
    store.register("datasets", "iris", rows=147)
    assert as_json(cli("artifacts", "get", "datasets/iris-v1", "--format", "json"))["rows"] == 150
    assert as_json(cli("artifacts", "get", "datasets/iris@2", "--format", "json"))["rows"] == 147
    assert (
        as_json(cli("artifacts", "get", "datasets/iris@latest", "--format", "json"))["version"] == 2
    )
    table = succeeds(cli("artifacts", "get", "datasets/iris-v1"))
    assert "rows" in table
    assert "150" in table
    line = succeeds(cli("artifacts", "get", "datasets/iris-v1", "--format", "jsonl"))
    assert json.loads(line)["_key"] == "iris-v1"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("iris", "malformed artifact reference 'iris'"),
        ("datasets/iris@x", "malformed version"),
        ("datasets/a/b", "malformed artifact reference"),
        ("datasets/nothing-v1", "[1202] artifact not found"),
        ("gadgets/g-v1", "unknown artifact type"),
    ],
)
def test_get_a_bad_reference_is_an_error(
    cli: Cli, store: MetadataStore, ref: str, message: str
) -> None:
    fails(cli("artifacts", "get", ref), message)


def test_list_filters_sorts_and_picks_columns(cli: Cli, store: MetadataStore) -> None:
    for name, rows in (("iris", 150), ("wine", 178), ("digits", 1797)):
        store.register("datasets", name, rows=rows, tags=["public"])
    listed = as_json(
        cli("artifacts", "list", "datasets", "--where", "rows>160", "--format", "json")
    )
    assert sorted(d["name"] for d in listed) == ["digits", "wine"]
    csv_text = succeeds(
        cli(
            "artifacts", "list", "datasets", "--sort", "rows", "--desc", "--limit", "2",
            "--columns", "name,rows", "--format", "csv",
        )
    )  # fmt: skip
    assert list(csv.reader(io.StringIO(csv_text))) == [
        ["name", "rows"],
        ["digits", "1797"],
        ["wine", "178"],
    ]
    like = as_json(
        cli("artifacts", "list", "datasets", "--where", "name~%i%e%", "--format", "json")
    )
    assert [d["name"] for d in like] == ["wine"]
    equal = as_json(
        cli("artifacts", "list", "datasets", "--where", "name=iris", "--format", "jsonl")
    )
    assert equal["name"] == "iris"
    assert "datasets/wine-v1" in succeeds(cli("artifacts", "list", "datasets"))


def test_list_a_bad_condition_is_an_error(cli: Cli, store: MetadataStore) -> None:
    fails(cli("artifacts", "list", "datasets", "--where", "rows"), "--where: cannot read")
    fails(cli("artifacts", "list", "gadgets"), "unknown artifact type")


def test_history_lists_every_version(cli: Cli, store: MetadataStore) -> None:
    for rows in (150, 147, 149):
        store.register("datasets", "iris", rows=rows)
    versions = as_json(cli("artifacts", "history", "datasets/iris", "--format", "json"))
    assert [v["version"] for v in versions] == [1, 2, 3]
    by_version_id = as_json(cli("artifacts", "history", "datasets/iris-v2", "--format", "json"))
    assert [v["_key"] for v in by_version_id] == ["iris-v1", "iris-v2", "iris-v3"]
    assert "datasets/iris-v3" in succeeds(cli("artifacts", "history", "datasets/iris"))


def test_history_of_nothing_is_an_error(cli: Cli, store: MetadataStore) -> None:
    fails(cli("artifacts", "history", "datasets/nothing"), "no artifact named 'nothing'")
    fails(cli("artifacts", "history", "nothing"), "malformed artifact reference")


# ---------------------------------------------------------------------- delete

DEPLOYMENT = "deployments/churn-api-v2"
WINDOWS = ["serving_metrics/churn-api-metrics-v1", "serving_metrics/churn-api-metrics-v2"]


def exists(store: MetadataStore, doc_id: str) -> bool:
    return store.backend.get(*doc_id.split("/")) is not None


def test_delete_a_leaf_with_its_edge(cli: Cli, graph: KnownGraph) -> None:
    result = cli("artifacts", "delete", WINDOWS[1], "--format", "csv")
    assert succeeds(result).splitlines() == ["id,action", f"{WINDOWS[1]},deleted"]
    assert result.stderr.strip() == "deleted 1 document and 1 lineage edge"
    assert not exists(graph.store, WINDOWS[1])
    assert exists(graph.store, DEPLOYMENT)


def test_delete_of_something_with_dependents_needs_cascade(cli: Cli, graph: KnownGraph) -> None:
    fails(cli("artifacts", "delete", DEPLOYMENT), "[1200]", WINDOWS[0], "cascade")
    assert all(exists(graph.store, doc_id) for doc_id in [DEPLOYMENT, *WINDOWS])


def test_delete_dry_run_lists_what_a_cascade_would_take(cli: Cli, graph: KnownGraph) -> None:
    result = cli("artifacts", "delete", DEPLOYMENT, "--cascade", "--dry-run", "--format", "json")
    rows = as_json(result)
    assert rows == [{"id": d, "action": "would delete"} for d in [DEPLOYMENT, *WINDOWS]]
    assert "would delete 3 documents and 3 lineage edges" in result.stderr
    assert all(exists(graph.store, doc_id) for doc_id in [DEPLOYMENT, *WINDOWS])


def test_delete_cascade_asks_first_and_no_keeps_everything(cli: Cli, graph: KnownGraph) -> None:
    result = cli("artifacts", "delete", DEPLOYMENT, "--cascade", input="n\n")
    assert result.exit_code == 1
    assert "--cascade deletes 3 documents" in result.stderr
    assert "delete them and 3 lineage edges?" in result.stderr
    assert all(exists(graph.store, doc_id) for doc_id in [DEPLOYMENT, *WINDOWS])


@pytest.mark.parametrize(("answer", "flags"), [("y\n", []), (None, ["--yes"])])
def test_delete_cascade_confirmed_takes_everything_downstream(
    cli: Cli, graph: KnownGraph, answer: str | None, flags: list[str]
) -> None:
    result = cli("artifacts", "delete", DEPLOYMENT, "--cascade", *flags, input=answer)
    assert succeeds(result)
    assert not any(exists(graph.store, doc_id) for doc_id in [DEPLOYMENT, *WINDOWS])
    assert exists(graph.store, "models/churn-gbm-v1")


def test_delete_of_a_missing_artifact_is_1202(cli: Cli, graph: KnownGraph) -> None:
    fails(cli("artifacts", "delete", "datasets/nothing-v1"), "[1202]", "datasets/nothing-v1")


def test_history_and_list_show_a_page_and_say_how_to_see_more(
    cli: Cli, store: MetadataStore
) -> None:
    with store.transaction():
        for _ in range(5):
            store.register("datasets", "stream")
    first = cli("artifacts", "history", "datasets/stream", "--limit", "2", "--format", "json")
    assert [d["version"] for d in as_json(first)] == [1, 2]
    assert "rows 1 to 2 shown; more with --offset 2" in first.stderr
    last = cli("artifacts", "history", "datasets/stream", "--offset", "4", "--format", "json")
    assert [d["version"] for d in as_json(last)] == [5]
    assert last.stderr == ""
    listed = cli(
        "artifacts", "list", "datasets", "--limit", "3", "--offset", "1", "--format", "json"
    )
    assert [d["version"] for d in as_json(listed)] == [2, 3, 4]
    assert "more with --offset 4" in listed.stderr
