"""`query list | show | run` and `aql` on every backend where a store is involved."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from arangoml_meta.cli import app
from arangoml_meta.queries import load_queries
from arangoml_meta.store import MetadataStore
from tests.queries.known_graph import KnownGraph

from .conftest import Cli, as_json, fails, succeeds


def run_without_store(*args: str) -> Result:
    """The query catalogue needs no store: these commands must not open one."""
    return CliRunner().invoke(
        app, ["--store", "ftp://no-store-needed", *args], env={"COLUMNS": "250"}
    )


def test_list_names_every_stored_query() -> None:
    listed = as_json(run_without_store("query", "list", "--format", "json"))
    assert [q["name"] for q in listed] == sorted(load_queries())
    provenance = next(q for q in listed if q["name"] == "model_provenance")
    assert (
        provenance["parameters"]
        == "model (reference, required), depth (integer = null), types (collections = null)"
    )
    assert "Provenance of a model" in succeeds(run_without_store("query", "list"))


def test_list_from_another_directory(tmp_path: Path) -> None:
    (tmp_path / "count_datasets.aql").write_text(
        "// title: Datasets\n// description: How many.\n// audience: anyone\n\n"
        "RETURN LENGTH(datasets)\n",
        encoding="utf-8",
    )
    listed = as_json(run_without_store("query", "list", "--dir", str(tmp_path), "--format", "json"))
    assert [q["name"] for q in listed] == ["count_datasets"]


def test_show_a_stored_query() -> None:
    shown = as_json(run_without_store("query", "show", "model_provenance", "--format", "json"))
    assert shown["title"] == "Provenance of a model"
    assert [p["name"] for p in shown["params"]] == ["model", "depth", "types"]
    assert shown["aql"].startswith("LET bound = @depth == null ? 100000 : @depth")
    table = succeeds(run_without_store("query", "show", "model_provenance"))
    assert "Parameters" in table
    assert "INBOUND @model" in table
    assert "// title" not in table


def test_show_an_unknown_query_is_an_error() -> None:
    fails(
        run_without_store("query", "show", "nothing"),
        "no stored query named 'nothing'",
        "model_provenance",
    )


def test_run_binds_parameters(cli: Cli, graph: KnownGraph) -> None:
    rows = as_json(
        cli(
            "query",
            "run",
            "model_provenance",
            "--param",
            "model=models/iris-clf-v1",
            "--format",
            "json",
        )
    )
    assert [(r["depth"], r["id"]) for r in rows] == [
        (1, "runs/train-iris"),
        (2, "datasets/iris-v1"),
    ]
    typed = as_json(
        cli(
            "query", "run", "model_provenance", "-p", "model=models/churn-gbm-v1",
            "-p", 'types=["datasets"]', "-p", "depth=4", "--format", "json",
        )
    )  # fmt: skip
    assert [r["id"] for r in typed] == ["datasets/customers-v2", "datasets/support-tickets-v1"]
    table = succeeds(cli("query", "run", "compare_models", "-p", "metric=auc", "-p", "limit=2"))
    assert "iris-clf" in table


def test_run_output_as_csv_and_jsonl(cli: Cli, graph: KnownGraph) -> None:
    text = succeeds(
        cli(
            "query",
            "run",
            "artifact_history",
            "-p",
            "type=deployments",
            "-p",
            "name=churn-api",
            "--format",
            "csv",
        )
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["version"] for row in rows] == ["1", "2"]
    lines = succeeds(
        cli(
            "query",
            "run",
            "artifact_history",
            "-p",
            "type=deployments",
            "-p",
            "name=churn-api",
            "--format",
            "jsonl",
        )
    )
    assert len(lines.splitlines()) == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nothing"], "no stored query named 'nothing'"),
        (["model_provenance"], "needs parameter 'model'"),
        (
            ["model_provenance", "-p", "model=models/iris-clf-v1", "-p", "depth=deep"],
            "parameter 'depth' expects integer",
        ),
        (
            ["model_provenance", "-p", "model=models/iris-clf-v1", "-p", "types=[datasets"],
            "is not valid JSON",
        ),
        (
            ["model_provenance", "-p", "model=models/iris-clf-v1", "-p", "colour=red"],
            "has no parameter 'colour'",
        ),
        (["model_provenance", "-p", "model"], "--param: expected KEY=VALUE"),
        (["model_provenance", "-p", "model=a", "-p", "model=b"], "'model' is given twice"),
        (["audit_trail", "-p", "since=last tuesday"], "parameter 'since' expects an ISO 8601 date"),
        (
            ["artifact_history", "-p", "type=no such collection", "-p", "name=x"],
            "expects a collection name",
        ),
    ],
)
def test_run_bad_input_is_an_error(
    cli: Cli, store: MetadataStore, arguments: list[str], message: str
) -> None:
    fails(cli("query", "run", *arguments), message)


def test_run_refuses_a_read_only_query_that_writes(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    (tmp_path / "sneaky.aql").write_text(
        "// title: Sneaky\n// description: Writes.\n// audience: nobody\n\n"
        "INSERT { name: 'x' } INTO datasets\n",
        encoding="utf-8",
    )
    fails(cli("query", "run", "sneaky", "--dir", str(tmp_path)), "[1586]", "writes: true")
    assert store.find("datasets") == []


def test_aql_runs_with_bind_variables(cli: Cli, graph: KnownGraph) -> None:
    rows = as_json(
        cli(
            "aql", "FOR d IN @@c FILTER d.rows > @n SORT d.name RETURN d.name",
            "--bind", "@c=datasets", "--bind", "n=11000", "--format", "json",
        )
    )  # fmt: skip
    assert rows == ["customers"]
    table = succeeds(
        cli(
            "aql",
            "FOR d IN datasets FILTER d.name == @name RETURN {id: d._id, rows: d.rows}",
            "-b",
            "name=iris",
        )
    )
    assert "datasets/iris-v1" in table
    assert succeeds(cli("aql", "RETURN @x", "-b", "x=[1,2]", "--format", "jsonl")) == "[1,2]\n"


def test_aql_from_stdin_and_from_a_file(cli: Cli, store: MetadataStore, tmp_path: Path) -> None:
    assert as_json(cli("aql", "-", "--format", "json", input="RETURN 1 + 1")) == [2]
    query = tmp_path / "q.aql"
    query.write_text("RETURN CONCAT('a', @b)", encoding="utf-8")
    assert as_json(cli("aql", f"@{query}", "-b", "b=c", "--format", "json")) == ["ac"]


def test_aql_refuses_to_modify_without_write(cli: Cli, store: MetadataStore) -> None:
    fails(cli("aql", "INSERT {name: 'x'} INTO datasets"), "[1586]", "--write")
    fails(cli("aql", "FOR d IN datasets REMOVE d IN datasets"), "[1586]")
    assert store.find("datasets") == []


def test_aql_modifies_with_write(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "tmp")
    succeeds(cli("aql", "--write", "FOR d IN datasets FILTER d.name == 'tmp' REMOVE d IN datasets"))
    assert store.find("datasets") == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["FOR x IN"], "[1501] syntax error"),
        (["RETURN @a"], "[1551]"),
        (["RETURN 1", "-b", "a=1"], "[1552]"),
        (["RETURN @a", "-b", "a={oops"], "is not valid JSON"),
        (["RETURN @a", "-b", "a"], "--bind: expected KEY=VALUE"),
        (["FOR d IN gadgets RETURN d"], "[1203]"),
        (["   "], "the query is empty"),
    ],
)
def test_aql_bad_input_is_an_error(
    cli: Cli, store: MetadataStore, arguments: list[str], message: str
) -> None:
    fails(cli("aql", *arguments), message)


def test_a_cut_lineage_query_prints_its_rows_and_a_note(cli: Cli, graph: KnownGraph) -> None:
    result = cli(
        "query", "run", "model_provenance", "-p", "model=models/churn-gbm-v1", "-p", "depth=1",
        "--format", "json",
    )  # fmt: skip
    assert [row["depth"] for row in as_json(result)] == [1]
    assert "the walk stopped at depth 1: more lineage lies beyond" in result.stderr
