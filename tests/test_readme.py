"""The README shows what its examples really print."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_shows_the_demo_output(capsys, monkeypatch) -> None:
    match = re.search(
        r"<!-- demo-output -->\n```text\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S
    )
    assert match, "README lacks the demo-output block"
    pytest.importorskip("sklearn", reason="the demo extra is not installed")
    from arangoml_meta import demo_pipeline

    monkeypatch.delenv("ARANGOML_META_STORE", raising=False)
    demo_pipeline.main()
    printed = capsys.readouterr().out.rstrip("\n")
    assert demo_pipeline.mask_volatile(printed) == demo_pipeline.mask_volatile(match.group(1))


def test_readme_python_tour_prints_what_it_shows(capsys) -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- tour -->\n```python\n(.*?)\n```\n\nprints\n\n```text\n(.*?)\n```", text, re.S
    )
    assert match, "README lacks the Python tour block"
    pytest.importorskip("numpy", reason="the tour logs numpy scalars: the demo extra brings numpy")
    exec(compile(match.group(1), "README tour", "exec"), {})
    assert capsys.readouterr().out.rstrip("\n") == match.group(2)


def test_readme_erasure_example_prints_what_it_shows(capsys) -> None:
    match = re.search(
        r"<!-- erasure -->\n```python\n(.*?)\n```\n\nprints\n\n```text\n(.*?)\n```",
        README.read_text(encoding="utf-8"),
        re.S,
    )
    assert match, "README lacks the erasure block"
    exec(compile(match.group(1), "README erasure", "exec"), {})
    assert capsys.readouterr().out.rstrip("\n") == match.group(2)


def _mask(text: str) -> str:
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<time>", text)
    return re.sub(r"_rev,\S+", "_rev,<rev>", text)


def test_readme_cli_session_prints_what_it_shows(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from arangoml_meta.cli import app

    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- cli -->\n```console\n(.*?)\n```", text, re.S)
    assert match, "README lacks the CLI session block"
    monkeypatch.setenv("ARANGOML_META_ACTOR", "alice")
    monkeypatch.delenv("ARANGOML_META_STORE", raising=False)
    printed = []
    for command in re.findall(r"^\$ (.*)$", match.group(1), re.M):
        args = [a.replace("./meta", str(tmp_path / "meta")) for a in shlex.split(command)[1:]]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        printed.append(f"$ {command}\n{result.output}")
    assert _mask("".join(printed).rstrip("\n")) == _mask(match.group(1))
