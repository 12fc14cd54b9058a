"""The demo pipeline records a real ML pipeline, and the stored queries answer from it.

The pipeline runs once per module on an embedded store in a temporary
directory; ``main()`` runs it once more on a fresh temporary store, and its
output must equal the first run's (after :func:`mask_volatile`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.backends import STORE_ENV
from arangoml_meta.queries import load_queries, run_query
from arangoml_meta.store import MetadataStore, open_store

pytest.importorskip("sklearn", reason="the demo extra is not installed")
from arangoml_meta import demo_pipeline  # imports numpy, of the demo extra


@dataclass
class Recorded:
    store: MetadataStore
    result: dict[str, Any]
    work: Path
    log: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    root = tmp_path_factory.mktemp("demo")
    store = open_store(str(root / "store"))
    lines: list[str] = []
    result = demo_pipeline.run_pipeline(store, root / "files", log=lines.append)
    yield Recorded(store, result, root / "files", lines)
    store.close()


def _count(store: MetadataStore, collection: str, **equal: Any) -> int:
    filters = " ".join(f"FILTER d.{k} == @{k}" for k in equal)
    rows = store.query(
        f"FOR d IN @@c {filters} COLLECT WITH COUNT INTO n RETURN n", {"@c": collection, **equal}
    )
    return int(rows[0])


def test_the_graph_has_every_kind_of_artifact(recorded: Recorded) -> None:
    counts = recorded.store.info()["counts"]
    assert {t: counts[t] for t in ("projects", "datasets", "featuresets", "models")} == {
        "projects": 1,
        "datasets": 3,  # raw, clean, hold-out
        "featuresets": 1,
        "models": 5,
    }
    assert counts["deployments"] == 1
    assert counts["serving_metrics"] == len(demo_pipeline.WINDOW_TEXTURE_FACTORS)
    # ingest, clean, preprocess, six training runs (one failed), evaluate
    assert counts["runs"] == 10
    assert _count(recorded.store, "runs", status="completed") == 9
    assert _count(recorded.store, "runs", status="failed") == 1
    # inputs: clean 1, preprocess 1, train 6, evaluate 2; outputs: 1 + 1 + 2 + 5 models
    assert (counts["inputs"], counts["outputs"]) == (10, 9)
    # deployed_as once, monitors once per serving window
    assert counts["derivations"] == 1 + counts["serving_metrics"]


def test_datasets_carry_checksums_shapes_statistics_and_personal_data(recorded: Recorded) -> None:
    store, result = recorded.store, recorded.result
    raw, clean = store.get(result["raw"]), store.get(result["clean"])
    assert (raw["name"], raw["version"], clean["name"], clean["version"]) == ("wdbc", 1, "wdbc", 2)
    assert raw["personal_data"] is True and clean["personal_data"] is False
    assert [c["name"] for c in raw["columns"] if c.get("personal_data")] == ["patient_id"]
    assert "patient_id" not in [c["name"] for c in clean["columns"]]
    assert raw["rows"] == 575 and clean["rows"] == 565  # 569 + 6 duplicates; - 4 with gaps
    assert len(raw["columns"]) == 32 and raw["columns"][2] == {
        "name": "mean_radius",
        "dtype": "float64",
    }
    profile = clean["statistics"]["mean_radius"]
    assert set(profile) == {"count", "missing", "mean", "std", "min", "max"}
    assert profile["count"] == 565 and profile["min"] < profile["mean"] < profile["max"]
    # scikit-learn's copy has 357 benign and 212 malignant rows; the export repeats six of them
    frequencies = raw["statistics"]["diagnosis"]["frequencies"]
    assert set(frequencies) == {"benign", "malignant"} and sum(frequencies.values()) == 575
    assert frequencies["benign"] >= 357 and frequencies["malignant"] >= 212


def test_every_recorded_file_exists_with_its_checksum(recorded: Recorded) -> None:
    store = recorded.store
    located = store.query(
        "FOR d IN UNION((FOR x IN datasets RETURN x), (FOR x IN featuresets RETURN x),"
        " (FOR x IN models RETURN x)) RETURN d"
    )
    assert len(located) == 9
    for doc in located:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", doc["checksum"])
        path = demo_pipeline.read_verified(doc)  # raises on a mismatch
        assert path.is_relative_to(recorded.work) and doc["location"].startswith("file://")
    featureset = store.get(recorded.result["featureset"])
    assert demo_pipeline.read_verified(featureset, "transformer").suffix == ".joblib"
    assert featureset["splits"] == {"train": 339, "test": 113}


def test_training_runs_record_params_metrics_series_cost_and_models(recorded: Recorded) -> None:
    store = recorded.store
    runs = store.find("runs", {"step": "train"})
    assert len(runs) == len(demo_pipeline.CANDIDATES)
    for run in runs:
        assert run["project"] == demo_pipeline.PROJECT
        assert run["resources"]["cost"]["currency"] == "USD"
        assert run["resources"]["cost"]["amount"] > 0
        assert store.environment_of(run)["packages"]["scikit-learn"]
    failed = [r for r in runs if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["params"]["max_depth"] == 0
    assert failed[0]["error"]["type"] == "InvalidParameterError"
    assert recorded.result["failed_runs"] == [failed[0]["_id"]]
    for model_id, run_id in recorded.result["train_runs"].items():
        run, model = store.get(run_id), store.get(model_id)
        assert run["status"] == "completed"
        assert {"accuracy", "f1", "roc_auc", "precision", "recall"} <= set(run["metrics"])
        assert model["metrics"]["accuracy"] == run["metrics"]["accuracy"]
        assert model["framework"] == "sklearn" and model["algorithm"] == run["params"]["algorithm"]
        series = run["metric_series"]
        assert [p["step"] for p in series["fold_accuracy"]] == [1, 2, 3, 4, 5]
        if model["algorithm"] == "RandomForestClassifier":
            assert [p["step"] for p in series["oob_accuracy"]] == list(range(10, 101, 10))


def test_the_best_model_is_evaluated_and_deployed(recorded: Recorded) -> None:
    store, result = recorded.store, recorded.result
    ranked = run_query(
        store, "compare_models", {"metric": "accuracy", "project": demo_pipeline.PROJECT}
    )
    assert [r["model"] for r in ranked] != [] and len(ranked) == 5
    best = store.get(result["best_model"])
    assert best["metrics"]["accuracy"] == ranked[0]["value"]
    deployed = store.upstream(result["deployment"], depth=1)
    assert [v["_id"] for v in deployed] == [result["best_model"]]
    evaluation = store.get(result["evaluation_run"])
    assert evaluation["status"] == "completed" and evaluation["metrics"]["passed_gate"] == 1
    consumed = {v["_id"] for v in store.query(
        "FOR v IN 1..1 INBOUND @r GRAPH 'lineage' RETURN v", {"r": evaluation["_id"]}
    )}  # fmt: skip
    assert consumed == {result["best_model"], result["featureset"]}


def test_the_deployment_lineage_reaches_the_raw_dataset(recorded: Recorded) -> None:
    store, result = recorded.store, recorded.result
    upstream = [v["_id"] for v in store.upstream(result["deployment"])]
    assert result["raw"] in upstream and result["clean"] in upstream
    assert result["featureset"] in upstream and result["best_model"] in upstream
    assert store.path(result["raw"], result["deployment"])
    impact = [v["_id"] for v in store.impact(result["raw"])]
    assert set(result["models"]) | {result["deployment"]} == set(impact)
    tree = demo_pipeline.lineage_tree(store, result["deployment"])
    assert tree[0] == result["deployment"]
    assert any("575 rows, personal data  (inputs: raw)" in line for line in tree)
    assert len(tree) == len(upstream) + 1


def test_serving_windows_are_linked_and_the_last_one_drifts(recorded: Recorded) -> None:
    store, result = recorded.store, recorded.result
    monitored = store.downstream(result["deployment"], types=["serving_metrics"])
    assert sorted(v["_id"] for v in monitored) == sorted(result["serving"])
    window = store.get(result["serving"][-1])
    assert window["traffic"]["requests"] == demo_pipeline.REQUESTS_PER_WINDOW
    assert set(window["input_profile"]) == set(store.get(result["clean"])["statistics"]) - {
        "diagnosis"
    }
    drift = run_query(store, "serving_drift", {"deployment": result["deployment"]})
    assert [d["serving_metrics"] for d in drift] == [result["serving"][-1]]
    assert {d["column"] for d in drift[0]["drifted"]} <= set(demo_pipeline.TEXTURE_COLUMNS)
    assert drift[0]["drifted"][0]["dataset"] == result["clean"]


def test_every_stored_query_has_an_answer(recorded: Recorded) -> None:
    result = recorded.result
    params = {
        "artifact_history": {"type": "datasets", "name": "wdbc"},
        "audit_history": {"artifact": result["raw"]},
        "audit_trail": {"since": "2000-01-01"},
        "compare_models": {"metric": "accuracy"},
        "cost_by_project_month": {"project": demo_pipeline.PROJECT},
        "dataset_impact": {"dataset": result["raw"]},
        "deployments_for_dataset": {"dataset": result["raw"]},
        "model_provenance": {"model": result["best_model"]},
        "personal_data_impact": {"dataset": result["raw"]},
        "reproduce_run": {"run": result["best_run"]},
        "reusable_steps": {"dataset": result["clean"]},
        "run_record": {"run": result["best_run"]},
        "search_artifacts": {"tag": "gdpr"},
        "serving_drift": {},
    }
    # erasures: answered once an erasure was made (test_the_demo_erases_the_raw_export...);
    # access_changes, who_had_access: grants are ArangoDB's, the demo's store is embedded;
    # past_retention: the demo's types declare no retention (tests/store/test_retention.py)
    unanswered = {"erasures", "access_changes", "who_had_access", "past_retention"}
    assert set(params) | unanswered == set(load_queries())
    for name, values in params.items():
        assert run_query(recorded.store, name, values), name
    record = run_query(recorded.store, "run_record", {"run": result["best_run"]})[0]
    assert [o["id"] for o in record["outputs"]] == [result["best_model"]]
    reproduce = run_query(recorded.store, "reproduce_run", {"run": result["best_run"]})[0]
    assert [i["id"] for i in reproduce["inputs"]] == [result["featureset"]]
    assert not [g for g in reproduce["gaps"] if g.startswith("input ")]
    cost = run_query(recorded.store, "cost_by_project_month", {"project": "wdbc-screening"})
    assert [(c["runs"], c["failed_runs"]) for c in cost] == [(10, 1)]


def test_the_demo_erases_the_raw_export_and_keeps_its_lineage(
    recorded: Recorded, tmp_path: Path
) -> None:
    recorded.store.backup(tmp_path / "copy")  # the module's store stays as recorded
    with open_store(str(tmp_path / "copy")) as store:
        raw = recorded.result["raw"]
        downstream = store.downstream(raw).ids()
        lines: list[str] = []
        demo_pipeline.erasure_report(store, raw, recorded.work, log=lines.append)
        assert f"  redacted      {raw}: statistics" in lines
        assert "statistics" not in store.get(raw) and store.get(raw)["erased"]["fields"]
        assert store.downstream(raw).ids() == downstream
        [erasure] = run_query(store, "erasures", {"since": "2000-01-01"})
        assert erasure["start"] == raw
        actions = {w["id"]: w["action"] for w in erasure["work"]}
        assert actions[recorded.result["best_model"]] == "retrain"
        assert actions[recorded.result["deployment"]] == "redeploy"
        assert actions[raw] == "purge"
    assert any("erased again: nothing left, nothing written" in line for line in lines)


def test_main_prints_the_same_answers_on_a_fresh_store(
    recorded: Recorded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report: list[str] = []
    demo_pipeline.report(recorded.store, recorded.result, recorded.work, log=report.append)
    monkeypatch.delenv(STORE_ENV, raising=False)
    demo_pipeline.main()
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("arangoml-meta demo — store: embedded, in a fresh temporary")
    assert re.fullmatch(r"recorded in \d+\.\d s, answered in \d+\.\d s", lines[-1])
    body = "\n".join(line for line in lines[1:-1] if line and not line.startswith("== "))
    expected = "\n".join(line for line in [*recorded.log, *report] if line)
    assert demo_pipeline.mask_volatile(body) == demo_pipeline.mask_volatile(expected)
    # nothing that changes from run to run is printed unmasked: no run keys, no timestamps
    assert not re.search(r"\d{8}T\d{6}|\d{4}-\d{2}-\d{2}T|runs/\S*-[0-9a-z]{14}\b", out)
    for heading in ("model_provenance(", "dataset_impact(", "compare_models(", "run_record(",
                    "reproduce_run(", "cost_by_project_month(", "serving_drift("):  # fmt: skip
        assert heading in out


def test_a_kept_store_is_named_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_dir = tmp_path / "kept"
    with open_store(str(store_dir)) as store:
        project = store.register("projects", demo_pipeline.PROJECT)
        pipeline = demo_pipeline.Pipeline(store, tmp_path / "files", lambda _line: None)
        pipeline.project()  # an existing project is reused, not versioned again
        assert pipeline.result["project"] == project["_id"]
        assert len(store.history("projects", demo_pipeline.PROJECT)) == 1
    assert demo_pipeline._store_line(str(store_dir), True) == f"store: {store_dir} (given)"
    assert demo_pipeline._store_line("http://root:pw@db:8529", False) == (
        f"store: http://db:8529 (from {STORE_ENV})"
    )
    assert demo_pipeline._default_files_dir(str(store_dir)) == store_dir / "demo-files"
    assert demo_pipeline._default_files_dir(str(store_dir / "meta.db")) == store_dir / "demo-files"
    monkeypatch.chdir(tmp_path)
    assert demo_pipeline._default_files_dir(":memory:") == tmp_path / "arangoml-meta-demo"
