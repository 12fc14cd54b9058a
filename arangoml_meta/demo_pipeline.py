"""``arangoml-meta demo``: a small, real ML pipeline recorded in the store, then audited.

The pipeline works on the Wisconsin Diagnostic Breast Cancer data set that
ships inside scikit-learn (no download) and records every step through the
Python API as it happens:

1. **ingest** — the raw export as a hospital system would hand it over: the
   scikit-learn rows plus a pseudonymous ``patient_id`` (personal data), a few
   duplicated records and a few blank cells, saved as CSV
   (``datasets/wdbc-v1``: rows, columns with dtypes, sha256, statistics);
2. **clean** — drops the patient id, the duplicates and the rows with gaps
   (``datasets/wdbc-v2``, no personal data left);
3. **preprocess** — a stratified train / test / hold-out split and a
   ``StandardScaler`` fitted on the training rows (``featuresets/wdbc-features-v1``
   with the scaler beside it; the hold-out rows, in raw units, stand in for
   production traffic: ``datasets/wdbc-holdout-v1``);
4. **train** — logistic regressions with three ``C`` values and random forests
   with two depths (plus one grid point that scikit-learn rejects, recorded as
   a failed run), each scored by 5-fold cross-validation on the training split
   (fold accuracies and the forests' out-of-bag accuracy as trees are added are
   logged as metric series), saved with joblib (location, checksum) and costed;
5. **evaluate** — the best model (cross-validated accuracy, then ROC AUC) on
   the untouched test split, against a release gate;
6. **deploy and serve** — the model is deployed (``deployed_as``) and four
   windows of simulated traffic are replayed through the saved files, the last
   two from a "recalibrated scanner" that reads texture too high; each window's
   traffic, latency, quality and input profile is linked to the deployment
   (``monitors``).

Each step reads its inputs back from the recorded location and checks the
recorded checksum. Then the stored queries (``aql/``) answer the auditors'
questions and the deployed model's lineage is printed as a tree.

Everything is seeded; the output names artifacts by their readable ids and
leaves out timestamps, run keys and timings, except where
:func:`mask_volatile` says (the month, the environment, the elapsed time).
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np

from .audit import AUDIT_LOG, verify
from .backends import STORE_ENV
from .environment import strip_credentials, utc_now_iso
from .lineage import TreeNode, render_tree
from .lineage import lineage_tree as make_tree
from .queries import run_query
from .store import MetadataStore, open_store

SEED = 42
PROJECT = "wdbc-screening"
DATASET = "wdbc"
FEATURESET = "wdbc-features"
HOLDOUT = "wdbc-holdout"
DEPLOYMENT = "wdbc-api"
TRAFFIC = "wdbc-api-traffic"
TARGET = "diagnosis"
POSITIVE = "malignant"
CV_FOLDS = 5
# what the demo pretends compute costs: a 4-vCPU cloud VM, billed per started minute
PRICE_PER_HOUR_USD = 0.48
# the release gate of the evaluation step, on the test split
GATE = {"accuracy": 0.90, "recall": 0.90}
# serving: requests per window, and the factor the recalibrated scanner applies to texture
REQUESTS_PER_WINDOW = 100
WINDOW_TEXTURE_FACTORS = (1.0, 1.0, 1.15, 1.35)
TEXTURE_COLUMNS = ("mean_texture", "texture_error", "worst_texture")

Log = Callable[[str], None]

# hyperparameter grid: (model name, algorithm, hyperparameters); max_depth 0 is a typo that
# scikit-learn rejects, so one training run is recorded as failed
CANDIDATES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("wdbc-logreg", "LogisticRegression", {"C": 0.01}),
    ("wdbc-logreg", "LogisticRegression", {"C": 0.1}),
    ("wdbc-logreg", "LogisticRegression", {"C": 1.0}),
    ("wdbc-forest", "RandomForestClassifier", {"n_estimators": 100, "max_depth": 0}),
    ("wdbc-forest", "RandomForestClassifier", {"n_estimators": 100, "max_depth": 4}),
    ("wdbc-forest", "RandomForestClassifier", {"n_estimators": 100, "max_depth": None}),
)

# ---------------------------------------------------------------------- files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def _cell(value: Any, decimals: int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{decimals}f}" if decimals is not None else repr(float(value))
    return str(value)


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], decimals: int | None = None
) -> None:
    """Rows as CSV (blank for missing; floats as repr, or with ``decimals`` places)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value, decimals) for value in row])


def _path_of(artifact: dict[str, Any]) -> Path:
    parsed = urlparse(artifact["location"])
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else Path(artifact["location"])


def read_verified(artifact: dict[str, Any], location_field: str = "location") -> Path:
    """The file an artifact records, after checking its recorded checksum."""
    record = artifact if location_field == "location" else artifact[location_field]
    path = _path_of(record)
    if sha256_of(path) != record["checksum"]:
        raise RuntimeError(f"{path} does not match the checksum recorded in {artifact['_id']}")
    return path


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


# ---------------------------------------------------------------------- profiles


def _r(value: float) -> float:
    return float(f"{float(value):.6g}")


def numeric_profile(values: np.ndarray) -> dict[str, Any]:
    """count, missing, mean, std (sample), min and max of one numeric column."""
    present = values[~np.isnan(values)]
    profile: dict[str, Any] = {
        "count": int(present.size),
        "missing": int(values.size - present.size),
    }
    if present.size:
        profile.update(
            mean=_r(present.mean()),
            std=_r(present.std(ddof=1)) if present.size > 1 else 0.0,
            min=_r(present.min()),
            max=_r(present.max()),
        )
    return profile


def text_profile(values: Sequence[str]) -> dict[str, Any]:
    present = [v for v in values if v != ""]
    profile: dict[str, Any] = {
        "count": len(present),
        "missing": len(values) - len(present),
        "distinct": len(set(present)),
    }
    if len(set(present)) <= 20:
        profile["frequencies"] = {v: present.count(v) for v in sorted(set(present))}
    return profile


def profile_matrix(columns: Sequence[str], matrix: np.ndarray) -> dict[str, Any]:
    return {name: numeric_profile(matrix[:, i]) for i, name in enumerate(columns)}


# ---------------------------------------------------------------------- the pipeline


def _cost(run: Any) -> None:
    """What the run cost at PRICE_PER_HOUR_USD, billed per started minute."""
    minutes = max(1, math.ceil(run.meter.snapshot()["wall_seconds"] / 60))
    run.set_cost(round(minutes * PRICE_PER_HOUR_USD / 60, 4), "USD")


@contextmanager
def _costed(run: Any) -> Iterator[Any]:
    try:
        yield run
    finally:
        _cost(run)


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _json_safe(params: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = {}
    for key, value in sorted(params.items()):
        if value is None or isinstance(value, (bool, int, str)):
            safe[key] = value
        elif isinstance(value, float):
            safe[key] = value if math.isfinite(value) else str(value)
        else:
            safe[key] = str(value)
    return safe


def _estimator(algorithm: str, hyper: dict[str, Any]) -> Any:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    if algorithm == "LogisticRegression":
        return LogisticRegression(max_iter=5000, random_state=SEED, **hyper)
    return RandomForestClassifier(random_state=SEED, n_jobs=1, **hyper)


def _scores(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import (
        accuracy_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    predicted = (proba >= 0.5).astype(int)
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "precision": float(precision_score(y, predicted, zero_division=0)),
        "recall": float(recall_score(y, predicted, zero_division=0)),
        "f1": float(f1_score(y, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(y, proba)),
    }


def _load_features(featureset: dict[str, Any], split: str) -> tuple[np.ndarray, np.ndarray]:
    header, rows = read_csv(read_verified(featureset))
    chosen = [row for row in rows if row[0] == split]
    y = np.array([int(row[1]) for row in chosen])
    x = np.array([[float(v) for v in row[2:]] for row in chosen])
    if header[2:] != [f["name"] for f in featureset["features"]]:
        raise RuntimeError(f"the columns of {featureset['_id']} are not its recorded features")
    return x, y


def _file_uri(path: Path) -> str:
    return path.resolve().as_uri()


class Pipeline:
    """The pipeline's steps over one store and one directory for the files it writes."""

    def __init__(self, store: MetadataStore, work_dir: Path, log: Log) -> None:
        self.store = store
        self.work_dir = work_dir
        self.log = log
        self.rng = np.random.default_rng(SEED)
        self.result: dict[str, Any] = {}

    def file(self, *parts: str) -> Path:
        path = self.work_dir.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def versioned_file(self, type_name: str, name: str, folder: str, suffix: str) -> Path:
        """Where to save the next version of artifact ``name``: named like its id."""
        versions = [doc["version"] for doc in self.store.history(type_name, name)]
        return self.file(folder, f"{name}-v{max(versions, default=0) + 1}{suffix}")

    def project(self) -> None:
        existing = self.store.find("projects", {"name": PROJECT}, sort="version", descending=True)
        project = (
            existing[0]
            if existing
            else self.store.register(
                "projects",
                PROJECT,
                description="Triage of breast-mass biopsies from digitised images (demo)",
                owner=self.store.actor,
                team="clinical-ml",
                cost_centre="CC-4711",
            )
        )
        self.result["project"] = project["_id"]
        self.log(f"project     {project['_id']}")

    # -------------------------------------------------------------- 1. ingest

    def ingest(self) -> None:
        from sklearn.datasets import load_breast_cancer

        data = load_breast_cancer()
        features = [_snake(str(name)) for name in data.feature_names]
        labels = [str(data.target_names[t]) for t in data.target]
        rng = self.rng
        ids = [f"P{n:05d}" for n in rng.choice(90000, size=len(labels), replace=False) + 10000]
        x = np.array(data.data, dtype=float)
        order = list(range(len(labels)))
        duplicated = sorted(rng.choice(len(labels), size=6, replace=False).tolist())
        for i in duplicated:  # the export repeats a few records
            order.insert(int(rng.integers(0, len(order) + 1)), i)
        rows: list[list[Any]] = [[ids[i], labels[i], *x[i].tolist()] for i in order]
        others = [i for i in range(len(rows)) if order[i] not in duplicated]
        for r in rng.choice(others, size=4, replace=False):  # and leaves a few cells blank
            rows[int(r)][2 + int(rng.integers(0, len(features)))] = None
        header = ["patient_id", TARGET, *features]
        path = self.versioned_file("datasets", DATASET, "data", ".csv")
        matrix = np.array([[math.nan if v is None else v for v in row[2:]] for row in rows])
        statistics = {
            "patient_id": text_profile([row[0] for row in rows]),
            TARGET: text_profile([row[1] for row in rows]),
            **profile_matrix(features, matrix),
        }
        columns = [
            {
                "name": "patient_id",
                "dtype": "string",
                "personal_data": True,
                "description": "Pseudonymous patient number",
            },
            {"name": TARGET, "dtype": "category", "description": "malignant or benign"},
            *({"name": name, "dtype": "float64"} for name in features),
        ]
        with (
            self.store.run(
                "ingest",
                project=PROJECT,
                step="ingest",
                params={
                    "source": "sklearn.datasets.load_breast_cancer",
                    "seed": SEED,
                },
            ) as run,
            _costed(run),
        ):
            write_csv(path, header, rows)
            raw = run.register_output(
                "datasets",
                DATASET,
                role="raw",
                project=PROJECT,
                description="Raw biopsy export: 30 image features and the diagnosis per patient",
                tags=["raw", "gdpr"],
                location=_file_uri(path),
                format="csv",
                rows=len(rows),
                columns=columns,
                size_bytes=path.stat().st_size,
                checksum=sha256_of(path),
                statistics=statistics,
                personal_data=True,
                source="UCI Wisconsin Diagnostic Breast Cancer (copy in scikit-learn)",
            )
            run.log_metrics({"rows": len(rows)})
        self.result["raw"] = raw["_id"]
        self.log(
            f"ingest      {raw['_id']:<36} {len(rows)} rows, {len(header)} columns  "
            f"{_short_sum(raw['checksum'])}  personal data (patient_id)"
        )

    # -------------------------------------------------------------- 2. clean

    def clean(self) -> None:
        raw = self.store.get(self.result["raw"])
        with (
            self.store.run(
                "clean",
                project=PROJECT,
                step="clean",
                inputs={"raw": raw},
                params={
                    "drop_columns": ["patient_id"],
                    "duplicates": "drop",
                    "missing": "drop row",
                },
            ) as run,
            _costed(run),
        ):
            header, rows = read_csv(read_verified(raw))
            kept = [row[1:] for row in rows]
            seen: set[tuple[str, ...]] = set()
            unique: list[list[str]] = []
            for row in kept:
                if tuple(row) not in seen:
                    seen.add(tuple(row))
                    unique.append(row)
            complete = [row for row in unique if "" not in row]
            features = header[2:]
            matrix = np.array([[float(v) for v in row[1:]] for row in complete])
            path = self.versioned_file("datasets", DATASET, "data", ".csv")
            write_csv(path, header[1:], [[row[0], *map(float, row[1:])] for row in complete])
            run.log_metrics(
                {
                    "rows_in": len(rows),
                    "duplicates_dropped": len(kept) - len(unique),
                    "incomplete_dropped": len(unique) - len(complete),
                    "rows_out": len(complete),
                }
            )
            clean = run.register_output(
                "datasets",
                DATASET,
                role="clean",
                project=PROJECT,
                description="Cleaned biopsy data: no patient id, no duplicates, no gaps",
                tags=["clean"],
                location=_file_uri(path),
                format="csv",
                rows=len(complete),
                columns=[c for c in raw["columns"] if c["name"] != "patient_id"],
                size_bytes=path.stat().st_size,
                checksum=sha256_of(path),
                statistics={
                    TARGET: text_profile([row[0] for row in complete]),
                    **profile_matrix(features, matrix),
                },
                personal_data=False,
                source=raw["_id"],
            )
        self.result["clean"] = clean["_id"]
        self.log(
            f"clean       {clean['_id']:<36} {len(complete)} rows, {len(header) - 1} columns  "
            f"{_short_sum(clean['checksum'])}  dropped patient_id, "
            f"{len(kept) - len(unique)} duplicates, {len(unique) - len(complete)} rows with gaps"
        )

    # -------------------------------------------------------------- 3. preprocess

    def preprocess(self) -> None:
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        clean = self.store.get(self.result["clean"])
        params = {
            "target": f"{TARGET} == {POSITIVE}",
            "split": {"train": 0.6, "test": 0.2, "holdout": 0.2},
            "stratify": TARGET,
            "scaler": "StandardScaler, fitted on train",
            "seed": SEED,
        }
        with (
            self.store.run(
                "preprocess",
                project=PROJECT,
                step="preprocess",
                inputs={"data": clean},
                params=params,
            ) as run,
            _costed(run),
        ):
            header, rows = read_csv(read_verified(clean))
            features = header[1:]
            y = np.array([int(row[0] == POSITIVE) for row in rows])
            x = np.array([[float(v) for v in row[1:]] for row in rows])
            idx = np.arange(len(rows))
            rest, holdout = train_test_split(idx, test_size=0.2, stratify=y, random_state=SEED)
            train, test = train_test_split(
                rest, test_size=0.25, stratify=y[rest], random_state=SEED
            )
            scaler = StandardScaler().fit(x[train])
            scaler_path = self.versioned_file(
                "featuresets", FEATURESET, "features", ".scaler.joblib"
            )
            _dump(scaler, scaler_path)
            out_rows: list[list[Any]] = []
            for split, part in (("train", train), ("test", test)):
                scaled = np.round(scaler.transform(x[part]), 6)
                out_rows += [
                    [split, int(y[i]), *row] for i, row in zip(part, scaled.tolist(), strict=True)
                ]
            path = self.versioned_file("featuresets", FEATURESET, "features", ".csv")
            write_csv(path, ["split", "label", *features], out_rows, decimals=6)
            featureset = run.register_output(
                "featuresets",
                FEATURESET,
                role="features",
                project=PROJECT,
                description="Standardised image features with the label (1 = malignant), "
                "split into train and test",
                features=[
                    {
                        "name": name,
                        "dtype": "float64",
                        "source_columns": [name],
                        "description": "standardised with the training mean and std",
                    }
                    for name in features
                ],
                location=_file_uri(path),
                format="csv",
                rows=len(out_rows),
                splits={"train": len(train), "test": len(test)},
                label={"name": "label", "positive": f"{TARGET} == {POSITIVE}"},
                checksum=sha256_of(path),
                transformer={
                    "algorithm": "StandardScaler",
                    "location": _file_uri(scaler_path),
                    "checksum": sha256_of(scaler_path),
                },
            )
            holdout_path = self.versioned_file("datasets", HOLDOUT, "data", ".csv")
            write_csv(
                holdout_path,
                header,
                [rows[i][:1] + [float(v) for v in rows[i][1:]] for i in holdout],
            )
            held = run.register_output(
                "datasets",
                HOLDOUT,
                role="holdout",
                project=PROJECT,
                description="Rows kept out of training, in raw units: the demo's stand-in for "
                "production traffic",
                tags=["holdout"],
                location=_file_uri(holdout_path),
                format="csv",
                rows=len(holdout),
                columns=clean["columns"],
                size_bytes=holdout_path.stat().st_size,
                checksum=sha256_of(holdout_path),
                statistics=profile_matrix(features, x[holdout]),
                personal_data=False,
            )
        self.result.update(featureset=featureset["_id"], holdout=held["_id"])
        self.log(
            f"preprocess  {featureset['_id']:<36} train {len(train)} / test {len(test)}, "
            f"scaled  {_short_sum(featureset['checksum'])}"
        )
        self.log(f"            {held['_id']:<36} {len(holdout)} rows held out as serving traffic")

    # -------------------------------------------------------------- 4. train

    def train_all(self) -> None:
        self.result["models"], self.result["failed_runs"] = [], []
        self.result["train_runs"] = {}
        trained: list[tuple[dict[str, Any], str]] = []
        for name, algorithm, hyper in CANDIDATES:
            model, run_id = self.train(name, algorithm, hyper)
            if model is not None:
                trained.append((model, run_id))
        best_model, best_run = max(
            trained,
            key=lambda pair: (pair[0]["metrics"]["accuracy"], pair[0]["metrics"]["roc_auc"]),
        )
        self.result.update(best_model=best_model["_id"], best_run=best_run)

    def train(
        self, name: str, algorithm: str, hyper: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str]:
        from sklearn.base import clone
        from sklearn.model_selection import StratifiedKFold

        featureset = self.store.get(self.result["featureset"])
        label = _params_text(hyper)
        run_name = f"train-{name.removeprefix('wdbc-')}"
        run_id: str | None = None
        try:
            with (
                self.store.run(
                    run_name,
                    project=PROJECT,
                    step="train",
                    inputs={"train": featureset},
                    params={"algorithm": algorithm, **hyper, "cv_folds": CV_FOLDS},
                ) as run,
                _costed(run),
            ):
                run_id = run.id
                x, y = _load_features(featureset, "train")
                estimator = _estimator(algorithm, hyper)
                run.log_params({"estimator": _json_safe(estimator.get_params())})
                folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=SEED)
                per_fold: list[dict[str, float]] = []
                for step, (fit_rows, val_rows) in enumerate(folds.split(x, y), start=1):
                    fitted = clone(estimator).fit(x[fit_rows], y[fit_rows])
                    scores = _scores(y[val_rows], fitted.predict_proba(x[val_rows])[:, 1])
                    per_fold.append(scores)
                    run.log_metric("fold_accuracy", round(scores["accuracy"], 4), step=step)
                cv = {
                    key: round(float(np.mean([s[key] for s in per_fold])), 4)
                    for key in ("accuracy", "precision", "recall", "f1", "roc_auc")
                }
                cv["accuracy_std"] = round(float(np.std([s["accuracy"] for s in per_fold])), 4)
                if algorithm == "RandomForestClassifier":
                    final = self._grow_forest(run, estimator, x, y)
                else:
                    final = clone(estimator).fit(x, y)
                run.log_metrics(cv)
                path = self.versioned_file("models", name, "models", ".joblib")
                _dump(final, path)
                import sklearn

                model = run.register_output(
                    "models",
                    name,
                    role="model",
                    project=PROJECT,
                    description=f"{algorithm} ({label}) on {featureset['_id']}",
                    framework="sklearn",
                    framework_version=sklearn.__version__,
                    algorithm=algorithm,
                    location=_file_uri(path),
                    size_bytes=path.stat().st_size,
                    checksum=sha256_of(path),
                    signature={
                        "inputs": [
                            {
                                "name": "features",
                                "dtype": "float64",
                                "shape": [-1, len(featureset["features"])],
                            },
                        ],
                        "outputs": [{"name": "p_malignant", "dtype": "float64", "shape": [-1]}],
                    },
                    metrics={k: cv[k] for k in ("accuracy", "f1", "roc_auc")},
                    metrics_source=f"{CV_FOLDS}-fold cross-validation on the train split",
                )
        except ValueError as exc:  # a grid point scikit-learn rejects; the run is recorded failed
            if run_id is None:
                raise
            self.result["failed_runs"].append(run_id)
            self.log(
                f"train       {'(no model)':<36} {algorithm} {label}: failed, "
                f"{type(exc).__name__} (recorded)"
            )
            return None, run_id
        self.result["models"].append(model["_id"])
        self.result["train_runs"][model["_id"]] = run_id
        self.log(
            f"train       {model['_id']:<36} {algorithm} {label}: cv accuracy "
            f"{cv['accuracy']:.3f}  f1 {cv['f1']:.3f}  roc_auc {cv['roc_auc']:.3f}"
        )
        return model, run_id

    def _grow_forest(self, run: Any, estimator: Any, x: np.ndarray, y: np.ndarray) -> Any:
        """Fit the forest ten trees at a time, logging its out-of-bag accuracy as a series."""
        from sklearn.base import clone

        total = int(estimator.get_params()["n_estimators"])
        forest = clone(estimator).set_params(warm_start=True, oob_score=True)
        for trees in range(10, total + 1, 10):
            forest.set_params(n_estimators=trees)
            with warnings.catch_warnings():  # a few rows have no out-of-bag trees at first
                warnings.simplefilter("ignore", UserWarning)
                forest.fit(x, y)
            run.log_metric("oob_accuracy", round(float(forest.oob_score_), 4), step=trees)
        return forest.set_params(warm_start=False)

    # -------------------------------------------------------------- 5. evaluate

    def evaluate(self) -> None:
        model = self.store.get(self.result["best_model"])
        featureset = self.store.get(self.result["featureset"])
        with (
            self.store.run(
                "evaluate",
                project=PROJECT,
                step="evaluate",
                inputs={"model": model, "test": featureset},
                params={"split": "test", "threshold": 0.5, "gate": GATE},
            ) as run,
            _costed(run),
        ):
            estimator = _load(read_verified(model))
            x, y = _load_features(featureset, "test")
            proba = estimator.predict_proba(x)[:, 1]
            scores = {k: round(v, 4) for k, v in _scores(y, proba).items()}
            predicted = (proba >= 0.5).astype(int)
            confusion = {
                "tp": int(((predicted == 1) & (y == 1)).sum()),
                "fp": int(((predicted == 1) & (y == 0)).sum()),
                "fn": int(((predicted == 0) & (y == 1)).sum()),
                "tn": int(((predicted == 0) & (y == 0)).sum()),
            }
            passed = all(scores[k] >= v for k, v in GATE.items())
            run.log_metrics({**scores, **confusion, "passed_gate": int(passed)})
        self.result["evaluation_run"] = run.id
        self.log(
            f"evaluate    {model['_id']:<36} test accuracy {scores['accuracy']:.3f}  "
            f"recall {scores['recall']:.3f}  roc_auc {scores['roc_auc']:.3f}  "
            f"gate {'passed' if passed else 'FAILED'}"
        )
        if not passed:
            raise RuntimeError(f"{model['_id']} failed the release gate {GATE}: {scores}")

    # -------------------------------------------------------------- 6. deploy and serve

    def deploy(self) -> None:
        model = self.store.get(self.result["best_model"])
        deployment = self.store.register(
            "deployments",
            DEPLOYMENT,
            project=PROJECT,
            description="Simulated: the demo replays hold-out rows through the saved model",
            endpoint="http://localhost:8080/v1/models/wdbc:predict",
            environment="staging",
            status="active",
            deployed_at=utc_now_iso(),
            replicas=1,
            model=model["_id"],
        )
        self.store.link(model, deployment, "deployed_as")
        self.result["deployment"] = deployment["_id"]
        self.log(f"deploy      {deployment['_id']:<36} serves {model['_id']}")

    def serve(self) -> None:
        deployment = self.store.get(self.result["deployment"])
        model = self.store.get(self.result["best_model"])
        featureset = self.store.get(self.result["featureset"])
        holdout = self.store.get(self.result["holdout"])
        estimator = _load(read_verified(model))
        scaler = _load(read_verified(featureset, "transformer"))
        header, rows = read_csv(read_verified(holdout))
        features = header[1:]
        x_all = np.array([[float(v) for v in row[1:]] for row in rows])
        y_all = np.array([int(row[0] == POSITIVE) for row in rows])
        drifted = [features.index(c) for c in TEXTURE_COLUMNS]
        self.result["serving"] = []
        for window, factor in enumerate(WINDOW_TEXTURE_FACTORS, start=1):
            chosen = self.rng.choice(len(rows), size=REQUESTS_PER_WINDOW, replace=True)
            x = x_all[chosen].copy()
            x[:, drifted] *= factor
            y = y_all[chosen]
            start, began = utc_now_iso(), time.perf_counter()
            latencies, proba = [], []
            for row in x:  # one request at a time, as a serving endpoint sees them
                t0 = time.perf_counter()
                proba.append(float(estimator.predict_proba(scaler.transform(row[None, :]))[0, 1]))
                latencies.append((time.perf_counter() - t0) * 1000)
            elapsed = time.perf_counter() - began
            end = utc_now_iso()
            p = np.array(proba)
            predicted = (p >= 0.5).astype(int)
            quality = {
                "accuracy": round(float((predicted == y).mean()), 4),
                "malignant_rate": round(float(predicted.mean()), 4),
                "mean_confidence": round(float(np.maximum(p, 1 - p).mean()), 4),
            }
            lat = np.array(latencies)
            metrics = self.store.register(
                "serving_metrics",
                TRAFFIC,
                project=PROJECT,
                description=f"Window {window} of replayed hold-out traffic"
                + (
                    f"; texture readings scaled by {factor} (recalibrated scanner)"
                    if factor != 1
                    else ""
                ),
                tags=["simulated"],
                window_start=start,
                window_end=end,
                traffic={
                    "requests": len(x),
                    "errors": 0,
                    "requests_per_second": round(len(x) / max(elapsed, 1e-9), 1),
                },
                latency_ms={
                    "p50": round(float(np.percentile(lat, 50)), 3),
                    "p90": round(float(np.percentile(lat, 90)), 3),
                    "p99": round(float(np.percentile(lat, 99)), 3),
                    "mean": round(float(lat.mean()), 3),
                    "max": round(float(lat.max()), 3),
                },
                quality=quality,
                input_profile=profile_matrix(features, x),
            )
            self.store.link(deployment, metrics, "monitors")
            self.result["serving"].append(metrics["_id"])
            texture = metrics["input_profile"]["mean_texture"]["mean"]
            self.log(
                f"serve       {metrics['_id']:<36} {len(x)} requests  accuracy "
                f"{quality['accuracy']:.2f}  malignant {quality['malignant_rate']:.2f}  "
                f"mean_texture {texture:.1f}"
            )


def _dump(obj: Any, path: Path) -> None:
    import joblib

    joblib.dump(obj, path)


def _load(path: Path) -> Any:
    import joblib

    return joblib.load(path)


def _params_text(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def _short_sum(checksum: str | None) -> str:
    return f"{checksum[:15]}…" if checksum else ""


def run_pipeline(
    store: MetadataStore, work_dir: str | Path, *, log: Log | None = print
) -> dict[str, Any]:
    """Run and record the pipeline in ``store``, writing its files under ``work_dir``.

    Returns the ids it recorded: ``project``, ``raw``, ``clean``, ``holdout``,
    ``featureset``, ``models`` (trained), ``train_runs`` (model id → run id),
    ``failed_runs``, ``best_model``, ``best_run``, ``evaluation_run``,
    ``deployment`` and ``serving`` (the serving-metrics windows, oldest first).
    ``log`` prints a line per step (None: silent).
    """
    pipeline = Pipeline(store, Path(work_dir), log or (lambda _line: None))
    pipeline.project()
    pipeline.ingest()
    pipeline.clean()
    pipeline.preprocess()
    pipeline.train_all()
    pipeline.evaluate()
    pipeline.deploy()
    pipeline.serve()
    return pipeline.result


# ---------------------------------------------------------------------- the auditors' answers


# a run key's time and random suffix: this release's, or an earlier one's
_RUN_SUFFIX = re.compile(r"-([0-9a-z]{14}|\d{8}T\d{6}(\.\d{6})?-[0-9a-f]+)$")


def show_id(doc_id: str | None) -> str:
    """An id as printed: run keys lose their timestamp and random suffix (``runs/train-…``)."""
    if not doc_id:
        return ""
    return _RUN_SUFFIX.sub("-…", doc_id) if doc_id.startswith("runs/") else doc_id


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> list[str]:
    """A plain text table with a header line."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    line = [
        indent + "  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()
    ]
    return line + [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def _file_name(location: str | None, work_dir: Path) -> str:
    if not location:
        return ""
    path = Path(unquote(urlparse(location).path))
    try:
        return str(path.relative_to(work_dir.resolve()))
    except ValueError:
        return location


def _compact_params(params: dict[str, Any] | None, keys: Sequence[str] | None = None) -> str:
    if not params:
        return ""
    shown = {k: v for k, v in params.items() if k != "estimator" and (keys is None or k in keys)}
    return " ".join(f"{k}={v}" for k, v in shown.items())


ERASURE_REASON = "GDPR request 2026-001"


def report(
    store: MetadataStore, result: dict[str, Any], work_dir: str | Path, log: Log = print
) -> None:
    """Answer the auditors' questions with the stored queries, and draw the deployed lineage."""
    work = Path(work_dir)
    best_model, best_run = result["best_model"], result["best_run"]
    deployment, raw = result["deployment"], result["raw"]

    def ask(title: str, query: str, **params: Any) -> list[Any]:
        shown = ", ".join(
            f"{k}={show_id(v) if isinstance(v, str) else v}" for k, v in params.items()
        )
        log("")
        log(f"-- {title}")
        log(f"   {query}({shown})")
        return run_query(store, query, params)

    def show(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        for line in table(header, rows):
            log(line)

    def fields(pairs: Sequence[tuple[str, str]]) -> None:
        for label, value in pairs:
            log(f"  {label:<13} {value}")

    rows = ask("Where did the deployed model come from?", "model_provenance", model=best_model)
    show(
        ["depth", "id", "step", "file", "checksum", "personal data"],
        [
            [r["depth"], show_id(r["id"]), r["step"], _file_name(r["location"], work),
             _short_sum(r["checksum"]), r["personal_data"]]
            for r in rows
        ],
    )  # fmt: skip

    rows = ask(
        "What must be re-checked when the raw export changes?", "dataset_impact", dataset=raw
    )
    show(
        ["depth", "id", "status"],
        [[r["depth"], r["id"], r["status"]] for r in rows],
    )

    rows = ask(
        "What falls under an erasure request on the raw export?",
        "personal_data_impact",
        dataset=raw,
    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["type"]] = counts.get(r["type"], 0) + 1
    log(f"  {len(rows)} artifacts derive from personal data: "
        + ", ".join(f"{n} {t}" for t, n in sorted(counts.items())))  # fmt: skip

    rows = ask("Which model is best?", "compare_models", metric="accuracy", project=PROJECT)
    show(
        ["model", "algorithm", "accuracy", "params"],
        [
            [r["model"], r["algorithm"], r["value"], _compact_params(r["params"], ["C", "max_depth"])]
            for r in rows
        ],
    )  # fmt: skip

    record = ask("The full record of the best model's training run", "run_record", run=best_run)[0]
    metrics = record["metrics"]
    cost = (record["resources"] or {}).get("cost") or {}
    fields(
        [
            ("run", f"{show_id(record['run'])}  {record['step']}, {record['status']}"),
            *[
                (f"input {i['role']}", f"{i['id']}  {_short_sum(i['checksum'])}")
                for i in record["inputs"]
            ],
            ("params", _compact_params(record["params"])),
            ("metrics", " ".join(f"{k}={metrics[k]:.3f}" for k in ("accuracy", "f1", "roc_auc"))),
            ("resources", "wall and CPU seconds, peak memory; cost "
                          f"{cost.get('amount', 0):.4f} {cost.get('currency', '')}"),
            *[
                (f"output {o['role']}", f"{o['id']}  {_file_name(o['location'], work)}")
                for o in record["outputs"]
            ],
        ]
    )  # fmt: skip

    repro = ask("What does it take to reproduce that run?", "reproduce_run", run=best_run)[0]
    env = repro["environment"]
    packages = env.get("packages") or {}
    commit = (env.get("git") or {}).get("commit") or "none"
    fields(
        [
            *[
                (f"input {i['role']}", f"{i['id']}  {i['format']}  "
                 f"{_file_name(i['location'], work)}  {_short_sum(i['checksum'])}")
                for i in repro["inputs"]
            ],
            ("params", _compact_params(repro["params"])),
            ("environment", f"python {env['python']['version']}, scikit-learn "
                            f"{packages.get('scikit-learn', '?')}, {len(packages)} packages "
                            f"pinned, git {commit[:7]}"),
            ("reproducible", "yes" if repro["reproducible"] else f"no: {'; '.join(repro['gaps'])}"),
        ]
    )  # fmt: skip

    rows = ask("What did the project cost?", "cost_by_project_month", project=PROJECT)
    show(
        ["project", "month", "runs", "failed", "cost", "currency"],
        [
            [r["project"], r["month"], r["runs"], r["failed_runs"], f"{r['cost']:.2f}", r["currency"]]
            for r in rows
        ],
    )  # fmt: skip

    rows = ask(
        "Is the deployment drifting from its training data?", "serving_drift", deployment=deployment
    )
    if not rows:
        log("  no column moved more than 1 training standard deviation")
    for r in rows:
        log(f"  latest window {r['serving_metrics']}: {len(r['drifted'])} columns moved more "
            "than 1 training standard deviation")  # fmt: skip
        show(
            ["column", "trained on", "training mean", "std", "serving mean", "shift (std)"],
            [
                [d["column"], d["dataset"], d["training_mean"], d["training_std"],
                 d["serving_mean"], d["shift"]]
                for d in r["drifted"]
            ],
        )  # fmt: skip

    log("")
    log(f"-- Lineage of {deployment}: everything upstream, each under what it fed")
    for line in lineage_tree(store, deployment):
        log(f"  {line}")

    erasure_report(store, raw, work, log)
    audit_report(store, log)


def erasure_report(store: MetadataStore, raw: str, work: Path, log: Log = print) -> None:
    """A patient's erasure request on the raw export: what the store redacts, and the work
    list outside it (files to purge, models to retrain, deployments to redeploy)."""
    log("")
    log("-- A patient asks to be erased: redact the raw export's personal fields, keep lineage")
    log(f'   store.erase({raw}, reason="{ERASURE_REASON}")')
    erasure = store.erase(raw, reason=ERASURE_REASON)
    for redaction in erasure.redactions:
        log(f"  redacted      {redaction.document}: {', '.join(redaction.fields)}")
    listed = [item for item in erasure.work if item.action != "review"]
    for line in table(
        ["depth", "id", "action", "file"],
        [
            [
                item.depth,
                item.id,
                item.action,
                ", ".join(_file_name(u, work) for u in item.locations),
            ]
            for item in listed
        ],
    ):
        log(line)
    reviews = Counter(item.type for item in erasure.work if item.action == "review")
    if reviews:
        log("  to review: " + ", ".join(f"{n} {t}" for t, n in sorted(reviews.items())))
    again = store.erase(raw, reason=ERASURE_REASON)
    outcome = "redacted more (unexpected)" if again.changed else "nothing left, nothing written"
    log(f"  erased again: {outcome}; lineage intact: "
        f"{len(store.downstream(raw))} artifacts and runs downstream")  # fmt: skip


def audit_report(store: MetadataStore, log: Log = print) -> None:
    """The audit log: every write above has one record in a hash chain that verifies; a
    record edited behind the library's back is caught (and put back, so the store is left
    as it was)."""
    log("")
    log("-- The audit log: one chained record per write, checked against every document")
    log("   arangoml_meta.audit.verify(store.backend)   # the CLI: arangoml-meta audit verify")
    report = verify(store.backend)
    ops = dict(
        store.query(
            f"FOR b IN {AUDIT_LOG} FOR r IN b.records COLLECT op = r.op WITH COUNT INTO n "
            "RETURN [op, n]"
        )
    )
    counted = ", ".join(f"{n} {op}" for op, n in sorted(ops.items(), key=lambda i: (-i[1], i[0])))
    log(f"  {'verified' if report.ok else 'NOT verified'}: {report.records} records "
        f"({counted}), {report.documents} documents match")  # fmt: skip
    erased = store.query(
        f"FOR b IN {AUDIT_LOG} SORT b._key FOR r IN b.records FILTER r.op == 'erase' LIMIT 1 "
        "RETURN {target: r.target, reason: r.detail.reason}"
    )
    for row in erased:
        log(f'  first erase record: {row["target"]}, reason "{row["reason"]}"')
    # someone with database access rewrites who registered the raw export (the actor of the
    # block, one transaction's records, that holds its record)
    key = store.query(
        f"FOR b IN {AUDIT_LOG} FILTER 'create' IN b.records[*].op SORT b._key LIMIT 1 RETURN b._key"
    )[0]
    original = store.raw_backend.get(AUDIT_LOG, key)
    assert original is not None
    store.raw_backend.update(AUDIT_LOG, key, {"actor": "someone-else"})
    tampered = verify(store.backend)
    first = tampered.first
    log(f"  block {key} edited behind the library's back: "
        f"{'verified (unexpected)' if tampered.ok else f'NOT verified, first broken at {first}'}")  # fmt: skip
    store.raw_backend.replace(
        AUDIT_LOG, key, {k: v for k, v in original.items() if k not in ("_id", "_rev")}
    )
    log(f"  put back: {'verified' if verify(store.backend).ok else 'NOT verified'}")


def lineage_tree(store: MetadataStore, start: str) -> list[str]:
    """Everything upstream of ``start`` as a tree (the library's), each vertex under what it fed."""

    def describe(node: TreeNode) -> str:
        vertex = node.row or {}
        kind = node.vertex.partition("/")[0]
        if kind == "runs":
            what = f"{vertex.get('step')}, {vertex.get('status')}"
        elif kind == "datasets":
            what = f"{vertex.get('rows')} rows" + (
                ", personal data" if vertex.get("personal_data") else ""
            )
        elif kind == "models":
            what = f"{vertex.get('algorithm')}"
        elif kind == "featuresets":
            what = f"{vertex.get('rows')} rows, {len(vertex.get('features') or [])} features"
        else:
            what = ""
        return f"{show_id(node.vertex)}  {what}".rstrip() if node.row else show_id(node.vertex)

    tree = make_tree(store.upstream(start, fields="*"))
    return render_tree(tree, describe).splitlines()


# ---------------------------------------------------------------------- output and entry point

# what changes from one run of the demo to the next, or from one machine to another
VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?m)^(  \S+\s+)\d{4}-\d{2}(\s)"), r"\1YYYY-MM\2"),
    (re.compile(r"(?m)^(  environment\s+).*$"), r"\1…"),
    (re.compile(r"(?m)^(  reproducible\s+).*$"), r"\1…"),
    (re.compile(r"\d+(\.\d+)? s\b"), "… s"),
)


def mask_volatile(text: str) -> str:
    """``text`` with what varies between runs and machines masked, for comparing outputs."""
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _store_line(location: str | None, given: bool) -> str:
    if location is None:
        return (
            "store: embedded, in a fresh temporary directory, removed at the end "
            f"(set {STORE_ENV} to keep one)"
        )
    return f"store: {strip_credentials(location)} ({'given' if given else f'from {STORE_ENV}'})"


def _default_files_dir(location: str) -> Path:
    if location == ":memory:" or re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", location):
        return Path.cwd() / "arangoml-meta-demo"
    path = Path(location).expanduser()
    return (path.parent if path.suffix == ".db" else path) / "demo-files"


def main(store_location: str | None = None, out_dir: str | None = None) -> None:
    """Run the pipeline and print the auditors' answers.

    The store is ``store_location``, else ``ARANGOML_META_STORE``, else a fresh
    temporary embedded store removed at the end. The files the pipeline writes
    go to ``out_dir``; by default beside a store that is kept (``demo-files/``
    in an embedded store's directory, ``./arangoml-meta-demo/`` for ArangoDB or
    ``:memory:``), else into the temporary directory.
    """
    began = time.perf_counter()
    location = store_location or os.environ.get(STORE_ENV) or None
    with tempfile.TemporaryDirectory(prefix="arangoml-meta-demo-") as tmp:
        if out_dir:
            files = Path(out_dir)
        elif location:
            files = _default_files_dir(location)
        else:
            files = Path(tmp) / "files"
        print(f"arangoml-meta demo — {_store_line(location, bool(store_location))}")
        if out_dir or location:
            print(f"files: {files}")
        print("")
        print("== The pipeline, recorded through the Python API as it runs")
        store = open_store(location or str(Path(tmp) / "store"))
        try:
            result = run_pipeline(store, files)
            recorded = time.perf_counter() - began
            print("")
            print("== The auditors' questions, answered by the stored queries in aql/")
            report(store, result, files)
        finally:
            store.close()
    answered = time.perf_counter() - began - recorded
    print("")
    print(f"recorded in {recorded:.1f} s, answered in {answered:.1f} s")


if __name__ == "__main__":
    main()
