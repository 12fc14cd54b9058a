"""docs/cli.md is generated from the help texts and must be current; every command has an example."""

from __future__ import annotations

from pathlib import Path

import pytest

from arangoml_meta.cli import docs
from arangoml_meta.queries import load_queries

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMANDS = [(path, command) for path, command, _ in docs.commands()]
LEAVES = [(path, command) for path, command in COMMANDS if not hasattr(command, "list_commands")]
REGENERATE = "regenerate it: python -m arangoml_meta.cli.docs > docs/cli.md"


def test_the_reference_is_up_to_date() -> None:
    assert DOCS.is_file(), f"docs/cli.md is missing; {REGENERATE}"
    assert DOCS.read_text(encoding="utf-8") == docs.render(), (
        f"docs/cli.md is out of date; {REGENERATE}"
    )


@pytest.mark.parametrize(
    "path", [path for path, _ in COMMANDS], ids=lambda p: " ".join(p) or "root"
)
def test_every_command_is_documented(path: tuple[str, ...]) -> None:
    title = docs.command_title(path)
    assert f"\n## {title}\n" in DOCS.read_text(encoding="utf-8"), (
        f"{title} is not in docs/cli.md; {REGENERATE}"
    )


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_every_stored_query_is_documented(name: str) -> None:
    assert f"### `{name}`" in DOCS.read_text(encoding="utf-8"), (
        f"{name} is not in docs/cli.md; {REGENERATE}"
    )


@pytest.mark.parametrize("path,command", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_has_help_and_an_example(path: tuple[str, ...], command: object) -> None:
    help_text = getattr(command, "help", None) or ""
    epilog = getattr(command, "epilog", None) or ""
    assert help_text.strip(), f"{' '.join(path)} has no help"
    assert "Examples:" in epilog and f"arangoml-meta {' '.join(path)}" in epilog, (
        f"{' '.join(path)} has no example of itself in its help"
    )


def test_the_expected_commands_exist() -> None:
    assert {" ".join(path) for path, _ in LEAVES} == {
        "store init", "store info", "store backup", "store dump", "store restore",
        "types list", "types show", "types register", "types evolve", "types diff",
        "artifacts add", "artifacts get", "artifacts list", "artifacts history",
        "artifacts delete", "artifacts tag",
        "runs list", "runs show", "runs compare", "runs record", "runs close", "link",
        "lineage up", "lineage down", "lineage impact", "lineage path", "lineage show",
        "query list", "query show", "query run",
        "audit verify", "audit head", "audit log", "audit export",
        "retention list", "retention set", "retention clear", "retention apply",
        "access grant", "access revoke", "access list", "access sync",
        "aql", "demo", "serve", "erase",
    }  # fmt: skip
