"""The README's architecture section stays true: every path it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LAYERS = ("CLI", "stored queries", "domain", "backends", "language", "engine")


def section(text: str, title: str) -> str:
    """The body of the ``## title`` section, up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"README lacks the '{title}' section"
    return match.group(1)


def named_paths(text: str) -> list[str]:
    """The `code spans` that are repository paths: with a slash, or a file name with a suffix."""
    spans = re.findall(r"`([^`\s]+)`", text)
    return [s for s in spans if "/" in s or re.fullmatch(r"[\w.-]+\.(py|aql|json|md)", s)]


def missing(text: str, root: Path) -> list[str]:
    return [p for p in named_paths(text) if not (root / p.rstrip("/")).exists()]


def test_a_path_that_is_gone_is_named(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "here.py").write_text("")
    text = "engine in `pkg/`, parser in `pkg/here.py` and `pkg/gone.py`, run by `make demo`"
    assert named_paths(text) == ["pkg/", "pkg/here.py", "pkg/gone.py"]
    assert missing(text, tmp_path) == ["pkg/gone.py"]


def test_the_architecture_section_names_paths_that_exist() -> None:
    text = section(README.read_text(encoding="utf-8"), "Architecture")
    rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")}
    assert set(LAYERS) <= rows
    assert len(named_paths(text)) >= len(LAYERS)
    assert missing(text, ROOT) == []
