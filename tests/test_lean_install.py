"""The core install is the metadata layer alone: no training stack.

scikit-learn (with numpy, scipy and joblib) is the ``demo`` extra: the core's declared
dependencies leave it out, and importing every module of the package but the demo pipeline,
then opening a store and querying it, loads none of it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
TRAINING_STACK = ("sklearn", "numpy", "scipy", "joblib")
TRAINING_DISTRIBUTIONS = ("scikit-learn", "numpy", "scipy", "joblib")
DEMO = "arangoml_meta.demo_pipeline"
# import names unlike their distribution's, for the ones not installed here (a core install)
DISTRIBUTION_OF = {"sklearn": "scikit-learn", "yaml": "pyyaml", "arango": "python-arango"}

# imports every module but the demo and the `python -m` entry points, uses the store,
# prints the top-level packages loaded
CORE_USE = f"""
import importlib, json, pkgutil, sys
import arangoml_meta
from arangoml_meta import open_store
from arangoml_meta.cli import app
for module in pkgutil.walk_packages(arangoml_meta.__path__, "arangoml_meta."):
    if module.name != {DEMO!r} and not module.name.endswith("__main__"):
        importlib.import_module(module.name)
with open_store(":memory:") as store:
    store.register("datasets", "iris", location="s3://bucket/iris.csv")
    assert store.query("FOR d IN datasets RETURN d.name") == ["iris"]
print(json.dumps(sorted({{name.partition(".")[0] for name in sys.modules}})))
"""


def _name(requirement: str) -> str:
    """The distribution a requirement names, normalized (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\\[ ]", requirement, maxsplit=1)[0]).lower()


def imported_distributions(paths: list[Path]) -> dict[str, str]:
    """The installed distributions whose top-level packages the files import (absolute
    imports, also inside functions), each with one file that imports it."""
    provided = importlib.metadata.packages_distributions()
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [alias.name.partition(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                tops = [node.module.partition(".")[0]]
            else:
                continue
            for top in tops:
                if top not in sys.stdlib_module_names and top != "arangoml_meta":
                    fallback = [DISTRIBUTION_OF.get(top, top)]
                    for distribution in provided.get(top, fallback):
                        found.setdefault(_name(distribution), str(path.relative_to(ROOT)))
    return found


def test_the_core_dependencies_leave_the_training_stack_to_the_demo_extra() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    core = {_name(r) for r in project["dependencies"]}
    assert core and not core & set(TRAINING_DISTRIBUTIONS)
    assert "scikit-learn" in {_name(r) for r in project["optional-dependencies"]["demo"]}


def test_the_core_declares_what_it_imports_and_imports_what_it_declares() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    modules = sorted((ROOT / "arangoml_meta").rglob("*.py"))
    demo = ROOT / Path(*DEMO.split(".")).with_suffix(".py")
    core = imported_distributions([m for m in modules if m != demo])
    assert {_name(r) for r in project["dependencies"]} == set(core), core
    declared_for_demo = {_name(r) for r in project["optional-dependencies"]["demo"]}
    assert set(imported_distributions([demo])) <= set(core) | declared_for_demo


def test_using_the_core_imports_no_training_stack() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CORE_USE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "arangoml_meta" in loaded and "typer" in loaded
    assert loaded.isdisjoint(TRAINING_STACK), sorted(loaded & set(TRAINING_STACK))
