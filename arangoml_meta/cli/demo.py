"""``arangoml-meta demo``: the README's main job (``arangoml_meta.demo_pipeline``)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Annotated, Any

import typer

from .core import EXIT_ERROR, error_line, examples, state_of

# imported when the command runs: scikit-learn is slow to import for every other command
PIPELINE_DEMO = "arangoml_meta.demo_pipeline"
# what the pipeline imports from the `demo` extra (scikit-learn brings numpy and joblib)
DEMO_MODULES = ("sklearn", "numpy", "joblib")
INSTALL_DEMO = "pip install 'arangoml-meta[demo]'"
EPILOG = examples(
    "arangoml-meta demo",
    "arangoml-meta --store ./demo-store demo --out-dir ./demo-files",
)


def run_demo(
    ctx: typer.Context,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where the pipeline writes its data and models (default: beside a kept store, "
            "else a temporary directory).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the demo: a small ML pipeline recorded as it runs, then the auditors' answers.

    scikit-learn trains a few models on a data set it ships with; the runs,
    datasets, models, deployment and serving metrics are recorded through the
    Python API, then the stored queries answer the auditors' questions and the
    lineage of the deployed model is drawn. The store is --store or
    ARANGOML_META_STORE when set, else a temporary one removed afterwards.
    scikit-learn is not part of the core install: pip install 'arangoml-meta[demo]'.
    """
    missing = [name for name in DEMO_MODULES if importlib.util.find_spec(name) is None]
    if missing:  # checked before the pipeline starts, so that it never stops half-recorded
        error_line(
            f"the demo needs scikit-learn, which the core install leaves out "
            f"(missing: {', '.join(missing)}): {INSTALL_DEMO}"
        )
        raise typer.Exit(EXIT_ERROR)
    options: dict[str, Any] = {}
    state = state_of(ctx)
    if state.location_given:  # else the demo reads ARANGOML_META_STORE itself, and says so
        options["store_location"] = state.location
    if out_dir is not None:
        options["out_dir"] = str(out_dir)
    result = importlib.import_module(PIPELINE_DEMO).main(**options)
    if isinstance(result, int) and result:
        raise typer.Exit(result)
