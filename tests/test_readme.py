"""The README shows what the demo really prints."""

from __future__ import annotations

import re
from pathlib import Path

from arangoml_meta import demo

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_shows_the_demo_output(capsys) -> None:
    match = re.search(r"<!-- demo-output -->\n```text\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    assert match, "README lacks the demo-output block"
    demo.main()
    assert capsys.readouterr().out.rstrip("\n") == match.group(1)
