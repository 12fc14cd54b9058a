"""`link`, `runs record`, `runs close` and `artifacts tag`: a pipeline recorded from the shell."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arangoml_meta.cli import app
from arangoml_meta.runs import current_environment
from arangoml_meta.store import MetadataStore, open_store

from .conftest import Cli, as_json, fails, succeeds

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def iris(store: MetadataStore) -> MetadataStore:
    store.register("datasets", "iris", rows=150, tags=["raw"])
    store.register("datasets", "iris-sample", rows=15)
    return store


# --------------------------------------------------------------------------- link


@pytest.mark.parametrize(
    "args,fragments",
    [
        ([], ["Missing argument 'FROM'"]),
        (["datasets/iris-v1"], ["Missing argument 'TO'"]),
        (["datasets/iris-v1", "datasets/iris-sample-v1"], ["Missing option '--relation'"]),
        (["datasets/iris-v1", "datasets/iris-sample-v1", "--relation", " "], ["relation"]),
        (["datasets/nothing-v1", "datasets/iris-v1", "--relation", "x"], ["[1202]"]),
        (["datasets/iris", "datasets/iris-v1", "--relation", "x"], ["datasets/iris@latest"]),
        (["datasets/iris-v1", "datasets/iris-v1", "--relation", "x"], ["[1906]", "self-link"]),
        (["datasets/iris-v1", "nothing/x-v1", "--relation", "x"], ["[1203]"]),
        (["datasets/iris-v1", "datasets/iris-sample-v1", "--relation", "x", "oops"], ["KEY=VALUE"]),
        (
            ["datasets/iris-v1", "datasets/iris-sample-v1", "--relation", "x", "_from=a"],
            ["set by the store"],
        ),
        (
            ["datasets/iris-v1", "datasets/iris-sample-v1", "--relation", "x", "relation=y"],
            ["use the options"],
        ),
        (
            ["datasets/iris-v1", "datasets/iris-sample-v1", "--relation", "x", "allow_cycle=true"],
            ["use the options"],
        ),
    ],
)
def test_bad_links_are_one_line_errors(
    cli: Cli, iris: MetadataStore, args: list[str], fragments: list[str]
) -> None:
    fails(cli("link", *args), *fragments)
    assert iris.backend.count("derivations") == 0


def test_link_two_artifacts(cli: Cli, iris: MetadataStore) -> None:
    edge = as_json(
        cli(
            "link", "datasets/iris@latest", "datasets/iris-sample@1",
            "--relation", "sampled_as", "fraction=0.1", "--format", "json",
        )
    )  # fmt: skip
    assert (edge["_from"], edge["_to"], edge["relation"], edge["fraction"]) == (
        "datasets/iris-v1", "datasets/iris-sample-v1", "sampled_as", 0.1,
    )  # fmt: skip
    assert [row["_id"] for row in iris.downstream("datasets/iris-v1")] == [
        "datasets/iris-sample-v1"
    ]


def test_a_link_back_is_refused_unless_allowed(cli: Cli, iris: MetadataStore) -> None:
    succeeds(cli("link", "datasets/iris-v1", "datasets/iris-sample-v1", "--relation", "x"))
    back = ["link", "datasets/iris-sample-v1", "datasets/iris-v1", "--relation", "y"]
    fails(cli(*back), "[1906]", "closes a cycle", "--allow-cycle")
    assert iris.backend.count("derivations") == 1
    succeeds(cli(*back, "--allow-cycle"))
    assert iris.backend.count("derivations") == 2


# --------------------------------------------------------------------------- runs record


@pytest.mark.parametrize(
    "args,fragments",
    [
        ([], ["Missing argument 'NAME'"]),
        (["train", "--input", "train="], ["ROLE=REF"]),
        (["train", "--input", "=datasets/iris-v1"], ["ROLE=REF"]),
        (["train", "--input", "train=datasets/nothing@latest"], ["[1202]"]),
        (["train", "--input", "train=datasets/iris"], ["datasets/iris@latest"]),
        (["train", "--output", "models/clf"], ["--output: expected KEY=VALUE"]),
        (["train", "--output", "model=clf"], ["type/name"]),
        (["train", "--output", "model=models/clf@2"], ["type/name"]),
        (["train", "--output", "model=models/clf:[1]"], ["JSON object"]),
        (["train", "--output", "model=models/clf:text"], ["JSON object"]),
        (["train", "--output", "model=models/clf:{bad"], ["not valid JSON"]),
        (["train", "--output", "model=models/clé"], ["[1620]", "ASCII"]),
        (["train", "--output", "model=nothing/clf"], ["[1203]"]),
        (["train", "--param", "lr"], ["--param: expected KEY=VALUE"]),
        (["train", "--param", "lr=1", "--param", "lr=2"], ["given twice"]),
        (["train", "--metric", "auc=high"], ["[1620]"]),
        (["train", "--status", "running"], ["completed or failed"]),
        (["train", "--reason", "why"], ["failed run only"]),
        (["tr ain"], ["[1620]", "ASCII"]),
        (["train", "--started-at", "yesterday"], ["[1620]", "started_at"]),
    ],
)
def test_bad_recordings_are_one_line_errors_and_write_nothing(
    cli: Cli, iris: MetadataStore, args: list[str], fragments: list[str]
) -> None:
    fails(cli("runs", "record", *args), *fragments)
    assert iris.backend.count("runs") == 0
    assert iris.backend.count("models") == 0


def test_a_shell_pipeline_records_its_lineage(cli: Cli, iris: MetadataStore) -> None:
    succeeds(cli("link", "datasets/iris-v1", "datasets/iris-sample-v1", "--relation", "sampled_as"))
    run = as_json(
        cli(
            "runs", "record", "train", "--project", "iris",
            "--input", "train=datasets/iris-sample@latest", "--input", "datasets/iris-v1",
            "--param", "lr=0.1", "--param", "layers=[64, 32]", "--metric", "auc=0.97",
            "--output", 'model=models/iris-clf:{"framework": "sklearn"}',
            "--started-at", "2025-01-16T14:00:00.000Z", "--format", "json",
        )
    )  # fmt: skip
    assert run["started_at"] == "2025-01-16T14:00:00.000Z"
    assert (run["status"], run["project"], run["params"], run["metrics"]) == (
        "completed", "iris", {"lr": 0.1, "layers": [64, 32]}, {"auc": 0.97},
    )  # fmt: skip
    shown = as_json(cli("runs", "show", run["_id"], "--format", "json"))
    assert shown["inputs"] == [
        {"id": "datasets/iris-sample-v1", "role": "train"},
        {"id": "datasets/iris-v1", "role": "input"},
    ]
    assert shown["outputs"] == [{"id": "models/iris-clf-v1", "role": "model"}]
    model = as_json(cli("artifacts", "get", "models/iris-clf@latest", "--format", "json"))
    assert (model["framework"], model["project"]) == ("sklearn", "iris")
    up = as_json(cli("lineage", "up", "models/iris-clf-v1", "--format", "json"))
    assert {row["_id"] for row in up} == {run["_id"], "datasets/iris-sample-v1", "datasets/iris-v1"}


def test_a_failed_step_is_recorded_with_its_reason(cli: Cli, iris: MetadataStore) -> None:
    run = as_json(
        cli("runs", "record", "train", "--status", "failed", "--reason", "OOM", "--format", "json")
    )
    assert (run["status"], run["error"]["message"]) == ("failed", "OOM")


# --------------------------------------------------------------------------- runs close


@pytest.fixture
def orphan(iris: MetadataStore) -> str:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    run = iris.start_run("train", environment={**current_environment(), "pid": int(gone.stdout)})
    return run.id


@pytest.mark.parametrize(
    "args,fragments",
    [
        ([], ["Missing argument 'RUN'"]),
        (["runs/nothing-1"], ["[1202]"]),
        (["datasets/iris-v1"], ["not a run"]),
        (["ORPHAN", "--status", "running"], ["completed or failed"]),
        (["ORPHAN", "--reason", ""], ["a reason is a sentence"]),
        (["ORPHAN", "--status", "completed", "--reason", "x"], ["failed run only"]),
    ],
)
def test_bad_closes_are_one_line_errors(
    cli: Cli, iris: MetadataStore, orphan: str, args: list[str], fragments: list[str]
) -> None:
    fails(cli("runs", "close", *[orphan if a == "ORPHAN" else a for a in args]), *fragments)
    assert iris.get(orphan)["status"] == "running"


def test_close_an_orphaned_run(cli: Cli, iris: MetadataStore, orphan: str) -> None:
    key = orphan.partition("/")[2]
    closed = as_json(
        cli("--actor", "ops", "runs", "close", key, "--reason", "killed", "--format", "json")
    )
    assert (closed["status"], closed["error"]["message"], closed["closed_by"]) == (
        "failed", "killed", "ops",
    )  # fmt: skip
    assert as_json(cli("runs", "list", "--unfinished", "--format", "json")) == []
    fails(cli("runs", "close", orphan), "[1200]", "closed already")
    shown = succeeds(cli("runs", "show", orphan, "--format", "csv"))
    assert "closed_by,ops" in shown.splitlines()


def test_a_live_run_closes_only_with_force(cli: Cli, iris: MetadataStore) -> None:
    run = iris.start_run("train")
    fails(cli("runs", "close", run.id), "[1200]", "not orphaned", "--force")
    assert (
        as_json(cli("runs", "close", run.id, "--force", "--format", "json"))["status"] == "failed"
    )


# --------------------------------------------------------------------------- artifacts tag


@pytest.mark.parametrize(
    "args,fragments",
    [
        ([], ["Missing argument 'REF'"]),
        (["datasets/iris-v1"], ["name a tag"]),
        (["datasets/iris-v1", "--add", ""], ["non-empty"]),
        (["datasets/iris-v1", "--add", "x", "--remove", "x"], ["both added and removed"]),
        (["datasets/nothing-v1", "--add", "x"], ["[1202]"]),
        (["datasets/iris", "--add", "x"], ["did you mean datasets/iris@latest"]),
        (["datasets/iris@0", "--add", "x"], ["[1205]"]),
    ],
)
def test_bad_tags_are_one_line_errors(
    cli: Cli, iris: MetadataStore, args: list[str], fragments: list[str]
) -> None:
    fails(cli("artifacts", "tag", *args), *fragments)
    assert iris.get("datasets/iris-v1")["tags"] == ["raw"]


def test_tag_an_artifact(cli: Cli, iris: MetadataStore) -> None:
    tagged = as_json(
        cli(
            "--actor", "curator", "artifacts", "tag", "datasets/iris@latest", "--add", "gold", "--add", "reviewed",
            "--remove", "raw", "--format", "json",
        )
    )  # fmt: skip
    assert tagged["tags"] == ["gold", "reviewed"]
    assert [(c["by"], c["added"], c["removed"]) for c in tagged["changes"]] == [
        ("curator", ["gold", "reviewed"], ["raw"])
    ]
    assert iris.get("datasets/iris-v1") == tagged


def test_the_readme_s_shell_pipeline_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- shell-pipeline -->\n```console\n(.*?)\n```", text, re.S)
    assert match, "README lacks the shell pipeline block"
    monkeypatch.delenv("ARANGOML_META_STORE", raising=False)
    for command in re.findall(r"^\$ (.*)$", match.group(1), re.M):
        args = [a.replace("./meta", str(tmp_path / "meta")) for a in shlex.split(command)[1:]]
        succeeds(CliRunner().invoke(app, args))
    with open_store(str(tmp_path / "meta")) as store:
        model = store.get("models/churn-clf@latest")
        assert (model["project"], model["tags"]) == ("churn", ["candidate"])
        upstream = {row["_id"] for row in store.upstream(model)}
        assert {"datasets/customers-sample-v1", "datasets/customers-v1"} <= upstream
