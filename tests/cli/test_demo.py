"""`demo`: with which store the pipeline demo runs, and that it runs to the end."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import arangoml_meta.cli.demo as demo_command
from arangoml_meta.cli import app

from .conftest import Cli, fails, succeeds


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A stand-in for the pipeline demo; returns the keyword arguments of each call."""
    calls: list[dict[str, Any]] = []
    module = types.ModuleType("fake_demo_pipeline")
    module.main = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_demo_pipeline", module)
    monkeypatch.setattr(demo_command, "PIPELINE_DEMO", "fake_demo_pipeline")
    monkeypatch.setattr(demo_command, "DEMO_MODULES", ("json",))  # the stand-in needs no extra
    return calls


def test_demo_passes_a_store_given_on_the_command_line(
    fake_pipeline: list[dict[str, Any]], tmp_path: Path
) -> None:
    runner = CliRunner()
    succeeds(
        runner.invoke(app, ["--store", str(tmp_path), "demo", "--out-dir", str(tmp_path / "files")])
    )
    assert fake_pipeline == [{"store_location": str(tmp_path), "out_dir": str(tmp_path / "files")}]


def test_demo_leaves_the_environment_to_the_demo(
    fake_pipeline: list[dict[str, Any]], tmp_path: Path
) -> None:
    succeeds(CliRunner().invoke(app, ["demo"], env={"ARANGOML_META_STORE": str(tmp_path)}))
    assert fake_pipeline == [{}]


def test_demo_failure_is_one_line(
    monkeypatch: pytest.MonkeyPatch, fake_pipeline: list[dict[str, Any]]
) -> None:
    def broken(**kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(sys.modules["fake_demo_pipeline"], "main", broken)
    fails(CliRunner().invoke(app, ["demo"]), "disk full")


def test_the_pipeline_demo_runs_on_the_store(cli: Cli, store_url: str, tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="the demo extra is not installed")
    out = succeeds(cli("demo", "--out-dir", str(tmp_path / "files")))
    assert "store:" in out
    assert out.count("\n") > 20


def test_demo_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, fake_pipeline: list[dict[str, Any]]
) -> None:
    monkeypatch.setattr(demo_command, "DEMO_MODULES", ("json", "no_such_module_of_the_demo"))
    fails(
        CliRunner().invoke(app, ["demo"]),
        "pip install 'arangoml-meta[demo]'",
        "(missing: no_such_module_of_the_demo)",
    )
    assert fake_pipeline == []  # nothing recorded: the pipeline never started
