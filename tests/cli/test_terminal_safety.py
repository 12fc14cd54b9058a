"""Stored text cannot drive the terminal: every printer escapes control characters.

A value, a name or a relation holding ESC, CR/LF, NUL or a bidi override is
shown as escapes (``\\x1b``, ``\\n``, ``\\u202e``) in tables, CSV, documents,
lineage trees, DOT and Mermaid, and error lines; JSON holds the same value,
escaped by JSON. A forged audit line ("\\n2026-12-07 root deleted ...") is
never a line of its own.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from arangoml_meta.safe_text import has_unsafe
from arangoml_meta.store import MetadataStore

from .conftest import Cli, fails, succeeds

FORGED = "harmless\n2026-12-07 root deleted datasets/customers-v1"
HOSTILE = FORGED + "\r\x1b[2J\x1b]0;owned\x07\x00\u202eevil\u2066\x9b"


@pytest.fixture
def hostile(store: MetadataStore) -> dict[str, str]:
    """A dataset whose note is hostile, and a model derived from it by a hostile relation."""
    data = store.register("datasets", "iris", rows=1, note=HOSTILE, tags=[HOSTILE])
    model = store.register("models", "clf", framework="sklearn")
    store.link(data, model, HOSTILE)
    return {"dataset": data["_id"], "model": model["_id"]}


def assert_safe(output: str) -> None:
    """No character a terminal acts on, other than the line feeds that end lines."""
    assert not has_unsafe(output.replace("\n", ""))
    assert "2026-12-07 root deleted" not in [line.strip() for line in output.splitlines()]
    assert not any(line.startswith("2026-12-07") for line in output.splitlines())


@pytest.mark.parametrize(
    "command",
    [
        ("artifacts", "list", "datasets", "--columns", "_id,note,tags"),
        ("artifacts", "get", "datasets/iris-v1"),
        ("aql", "FOR d IN datasets RETURN {id: d._id, note: d.note}"),
        ("query", "run", "search_artifacts", "-p", "text=iris"),
        ("lineage", "down", "datasets/iris-v1", "--format", "table"),
    ],
)
def test_a_table_shows_a_hostile_value_escaped_on_its_row(
    cli: Cli, hostile: dict[str, str], command: tuple[str, ...]
) -> None:
    output = succeeds(cli(*command))
    assert_safe(output)
    assert "harmless\\n2026-12-07 root deleted" in output


def test_the_forged_audit_line_renders_on_one_line(cli: Cli, hostile: dict[str, str]) -> None:
    output = succeeds(cli("aql", "FOR d IN datasets RETURN {id: d._id, note: d.note}"))
    rows = [line for line in output.splitlines() if "datasets/iris-v1" in line]
    assert len(rows) == 1
    assert "2026-12-07 root deleted" in rows[0]
    assert len(output.splitlines()) == 3  # header, rule, the one row


def test_csv_holds_a_hostile_value_escaped_in_one_record(cli: Cli, hostile: dict[str, str]) -> None:
    output = succeeds(
        cli("artifacts", "list", "datasets", "--columns", "_id,note", "--format", "csv")
    )
    assert_safe(output)
    assert len(output.splitlines()) == 2
    assert list(csv.reader(io.StringIO(output)))[1][1].startswith("harmless\\n2026-12-07")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_holds_the_hostile_value_itself_escaped_by_json(
    cli: Cli, hostile: dict[str, str], fmt: str
) -> None:
    output = succeeds(cli("aql", "FOR d IN datasets RETURN d.note", "--format", fmt))
    assert_safe(output)
    first = json.loads(output)[0] if fmt == "json" else json.loads(output.splitlines()[0])
    assert first == HOSTILE


@pytest.mark.parametrize("fmt", ["tree", "dot", "mermaid"])
def test_lineage_pictures_show_a_hostile_relation_escaped(
    cli: Cli, hostile: dict[str, str], fmt: str
) -> None:
    output = succeeds(cli("lineage", "down", hostile["dataset"], "--format", fmt))
    assert_safe(output)
    # DOT reads a backslash escape in a label (\n: a line break): the escape's own is doubled
    escaped = "harmless\\\\n2026" if fmt == "dot" else "harmless\\n2026"
    assert escaped + "-12-07 root deleted" in output


def test_an_error_line_quoting_input_escapes_it(cli: Cli) -> None:
    line = fails(cli("artifacts", "get", "datasets/\x1b[2Jx\u202e-v1"))
    assert not has_unsafe(line)


@pytest.mark.parametrize("actor", [FORGED, "root\r", "alice\x1b[8m", "\u202eecila", "x" * 257])
def test_a_hostile_actor_is_refused_before_anything_is_written(
    cli: Cli, store: MetadataStore, actor: str
) -> None:
    line = fails(cli("--actor", actor, "artifacts", "add", "datasets", "iris", "rows=1"), "actor")
    assert not has_unsafe(line)
    env = {"ARANGOML_META_ACTOR": actor}
    fails(cli("artifacts", "add", "datasets", "iris", "rows=1", env=env), "ARANGOML_META_ACTOR")
    assert store.find("datasets") == []


def test_an_actor_of_one_printable_line_is_recorded(cli: Cli, store: MetadataStore) -> None:
    succeeds(cli("--actor", "Zoë Müller", "artifacts", "add", "datasets", "iris", "rows=1"))
    assert store.get("datasets/iris-v1")["created_by"] == "Zoë Müller"
