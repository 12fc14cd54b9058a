"""The README shows what its examples really print."""

from __future__ import annotations

import re
from pathlib import Path

from arangoml_meta import demo_pipeline

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_shows_the_demo_output(capsys, monkeypatch) -> None:
    match = re.search(r"<!-- demo-output -->\n```text\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    assert match, "README lacks the demo-output block"
    monkeypatch.delenv("ARANGOML_META_STORE", raising=False)
    demo_pipeline.main()
    printed = capsys.readouterr().out.rstrip("\n")
    assert demo_pipeline.mask_volatile(printed) == demo_pipeline.mask_volatile(match.group(1))


def test_readme_python_tour_prints_what_it_shows(capsys) -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- tour -->\n```python\n(.*?)\n```\n\nprints\n\n```text\n(.*?)\n```", text, re.S)
    assert match, "README lacks the Python tour block"
    exec(compile(match.group(1), "README tour", "exec"), {})
    assert capsys.readouterr().out.rstrip("\n") == match.group(2)
