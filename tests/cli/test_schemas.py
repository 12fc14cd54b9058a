"""Schemas from the CLI: `types evolve` counts the stored documents a breaking schema refuses (and
names a few); an AQL write the collection schema refuses is one error line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta import type_admin
from arangoml_meta.errors import BadParameterError
from arangoml_meta.store import MetadataStore

from .conftest import Cli, fails, succeeds

EXPERIMENTS = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "properties": {"goal": {"type": "string"}, "budget": {"type": "number"}},
}


@pytest.fixture
def experiments(cli: Cli, store: MetadataStore, tmp_path: Path) -> Path:
    """Type ``experiments`` with 8 stored documents, 3 of them without a budget."""
    path = tmp_path / "experiments.json"
    path.write_text(json.dumps(EXPERIMENTS), encoding="utf-8")
    succeeds(cli("types", "register", str(path)))
    for index in range(8):
        fields = {"goal": "win"} if index % 3 == 0 else {"goal": "win", "budget": index}
        store.register("experiments", f"e{index}", **fields)
    return path


def require_budget(path: Path, **extra: Any) -> Path:
    schema = {**json.loads(path.read_text(encoding="utf-8")), "required": ["budget"], **extra}
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def test_a_refused_breaking_change_says_how_many_documents_it_would_reject(
    cli: Cli, experiments: Path, store: MetadataStore
) -> None:
    fails(
        cli("types", "evolve", str(require_budget(experiments))),
        "field 'budget': is now required",
        "3 of 8 stored documents do not satisfy version 2",
        "experiments/e0-v1, experiments/e3-v1, experiments/e6-v1",
        "--allow-breaking",
    )
    assert store.type("experiments").schema_version == 1


def test_an_allowed_breaking_change_reports_the_documents_it_rejects(
    cli: Cli, experiments: Path, store: MetadataStore
) -> None:
    out = succeeds(cli("types", "evolve", str(require_budget(experiments)), "--allow-breaking"))
    assert "1 -> 2, breaking (allowed)" in out
    assert "3 of 8 stored documents do not satisfy version 2" in out
    assert "(experiments/e0-v1, experiments/e3-v1, experiments/e6-v1)" in out
    assert store.backend.count("experiments") == 8  # nothing stored is lost


def test_a_breaking_change_no_stored_document_breaks_says_so(cli: Cli, experiments: Path) -> None:
    path = experiments
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["goal"]["maxLength"] = 10
    path.write_text(json.dumps(schema), encoding="utf-8")
    out = succeeds(cli("types", "evolve", str(path), "--allow-breaking"))
    assert "every stored document (8) satisfies version 2" in out


def test_only_a_few_ids_are_named(store: MetadataStore, experiments: Path) -> None:
    for index in range(8, 20):
        store.register("experiments", f"e{index:02d}", goal="more")
    revision = type_admin.load_revision(store, require_budget(experiments))
    evolution = type_admin.evolve_type(store, revision, allow_breaking=True)
    assert (evolution.rejected.count, evolution.rejected.checked) == (15, 20)
    assert len(evolution.rejected.ids) == 5
    assert evolution.rejected.describe(2).endswith(", ...)")


def test_the_api_refusal_carries_the_count(store: MetadataStore, experiments: Path) -> None:
    revision = type_admin.load_revision(store, require_budget(experiments))
    with pytest.raises(BadParameterError) as caught:
        type_admin.evolve_type(store, revision)
    assert caught.value.details["rejected"] == 3
    assert caught.value.details["rejected_ids"][0] == "experiments/e0-v1"


def test_aql_write_refused_by_the_schema_is_one_line(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=3)
    fails(
        cli("aql", "--write", "FOR d IN datasets UPDATE d WITH {rows: 'many'} IN datasets"),
        "[1620]",
        "artifact type 'datasets'",
    )
    assert store.get("datasets/iris@latest")["rows"] == 3


def test_register_a_schema_with_a_dangling_ref_is_one_line(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    schema = {**EXPERIMENTS, "properties": {"arm": {"$ref": "#/definitions/arm"}}}
    path = tmp_path / "experiments.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    fails(
        cli("types", "register", str(path)),
        "#/properties/arm: $ref '#/definitions/arm' points to nothing in the schema",
    )
    assert "experiments" not in [t.name for t in store.types()]


def test_a_run_of_an_execution_type_is_shown_by_its_id(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    path = tmp_path / "trainings.json"
    path.write_text(json.dumps(EXPERIMENTS), encoding="utf-8")
    out = succeeds(cli("types", "register", str(path), "--kind", "execution"))
    assert "registered type trainings (execution" in out
    with store.run("fit", run_type="trainings", goal="win") as run:
        run.log_metrics({"auc": 0.9})
    shown = json.loads(succeeds(cli("runs", "show", run.id, "--format", "json")))["run"]
    assert (shown["_id"], shown["status"], shown["metrics"]) == (run.id, "completed", {"auc": 0.9})


@pytest.mark.parametrize(
    ("run_type", "message"),
    [
        ("datasets", "datasets is not a type of kind execution"),
        ("nothing", "unknown artifact type 'nothing'"),
    ],
)
def test_runs_list_of_a_type_without_runs_is_one_line(
    cli: Cli, store: MetadataStore, run_type: str, message: str
) -> None:
    fails(cli("runs", "list", "--type", run_type), message)
    fails(cli("runs", "list", "--type", run_type, "--unfinished"), message)


def test_runs_list_shows_the_runs_of_an_execution_type(
    cli: Cli, store: MetadataStore, tmp_path: Path
) -> None:
    path = tmp_path / "trainings.json"
    path.write_text(json.dumps(EXPERIMENTS), encoding="utf-8")
    succeeds(cli("types", "register", str(path), "--kind", "execution"))
    # (the suite's clock makes a run's key its name)
    with store.run("fit", run_type="trainings", goal="win") as done:
        pass
    open_run = store.start_run("refit", run_type="trainings", goal="again")
    plain = store.start_run("plain")

    def ids(*args: str) -> list[str]:
        out = succeeds(cli("runs", "list", *args, "--format", "json"))
        return [row["_id"] for row in json.loads(out)]

    assert sorted(ids("--type", "trainings")) == sorted([done.id, open_run.id])
    assert ids() == [plain.id]
    assert ids("--type", "trainings", "--unfinished") == [open_run.id]
    assert sorted(ids("--unfinished")) == sorted([open_run.id, plain.id])
