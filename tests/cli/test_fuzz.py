"""A fuzz test of the CLI's argument parsers: random command lines from the real command tree.

Hypothesis draws a command (every leaf of ``arangoml-meta``'s tree but ``demo``,
which trains models, and ``serve``, which runs until stopped: tests/server/), then options and arguments of that command — and stray
tokens — with hostile values: empty, huge, control characters, bidi overrides,
non-ASCII, numbers out of range, broken JSON, malformed references, paths to
nothing. Each command line runs through CliRunner against one embedded store
holding a small pipeline. Whatever the input, the CLI must answer as a tool:
exit code 0, 1 or 2, never a traceback or an "internal error", and a failure is
one line on stderr. Data is drawn, the store's answers are not predicted: the
point is the contract around every answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from arangoml_meta.cli import app, docs
from arangoml_meta.store import open_store

# command lines per run (a few seconds); more, and fresh ones, by hand: e.g.
# ARANGOML_FUZZ_EXAMPLES=5000 ARANGOML_FUZZ_RANDOM=1 pytest tests/cli/test_fuzz.py
EXAMPLES = int(os.environ.get("ARANGOML_FUZZ_EXAMPLES") or 100)
SEED_ENV = "ARANGOML_FUZZ_RANDOM"
# what the fuzzer runs: every command but the demo (minutes of model training) and the
# server (runs until it is stopped; its options are tested in tests/server/)
LEAVES = {
    path: command
    for path, command, _ in docs.commands()
    if path and not hasattr(command, "list_commands") and path not in {("demo",), ("serve",)}
}
# the store and who acts are fixed; the test is about what comes after them
FIXED_OPTIONS = {"--store", "--actor"}

HOSTILE = [
    "", " ", "-", "--", "=", "x" * 5_000, "\x00", "a\x00b", "\x1b[31mred\x1b[0m", "a\nb", "\r",
    "\u202eevil", "é", "日本語", "🙂", "0", "-1", "1", "1e400", "-1e400", "NaN", "Infinity",
    "2^70", "9" * 40, "1.5", "true", "null", "{", "[", '{"a":', "{}", "[]", '{"a": 1}',
    '"text"', "a=b", "=b", "a=", "a.b.c=1", "..=1", "metrics.auc>=0.9", "rows=>5", "name~%",
    "_key=x", "created_by=me", "datasets", "datasets/", "/", "//", "@", "@latest",
    "datasets/iris-v1", "datasets/iris", "datasets/iris@latest", "datasets/iris@0",
    "datasets/iris@-1", "datasets/iris@99999999999999999999", "datasets/iris@2.5",
    "models/clf@latest", "runs/train@latest", "runs/train", "nothing/x-v1", "runs/x/y",
    "train=datasets/iris@latest", "model=models/clf", 'model=models/clf:{"framework": "x"}',
    "model=models/clf:[1]", "model=models/clé", "RETURN 1/0", "FOR d IN nothing RETURN d",
    "RETURN @x", "INSERT {} INTO datasets", "nothing_such", "x=y", "xml", "../../etc/passwd",
    "/nonexistent/file.json",
]  # fmt: skip


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Paths a file option might be given: good, broken and foreign files, a directory."""
    folder = tmp_path_factory.mktemp("files")
    samples = {
        "fields.json": json.dumps({"rows": 3, "location": "s3://x"}),
        "broken.json": '{"rows": ',
        "list.json": "[1, 2]",
        "fields.yaml": "rows: 3\nwhen: 2025-01-01\n",
        "broken.yaml": "a: [b\n",
        "gadgets.json": json.dumps({"type": "object", "properties": {"size": {"type": "integer"}}}),
        "binary.bin": "\x00\x01\x02\xff",
    }
    paths = []
    for name, text in samples.items():
        path = folder / name
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        paths.append(str(path))
    return [*paths, str(folder)]


@pytest.fixture(scope="module", autouse=True)
def scratch_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Run the command lines in a directory of their own: a drawn ``store dump NAME`` or
    ``store backup NAME`` writes where it is run, which must not be the checkout."""
    before = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    try:
        yield
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An embedded store with a small pipeline: iris → train → clf → deployment."""
    location = str(tmp_path_factory.mktemp("fuzz-store"))
    with open_store(location, actor="fuzz") as store:
        iris = store.register("datasets", "iris", rows=150, tags=["raw"])
        sample = store.register("datasets", "iris-sample", rows=15)
        store.link(iris, sample, "subset_of")
        with store.run("train", inputs={"train": sample}, params={"lr": 0.1}) as run:
            run.log_metrics({"auc": 0.9})
            model = run.register_output("models", "clf", framework="sklearn")
        store.link(model, store.register("deployments", "clf-prod"), "deployed_as")
    yield location


# values a command expects, so that the hostile ones meet the code behind the parsers too
PLAUSIBLE = [
    "datasets", "models", "runs", "deployments", "iris", "train", "gold", "subset_of",
    "datasets/iris-v1", "datasets/iris@latest", "datasets/iris-sample-v1", "models/clf@latest",
    "models/clf-v1", "deployments/clf-prod-v1", "runs/train@latest",
    "train=datasets/iris@latest", 'model=models/clf:{"framework": "x"}', "model=models/clf",
    "rows=5", "lr=0.1", "metrics.auc>0.5", "model_provenance", "audit_trail",
    "model=models/clf-v1", "dataset=datasets/iris-v1", "since=2025-01-01", "RETURN 1",
    "FOR d IN datasets RETURN d", "_id,name",
]  # fmt: skip
CHOICES = {
    "--format": ["table", "json", "jsonl", "csv"],
    "--status": ["completed", "failed", "running"],
    "--depth": ["1", "2", "10"],
    "--limit": ["1", "5"],
    "--offset": ["0", "1"],
}


def pick(draw: st.DrawFn, plausible: list[str], files: list[str]) -> str:
    """Mostly a plausible value; else a hostile one, a file, or any text."""
    roll = draw(st.integers(0, 9))
    if roll < 6:
        return draw(st.sampled_from(plausible))
    if roll < 8:
        return draw(st.sampled_from(HOSTILE))
    if roll < 9:
        return draw(st.sampled_from(files))
    return draw(st.text(max_size=30))


@st.composite
def command_lines(draw: st.DrawFn, files: list[str]) -> list[str]:
    """A command's path, then its options and arguments in any order, now and then a stray
    token."""
    path = draw(st.sampled_from(sorted(LEAVES)))
    command = LEAVES[path]
    tokens: list[list[str]] = []
    for param in command.params:
        if param.param_type_name == "option":
            if set(param.opts) & FIXED_OPTIONS or param.name == "help":
                continue
            if draw(st.integers(0, 4 if param.required else 1)) == 0:  # left out
                continue
            name = draw(st.sampled_from(param.opts + param.secondary_opts))
            if param.is_flag and not param.count:
                tokens.append([name])
                continue
            for _ in range(draw(st.integers(1, 3)) if param.multiple else 1):
                tokens.append([name, pick(draw, CHOICES.get(param.opts[0], PLAUSIBLE), files)])
        elif param.required or draw(st.integers(0, 4)) > 0:  # now and then a missing one
            count = draw(st.integers(1, 3)) if param.nargs == -1 else 1
            tokens.append([pick(draw, PLAUSIBLE, files) for _ in range(count)])
    if draw(st.integers(0, 4)) == 0:
        tokens.append([pick(draw, HOSTILE, files)])
    order = draw(st.permutations(tokens))
    return [*path, *(token for group in order for token in group)]


def check_the_contract(argv: list[str], result: Any) -> None:
    shown = f"arangoml-meta {' '.join(map(repr, argv))}"
    assert result.exit_code in (0, 1, 2), f"{shown}: exit {result.exit_code}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{shown}: raised {result.exception!r}"
    )
    assert "Traceback" not in result.output, f"{shown}:\n{result.output}"
    assert "internal error" not in result.stderr, f"{shown}: {result.stderr}"
    if result.exit_code != 0:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), f"{shown}:\n{result.stderr}"


def test_the_fuzzer_reaches_every_command() -> None:
    expected = {("runs", "record"), ("runs", "close"), ("artifacts", "tag"), ("link",), ("aql",)}
    assert expected <= set(LEAVES)
    assert ("demo",) not in LEAVES and ("serve",) not in LEAVES


@pytest.mark.parametrize(
    "argv",
    [
        ["artifacts", "get", "\x00"],
        ["artifacts", "add", "datasets", "\u202eevil"],
        ["link", "datasets/iris-v1", "datasets/iris-v1", "--relation", "\x1b[31m"],
        ["runs", "record", "train", "--output", "model=models/clf:{"],
        ["runs", "close", "runs/train@latest", "--status", "xml"],
        ["artifacts", "tag", "datasets/iris@latest", "--add", "a\nb", "--remove", "a\nb"],
        ["artifacts", "list", "datasets", "--limit", "9" * 40],
        ["query", "run", "model_provenance", "--param", "model=\x00"],
        ["types", "evolve", "\x1e"],  # a record separator: str.splitlines() breaks there
        ["types", "show", "a\rb\u2028c\x85d\x0be"],
    ],
)
def test_hostile_command_lines_seen_before(store_dir: str, argv: list[str]) -> None:
    result = CliRunner().invoke(app, ["--store", store_dir, *argv], env={"COLUMNS": "120"})
    check_the_contract(argv, result)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get(SEED_ENV),  # else the same command lines every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_command_line_gets_an_answer_not_a_crash(
    store_dir: str, files: list[str], data: st.DataObject
) -> None:
    argv = data.draw(command_lines(files), label="argv")
    result = CliRunner().invoke(app, ["--store", store_dir, *argv], env={"COLUMNS": "120"})
    check_the_contract(argv, result)
