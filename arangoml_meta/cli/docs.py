"""The CLI reference, generated: ``python -m arangoml_meta.cli.docs > docs/cli.md``.

Every command's ``--help`` text (at a fixed width, so the file does not
depend on the terminal) and every stored query's header, so the reference
cannot drift from the code: ``tests/cli/test_docs.py`` fails when
``docs/cli.md`` differs from :func:`render`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import typer

from ..queries import StoredQuery, load_queries
from . import PROG, app
from .output import to_json

WIDTH = 100
HEADER = f"""# `{PROG}` command reference

Generated from the commands' `--help` and the headers of the stored queries by
`python -m arangoml_meta.cli.docs > docs/cli.md` — do not edit by hand; a test fails when this
file is out of date. Every command prints a table by default and takes `--format json`, `jsonl`
or `csv` for machines (lineage commands draw a tree, or `--format dot` / `mermaid`); every error
is one line on stderr and a non-zero exit code.
"""


def commands() -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """Every command and group as (path below the root, command, its context), depth first."""
    root = typer.main.get_command(app)
    root_ctx = root.make_context(
        PROG, [], resilient_parsing=True, terminal_width=WIDTH, max_content_width=WIDTH
    )
    yield (), root, root_ctx
    yield from _below(root, root_ctx, ())


def _below(
    group: Any, ctx: Any, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub_ctx = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        yield (*path, name), command, sub_ctx
        if hasattr(command, "list_commands"):
            yield from _below(command, sub_ctx, (*path, name))


def command_title(path: tuple[str, ...]) -> str:
    return " ".join((PROG, *path))


def _anchor(title: str) -> str:
    return title.lower().replace(" ", "-")


def query_section(query: StoredQuery) -> str:
    lines = [
        f"### `{query.name}` — {query.title}",
        "",
        query.description,
        "",
        f"For: {query.audience}." + (" Modifies data." if query.writes else ""),
        "",
    ]
    for param in query.params:
        default = (
            "required" if param.required else f"default `{to_json(param.default, indent=None)}`"
        )
        lines.append(f"- `{param.name}` ({param.type}, {default}): {param.help}")
    if query.params:
        lines.append("")
    example = "".join(f" --param {p.name}=…" for p in query.params if p.required)
    lines += ["```sh", f"{PROG} query run {query.name}{example}", "```", ""]
    return "\n".join(lines)


def render() -> str:
    """The whole of ``docs/cli.md``."""
    sections = list(commands())
    parts = [HEADER, "## Commands", ""]
    for path, _, _ in sections:
        title = command_title(path)
        parts.append(f"{'  ' * max(len(path) - 1, 0)}- [`{title}`](#{_anchor(title)})")
    parts += ["- [Stored queries](#stored-queries)", ""]
    for path, command, ctx in sections:
        parts += [
            f"## {command_title(path)}",
            "",
            "```text",
            command.get_help(ctx).rstrip(),
            "```",
            "",
        ]
    parts += [
        "## Stored queries",
        "",
        f"The queries in `aql/`, run with `{PROG} query run NAME --param NAME=VALUE`; "
        f"`{PROG} query show NAME` prints the AQL.",
        "",
    ]
    parts += [query_section(query) for query in load_queries().values()]
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
